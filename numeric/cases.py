"""An op's standard shape cases, and random inputs for a case inside the op's domain.

``standard_cases(op)`` returns an op's own ``op.cases`` when it declares them, else its kind's
defaults (``numeric.kinds``): the fixed cases ``derive`` proves and ``verify`` checks. Shapes
are small on purpose: symbolic expression size grows fast with them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.kind import Case
from numeric.kinds.eig import separated_eigenvalues
from numeric.op import Op

__all__ = ["Case", "standard_cases", "has_standard_cases", "sample_inputs"]


def standard_cases(op: Op) -> tuple[Case, ...]:
    """The fixed shape cases for ``op``: its own, else its kind's defaults."""
    cases = op.cases or op.kind.cases(op)
    if not cases:
        raise KeyError(f"op {op.name!r}: its kind {op.kind.name!r} has no standard cases for "
                       f"{op.nargs} inputs; declare cases=(Case(...), ...) in its Op record")
    return tuple(cases)


def has_standard_cases(op: Op) -> bool:
    """Whether ``standard_cases(op)`` has any (its kind may have none for its arity)."""
    try:
        return bool(standard_cases(op))
    except KeyError:
        return False


def sample_inputs(op: Op, case: Case, rng: np.random.Generator,
                  dtype: Any = np.float64) -> list[np.ndarray]:
    """Random inputs for ``case`` inside each input's declared domain.

    With a complex ``dtype`` the real and the imaginary parts are each drawn from the domain
    (a box: a positive domain gives the open first quadrant), or, for a domain that declares
    branch cuts, from the square [-2, 2]² at least ``2 margin`` away from every cut.
    """
    xs = []
    for shape, dom in zip(case.shapes, op.domains()):
        if dom.kind == "bool":
            xs.append(rng.random(shape) < 0.5)
            continue
        if dom.kind == "separated eigenvalues":  # drawn as one matrix, complex ones too
            xs.append(np.asarray(separated_eigenvalues(shape, rng, np.dtype(dtype).kind == "c"),
                                 dtype=dtype))
            continue
        x = _draw(dom, shape, rng)
        if np.dtype(dtype).kind == "c":
            x = _off_cuts(dom, shape, rng) if dom.cuts else x + 1j * _draw(dom, shape, rng)
        xs.append(np.asarray(x, dtype=dtype))
    return xs


def _draw(dom: Any, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    x = rng.uniform(dom.low, dom.high, size=shape)
    if dom.kind in ("invertible", "spd"):
        x = _square_matrices(x, dom.kind, rng)
    elif dom.kind in ("full rank", "distinct singular values", "distinct eigenvalues"):
        x = _spread_matrices(x, dom.kind, rng)
    for point in dom.avoid:
        near = np.abs(x - point) < dom.margin
        x = np.where(near, point + np.where(x >= point, dom.margin, -dom.margin) * 2, x)
    return x


def _off_cuts(dom: Any, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Complex samples on [-2, 2]², each moved across to ``2 margin`` from a cut it is nearer
    than that to (perpendicular to the cut, keeping its side)."""
    z = rng.uniform(-2.0, 2.0, size=shape) + 1j * rng.uniform(-2.0, 2.0, size=shape)
    gap = 2 * dom.margin
    for cut in dom.cuts:
        near = cut.distance(z) < gap
        if cut.along == "real":
            side = np.where(z.imag >= cut.at, 1.0, -1.0)
            z = np.where(near, z.real + 1j * (cut.at + side * gap * 1.01), z)
        else:
            side = np.where(z.real >= cut.at, 1.0, -1.0)
            z = np.where(near, cut.at + side * gap * 1.01 + 1j * z.imag, z)
    return z


def _square_matrices(x: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Well-conditioned matrices: diagonally dominant with random row signs, or u uᵀ + n I."""
    n = x.shape[-1]
    if x.ndim < 2 or x.shape[-2] != n:
        raise ValueError(f"a {kind!r} input must be square matrices, got shape {x.shape}")
    if kind == "spd":
        return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)
    signs = rng.choice([-1.0, 1.0], size=x.shape[:-1] + (1,))
    return (x + (n + 1) * np.eye(n)) * signs


def _spread_matrices(x: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Matrices away from a decomposition's degenerate points: U diag(s) Vᵀ with singular
    values s in [0.5, 2.5] at least 0.5 apart, full-rank matrices with a dominant diagonal, or
    symmetric matrices with a diagonal 3 apart and off-diagonal entries of size 0.5 to 1
    (distinct eigenvalues; U, V orthonormal by QR)."""
    if x.ndim < 2 or kind == "distinct eigenvalues" and x.shape[-1] != x.shape[-2]:
        raise ValueError(f"a {kind!r} input must be {'square ' if 'eigen' in kind else ''}"
                         f"matrices, got shape {x.shape}")
    m, n = x.shape[-2:]
    k = n if kind == "distinct eigenvalues" else min(m, n)
    spread = np.linspace(0.0, 1.0, k) if k > 1 else np.zeros(1)
    jitter = rng.uniform(-0.05, 0.05, size=x.shape[:-2] + (k,))
    if kind == "distinct eigenvalues":
        # diagonal 3 apart, off-diagonal entries of size 0.5 to 1: LAPACK flips an
        # eigenvector's sign where a Householder pivot (an off-diagonal entry) or the trace of
        # a 2x2 block crosses 0, and finite-difference steps (up to 0.1) must not cross there
        off = np.tril(np.sign(x) * (0.5 + 0.5 * np.abs(x)), -1)
        d = 1.0 + 3.0 * np.arange(n) + jitter
        return np.swapaxes(off, -1, -2) + off + d[..., None, :] * np.eye(n)
    if kind == "full rank":
        # a dominant positive diagonal (1 to 2) over entries below 0.4: full rank, and the
        # Householder pivots of a QR stay positive under finite-difference steps (LAPACK flips
        # a column of Q where one crosses 0)
        eye = np.eye(m, n)
        return eye * (1.5 + 0.5 * x) + (1 - eye) * 0.4 * x
    u = np.linalg.qr(x[..., :, :k] + rng.normal(size=x.shape[:-1] + (k,)))[0]
    s = 2.5 - 2.0 * spread + jitter
    v = np.linalg.qr(rng.normal(size=x.shape[:-2] + (n, k)))[0]
    return np.matmul(u * s[..., None, :], np.swapaxes(v, -1, -2))
