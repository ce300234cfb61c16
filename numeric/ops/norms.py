"""norm for every ord NumPy has — vector p-norms (any p, ±inf, 0) and the matrix norms 'fro',
'nuc', ±1, ±2, ±inf — with axis and keepdims; the call forms np.linalg.norm, matrix_norm and
vector_norm all bind to the one record."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from numeric.kinds import NORM
from numeric.op import Kink, Op, register
from numeric.ops.common import NONZERO, _conj_if, _mask
from numeric.ops.decompositions import _svd_factors, _symbolic

__all__: list[str] = []

# ---------------------------------------------------------------------------------------------
# With ĝ = g broadcast back over the reduced axes and out likewise:
#   2, 'fro':     ĝ x / out                        1: ĝ sign x         0 (a count): 0
#   p:            ĝ sign(x) |x|^(p-1) S^(1/p - 1), S = Σ|x|^p  (negative p, 0 < p < 1: x ≠ 0)
#   ±inf:         ĝ sign x on the entries of largest/smallest |x|, ties split evenly
#   matrix ±1, ±inf: ĝ sign x on the column (row) of largest/smallest Σ|x|, ties split evenly
#   'nuc':        ĝ U Vᵀ      2: ĝ u₁ v₁ᵀ      -2: ĝ u_k v_kᵀ (x = U diag(s) Vᵀ, s descending)
# At x = 0 every rule gives 0, the smallest subgradient; 'nuc' and ±2 need an SVD, which
# derive takes from numeric.ops.exact_forms (two singular values).
# Complex x (autograd's convention, as abs: d|z| has cotangent conj(z) / |z|): the forward
# squares |x| (x conj x), and every rule takes the conjugate — x / out becomes conj(x) / out,
# sign x becomes conj(x) / |x| (0 at 0), U Vᴴ becomes conj(U Vᴴ) (x = U diag(s) Vᴴ).
# ---------------------------------------------------------------------------------------------
register(Op("norm", lambda x, ord=None, axis=None, keepdims=False, vector=False:
            _norm(x, ord, axis, keepdims, vector), (
    lambda g, out, x, ord=None, axis=None, keepdims=False, vector=False:
        _norm_part(g, out, x, ord, axis, keepdims, vector),),
    domain=(NONZERO,),
    kink=Kink("norm'(0) = 0 (the smallest subgradient)", place=lambda x: (np.zeros_like(x),),
              slope=(0.0,)),
    kind=NORM, bind=lambda x, ord=None, axis=None, keepdims=False:
        _bind_norm(x, ord, axis, keepdims, False),
    numpy=(np.linalg.norm,
           (np.linalg.matrix_norm, lambda x, *, keepdims=False, ord="fro":
            _bind_norm(x, ord, (-2, -1), keepdims, False)),
           (np.linalg.vector_norm, lambda x, *, axis=None, keepdims=False, ord=2:
            _bind_norm(x, ord, axis, keepdims, True))),
    complex=True, doc="out = np.linalg.norm(x, ord, axis, keepdims): every vector and matrix ord"))

_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf, None)


def _bind_norm(x, ord, axis, keepdims, vector):
    if isinstance(axis, list):
        axis = tuple(axis)
    if not (axis is None or isinstance(axis, (int, np.integer))
            or isinstance(axis, tuple) and all(isinstance(a, (int, np.integer)) for a in axis)):
        raise TypeError(f"norm: axis must be None, an int or a tuple of ints, got {axis!r}")
    axis = int(axis) if isinstance(axis, np.integer) else axis
    if ord is not None and not isinstance(ord, str):
        ord = float(ord)
    return (x,), {"ord": ord, "axis": axis, "keepdims": bool(keepdims), "vector": vector}


def _mode(x, ord, axis, vector):
    """("vector", axes) or ("matrix", (row, col)) as NumPy decides, or a clear error."""
    nd = np.ndim(x)
    if vector or axis is None and (ord is None or nd == 1):
        mode, axes = "vector", tuple(range(nd)) if axis is None else axis
    elif axis is None:
        if nd != 2:
            raise ValueError(f"norm: ord={ord!r} with axis=None needs a 1-d or 2-d x, got shape "
                             f"{np.shape(x)}")
        mode, axes = "matrix", (0, 1)
    elif isinstance(axis, int) or len(axis) == 1:
        mode, axes = "vector", axis
    elif len(axis) == 2:
        mode, axes = "matrix", axis
    else:
        raise ValueError(f"norm: axis={axis!r} names more than 2 axes of x of shape "
                         f"{np.shape(x)} (use vector_norm)")
    axes = (axes,) if isinstance(axes, int) else axes
    if any(not -nd <= a < max(nd, 1) for a in axes):
        raise ValueError(f"norm: axis={axis!r} is out of range for x of shape {np.shape(x)}")
    axes = tuple(a % nd for a in axes) if nd else ()
    if mode == "matrix" and (ord not in _MATRIX_ORDS or axes[0] == axes[1]):
        raise ValueError(f"norm: ord={ord!r} is not a matrix norm order (use 'fro', 'nuc', "
                         "±1, ±2, ±inf), or axis names the same axis twice")
    if mode == "vector" and isinstance(ord, str):
        raise ValueError(f"norm: ord={ord!r} is a matrix norm; x of shape {np.shape(x)} with "
                         f"axis={axis!r} is taken as vectors")
    return mode, axes


def _norm(x, ord, axis, keepdims, vector):
    mode, axes = _mode(x, ord, axis, vector)
    a = np.abs(x)
    if mode == "vector":
        if ord is None or ord == 2:
            return np.sqrt(np.sum(_square(x), axis=axes, keepdims=keepdims))
        if ord == np.inf:
            return np.max(a, axis=axes, keepdims=keepdims)
        if ord == -np.inf:
            return np.min(a, axis=axes, keepdims=keepdims)
        if ord == 0:
            return np.sum(np.where(x != 0, _mask(1, x), _mask(0, x)), axis=axes,
                          keepdims=keepdims)
        if ord == 1:
            return np.sum(a, axis=axes, keepdims=keepdims)
        return np.sum(a ** ord, axis=axes, keepdims=keepdims) ** _reciprocal(ord, x)
    r, c = axes
    if ord in (None, "fro"):
        return np.sqrt(np.sum(_square(x), axis=axes, keepdims=keepdims))
    if ord in ("nuc", 2, -2):  # singular values, descending (derive: exact_forms' closed form)
        s = _svd_factors(_last_two(x, r, c))[1] if _symbolic(x) else \
            np.linalg.svd(_last_two(x, r, c), compute_uv=False)
        red = np.sum(s, axis=-1) if ord == "nuc" else s[..., 0] if ord == 2 else s[..., -1]
        return np.expand_dims(red, (r, c)) if keepdims else red
    summed, other = (r, c) if abs(ord) == 1 else (c, r)
    sums = np.sum(a, axis=summed, keepdims=True)
    red = np.max(sums, axis=other, keepdims=True) if ord > 0 else \
        np.min(sums, axis=other, keepdims=True)
    return red if keepdims else np.squeeze(red, axis=(r, c))


def _norm_part(g, out, x, ord, axis, keepdims, vector):
    mode, axes = _mode(x, ord, axis, vector)
    gk, ok = (g, out) if keepdims else (np.expand_dims(g, axes), np.expand_dims(out, axes))
    if ord in (None, 2, "fro") and not (mode == "matrix" and ord == 2):
        return gk * _conj_if(x, x) / np.where(ok == 0, _mask(1, ok), ok)
    if mode == "matrix" and ord in ("nuc", 2, -2):  # 0 at x = 0, where U and V are arbitrary
        return np.where(ok == 0, _mask(0, x), gk * _conj_if(x, _svd_direction(x, ord, axes)))
    sign = _sign(x)
    if mode == "vector" and ord == 0:
        return _mask(np.zeros(np.shape(x)), g)
    if mode == "vector" and ord == 1:
        return gk * sign
    if mode == "vector" and abs(ord) != np.inf:  # out = S^q, S = Σ|x|^p, q = 1/p as computed
        a = np.abs(x)
        q = _reciprocal(ord, x)
        total = np.sum(a ** ord, axis=axes, keepdims=True)
        safe_a = np.where(a == 0, _mask(1, a), a)
        safe_t = np.where(total == 0, _mask(1, total), total)
        # powers of the same exponents as the forward's, so the rule is exact on rationals
        return np.where(a == 0, _mask(0, a), gk * q * ord * sign * (safe_a ** ord / safe_a)
                        * (safe_t ** q / safe_t))
    if mode == "vector":  # ±inf: the entries of largest (smallest) |x|
        hit = np.where(np.abs(x) == ok, _mask(1, x), _mask(0, x))
        return gk * sign * hit / np.sum(hit, axis=axes, keepdims=True)
    r, c = axes
    summed, other = (r, c) if abs(ord) == 1 else (c, r)
    sums = np.sum(np.abs(x), axis=summed, keepdims=True)
    hit = np.where(sums == ok, _mask(1, x), _mask(0, x))
    return gk * sign * hit / np.sum(hit, axis=other, keepdims=True)


def _reciprocal(ord, x):
    """1 / ord: a float, or on derive's symbols the exact fraction (1.0 / 3 would enter SymPy as
    6004799503160661 / 2⁵⁴, whose power of a rational SymPy tries to expand: minutes and
    gigabytes at some points, where 1/3 is a cube root)."""
    return Fraction(1) / Fraction(ord) if _symbolic(x) else 1.0 / ord


def _square(x):
    """|x|² entrywise: x x on real numbers (and derive's symbols), real(x conj x) on complex."""
    return np.real(x * np.conjugate(x)) if np.iscomplexobj(x) else x * x


def _sign(x):
    """The slope of |x|: sign x on real numbers; conj(x) / |x| on complex ones (0 at 0),
    written without np.sign, which refuses complex Tensors (its rule is for real numbers)."""
    if not np.iscomplexobj(x):
        return np.sign(x)
    a = np.abs(x)
    return np.conjugate(x) / np.where(a == 0, _mask(1, a), a)


def _last_two(x, r, c):
    return np.transpose(x, [a for a in range(np.ndim(x)) if a not in (r, c)] + [r, c])


def _svd_direction(x, ord, axes):
    """d‖x‖/dx for 'nuc' (U Vᵀ) and ±2 (the outer product of the extreme singular vectors)."""
    r, c = axes
    u, s, vh = _svd_factors(_last_two(x, r, c))
    if ord == "nuc":
        d = np.matmul(u, vh)
    else:
        k = 0 if ord == 2 else -1
        sv = np.asarray(getattr(s, "value", s))
        if sv.dtype.kind == "f" and sv.shape[-1] > 1:
            near = sv[..., 1] if k == 0 else sv[..., -2]
            top = np.max(sv, axis=-1)
            if np.any((np.abs(sv[..., k] - near) <= 1e-6 * top) & (top > 0)):
                raise ValueError(f"norm: ord={ord}: x's extreme singular value is repeated "
                                 f"({np.round(sv, 8).tolist()}): the norm is not "
                                 "differentiable there")
        d = np.expand_dims(u[..., :, k], -1) * np.expand_dims(vh[..., k, :], -2)
    nd = np.ndim(x)
    order = [a for a in range(nd) if a not in (r, c)] + [r, c]
    return np.transpose(d, np.argsort(order).tolist())

