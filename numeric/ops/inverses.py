"""Pseudo-inverses, least squares and matrix powers: pinv, lstsq, matrix_power."""

from __future__ import annotations

import numpy as np

from numeric.kinds import LSTSQ, MATRIX_POWER, PINV
from numeric.op import REALS, Op, register
from numeric.ops.common import INVERTIBLE, _mask, _mT
from numeric.ops.decompositions import (
    DISTINCT_SINGULAR,
    FULL_RANK,
    _exact,
    _pack,
    _svd_factors,
    _unpack,
)
from numeric.ops.linalg import _sym_matrix

__all__: list[str] = []

_NO_VALUE = object()

# ---------------------------------------------------------------------------------------------
# With P = x⁺ (full rank: rank deficiency is the domain boundary, where P jumps):
#   pinv:          x̄ = −Pᵀ G Pᵀ + (I − x P) Gᵀ P Pᵀ + Pᵀ P Gᵀ (I − P x)
#   lstsq(a, b):   out = P b: b̄ = Pᵀ x̄, ā = pinv's with G = x̄ bᵀ; residuals ‖b − a x‖²
#                  (m > n): b̄ += 2 r ρ̄, ā −= 2 r ρ̄ xᵀ (aᵀ r = 0 at the solution); s as svd's
#   matrix_power:  n > 0: x̄ = Σ_k (xᵀ)ᵏ G (xᵀ)ⁿ⁻¹⁻ᵏ; n < 0: the same for y = x⁻¹, then
#                  x̄ = −yᵀ ȳ yᵀ; n = 0: the identity, x̄ = 0
# ---------------------------------------------------------------------------------------------
register(Op("pinv", lambda x, rcond=1e-15: np.linalg.pinv(x, rcond=rcond), (
    lambda g, out, x, rcond=1e-15: _pinv_part(g, x, out, rcond),),
    domain=(FULL_RANK,), kind=PINV,
    bind=lambda a, rcond=None, hermitian=False, *, rtol=_NO_VALUE:
        _bind_pinv(a, rcond, hermitian, rtol),
    numpy=(np.linalg.pinv,),
    sym=lambda x, rcond=1e-15: _sym_matrix(x, lambda m: (
        (m.T * m).inv() * m.T if m.rows >= m.cols else m.T * (m * m.T).inv())),
    doc="out = x⁺, the pseudo-inverse (the gradient where rcond/rtol cut no singular value)"))
register(Op("lstsq", lambda x, y, rcond=None: _lstsq(x, y, rcond), (
    lambda g, out, x, y, rcond=None: _lstsq_part(g, out, x, y, 0, rcond),
    lambda g, out, x, y, rcond=None: _lstsq_part(g, out, x, y, 1, rcond)),
    domain=(DISTINCT_SINGULAR, REALS), kind=LSTSQ,
    bind=lambda a, b, rcond=None: _bind_lstsq(a, b, rcond), numpy=(np.linalg.lstsq,),
    sym=lambda x, y, rcond=None: _exact().lstsq(x, y, rcond),
    doc="(solution, residuals, rank, s) as np.linalg.lstsq; rank is a constant, the rest "
        "differentiable on full-rank a"))
register(Op("matrix_power", lambda x, n: _matrix_power(x, n), (
    lambda g, out, x, n: _matrix_power_part(g, x, n),),
    domain=(INVERTIBLE,), kind=MATRIX_POWER, bind=lambda a, n: _bind_power(a, n),
    numpy=(np.linalg.matrix_power,), complex=True,
    doc="out = xⁿ for an integer n (n < 0: (x⁻¹)⁻ⁿ, 0: I)"))


def _bind_pinv(a, rcond, hermitian, rtol):
    """NumPy's cutoff, relative to the largest singular value, as one parameter ``rcond``."""
    if hermitian:
        raise TypeError("supports only hermitian=False")
    if rcond is not None and rtol is not _NO_VALUE:
        raise ValueError("pinv: give rcond or rtol, not both (as NumPy)")
    if rcond is None:
        if rtol is _NO_VALUE:
            rcond = 1e-15
        elif rtol is None:
            dtype = np.result_type(getattr(a, "dtype", np.float64), np.float32)
            rcond = max(np.shape(a)[-2:]) * float(np.finfo(dtype).eps)
        else:
            rcond = rtol
    return (a,), {"rcond": float(rcond)}


def _full_rank(x, name, rcond):
    """Refuse where singular values are cut (rank deficiency, or rcond above the smallest)."""
    v = np.asarray(getattr(x, "value", x))
    if v.dtype.kind != "f":
        return
    s = np.linalg.svd(v, compute_uv=False)
    if np.any(s[..., -1] <= max(rcond, 1e-10) * s[..., 0]):
        raise ValueError(f"{name}: x of shape {v.shape} is rank deficient at rcond={rcond:g} "
                         f"(singular values {np.round(s, 8).tolist()}): its pseudo-inverse cuts "
                         "a singular value there and has no gradient (declared domain: full "
                         "rank, nothing cut)")


def _pinv_part(g, x, p, rcond):
    """x̄ for out = p = x⁺, at full-rank x."""
    _full_rank(x, "pinv", rcond)
    m, n = np.shape(x)[-2:]
    pt = _mT(p)
    left = _mask(np.eye(m), p) - np.matmul(x, p)
    right = _mask(np.eye(n), p) - np.matmul(p, x)
    return -np.matmul(np.matmul(pt, g), pt) + np.matmul(np.matmul(left, _mT(g)), np.matmul(p, pt)) \
        + np.matmul(np.matmul(pt, p), np.matmul(_mT(g), right))


def _bind_lstsq(a, b, rcond):
    m, n = np.shape(a)
    k = min(m, n)
    xshape = (n,) + tuple(np.shape(b)[1:])

    def finish(out):
        rank = int(np.asarray(getattr(out, "value", out))[0])
        nres = int(np.prod(np.shape(b)[1:], dtype=int)) if rank == n and m > n else 0
        _, x, res, s = _unpack(out, (), (1,), xshape, (nres,), (k,))
        return x, res, rank, s

    return (a, b), {"rcond": rcond}, finish


def _lstsq(a, b, rcond):
    if np.ndim(a) != 2 or np.ndim(b) not in (1, 2):
        raise ValueError(f"lstsq: a must be 2-d and b 1-d or 2-d, got shapes {np.shape(a)} "
                         f"and {np.shape(b)}")
    x, res, rank, s = np.linalg.lstsq(a, b, rcond=rcond)
    return _pack((), np.asarray([rank], dtype=np.result_type(s)), x, res, s)


def _lstsq_part(g, out, a, b, which, rcond):
    m, n = np.shape(a)
    k = min(m, n)
    rank = int(np.asarray(getattr(out, "value", out))[0])
    nres = int(np.prod(np.shape(b)[1:], dtype=int)) if rank == n and m > n else 0
    xshape = (n,) + tuple(np.shape(b)[1:])
    _, x, _, _ = _unpack(out, (), (1,), xshape, (nres,), (k,))
    _, gx, gres, gs = _unpack(g, (), (1,), xshape, (nres,), (k,))
    if rank < k:
        raise ValueError(f"lstsq: a of shape {np.shape(a)} is rank deficient (rank {rank} < {k} "
                         f"at rcond={rcond}): its solution jumps there and has no gradient "
                         "(declared domain: full rank)")
    # a⁺ on the full-rank domain, by solve: it runs on derive's symbols, where pinv cannot
    p = np.linalg.solve(np.matmul(_mT(a), a), _mT(a)) if m >= n \
        else _mT(np.linalg.solve(np.matmul(a, _mT(a)), a))
    vec = np.ndim(b) == 1
    if which == 1:
        db = np.matmul(_mT(p), gx)
        if nres:
            db = db + 2 * (b - np.matmul(a, x)) * (gres if not vec else gres[0])
        return db
    outer = (lambda u, v: np.expand_dims(u, -1) * np.expand_dims(v, -2)) if vec \
        else (lambda u, v: np.matmul(u, _mT(v)))
    da = _pinv_part(outer(gx, b), a, p, 0.0)
    if nres:
        r = (b - np.matmul(a, x)) * (gres if not vec else gres[0])
        da = da - 2 * outer(r, x)
    u, _, vh = _svd_factors(a)
    return da + np.matmul(u * np.expand_dims(gs, -2), vh)


def _bind_power(a, n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"matrix_power: the exponent n must be an integer, got {n!r}")
    return (a,), {"n": int(n)}


def _matrix_power(x, n):
    if np.ndim(x) < 2 or np.shape(x)[-1] != np.shape(x)[-2]:
        raise ValueError(f"matrix_power: x must be square matrices, got shape {np.shape(x)}")
    if n == 0:
        return np.broadcast_to(_mask(np.eye(np.shape(x)[-1]), x), np.shape(x)) * 1
    y = np.linalg.inv(x) if n < 0 else x
    out = y
    for _ in range(abs(n) - 1):
        out = np.matmul(out, y)
    return out


def _matrix_power_part(g, x, n):
    if n == 0:
        return _mask(np.zeros(np.shape(x)), g)
    y = np.linalg.inv(x) if n < 0 else x
    yt = _mT(y)
    powers = [None, yt]  # powers[k] = (yᵀ)ᵏ, k ≥ 1
    for _ in range(abs(n) - 2):
        powers.append(np.matmul(powers[-1], yt))
    total = None
    for k in range(abs(n)):
        term = g if k == 0 else np.matmul(powers[k], g)
        if abs(n) - 1 - k:
            term = np.matmul(term, powers[abs(n) - 1 - k])
        total = term if total is None else total + term
    return total if n > 0 else -np.matmul(np.matmul(yt, total), yt)



