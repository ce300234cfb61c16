"""The op record, the kind of an op, the op registry, and ``unbroadcast``.

An :class:`Op` is one row of the op table (``numeric/ops/``) and the *only* declaration of an
op: a NumPy forward, one raw VJP rule per input, the convention at non-differentiable points,
the domain its inputs are sampled from, its shape cases, and how NumPy calls and Tensor methods
bind to it. Dispatch, Tensor methods, ``numeric.functions``, ``derive``, ``verify`` and the
report all read the record; registering one (:func:`register`) is all a user op needs.

A raw rule ``vjp[i](g, out, *xs, **params)`` returns the cotangent of input ``i`` *before*
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

from numeric.kind import Case, Kind
from numeric.kinds import ELEMENTWISE

__all__ = ["Domain", "Cut", "Kink", "Case", "Kind", "Op", "register", "unregister", "get_op",
           "all_ops", "unbroadcast", "bind_inputs", "op_error"]


@dataclass(frozen=True)
class Cut:
    """A branch cut on complex inputs: where the op's principal branch jumps. The segment
    [low, high] (either end may be infinite) of the line Im z = ``at`` (``along="real"``) or of
    Re z = ``at`` (``along="imag"``): log's is ``Cut(-inf, 0)``, arctan's ``Cut(1, inf,
    "imag")`` and ``Cut(-inf, -1, "imag")``."""

    low: float
    high: float
    along: str = "real"
    at: float = 0.0

    def distance(self, z: Any) -> np.ndarray:
        """The distance of each entry of ``z`` from the cut."""
        z = np.asarray(z, dtype=complex)
        u, v = (z.real, z.imag) if self.along == "real" else (z.imag, z.real)
        return np.hypot(np.maximum(np.maximum(self.low - u, u - self.high), 0.0), v - self.at)

    def __str__(self) -> str:
        def end(t: float) -> str:
            return ("-∞" if t < 0 else "∞") if np.isinf(t) else f"{t:g}"
        seg = f"{'(' if np.isinf(self.low) else '['}{end(self.low)}, {end(self.high)}" \
              f"{')' if np.isinf(self.high) else ']'}"
        if self.along == "real":
            return seg + (f" + {self.at:g}i" if self.at else "") + " on the real axis"
        return ("i·" + seg) + (f" + {self.at:g}" if self.at else "") + " on the imaginary axis"


@dataclass(frozen=True)
class Domain:
    """Where an input is sampled: uniform on [low, high], staying ``margin`` away from ``avoid``.

    ``cuts``: the op's branch cuts on complex inputs; complex samples then cover the square
    [-2, 2]² staying ``2 margin`` away from them (else both parts are drawn from [low, high]),
    and ``verify`` reports a given complex input within ``margin`` of one as on the cut."""

    low: float = -2.0
    high: float = 2.0
    avoid: tuple[float, ...] = ()
    margin: float = 0.05
    kind: str = "real"  # "real"; "bool" for a condition; "invertible" / "spd" square matrices;
    # "full rank", "distinct singular values", "distinct eigenvalues" (numeric.cases samples them)
    cuts: tuple[Cut, ...] = ()

    def on_cut(self, z: Any) -> np.ndarray:
        """A boolean mask of the entries of complex ``z`` within ``margin`` of a branch cut."""
        z = np.asarray(z)
        out = np.zeros(z.shape, dtype=bool)
        for cut in self.cuts if z.dtype.kind == "c" else ():
            out |= cut.distance(z) < self.margin
        return out

    def outside(self, x: Any) -> np.ndarray:
        """A boolean mask of the entries of ``x`` that lie outside this domain."""
        x = np.asarray(x)
        if self.kind == "bool" or x.dtype.kind in "bO":
            return np.zeros(x.shape, dtype=bool)
        out = ~np.isfinite(x) | (x < self.low) | (x > self.high)
        for point in self.avoid:
            out |= np.abs(x - point) < self.margin / 2
        return out


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


def bind_inputs(*inputs: Any, **params: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The default binder: positional arguments are inputs, keyword arguments parameters."""
    return inputs, params


Binder = Callable[..., tuple]  # NumPy's call signature -> (inputs, params[, finish])


@dataclass(frozen=True, eq=False)
class Op:
    """One op: forward, one raw VJP rule per input (``None``: not differentiated), conventions.

    ``kind`` says which shapes fit the op (``numeric.kinds``); ``cases`` overrides its default
    cases. ``bind`` turns a NumPy-style call into ``(inputs, params)`` — or ``(inputs, params,
    finish)`` where ``finish(result, *args)`` shapes what the call returns (slogdet's sign) —
    and is used for every NumPy callable in ``numpy`` and Tensor method in ``methods``; an entry
    may be a pair ``(callable_or_name, binder)`` when one call form differs (``t.reshape(2, 3)``).
    ``sym`` is a SymPy forward for the rare op whose NumPy forward cannot run on arrays of
    symbols (derive maps the rest); it must not import SymPy until called.
    ``exact_point(shapes, params, rng)``, for an op with no exact form (LAPACK's
    decompositions), builds an input whose output is known exactly, with its defining
    equations (``numeric.ops.exact_points.ExactPoint``): derive checks the rule there.

    A variadic op (concatenate, stack, einsum) takes any number of inputs: ``each(i, g, out,
    *xs, **params)`` is its rule for input ``i``, and ``vjp`` holds it bound to two inputs (the
    table's row, what its cases use); :meth:`arity` gives the same op bound to ``n`` inputs.

    ``complex``: the op is defined on complex inputs and its rules follow autograd's convention
    (docs/numeric.md, "Complex numbers"); backward refuses a complex input of an op without it,
    and ``verify --dtype complex128`` checks only the ops with it.
    """

    name: str
    fwd: Callable[..., Any]
    vjp: tuple[Callable[..., Any] | None, ...]
    domain: tuple[Domain, ...] = ()
    kink: Kink | None = None
    kind: Kind = ELEMENTWISE
    cases: tuple[Case, ...] = ()
    bind: Binder = bind_inputs
    numpy: tuple[Any, ...] = ()
    methods: tuple[Any, ...] = ()
    sym: Callable[..., Any] | None = None
    doc: str = ""
    each: Callable[..., Any] | None = None
    complex: bool = False
    exact_point: Callable[..., Any] | None = None

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

    def binders(self) -> list[tuple[Any, Binder]]:
        """``(NumPy callable or method name, binder)`` for every call form of the op."""
        return [e if isinstance(e, tuple) else (e, self.bind) for e in self.numpy + self.methods]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Apply the op through the engine, with its NumPy-style call form: ``op(x, axis=0)``."""
        return _ENGINE["call"](self, self.bind, args, kwargs)

    def __repr__(self) -> str:
        return f"Op({self.name!r}, nargs={self.nargs})"


@functools.lru_cache(maxsize=256)
def _bound(op: Op, n: int) -> Op:
    return dataclasses.replace(op, vjp=tuple(functools.partial(op.each, i) for i in range(n)))


_REGISTRY: dict[str, Op] = {}
# The engine (numeric.dispatch) installs "call" and a "registered" hook here when it loads, so
# that this module, which everything imports, imports nothing of the engine.
_ENGINE: dict[str, Callable[..., Any]] = {}


def register(op: Op, *, replace: bool = False) -> Op:
    """Add ``op`` to the table and return it; it then behaves exactly like a built-in.

    Its NumPy callables dispatch to it, its Tensor methods exist, ``op(x, ...)`` applies it,
    and ``derive``, ``verify`` and the report see it.
    """
    if not isinstance(op, Op):
        raise TypeError(f"register expects an Op record, got {type(op).__name__}")
    if op.name in _REGISTRY and not replace:
        raise ValueError(f"an op named {op.name!r} is already registered (pass replace=True)")
    if not op.vjp:
        raise ValueError(f"op {op.name!r} declares no VJP rule: give one per input "
                         "(None where an input is not differentiable)")
    before = _REGISTRY.get(op.name)
    _REGISTRY[op.name] = op
    hook = _ENGINE.get("registered")
    # A record with no NumPy call forms or methods, replacing none that had any, leaves the
    # dispatch tables as they are: a primitive re-declared by defvjp rebuilds nothing.
    if hook is not None and (op.numpy or op.methods or before is not None and (
            before.numpy or before.methods)):
        try:
            hook(op)  # derives dispatch and methods; refuses a record that cannot have them
        except Exception:
            if before is None:
                del _REGISTRY[op.name]
            else:
                _REGISTRY[op.name] = before
            raise
    return op


def unregister(name: str) -> Op:
    """Remove the op named ``name`` from the table (its dispatch and methods go with it)."""
    op = get_op(name)
    del _REGISTRY[name]
    hook = _ENGINE.get("registered")
    if hook is not None and (op.numpy or op.methods):
        hook(op)
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


def op_error(op: Op, args: Any, e: Exception) -> Exception:
    """The forward's error, saying which op and which input shapes: same type where it can be
    rebuilt from a message (np.linalg.LinAlgError can), else its builtin base class."""
    message = f"{op.name}: inputs of shapes {', '.join(str(np.shape(a)) for a in args)}: {e}"
    try:
        return type(e)(message)
    except TypeError:
        base = next(t for t in (ValueError, IndexError, TypeError) if isinstance(e, t))
        return base(message)
