"""autograd's ``extend`` API, built on the op table: ``primitive``, ``defvjp`` and relatives.

``@primitive`` makes a function an :class:`numeric.Op` record, registered under a unique name
(the function's name, else its qualified name), so ``verify.check_op(name, x)``, ``gradproof
verify --plugin module --ops name`` and ``verify.check_function`` see it like any built-in.
Called on Tensors it records one node; on plain values it is the plain function. Its VJP rules
take autograd's convention, one maker per positional argument::

    @primitive
    def logsumexp(x):
        return np.log(np.sum(np.exp(x - np.max(x)))) + np.max(x)

    defvjp(logsumexp, lambda ans, x: lambda g: g * np.exp(x - ans))

A rule written with NumPy calls is differentiated again (under ``create_graph`` the engine hands
it Tensors). Positional arguments that are not arrays or numbers (functions, strings, lists) are
passed through, not differentiated; keyword arguments are the op's parameters. A tuple or list
result is one packed node, unpacked with index ops; its rule gets ``ans`` and ``g`` as tuples.

Forward mode: ``numeric.make_jvp`` is reverse-of-reverse, so it never calls a JVP. ``defjvp``
is accepted and kept (``prim.jvps``); where an argument has a JVP but no VJP, its VJP is
*derived* by transposing the JVP through the engine (the JVP must be written with NumPy calls,
and is linear in ``g``), which is also how ``def_linear`` gives a VJP.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from numeric.autodiff import make_vjp
from numeric.kinds import OTHER
from numeric.mode import enabled
from numeric.op import Op, all_ops, register
from numeric.tensor import Tensor, apply

__all__ = ["primitive", "notrace_primitive", "defvjp", "defvjp_argnum", "defvjp_argnums",
           "defjvp", "defjvp_argnum", "defjvp_argnums", "def_linear", "Primitive", "Box"]

Box = Tensor  # autograd's traced value; ``isinstance(x, Box)`` asks "is x being traced?"
_STATIC = "_static_args"  # parameter: the positional arguments that are not arrays, by position
_OUT = "_out_layout"  # parameter: where the forward notes the pieces of a tuple result
_ARRAYS = (Tensor, np.ndarray, np.generic, float, int, complex, bool)
_OWNERS: dict[str, str] = {}  # registered name -> the qualified function that owns it
_transposing: contextvars.ContextVar[frozenset] = contextvars.ContextVar(
    "numeric_extend_transposing", default=frozenset())


class Primitive:
    """A function recorded as one op; ``.op`` is its record, ``.fun`` the raw function."""

    def __init__(self, fun: Callable[..., Any], name: str | None, record: dict[str, Any]):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.vjps: dict[int, Callable[..., Any] | None] = {}  # argnum -> maker (None: zero)
        self.jvps: dict[int, Callable[..., Any] | None] = {}  # argnum -> jvp(g, ans, *args)
        self.vjp_any: Callable[[int], Callable[..., Any]] | None = None  # defvjp_argnum(s)
        self.jvp_any: Callable[[int], Callable[..., Any]] | None = None  # defjvp_argnum(s)
        self._record = record
        self._bound: dict[tuple[int, tuple[int, ...]], Op] = {}
        self.op = _publish(self, _unique(fun, name), _inputs(fun))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        track = enabled()
        for k, v in kwargs.items():
            if isinstance(v, Tensor):
                if v.requires_grad and track:
                    raise TypeError(f"{self.op.name}: keyword argument {k!r} is a Tensor that "
                                    "requires grad; keywords are not differentiated: pass it "
                                    "positionally")
                kwargs[k] = v.value
        if not any(isinstance(x, Tensor) for x in args):
            return self.fun(*args, **kwargs)
        positions, statics = [], []
        for a, x in enumerate(args):
            if track and isinstance(x, Tensor) and x.requires_grad and _state(self, a) == "none":
                raise NotImplementedError(
                    f"VJP of {self.op.name} wrt argnum {a} not defined: give one with "
                    f"defvjp({self.__name__}, ..., argnums=(..., {a}, ...)), or pass a constant")
            if isinstance(x, _ARRAYS):
                positions.append(a)
            else:
                statics.append((a, x))
        key = (len(args), tuple(positions))
        op = self._bound.get(key) or self._bind(*key)
        layout = _Layout()
        params = dict(kwargs, **{_OUT: layout})
        if statics:
            params[_STATIC] = tuple(statics)
        out = apply(op, *[args[a] for a in positions], **params)
        return layout.split(out) if layout.kind else out

    def _bind(self, n: int, positions: tuple[int, ...]) -> Op:
        """The record for a call with these array positions: a rule for each traced one."""
        rules = tuple(_rule(self, a) if _state(self, a) == "rule" else None for a in positions)
        op = dataclasses.replace(self.op, vjp=rules)
        self._bound[(n, positions)] = op
        return op

    def _changed(self) -> None:
        self._bound.clear()
        self.op = _publish(self, self.op.name, self.op.nargs)

    def call_parts(self, xs: tuple[Any, ...], params: dict[str, Any]) -> tuple:
        """``(args, kwargs, layout)`` of one recorded call: statics put back among the inputs."""
        statics = dict(params.get(_STATIC, ()))
        kwargs = {k: v for k, v in params.items() if k not in (_STATIC, _OUT)}
        it = iter(xs)
        args = [statics[a] if a in statics else next(it)
                for a in range(len(xs) + len(statics))]
        return args, kwargs, params.get(_OUT)

    def __repr__(self) -> str:
        return f"primitive({self.op.name!r})"


@dataclasses.dataclass
class _Layout:
    """How a tuple or list result was packed into one array: its type and pieces' shapes."""

    kind: type | None = None
    shapes: list[tuple[int, ...]] = dataclasses.field(default_factory=list)

    def pack(self, out: Any) -> Any:
        if not isinstance(out, (tuple, list)):
            return out
        self.kind, self.shapes = type(out), [np.shape(o) for o in out]
        return np.concatenate([np.ravel(o) for o in out]) if out else np.zeros(0)

    def split(self, packed: Any) -> Any:
        """The pieces again, taken from ``packed`` with index and reshape ops (differentiable)."""
        if not self.kind:
            return packed
        pieces, start = [], 0
        for shape in self.shapes:
            size = int(np.prod(shape))
            pieces.append(np.reshape(packed[start:start + size], shape))
            start += size
        return self.kind(*pieces) if hasattr(self.kind, "_fields") else self.kind(pieces)


def _forward(prim: Primitive) -> Callable[..., Any]:
    def fwd(*xs: Any, **params: Any) -> Any:
        args, kwargs, layout = prim.call_parts(xs, params)
        return (layout or _Layout()).pack(prim.fun(*args, **kwargs))

    return fwd


def _rule(prim: Primitive, argnum: int) -> Callable[..., Any]:
    """The raw VJP rule of one argument: autograd's maker called at the recorded call."""

    def rule(g: Any, out: Any, *xs: Any, **params: Any) -> Any:
        args, kwargs, layout = prim.call_parts(xs, params)
        if layout is None:  # a call from verify: the result's layout is found again
            layout = _Layout()
            layout.pack(prim.fun(*[a.value if isinstance(a, Tensor) else a for a in args],
                                 **kwargs))
        return _maker(prim, argnum)(layout.split(out), *args, **kwargs)(layout.split(g))

    rule.__name__ = f"vjp_{prim.__name__}_{argnum}"
    return rule


def _state(prim: Primitive, argnum: int) -> str:
    """``"rule"``, ``"zero"`` (declared not differentiable) or ``"none"`` (nothing declared)."""
    for table, anyone in ((prim.vjps, prim.vjp_any), (prim.jvps, prim.jvp_any)):
        if argnum in table:
            return "zero" if table[argnum] is None else "rule"
        if anyone is not None:
            return "rule"
    return "none"


def _maker(prim: Primitive, argnum: int) -> Callable[..., Any]:
    if prim.vjps.get(argnum) is not None:
        return prim.vjps[argnum]
    if argnum not in prim.vjps and prim.vjp_any is not None:
        return prim.vjp_any(argnum)
    jvp = prim.jvps.get(argnum) or prim.jvp_any(argnum)  # type: ignore[misc]
    return _transposed(prim, argnum, jvp)


def _transposed(prim: Primitive, argnum: int, jvp: Callable[..., Any]) -> Callable[..., Any]:
    """The VJP of a JVP ``t -> jvp(t, ans, *args)``, linear in ``t``: the engine's vjp of it."""

    def maker(ans: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        def vjp(g: Any) -> Any:
            key = (prim.op.name, argnum)
            if key in _transposing.get():
                raise NotImplementedError(
                    f"VJP of {prim.op.name} wrt argnum {argnum}: its JVP calls {prim.op.name} "
                    "itself, so it cannot be transposed: give the VJP with defvjp")
            x = args[argnum]
            zero = np.zeros(np.shape(x), np.result_type(np.asarray(_value(x)).dtype, float))
            token = _transposing.set(_transposing.get() | {key})
            try:
                pull, _ = make_vjp(lambda t: jvp(t, ans, *args, **kwargs))(zero)
                return pull(g)
            finally:
                _transposing.reset(token)

        return vjp

    return maker


def _value(x: Any) -> Any:
    return x.value if isinstance(x, Tensor) else x


def _publish(prim: Primitive, name: str, nargs: int) -> Op:
    """(Re-)register the primitive's record: its rules as declared now, one per input."""
    op = Op(name, _forward(prim), tuple(
        _rule(prim, a) if _state(prim, a) == "rule" else None for a in range(max(nargs, 1))),
        **prim._record)
    _OWNERS[name] = _qualname(prim.fun)
    return register(op, replace=True)


def _unique(fun: Callable[..., Any], name: str | None) -> str:
    """The given name, else the function's, else its qualified name, else numbered: a name
    already taken by another op is never replaced (a re-run of the same definition is)."""
    qual = _qualname(fun)
    taken = all_ops()
    if name is not None:
        if name in taken and _OWNERS.get(name) != qual:
            raise ValueError(f"primitive({qual}): an op named {name!r} is already registered")
        return name
    for candidate in (getattr(fun, "__name__", "primitive"), qual):
        if candidate not in taken or _OWNERS.get(candidate) == qual:
            return candidate
    n = 2
    while f"{qual}#{n}" in taken:
        n += 1
    return f"{qual}#{n}"


def _qualname(fun: Callable[..., Any]) -> str:
    return f"{getattr(fun, '__module__', '')}.{getattr(fun, '__qualname__', repr(fun))}"


def _inputs(fun: Callable[..., Any]) -> int:
    """The record's inputs: the positional parameters without a default (what verify samples)."""
    try:
        ps = inspect.signature(fun).parameters.values()
    except (TypeError, ValueError):
        return 1
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
               for p in ps)


def primitive(fun: Callable[..., Any] | None = None, *, name: str | None = None,
              kind: Any = OTHER, cases: tuple = (), domain: tuple = (), doc: str | None = None
              ) -> Any:
    """``@primitive`` (autograd's), or ``@primitive(name=, kind=, cases=, domain=)`` to give
    verify the record's name, shape kind, standard cases and input domains."""
    if fun is None:
        return lambda f: primitive(f, name=name, kind=kind, cases=cases, domain=domain, doc=doc)
    if not callable(fun):
        raise TypeError(f"primitive expects a function, got {type(fun).__name__}")
    text = doc if doc is not None else (inspect.getdoc(fun) or "").split("\n")[0]
    return Primitive(fun, name, {"kind": kind, "cases": tuple(cases), "domain": tuple(domain),
                                 "doc": text})


def notrace_primitive(fun: Callable[..., Any]) -> Callable[..., Any]:
    """A function of values only: Tensors are passed as their values, nothing is recorded."""

    @functools.wraps(fun)
    def call(*args: Any, **kwargs: Any) -> Any:
        return fun(*[_value(a) for a in args], **{k: _value(v) for k, v in kwargs.items()})

    return call


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
