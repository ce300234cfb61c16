"""Finite differences worth trusting: every estimate comes with an error bar.

All functions differentiate along a direction, so a large input costs a few evaluations instead
of 2n. ``phi`` is a function of one real (or complex) number ``t``; :func:`along` builds it from
a forward ``f(*xs)``, the point ``xs`` and directions ``vs``.

- :func:`forward_difference`, :func:`central` — the plain formulas (for comparison);
- :func:`ridders` — central differences extrapolated to zero step (Ridders' Neville table),
  returning ``(estimate, error)``; works on array-valued ``phi`` entry by entry;
- :func:`complex_step` — ``Im phi(i h) / h``: no subtractive cancellation, exact to rounding
  for functions analytic in their inputs;
- :func:`jvp` — the directional derivative ``J v`` of ``f`` at ``xs`` with its error, complex
  step when it agrees with Ridders, else Ridders;
- :func:`gradient` — every entry of ``∇ <G, f>`` with respect to one input (the full
  comparison: n directional derivatives), with errors;
- :func:`error_vs_step` — the report's plot: ``[(h, relative error), ...]`` of a method over
  step sizes, against the best reference available.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["forward_difference", "central", "ridders", "complex_step", "along", "jvp",
           "gradient", "error_vs_step"]

EPS = float(np.finfo(np.float64).eps)


def forward_difference(phi: Callable[[float], Any], h: float = 1e-6) -> Any:
    """``(phi(h) - phi(0)) / h`` — the seed notebook's formula: error O(h) + O(eps/h)."""
    return (np.asarray(phi(h)) - np.asarray(phi(0.0))) / h


def central(phi: Callable[[float], Any], h: float = 1e-5) -> Any:
    """``(phi(h) - phi(-h)) / 2h``: error O(h²) + O(eps/h)."""
    return (np.asarray(phi(h)) - np.asarray(phi(-h))) / (2 * h)


def ridders(phi: Callable[[float], Any], h0: float = 0.1, shrink: float = 1.4,
            rows: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Ridders' extrapolation of central differences: ``(estimate, error)``, entrywise.

    Each row halves the step by ``shrink``; each column cancels one more even power of h. The
    error is the distance between neighbouring entries of the table at the chosen entry, plus
    the rounding error of the differences it came from.
    """
    c2 = shrink * shrink
    h = h0
    prev = [central(phi, h)]
    scale = np.abs(np.asarray(phi(0.0), dtype=complex)).real + 1.0
    best = prev[0].copy()
    err = np.full(np.shape(best), np.inf)
    for _ in range(1, rows):
        h /= shrink
        row = [central(phi, h)]
        fac = c2
        for j in range(1, len(prev) + 1):
            row.append((row[j - 1] * fac - prev[j - 1]) / (fac - 1))
            fac *= c2
            e = np.maximum(np.abs(row[j] - row[j - 1]), np.abs(row[j] - prev[j - 1]))
            better = e < err
            best = np.where(better, row[j], best)
            err = np.where(better, e, err)
        # Past this row the table only accumulates rounding noise.
        diverged = np.abs(row[-1] - prev[-1]) >= 2 * err
        prev = row
        if np.all(diverged):
            break
    return best, err + 8 * EPS * scale / h0


def complex_step(phi: Callable[[complex], Any], h: float = 1e-30) -> np.ndarray:
    """``Im phi(i h) / h``: raises ValueError when ``phi`` does not return complex values."""
    val = np.asarray(phi(1j * h))
    if not np.iscomplexobj(val):
        raise ValueError("complex step: the function dropped the imaginary part")
    return val.imag / h


def along(f: Callable[..., Any], xs: Sequence[Any], vs: Sequence[Any | None],
          project: Any = None) -> Callable[[Any], Any]:
    """``phi(t) = f(*(x + t v))`` (or ``Re <project, f(...)>``); a ``None`` direction keeps x."""

    def phi(t: Any) -> Any:
        args = [x if v is None else x + t * v for x, v in zip(xs, vs)]
        out = np.asarray(f(*args))
        if project is None:
            return out
        # l = Re Σ G f at real t (a complex G pairs with complex outputs); the complex step
        # (complex t) keeps the imaginary part it reads
        return np.sum(project * out) if np.iscomplexobj(t) else np.real(np.sum(project * out))

    return phi


def jvp(f: Callable[..., Any], xs: Sequence[Any], vs: Sequence[Any | None], h0: float = 0.1,
        allow_complex: bool = True) -> tuple[np.ndarray, np.ndarray, str]:
    """``J v`` of ``f`` at ``xs`` along ``vs``: ``(estimate, error, method)``.

    Complex step is used when ``f`` carries complex inputs through and agrees with Ridders
    within Ridders' error bar (so a non-analytic ``f`` never gets the complex step's tiny
    error bar); its error is then a few ulps of the result.
    """
    phi = along(f, xs, vs)
    est, err = ridders(phi, h0)
    if allow_complex and not np.iscomplexobj(est):  # complex outputs: Im phi(ih) is not J v
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
                cs = complex_step(phi)
        except (ValueError, TypeError):
            cs = None
        if cs is not None and np.shape(cs) == np.shape(est) and np.all(np.isfinite(cs)):
            cs_err = 16 * EPS * (np.abs(cs) + np.max(np.abs(cs), initial=0.0) * 1e-3)
            if np.all(np.abs(cs - est) <= 4 * err + cs_err):
                return cs, cs_err, "complex step"
    return est, err, "Ridders"


def gradient(f: Callable[..., Any], xs: Sequence[Any], i: int, project: Any, h0: float = 0.1,
             use_complex: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every entry of ``∇_{x_i} <project, f(*xs)>``: ``(estimate, error)`` of x_i's shape."""
    x = np.asarray(xs[i], dtype=np.float64)
    est = np.zeros(x.shape)
    err = np.zeros(x.shape)
    for k in np.ndindex(*x.shape):
        e = np.zeros(x.shape)
        e[k] = 1.0
        vs: list[Any] = [None] * len(xs)
        vs[i] = e
        phi = along(f, xs, vs, project)
        if use_complex:
            with np.errstate(all="ignore"):
                est[k] = complex_step(phi)
            err[k] = 16 * EPS * (abs(est[k]) + 1e-3)
        else:
            v, e_ = ridders(phi, h0)
            est[k], err[k] = float(v), float(e_)
    return est, err


def error_vs_step(f: Callable[..., Any], x: Any, v: Any, steps: Sequence[float],
                  method: str = "central") -> list[tuple[float, float]]:
    """Relative error of ``method`` ("forward", "central", "complex") along ``v`` per step.

    The reference is the complex step when ``f`` is analytic, else Ridders at its best:
    ``error_vs_step(np.exp, np.ones(3), np.ones(3), [1e-2, 1e-4, 1e-6])``.
    """
    xs, vs = [np.asarray(x, dtype=np.float64)], [np.asarray(v, dtype=np.float64)]
    ref, _, _ = jvp(f, xs, vs)
    phi = along(f, xs, vs)
    rule = {"forward": forward_difference, "central": central, "complex": complex_step}[method]
    scale = max(float(np.max(np.abs(ref), initial=0.0)), 1e-300)
    out = []
    for h in steps:
        with np.errstate(all="ignore"):
            est = rule(phi, h)
        out.append((float(h), float(np.max(np.abs(est - ref), initial=0.0)) / scale))
    return out
