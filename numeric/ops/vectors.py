"""Products of vectors along one axis, with broadcast batch axes: cross, vecdot, matvec, vecmat.

Their raw rules keep the broadcast batch; ``unbroadcast`` sums it into each input's shape.
"""

from __future__ import annotations

import numpy as np

from numeric.kinds import CROSS, MATVEC, VECDOT, VECMAT
from numeric.op import Op, register
from numeric.ops.common import _conj_if, _mask, _mT, _unsupported

__all__: list[str] = []

# ---------------------------------------------------------------------------------------------
# With g the cotangent of out:
#   cross:   out = x × y;  <g, x × y> = <x, y × g> = <y, g × x>:  dx = y × g,  dy = g × x.
#            A 2-vector is a 3-vector with z = 0 (its cotangent drops z); two 2-vectors give
#            the z component alone, whose g stands for (0, 0, g).
#   vecdot:  out = Σ_k x_k y_k along axis:  dx = g y,  dy = g x (g put back on the axis)
#   matvec:  out = A v:  dA = g vᵀ (outer),  dv = Aᵀ g
#   vecmat:  out = vᵀ A: dv = A g,           dA = v gᵀ (outer)
# vecdot and vecmat conjugate x on complex numbers (NumPy's out = Σ conj(x) y): x's cotangent
# is then conj(g y) (conj(A g) for vecmat), and y's takes conj(x) — autograd's convention.
# ---------------------------------------------------------------------------------------------
register(Op("cross", lambda x, y, axisa=-1, axisb=-1, axisc=-1: _cross(x, y, axisa, axisb, axisc), (
    lambda g, out, x, y, axisa=-1, axisb=-1, axisc=-1:
        _cross_part(g, y, x, axisb, axisa, axisc, 0),
    lambda g, out, x, y, axisa=-1, axisb=-1, axisc=-1:
        _cross_part(g, x, y, axisa, axisb, axisc, 1)),
    kind=CROSS, bind=lambda a, b, axisa=-1, axisb=-1, axisc=-1, axis=None:
        _bind_cross(a, b, axisa, axisb, axisc, axis),
    numpy=(np.cross, (np.linalg.cross, lambda x1, x2, *, axis=-1:
                      _bind_cross(x1, x2, -1, -1, -1, axis))),
    complex=True,
    doc="out = x × y along axisa/axisb (2- or 3-vectors, batch axes broadcast), at axisc"))
register(Op("vecdot", lambda x, y, axis=-1: np.vecdot(x, y, axis=axis), (
    lambda g, out, x, y, axis=-1: _conj_if(x, _vecdot_part(g, x, y, axis)),
    lambda g, out, x, y, axis=-1: _vecdot_part(g, y, _conj_if(x, x), axis)),
    kind=VECDOT, bind=lambda x1, x2, *, axis=-1, **unsupported:
        _bind_axis((x1, x2), axis, unsupported),
    numpy=(np.vecdot, np.linalg.vecdot),
    complex=True, doc="out = Σ conj(x) y along axis, batch axes broadcast"))
if hasattr(np, "matvec"):  # NumPy ≥ 2.2
    register(Op("matvec", np.matvec, (
        lambda g, out, x, y: np.expand_dims(g, -1) * np.expand_dims(y, -2),
        lambda g, out, x, y: np.matvec(_mT(x), g)),
        kind=MATVEC, bind=lambda x1, x2, **unsupported: _bind_axis((x1, x2), None, unsupported),
        numpy=(np.matvec,), complex=True,
        doc="out = x y: stacks of matrices times stacks of vectors"))
    register(Op("vecmat", np.vecmat, (
        lambda g, out, x, y: _conj_if(x, np.matvec(y, g)),
        lambda g, out, x, y: np.expand_dims(_conj_if(x, x), -1) * np.expand_dims(g, -2)),
        kind=VECMAT, bind=lambda x1, x2, **unsupported: _bind_axis((x1, x2), None, unsupported),
        numpy=(np.vecmat,), complex=True,
        doc="out = conj(x)ᵀ y: stacks of vectors times stacks of matrices"))


def _bind_cross(a, b, axisa, axisb, axisc, axis):
    if axis is not None:
        axisa = axisb = axisc = axis
    return (a, b), {"axisa": int(axisa), "axisb": int(axisb), "axisc": int(axisc)}


def _bind_axis(inputs, axis, unsupported):
    _unsupported(**unsupported)
    return inputs, ({} if axis is None else {"axis": int(axis)})


def _last(x, axis):
    """x with ``axis`` moved last (np.moveaxis as one transpose, so it runs on Tensors)."""
    nd = np.ndim(x)
    axis = axis % nd
    return np.transpose(x, [a for a in range(nd) if a != axis] + [axis])


def _back(d, axis, nd):
    """The inverse of :func:`_last` for an input of ``nd`` axes, d perhaps with more (batch)."""
    pos = np.ndim(d) - nd + axis % nd  # the axis counted from the right, as broadcasting aligns
    order = list(range(np.ndim(d) - 1))
    order.insert(pos, np.ndim(d) - 1)
    return np.transpose(d, order)


def _vector(x, axis, op_name, which):
    v = _last(x, axis)
    if np.shape(v)[-1] not in (2, 3):
        raise ValueError(f"{op_name}: input {which} has shape {np.shape(x)}: its axis {axis} "
                         f"has size {np.shape(v)[-1]}; cross products take 2- or 3-vectors")
    return v


def _three(v):
    if np.shape(v)[-1] == 3:
        return v
    return np.concatenate([v, _mask(np.zeros(np.shape(v)[:-1] + (1,)), v)], axis=-1)


def _cross3(u, v):
    u0, u1, u2 = u[..., 0], u[..., 1], u[..., 2]
    v0, v1, v2 = v[..., 0], v[..., 1], v[..., 2]
    return np.stack([u1 * v2 - u2 * v1, u2 * v0 - u0 * v2, u0 * v1 - u1 * v0], axis=-1)


def _cross(x, y, axisa, axisb, axisc):
    a, b = _vector(x, axisa, "cross", 0), _vector(y, axisb, "cross", 1)
    if np.shape(a)[-1] == 2 and np.shape(b)[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    c = _cross3(_three(a), _three(b))
    return _back(c, axisc, np.ndim(c))


def _cross_part(g, other, x, axis_other, axis_x, axisc, which):
    """The cotangent of cross's input ``x`` (``which`` = 0 for the left one)."""
    a, b = _three(_vector(other, axis_other, "cross", 1 - which)), _vector(x, axis_x, "cross",
                                                                          which)
    n = np.shape(b)[-1]
    if n == 2 and np.shape(_vector(other, axis_other, "cross", 1 - which))[-1] == 2:
        zero = _mask(np.zeros(np.shape(g) + (2,)), g)
        gv = np.concatenate([zero, np.expand_dims(g, -1)], axis=-1)
    else:
        gv = _last(g, axisc)
    d = _cross3(a, gv) if which == 0 else _cross3(gv, a)
    return _back(d[..., :n], axis_x, np.ndim(x))


def _vecdot_part(g, x, y, axis):
    d = np.expand_dims(g, -1) * _last(y, axis)
    return _back(d, axis, np.ndim(x))
