"""Signal processing: ``convolve``, autograd's general N-d convolution (``autograd.scipy.signal``).

``convolve(x, y, axes, dot_axes, mode)`` convolves x's axes ``axes[0]`` with y's ``axes[1]``,
sums x's ``dot_axes[0]`` against y's ``dot_axes[1]`` (a tensor contraction), and keeps every
other axis: the output's axes are x's kept axes, then y's (each in order), then the convolved
ones. Along each convolved axis, with sizes n and m: ``full`` gives n + m − 1 entries (SciPy's
``scipy.signal.convolve`` for plain arrays), ``same`` the middle n of them, ``valid`` the
|n − m| + 1 where one operand covers the other. Plain NumPy: the table needs no SciPy for it.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from numeric.kinds import CONVOLVE
from numeric.op import Op, get_op, register
from numeric.ops.common import _like

__all__: list[str] = []

_MODES = ("full", "valid", "same")

# ---------------------------------------------------------------------------------------------
# out = conv(x, y) is bilinear. Let G be the cotangent put back into the full output (zeros
# where the mode cut entries off). Along a convolved axis out[k] = Σ_j x[j] y[k − j], so
#   x̄[j] = Σ_k G[k] y[k − j]:  the valid convolution of G with y flipped, y's kept axes summed
#   ȳ[i] = Σ_k G[k] x[k − i]:  the valid convolution of G with x flipped, x's kept axes summed
# and each result's axes are put back in the input's order. The rules call convolve itself,
# so on Tensors they are differentiable again.
# ---------------------------------------------------------------------------------------------
register(Op("convolve", lambda x, y, axes=None, dot_axes=((), ()), mode="full":
            _convolve(x, y, axes, dot_axes, mode), (
    lambda g, out, x, y, axes=None, dot_axes=((), ()), mode="full":
        _convolve_part(0, g, x, y, axes, dot_axes, mode),
    lambda g, out, x, y, axes=None, dot_axes=((), ()), mode="full":
        _convolve_part(1, g, x, y, axes, dot_axes, mode)),
    kind=CONVOLVE, bind=lambda A, B, axes=None, dot_axes=((), ()), mode="full":
        _bind_convolve(A, B, axes, dot_axes, mode),
    doc="autograd.scipy.signal.convolve: x's axes[0] convolved with y's axes[1], dot_axes "
        "summed, the rest kept; mode 'full', 'valid' or 'same'"))


def _bind_convolve(a, b, axes, dot_axes, mode):
    roles = _roles(np.shape(a), np.shape(b), axes, dot_axes, mode)
    return (a, b), {"axes": (roles[0], roles[3]), "dot_axes": (roles[1], roles[4]),
                    "mode": mode}


def _roles(xshape, yshape, axes, dot_axes, mode):
    """(conv, dot, kept) axes of x, then of y, checked: the axes the error names are NumPy's."""
    if mode not in _MODES:
        raise ValueError(f"convolve: mode must be 'full', 'valid' or 'same', got {mode!r}")
    nx, ny = len(xshape), len(yshape)
    if axes is None:
        axes = (tuple(range(nx)), tuple(range(nx)))
    try:
        cx, cy = (tuple(int(a) for a in ax) for ax in axes)
        dx, dy = (tuple(int(a) for a in ax) for ax in dot_axes)
    except (TypeError, ValueError):
        raise TypeError(f"convolve: axes and dot_axes must be pairs of sequences of axes, got "
                        f"axes={axes!r}, dot_axes={dot_axes!r}") from None
    if len(cx) != len(cy) or len(dx) != len(dy):
        raise ValueError(f"convolve: x and y need as many convolved axes and as many summed "
                         f"axes, got axes={axes!r}, dot_axes={dot_axes!r}")
    for name, nd, shape, own in (("x", nx, xshape, cx + dx), ("y", ny, yshape, cy + dy)):
        if any(not 0 <= a < nd for a in own) or len(set(own)) != len(own):
            raise ValueError(f"convolve: {name} of shape {tuple(shape)} has axes "
                             f"{list(range(nd))}; axes and dot_axes name {own}, which must be "
                             "distinct axes of it")
    for i, j in zip(dx, dy):
        if xshape[i] != yshape[j]:
            raise ValueError(f"convolve: summed axes differ in size: x's axis {i} has "
                             f"{xshape[i]}, y's axis {j} has {yshape[j]}")
    sizes = [(xshape[i], yshape[j]) for i, j in zip(cx, cy)]
    if mode == "valid" and not (all(n >= m for n, m in sizes) or all(m >= n for n, m in sizes)):
        raise ValueError(f"convolve: mode 'valid' needs one operand at least as large as the "
                         f"other along every convolved axis, got sizes {sizes} (x, y)")
    kx = tuple(i for i in range(nx) if i not in cx + dx)
    ky = tuple(j for j in range(ny) if j not in cy + dy)
    return cx, dx, kx, cy, dy, ky


def _convolve(x, y, axes, dot_axes, mode):
    roles = _roles(np.shape(x), np.shape(y), axes, dot_axes, mode)
    n, m = [np.shape(x)[i] for i in roles[0]], [np.shape(y)[j] for j in roles[3]]
    out = _entries(x, y, roles, *_window(n, m, mode))
    symbolic = [v for v in (x, y) if isinstance(v, np.ndarray) and v.dtype == object]
    return _like(out, symbolic[0]) if symbolic else out


def _entries(x, y, roles, starts, sizes):
    """Entries [s, s + size) of the full convolution along each convolved axis (s may be < 0:
    entries before the first are 0), and nothing else.

    Along an axis, out[k] = Σ_t f[t] · b[k − (M − 1) + t] with b the larger operand, f the
    smaller (M entries) flipped, b cut or zero-padded to what those entries reach; the larger
    operand is chosen per axis. One einsum contracts f with b viewed as windows of M (no copy
    until BLAS needs one). When one operand is the larger along every axis and has many summed
    entries, BLAS's copy of its windows would be large: the summed axes are contracted first,
    P[i, t] = f[t] · b[i] (no windows), then out[k] = Σ_t P[k + t, t], a shifted add per t."""
    cx, dx, kx, cy, dy, ky = roles
    arrays = {"x": np.asarray(x), "y": np.asarray(y)}
    nk, nd, nc = len(kx) + len(ky), len(dx), len(cx)
    pos = list(range(nk + nd, nk + nd + nc))
    off = list(range(nk + nd + nc, nk + nd + 2 * nc))
    labels = {"x": dict(zip(kx, range(len(kx)))) | dict(zip(dx, range(nk, nk + nd))),
              "y": dict(zip(ky, range(len(kx), nk))) | dict(zip(dy, range(nk, nk + nd)))}
    cuts = {k: [slice(None)] * v.ndim for k, v in arrays.items()}
    pads = {k: [(0, 0)] * v.ndim for k, v in arrays.items()}
    windows = {"x": [], "y": []}  # (axis, window size, offset label) of each windowed axis
    for a, (i, j, s, size) in enumerate(zip(cx, cy, starts, sizes)):
        (big, bi, n), (small, si, m) = sorted(
            [("x", i, arrays["x"].shape[i]), ("y", j, arrays["y"].shape[j])],
            key=lambda t: -t[2])
        lo, hi = s - m + 1, s + size  # b's entries [lo, hi) are read: zeros outside [0, n)
        left, right = max(0, min(hi, 0) - lo), max(0, hi - max(lo, n))
        first = min(max(lo, 0), n)
        cuts[big][bi] = slice(first, first + hi - lo - left - right)
        pads[big][bi] = (left, right)
        cuts[small][si] = slice(None, None, -1)
        labels[big][bi], labels[small][si] = pos[a], off[a]
        windows[big].append((bi, m, off[a]))
    cut = {k: v[tuple(cuts[k])] for k, v in arrays.items()}
    args = {k: [v, [labels[k][d] for d in range(v.ndim)]] for k, v in cut.items()}
    want = list(range(nk)) + pos
    big = next((k for k in "xy" if nc and len(windows[k]) == nc), None)
    if big is not None and all(v.dtype != object for v in cut.values()):
        small = "y" if big == "x" else "x"
        kept = np.prod([cut[small].shape[d] for d in (kx if small == "x" else ky)])
        lengths = [cut[big].shape[d] for d, _, _ in windows[big]]
        ms = [m for _, m, _ in windows[big]]
        summed = np.prod([arrays["x"].shape[d] for d in dx])
        if 2 * kept * np.prod(lengths) <= summed * np.prod(sizes) and np.prod(ms) <= 512:
            p = np.einsum(*args["x"], *args["y"], want + off, optimize=True)
            lefts = [pads[big][d][0] for d, _, _ in windows[big]]
            out = np.zeros(p.shape[:nk] + tuple(sizes), dtype=p.dtype)
            for t in np.ndindex(*ms):  # out[k] += P[k + t − left, t] where that is in P
                ks = [(max(0, e - u), min(k, n + e - u)) for u, k, n, e in
                      zip(t, sizes, lengths, lefts)]
                if all(k0 < k1 for k0, k1 in ks):
                    out[(Ellipsis,) + tuple(slice(k0, k1) for k0, k1 in ks)] += p[
                        (Ellipsis,) + tuple(slice(k0 + u - e, k1 + u - e) for (k0, k1), u, e
                                            in zip(ks, t, lefts)) + t]
            return out
    if nc == 1 and nk == nd == 0 and all(v.dtype != object for v in cut.values()):
        big, small = ("x", "y") if windows["x"] else ("y", "x")  # 1-d: NumPy's direct loop
        return np.convolve(np.pad(cut[big], pads[big]), cut[small][::-1], "valid")
    for k, (v, names) in args.items():
        if any(p != (0, 0) for p in pads[k]):
            v = np.pad(v, [pads[k][d] for d in range(v.ndim)])
        if windows[k]:
            v = sliding_window_view(v, [m for _, m, _ in windows[k]],
                                    axis=[d for d, _, _ in windows[k]])
        args[k] = [v, names + [t for _, _, t in windows[k]]]
    return np.einsum(*args["x"], *args["y"], want, optimize=True)


def _window(n, m, mode):
    """Where each convolved axis of the output starts in the full convolution, and its size."""
    if mode == "full":
        return [0] * len(n), [a + b - 1 for a, b in zip(n, m)]
    if mode == "same":
        return [(b - 1) // 2 for b in m], list(n)
    return [min(a, b) - 1 for a, b in zip(n, m)], [abs(a - b) + 1 for a, b in zip(n, m)]


def _convolve_part(which, g, x, y, axes, dot_axes, mode):
    """x̄ (which = 0) or ȳ (1): G, the cotangent put back into the full output, convolved
    ('valid') with the other operand flipped along its convolved axes, its kept axes summed
    against G's. On arrays only the needed entries are computed, G is not padded: entry j of x̄
    is entry j + m − 1 − s of the full convolution of g with y flipped (s: g's first entry in
    the full output, m: y's size), and likewise for ȳ."""
    from numeric.tensor import Tensor  # the engine, loaded by the time a rule runs

    roles = _roles(np.shape(x), np.shape(y), axes, dot_axes, mode)
    cx, dx, kx, cy, dy, ky = roles
    n, m = [np.shape(x)[i] for i in cx], [np.shape(y)[j] for j in cy]
    starts, sizes = _window(n, m, mode)
    lead = len(kx) + len(ky)
    gconv = tuple(range(lead, lead + len(n)))
    gx, gy = tuple(range(len(kx))), tuple(range(len(kx), lead))
    if which == 0:  # summed against y's kept axes; x's own axes come back in this order
        other, oc, od, ok, keep, dot, conv, own, gdot = y, cy, dy, ky, kx, dx, cx, n, gy
    else:
        other, oc, od, ok, keep, dot, conv, own, gdot = x, cx, dx, kx, ky, dy, cy, m, gx
    flipped = np.flip(other, axis=oc) if oc else other
    if isinstance(g, Tensor) or isinstance(flipped, Tensor):  # recorded: higher order
        g = np.pad(g, [(0, 0)] * lead + [(s, a + b - 1 - s - k)
                                         for s, k, a, b in zip(starts, sizes, n, m)])
        r = get_op("convolve")(g, flipped, axes=(gconv, oc), dot_axes=(gdot, ok),
                               mode="valid")
    else:
        other_size = [np.shape(other)[i] for i in oc]
        r = _entries(g, flipped, _roles(np.shape(g), np.shape(flipped), (gconv, oc),
                                        (gdot, ok), "full"),
                     [b - 1 - s for b, s in zip(other_size, starts)], own)
        symbolic = [v for v in (g, x, y) if isinstance(v, np.ndarray) and v.dtype == object]
        r = _like(r, symbolic[0]) if symbolic else r
    order = list(keep) + [dot[od.index(a)] for a in sorted(od)] + list(conv)
    return np.transpose(r, tuple(np.argsort(order).tolist()))
