"""``fixed_point(f, a, x0, distance, tol)``: iterate ``x = f(a)(x)`` from ``x0`` until
``distance(x, x_prev) <= tol``, differentiated in ``a`` by the implicit function theorem.

At the fixed point ``x* = F(a, x*)`` (``F(a, x) = f(a)(x)``), so ``dx*/da = (I - ∂F/∂x)⁻¹
∂F/∂a`` and the VJP is ``w ∂F/∂a`` where ``w = g + w ∂F/∂x`` — itself a fixed point, found by
the same iteration, with ``∂F/∂x`` and ``∂F/∂a`` applied as the engine's VJPs of ``F`` at
``(a, x*)``. Nothing of the forward iterations is recorded. It needs ``F`` to be a contraction
near ``x*`` (the forward iteration converging says so). The record is ``fixed_point.op``, kept
out of the op table: its inputs are functions, which verify cannot sample.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from numeric.autodiff import make_vjp
from numeric.extend import defvjp, primitive

__all__ = ["fixed_point"]


@primitive(register=False)
def fixed_point(f: Callable[[Any], Callable[[Any], Any]], a: Any, x0: Any,
                distance: Callable[[Any, Any], Any], tol: float) -> Any:
    """The fixed point of ``f(a)`` reached from ``x0`` (autograd's ``fixed_point``)."""
    step = f(a)
    x_prev, x = x0, step(x0)
    while distance(x, x_prev) > tol:
        x_prev, x = x, step(x)
    return x


def _fixed_point_vjp(ans: Any, f: Callable[..., Any], a: Any, x0: Any,
                     distance: Callable[[Any, Any], Any], tol: float) -> Callable[[Any], Any]:
    pull_x, _ = make_vjp(lambda x: f(a)(x))(ans)  # w -> w ∂F/∂x at (a, x*)
    pull_a, _ = make_vjp(lambda b: f(b)(ans))(a)  # w -> w ∂F/∂a at (a, x*)

    def vjp(g: Any) -> Any:
        # w = g + w ∂F/∂x: the same iteration, on the adjoint (it converges where the
        # forward does: ∂F/∂x has the same spectrum transposed).
        w_prev = np.zeros(np.shape(ans))
        w = g + pull_x(w_prev)
        while distance(w, w_prev) > tol:
            w_prev, w = w, g + pull_x(w)
        return pull_a(w)

    return vjp


defvjp(fixed_point, None, _fixed_point_vjp, None, None, None)
