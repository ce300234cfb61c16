"""What the training examples share: Adam on plain arrays, and a log-softmax written over a
NumPy-like module ``xp`` so one loss runs on ``numeric.numpy``, ``autograd.numpy`` and NumPy.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["Adam", "log_softmax"]


def log_softmax(xp: ModuleType, z: Any, axis: int = -1) -> Any:
    """``z - logsumexp(z)`` along ``axis``, shifted by the maximum so ``exp`` cannot overflow
    (the shift cancels exactly in the gradient, on every engine)."""
    shifted = z - xp.max(z, axis=axis, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


class Adam:
    """Adam (Kingma & Ba) on plain arrays, updated in place."""

    def __init__(self, params: Sequence[np.ndarray], lr: float, b1: float = 0.9,
                 b2: float = 0.999, eps: float = 1e-8) -> None:
        self.lr, self.b1, self.b2, self.eps, self.t = lr, b1, b2, eps, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        self.t += 1
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            mhat = m / (1 - self.b1 ** self.t)
            vhat = v / (1 - self.b2 ** self.t)
            p -= self.lr * mhat / (np.sqrt(vhat) + self.eps)
