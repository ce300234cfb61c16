"""SymPy forwards of the decompositions, for derive's exact checks (imported when derive calls
them): closed forms where two singular values or eigenvalues are involved (2x2 eigh, svd with
min(m, n) = 2, lstsq's singular values) and SymPy's Gram-Schmidt QR (up to two columns).

They need not share LAPACK's sign choices: derive runs the rules on these outputs, so a rule is
checked on a smooth branch of the decomposition, and finite differences check LAPACK's. Past
two values there is no closed form SymPy can differentiate in time: NotImplementedError says so,
and derive checks the rules at constructed rational points (:mod:`numeric.ops.exact_points`),
where :func:`factors` of a rational matrix with rational factors is exact (LAPACK's signs).
"""

from __future__ import annotations

import numpy as np

from numeric.ops.common import _sp
from numeric.ops.linalg import _sym_matrix

__all__ = ["eigh", "svd", "qr", "lstsq", "factors"]

_PAST_TWO = ("LAPACK's {} has no SymPy closed form past two eigen- or singular values (and its "
             "vectors' signs are LAPACK's choice): derive checks its rule exactly at constructed "
             "rational points, finite differences and autograd everywhere")


def _flat(*parts):
    sp = _sp()
    return sp.Matrix.hstack(*(p.reshape(1, p.rows * p.cols) for p in parts))


def _stacked(x, f):
    """Apply f (Matrix -> 1-row Matrix) to each matrix of x; the rows become x's last axis."""
    out = _sym_matrix(x, f)
    return np.reshape(out, np.shape(out)[:-2] + (-1,))


def _eigh2(a, c, b):
    """Eigenvalues (ascending) and unit eigenvectors (columns) of [[a, b], [b, c]]."""
    sp = _sp()
    if sp.sympify(b).is_zero is True:  # a number, already diagonal: the axes, in order
        lo_first = bool(sp.sympify(a - c) <= 0)
        w = [a, c] if lo_first else [c, a]
        return sp.Matrix([w]), sp.eye(2) if lo_first else sp.Matrix([[0, 1], [1, 0]])
    r = sp.sqrt(((a - c) / 2) ** 2 + b ** 2)
    w = [(a + c) / 2 - r, (a + c) / 2 + r]
    cols = []
    for wi in w:
        norm = sp.sqrt(b ** 2 + (wi - a) ** 2)
        cols.append(sp.Matrix([b / norm, (wi - a) / norm]))
    return sp.Matrix([w]), sp.Matrix.hstack(*cols)


def eigh(x, UPLO="L", vectors=True):
    if np.shape(x)[-1] != 2:
        raise NotImplementedError(_PAST_TWO.format("symmetric eigendecomposition"))

    def one(m):
        w, v = _eigh2(m[0, 0], m[1, 1], m[1, 0] if UPLO == "L" else m[0, 1])
        return _flat(w, v) if vectors else w

    return _stacked(x, one)


def _svd2(m):
    """Reduced SVD of a matrix with min(m, n) = 2: s descending, U, V with orthonormal columns."""
    sp = _sp()
    if m.rows < m.cols:
        u, s, v = _svd2(m.T)
        return v, s, u
    ata = m.T * m
    w, v = _eigh2(ata[0, 0], ata[1, 1], ata[1, 0])
    s = [sp.sqrt(w[1]), sp.sqrt(w[0])]
    v = sp.Matrix.hstack(v[:, 1], v[:, 0])
    u = sp.Matrix.hstack(*((m * v[:, i]) / s[i] for i in range(2)))
    return u, s, v


def svd(x, full_matrices=True, compute_uv=True, vectors_for_rules=False):
    """The singular values (closed form for two); the vectors only for rules (``factors``):
    derive's spot checks of U and Vh through nested radicals overrun its time budget, and an
    exact VJP of this branch is not comparable with LAPACK's signs, so there is none here (the
    constructed points of :mod:`numeric.ops.exact_points` check the vectors' rule)."""
    rows, cols = np.shape(x)[-2:]
    if min(rows, cols) != 2:
        raise NotImplementedError(_PAST_TWO.format("singular value decomposition"))
    if compute_uv and not vectors_for_rules:
        raise NotImplementedError("svd's singular vectors: their closed form's exact VJP "
                                  "overruns derive's time budget and its signs are not "
                                  "LAPACK's; derive checks their rule exactly at constructed "
                                  "rational points instead")
    sp = _sp()

    def one(m):
        u, s, v = _svd2(m)
        return _flat(u, sp.Matrix([s]), v.T) if compute_uv else sp.Matrix([s])

    return _stacked(x, one)


def qr(x, mode="reduced"):
    rows, cols = np.shape(x)[-2:]
    if min(rows, cols) > 2:
        raise NotImplementedError("qr past two columns: SymPy's Gram-Schmidt radicals overrun "
                                  "derive's time budget (the rule is checked exactly at "
                                  "constructed rational points instead)")
    if mode == "complete" and rows > cols:
        raise NotImplementedError("Q's completion (mode='complete', m > n) is any orthonormal "
                                  "basis: finite differences and the adjoint and Taylor tests "
                                  "check it")
    sp = _sp()

    def one(m):
        q, r = m[:, :min(rows, cols)].QRdecomposition()  # wide: [X | Y] = Q [R | Qᵀ Y]
        if cols > rows:
            r = sp.Matrix.hstack(r, q.T * m[:, rows:])
        return r.reshape(1, r.rows * r.cols) if mode == "r" else _flat(q, r)

    out = _stacked(x, one)
    if mode == "r":
        return np.reshape(out, np.shape(x)[:-2] + (min(rows, cols), cols))
    return out


def factors(x, kind, uplo="L"):
    """(w, V) of eigh or (U, s, Vh) of the reduced svd of every matrix of x, as object arrays:
    the rules of eigvalsh and svdvals need the vectors, which LAPACK cannot give on symbols."""
    n = np.shape(x)[-1]
    if (n if kind == "eigh" else min(np.shape(x)[-2:])) != 2:  # numbers: exact if rational
        from numeric.ops.exact_points import rational_factors

        return rational_factors(x, kind, uplo)
    if kind == "eigh":
        packed = eigh(x, uplo)
        return packed[..., :n], np.reshape(packed[..., n:], np.shape(x))
    rows, cols = np.shape(x)[-2:]
    k = min(rows, cols)
    packed = svd(x, False, True, vectors_for_rules=True)
    u = np.reshape(packed[..., :rows * k], np.shape(x)[:-2] + (rows, k))
    s = packed[..., rows * k:rows * k + k]
    return u, s, np.reshape(packed[..., rows * k + k:], np.shape(x)[:-2] + (k, cols))


def lstsq(a, b, rcond=None):
    rows, cols = np.shape(a)
    if min(rows, cols) != 2:
        raise NotImplementedError(_PAST_TWO.format("lstsq (its singular values)"))
    sp = _sp()
    m = sp.Matrix(np.asarray(a, dtype=object).tolist())
    p = (m.T * m).inv() * m.T if rows >= cols else m.T * (m * m.T).inv()
    vec = np.ndim(b) == 1
    bm = sp.Matrix(np.asarray(b, dtype=object).reshape(rows, -1).tolist())
    xm = p * bm
    r = bm - m * xm
    res = [sum(r[i, j] ** 2 for i in range(rows)) for j in range(bm.cols)] if rows > cols else []
    s = _svd2(m)[1]
    parts = [min(rows, cols)] + (list(xm) if vec else list(xm.reshape(1, xm.rows * xm.cols)))
    return np.asarray(parts + res + s, dtype=object)
