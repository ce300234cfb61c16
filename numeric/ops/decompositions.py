"""Decompositions with several outputs: svd, eigh (and eigvalsh, svdvals), qr.

Design: one record per decomposition whose forward packs its outputs into one array (batch
axes kept, everything else flattened onto one last axis, :func:`_pack`); the binder's
``finish`` unpacks it with index and reshape ops into NumPy's named tuple (``SVDResult``,
``EighResult``, ``QRResult``), so each output is a differentiable Tensor and ``res.U`` works.
The rule unpacks ``g`` the same way: one rule sees the cotangents of every output at once,
which the formulas need (the singular vectors' cotangents enter the input's together).

Degenerate points are domain boundaries, declared by the domains inputs are sampled from
(``distinct`` singular values or eigenvalues, full rank): there the vectors are not functions
of x (any basis of a repeated eigenspace; any completion of U by full_matrices), so a nonzero
cotangent on such vectors is refused with the values that make it so. Sign freedom of the
vectors: LAPACK's choice is locally continuous, and the gradient is that of its choice.
"""

from __future__ import annotations

import numpy as np
from numpy.linalg._linalg import EighResult, QRResult, SVDResult

from numeric.kinds import QR_KIND, SVD_KIND, SYMMETRIC
from numeric.op import Domain, Op, register
from numeric.ops.common import _mask, _mT

__all__ = ["DISTINCT_SINGULAR", "DISTINCT_EIGEN", "FULL_RANK"]

DISTINCT_SINGULAR = Domain(-1.0, 1.0, kind="distinct singular values")  # U diag(s) Vᵀ, s apart
DISTINCT_EIGEN = Domain(-1.0, 1.0, kind="distinct eigenvalues")  # Q diag(w) Qᵀ, w apart
FULL_RANK = Domain(-1.0, 1.0, kind="full rank")  # a dominant diagonal
GAP = 1e-6  # relative gap below which two singular values or eigenvalues count as repeated


# ---------------------------------------------------------------------------------------------
# With A = U S Vᵀ (reduced, k = min(m, n)), F_ij = 1/(s_j² − s_i²) off the diagonal:
#   Ā = U [ (F∘(UᵀŪ − ŪᵀU)) S + diag(s̄) + S (F∘(VᵀV̄ − V̄ᵀV)) ] Vᵀ
#       + (I − UUᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I − VVᵀ)                 s alone: Ā = U diag(s̄) Vᵀ
# With A = V diag(w) Vᵀ (eigh), F_ij = 1/(w_j − w_i) off the diagonal:
#   S = V (diag(w̄) + F∘(VᵀV̄)) Vᵀ, the gradient for a symmetric A; NumPy reads one triangle, so
#   an entry below (UPLO='L') the diagonal stands for A_ij and A_ji and gets S_ij + S_ji, the
#   diagonal S_ii, and the triangle never read gets 0 (as cholesky).
# With A = Q R (m ≥ n), M = R R̄ᵀ − Q̄ᵀ Q, sym(M) = its lower triangle mirrored:
#   Ā = (Q̄ + Q sym(M)) R⁻ᵀ;  m < n: A = [X | Y], R = [U | V]: Ȳ = Q V̄, X̄ as above with
#   Q̄ + Y V̄ᵀ for Q̄ and Ū for R̄.
# derive checks them on SymPy forwards (numeric.ops.exact_forms): closed forms with two
# singular values or eigenvalues, SymPy's QR of two columns; past that (and svd's vectors)
# exactly at constructed rational points (exact_point, numeric.ops.exact_points): x built from
# rational factors with LAPACK's signs, the VJP solved from the defining equations.
# ---------------------------------------------------------------------------------------------
register(Op("svd", lambda x, full_matrices=True, compute_uv=True:
            _svd(x, full_matrices, compute_uv), (
    lambda g, out, x, full_matrices=True, compute_uv=True:
        _svd_part(g, out, x, full_matrices, compute_uv),),
    domain=(DISTINCT_SINGULAR,), kind=SVD_KIND,
    bind=lambda a, full_matrices=True, compute_uv=True, hermitian=False:
        _bind_svd(a, full_matrices, compute_uv, hermitian),
    numpy=(np.linalg.svd, (np.linalg.svdvals, lambda x: _bind_svd(x, False, False, False))),
    sym=lambda x, full_matrices=True, compute_uv=True: _exact().svd(x, full_matrices, compute_uv),
    exact_point=lambda shapes, params, rng: _points().svd_point(shapes, params, rng),
    doc="U, s, Vh with x = U diag(s) Vh (a named tuple like NumPy's; compute_uv=False: s)"))
register(Op("eigh", lambda x, UPLO="L", vectors=True: _eigh(x, UPLO, vectors), (
    lambda g, out, x, UPLO="L", vectors=True: _eigh_part(g, out, x, UPLO, vectors),),
    domain=(DISTINCT_EIGEN,), kind=SYMMETRIC,
    bind=lambda a, UPLO="L": _bind_eigh(a, UPLO, True),
    numpy=(np.linalg.eigh, (np.linalg.eigvalsh, lambda a, UPLO="L": _bind_eigh(a, UPLO, False))),
    sym=lambda x, UPLO="L", vectors=True: _exact().eigh(x, UPLO, vectors),
    exact_point=lambda shapes, params, rng: _points().eigh_point(shapes, params, rng),
    doc="eigenvalues (ascending) and eigenvectors of the symmetric matrix read from x's "
        "UPLO triangle, as NumPy; the gradient is with respect to that triangle"))
register(Op("qr", lambda x, mode="reduced": _qr(x, mode), (
    lambda g, out, x, mode="reduced": _qr_part(g, out, x, mode),),
    domain=(FULL_RANK,), kind=QR_KIND, bind=lambda a, mode="reduced": _bind_qr(a, mode),
    numpy=(np.linalg.qr,), sym=lambda x, mode="reduced": _exact().qr(x, mode),
    exact_point=lambda shapes, params, rng: _points().qr_point(shapes, params, rng),
    doc="Q, R with x = Q R, R upper triangular (mode 'reduced', 'complete' or 'r')"))


def _symbolic(x):
    """Whether x holds SymPy numbers (derive): LAPACK cannot factor it, exact_forms can."""
    return isinstance(x, np.ndarray) and x.dtype == object


def _svd_factors(x):
    """U, s, Vh of the reduced SVD: LAPACK's, or exact_forms' on derive's symbols."""
    return _exact().factors(x, "svd") if _symbolic(x) else np.linalg.svd(x, full_matrices=False)


def _exact():
    from numeric.ops import exact_forms  # SymPy forwards: loaded when derive calls them

    return exact_forms


def _points():
    from numeric.ops import exact_points  # constructed exact points: loaded when derive asks

    return exact_points


# --- packing several outputs into one array ---------------------------------------------------
def _pack(batch, *parts):
    return np.concatenate([np.reshape(p, batch + (-1,)) for p in parts], axis=-1)


def _unpack(packed, batch, *shapes):
    parts, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape, dtype=int))
        parts.append(np.reshape(packed[..., start:start + size], batch + tuple(shape)))
        start += size
    return parts


def _refuse(g, what):
    """Refuse a nonzero cotangent on outputs that are not functions of x (checked on values)."""
    v = np.asarray(getattr(g, "value", g))
    if v.dtype.kind == "f" and np.any(v != 0):
        raise ValueError(what)


def _gaps(vals, what, name):
    v = np.asarray(getattr(vals, "value", vals))
    if v.dtype.kind != "f" or v.shape[-1] < 2:
        return
    d = np.abs(np.diff(np.sort(v, axis=-1), axis=-1))
    scale = np.max(np.abs(v), axis=-1, keepdims=True)
    if np.any(d <= GAP * np.maximum(scale, 1e-300)):
        raise ValueError(f"{name}: repeated {what} {np.round(v, 8).tolist()}: its vectors are "
                         "any basis of the shared space, not functions of x, so their "
                         "cotangent has no gradient there (declared domain: distinct " + what + ")")


# --- svd ---------------------------------------------------------------------------------------
def _bind_svd(a, full_matrices, compute_uv, hermitian):
    if hermitian:
        raise TypeError("supports only hermitian=False (use eigh for symmetric matrices)")
    params = {"full_matrices": bool(full_matrices), "compute_uv": bool(compute_uv)}
    if not compute_uv:
        return (a,), params
    m, n = np.shape(a)[-2:]
    batch = tuple(np.shape(a)[:-2])
    mu, nv, k = (m, n, min(m, n)) if full_matrices else (min(m, n),) * 3
    return (a,), params, lambda out: SVDResult(
        *_unpack(out, batch, (m, mu), (k,), (nv, n)))


def _svd(x, full_matrices, compute_uv):
    if not compute_uv:
        return np.linalg.svd(x, compute_uv=False)
    u, s, vh = np.linalg.svd(x, full_matrices=full_matrices)
    return _pack(np.shape(x)[:-2], u, s, vh)


def _svd_part(g, out, x, full_matrices, compute_uv):
    m, n = np.shape(x)[-2:]
    k, batch = min(m, n), tuple(np.shape(x)[:-2])
    if not compute_uv:
        u, _, vh = _svd_factors(x)
        return np.matmul(u * np.expand_dims(g, -2), vh)
    mu, nv = (m, n) if full_matrices else (k, k)
    u, s, vh = _unpack(out, batch, (m, mu), (k,), (nv, n))
    gu, gs, gvh = _unpack(g, batch, (m, mu), (k,), (nv, n))
    if full_matrices and m != n:
        _refuse(gu[..., :, k:] if m > n else gvh[..., k:, :],
                "svd: full_matrices=True completes U or Vh with any orthonormal basis, not a "
                f"function of x (shape {np.shape(x)}): only the first {k} vectors have a "
                "gradient; use full_matrices=False")
        u, gu, vh, gvh = u[..., :, :k], gu[..., :, :k], vh[..., :k, :], gvh[..., :k, :]
    _gaps(s, "singular values", "svd")
    v, gv = _mT(vh), _mT(gvh)
    eye = _mask(np.eye(k), s)
    s2 = s * s
    f = (1 - eye) / (np.expand_dims(s2, -2) - np.expand_dims(s2, -1) + eye)
    ut_gu, vt_gv = np.matmul(_mT(u), gu), np.matmul(_mT(v), gv)
    inner = (f * (ut_gu - _mT(ut_gu))) * np.expand_dims(s, -2) \
        + eye * np.expand_dims(gs, -1) + np.expand_dims(s, -1) * (f * (vt_gv - _mT(vt_gv)))
    grad = np.matmul(np.matmul(u, inner), vh)
    if m > k:  # the part of Ū outside U's columns
        grad = grad + np.matmul((gu - np.matmul(u, ut_gu)) / np.expand_dims(s, -2), vh)
    if n > k:
        grad = grad + np.matmul(u, (_mT(gv) - np.matmul(_mT(vt_gv), vh)) / np.expand_dims(s, -1))
    return grad


# --- eigh --------------------------------------------------------------------------------------
def _bind_eigh(a, uplo, vectors):
    if uplo not in ("L", "U"):
        raise ValueError(f"UPLO must be 'L' or 'U', got {uplo!r}")
    params = {"UPLO": uplo, "vectors": vectors}
    if not vectors:
        return (a,), params
    n, batch = np.shape(a)[-1], tuple(np.shape(a)[:-2])
    return (a,), params, lambda out: EighResult(
        *_unpack(out, batch, (n,), (n, n)))


def _eigh(x, uplo, vectors):
    if not vectors:
        return np.linalg.eigvalsh(x, UPLO=uplo)
    w, v = np.linalg.eigh(x, UPLO=uplo)
    return _pack(np.shape(x)[:-2], w, v)


def _eigh_part(g, out, x, uplo, vectors):
    n, batch = np.shape(x)[-1], tuple(np.shape(x)[:-2])
    if vectors:
        (w, v), (gw, gv) = _unpack(out, batch, (n,), (n, n)), _unpack(g, batch, (n,), (n, n))
        _gaps(w, "eigenvalues", "eigh")
        eye = _mask(np.eye(n), w)
        f = (1 - eye) / (np.expand_dims(w, -2) - np.expand_dims(w, -1) + eye)
        inner = eye * np.expand_dims(gw, -1) + f * np.matmul(_mT(v), gv)
    else:
        w, v = _exact().factors(x, "eigh", uplo) if _symbolic(x) else np.linalg.eigh(x, uplo)
        inner = _mask(np.eye(n), g) * np.expand_dims(g, -1)
    s = np.matmul(np.matmul(v, inner), _mT(v))
    tri = _mask(np.tril(np.ones((n, n)), -1) if uplo == "L" else np.triu(np.ones((n, n)), 1), s)
    return (s + _mT(s)) * tri + s * _mask(np.eye(n), s)


# --- qr ----------------------------------------------------------------------------------------
def _bind_qr(a, mode):
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"mode={mode!r} is not supported on Tensors: use 'reduced', 'complete' "
                         "or 'r' ('raw' gives LAPACK's Householder reflectors)")
    if mode == "r":
        return (a,), {"mode": mode}
    m, n = np.shape(a)[-2:]
    batch, k = tuple(np.shape(a)[:-2]), (m if mode == "complete" else min(m, n))
    return (a,), {"mode": mode}, lambda out: QRResult(
        *_unpack(out, batch, (m, k), (k, n)))


def _qr(x, mode):
    if mode == "r":
        return np.linalg.qr(x, mode="r")
    q, r = np.linalg.qr(x, mode=mode)
    return _pack(np.shape(x)[:-2], q, r)


def _qr_part(g, out, x, mode):
    m, n = np.shape(x)[-2:]
    batch, k = tuple(np.shape(x)[:-2]), min(m, n)
    if mode == "r":  # Q = X R⁻¹ from the R computed (LAPACK's, or derive's exact one)
        r = out
        q = _mT(np.linalg.solve(_mT(r[..., :, :k]), _mT(x[..., :, :k])))
        gq, gr = _mask(np.zeros(np.shape(q)), g), g
    else:
        kq = m if mode == "complete" else k
        (q, r), (gq, gr) = (_unpack(a, batch, (m, kq), (kq, n)) for a in (out, g))
        if kq > k:  # complete with m > n: Q's last columns complete it, R's last rows are 0
            _refuse(gq[..., :, k:], "qr: mode='complete' completes Q with any orthonormal "
                    f"basis, not a function of x (shape {np.shape(x)}): only its first {k} "
                    "columns have a gradient; use mode='reduced'")
            q, gq, r, gr = q[..., :, :k], gq[..., :, :k], r[..., :k, :], gr[..., :k, :]
    _full_rank(r, k, "qr")
    if m >= n:
        return _qr_square_r(q, r, gq, gr)
    y, gv = x[..., :, m:], gr[..., :, m:]
    gx = _qr_square_r(q, r[..., :, :m], gq + np.matmul(y, _mT(gv)), gr[..., :, :m])
    return np.concatenate([gx, np.matmul(q, gv)], axis=-1)


def _qr_square_r(q, r, gq, gr):
    n = np.shape(r)[-1]
    m_ = np.matmul(r, _mT(gr)) - np.matmul(_mT(gq), q)
    low = _mask(np.tril(np.ones((n, n)), -1), m_)
    sym = m_ * low + _mT(m_ * low) + m_ * _mask(np.eye(n), m_)
    b = gq + np.matmul(q, sym)
    return _mT(np.linalg.solve(r, _mT(b)))


def _full_rank(r, k, name):
    d = np.abs(np.asarray(getattr(r, "value", r))[..., np.arange(k), np.arange(k)])
    if d.dtype.kind == "f" and np.any(d <= 1e-12 * np.max(d, initial=1.0)):
        raise ValueError(f"{name}: x is rank deficient (R's diagonal {np.round(d, 8).tolist()}):"
                         " its factors are not differentiable there (declared domain: full rank)")
