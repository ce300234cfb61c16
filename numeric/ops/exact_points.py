"""Constructed exact points of the decompositions (svd, eigh, qr), for derive's exact check.

A decomposition of a general rational matrix has irrational factors with no closed form past
two values; but a matrix *built* from rational factors has them known exactly. Each record's
``exact_point(shapes, params, rng)`` builds one and returns an :class:`ExactPoint`:

- ``xs``: the inputs, object arrays of exact rationals;
- ``factors``: the unknowns the defining equations determine (svd: U, s, V reduced; eigh: w,
  V; qr: Q reduced, R), exact, with the signs LAPACK gives at ``float(xs)``; ``fixed`` marks
  entries that are structural constants (R's zeros below the diagonal), not unknowns;
- ``out(factors)``: the op's packed forward output from the factors (NumPy code that runs on
  symbols; entries that are no functions of x, e.g. the completion of U by full_matrices=True,
  are constants in it);
- ``residual(xs, factors)``: the defining equations, one expression per unknown, each 0 exactly
  at the decomposition (e.g. U diag(s) Vᵀ − x and the upper triangles of UᵀU − I, VᵀV − I).
- ``cotangent`` (optional): ties derive's random cotangent where outputs are tied (eig's
  conjugate pairs, :mod:`numeric.ops.eig_points`).

derive (:mod:`derive.constructed`) checks the residual is 0, that ``out`` is NumPy's forward at
``float(xs)``, and gets the exact VJP from the linearised equations (implicit function theorem).
Orthogonal factors come from the Cayley transform (I − K)(I + K)⁻¹ of a rational skew K: every
rational orthogonal matrix without eigenvalue −1 is one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from numeric.ops.common import _sp

__all__ = ["ExactPoint", "svd_point", "eigh_point", "qr_point", "orthogonal", "rational_factors"]


class ExactPoint(NamedTuple):
    """An input built with exactly known factors: see the module's docstring."""

    xs: list[np.ndarray]
    factors: tuple[np.ndarray, ...]
    out: Callable[..., Any]
    residual: Callable[..., Any]
    fixed: tuple[np.ndarray | None, ...] = ()
    names: tuple[str, ...] = ()  # the factors' names, for derive's steps
    equations: str = ""  # the defining equations in words, for derive's steps
    # the cotangent derive draws, tied where outputs are (a conjugate pair's: see eig_points)
    cotangent: Callable[[np.ndarray], np.ndarray] | None = None


def orthogonal(n: int, rng: np.random.Generator) -> Any:
    """A random rational orthogonal n×n SymPy Matrix: the Cayley transform of a skew K."""
    sp = _sp()
    k = sp.zeros(n, n)
    for i in range(n):
        for j in range(i + 1, n):
            k[i, j] = sp.Rational(int(rng.choice([-3, -2, -1, 1, 2, 3])), int(rng.integers(1, 4)))
            k[j, i] = -k[i, j]
    return (sp.eye(n) - k) * (sp.eye(n) + k).inv()


def _draw(build: Callable[[], tuple[Any, ...]]) -> tuple[Any, ...]:
    """``build()`` until none of the matrices it returns has a zero entry: LAPACK's sign
    choices jump where an entry it pivots on crosses 0 (a few draws; ValueError after 100)."""
    for _ in range(100):
        made = build()
        if all(v != 0 for m in made if hasattr(m, "is_Matrix") for v in m):
            return made
    raise ValueError("no constructed point without zero entries in 100 draws")


def _values(k: int, rng: np.random.Generator, low: int = 1) -> list[Any]:
    """k distinct rationals, ascending, at least 1/4 apart (positive from ``low`` > 0)."""
    sp = _sp()
    picks = rng.choice(np.arange(low * 4, low * 4 + 4 * k + 6), size=k, replace=False)
    if low <= 0:
        picks = picks - 2 * k - 3
    return [sp.Rational(int(p), 4) for p in sorted(picks)]


def _obj(m: Any) -> np.ndarray:
    return np.array(m.tolist(), dtype=object).reshape(m.shape)


def _match(q: Any, ref: np.ndarray, cols: int) -> list[int]:
    """Per column of q, +1 or -1 so that it points as LAPACK's column ``ref`` does."""
    qf = np.array(q.evalf().tolist(), dtype=float)
    return [1 if qf[:, i] @ ref[:, i] >= 0 else -1 for i in range(cols)]


def _complete(q: Any, ref: np.ndarray, k: int) -> Any:
    """Columns k.. of q as LAPACK's completion: sign-matched when one, else LAPACK's rounded
    values (more than one completing vector: any basis; constants, never differentiated)."""
    sp = _sp()
    if q.cols - k == 1:
        d = _match(q[:, k:], ref[:, k:], 1)[0]
        return q[:, k:] * d
    return sp.Matrix([[sp.Rational(float(v)) for v in row] for row in ref[:, k:]])


def _batch(shapes: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], int, int]:
    (shape,) = shapes
    return tuple(shape[:-2]), shape[-2], shape[-1]


def _stack(per: list[list[Any]], batch: tuple[int, ...]) -> list[np.ndarray]:
    """Per matrix of the batch a list of parts -> per part one array with the batch axes."""
    return [np.stack([p[j] for p in per]).reshape(batch + np.shape(per[0][j]))
            for j in range(len(per[0]))]


def _upper(a: np.ndarray) -> np.ndarray:
    """The entries on and above the diagonal of each matrix of ``a``, flattened."""
    i, j = np.triu_indices(np.shape(a)[-1])
    return np.reshape(a[..., i, j], (-1,))


def _gram(q: np.ndarray) -> np.ndarray:
    """The upper triangle of QᵀQ − I (orthonormal columns)."""
    eye = np.eye(np.shape(q)[-1], dtype=int).astype(object)
    return _upper(np.matmul(np.swapaxes(q, -1, -2), q) - eye)


# --- svd: x = U diag(s) Vᵀ ---------------------------------------------------------------------
def svd_point(shapes: Any, params: dict[str, Any], rng: np.random.Generator) -> ExactPoint:
    """A matrix (stack) with distinct positive rational singular values and rational vectors."""
    from numeric.ops.decompositions import _pack

    sp = _sp()
    batch, m, n = _batch(shapes)
    k, full = min(m, n), params.get("full_matrices", True)
    per = []
    for _ in range(int(np.prod(batch, dtype=int))):
        def build() -> tuple[Any, ...]:
            u, v, s = orthogonal(m, rng), orthogonal(n, rng), _values(k, rng)[::-1]
            return u[:, :k] * sp.diag(*s) * v[:, :k].T, u, v, s

        a, u, v, s = _draw(build)
        ul, _, vhl = np.linalg.svd(np.array(a.evalf().tolist(), dtype=float))
        d = sp.diag(*_match(u, ul, k))
        uc, vc = (_complete(u, ul, k), _complete(v, vhl.T, k)) if full else (u[:, :0], v[:, :0])
        per.append([_obj(a), _obj(u[:, :k] * d), np.array(s, dtype=object),
                    _obj(v[:, :k] * d), _obj(uc), _obj(vc)])
    x, u, s, v, uc, vc = _stack(per, batch)

    def out(u: Any, s: Any, v: Any) -> Any:
        if not params.get("compute_uv", True):
            return s
        return _pack(batch, np.concatenate([u, uc], axis=-1), s,
                     np.swapaxes(np.concatenate([v, vc], axis=-1), -1, -2))

    def residual(xs: list[Any], u: Any, s: Any, v: Any) -> Any:
        prod = np.matmul(u * np.expand_dims(s, -2), np.swapaxes(v, -1, -2))
        return np.concatenate([np.reshape(prod - xs[0], (-1,)), _gram(u), _gram(v)])

    return ExactPoint([x], (u, s, v), out, residual, (), ("U", "s", "V"),
                      "U diag(s) Vᵀ − x = 0; upper triangles of UᵀU − I and VᵀV − I = 0 "
                      "(U, V reduced, s descending)")


# --- eigh: the read triangle of x is that of V diag(w) Vᵀ ----------------------------------------
def eigh_point(shapes: Any, params: dict[str, Any], rng: np.random.Generator) -> ExactPoint:
    """A symmetric matrix (stack) with distinct rational eigenvalues and rational vectors; the
    triangle NumPy does not read holds other rationals (its gradient must be 0)."""
    from numeric.ops.decompositions import _pack

    sp = _sp()
    batch, n, _ = _batch(shapes)
    lower = params.get("UPLO", "L") == "L"
    per = []
    for _ in range(int(np.prod(batch, dtype=int))):
        def build() -> tuple[Any, ...]:
            q, w = orthogonal(n, rng), _values(n, rng, low=0)
            return q * sp.diag(*w) * q.T, q, w

        a, q, w = _draw(build)
        for i in range(n):  # the unread triangle: anything
            for j in range(i + 1, n):
                junk = sp.Rational(int(rng.integers(-9, 10)), 4)
                a[(i, j) if lower else (j, i)] = junk
        _, vl = np.linalg.eigh(np.array(a.evalf().tolist(), dtype=float), UPLO="L" if lower
                               else "U")
        per.append([_obj(a), np.array(w, dtype=object), _obj(q * sp.diag(*_match(q, vl, n)))])
    x, w, v = _stack(per, batch)

    def out(w: Any, v: Any) -> Any:
        return _pack(batch, w, v) if params.get("vectors", True) else w

    def residual(xs: list[Any], w: Any, v: Any) -> Any:
        read = np.swapaxes(xs[0], -1, -2) if lower else xs[0]  # its upper triangle is read
        prod = np.matmul(v * np.expand_dims(w, -2), np.swapaxes(v, -1, -2))
        return np.concatenate([_upper(prod - read), _gram(v)])

    return ExactPoint([x], (w, v), out, residual, (), ("w", "V"),
                      f"upper triangle of V diag(w) Vᵀ − x's {'lower' if lower else 'upper'} "
                      "triangle (mirrored) = 0; upper triangle of VᵀV − I = 0 (w ascending)")


# --- qr: x = Q R ------------------------------------------------------------------------------
def qr_point(shapes: Any, params: dict[str, Any], rng: np.random.Generator) -> ExactPoint:
    """A full-rank matrix (stack) Q R with rational Q (orthonormal columns) and rational upper
    triangular R, the signs of Q's columns and R's rows LAPACK's."""
    from numeric.ops.decompositions import _pack

    sp = _sp()
    batch, m, n = _batch(shapes)
    k, mode = min(m, n), params.get("mode", "reduced")
    per = []
    for _ in range(int(np.prod(batch, dtype=int))):
        def build() -> tuple[Any, ...]:
            q = orthogonal(m, rng)
            r = sp.Matrix(k, n, lambda i, j: 0 if j < i else sp.Rational(
                int(rng.choice([-1, 1]) * rng.integers(2, 9) if i == j else rng.integers(-6, 7)),
                int(rng.integers(1, 4))))
            return q[:, :k] * r, q, [r]  # R's zeros are structural: not checked

        a, q, (r,) = _draw(build)
        ql, _ = np.linalg.qr(np.array(a.evalf().tolist(), dtype=float), mode="complete")
        d = sp.diag(*_match(q, ql, k))
        qc = _complete(q, ql, k) if mode == "complete" else q[:, :0]
        per.append([_obj(a), _obj(q[:, :k] * d), _obj(d * r), _obj(qc)])
    x, q, r, qc = _stack(per, batch)
    fixed = np.broadcast_to(np.tril(np.ones((k, n), dtype=bool), -1), np.shape(r))

    zeros = np.zeros(batch + (np.shape(qc)[-1], n), dtype=int).astype(object)  # complete: R's

    def out(q: Any, r: Any) -> Any:  # last rows are 0
        if mode == "r":
            return r
        return _pack(batch, np.concatenate([q, qc], axis=-1), np.concatenate([r, zeros], -2))

    def residual(xs: list[Any], q: Any, r: Any) -> Any:
        return np.concatenate([np.reshape(np.matmul(q, r) - xs[0], (-1,)), _gram(q)])

    return ExactPoint([x], (q, r), out, residual, (None, fixed), ("Q", "R"),
                      "Q R − x = 0; upper triangle of QᵀQ − I = 0 (R upper triangular, Q "
                      "reduced)")


# --- exact factors of a rational matrix (the rules of eigvalsh and svdvals need the vectors) ----
def rational_factors(x: np.ndarray, kind: str, uplo: str = "L") -> tuple[np.ndarray, ...]:
    """(w, V) of eigh or (U, s, Vh) of the reduced svd of each rational matrix of ``x``, exact,
    with LAPACK's signs at float(x); NotImplementedError when they are not rational (a matrix
    not built by the points above)."""
    sp = _sp()
    if any(sp.sympify(v).free_symbols for v in np.ravel(x)):
        raise NotImplementedError(f"{kind}: no closed form of its factors on symbols past two "
                                  "values (exact factors exist only at numbers)")
    batch, rows, cols = tuple(np.shape(x)[:-2]), np.shape(x)[-2], np.shape(x)[-1]
    per = []
    for idx in np.ndindex(*batch):
        m = sp.Matrix(np.asarray(x[idx], dtype=object).tolist())
        if kind == "eigh":  # the symmetric matrix of the read triangle
            low = m.lower_triangular() if uplo == "L" else m.upper_triangular().T
            m = low + low.T - sp.diag(*low.diagonal())
            w, v = _rational_eigh(m)
            _, vl = np.linalg.eigh(np.array(m.evalf().tolist(), dtype=float))
            per.append([np.array(w, dtype=object), _obj(v * sp.diag(*_match(v, vl, rows)))])
            continue
        k = min(rows, cols)
        w, v = _rational_eigh(m.T * m if rows >= cols else m * m.T)
        w, v = w[::-1][:k], v[:, ::-1][:, :k]
        s = [sp.sqrt(e) for e in w]
        if not all(e.is_Rational and e > 0 for e in s):
            raise NotImplementedError("svd: singular values not rational positive")
        if rows >= cols:
            u = m * v * sp.diag(*[1 / e for e in s])
        else:
            u, v = v, m.T * v * sp.diag(*[1 / e for e in s])
        ul, _, _ = np.linalg.svd(np.array(m.evalf().tolist(), dtype=float), full_matrices=False)
        d = sp.diag(*_match(u, ul, k))
        per.append([_obj(u * d), np.array(s, dtype=object), _obj((v * d).T)])
    return tuple(_stack(per, batch))


def _rational_eigh(m: Any) -> tuple[list[Any], Any]:
    """Ascending rational eigenvalues and unit rational eigenvectors of a symmetric m."""
    sp = _sp()
    lam = sp.Symbol("lam")
    roots = sp.roots(sp.Poly(m.charpoly(lam).as_expr(), lam), filter="Q")
    if sum(roots.values()) != m.rows or any(c != 1 for c in roots.values()):
        raise NotImplementedError("eigenvalues not distinct rationals: no exact factors")
    w = sorted(roots)
    cols = []
    for e in w:
        (vec,) = (m - e * sp.eye(m.rows)).nullspace()
        norm = sp.sqrt(sum(c * c for c in vec))
        if not norm.is_Rational:
            raise NotImplementedError("eigenvector norm not rational: no exact factors")
        cols.append(vec / norm)
    return w, sp.Matrix.hstack(*cols)
