"""``defvjp``, ``defjvp`` and relatives: declare a primitive's rules (``numeric.extend``).

Each declaration updates the primitive's tables and re-publishes its op record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from numeric.extend.primitive import Primitive

__all__ = ["defvjp", "defvjp_argnum", "defvjp_argnums", "defjvp", "defjvp_argnum",
           "defjvp_argnums", "def_linear"]


def _check(prim: Any, who: str) -> Primitive:
    if not isinstance(prim, Primitive):
        raise TypeError(f"{who} expects a function made by numeric.extend.primitive, got "
                        f"{type(prim).__name__} {getattr(prim, '__name__', '')!r}: decorate it "
                        "with @primitive first")
    return prim


def _declare(prim: Primitive, table: dict, funs: tuple, argnums: Iterable[int] | None,
             who: str) -> None:
    nums = list(range(len(funs))) if argnums is None else [int(a) for a in argnums]
    if len(nums) != len(funs):
        raise ValueError(f"{who}({prim.op.name}): {len(funs)} rules for argnums {nums}")
    for a, f in zip(nums, funs):
        if f is not None and not callable(f):
            raise TypeError(f"{who}({prim.op.name}): the rule for argnum {a} is "
                            f"{type(f).__name__}, not a function or None")
        table[a] = f
    prim._changed()


def defvjp(prim: Any, *vjpmakers: Any, argnums: Iterable[int] | None = None) -> None:
    """One maker ``lambda ans, *args, **kwargs: lambda g: ...`` per argument (None: not
    differentiated, its gradient is zero); ``argnums`` says which arguments they are for."""
    _declare(_check(prim, "defvjp"), prim.vjps, vjpmakers, argnums, "defvjp")


def defvjp_argnum(prim: Any, vjpmaker: Callable[..., Any]) -> None:
    """One maker for every argument: ``vjpmaker(argnum, ans, args, kwargs) -> vjp(g)``."""
    _check(prim, "defvjp_argnum").vjp_any = lambda a: (
        lambda ans, *args, **kw: vjpmaker(a, ans, args, kw))
    prim._changed()


def defvjp_argnums(prim: Any, vjpmaker: Callable[..., Any]) -> None:
    """``vjpmaker(argnums, ans, args, kwargs) -> vjp(g)`` giving one cotangent per argnum."""
    _check(prim, "defvjp_argnums").vjp_any = lambda a: (
        lambda ans, *args, **kw: lambda g: tuple(vjpmaker((a,), ans, args, kw)(g))[0])
    prim._changed()


def defjvp(prim: Any, *jvpfuns: Any, argnums: Iterable[int] | None = None) -> None:
    """JVPs ``lambda g, ans, *args, **kwargs: ...`` (``"same"``: the function is linear in
    that argument; None: zero). Kept in ``prim.jvps``; they give the VJP of an argument that
    has none (transposed by the engine): numeric's forward mode itself is reverse-of-reverse."""
    prim = _check(prim, "defjvp")
    nums = range(len(jvpfuns)) if argnums is None else [int(a) for a in argnums]
    funs = tuple(_linear_in(prim.fun, a) if isinstance(f, str) and f == "same" else f
                 for a, f in zip(nums, jvpfuns))
    _declare(prim, prim.jvps, funs, nums, "defjvp")


def defjvp_argnum(prim: Any, jvpmaker: Callable[..., Any]) -> None:
    """One JVP for every argument: ``jvpmaker(argnum, g, ans, args, kwargs)``."""
    _check(prim, "defjvp_argnum").jvp_any = lambda a: (
        lambda g, ans, *args, **kw: jvpmaker(a, g, ans, args, kw))
    prim._changed()


def defjvp_argnums(prim: Any, jvpmaker: Callable[..., Any]) -> None:
    """``jvpmaker(argnums, gs, ans, args, kwargs)``: the output's tangent for these inputs."""
    _check(prim, "defjvp_argnums").jvp_any = lambda a: (
        lambda g, ans, *args, **kw: jvpmaker((a,), (g,), ans, args, kw))
    prim._changed()


def def_linear(prim: Any) -> None:
    """The function is linear in each argument: its JVP is itself, its VJP the transpose."""
    _check(prim, "def_linear").jvp_any = lambda a: _linear_in(prim.fun, a)
    prim._changed()


def _linear_in(fun: Callable[..., Any], argnum: int) -> Callable[..., Any]:
    """``jvp(g, ans, *args)`` of a function linear in an argument: the raw function at ``g``
    in its place (raw, so that transposing it traces NumPy calls, not the primitive again)."""

    def jvp(g: Any, ans: Any, *args: Any, **kwargs: Any) -> Any:
        return fun(*args[:argnum], g, *args[argnum + 1:], **kwargs)

    return jvp
