"""The op record, the op registry, and ``unbroadcast`` — the one place broadcasting is undone.

An :class:`Op` is one row of the op table (``numeric/ops.py``): a NumPy forward, one raw VJP rule
per input, the convention at non-differentiable points, and the domain its inputs are sampled
from. A raw rule ``vjp[i](g, out, *xs, **params)`` returns the cotangent of input ``i`` *before*
broadcasting is undone; the engine then calls :func:`unbroadcast`. Keeping the two apart lets
``verify`` see a rule's own output shape before a sum could hide a bug.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Domain", "Kink", "Op", "register", "get_op", "all_ops", "unbroadcast"]


@dataclass(frozen=True)
class Domain:
    """Where an input is sampled: uniform on [low, high], staying ``margin`` away from ``avoid``."""

    low: float = -2.0
    high: float = 2.0
    avoid: tuple[float, ...] = ()
    margin: float = 0.05
    kind: str = "real"  # "real"; "bool" for a condition; "invertible" / "spd" square matrices


REALS = Domain()
POSITIVE = Domain(0.2, 3.0)
BOOL = Domain(kind="bool")


@dataclass(frozen=True)
class Kink:
    """An op's declared convention where it is not differentiable.

    ``place(*xs)`` moves sampled inputs onto the kink (e.g. ``y := x`` for a tie), and
    ``slope[i]`` is the derivative the engine uses there for input ``i`` of an elementwise op.
    """

    text: str
    place: Callable[..., tuple[Any, ...]]
    slope: tuple[float, ...]


@dataclass(frozen=True, eq=False)
class Op:
    """One op: forward, one raw VJP rule per input (``None``: not differentiated), conventions.

    ``signature`` tells samplers which shapes and parameters fit the op (``elementwise``,
    ``matmul``, ``reduce``, ``reshape``, ``transpose``, ``swapaxes``, ``expand_dims``,
    ``squeeze``, ``broadcast_to``, ``index``, ``where``; the model-building ops add ``clip``,
    ``moment``, ``softmax``, ``concatenate``, ``stack``, ``flip``, ``pad``, ``dot``, ``outer``,
    ``einsum``, ``diagonal``, ``square``, ``solve``, ``norm``). ``numpy`` lists the NumPy
    callables that dispatch to this op when given a Tensor. ``sym`` is an optional SymPy forward
    for ops whose NumPy forward cannot run on arrays of symbols: ``sym(*xs, **params)`` takes
    object arrays of SymPy expressions (or ``sympy.Matrix``) and returns an object array.

    A variadic op (concatenate, stack, einsum) takes any number of inputs: ``each(i, g, out,
    *xs, **params)`` is its rule for input ``i``, and ``vjp`` holds it bound to two inputs (the
    table's row, what its cases use); :meth:`arity` gives the same op bound to ``n`` inputs.
    """

    name: str
    fwd: Callable[..., Any]
    vjp: tuple[Callable[..., Any] | None, ...]
    domain: tuple[Domain, ...] = ()
    kink: Kink | None = None
    signature: str = "elementwise"
    numpy: tuple[Any, ...] = ()
    sym: Callable[..., Any] | None = None
    doc: str = ""
    cases: tuple[Any, ...] = ()  # numeric.cases.Case records; empty: the signature's defaults
    each: Callable[..., Any] | None = None  # a variadic op's rule for any input position

    @property
    def nargs(self) -> int:
        return len(self.vjp)

    def arity(self, n: int) -> Op:
        """This op taking ``n`` inputs (a variadic op's rule bound to each position)."""
        if n == len(self.vjp):
            return self
        if self.each is None:
            raise TypeError(f"{self.name} takes {len(self.vjp)} inputs, got {n}")
        return _bound(self, n)

    def domains(self) -> tuple[Domain, ...]:
        return self.domain or (REALS,) * self.nargs

    def __repr__(self) -> str:
        return f"Op({self.name!r}, nargs={self.nargs})"


@functools.lru_cache(maxsize=256)
def _bound(op: Op, n: int) -> Op:
    return dataclasses.replace(op, vjp=tuple(functools.partial(op.each, i) for i in range(n)))


_REGISTRY: dict[str, Op] = {}


def register(op: Op, *, replace: bool = False) -> Op:
    """Add ``op`` to the table; user ops registered here behave exactly like built-ins."""
    if not isinstance(op, Op):
        raise TypeError(f"register expects an Op record, got {type(op).__name__}")
    if op.name in _REGISTRY and not replace:
        raise ValueError(f"an op named {op.name!r} is already registered (pass replace=True)")
    if not op.vjp:
        raise ValueError(f"op {op.name!r} declares no VJP rule: give one per input "
                         "(None where an input is not differentiable)")
    _REGISTRY[op.name] = op
    return op


def get_op(name: str) -> Op:
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"no op named {name!r}; known ops: {known}") from None


def all_ops() -> dict[str, Op]:
    """A copy of the table: name -> Op, in registration order."""
    return dict(_REGISTRY)


def unbroadcast(g: Any, shape: tuple[int, ...], dtype: Any = None, where: str = "") -> Any:
    """Sum ``g`` over the axes broadcasting added or stretched, so it has ``shape``.

    "Unbroadcast is sum in reverse": every broadcast copy of an input contributes to the total
    derivative. Written as NumPy calls so it also runs on Tensors (higher order) and on arrays of
    SymPy symbols (derive). A complex cotangent for a real input keeps its real part.
    """
    if type(g) is np.ndarray and g.shape == shape and g.dtype.kind != "c":
        return g  # the common case, kept cheap: nothing was broadcast
    gshape = np.shape(g)
    if gshape != shape:
        lead = len(gshape) - len(shape)
        if lead < 0 or any(n != 1 and n != m for n, m in zip(shape, gshape[lead:])):
            raise ValueError(
                f"{where or 'unbroadcast'}: a cotangent of shape {gshape} cannot be summed down to "
                f"the input's shape {shape}: the raw VJP rule returned a wrong shape"
            )
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1
        )
        if axes:
            g = np.sum(g, axis=axes, keepdims=True)
        if lead:
            g = np.reshape(g, shape)
    if dtype is not None and np.iscomplexobj(g) and not np.issubdtype(dtype, np.complexfloating):
        g = np.real(g)
    return g
