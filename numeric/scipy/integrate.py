"""scipy.integrate on Tensors, for code written against ``autograd.scipy.integrate``:
``odeint(func, y0, t, args=(), **kwargs)``, differentiable in ``y0``, the times ``t`` and the
Tensors among ``args`` (at any depth of tuples, lists and dicts), by the adjoint method.

With y' = f(y, t, θ) and ḡᵢ the cotangent of y(tᵢ), the adjoint a = ∂L/∂y(t) runs backward
from a(t_N) = ḡ_N: a' = −(∂f/∂y)ᵀ a, with ḡᵢ added at each tᵢ; θ̄ gathers ∫ (∂f/∂θ)ᵀ a dt. Moving
tᵢ (i ≥ 1) moves only y(tᵢ): t̄ᵢ = ḡᵢ · f(y(tᵢ), tᵢ); moving t₀ moves the whole solution:
t̄₀ = −a(t₀)ᵀ f(y₀, t₀) (a before ḡ₀ is added), and ȳ₀ = a(t₀) + ḡ₀. y, a and θ̄ are integrated
together by SciPy's odeint from tᵢ back to tᵢ₋₁, restarting y at the stored solution; the
vector-Jacobian products of f come from the engine (``numeric.make_vjp``). The backward pass is
written in engine ops and calls ``odeint`` again, so on Tensors it is differentiable too
(second order: the adjoint of the adjoint).

It is a function, not an op record: its forward takes a Python function, which derive cannot
run on symbols, so ``gradproof verify``/``derive`` do not cover it; tests/numeric/
test_scipy_integrate.py checks it against autograd and central differences. Any other name of
``scipy.integrate`` is SciPy's function, refusing Tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.kinds import OTHER
from numeric.op import Op
from numeric.ops.common import _scipy
from numeric.scipy._common import passthrough

__all__ = ["odeint"]


def odeint(func: Any, y0: Any, t: Any, args: tuple = (), **kwargs: Any) -> Any:
    """y(t) for y' = func(y, t, *args), y(t[0]) = y0: an array of shape (len(t), len(y0)).

    Example::

        import numeric.numpy as np
        from numeric import grad
        decay = lambda y, t, k: -k * y
        grad(lambda k: odeint(decay, np.ones(1), np.array([0.0, 1.0]), (k,))[-1, 0])(0.5)
    """
    from numeric.structure import flatten
    from numeric.tensor import Tensor, apply

    scipy_odeint = _scipy("integrate").odeint
    if not isinstance(args, tuple):
        args = (args,)
    leaves, rebuild = flatten(args)  # Tensors may sit inside containers: ((params,),)
    tracked = [i for i, a in enumerate(leaves) if isinstance(a, Tensor)]
    if not tracked and not isinstance(y0, Tensor) and not isinstance(t, Tensor):
        return scipy_odeint(func, y0, t, args=args, **kwargs)
    if kwargs.get("full_output"):
        raise TypeError("odeint: full_output=True is not supported on Tensors")
    if kwargs.pop("tfirst", False):
        given = func
        func = lambda y, s, *rest: given(s, y, *rest)  # noqa: E731
    kwargs.pop("Dfun", None)  # a Jacobian for the solver only: the adjoint uses the engine's
    if np.ndim(y0) > 1 or np.ndim(t) != 1:
        raise ValueError(f"odeint: y0 must be a vector and t a vector of times, got shapes "
                         f"{np.shape(y0)} and {np.shape(t)}")

    def constants(values):
        """args with the tracked Tensors replaced by ``values`` (arrays or Tensors)."""
        full = list(leaves)
        for i, v in zip(tracked, values):
            full[i] = v
        return tuple(rebuild(full))

    def fwd(y0, t, *theta):
        return scipy_odeint(func, y0, t, args=constants(theta), **kwargs)

    memo: list[Any] = [None, None]

    def rule(i):
        def vjp(g, out, y0, t, *theta):
            if memo[0] is not g:  # one adjoint solve gives every input's cotangent
                memo[0], memo[1] = g, _adjoint(func, constants, kwargs, g, out, y0, t, theta)
            return memo[1][i]

        return vjp

    op = Op("odeint", fwd, tuple(rule(i) for i in range(2 + len(tracked))), kind=OTHER,
            doc="scipy.integrate.odeint, by the adjoint method")
    return apply(op, y0, t, *(leaves[i] for i in tracked))



def _adjoint(func, constants, kwargs, g, yt, y0, t, theta):
    """(ȳ₀, t̄, θ̄...) for out = odeint(...) and its cotangent g, in engine ops."""
    from numeric import make_vjp

    def rhs(y, s, *params):
        """func's y' as one vector (SciPy's odeint takes a list of numbers too)."""
        dy = func(y, s, *params)
        if isinstance(dy, (list, tuple)):
            return np.concatenate([np.ravel(v) for v in dy])
        return np.ravel(dy)

    n, d = np.shape(yt)
    sizes = [int(np.size(th)) for th in theta]
    shapes = [np.shape(th) for th in theta]
    flat = np.concatenate([np.ravel(th) for th in theta]) if theta else None

    def unflatten(flat):
        parts, start = [], 0
        for size, shape in zip(sizes, shapes):
            parts.append(np.reshape(flat[start:start + size], shape))
            start += size
        return parts

    def augmented(state, s, *flat):
        """[f, −(∂f/∂y)ᵀ a, −(∂f/∂θ)ᵀ a] at (y, s) for the state [y, a, θ̄]."""
        y, a = state[:d], state[d:2 * d]
        if flat:
            vjp_fn, dy = make_vjp(lambda y, f: rhs(y, s, *constants(unflatten(f))),
                                  (0, 1))(y, flat[0])
            ybar, fbar = vjp_fn(-a)
            return np.concatenate([np.ravel(dy), np.ravel(ybar), np.ravel(fbar)])
        vjp_fn, dy = make_vjp(lambda y: rhs(y, s, *constants(())), 0)(y)
        return np.concatenate([np.ravel(dy), np.ravel(vjp_fn(-a))])

    params = constants(theta)
    a = g[n - 1]
    theta_bar = np.zeros(sum(sizes)) if theta else None
    t_bar = [None] * n
    for i in range(n - 1, 0, -1):
        t_bar[i] = np.sum(g[i] * np.ravel(rhs(yt[i], t[i], *params)))
        state = np.concatenate([yt[i], a] + ([theta_bar] if theta else []))
        back = odeint(augmented, state, np.stack([t[i], t[i - 1]]),
                      (flat,) if theta else (), **kwargs)
        a = back[1, d:2 * d]
        theta_bar = back[1, 2 * d:] if theta else None
        a = a + g[i - 1]
    a_before = a - g[0]
    t_bar[0] = -np.sum(a_before * np.ravel(rhs(np.reshape(y0, (d,)), t[0], *params)))
    grads = [np.reshape(a, np.shape(y0)), np.stack(t_bar)]
    return grads + (unflatten(theta_bar) if theta else [])


__getattr__ = passthrough("integrate")
