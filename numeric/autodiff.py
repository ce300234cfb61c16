"""The functional API's core (HIPS autograd / JAX style): ``vjp``, ``make_vjp``, ``grad``,
``value_and_grad``; the rest of autograd's operators are in ``numeric.functional``.

``grad(f, argnum)`` takes autograd's call shapes: ``argnum`` an int or a tuple (a tuple of
gradients), keyword arguments forwarded to ``f``, arguments that are tuples, lists or dicts of
arrays (``numeric.structure``) with gradients in the same structure.

Built on ``numeric.backprop``. Grad mode and the nesting of ``grad`` calls are per thread /
asyncio context (ContextVars); a ``grad`` called inside another's function records its backward
pass when that function closes over Tensors the outer call traces, so derivatives of any order
see every dependence.
"""

from __future__ import annotations

import contextvars
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from numeric.backprop import _backprop, _base, _float_dtype, _own, _seed, toposort
from numeric.mode import recording
from numeric.structure import flatten, is_container
from numeric.tensor import Tensor, apply

__all__ = ["vjp", "make_vjp", "grad", "value_and_grad"]

# How many vjp/grad calls are evaluating their function in this thread / context now: a call
# made inside another's function may close over the outer call's traced Tensors.
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("numeric_grad_depth", default=0)


def vjp(f: Callable[..., Any], *args: Any) -> tuple[Any, Callable[[Any], tuple[Any, ...]]]:
    """``out, vjp_fn = vjp(f, *args)``; ``vjp_fn(g)`` gives one cotangent per argument.

    >>> out, vjp_fn = vjp(lambda x: x * x, np.array([3.0]))
    >>> vjp_fn(np.array([1.0]))
    (array([6.]),)
    """
    out, vjp_fn, _ = _vjp(f, args)
    return out, vjp_fn


def _vjp(f: Callable[..., Any], args: Sequence[Any]) -> tuple[Any, Callable[[Any], tuple], bool]:
    """``vjp`` that also says whether the call is nested (recorded for an enclosing one)."""
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
    if is_container(out):
        raise TypeError(f"vjp: f returned a {type(out).__name__}; numeric.vjp differentiates one "
                        "array (numeric.make_vjp takes tuples, lists and dicts of them)")
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
        # Not nested, only g is differentiated: the forward's values are constants to it, and
        # recording just g's path makes the double vjp (a JVP) several times cheaper.
        found = _backprop(out, seed, targets=xs, accumulate=False, retain_graph=True,
                          create_graph=record, constants=not nested)
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
    return value, vjp_fn, nested


def make_vjp(fun: Callable[..., Any], argnum: int | Iterable[int] = 0) -> Callable[..., Any]:
    """autograd's ``make_vjp``: ``vjp_fn, ans = make_vjp(f, argnum)(*args, **kwargs)``.

    ``vjp_fn(g)`` is the cotangent of ``args[argnum]`` (a tuple of them for a tuple argnum),
    shaped like it: arrays, or tuples, lists and dicts of them.
    """
    bind = nary(fun, argnum)

    def at(*args: Any, **kwargs: Any) -> tuple[Callable[[Any], Any], Any]:
        vjp_fn, ans, _ = trace(*bind(args, kwargs))
        return vjp_fn, ans

    return at


def value_and_grad(fun: Callable[..., Any], argnum: int | Iterable[int] = 0) -> Callable[..., Any]:
    """``value_and_grad(f)(*args, **kwargs) -> (f(...), df/dargs[argnum])`` for scalar ``f``.

    For ``scipy.optimize.minimize(..., jac=True)``. ``argnum`` an int or a tuple (a tuple of
    gradients); an argument may be a tuple, list or dict of arrays (its gradient has its shape).
    """
    bind = nary(fun, argnum)

    def call(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        vjp_fn, ans, _ = trace(*bind(args, kwargs))
        return ans, vjp_fn(_ones_for_scalar(ans, "grad"))

    return call


def grad(fun: Callable[..., Any], argnum: int | Iterable[int] = 0) -> Callable[..., Any]:
    """``grad(f)(*args, **kwargs)``: the gradient of scalar-valued ``f`` at ``args[argnum]``.

    >>> grad(lambda x: (x ** 3).sum())(np.array([2.0]))
    array([12.])
    """
    vg = value_and_grad(fun, argnum)
    return lambda *args, **kwargs: vg(*args, **kwargs)[1]


def nary(fun: Callable[..., Any], argnum: Any) -> Callable[[tuple, dict], tuple[Any, Any]]:
    """``at(args, kwargs) -> (unary, x)``: ``fun`` as a function of ``args[argnum]`` alone (a
    tuple of the arguments for a tuple argnum), the other arguments and the keywords held
    fixed — autograd's nary. ``argnum`` is read once, here."""
    many = not isinstance(argnum, (int, np.integer))
    nums = tuple(int(i) for i in argnum) if many else (int(argnum),)

    def at(args: tuple, kwargs: dict) -> tuple[Callable[[Any], Any], Any]:
        try:
            picked = tuple([args[i] for i in nums]) if many else args[nums[0]]
        except IndexError:
            raise TypeError(f"argnum {argnum} is out of range: the function was called with "
                            f"{len(args)} positional argument(s)") from None

        def unary(x: Any) -> Any:
            full = list(args)
            if many:
                for i, xi in zip(nums, x):
                    full[i] = xi
            else:
                full[nums[0]] = x
            return fun(*full, **kwargs)

        return unary, picked

    return at


def trace(unary: Callable[[Any], Any], x: Any) -> tuple[Callable[[Any], Any], Any, bool]:
    """``(vjp_fn, ans, nested)`` of ``unary`` at ``x``, any structure of arrays: ``vjp_fn(g)``
    is shaped like ``x``; ``nested`` says whether an enclosing differentiation records it. An
    output that is a tuple, list or dict is differentiated as one vector of its raveled leaves,
    and ``g`` is then a structure like it."""
    leaves, rebuild = flatten(x)
    outs: list[Any] = []

    def flat(*ls: Any) -> Any:
        out = unary(rebuild(ls))
        if not is_container(out):
            return out
        outs.append(flatten(out))
        return _raveled(outs[-1][0])

    ans, pull, nested = _vjp(flat, leaves)
    if not outs:
        return (lambda g: rebuild(pull(g))), ans, nested
    out_leaves, out_rebuild = outs[0]
    ans = out_rebuild([v if nested or not isinstance(v, Tensor) else v._value
                       for v in out_leaves])

    def vjp_fn(g: Any) -> Any:
        gs = flatten(g)[0]
        if len(gs) != len(out_leaves):
            raise ValueError(f"vjp: the cotangent has {len(gs)} arrays, but f returned "
                             f"{len(out_leaves)}")
        return rebuild(pull(_raveled(gs)))

    return vjp_fn, ans, nested


def _raveled(arrays: Sequence[Any]) -> Any:
    return np.concatenate([np.reshape(a, (-1,)) for a in arrays]) if arrays else np.zeros(0)


def _ones_for_scalar(ans: Any, who: str) -> np.ndarray:
    value = _plain(ans)
    value = value if type(value) is np.ndarray else np.asarray(value)
    if value.size != 1:
        raise TypeError(f"{who} needs f to return one number; it returned shape "
                        f"{value.shape} (use numeric.vjp, elementwise_grad or jacobian for "
                        "vector outputs)")
    return np.ones(value.shape, dtype=value.dtype if value.dtype.kind in "fc" else np.float64)


def _plain(a: Any) -> Any:
    return a._value if isinstance(a, Tensor) else a
