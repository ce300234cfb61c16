"""Standard shape cases per op: the notebook's cases plus every kind of broadcasting.

A :class:`Case` is input shapes and op parameters. ``standard_cases(op)`` returns an op's own
``op.cases`` when it declares them, else the defaults for its ``signature`` and arity. These
are the fixed cases ``derive`` proves and ``verify`` checks; hypothesis strategies for random
cases live in ``verify.strategies``. Shapes are small on purpose: symbolic expression size
grows fast with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from numeric.op import Op

__all__ = ["Case", "standard_cases", "has_standard_cases", "sample_inputs"]


@dataclass(frozen=True)
class Case:
    """Input shapes and op parameters, with a label saying what the case exercises."""

    shapes: tuple[tuple[int, ...], ...]
    params: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    def __str__(self) -> str:
        shapes = " ; ".join("x".join(map(str, s)) if s else "()" for s in self.shapes)
        extra = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{shapes}" + (f" [{extra}]" if extra else "")


def _c(*shapes: tuple[int, ...], label: str = "", **params: Any) -> Case:
    return Case(tuple(tuple(s) for s in shapes), params, label)


UNARY = (
    _c((), label="0-d"),
    _c((3,), label="vector"),
    _c((2, 3), label="matrix"),
    _c((2, 1, 3), label="3-d with a size-1 axis"),
)
BINARY = (
    _c((), (), label="0-d, 0-d"),
    _c((3,), (3,), label="same shape"),
    _c((2, 3), (2, 3), label="same shape, matrix"),
    _c((2, 3), (), label="0-d y broadcast"),
    _c((), (2, 3), label="0-d x broadcast"),
    _c((2, 3), (3,), label="missing leading axis"),
    _c((2, 1), (1, 3), label="size-1 axes stretched on both sides"),
    _c((1, 3), (2, 2, 1), label="missing axis and size-1 axes"),
)
MATMUL = (
    _c((3,), (3,), label="vector-vector (case 1)"),
    _c((2, 3), (3,), label="matrix-vector (case 2)"),
    _c((3,), (3, 4), label="vector-matrix"),
    _c((2, 3), (3, 4), label="matrix-matrix (case 3)"),
    _c((2, 2, 3), (3, 4), label="batched x, 2-d y"),
    _c((2, 3), (2, 3, 4), label="2-d x, batched y"),
    _c((2, 2, 3), (3,), label="batched x, 1-d y"),
    _c((3,), (2, 3, 4), label="1-d x, batched y"),
    _c((2, 1, 2, 3), (3, 3, 2), label="broadcast batch axes"),
)
REDUCE = (
    _c((), label="0-d, all axes"),
    _c((2, 3), label="all axes"),
    _c((2, 3), axis=0, label="axis 0"),
    _c((2, 3, 4), axis=-1, label="negative axis"),
    _c((2, 3, 4), axis=(0, 2), label="tuple of axes"),
    _c((2, 3), axis=1, keepdims=True, label="keepdims"),
    _c((2, 3, 4), axis=(0, -1), keepdims=True, label="tuple of axes, keepdims"),
    _c((2, 3), keepdims=True, label="all axes, keepdims"),
)
SQUARE = (  # square matrices (inv, det, slogdet, cholesky)
    _c((2, 2), label="2x2"), _c((3, 3), label="3x3"), _c((2, 2, 2), label="stack of matrices"),
)
BY_SIGNATURE: dict[str, tuple[Case, ...]] = {
    "square": SQUARE,
    "softmax": (_c((3,), label="vector"), _c((2, 3), label="rows"),
                _c((2, 3), axis=0, label="columns"), _c((2, 3, 4), axis=1, label="middle axis")),
    "moment": REDUCE[1:] + (_c((2, 3), axis=1, ddof=1, label="ddof=1"),),
    "diagonal": (_c((3, 3), label="square"), _c((2, 3), offset=1, label="offset 1"),
                 _c((3, 2), offset=-1, label="offset -1"),
                 _c((2, 3, 4), axis1=2, axis2=0, label="3-d, axis1 > axis2")),
    "matmul": MATMUL,
    "reduce": REDUCE,
    "reshape": (
        _c((2, 3), shape=(3, 2)), _c((6,), shape=(2, 3)), _c((2, 3), shape=(-1,)),
        _c((), shape=(1, 1)),
    ),
    "transpose": (
        _c((2, 3)), _c((2, 3, 4), axes=(1, 0, 2)), _c((2, 3, 4), axes=(2, 0, 1)),
    ),
    "swapaxes": (_c((2, 3, 4), axis1=0, axis2=2), _c((2, 3), axis1=-1, axis2=0)),
    "expand_dims": (_c((2, 3), axis=1), _c((3,), axis=(0, -1)), _c((), axis=0)),
    "squeeze": (_c((1, 3, 1)), _c((1, 3, 1), axis=0), _c((2, 1), axis=-1)),
    "broadcast_to": (
        _c((3,), shape=(2, 3)), _c((1, 3), shape=(4, 3)), _c((), shape=(2, 2)),
        _c((2, 1), shape=(3, 2, 4)),
    ),
    "index": (
        _c((4, 3), index=(1, slice(None)), label="row"),
        _c((5,), index=slice(1, 4), label="slice"),
        _c((4, 3), index=np.array([0, 2, 0]), label="repeated integer indices"),
        _c((2, 3, 4), index=(Ellipsis, 0), label="ellipsis"),
        _c((4, 3), index=(np.array([0, 3, 0]), np.array([2, 1, 2])), label="paired integer arrays"),
    ),
    "scatter": (
        _c((3,), index=np.array([0, 2, 0]), shape=(4,), label="repeated integer indices"),
        _c((3,), index=(1, slice(None)), shape=(2, 3), label="row"),
    ),
    "where": (
        _c((2, 3), (2, 3), (2, 3), label="same shape"),
        _c((2, 3), (), (3,), label="broadcast branches"),
        _c((2, 1), (1, 3), (), label="size-1 axes"),
    ),
}


def standard_cases(op: Op) -> tuple[Case, ...]:
    """The fixed shape cases for ``op``: its own, else its signature's defaults."""
    cases = getattr(op, "cases", ())
    if cases:
        return tuple(cases)
    if op.signature == "elementwise":
        return UNARY if op.nargs == 1 else BINARY if op.nargs == 2 else ()
    try:
        return BY_SIGNATURE[op.signature]
    except KeyError:
        raise KeyError(f"op {op.name!r}: no standard cases for signature {op.signature!r}; "
                       "declare cases=(Case(...), ...) in its Op record") from None


def has_standard_cases(op: Op) -> bool:
    """Whether ``standard_cases(op)`` has any (an op of an unknown signature has none)."""
    try:
        return bool(standard_cases(op))
    except KeyError:
        return False


def sample_inputs(op: Op, case: Case, rng: np.random.Generator,
                  dtype: Any = np.float64) -> list[np.ndarray]:
    """Random inputs for ``case`` inside each input's declared domain."""
    xs = []
    for shape, dom in zip(case.shapes, op.domains()):
        if dom.kind == "bool":
            xs.append(rng.random(shape) < 0.5)
            continue
        x = rng.uniform(dom.low, dom.high, size=shape)
        if dom.kind in ("invertible", "spd"):
            x = _square_matrices(x, dom.kind, rng)
        for point in dom.avoid:
            near = np.abs(x - point) < dom.margin
            x = np.where(near, point + np.where(x >= point, dom.margin, -dom.margin) * 2, x)
        xs.append(np.asarray(x, dtype=dtype))
    return xs


def _square_matrices(x: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Well-conditioned matrices: diagonally dominant with random row signs, or u uᵀ + n I."""
    n = x.shape[-1]
    if x.ndim < 2 or x.shape[-2] != n:
        raise ValueError(f"a {kind!r} input must be square matrices, got shape {x.shape}")
    if kind == "spd":
        return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)
    signs = rng.choice([-1.0, 1.0], size=x.shape[:-1] + (1,))
    return (x + (n + 1) * np.eye(n)) * signs
