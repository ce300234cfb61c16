"""Constructed exact points of eig and eigvals (:mod:`numeric.ops.exact_points` for the others).

A general real matrix has eigenvalues with no closed form past two; one *built* as
x = P diag(w) P⁻¹ from distinct rational w and a rational P has them exactly. The eigenvectors
LAPACK returns have unit norm, so each column of P must be a rational unit vector: here it is
the first column of the Cayley transform of a random rational skew K (a different K per column),
redrawn until P is well conditioned. The defining equations are x V − V diag(w) = 0 (n²) and
the column norms Σ_i V_ij² − 1 = 0 (n): n² + n equations in the n + n² unknowns w, V, with a
nonsingular Jacobian where the eigenvalues are distinct (a real eigenvector's only gauge is its
sign, and the point takes LAPACK's order of w and signs of V at float(x)).

Conjugate pairs a ± ib are 2x2 blocks [[a, b], [−b, a]] in x = S M S⁻¹, S holding a pair's
(Re v, Im v): v's 2n − 1 free parts are a rational unit vector, its largest entry real (LAPACK's
phase). Their unknowns are LAPACK's real layout (a, b and Re v, Im v); their equations the real
and imaginary parts of x v = w v, |v|² = 1 and the engine rule's gauge Im(v₀ᴴ v) = 0 (v₀ the
point's v), which derive's differences match through the kind's align hook.

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
              vectors: bool = True, pairs: int | None = None) -> ExactPoint:
    """A real matrix (stack) S M S⁻¹ with distinct rational eigenvalues — ``pairs`` conjugate
    pairs a ± ib (None: 0 or 1 at random) as 2x2 blocks [[a, b], [−b, a]] of M, the
    rest real — and rational eigenvectors of unit norm, in LAPACK's order, signs and phases
    at float(x). Factors in LAPACK's real layout: ``lam`` holds w, a pair's (a, b) in its two
    places; ``vec`` V's columns, a pair's (Re v, Im v). eig's output is (w, V), eigvals' (with
    ``vectors=False``) w alone: the equations still determine V."""
    batch, n, _ = ep._batch(shapes)
    # at most one pair unless asked: SymPy leaves products of Gaussian rationals unexpanded, so
    # the rule's numbers grow with every pair (4x4: ~1 s a point with one pair, ~4 s with two)
    k = int(rng.integers(0, min(n // 2, 1) + 1)) if pairs is None else pairs
    per, layouts = [], []
    for _ in range(int(np.prod(batch, dtype=int))):
        for _ in range(100):
            made = _one(n, k, rng)
            if made is not None:
                break
        else:
            raise ValueError(f"eig: no constructed point LAPACK agrees with in 100 draws (n={n})")
        a, lam, vec, layout = made
        per.append([ep._obj(a), np.array(lam, dtype=object), ep._obj(vec)])
        layouts.append(layout)
    x, lam0, vec0 = ep._stack(per, batch)
    where = list(zip(np.ndindex(*batch), layouts))

    def out(lam: Any, vec: Any) -> Any:
        lam, vec = (np.asarray(a).view(np.ndarray) for a in (lam, vec))
        w, v = np.empty(batch + (n,), dtype=object), np.empty(batch + (n, n), dtype=object)
        for idx, layout in where:
            for j, pair in layout:
                if not pair:
                    w[idx + (j,)], v[idx + (slice(None), j)] = lam[idx + (j,)], vec[idx][:, j]
                    continue
                re, im = vec[idx][:, j], vec[idx][:, j + 1]
                w[idx + (j,)] = lam[idx + (j,)] + _imag_unit() * lam[idx + (j + 1,)]
                w[idx + (j + 1,)] = lam[idx + (j,)] - _imag_unit() * lam[idx + (j + 1,)]
                v[idx + (slice(None), j)] = re + _imag_unit() * im
                v[idx + (slice(None), j + 1)] = re - _imag_unit() * im
        if not vectors:
            return w
        return np.concatenate([w, np.reshape(v, batch + (n * n,))], axis=-1)

    def residual(xs: list[Any], lam: Any, vec: Any) -> Any:
        sp = _sp()
        xv, lam, vec = (np.asarray(a).view(np.ndarray) for a in (xs[0], lam, vec))
        eqs: list[Any] = []
        for idx, layout in where:
            m, vm, v0 = (sp.Matrix(a[idx].tolist()) for a in (xv, vec, vec0))
            for j, pair in layout:
                if not pair:  # x v = w v, vᵀv = 1
                    col = vm[:, j]
                    eqs += list(m * col - lam[idx + (j,)] * col) + [col.dot(col) - 1]
                    continue
                a, b, re, im = lam[idx + (j,)], lam[idx + (j + 1,)], vm[:, j], vm[:, j + 1]
                eqs += list(m * re - a * re + b * im) + list(m * im - a * im - b * re)
                # vᴴv = 1; the rule's gauge Im(v₀ᴴ v) = 0 (v₀ the point's v: LAPACK's phase)
                eqs += [re.dot(re) + im.dot(im) - 1, v0[:, j].dot(im) - v0[:, j + 1].dot(re)]
        return np.array(eqs, dtype=object)

    def cotangent(g: np.ndarray) -> np.ndarray:
        """A pair's second eigenvalue and vector are the first's conjugates: so is their
        cotangent (every real-linear loss of the outputs has one such), which keeps the rule's
        gradient real for a real x."""
        g = np.array(g, dtype=object)
        cols = n + np.arange(n) * n if vectors else np.zeros(0, dtype=int)
        for idx, layout in where:
            for j, pair in layout:
                if not pair:  # a real eigenvalue and vector: a real cotangent
                    for c in [j, *(cols + j)]:
                        g[idx + (c,)] = _sp().re(g[idx + (c,)])
                    continue
                for c in [0, *cols]:
                    g[idx + (c + j + 1,)] = _conj(g[idx + (c + j,)])
        return g

    return ExactPoint([x], (lam0, vec0), out, residual, (), ("w", "V"),
                      "x V − V diag(w) = 0 and unit columns (a pair's Re and Im parts: x vᵣ − a vᵣ "
                      "+ b vᵢ = 0, x vᵢ − a vᵢ − b vᵣ = 0, |vᵣ|² + |vᵢ|² = 1, Im(v₀ᴴ v) = 0); "
                      "w in LAPACK's order, V's signs and phases LAPACK's", cotangent)


def _one(n: int, k: int, rng: np.random.Generator) -> tuple[Any, ...] | None:
    """One matrix with k pairs (see :func:`eig_point`) matched to LAPACK's eig of its floats,
    as (x, lam, vec, layout) with layout [(j, is a pair's first)], or None (draw again)."""
    sp = _sp()
    vals = [e * int(rng.choice([-1, 1])) for e in ep._values(n - k, rng)]
    reals, centres = vals[:n - 2 * k], vals[n - 2 * k:]
    widths = [sp.Rational(int(rng.integers(2, 7)), 4) for _ in range(k)]
    spots = rng.permutation(n)
    cols = [orthogonal(n, rng)[:, 0] for _ in reals]
    for i in range(k):
        cols += list(_dominant(n, int(spots[i]), rng))
    s = sp.Matrix.hstack(*cols)
    sf = np.array(s.evalf().tolist(), dtype=float)
    if np.linalg.cond(sf) > COND:
        return None
    blocks = [sp.Matrix([[e]]) for e in reals] + [
        sp.Matrix([[c, b], [-b, c]]) for c, b in zip(centres, widths)]
    a = s * sp.diag(*blocks) * s.inv()
    af = np.array(a.evalf().tolist(), dtype=float)
    if np.any(af == 0):
        return None
    wl, vl = np.linalg.eig(af)
    wl, vl = np.asarray(wl, dtype=complex), np.asarray(vl, dtype=complex)
    made = [complex(e) for e in reals] + [complex(c, b) for c, b in zip(centres, widths)]
    lam, vec, layout, used, j = [None] * n, [None] * n, [], set(), 0
    while j < n:
        i = int(np.argmin([abs(m - wl[j]) for m in made]))
        if abs(made[i] - wl[j]) > 1e-8 or i in used:
            return None
        used.add(i)
        if i < len(reals):
            col = cols[i] * (1 if float(sum(c * v for c, v in zip(cols[i], vl[:, j].real))) >= 0
                             else -1)
            lam[j], vec[j] = reals[i], col
            layout.append((j, False))
            j += 1
            continue
        p = i - len(reals)
        re, im = cols[len(reals) + 2 * p], cols[len(reals) + 2 * p + 1]
        z = np.array((re + sp.I * im).evalf().tolist(), dtype=complex).ravel()
        sign = 1 if np.allclose(z, vl[:, j], atol=1e-8) else -1
        if j + 1 >= n or not np.allclose(sign * z, vl[:, j], atol=1e-8) or not np.allclose(
                np.conj(vl[:, j]), vl[:, j + 1], atol=1e-12):
            return None
        lam[j], lam[j + 1] = centres[p], widths[p]
        vec[j], vec[j + 1] = re * sign, im * sign
        layout.append((j, True))
        j += 2
    return a, lam, sp.Matrix.hstack(*vec), layout


def _dominant(n: int, k: int, rng: np.random.Generator) -> tuple[Any, Any]:
    """Rational (Re v, Im v) with |v| = 1 and v_k real and largest in modulus (LAPACK's phase):
    v's 2n − 1 free parts are a rational unit vector, (2t, |t|² − 1)/(|t|² + 1) for a small
    rational t, its large last entry at v_k."""
    sp = _sp()
    t = [sp.Rational(int(rng.choice([-1, 1]) * rng.integers(2, 4)), 24) for _ in range(2 * n - 2)]
    size = sum(e * e for e in t)
    small = [2 * e / (size + 1) for e in t]
    re, im = small[:n - 1], small[n - 1:]
    re.insert(k, (size - 1) / (size + 1))
    im.insert(k, sp.Integer(0))
    return sp.Matrix(re), sp.Matrix(im)


def _imag_unit() -> Any:
    return _sp().I


def _conj(e: Any) -> Any:
    return _sp().conjugate(e)


def eig_vectors(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Exact eigenvectors (columns) of each rational matrix of ``x`` for its exact rational (or
    Gaussian rational) eigenvalues ``w`` (last axis), in w's order, scaled to unit norm where
    that is rational; NotImplementedError where an eigenvalue is not a simple such one."""
    sp = _sp()
    x, w = (np.asarray(a).view(np.ndarray) for a in (x, w))  # derive's SymArray: plain entries
    if any(sp.sympify(v).free_symbols for v in x.ravel()) or not all(
            all(p.is_Rational for p in sp.expand(e).as_real_imag()) for e in w.ravel()):
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
            vec = space[0].applyfunc(sp.expand)
            norm = sp.sqrt(sp.expand(sum(c * sp.conjugate(c) for c in vec)))
            out[idx + (slice(None), j)] = list(vec / norm if norm.is_Rational else vec)
    return out
