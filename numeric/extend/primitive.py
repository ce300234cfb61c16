"""``primitive``: a function recorded as one op of the table, its rules autograd-style makers.

See ``numeric.extend``. The record's rules read the maker declared for each argument
(``numeric.extend.define``) when backward calls them; a JVP without a VJP is transposed here.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from numeric.autodiff import make_vjp
from numeric.extend.layout import _Layout, _packed
from numeric.kinds import OTHER
from numeric.mode import enabled
from numeric.op import Op, all_ops
from numeric.op import register as _register
from numeric.tensor import Tensor, apply

__all__ = ["Primitive", "primitive", "notrace_primitive", "Box"]

Box = Tensor  # autograd's traced value; ``isinstance(x, Box)`` asks "is x being traced?"
_STATIC = "_static_args"  # parameter: the positional arguments that are not arrays, by position
_OUT = "_out_layout"  # parameter: where the forward notes the pieces of a tuple result
_ARRAYS = (Tensor, np.ndarray, np.generic, float, int, complex, bool)
_OWNERS: dict[str, str] = {}  # registered name -> the qualified function that owns it
_transposing: contextvars.ContextVar[frozenset] = contextvars.ContextVar(
    "numeric_extend_transposing", default=frozenset())


class Primitive:
    """A function recorded as one op; ``.op`` is its record, ``.fun`` the raw function."""

    def __init__(self, fun: Callable[..., Any], name: str | None, record: dict[str, Any],
                 table: bool = True):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.vjps: dict[int, Callable[..., Any] | None] = {}  # argnum -> maker (None: zero)
        self.jvps: dict[int, Callable[..., Any] | None] = {}  # argnum -> jvp(g, ans, *args)
        self.vjp_any: Callable[[int], Callable[..., Any]] | None = None  # defvjp_argnum(s)
        self.jvp_any: Callable[[int], Callable[..., Any]] | None = None  # defjvp_argnum(s)
        self._record, self._table = record, table
        self._bound: dict[tuple[int, tuple[int, ...]], Op] = {}
        self._tuples = False  # whether a result was ever a tuple or list (packed)
        self._plans: dict[tuple[type, ...], tuple | None] = {}  # argument types -> call plan
        name = _unique(fun, name) if table else name or getattr(fun, "__name__", "primitive")
        self.op = _publish(self, name, _inputs(fun))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            self._keywords(kwargs)
        # The call's plan depends only on its arguments' types: worked out once per type tuple.
        types = tuple(map(type, args))
        plan = self._plans.get(types, False)
        if plan is False:
            plan = self._plan(args, types)
        if plan is None:  # no Tensor among the arguments: the plain function
            return self.fun(*args, **kwargs)
        op, positions, statics, undeclared = plan
        for a in undeclared:
            if args[a].requires_grad and enabled():
                raise NotImplementedError(
                    f"VJP of {self.op.name} wrt argnum {a} not defined: give one with "
                    f"defvjp({self.__name__}, ..., argnums=(..., {a}, ...)), or pass a constant")
        if statics:
            kwargs[_STATIC] = tuple((a, args[a]) for a in statics)
            out = apply(op, *[args[a] for a in positions], **kwargs)
        else:
            out = apply(op, *args, **kwargs)
        packed = _packed.get()
        if packed is None or packed[0] is not out._value:
            return out  # an array result (a tuple's would be the array the forward packed)
        _packed.set(None)
        layout = packed[1]
        if out._ctx is not None:  # the rules read the pieces' shapes from the saved parameters
            op, parents, xs, params = out._ctx
            out._ctx = (op, parents, xs, {**params, _OUT: layout})
        return layout.split(out, restore=True)

    def _keywords(self, kwargs: dict[str, Any]) -> None:
        """Keyword arguments are parameters: a Tensor among them is passed as its value."""
        for k, v in kwargs.items():
            if isinstance(v, Tensor):
                if v.requires_grad and enabled():
                    raise TypeError(f"{self.op.name}: keyword argument {k!r} is a Tensor that "
                                    "requires grad; keywords are not differentiated: pass it "
                                    "positionally")
                kwargs[k] = v.value

    def _plan(self, args: tuple, types: tuple[type, ...]) -> tuple | None:
        """``(op, array positions, static positions, Tensor positions with no rule)`` for
        arguments of these types, or None when none is a Tensor."""
        if not any(isinstance(x, Tensor) for x in args):
            plan = None
        else:
            positions = tuple(a for a, x in enumerate(args) if isinstance(x, _ARRAYS))
            statics = tuple(a for a in range(len(args)) if a not in positions)
            undeclared = tuple(a for a, x in enumerate(args)
                               if isinstance(x, Tensor) and _state(self, a) == "none")
            key = (len(args), positions)
            op = self._bound.get(key) or self._bind(*key)
            plan = (op, positions, statics, undeclared)
        self._plans[types] = plan
        return plan

    def _bind(self, n: int, positions: tuple[int, ...]) -> Op:
        """The record for a call with these array positions: a rule for each traced one."""
        rules = tuple(_rule(self, a) if _state(self, a) == "rule" else None for a in positions)
        op = dataclasses.replace(self.op, vjp=rules)
        self._bound[(n, positions)] = op
        return op

    def _changed(self) -> None:
        self._bound.clear()
        self._plans.clear()
        self.op = _publish(self, self.op.name, self.op.nargs)

    def call_parts(self, xs: tuple[Any, ...], params: dict[str, Any]) -> tuple:
        """``(args, kwargs, layout)`` of one recorded call: statics put back among the inputs."""
        kwargs = {k: v for k, v in params.items() if k != _STATIC and k != _OUT}
        if _STATIC not in params:
            return list(xs), kwargs, params.get(_OUT)
        statics = dict(params[_STATIC])
        it = iter(xs)
        args = [statics[a] if a in statics else next(it)
                for a in range(len(xs) + len(statics))]
        return args, kwargs, params.get(_OUT)

    def __repr__(self) -> str:
        return f"primitive({self.op.name!r})"


def _forward(prim: Primitive) -> Callable[..., Any]:
    fun = prim.fun

    def fwd(*xs: Any, _out_layout: _Layout | None = None, _static_args: tuple = (),
            **kwargs: Any) -> Any:
        if _static_args:
            xs = prim.call_parts(xs, {_STATIC: _static_args})[0]
        out = fun(*xs, **kwargs)
        if not isinstance(out, (tuple, list)):
            return out
        prim._tuples = True
        layout = _out_layout or _Layout()
        packed = layout.pack(out)
        _packed.set((packed, layout))  # for the call that is running this forward
        return packed

    return fwd


def _rule(prim: Primitive, argnum: int) -> Callable[..., Any]:
    """The raw VJP rule of one argument: autograd's maker called at the recorded call."""

    def rule(g: Any, out: Any, *xs: Any, **params: Any) -> Any:
        if not params and not prim._tuples:  # the usual call: arrays in, an array out
            return _maker(prim, argnum)(out, *xs)(g)
        args, kwargs, layout = prim.call_parts(xs, params)
        if layout is None:  # an array result, or a call from verify
            layout = _Layout()
            if prim._tuples:  # the result may be a tuple: its layout is found again
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
    if not prim._table:
        return op
    _OWNERS[name] = _qualname(prim.fun)
    return _register(op, replace=True)


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
              kind: Any = OTHER, cases: tuple = (), domain: tuple = (), doc: str | None = None,
              register: bool = True) -> Any:
    """``@primitive`` (autograd's), or ``@primitive(name=, kind=, cases=, domain=)`` to give
    verify the record's name, shape kind, standard cases and input domains; ``register=False``
    keeps the record (``f.op``) out of the op table."""
    if fun is None:
        return lambda f: primitive(f, name=name, kind=kind, cases=cases, domain=domain, doc=doc,
                                   register=register)
    if not callable(fun):
        raise TypeError(f"primitive expects a function, got {type(fun).__name__}")
    text = doc if doc is not None else (inspect.getdoc(fun) or "").split("\n")[0]
    return Primitive(fun, name, {"kind": kind, "cases": tuple(cases), "domain": tuple(domain),
                                 "doc": text}, register)


def notrace_primitive(fun: Callable[..., Any]) -> Callable[..., Any]:
    """A function of values only: Tensors are passed as their values, nothing is recorded."""

    @functools.wraps(fun)
    def call(*args: Any, **kwargs: Any) -> Any:
        return fun(*[_value(a) for a in args], **{k: _value(v) for k, v in kwargs.items()})

    return call


