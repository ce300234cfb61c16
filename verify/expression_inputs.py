"""Where an expression is evaluated for its checks: size sets, inputs, the engine's gradient.

- :func:`size_candidates` — random assignments of the symbolic dimensions, seeded;
- :func:`sample` — float64 inputs of concrete shapes (square matrices invertible, never
  symmetric; positive values where the expression needs them);
- :func:`draw` — a :class:`Point`: inputs at which the expression and the engine's gradient
  (``numeric.vjp`` with the cotangent ``G``, 1 for a scalar) are finite and well posed.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

import numeric

__all__ = ["Shapes", "expression_rng", "size_candidates", "concrete", "sample", "Point", "draw",
           "ATTEMPTS"]

Shapes = Mapping[str, tuple[Any, ...]]  # name -> dims, each an int or a letter
WELL_POSED = 1e6  # a value or gradient entry past this: a near-singular input (inputs are O(1))
ATTEMPTS = 8      # inputs drawn per size set before it is declared ill-posed


def expression_rng(seed: int, expr: str, k: int) -> np.random.Generator:
    """The generator of size set ``k`` of ``expr``: independent of what ran before."""
    return np.random.default_rng([seed, zlib.crc32(expr.encode()), k])


def size_candidates(shapes: Shapes, seed: int, expr: str, big: bool
                    ) -> Iterator[dict[str, int]]:
    """Random assignments of the symbolic dimensions, seeded: with ``big``, every dimension
    ≥ 3 and all of them unequal (a false identity that holds at n = 2, or for m = n, fails
    there); else drawn from 2–6, unequal where there are few enough letters."""
    letters = sorted({d for dims in shapes.values() for d in dims if isinstance(d, str)})
    rng = expression_rng(seed, expr, 1000 + big)  # apart from the inputs' streams (k = 0, 1...)
    pool = np.arange(3, 3 + max(len(letters), 4)) if big else np.arange(2, 7)
    while True:
        if len(letters) <= len(pool):
            values = rng.permutation(pool)[:len(letters)]
        else:
            values = rng.choice(pool, len(letters))
        yield {a: int(v) for a, v in zip(letters, values)}


def concrete(shapes: Shapes, sizes: Mapping[str, int]) -> dict[str, tuple[int, ...]]:
    """The shapes at ``sizes``; a letter without a size is an error naming it."""
    out = {}
    for name, dims in shapes.items():
        missing = [d for d in dims if isinstance(d, str) and d not in sizes]
        if missing:
            raise ValueError(f"sizes {dict(sizes)} give no value for dimension {missing[0]!r} "
                             f"of {name}")
        out[name] = tuple(int(sizes[d]) if isinstance(d, str) else int(d) for d in dims)
    return out


def sample(shapes: Mapping[str, tuple[int, ...]], rng: np.random.Generator,
           positive: bool = False) -> dict[str, np.ndarray]:
    """Inputs of those shapes in float64. Square matrices are the identity plus a small
    non-symmetric part (invertible, det > 0, well conditioned — and never symmetric, which
    would hide a transposed gradient); the rest standard normal, or in [0.5, 1.5] when
    ``positive`` (for log, sqrt, ...)."""
    xs = {}
    for name, shape in shapes.items():
        if len(shape) == 2 and shape[0] == shape[1]:
            n = shape[0]
            noise = rng.uniform(0.05, 0.4, shape) if positive else rng.standard_normal(shape)
            xs[name] = np.eye(n) + 0.3 * noise / np.sqrt(n)
        elif positive:
            xs[name] = rng.uniform(0.5, 1.5, shape)
        else:
            xs[name] = rng.standard_normal(shape)
    return xs


class Point:
    """The expression at one set of inputs: its value, cotangent and the engine's gradients."""

    def __init__(self, forward: Callable[..., Any], xs: dict[str, np.ndarray], wrt: list[str],
                 rng: np.random.Generator):
        self.forward, self.xs, self.wrt = forward, xs, wrt
        self.names = list(xs)
        with np.errstate(all="ignore"):
            self.out = np.asarray(forward(**xs), dtype=np.float64)
        self.scalar = self.out.ndim == 0
        self.g = np.array(1.0) if self.scalar else rng.standard_normal(self.out.shape)
        self.engine = self._engine()
        self.reference: dict[str, np.ndarray] = {}  # FD estimates, where the fd check made them

    def f64(self, *arrays: Any) -> Any:
        with np.errstate(all="ignore"):
            return self.forward(**dict(zip(self.names, arrays)))

    def _engine(self) -> dict[str, np.ndarray]:
        idx = [self.names.index(w) for w in self.wrt]

        def f(*ts: Any) -> Any:
            args = dict(self.xs)
            for i, t in zip(idx, ts):
                args[self.names[i]] = t
            return self.forward(**args)

        with np.errstate(all="ignore"):
            _, vjp_fn = numeric.vjp(f, *(self.xs[w] for w in self.wrt))
            grads = vjp_fn(self.g)
        return {w: np.asarray(getattr(gi, "value", gi), dtype=np.float64)
                for w, gi in zip(self.wrt, grads)}

    def well_posed(self) -> bool:
        values = [self.out, *self.engine.values()]
        return all(np.all(np.isfinite(v)) and float(np.max(np.abs(v), initial=0.0)) <= WELL_POSED
                   for v in values)


def draw(forward: Callable[..., Any], shapes: dict[str, tuple[int, ...]], wrt: list[str],
          rng: np.random.Generator) -> tuple[Point | None, str]:
    """Inputs at which the expression and its engine gradient are finite and well posed:
    general inputs first, then positive ones (log, sqrt), a few times each."""
    why = ""
    for attempt in range(ATTEMPTS):
        xs = sample(shapes, rng, positive=attempt % 2 == 1)
        try:
            point = Point(forward, xs, wrt, rng)
        except Exception as e:  # noqa: BLE001 - a singular matrix, say: draw again
            why = f"{type(e).__name__}: {e}"
            continue
        if point.well_posed():
            return point, ""
        why = "the value or the engine's gradient is not finite or is huge (a singular input?)"
    return None, why
