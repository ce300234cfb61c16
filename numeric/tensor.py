"""``Tensor``: an ndarray that records the ops applied to it, and ``apply``, which records one.

A Tensor is a graph node: its ``value``, the ``op`` that made it, its ``parents`` (a Tensor, or
``None`` for an input that needs no gradient) and the input values the op's VJP rules need.
Python operators and NumPy's dispatch protocols (``__array_ufunc__``, ``__array_function__``)
both lead to :func:`apply`, so plain NumPy code on Tensors is differentiated.
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
from collections.abc import Iterator
from typing import Any

import numpy as np

from numeric.copies import private
from numeric.op import _REGISTRY, Op, all_ops, get_op

__all__ = ["Tensor", "apply", "no_grad", "is_grad_enabled"]


# Grad mode belongs to the running thread (or asyncio task): a ContextVar, so one thread's
# no_grad() or backward pass never switches recording off for another. A new thread starts
# with recording on, whatever the thread that started it was doing.
_grad_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("numeric_grad_enabled",
                                                                     default=True)
_enabled = _grad_enabled.get  # bound once: read on every op


class _State:
    """``_state.grad_enabled``: this context's grad mode (read-only; use ``no_grad``)."""

    grad_enabled = property(lambda self: _enabled())


_state = _State()


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Within this block ops record nothing: results are constants (this thread only)."""
    token = _grad_enabled.set(False)
    try:
        yield
    finally:
        _grad_enabled.reset(token)


@contextlib.contextmanager
def _grad_mode(enabled: bool) -> Iterator[None]:
    token = _grad_enabled.set(enabled)
    try:
        yield
    finally:
        _grad_enabled.reset(token)


def is_grad_enabled() -> bool:
    """Whether ops record in this thread / context now."""
    return _enabled()


def apply(op: Op | str, *inputs: Any, **params: Any) -> Tensor:
    """Run ``op``'s forward on the inputs' values and record the node for backward."""
    if type(op) is str:
        op = _REGISTRY.get(op) or get_op(op)
    if len(inputs) == 2:
        return _apply2(op, inputs[0], inputs[1], params)
    if len(inputs) != len(op.vjp):
        op = op.arity(len(inputs))  # a variadic op bound to n inputs, else a TypeError
    track = _enabled()
    args = []
    parents = []
    tracked = False
    plain = None  # positions of caller arrays
    for x, rule in zip(inputs, op.vjp):
        if isinstance(x, Tensor):
            args.append(x._value)
            if track and x.requires_grad and rule is not None:
                parents.append(x)
                tracked = True
                continue
        elif type(x) in _PY_SCALARS:
            args.append(x)
        else:
            args.append(np.asarray(x))
            plain = [len(args) - 1] if plain is None else plain + [len(args) - 1]
        parents.append(None)
    if tracked:  # private copies: the caller may write to theirs before backward reads them
        for i in plain or ():
            args[i] = private(args[i])
        if params:
            params = _saved_params(params)
    out = _forward(op, args, params)
    if plain is not None and not tracked:
        out = _unshared(out, [args[i] for i in plain])
    node = _new(Tensor)
    node._value = out
    node.grad = None
    node._pending = None
    node._ctx = (op, tuple(parents), tuple(args), params) if tracked else None
    node.requires_grad = tracked
    return node


def _apply2(op: Op | str, x: Any, y: Any, params: dict[str, Any]) -> Tensor:
    """``apply`` for two inputs, unrolled: binary ops are the most common, and this is the
    engine's per-op overhead (2.5x less than the general loop). The Tensor operators call it
    directly. Plain Python numbers pass through: NumPy takes them as "weak" scalars that keep a
    float32 array float32 (np.asarray(1) would be int64); arrays are copied, as in ``apply``."""
    if type(op) is str:
        op = _REGISTRY.get(op) or get_op(op)
    try:
        rule_x, rule_y = op.vjp
    except ValueError:
        op = op.arity(2)  # a variadic op bound to two inputs, else a TypeError
        rule_x, rule_y = op.vjp
    track = _enabled()
    caller = 0  # bit 1: x is the caller's array, bit 2: y is
    if isinstance(x, Tensor):
        px = x if track and x.requires_grad and rule_x is not None else None
        x = x._value
    else:
        px = None
        if type(x) not in _PY_SCALARS:
            x = np.asarray(x)
            caller = 1
    if isinstance(y, Tensor):
        py = y if track and y.requires_grad and rule_y is not None else None
        y = y._value
    else:
        py = None
        if type(y) not in _PY_SCALARS:
            y = np.asarray(y)
            caller |= 2
    if caller and (px is not None or py is not None):
        # Private copies: the caller may write to theirs before backward reads them.
        x = private(x) if caller & 1 else x
        y = private(y) if caller & 2 else y
    try:
        out = op.fwd(x, y, **params) if params else op.fwd(x, y)
    except (ValueError, IndexError, TypeError) as e:
        raise _op_error(op, (x, y), e) from e
    if caller and px is None and py is None:
        out = _unshared(out, (x, y))
    node = _new(Tensor)
    node._value = out if type(out) is np.ndarray else np.asarray(out)
    node.grad = None
    node._pending = None
    if px is None and py is None:
        node._ctx = None
        node.requires_grad = False
    else:
        node._ctx = (op, (px, py), (x, y), _saved_params(params) if params else params)
        node.requires_grad = True
    return node


def _forward(op: Op, args: list[Any], params: dict[str, Any]) -> np.ndarray:
    try:
        out = op.fwd(*args, **params)
    except (ValueError, IndexError, TypeError) as e:
        raise _op_error(op, args, e) from e
    return out if type(out) is np.ndarray else np.asarray(out)


def _unshared(out: Any, inputs: Any) -> Any:
    """An unrecorded result that may alias a caller's array (a view of it) is copied: a later
    recorded op saving it would otherwise see the caller's writes."""
    if type(out) is np.ndarray and any(
            out is a or out.base is not None and np.may_share_memory(out, a)
            for a in inputs if type(a) is np.ndarray):
        return out.copy()
    return out


def _saved_params(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters a recorded op keeps for backward, with private copies of any arrays in them
    (an index, clip bounds), which the caller could otherwise change before backward."""
    if any(type(v) is np.ndarray or type(v) is tuple for v in params.values()):
        return {k: _private_param(v) for k, v in params.items()}
    return params


def _private_param(v: Any) -> Any:
    if type(v) is np.ndarray:
        return v.copy()
    if type(v) is tuple and any(type(i) is np.ndarray for i in v):
        return tuple(i.copy() if type(i) is np.ndarray else i for i in v)
    return v


def _op_error(op: Op, args: Any, e: Exception) -> Exception:
    """The forward's error, saying which op and which input shapes: same type where it can be
    rebuilt from a message (np.linalg.LinAlgError can), else its builtin base class."""
    message = f"{op.name}: inputs of shapes {', '.join(str(np.shape(a)) for a in args)}: {e}"
    try:
        return type(e)(message)
    except TypeError:
        base = next(t for t in (ValueError, IndexError, TypeError) if isinstance(e, t))
        return base(message)


_PY_SCALARS = (float, int, bool, complex)
_new = object.__new__  # a node without __init__'s checks: apply sets every slot itself
_NO_PARAMS: dict[str, Any] = {}  # shared, never written: ops keep params read-only


class Tensor:
    """An array that remembers how it was computed. ``Tensor(value, requires_grad=True)``.

    >>> x = Tensor([1.0, -2.0])
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([ 2., -4.])
    """

    # _ctx is None for a leaf or a constant, else (op, parents, args, params): the op that made
    # this node, its parents (None where an input needs no gradient), the input values the VJP
    # rules read, and the op's parameters. One attribute keeps recording an op cheap.
    # _value is the engine's own array (caller arrays are copied in, numeric.copies); the
    # ``value`` property hands it out read-only, so no write can reach a saved value.
    __slots__ = ("_value", "grad", "requires_grad", "_ctx", "_pending", "__weakref__")
    __array_priority__ = 100

    def __init__(self, value: Any, requires_grad: bool = True) -> None:
        if isinstance(value, (list, tuple)) and _holds_tracked(value):
            raise TypeError("Tensor([...]) of Tensors would drop their gradients: "
                            "use numeric.stack([...]) or numeric.concatenate([...])")
        # A copy: the caller's array stays theirs, and writing to it cannot change a gradient.
        self._value = value._value if isinstance(value, Tensor) else private(value)
        self.grad = None
        self._pending = None
        self.requires_grad = bool(requires_grad)
        self._ctx = None

    @property
    def value(self) -> np.ndarray:
        """The numbers, read-only: recorded ops saved them for backward, so a write would
        silently change gradients (build a new Tensor instead)."""
        v = self._value
        if v.flags.writeable:
            v.flags.writeable = False
        return v

    @value.setter
    def value(self, value: Any) -> None:
        if getattr(self, "_ctx", None) is not None:
            raise AttributeError(f"cannot replace the value of a Tensor made by op "
                                 f"{self._ctx[0].name!r}: its VJP reads it; build a new Tensor")
        self._value = private(value)

    # -- array-like attributes ----------------------------------------------------------------
    shape = property(lambda self: self.value.shape)
    ndim = property(lambda self: self.value.ndim)
    size = property(lambda self: self.value.size)
    dtype = property(lambda self: self.value.dtype)
    T = property(lambda self: apply("transpose", self))
    is_leaf = property(lambda self: self._ctx is None)
    op = property(lambda self: self._ctx[0] if self._ctx else None, doc="the op that made it")
    parents = property(lambda self: self._ctx[1] if self._ctx else (), doc="its recorded inputs")
    args = property(lambda self: self._ctx[2] if self._ctx else None, doc="saved input values")
    params = property(lambda self: self._ctx[3] if self._ctx else None, doc="the op's parameters")

    def __len__(self) -> int:
        return len(self.value)

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self.value)))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # np.asarray(t) and friends bypass NumPy's dispatch: for a Tensor on a recorded graph
        # they would silently drop its gradient, so they are refused there (as in PyTorch).
        if self.requires_grad and _state.grad_enabled:
            raise TypeError("converting a Tensor that requires grad to a NumPy array would drop "
                            "its gradient: use t.value (or t.detach()) for the numbers, or a "
                            "NumPy function the engine supports")
        return self.value if dtype is None else self.value.astype(dtype)

    def __float__(self) -> float:
        return float(self.value)

    def item(self) -> Any:
        return self.value.item()

    def numpy(self) -> np.ndarray:
        return self.value

    def detach(self) -> Tensor:
        return Tensor(self, requires_grad=False)  # shares the read-only value

    def zero_grad(self) -> None:
        self.grad = None

    def __repr__(self) -> str:
        body = np.array2string(self.value, precision=4, separator=", ", prefix="Tensor(")
        tail = f", op={self.op.name}" if self.op is not None else ""
        tail += ", requires_grad=True" if self.requires_grad and self.op is None else ""
        return f"Tensor({body}{tail})"

    # -- arithmetic ---------------------------------------------------------------------------
    def __add__(self, y): return _apply2("add", self, y, _NO_PARAMS)
    def __radd__(self, x): return _apply2("add", x, self, _NO_PARAMS)
    def __sub__(self, y): return _apply2("subtract", self, y, _NO_PARAMS)
    def __rsub__(self, x): return _apply2("subtract", x, self, _NO_PARAMS)
    def __mul__(self, y): return _apply2("multiply", self, y, _NO_PARAMS)
    def __rmul__(self, x): return _apply2("multiply", x, self, _NO_PARAMS)
    def __truediv__(self, y): return _apply2("divide", self, y, _NO_PARAMS)
    def __rtruediv__(self, x): return _apply2("divide", x, self, _NO_PARAMS)
    def __pow__(self, y): return _apply2("power", self, y, _NO_PARAMS)
    def __rpow__(self, x): return _apply2("power", x, self, _NO_PARAMS)
    def __matmul__(self, y): return _apply2("matmul", self, y, _NO_PARAMS)
    def __rmatmul__(self, x): return _apply2("matmul", x, self, _NO_PARAMS)
    def __neg__(self): return apply("negative", self)
    def __abs__(self): return apply("abs", self)
    def __getitem__(self, index): return apply("getitem", self, index=_plain_index(index))

    # Comparisons are not differentiable: they return plain boolean arrays.
    def __lt__(self, y): return self.value < _value(y)
    def __le__(self, y): return self.value <= _value(y)
    def __gt__(self, y): return self.value > _value(y)
    def __ge__(self, y): return self.value >= _value(y)
    def __eq__(self, y): return self.value == _value(y)  # type: ignore[override]
    def __ne__(self, y): return self.value != _value(y)  # type: ignore[override]
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return bool(self.value)

    # -- methods ------------------------------------------------------------------------------
    def exp(self): return apply("exp", self)
    def log(self): return apply("log", self)
    def sqrt(self): return apply("sqrt", self)
    def tanh(self): return apply("tanh", self)
    def abs(self): return apply("abs", self)
    def maximum(self, y): return apply("maximum", self, y)
    def minimum(self, y): return apply("minimum", self, y)
    def sum(self, axis=None, keepdims=False):
        return apply("sum", self, axis=_axis(axis), keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return apply("mean", self, axis=_axis(axis), keepdims=keepdims)

    def transpose(self, *axes): return apply("transpose", self, axes=_shape_arg(axes) or None)
    def swapaxes(self, axis1, axis2): return apply("swapaxes", self, axis1=axis1, axis2=axis2)
    # model-building ops (issue 6)
    def sin(self): return apply("sin", self)
    def cos(self): return apply("cos", self)
    def tan(self): return apply("tan", self)
    def sinh(self): return apply("sinh", self)
    def cosh(self): return apply("cosh", self)
    def log1p(self): return apply("log1p", self)
    def expm1(self): return apply("expm1", self)
    def square(self): return apply("square", self)
    def sigmoid(self): return apply("sigmoid", self)
    def relu(self): return apply("relu", self)
    def softplus(self): return apply("softplus", self)
    def clip(self, a_min, a_max): return apply("clip", self, a_min=a_min, a_max=a_max)
    def max(self, axis=None, keepdims=False):
        return apply("max", self, axis=_axis(axis), keepdims=keepdims)
    def min(self, axis=None, keepdims=False):
        return apply("min", self, axis=_axis(axis), keepdims=keepdims)
    def prod(self, axis=None, keepdims=False):
        return apply("prod", self, axis=_axis(axis), keepdims=keepdims)
    def var(self, axis=None, keepdims=False, ddof=0):
        return apply("var", self, axis=_axis(axis), keepdims=keepdims, ddof=ddof)
    def std(self, axis=None, keepdims=False, ddof=0):
        return apply("std", self, axis=_axis(axis), keepdims=keepdims, ddof=ddof)
    def logsumexp(self, axis=None, keepdims=False):
        return apply("logsumexp", self, axis=_axis(axis), keepdims=keepdims)
    def softmax(self, axis=-1): return apply("softmax", self, axis=axis)
    def log_softmax(self, axis=-1): return apply("log_softmax", self, axis=axis)
    def squeeze(self, axis=None): return apply("squeeze", self, axis=axis)
    def flip(self, axis=None): return apply("flip", self, axis=_axis(axis))
    def dot(self, y): return apply("dot", self, y)
    def trace(self, offset=0, axis1=0, axis2=1):
        return apply("trace", self, offset=offset, axis1=axis1, axis2=axis2)
    def diagonal(self, offset=0, axis1=0, axis2=1):
        return apply("diagonal", self, offset=offset, axis1=axis1, axis2=axis2)

    def reshape(self, *shape):
        return apply("reshape", self, shape=_shape_arg(shape))

    def backward(self, g: Any = None, *, retain_graph: bool = False,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf), contracted with ``g``, into every ``.grad`` on the graph.

        ``g`` defaults to 1 for a single-element Tensor. The graph's saved values are released
        afterwards unless ``retain_graph``; ``create_graph`` records the backward pass itself,
        so gradients can be differentiated again.
        """
        from numeric.autodiff import backward

        backward(self, g, retain_graph=retain_graph, create_graph=create_graph)

    # -- NumPy dispatch -----------------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__":
            raise TypeError(f"numpy.{ufunc.__name__}.{method} is not supported on Tensor")
        if kwargs:
            raise TypeError(f"numpy.{ufunc.__name__} on Tensor takes no keyword arguments "
                            f"(got {', '.join(sorted(kwargs))})")
        name = _UFUNCS.get(ufunc)
        if name is not None:
            return apply(name, *inputs)
        if ufunc in _CONSTANT_UFUNCS:
            return ufunc(*(_value(x) for x in inputs))
        raise TypeError(f"numpy.{ufunc.__name__} is not supported on Tensor: "
                        "register an Op for it (numeric.register)")

    def __array_function__(self, func, types, args, kwargs):
        handler = _FUNCTIONS.get(func)
        if handler is not None:
            try:
                return handler(*args, **kwargs)
            except TypeError as e:
                _check_call(func, handler, args, kwargs)
                raise e
        if func in _CONSTANT_FUNCTIONS:
            return func(*_values(args), **{k: _values(v) for k, v in kwargs.items()})
        raise TypeError(f"{_numpy_name(func)} is not supported on Tensor: "
                        "register an Op for it (numeric.register)")


def _numpy_name(func: Any) -> str:
    module = getattr(func, "__module__", None) or "numpy"
    module = "numpy" if module.startswith("numpy._core") or module == "numpy" else module
    return f"{module.replace('numpy.linalg._linalg', 'numpy.linalg')}.{func.__name__}"


def _check_call(func: Any, handler: Any, args: tuple, kwargs: dict) -> None:
    """Only after a TypeError: if the call does not fit what the engine supports, say so."""
    try:
        inspect.signature(handler).bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{_numpy_name(func)} on Tensor: {e}") from None
    except ValueError:  # a builtin without a signature: nothing more to say
        pass


def _holds_tracked(seq: Any) -> bool:
    """Whether a nested list/tuple holds a Tensor that requires grad (iteratively)."""
    stack = [seq]
    while stack:
        for v in stack.pop():
            if isinstance(v, Tensor) and v.requires_grad:
                return True
            if isinstance(v, (list, tuple)):
                stack.append(v)
    return False


def _value(x: Any) -> Any:
    return x.value if isinstance(x, Tensor) else x


def _values(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.value
    if isinstance(x, (tuple, list)):
        return type(x)(_values(v) for v in x)
    return x


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _shape_arg(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _plain_index(index: Any) -> Any:
    """Indices are not differentiated: Tensor indices become their values, lists arrays."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.value
    if isinstance(index, list):
        return np.asarray(index) if index else np.asarray(index, dtype=np.intp)
    return index


# NumPy callables that are not differentiable: evaluated on values, they give constants.
_CONSTANT_UFUNCS = frozenset({
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
    np.isfinite, np.isnan, np.isinf, np.signbit, np.floor, np.ceil, np.trunc, np.rint,
    np.heaviside,
})
_CONSTANT_FUNCTIONS = frozenset({
    np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj,
    np.ones_like, np.zeros_like, np.empty_like, np.full_like,
    np.allclose, np.isclose, np.array_equal, np.argmax, np.argmin, np.argsort,
    np.count_nonzero, np.nonzero, np.array_repr, np.array_str, np.array2string,
})
_UFUNCS: dict[Any, str] = {}
_FUNCTIONS: dict[Any, Any] = {}


def _reduction(name: str):
    def call(a, axis=None, dtype=None, out=None, keepdims=False, **rest):
        if dtype is not None or out is not None or rest:
            raise TypeError(f"numpy.{name} on Tensor supports only axis and keepdims")
        return apply(name, a, axis=_axis(axis), keepdims=bool(keepdims))
    return call


def _dispatch_table() -> None:
    """Map each registered op's NumPy callables to it (re-run when an op is registered)."""
    special = {
        np.sum: _reduction("sum"),
        np.mean: _reduction("mean"),
        np.reshape: lambda a, shape=None, **kw: apply("reshape", a, shape=_shape_of(shape, kw)),
        np.transpose: lambda a, axes=None: apply(
            "transpose", a, axes=None if axes is None else tuple(axes)),
        np.swapaxes: lambda a, axis1, axis2: apply("swapaxes", a, axis1=axis1, axis2=axis2),
        np.expand_dims: lambda a, axis: apply("expand_dims", a, axis=axis),
        np.squeeze: lambda a, axis=None: apply("squeeze", a, axis=axis),
        np.broadcast_to: lambda a, shape, subok=False: apply(
            "broadcast_to", a, shape=tuple(np.atleast_1d(shape))),
        np.where: _where,
    }
    from numeric.functions import DISPATCH  # the model-building ops' NumPy entries

    special.update(DISPATCH)
    for op in all_ops().values():
        for f in op.numpy:
            if isinstance(f, np.ufunc):
                _UFUNCS.setdefault(f, op.name)
            elif f in special:
                _FUNCTIONS.setdefault(f, special[f])
            elif callable(f) and f not in _FUNCTIONS:
                _FUNCTIONS[f] = (lambda name: lambda *a, **kw: apply(name, *a, **kw))(op.name)


def _where(condition: Any, x: Any = None, y: Any = None) -> Tensor:
    if x is None or y is None:
        raise TypeError("numpy.where on Tensor needs both branches, np.where(c, x, y); "
                        "np.where(c) alone gives indices: call it on t.value")
    return apply("where", _value(condition), x, y)


def _shape_of(shape: Any, kw: dict) -> tuple:
    shape = kw.pop("newshape", shape) if shape is None else shape
    if kw.get("order", "C") != "C":
        raise TypeError("numpy.reshape on Tensor supports only order='C'")
    return tuple(np.atleast_1d(shape).tolist()) if not isinstance(shape, int) else (shape,)
