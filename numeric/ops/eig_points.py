"""Constructed exact points of eig and eigvals (:mod:`numeric.ops.exact_points` for the others).

A general real matrix has eigenvalues with no closed form past two; one *built* as
x = P diag(w) P⁻¹ from distinct rational w and a rational P has them exactly. The eigenvectors
LAPACK returns have unit norm, so each column of P must be a rational unit vector: here it is
the first column of the Cayley transform of a random rational skew K (a different K per column),
redrawn until P is well conditioned. The defining equations are x V − V diag(w) = 0 (n²) and
the column norms Σ_i V_ij² − 1 = 0 (n): n² + n equations in the n + n² unknowns w, V, with a
nonsingular Jacobian where the eigenvalues are distinct (a real eigenvector's only gauge is its
sign, and the point takes LAPACK's order of w and signs of V at float(x)).

:func:`eig_vectors` gives the exact eigenvectors of such a rational matrix in the order of given
exact eigenvalues (eigvals' rule needs them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.ops import exact_points as ep
from numeric.ops.common import _sp
from numeric.ops.exact_points import ExactPoint, orthogonal

__all__ = ["eig_point", "eig_vectors", "COND"]

COND = 30.0  # largest condition number of P drawn: LAPACK's vectors then hold ~13 digits


def eig_point(shapes: Any, params: dict[str, Any], rng: np.random.Generator,
              vectors: bool = True) -> ExactPoint:
    """A real matrix (stack) P diag(w) P⁻¹ with distinct rational w and rational unit columns of
    P, in LAPACK's order and signs at float(x); eig's factors (w, V), or eigvals' with
    ``vectors=False`` (its output w alone: the equations still determine V)."""
    sp = _sp()
    batch, n, _ = ep._batch(shapes)
    per = []
    for _ in range(int(np.prod(batch, dtype=int))):
        def build() -> tuple[Any, ...]:
            for _ in range(100):
                p = sp.Matrix.hstack(*[orthogonal(n, rng)[:, 0] for _ in range(n)])
                if np.linalg.cond(np.array(p.evalf().tolist(), dtype=float)) < COND:
                    break
            else:
                raise ValueError(f"eig: no rational P with condition number below {COND}")
            w = [e * int(rng.choice([-1, 1])) for e in ep._values(n, rng)]
            return p * sp.diag(*w) * p.inv(), p, w

        a, p, w = ep._draw(build)
        wl, vl = np.linalg.eig(np.array(a.evalf().tolist(), dtype=float))
        if np.iscomplexobj(wl):  # a rounding wobble made a pair: cannot happen 1/4 apart
            raise ValueError("eig: LAPACK found complex eigenvalues of a real spectrum")
        order = [int(np.argmin([abs(float(e) - lw) for e in w])) for lw in wl]
        if sorted(order) != list(range(n)):
            raise ValueError("eig: LAPACK's eigenvalues are not the constructed ones")
        p = p[:, order]
        per.append([ep._obj(a), np.array([w[i] for i in order], dtype=object),
                    ep._obj(p * sp.diag(*ep._match(p, vl, n)))])
    x, w, v = ep._stack(per, batch)

    def out(w: Any, v: Any) -> Any:
        if not vectors:
            return w
        return np.concatenate([w, np.reshape(v, batch + (n * n,))], axis=-1)

    def residual(xs: list[Any], w: Any, v: Any) -> Any:
        eqs = np.matmul(xs[0], v) - v * np.expand_dims(w, -2)
        return np.concatenate([np.reshape(eqs, (-1,)),
                               np.reshape(np.sum(v * v, axis=-2) - 1, (-1,))])

    return ExactPoint([x], (w, v), out, residual, (), ("w", "V"),
                      "x V − V diag(w) = 0; Σᵢ Vᵢⱼ² − 1 = 0 per column (w in LAPACK's order, "
                      "V's signs LAPACK's)")


def eig_vectors(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Exact eigenvectors (columns) of each rational matrix of ``x`` for its exact rational
    eigenvalues ``w`` (last axis), in w's order, scaled to unit norm where that is rational;
    NotImplementedError where an eigenvalue is not a simple rational one."""
    sp = _sp()
    x, w = (np.asarray(a).view(np.ndarray) for a in (x, w))  # derive's SymArray: plain entries
    if any(sp.sympify(v).free_symbols for v in x.ravel()) or not all(
            sp.sympify(e).is_Rational for e in w.ravel()):
        raise NotImplementedError("eig: exact eigenvectors only of rational matrices with "
                                  "rational eigenvalues")
    batch, n = tuple(np.shape(x)[:-2]), np.shape(x)[-1]
    out = np.empty(batch + (n, n), dtype=object)
    for idx in np.ndindex(*batch):
        m = sp.Matrix(x[idx].tolist())
        for j, e in enumerate(w[idx]):
            space = (m - sp.sympify(e) * sp.eye(n)).nullspace()
            if len(space) != 1:
                raise NotImplementedError(f"eig: eigenvalue {e} is not simple")
            vec = space[0]
            norm = sp.sqrt(sum(c * c for c in vec))
            out[idx + (slice(None), j)] = list(vec / norm if norm.is_Rational else vec)
    return out
