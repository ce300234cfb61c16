"""Gradient-based stochastic optimizers with autograd's signatures: ``sgd``, ``rmsprop``,
``adam``.

Each takes ``grad(params, i)`` (the gradient at iteration ``i``), the initial parameters — an
array or any tuple / list / dict of arrays — an optional ``callback(params, i, g)``, and its
hyperparameters by keyword or position as in autograd; it returns the final parameters in the
same structure. :func:`unflatten_optimizer` makes an optimizer of one flat vector work on such
structures. The updates are written with NumPy calls, so an optimizer run on Tensors is itself
differentiable (meta-optimization).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from numeric.misc.flatten import flatten

__all__ = ["unflatten_optimizer", "sgd", "rmsprop", "adam"]


def unflatten_optimizer(optimize: Callable[..., Any]) -> Callable[..., Any]:
    """An optimizer of a flat vector as one of nested containers (autograd's decorator):
    ``grad`` and ``callback`` see the structure, ``optimize`` the vector."""

    @functools.wraps(optimize)
    def structured(grad: Callable[[Any, int], Any], x0: Any,
                   callback: Callable[..., Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        x, unflatten = flatten(x0)

        def flat_grad(v: Any, i: int) -> Any:
            return flatten(grad(unflatten(v), i))[0]

        flat_callback = None
        if callback:
            def flat_callback(v: Any, i: int, g: Any) -> None:
                callback(unflatten(v), i, unflatten(g))

        return unflatten(optimize(flat_grad, x, flat_callback, *args, **kwargs))

    return structured


@unflatten_optimizer
def sgd(grad: Callable[[Any, int], Any], x: Any, callback: Callable[..., Any] | None = None,
        num_iters: int = 200, step_size: float = 0.1, mass: float = 0.9) -> Any:
    """Gradient descent with momentum: the velocity is an exponential average of -g
    (weight ``mass`` on the old velocity), and x moves by ``step_size`` times it."""
    velocity = np.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return x


@unflatten_optimizer
def rmsprop(grad: Callable[[Any, int], Any], x: Any, callback: Callable[..., Any] | None = None,
            num_iters: int = 100, step_size: float = 0.1, gamma: float = 0.9,
            eps: float = 10**-8) -> Any:
    """RMSprop: each coordinate's step is divided by the root of a running average of its
    squared gradient (weight ``gamma`` on the old average, which starts at one)."""
    mean_square = np.ones(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        mean_square = mean_square * gamma + g**2 * (1 - gamma)
        x = x - step_size * g / (np.sqrt(mean_square) + eps)
    return x


@unflatten_optimizer
def adam(grad: Callable[[Any, int], Any], x: Any, callback: Callable[..., Any] | None = None,
         num_iters: int = 100, step_size: float = 0.001, b1: float = 0.9, b2: float = 0.999,
         eps: float = 10**-8) -> Any:
    """Adam (Kingma and Ba, arXiv:1412.6980): running averages of the gradient (``b1``) and
    of its square (``b2``), both corrected for their start at zero, set each step."""
    first = np.zeros(len(x))
    second = np.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        first = (1 - b1) * g + b1 * first
        second = (1 - b2) * (g**2) + b2 * second
        first_hat = first / (1 - b1 ** (i + 1))  # bias corrections: the averages started at 0
        second_hat = second / (1 - b2 ** (i + 1))
        x = x - step_size * first_hat / (np.sqrt(second_hat) + eps)
    return x
