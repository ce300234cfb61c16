"""Scans along an axis: cumsum, cumprod, diff and np.gradient. All but cumprod are linear, so
their VJP is the transposed map; cumprod's is formed without dividing, so zeros are exact."""

from __future__ import annotations

import numpy as np

from numeric.kinds import DIFF, GRADIENT, SCAN
from numeric.op import Kink, Op, register
from numeric.ops.common import _mask, _unsupported
from numeric.tensor import Tensor

__all__: list[str] = []

# ---------------------------------------------------------------------------------------------
# Scans. axis=None scans the flattened input (NumPy's rule); the rule then reshapes back.
#   cumsum:  out_j = Σ_{i≤j} x_i          ∂l/∂x_i = Σ_{j≥i} g_j  (a reversed cumsum of g)
#   cumprod: out_j = Π_{i≤j} x_i          ∂l/∂x_i = Π_{k<i} x_k · s_i,  s_i = g_i + x_{i+1} s_{i+1}
#   diff:    out = D^n x, D x_i = x_{i+1} - x_i      ∂l/∂x = (Dᵀ)^n g,  Dᵀ g = -D [0, g, 0]
#   gradient: central differences (x_{i+1} - x_{i-1}) / 2h inside, one-sided ones of order 1 or
#            2 at the two ends; the rule sends each g_i back to the entries that formed out_i.
#            With coordinates t (non-uniform spacing) each stencil is the derivative at t_i of
#            the polynomial through its points, e.g. inside, with d₋ = t_i - t_{i-1} and
#            d₊ = t_{i+1} - t_i:  out_i = (-d₊²x_{i-1} + (d₊² - d₋²)x_i + d₋²x_{i+1}) / d₋d₊(d₋+d₊)
# ---------------------------------------------------------------------------------------------
register(Op("cumsum", lambda x, axis=None: np.cumsum(x, axis=axis), (
    lambda g, out, x, axis=None: np.reshape(_suffix_sums(g, -1 if axis is None else axis),
                                            np.shape(x)),),
    kind=SCAN, bind=lambda a, axis=None, dtype=None, out=None: _bind_scan(a, axis, dtype, out),
    numpy=(np.cumsum,), methods=("cumsum",), complex=True, doc="out_j = Σ_{i≤j} x_i along axis"))
register(Op("cumprod", lambda x, axis=None: np.cumprod(x, axis=axis), (
    lambda g, out, x, axis=None: _cumprod_vjp(g, x, axis),),
    kink=Kink("no kink; zeros are exact: no division by x",
              place=lambda x: (np.where(np.arange(np.size(x)).reshape(np.shape(x)) % 3 == 1,
                                        0.0, x).astype(np.result_type(x)),),
              slope=()),
    kind=SCAN, bind=lambda a, axis=None, dtype=None, out=None: _bind_scan(a, axis, dtype, out),
    numpy=(np.cumprod,), methods=("cumprod",), complex=True, doc="out_j = Π_{i≤j} x_i along axis"))
register(Op("diff", lambda x, n=1, axis=-1: np.diff(x, n=n, axis=axis), (
    lambda g, out, x, n=1, axis=-1: _diff_vjp(g, n, axis),),
    kind=DIFF, bind=lambda a, n=1, axis=-1, prepend=None, append=None:
        _bind_diff(a, n, axis, prepend, append),
    numpy=(np.diff,), complex=True, doc="out = the n-th differences x_{i+1} - x_i along axis"))
_GRADIENT = register(Op("gradient", lambda x, axis=0, spacing=1.0, edge_order=1:
            np.gradient(x, np.asarray(spacing), axis=axis, edge_order=edge_order), (
    lambda g, out, x, axis=0, spacing=1.0, edge_order=1:
        _gradient_vjp(g, axis, spacing, edge_order),),
    kind=GRADIENT, bind=lambda f, *varargs, axis=None, edge_order=1:
        _bind_gradient(f, varargs, axis, edge_order),
    numpy=(np.gradient,), complex=True,
    sym=lambda x, axis=0, spacing=1.0, edge_order=1: _gradient_sym(x, axis, spacing, edge_order),
    doc="out = np.gradient along one axis: a spacing, or coordinates (a tuple for several "
        "axes); differentiated with respect to the values, the coordinates are constants"))


def _suffix_sums(g, axis):
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def _bind_scan(a, axis, dtype, out):
    _unsupported(dtype=dtype, out=out)
    return (a,), {"axis": None if axis is None else int(axis)}


def _shift(v, step, zero):
    """v moved ``step`` entries towards the start of its last axis, ``zero`` filling the end."""
    return np.concatenate([v[..., step:], zero[..., :step]], axis=-1)


def _cumprod_vjp(g, x, axis):
    """Π_{k<i} x_k · s_i with s_i = g_i + x_{i+1} s_{i+1}, the recurrence solved by doubling
    (log2 n rounds of products and sums): no division, so zeros are exact, and the same code runs
    on arrays, Tensors (grad of grad) and derive's symbols."""
    rows = np.reshape(x, (-1,)) if axis is None else np.swapaxes(x, axis, -1)
    s = g if axis is None else np.swapaxes(g, axis, -1)
    n = np.shape(rows)[-1]
    if n == 0:
        return _mask(np.zeros(np.shape(x)), x)
    zero = _mask(np.zeros(np.shape(rows)), rows)
    one = _mask(np.ones(np.shape(rows)[:-1] + (1,)), rows)
    a = _shift(rows, 1, zero)  # a_i = x_{i+1}, 0 past the end
    step = 1
    while step < n:
        s = s + a * _shift(s, step, zero)
        a = a * _shift(a, step, zero)
        step *= 2
    before = np.concatenate([one, np.cumprod(rows[..., :-1], axis=-1)], axis=-1)
    r = before * s
    return np.reshape(r, np.shape(x)) if axis is None else np.swapaxes(r, axis, -1)


def _diff_vjp(g, n, axis):
    for _ in range(n):
        shape = list(np.shape(g))
        shape[axis] = 1
        zero = _mask(np.zeros(shape), g)
        g = -np.diff(np.concatenate([zero, g, zero], axis=axis), axis=axis)
    return g


def _bind_diff(a, n, axis, prepend, append):
    if prepend is not None or append is not None:  # joined first, as NumPy does
        parts = [_edge(prepend, a, axis), a, _edge(append, a, axis)]
        a = np.concatenate([p for p in parts if p is not None], axis=axis)
    return (a,), {"n": int(n), "axis": int(axis)}


def _edge(value, a, axis):
    """A prepend/append value as a slab along ``axis`` (a scalar is broadcast, as in NumPy)."""
    if value is None or np.ndim(value):
        return value
    shape = list(np.shape(a))
    shape[axis] = 1
    return np.broadcast_to(value, tuple(shape))


# np.gradient's stencils, as integer weights over a denominator (times the spacing h): exact on
# derive's symbols. Inside: (x_{i+1} - x_{i-1}) / 2h.
_FIRST = {1: ((-1, 1), 1), 2: ((-3, 4, -1), 2)}  # out_0 from x_0, x_1 (, x_2)
_LAST = {1: ((-1, 1), 1), 2: ((1, -4, 3), 2)}    # out_{n-1} from x_{n-2} (x_{n-3}), ..., x_{n-1}


def _gradient_vjp(g, axis, h, edge_order):
    """Each g_i sent back to the entries that formed out_i, with the same weights."""
    rows = np.swapaxes(g, axis, -1)
    n = np.shape(rows)[-1]
    if isinstance(h, tuple):  # coordinates: a weight per position
        inner, first, last = _coordinate_stencils(h, edge_order)
        r = sum(_place(rows[..., 1:-1] * _mask(w, rows), k, n) for k, w in enumerate(inner))
        r = r + _place(rows[..., :1] * _mask(first, rows), 0, n)
        r = r + _place(rows[..., -1:] * _mask(last, rows), n - len(last), n)
        return np.swapaxes(r, axis, -1)
    inner = rows[..., 1:-1]
    r = _place(inner, 2, n) - _place(inner, 0, n)
    r = r / (2 * h)
    (first, d0), (last, d1) = _FIRST[edge_order], _LAST[edge_order]
    r = r + _place(rows[..., :1] * _mask(first, rows), 0, n) / (d0 * h)
    r = r + _place(rows[..., -1:] * _mask(last, rows), n - len(last), n) / (d1 * h)
    return np.swapaxes(r, axis, -1)


def _place(v, start, n):
    """``v`` (last axis k) at positions start..start+k-1 of a last axis of n, zeros elsewhere."""
    k = np.shape(v)[-1]
    lead = np.shape(v)[:-1]
    return np.concatenate([_mask(np.zeros(lead + (start,)), v), v,
                           _mask(np.zeros(lead + (n - start - k,)), v)], axis=-1)


def _gradient_sym(x, axis, h, edge_order):
    """np.gradient along one axis written with the stencils above (np.gradient itself allocates
    a float array, which cannot hold derive's symbols)."""
    rows = np.swapaxes(x, axis, -1)
    if isinstance(h, tuple):
        inner, first, last = _coordinate_stencils(h, edge_order)
        n, k = np.shape(rows)[-1], len(first)
        start = sum(rows[..., j:j + 1] * _mask(w, rows) for j, w in enumerate(first))
        end = sum(rows[..., n - k + j:n - k + j + 1] * _mask(w, rows) for j, w in enumerate(last))
        mid = sum(rows[..., j:n - 2 + j] * _mask(w, rows) for j, w in enumerate(inner))
        return np.swapaxes(np.concatenate([start, mid, end], axis=-1), axis, -1)
    (first, d0), (last, d1) = _FIRST[edge_order], _LAST[edge_order]
    k = len(first)
    start = sum(c * rows[..., j:j + 1] for j, c in enumerate(first)) / (d0 * h)
    end = sum(c * rows[..., np.shape(rows)[-1] - k + j:][..., :1] for j, c in enumerate(last))
    inner = (rows[..., 2:] - rows[..., :-2]) / (2 * h)
    out = np.concatenate([start, inner, end / (d1 * h)], axis=-1)
    return np.swapaxes(out, axis, -1)


def _coordinate_stencils(t, edge_order):
    """np.gradient's weights for coordinates ``t``: three arrays (of x_{i-1}, x_i, x_{i+1}) for
    the inner points, and the weights of the first and last ``edge_order + 1`` points.

    Each is the derivative at the point of the Lagrange polynomial through its neighbours;
    ``p``, ``q`` are the two spacings a stencil spans (first, then second).
    """
    d = np.diff(np.asarray(t, dtype=np.float64))
    p, q = d[:-1], d[1:]
    inner = (-q / (p * (p + q)), (q - p) / (p * q), p / (q * (p + q)))
    if edge_order == 1:
        return inner, (-1 / d[0], 1 / d[0]), (-1 / d[-1], 1 / d[-1])
    p, q = d[0], d[1]
    first = (-(2 * p + q) / (p * (p + q)), (p + q) / (p * q), -p / (q * (p + q)))
    p, q = d[-2], d[-1]
    last = (q / (p * (p + q)), -(p + q) / (p * q), (p + 2 * q) / (q * (p + q)))
    return inner, first, last


def _bind_gradient(f, varargs, axis, edge_order):
    nd = np.ndim(f)
    axes = tuple(range(nd)) if axis is None else \
        (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if not axes:
        raise ValueError("needs an array with at least one axis (a 0-d input has none)")
    if len(varargs) not in (0, 1, len(axes)):
        raise TypeError(f"takes 0, 1 or {len(axes)} spacings for {len(axes)} axes, "
                        f"got {len(varargs)}")
    spacings = [_spacing(v) for v in (varargs or (1.0,))]
    spacings = spacings * len(axes) if len(spacings) == 1 else spacings
    shape = np.shape(f)
    for a, h in zip(axes, spacings):
        if isinstance(h, tuple) and len(h) != shape[a]:
            raise ValueError(f"gradient: coordinates along axis {a} have {len(h)} entries, but "
                             f"the array of shape {shape} has {shape[a]} there (NumPy: "
                             "distances must match the length of the corresponding dimension)")
    params = [{"axis": int(a), "spacing": h, "edge_order": int(edge_order)}
              for a, h in zip(axes, spacings)]
    if len(axes) == 1:
        return (f,), params[0]
    # several axes: a tuple, one gradient per axis (NumPy's return)
    return (f,), params[0], lambda out: (out,) + tuple(
        _GRADIENT(f, p["spacing"], axis=p["axis"], edge_order=p["edge_order"])
        for p in params[1:])


def _spacing(v):
    """A spacing scalar as a Python float (so float32 stays float32), coordinates as a tuple of
    floats (a constant parameter); a Tensor is refused: spacings and coordinates are constants,
    the gradient is taken with respect to the values only (a tracked coordinate array would
    need the stencils' derivatives in the spacings, which no rule here provides)."""
    if isinstance(v, Tensor):  # a scalar one is refused by the engine, as any parameter
        if np.ndim(v.value) == 0:
            return v
        raise TypeError("coordinates given as a Tensor: they are constants, the gradient is "
                        "taken with respect to the values only (pass coords.value)")
    if isinstance(v, (int, float, np.number)) or (isinstance(v, np.ndarray) and v.ndim == 0):
        return float(v)
    t = np.asarray(v)
    if t.ndim != 1 or t.dtype.kind not in "iuf":
        raise ValueError(f"gradient: a spacing must be a real scalar or a 1-d array of "
                         f"coordinates, got a {t.dtype} array of shape {t.shape}")
    return tuple(float(c) for c in t)
