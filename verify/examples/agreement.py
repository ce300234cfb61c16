"""The programs' first check: their gradients against HIPS autograd's, at the starting point.

Each program writes its loss once, as ``loss(xp, params, *data)`` over a NumPy-like module
``xp``, so the same source runs on ``numeric.numpy`` (the engine) and on ``autograd.numpy``.
autograd is a test-only dependency: it is imported here, inside the comparison, and a program
run without it says so and goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import numeric
import numeric.numpy as nnp

__all__ = ["AutogradMissing", "numeric_gradients", "autograd_gradients", "max_relative_difference",
           "gradient_agreement", "describe_agreement"]

Loss = Callable[..., Any]


class AutogradMissing(ImportError):
    """autograd is not installed, so there is nothing to compare with."""


def numeric_gradients(loss: Loss, params: Sequence[np.ndarray], *data: Any) -> list[np.ndarray]:
    """The engine's gradient of ``loss(numeric.numpy, params, *data)`` for each array of params."""
    grads = numeric.grad(lambda *p: loss(nnp, list(p), *data),
                         argnum=tuple(range(len(params))))(*params)
    return [np.asarray(g) for g in grads]


def autograd_gradients(loss: Loss, params: Sequence[np.ndarray], *data: Any) -> list[np.ndarray]:
    """autograd's gradient of ``loss(autograd.numpy, params, *data)``."""
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError as e:
        raise AutogradMissing("autograd is not installed (a test-only dependency: pip install "
                              "autograd), so the gradients were not compared with it") from e
    grads = autograd.grad(lambda p: loss(anp, p, *data))(list(params))
    return [np.asarray(g) for g in grads]


def max_relative_difference(ours: Sequence[np.ndarray], theirs: Sequence[np.ndarray]) -> float:
    """max over parameters of ``max |ours - theirs| / max |theirs|`` (normwise, so an entry
    that is zero in both counts as agreement rather than 0/0)."""
    worst = 0.0
    for a, b in zip(ours, theirs, strict=True):
        if np.shape(a) != np.shape(b):
            raise ValueError(f"gradient shapes differ: {np.shape(a)} and {np.shape(b)}")
        scale = max(float(np.max(np.abs(b), initial=0.0)), np.finfo(float).tiny)
        worst = max(worst, float(np.max(np.abs(a - b), initial=0.0)) / scale)
    return worst


def gradient_agreement(loss: Loss, params: Sequence[np.ndarray], *data: Any) -> float:
    """The max relative difference between the engine's and autograd's gradients of ``loss``."""
    theirs = autograd_gradients(loss, params, *data)
    return max_relative_difference(numeric_gradients(loss, params, *data), theirs)


def describe_agreement(loss: Loss, params: Sequence[np.ndarray], *data: Any) -> str:
    """One line for a program to print: the agreement figure, or why there is none."""
    try:
        diff = gradient_agreement(loss, params, *data)
    except AutogradMissing as e:
        return f"gradients vs autograd: skipped — {e}"
    n = sum(int(np.size(p)) for p in params)
    return (f"gradients vs autograd at the start ({n} parameters): max relative difference "
            f"{diff:.1e}")
