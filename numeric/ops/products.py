"""Products: matmul (the notebook's four cases and stacks), dot, outer, inner, vdot, tensordot,
kron. einsum is in ``numeric.ops.einsum``, cross and the vector gufuncs in
``numeric.ops.vectors``."""

from __future__ import annotations

import numpy as np

from numeric.kinds import (
    DOT,
    INNER,
    KRON,
    MATMUL,
    OUTER,
    TENSORDOT,
    VDOT,
)
from numeric.op import Op, register
from numeric.ops.common import (
    _bind_out,
    _conj_if,
)

__all__: list[str] = []

# ---------------------------------------------------------------------------------------------
# Matrix product — the notebook's four cases plus stacks of matrices with broadcast batch axes.
#   2-D @ 2-D:  dA = G Bᵀ,  dB = Aᵀ G          1-D @ 1-D:  da = g b,  db = g a
#   N-D @ 1-D:  dA = G bᵀ (outer), db = Aᵀ G   1-D @ N-D:  da = B G, dB = a Gᵀ (outer)
# ---------------------------------------------------------------------------------------------
register(Op("matmul", np.matmul, (
    lambda g, out, x, y: _matmul_dx(g, x, y),
    lambda g, out, x, y: _matmul_dy(g, x, y)),
    kind=MATMUL, numpy=(np.matmul,), complex=True, doc="out = x @ y"))


def _matmul_dx(g, x, y):
    if np.ndim(x) == 1 and np.ndim(y) == 1:
        return g * y
    if np.ndim(y) == 1:
        return np.expand_dims(g, -1) * y
    if np.ndim(x) == 1:
        return np.matmul(y, np.expand_dims(g, -1))[..., 0]
    return np.matmul(g, np.swapaxes(y, -1, -2))


def _matmul_dy(g, x, y):
    if np.ndim(x) == 1 and np.ndim(y) == 1:
        return g * x
    if np.ndim(x) == 1:
        return np.expand_dims(x, -1) * np.expand_dims(g, -2)
    if np.ndim(y) == 1:
        return np.matmul(np.swapaxes(x, -1, -2), np.expand_dims(g, -1))[..., 0]
    return np.matmul(np.swapaxes(x, -1, -2), g)


# ---------------------------------------------------------------------------------------------
# Contractions. Each is tensordot(x, y, axes) for some axes (0-d operands multiply), and the
# cotangent of one operand contracts g with the other over the other's free axes:
#   tensordot:  dx = g ·(y's free axes) y, axes put back in x's order; dy: the same, swapped
#   dot:        axes ([-1], [-2]) (y 1-d: [-1], [-1])      inner: axes ([-1], [-1])
#   outer:      dx = g y (flattened)                       vdot: dx = g y, reshaped as x
#   kron:       g seen as (x₀, y₀, x₁, y₁, ...): dx = Σ over y's axes of g y, dy likewise
# ---------------------------------------------------------------------------------------------
register(Op("dot", np.dot, (
    lambda g, out, x, y: _contract(g, x, y, _dot_axes(x, y)),
    lambda g, out, x, y: _contract(g, y, x, _dot_axes(x, y)[::-1], left=False)),
    kind=DOT, bind=lambda a, b, out=None: _bind_out((a, b), out),
    numpy=(np.dot,), methods=("dot",), complex=True,
    doc="out = np.dot(x, y): Σ over x's last axis and y's second-to-last (last if 1-d)"))
register(Op("inner", np.inner, (
    lambda g, out, x, y: _contract(g, x, y, _inner_axes(x, y)),
    lambda g, out, x, y: _contract(g, y, x, _inner_axes(x, y)[::-1], left=False)),
    kind=INNER,
    numpy=(np.inner,), complex=True, doc="out = np.inner(x, y): Σ over the last axes of x and y"))
register(Op("tensordot", lambda x, y, axes=2: np.tensordot(x, y, axes), (
    lambda g, out, x, y, axes=2: _contract(g, x, y, _tensordot_axes(axes, x, y)),
    lambda g, out, x, y, axes=2:
        _contract(g, y, x, _tensordot_axes(axes, x, y)[::-1], left=False)),
    kind=TENSORDOT, bind=lambda a, b, axes=2: ((a, b), {"axes": _axes_param(axes)}),
    numpy=(np.tensordot, np.linalg.tensordot), complex=True,
    doc="out = np.tensordot(x, y, axes): Σ over axes[0] of x paired with axes[1] of y"))
register(Op("outer", np.outer, (
    lambda g, out, x, y: np.reshape(np.matmul(g, np.reshape(y, (-1,))), np.shape(x)),
    lambda g, out, x, y: np.reshape(np.matmul(np.reshape(x, (-1,)), g), np.shape(y))),
    kind=OUTER, bind=lambda a, b, out=None: _bind_out((a, b), out),
    numpy=(np.outer, np.linalg.outer), complex=True, doc="out[i, j] = x.flat[i] y.flat[j]"))
register(Op("vdot", np.vdot, (
    lambda g, out, x, y: _conj_if(x, g * np.reshape(y, np.shape(x))),
    lambda g, out, x, y: g * np.reshape(_conj_if(x, x), np.shape(y))),
    kind=VDOT, numpy=(np.vdot,), complex=True,
    doc="out = Σ conj(x.flat[i]) y.flat[i] (complex x: cotangents conj(g y) and g conj(x))"))
register(Op("kron", np.kron, (
    lambda g, out, x, y: _kron_part(g, x, y, 0),
    lambda g, out, x, y: _kron_part(g, y, x, 1)),
    kind=KRON, numpy=(np.kron,), complex=True,
    doc="out = x ⊗ y: each entry of x times the whole of y, blocks laid out like x"))


def _dot_axes(x, y):
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return (), ()
    return (np.ndim(x) - 1,), (max(np.ndim(y) - 2, 0),)


def _inner_axes(x, y):
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return (), ()
    return (np.ndim(x) - 1,), (np.ndim(y) - 1,)


def _axes_param(axes):
    """tensordot's ``axes`` as a hashable constant: an int, or a pair of tuples of ints."""
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
        return int(axes)
    try:
        a, b = axes
    except (TypeError, ValueError):
        raise ValueError(f"tensordot: axes must be an int or a pair of axis sequences, got "
                         f"{axes!r}") from None
    a, b = ((v,) if isinstance(v, (int, np.integer)) else tuple(v) for v in (a, b))
    if len(a) != len(b):
        raise ValueError(f"tensordot: axes {axes!r} pairs {len(a)} axes of x with {len(b)} of y")
    return tuple(int(v) for v in a), tuple(int(v) for v in b)


def _tensordot_axes(axes, x, y):
    nx, ny = np.ndim(x), np.ndim(y)
    if isinstance(axes, int):
        return tuple(range(nx - axes, nx)), tuple(range(axes))
    return tuple(a % nx for a in axes[0]), tuple(b % ny for b in axes[1])


def _contract(g, x, y, axes, left=True):
    """d tensordot(x, y, axes) / dx contracted with g: g ·(y's free axes) y, in x's axis order.

    ``x`` is the left operand when ``left``; the right operand's cotangent is this with the
    operands (and the axes pairs) swapped: only where y's free axes sit in g changes, last
    (x left: g is (x free, y free)) or first (x right: g is (y free, x free)).
    """
    ax, ay = axes
    if not ax and (np.ndim(x) == 0 or np.ndim(y) == 0):
        return np.sum(g * y) if np.ndim(x) == 0 else g * y
    free_x = [a for a in range(np.ndim(x)) if a not in ax]
    free_y = [b for b in range(np.ndim(y)) if b not in ay]
    start = len(free_x) if left else 0
    d = np.tensordot(g, y, axes=(list(range(start, start + len(free_y))), free_y))
    # d's axes: x's free axes, then y's contracted axes in y's order, each paired with one of x
    order = free_x + [ax[k] for k in np.argsort(ay).tolist()]
    return np.transpose(d, np.argsort(order).tolist())


def _kron_part(g, x, y, first):
    """The cotangent of kron's input ``x`` (``first`` = 0 for the left one), ``y`` the other.

    Both are seen with the same number of axes (leading 1s); g reshaped to interleave them,
    (x₀, y₀, x₁, y₁, ...) for the left input, and summed over the other's axes against it.
    """
    nd = max(np.ndim(x), np.ndim(y))
    xs = (1,) * (nd - np.ndim(x)) + np.shape(x)
    ys = (1,) * (nd - np.ndim(y)) + np.shape(y)
    pairs = [(a, b) if first == 0 else (b, a) for a, b in zip(xs, ys)]
    gr = np.reshape(g, tuple(n for p in pairs for n in p))
    other = np.reshape(y, tuple(n for b in ys for n in ((1, b) if first == 0 else (b, 1))))
    summed = tuple(2 * k + 1 - first for k in range(nd))
    return np.reshape(np.sum(gr * other, axis=summed), np.shape(x))

