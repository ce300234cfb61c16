"""scipy.linalg on Tensors, for code written against ``autograd.scipy.linalg``.

``solve_triangular``, ``sqrtm`` and ``solve_sylvester`` are op records
(``numeric/ops/scipy_linalg.py``); ``solve_banded``, ``cho_factor`` and ``cho_solve`` are built
from records, and ``cholesky inv det solve svd svdvals eigh eigvalsh qr pinv norm`` are the
engine's NumPy ops called with SciPy's semantics (``cholesky``'s default is SciPy's upper
factor, ``qr``'s its complete mode, ``svd``'s its full matrices). Given no Tensor, each
function is SciPy's own. Any other name of ``scipy.linalg`` is SciPy's function, which refuses
Tensors (its result would carry no gradient).

Example::

    import numeric.numpy as np
    from numeric import grad
    from numeric.scipy.linalg import solve_triangular
    grad(lambda l: np.sum(solve_triangular(l, np.ones(2), lower=True)))(np.eye(2) * 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.op import get_op
from numeric.ops.common import _scipy
from numeric.scipy._common import passthrough

__all__ = ["solve_triangular", "sqrtm", "solve_sylvester", "solve_banded", "cholesky",
           "cho_factor", "cho_solve", "inv", "det", "solve", "svd", "svdvals", "eigh",
           "eigvalsh", "qr", "pinv", "norm"]


def _tensors(*xs: Any) -> bool:
    from numeric.tensor import Tensor

    return any(isinstance(x, Tensor) for x in xs)


def solve_triangular(a: Any, b: Any, trans: Any = 0, lower: bool = False,
                     unit_diagonal: bool = False, overwrite_b: bool = False,
                     check_finite: bool = True) -> Any:
    """x with T x = b (trans 1/'T'/2/'C': Tᵀ x = b), T the lower or upper triangle of a."""
    if not _tensors(a, b):
        return _scipy("linalg").solve_triangular(a, b, trans=trans, lower=lower,
                                         unit_diagonal=unit_diagonal, check_finite=check_finite)
    return get_op("solve_triangular")(a, b, trans=trans, lower=lower,
                                      unit_diagonal=unit_diagonal)


def sqrtm(A: Any, disp: bool = True, blocksize: int = 64) -> Any:
    """The principal square root of A (eigenvalues off the closed negative real axis)."""
    if not _tensors(A):
        return _scipy("linalg").sqrtm(A)
    return get_op("sqrtm")(A, disp=disp)


def solve_sylvester(a: Any, b: Any, q: Any) -> Any:
    """X with a X + X b = q."""
    if not _tensors(a, b, q):
        return _scipy("linalg").solve_sylvester(a, b, q)
    return get_op("solve_sylvester")(a, b, q)


def solve_banded(l_and_u: tuple[int, int], ab: Any, b: Any, overwrite_ab: bool = False,
                 overwrite_b: bool = False, check_finite: bool = True) -> Any:
    """x with A x = b, A given by its (l, u) diagonals in LAPACK's banded storage:
    ``ab[u + i - j, j] == A[i, j]``. On Tensors A is built from ab's diagonals and solved
    densely (entries of ab outside the band are not read and get zero gradient)."""
    if not _tensors(ab, b):
        return _scipy("linalg").solve_banded(l_and_u, ab, b, check_finite=check_finite)
    low, up = (int(v) for v in l_and_u)
    rows, n = np.shape(ab)
    if rows != low + up + 1:
        raise ValueError(f"solve_banded: ab of shape {np.shape(ab)} must have l + u + 1 = "
                         f"{low + up + 1} rows for (l, u) = {(low, up)}")
    a = None
    for r in range(rows):
        k = up - r  # row r of ab holds the k-th diagonal of A (k > 0: above the main one)
        part = np.diag(ab[r, k:] if k >= 0 else ab[r, :n + k], k)
        a = part if a is None else a + part
    return np.linalg.solve(a, b)


def cholesky(a: Any, lower: bool = False, overwrite_a: bool = False,
             check_finite: bool = True) -> Any:
    """SciPy's Cholesky factor: upper U with Uᵀ U = a by default (read from a's upper
    triangle), lower L with L Lᵀ = a (from its lower triangle) when ``lower``."""
    if not _tensors(a):
        return _scipy("linalg").cholesky(a, lower=lower, check_finite=check_finite)
    if lower:
        return np.linalg.cholesky(a)
    return np.swapaxes(np.linalg.cholesky(np.swapaxes(a, -1, -2)), -1, -2)


def cho_factor(a: Any, lower: bool = False, overwrite_a: bool = False,
               check_finite: bool = True) -> tuple[Any, bool]:
    """(c, lower) for ``cho_solve``. On Tensors c is the triangular factor itself, zero in
    the other triangle (SciPy leaves a's entries there; cho_solve reads neither)."""
    if not _tensors(a):
        return _scipy("linalg").cho_factor(a, lower=lower, check_finite=check_finite)
    return cholesky(a, lower=lower), lower


def cho_solve(c_and_lower: tuple[Any, bool], b: Any, overwrite_b: bool = False,
              check_finite: bool = True) -> Any:
    """x with A x = b, A = c cᵀ (lower) or cᵀ c (upper) from ``cho_factor``."""
    c, lower = c_and_lower
    if not _tensors(c, b):
        return _scipy("linalg").cho_solve((c, lower), b, check_finite=check_finite)
    first = solve_triangular(c, b, trans=0 if lower else 1, lower=lower)
    return solve_triangular(c, first, trans=1 if lower else 0, lower=lower)


_SYMMETRIC = {"sym", "symmetric", "her", "hermitian", "pos", "positive definite"}
_TRIANGULAR = {"lower triangular": True, "upper triangular": False}


def _assumed(a: Any, assume_a: Any, lower: bool, where: str) -> Any:
    """a as SciPy's assume_a reads it: whole, one triangle mirrored, or its diagonal."""
    if assume_a in (None, "gen", "general"):
        return a
    if assume_a in _SYMMETRIC:
        half = np.tril(a) if lower else np.triu(a)
        return half + np.swapaxes(np.tril(a, -1) if lower else np.triu(a, 1), -1, -2)
    if assume_a in ("diagonal",):
        return np.tril(np.triu(a))
    raise TypeError(f"{where}: assume_a={assume_a!r} is not supported on Tensors (supported: "
                    "'gen', 'sym', 'her', 'pos', 'diagonal', 'lower triangular', 'upper "
                    "triangular')")


def inv(a: Any, overwrite_a: bool = False, check_finite: bool = True, *, assume_a: Any = None,
        lower: bool = False) -> Any:
    """a⁻¹ (assume_a 'sym'/'pos': of the symmetric matrix a's chosen triangle stands for)."""
    if not _tensors(a):
        return _scipy("linalg").inv(a, check_finite=check_finite, assume_a=assume_a, lower=lower)
    if assume_a in _TRIANGULAR:
        n = np.shape(a)[-1]
        return solve_triangular(a, np.eye(n), lower=_TRIANGULAR[assume_a])
    return np.linalg.inv(_assumed(a, assume_a, lower, "inv"))


def det(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """det a."""
    if not _tensors(a):
        return _scipy("linalg").det(a, check_finite=check_finite)
    return np.linalg.det(a)


def solve(a: Any, b: Any, lower: bool = False, overwrite_a: bool = False,
          overwrite_b: bool = False, check_finite: bool = True, assume_a: Any = None,
          transposed: bool = False) -> Any:
    """x with a x = b (aᵀ x = b if ``transposed``), a read as ``assume_a`` says."""
    if not _tensors(a, b):
        return _scipy("linalg").solve(a, b, lower=lower, check_finite=check_finite,
                                      assume_a=assume_a, transposed=transposed)
    if assume_a in _TRIANGULAR:
        return solve_triangular(a, b, trans=int(transposed), lower=_TRIANGULAR[assume_a])
    a = _assumed(a, assume_a, lower, "solve")
    return np.linalg.solve(np.swapaxes(a, -1, -2) if transposed else a, b)


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True, overwrite_a: bool = False,
        check_finite: bool = True, lapack_driver: str = "gesdd") -> Any:
    """U, s, Vh (s alone without ``compute_uv``), SciPy's full matrices by default."""
    if not _tensors(a):
        return _scipy("linalg").svd(a, full_matrices=full_matrices, compute_uv=compute_uv,
                            check_finite=check_finite, lapack_driver=lapack_driver)
    res = np.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)
    return tuple(res) if compute_uv else res


def svdvals(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """The singular values of a, descending."""
    if not _tensors(a):
        return _scipy("linalg").svdvals(a, check_finite=check_finite)
    return np.linalg.svd(a, compute_uv=False)


def _standard_eigen(b: Any, type: int, subsets: tuple, driver: Any, where: str) -> None:
    if b is not None or type != 1 or any(s is not None for s in subsets) or driver is not None:
        raise TypeError(f"{where}: on Tensors only the standard problem of the whole spectrum "
                        "is supported (b=None, type=1, no subset_by_index/subset_by_value, "
                        "driver=None)")


def eigh(a: Any, b: Any = None, *, lower: bool = True, eigvals_only: bool = False,
         overwrite_a: bool = False, overwrite_b: bool = False, type: int = 1,
         check_finite: bool = True, subset_by_index: Any = None, subset_by_value: Any = None,
         driver: Any = None) -> Any:
    """(w, v) of a symmetric a read from its lower (or upper) triangle; w if eigvals_only."""
    if not _tensors(a, b):
        return _scipy("linalg").eigh(a, b, lower=lower, eigvals_only=eigvals_only, type=type,
                             check_finite=check_finite, subset_by_index=subset_by_index,
                             subset_by_value=subset_by_value, driver=driver)
    _standard_eigen(b, type, (subset_by_index, subset_by_value), driver, "eigh")
    uplo = "L" if lower else "U"
    if eigvals_only:
        return np.linalg.eigvalsh(a, UPLO=uplo)
    return tuple(np.linalg.eigh(a, UPLO=uplo))


def eigvalsh(a: Any, b: Any = None, *, lower: bool = True, overwrite_a: bool = False,
             overwrite_b: bool = False, type: int = 1, check_finite: bool = True,
             subset_by_index: Any = None, subset_by_value: Any = None,
             driver: Any = None) -> Any:
    """The eigenvalues of a symmetric a, ascending."""
    return eigh(a, b, lower=lower, eigvals_only=True, type=type, check_finite=check_finite,
                subset_by_index=subset_by_index, subset_by_value=subset_by_value,
                driver=driver)


_QR_MODES = {"full": "complete", "economic": "reduced", "r": "r"}


def qr(a: Any, overwrite_a: bool = False, lwork: Any = None, mode: str = "full",
       pivoting: bool = False, check_finite: bool = True) -> Any:
    """(Q, R); SciPy's modes 'full' (Q square) and 'economic', and 'r', which gives (R,)."""
    if not _tensors(a):
        return _scipy("linalg").qr(a, mode=mode, pivoting=pivoting, check_finite=check_finite)
    if pivoting or mode not in _QR_MODES:
        raise TypeError(f"qr: on Tensors mode must be 'full', 'economic' or 'r' and "
                        f"pivoting False, got mode={mode!r}, pivoting={pivoting!r}")
    if mode == "r":  # SciPy's R is the complete one: (M, N), zero rows below a wide top
        return (np.linalg.qr(a, mode="complete")[1],)
    return tuple(np.linalg.qr(a, mode=_QR_MODES[mode]))


def pinv(a: Any, *, atol: Any = None, rtol: Any = None, return_rank: bool = False,
         check_finite: bool = True) -> Any:
    """The pseudo-inverse; SciPy's default cutoff max(M, N)·eps relative to the largest
    singular value (``rtol``); an absolute ``atol`` is not supported on Tensors."""
    if not _tensors(a):
        return _scipy("linalg").pinv(a, atol=atol, rtol=rtol, return_rank=return_rank,
                             check_finite=check_finite)
    if atol or return_rank:
        raise TypeError("pinv: atol and return_rank are not supported on Tensors")
    return np.linalg.pinv(a, rtol=rtol)


def norm(a: Any, ord: Any = None, axis: Any = None, keepdims: bool = False,
         check_finite: bool = True) -> Any:
    """np.linalg.norm's norms."""
    if not _tensors(a):
        return _scipy("linalg").norm(a, ord=ord, axis=axis, keepdims=keepdims,
                             check_finite=check_finite)
    return np.linalg.norm(a, ord=ord, axis=axis, keepdims=keepdims)


__getattr__ = passthrough("linalg")
