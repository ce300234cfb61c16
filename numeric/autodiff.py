"""The functional API (HIPS autograd / JAX style): ``vjp``, ``grad``, ``value_and_grad``.

Built on ``numeric.backprop``. Grad mode and the nesting of ``grad`` calls are per thread /
asyncio context (ContextVars); a ``grad`` called inside another's function records its backward
pass when that function closes over Tensors the outer call traces, so derivatives of any order
see every dependence.
"""

from __future__ import annotations

import contextvars
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from numeric.backprop import _backprop, _base, _float_dtype, _own, _seed, toposort
from numeric.mode import recording
from numeric.tensor import Tensor, apply

__all__ = ["vjp", "grad", "value_and_grad"]

# How many vjp/grad calls are evaluating their function in this thread / context now: a call
# made inside another's function may close over the outer call's traced Tensors.
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("numeric_grad_depth", default=0)


def vjp(f: Callable[..., Any], *args: Any) -> tuple[Any, Callable[[Any], tuple[Any, ...]]]:
    """``out, vjp_fn = vjp(f, *args)``; ``vjp_fn(g)`` gives one cotangent per argument.

    >>> out, vjp_fn = vjp(lambda x: x * x, np.array([3.0]))
    >>> vjp_fn(np.array([1.0]))
    (array([6.]),)
    """
    nested = any(isinstance(a, Tensor) and a.requires_grad for a in args)
    depth = _depth.get()
    token = _depth.set(depth + 1)
    try:
        with recording(True):
            # A traced argument enters as a new node, so f's own variable is told apart from
            # the same Tensor reached by a closure (d/dy x y y at y = x is 2 x^2, not 3 x^2).
            xs = [apply("reshape", a, shape=a.shape) if isinstance(a, Tensor) and a.requires_grad
                  else Tensor(a) for a in args]
            out = f(*xs)
    finally:
        _depth.reset(token)
    if depth and not nested and isinstance(out, Tensor) and out.requires_grad:
        # Inside an enclosing grad's function, f may close over Tensors that grad traces: the
        # backward pass is then recorded, so the enclosing derivative sees that dependence.
        stop = frozenset(id(x) for x in xs)  # does out reach a traced leaf other than xs?
        nested = any(n._ctx is None and n.requires_grad and id(n) not in stop
                     for n in toposort(out, stop))

    def vjp_fn(g: Any) -> tuple[Any, ...]:
        if not isinstance(out, Tensor) or not out.requires_grad:
            warnings.warn("vjp/grad: f's output does not depend on its inputs (nothing was "
                          "recorded), so every gradient is zero", stacklevel=2)
            zero = [np.zeros_like(x._value, dtype=_float_dtype(x._value)) for x in xs]
            return tuple(Tensor(z, requires_grad=False) if nested else z for z in zero)
        # A seed that is itself being differentiated (vjp of vjp_fn, the "double vjp" that
        # gives a JVP) must flow through a recorded backward pass, like a nested call.
        record = nested or (isinstance(g, Tensor) and g.requires_grad)
        seed = _seed(out, g, record)
        found = _backprop(out, seed, targets=xs, accumulate=False, retain_graph=True,
                          create_graph=record)
        res = []
        handed: set[int] = {id(_base(seed))}  # results never alias each other or the seed
        for x in xs:
            gx = found.get(id(x))
            if gx is None:
                gx = np.zeros_like(x._value, dtype=_float_dtype(x._value))
            gx = _own(gx, handed)
            if record and not isinstance(gx, Tensor):
                gx = Tensor(gx, requires_grad=False)
            res.append(gx)
        return tuple(res)

    value = out if nested or not isinstance(out, Tensor) else out._value
    return value, vjp_fn


def value_and_grad(f: Callable[..., Any], argnum: int | Iterable[int] = 0) -> Callable[..., Any]:
    """``value_and_grad(f)(*args) -> (f(*args), df/dargs[argnum])`` for scalar-valued ``f``."""
    many = not isinstance(argnum, int)
    nums = tuple(argnum) if many else (argnum,)

    def call(*args: Any) -> tuple[Any, Any]:
        out, vjp_fn = vjp(f, *args)
        if np.size(_plain(out)) != 1:
            raise TypeError(f"grad needs f to return one number; it returned shape "
                            f"{np.shape(_plain(out))} (use numeric.vjp for vector outputs)")
        grads = vjp_fn(np.ones(np.shape(_plain(out)), dtype=_float_dtype(np.asarray(_plain(out)))))
        picked = tuple(grads[i] for i in nums)
        return out, picked if many else picked[0]

    return call


def grad(f: Callable[..., Any], argnum: int | Iterable[int] = 0) -> Callable[..., Any]:
    """``grad(f)(*args)``: the gradient of scalar-valued ``f`` at ``args[argnum]``.

    >>> grad(lambda x: (x ** 3).sum())(np.array([2.0]))
    array([12.])
    """
    vg = value_and_grad(f, argnum)
    return lambda *args: vg(*args)[1]


def _plain(a: Any) -> Any:
    return a._value if isinstance(a, Tensor) else a
