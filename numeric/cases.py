"""An op's standard shape cases, and random inputs for a case inside the op's domain.

``standard_cases(op)`` returns an op's own ``op.cases`` when it declares them, else its kind's
defaults (``numeric.kinds``): the fixed cases ``derive`` proves and ``verify`` checks. Shapes
are small on purpose: symbolic expression size grows fast with them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.kind import Case
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
    (a box: a positive domain gives the open first quadrant, away from log's branch cut).
    """
    xs = []
    for shape, dom in zip(case.shapes, op.domains()):
        if dom.kind == "bool":
            xs.append(rng.random(shape) < 0.5)
            continue
        x = _draw(dom, shape, rng)
        if np.dtype(dtype).kind == "c":
            x = x + 1j * _draw(dom, shape, rng)
        xs.append(np.asarray(x, dtype=dtype))
    return xs


def _draw(dom: Any, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    x = rng.uniform(dom.low, dom.high, size=shape)
    if dom.kind in ("invertible", "spd"):
        x = _square_matrices(x, dom.kind, rng)
    for point in dom.avoid:
        near = np.abs(x - point) < dom.margin
        x = np.where(near, point + np.where(x >= point, dom.margin, -dom.margin) * 2, x)
    return x


def _square_matrices(x: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Well-conditioned matrices: diagonally dominant with random row signs, or u uᵀ + n I."""
    n = x.shape[-1]
    if x.ndim < 2 or x.shape[-2] != n:
        raise ValueError(f"a {kind!r} input must be square matrices, got shape {x.shape}")
    if kind == "spd":
        return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)
    signs = rng.choice([-1.0, 1.0], size=x.shape[:-1] + (1,))
    return (x + (n + 1) * np.eye(n)) * signs
