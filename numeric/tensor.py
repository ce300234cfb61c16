"""``Tensor``: an ndarray that records the ops applied to it, and ``apply``, which records one.

A Tensor is a graph node: its ``value``, the ``op`` that made it, its ``parents`` (a Tensor, or
``None`` for an input that needs no gradient) and the input values the op's VJP rules need.
Operators call :func:`apply`; NumPy's dispatch protocols and the methods the op records name
(``t.sum(axis=0)``) are installed by ``numeric.dispatch``: plain NumPy code is differentiated.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from numeric.backprop import Node, backward, ordered
from numeric.copies import private, saved_params, unshared
from numeric.mode import enabled, is_grad_enabled, no_grad
from numeric.op import _REGISTRY, Op, get_op, op_error

__all__ = ["Tensor", "apply", "no_grad", "is_grad_enabled"]


def apply(op: Op | str, *inputs: Any, **params: Any) -> Tensor:
    """Run ``op``'s forward on the inputs' values and record the node for backward."""
    if type(op) is str:
        op = _REGISTRY.get(op) or get_op(op)
    if len(inputs) == 2:
        return _apply2(op, inputs[0], inputs[1], params)
    if len(inputs) != len(op.vjp):
        op = op.arity(len(inputs))  # a variadic op bound to n inputs, else a TypeError
    track = enabled()
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
            params = saved_params(params)
    out = _forward(op, args, params)
    if plain is not None and not tracked:
        out = unshared(out, [args[i] for i in plain])
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
    track = enabled()
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
        raise op_error(op, (x, y), e) from e
    if caller and px is None and py is None:
        out = unshared(out, (x, y))
    node = _new(Tensor)
    node._value = out if type(out) is np.ndarray else np.asarray(out)
    node.grad = None
    node._pending = None
    if px is None and py is None:
        node._ctx = None
        node.requires_grad = False
    else:
        node._ctx = (op, (px, py), (x, y), saved_params(params) if params else params)
        node.requires_grad = True
    return node


def _forward(op: Op, args: list[Any], params: dict[str, Any]) -> np.ndarray:
    try:
        out = op.fwd(*args, **params)
    except (ValueError, IndexError, TypeError) as e:
        raise op_error(op, args, e) from e
    return out if type(out) is np.ndarray else np.asarray(out)


_PY_SCALARS = (float, int, bool, complex)
_new = object.__new__  # a node without __init__'s checks: apply sets every slot itself
_NO_PARAMS: dict[str, Any] = {}  # shared, never written: ops keep params read-only


class Tensor(Node):
    """An array that remembers how it was computed. ``Tensor(value, requires_grad=True)``.

    >>> x = Tensor([1.0, -2.0])
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([ 2., -4.])
    """

    # Slots (numeric.backprop.Node): _ctx is None for a leaf or a constant, else (op, parents,
    # args, params) — one attribute keeps recording cheap; _value is the engine's own array
    # (caller arrays are copied in, numeric.copies), handed out read-only by ``value``.
    __slots__ = ()
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
    shape = property(lambda self: self._value.shape)
    ndim = property(lambda self: self._value.ndim)
    size = property(lambda self: self._value.size)
    dtype = property(lambda self: self._value.dtype)
    T = property(lambda self: apply("transpose", self))
    # ndarray's real and imag attributes, differentiable (the records' np.real / np.imag)
    real = property(lambda self: apply("real", self), doc="the real part, as np.real(t)")
    imag = property(lambda self: apply("imag", self), doc="the imaginary part, as np.imag(t)")
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
        _keeps_gradient(self, "a NumPy array")  # np.asarray(t) bypasses dispatch
        if copy or dtype is not None:  # np.array(t) copies, as for an ndarray: a writable copy
            return self._value.astype(dtype or self._value.dtype)
        return self.value  # np.asarray(t): a read-only view, like t.value

    def __float__(self) -> float:
        _keeps_gradient(self, "a Python float")  # float(x) * x would differentiate as c * x
        return float(self._value)

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

    def __format__(self, spec: str) -> str:  # f"{loss:.4f}" formats the value, as for an ndarray
        return format(self.value, spec) if spec else str(self)

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

    # Comparisons are not differentiable: they return plain boolean arrays (real numbers only).
    def __lt__(self, y): return np.less(*ordered(self.value, _value(y), "<"))
    def __le__(self, y): return np.less_equal(*ordered(self.value, _value(y), "<="))
    def __gt__(self, y): return np.greater(*ordered(self.value, _value(y), ">"))
    def __ge__(self, y): return np.greater_equal(*ordered(self.value, _value(y), ">="))
    def __eq__(self, y): return self.value == _value(y)  # type: ignore[override]
    def __ne__(self, y): return self.value != _value(y)  # type: ignore[override]
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return bool(self.value)

    def backward(self, g: Any = None, *, retain_graph: bool = False,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf), contracted with ``g``, into every ``.grad`` on the graph.

        ``g`` defaults to 1 for a single-element Tensor. The graph's saved values are released
        afterwards unless ``retain_graph``; ``create_graph`` records the backward pass itself,
        so gradients can be differentiated again.
        """
        backward(self, g, retain_graph=retain_graph, create_graph=create_graph)


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


def _plain_index(index: Any) -> Any:
    """Indices are not differentiated: Tensor indices become their values, lists arrays."""
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.value
    if isinstance(index, list):
        return np.asarray(index) if index else np.asarray(index, dtype=np.intp)
    return index


def _keeps_gradient(t: Tensor, into: str) -> None:
    """Refuse a conversion that would silently drop a gradient being recorded."""
    if t.requires_grad and enabled():
        raise TypeError(f"converting a Tensor that requires grad to {into} would drop its "
                        "gradient: use t.value or t.item() for the numbers, np.stack or "
                        "numeric.numpy.array for a list of Tensors")
