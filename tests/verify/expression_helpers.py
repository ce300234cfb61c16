"""Test helpers for the expression checks, independent of derive and of verify's FD machinery:
plain central differences, inputs of concrete shapes, and the shapes of an identity at sizes."""

from __future__ import annotations

import numpy as np


def shapes_at(shapes: str, sizes: dict[str, int]) -> dict[str, tuple[int, ...]]:
    """``"X=m,n b=n"`` at ``{"m": 4, "n": 3}`` -> ``{"X": (4, 3), "b": (3,)}``."""
    out = {}
    for part in shapes.split():
        name, _, dims = part.partition("=")
        out[name] = tuple(int(d) if d.isdigit() else sizes[d] for d in dims.split(",") if d)
    return out


def inputs(shapes: dict[str, tuple[int, ...]], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Square matrices near the identity (invertible, det > 0), everything else standard normal."""
    return {name: np.eye(s[0]) + 0.25 * rng.standard_normal(s) / np.sqrt(s[0])
            if len(s) == 2 and s[0] == s[1] else rng.standard_normal(s)
            for name, s in shapes.items()}


def central_gradient(f, xs: dict[str, np.ndarray], name: str, g=None, h: float = 1e-6
                     ) -> np.ndarray:
    """∂<g, f>/∂xs[name] by central differences, entry by entry (g = 1 for a scalar f)."""
    x = xs[name]
    out = np.zeros_like(x)
    for k in np.ndindex(*x.shape):
        plus, minus = dict(xs), dict(xs)
        plus[name], minus[name] = x.copy(), x.copy()
        plus[name][k] += h
        minus[name][k] -= h
        fp, fm = np.asarray(f(**plus)), np.asarray(f(**minus))
        out[k] = np.sum((fp - fm) * (1.0 if g is None else g)) / (2 * h)
    return out


def size_sets(shapes: str, seed: int) -> list[dict[str, int]]:
    """Two size sets: every letter unequal and >= 3, then a random one in 2..5 (re-drawn so that
    m >= n for a tall X, which inv(X.T @ X) and logdet(X.T @ X) need)."""
    letters = sorted({d for part in shapes.split() for d in part.partition("=")[2].split(",")
                      if d and not d.isdigit()})
    rng = np.random.default_rng(seed)
    sets = []
    for low in (3, 2):
        while True:
            values = rng.permutation(np.arange(low, low + max(len(letters), 4)))[:len(letters)]
            sizes = dict(zip(letters, map(int, values)))
            if sizes.get("m", 99) >= sizes.get("n", 0):
                break
        sets.append(sizes)
    return sets
