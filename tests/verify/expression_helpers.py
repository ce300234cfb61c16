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


def _check(name: str, fail: bool) -> dict:
    if name == "raw_shape":
        return {"check": name, "verdict": "pass", "error": None, "tol": None,
                "detail": "the generated gradients have their inputs' shapes", "diagnosis": None}
    error = 0.31 if fail else 2.5e-15
    diagnosis = {"input": 0, "name": "X", "reference": "finite differences", "hint":
                 "transposed gradient: the generated gradient gives the reference's transpose",
                 "worst": [{"index": [0, 1], "engine": 0.25, "reference": -1.5}]}
    return {"check": name, "verdict": "fail" if fail else "pass", "error": error, "tol": 1e-9,
            "detail": f"{name}: off by {error:.3g}" if fail else f"{name} agrees",
            "diagnosis": diagnosis if fail else None}


def make_expression(expr: str, wrt: str, shapes: str, latex: str, group: str = "cookbook",
                    eq: str = "", fail: bool = False) -> dict:
    """An ``expressions`` entry as ``ExpressionResult.to_dict`` writes it, for the report's
    tests (written by hand: the report must render without derive)."""
    steps = [
        {"title": "differential", "latex": r"dl = \mathrm{tr}\left(G^T\, dF\right)",
         "status": "statement", "text": "dl = tr(Gᵀ dF)"},
        {"title": "rearranged", "latex": r"dl = \sum_{i,j} \bar{X}_{ij}\, dX_{ij} = "
         r"\mathrm{tr}\left(\bar{X}^T dX\right)", "status": "derived", "text": ""},
        {"title": "closed form", "latex": r"\bar{X} = " + latex,
         "status": "verified exactly at n = 3, n = 2", "text": ""}]
    checks = ("symbolic", "fd", "raw_shape") + (("reference",) if group != "user" else ())
    cases = [{"case": f"X: ({n}, {n})", "label": f"n = {n}", "shapes": [[n, n]], "params": {},
              "dtype": "float64", "checks": [_check(c, fail and c == "symbolic") for c in checks]}
             for n in (4, 2)]
    return {"expr": expr, "wrt": [wrt], "shapes": shapes, "seed": 0, "group": group,
            "title": f"({eq})" if eq else "",
            "reference": {"source": "The Matrix Cookbook", "eq": eq, "latex": latex}
            if group != "user" else None,
            "derivation": {"status": "ok", "ok": True, "seconds": 0.12, "steps": steps,
                           "forms": [{"wrt": wrt, "text": "A X + Aᵀ X", "latex": latex,
                                      "ok": True,
                                      "exact": [{"sizes": "n = 3", "verdict": "verified",
                                                 "detail": "entry by entry, exactly"}],
                                      "sympy": {"verdict": "agreed", "detail": "the same"}}],
                           "numpy_source": "def gradient(X, A):\n    return A @ X + A.T @ X"
                                           "  # " + "a long line " * 12,
                           "forward_source": "def forward(X, A):\n    return trace(X.T @ A @ X)"},
            "cases": cases, "seconds": 0.31, "ok": not fail}


def make_expressions() -> list[dict]:
    """Two cookbook identities and a user expression, all passing."""
    return [make_expression("trace(X.T @ A @ X)", "X", "X=n,n A=n,n", r"AX + A^TX", eq="108"),
            make_expression("logdet(X)", "X", "X=n,n", r"\left(X^{-1}\right)^T", eq="57"),
            make_expression("trace(X @ X) <b>", "X", "X=n,n", r"2X^T", group="user")]
