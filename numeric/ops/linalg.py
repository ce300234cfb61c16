"""Linear algebra: trace, diagonal, inv, det, slogdet, solve, cholesky (norm: ``norms``)."""

from __future__ import annotations

import numpy as np

from numeric.kinds import (
    DIAGONAL,
    SOLVE,
    SQUARE,
)
from numeric.op import REALS, Op, register
from numeric.ops.common import (
    INVERTIBLE,
    SPD,
    _case,
    _like,
    _mask,
    _mT,
    _sp,
    _unsupported,
)

__all__: list[str] = []

# ---------------------------------------------------------------------------------------------
# Linear algebra (products: ``products``, ``einsum``, ``vectors``). With out = f(x):
#   trace:       g on the diagonal                     diagonal: g scattered onto the diagonal
#   inv:         -outᵀ G outᵀ                          det: G det(x) x⁻ᵀ
#   slogdet:     G x⁻ᵀ (the log|det| output)           solve(a, b): db = a⁻ᵀ G, da = -db outᵀ
#   cholesky L:  Φ(S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ G) L⁻¹
# derive runs np.linalg's inv, det and solve on symbols itself; slogdet and cholesky declare
# SymPy forwards (log|det| and NumPy's lower-triangle Cholesky have no one-call SymPy twin).
# ---------------------------------------------------------------------------------------------
register(Op("trace", lambda x, offset=0, axis1=0, axis2=1: np.trace(x, offset, axis1, axis2), (
    lambda g, out, x, offset=0, axis1=0, axis2=1: _trace_part(g, x, offset, axis1, axis2),),
    kind=DIAGONAL, bind=lambda a, offset=0, axis1=0, axis2=1, dtype=None, out=None:
        _bind_diagonal(a, offset, axis1, axis2, dtype=dtype, out=out),
    numpy=(np.trace,), methods=("trace",), complex=True, doc="out = Σ of x's diagonal"))
register(Op("diagonal", lambda x, offset=0, axis1=0, axis2=1:
            np.diagonal(x, offset, axis1, axis2), (
    lambda g, out, x, offset=0, axis1=0, axis2=1: _diagonal_part(g, x, offset, axis1, axis2),),
    kind=DIAGONAL, bind=lambda a, offset=0, axis1=0, axis2=1:
        _bind_diagonal(a, offset, axis1, axis2),
    complex=True,
    numpy=(np.diagonal,), methods=("diagonal",), doc="out = x's diagonal (last axis)"))
register(Op("inv", np.linalg.inv, (
    lambda g, out, x: -np.matmul(np.matmul(_mT(out), g), _mT(out)),),
    domain=(INVERTIBLE,), kind=SQUARE, numpy=(np.linalg.inv,), complex=True, doc="out = x⁻¹"))
register(Op("det", np.linalg.det, (
    lambda g, out, x: np.expand_dims(g * out, (-2, -1)) * _mT(np.linalg.inv(x)),),
    domain=(INVERTIBLE,), kind=SQUARE, numpy=(np.linalg.det,), complex=True, doc="out = det x"))
register(Op("slogdet", lambda x: np.linalg.slogdet(x)[1], (
    lambda g, out, x: np.expand_dims(g, (-2, -1)) * _mT(np.linalg.inv(x)),),
    domain=(INVERTIBLE,), kind=SQUARE,
    bind=lambda a: ((a,), {}, lambda logdet: (np.linalg.slogdet(getattr(a, "value", a))[0],
                                             logdet)),
    numpy=(np.linalg.slogdet,), complex=True,
    sym=lambda x: _sym_matrix(x, lambda m: _sp().log(_sp().Abs(m.det()))),
    doc="out = log |det x| (np.linalg.slogdet's second output; its sign is a constant)"))
register(Op("solve", np.linalg.solve, (
    lambda g, out, a, b: -_outer_last(_solve_db(g, a, b), out, b),
    lambda g, out, a, b: _solve_db(g, a, b)),
    domain=(INVERTIBLE, REALS), kind=SOLVE, numpy=(np.linalg.solve,),
    cases=(_case((2, 2), (2,), label="vector b"), _case((2, 2), (2, 3), label="matrix b"),
           _case((2, 2, 2), (2,), label="stack of a, one vector b"),
           _case((2, 2, 2), (2, 2, 1), label="stacks of a and b"),
           _case((2, 1, 2, 2), (3, 1, 2, 2, 1), label="stretched size-1 batch axes")),
    complex=True, doc="out = a⁻¹ b"))
# NumPy's function exactly: LAPACK reads x's lower triangle and ignores the upper one, whose
# entries therefore get a zero gradient; the sym forward reads the same triangle.
register(Op("cholesky", np.linalg.cholesky, (
    lambda g, out, x: _cholesky_part(g, out),),
    domain=(SPD,), kind=SQUARE, bind=lambda a, *, upper=False: _bind_cholesky(a, upper),
    numpy=(np.linalg.cholesky,),
    cases=(_case((2, 2), label="2x2"), _case((2, 2, 2), label="stack of matrices")),
    sym=lambda x: _sym_matrix(x, lambda m: _sp().Matrix(
        *m.shape, lambda i, j: m[max(i, j), min(i, j)]).cholesky(hermitian=False)),
    doc="out = L, lower triangular with L Lᵀ = x, read from x's lower triangle (as NumPy)"))



def _bind_diagonal(a, offset, axis1, axis2, **unsupported):
    _unsupported(**unsupported)
    return (a,), {"offset": offset, "axis1": axis1, "axis2": axis2}


def _bind_cholesky(a, upper):
    if upper:
        raise TypeError("supports only upper=False (the lower factor, NumPy's default)")
    return (a,), {}



def _trace_part(g, x, offset, axis1, axis2):
    a1, a2 = axis1 % np.ndim(x), axis2 % np.ndim(x)
    eye = np.eye(np.shape(x)[a1], np.shape(x)[a2], k=offset)
    shape = [1] * np.ndim(x)
    shape[a1], shape[a2] = np.shape(x)[a1], np.shape(x)[a2]
    eye = np.reshape(eye.T if a1 > a2 else eye, shape)
    return np.expand_dims(g, tuple(sorted((a1, a2)))) * _mask(eye, g)


def _diagonal_part(g, x, offset, axis1, axis2):
    """Scatter g (..., k) onto the diagonal: (g ⊙ P) Qᵀ, P and Q selecting rows and columns."""
    a1, a2 = axis1 % np.ndim(x), axis2 % np.ndim(x)
    n, m, k = np.shape(x)[a1], np.shape(x)[a2], np.shape(g)[-1]
    rows = np.eye(n, k, k=-max(-offset, 0))
    cols = np.eye(m, k, k=-max(offset, 0))
    full = np.matmul(np.expand_dims(g, -2) * _mask(rows, g), _mask(cols.T, g))
    order = tuple(a for a in range(np.ndim(x)) if a not in (a1, a2)) + (a1, a2)
    return np.transpose(full, tuple(np.argsort(order).tolist()))


def _solve_db(g, a, b):
    """a⁻ᵀ g at every entry of the broadcast batch (a vector b makes g a stack of vectors).

    Both of solve's raw rules keep the full batch; unbroadcast sums it into a's and b's shapes.
    """
    if np.ndim(b) == 1:
        return np.linalg.solve(_mT(a), np.expand_dims(g, -1))[..., 0]
    return np.linalg.solve(_mT(a), g)


def _outer_last(db, out, b):
    """db outᵀ over the last two axes (outer product of vectors when b is 1-d)."""
    if np.ndim(b) == 1:
        return np.expand_dims(db, -1) * np.expand_dims(out, -2)
    return np.matmul(db, _mT(out))


def _cholesky_part(g, out):
    """Ā = Φ(S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ Ḡ) L⁻¹, Φ keeping the lower triangle with its diagonal halved.

    sym(S) is the gradient with respect to the symmetric matrix A = L Lᵀ. An entry x_ij
    below the diagonal stands for both A_ij and A_ji, so it receives S_ij + S_ji; a diagonal
    entry receives S_ii; an entry above the diagonal is never read and receives 0.
    """
    n = np.shape(out)[-1]
    phi = _mask(np.tril(np.ones((n, n))) - np.eye(n) / 2, out)
    linv = np.linalg.inv(out)
    s = np.matmul(np.matmul(_mT(linv), np.matmul(_mT(out), g) * phi), linv)
    return (s + _mT(s)) * phi


def _sym_matrix(x, f):
    """Apply ``f`` (sympy.Matrix -> Matrix or expression) to each matrix of a stack."""
    sp = _sp()
    if isinstance(x, sp.MatrixBase):
        x = np.array(x.tolist(), dtype=object)
    arr = np.asarray(x, dtype=object)
    results = []
    for m in np.reshape(arr, (-1,) + arr.shape[-2:]):
        r = f(sp.Matrix(m))
        results.append(np.array(r.tolist(), dtype=object) if isinstance(r, sp.MatrixBase) else r)
    out = np.empty(len(results), dtype=object) if np.ndim(results[0]) == 0 \
        else np.empty((len(results),) + np.shape(results[0]), dtype=object)
    for k, r in enumerate(results):
        out[k] = r
    return _like(np.reshape(out, arr.shape[:-2] + np.shape(results[0])), x)


