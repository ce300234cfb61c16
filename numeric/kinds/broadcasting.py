"""Kinds whose inputs broadcast: elementwise ops, ``broadcast_to``, matmul and solve.

Their raw rules may return the input's shape, the shape the forward stretched it to
(``unbroadcast`` then sums), or anything between, axis by axis; for matmul and solve only the
batch axes broadcast. Also the raw-shape model every kind whose rules return exactly the input's
shape uses (:func:`same_shape`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from numeric.kind import Case, Kind

if TYPE_CHECKING:
    from numeric.op import Op

__all__ = ["ELEMENTWISE", "BROADCAST_TO", "MATMUL", "SOLVE", "same_shape", "stretched", "fixed"]


def _c(*shapes: tuple[int, ...], label: str = "", **params: Any) -> Case:
    return Case(tuple(tuple(s) for s in shapes), params, label)


def fixed(*cases: Case) -> Any:
    """A kind's ``cases`` that are the same for every op of the kind."""
    return lambda op: cases


def same_shape(op: Op, xs: list[np.ndarray], out: np.ndarray, i: int) -> tuple[int, ...]:
    """Nothing is broadcast: the raw rule returns exactly the input's shape."""
    return np.shape(xs[i])


def stretched(op: Op, xs: list[np.ndarray], out: np.ndarray, i: int) -> tuple[int, ...]:
    """The input broadcast against the output."""
    try:
        return tuple(np.broadcast_shapes(np.shape(xs[i]), np.shape(out)))
    except ValueError:
        return np.shape(xs[i])


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


def _elementwise_cases(op: Op) -> tuple[Case, ...]:
    return UNARY if op.nargs == 1 else BINARY if op.nargs == 2 else ()


def _elementwise(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import broadcast_label, broadcastable_shapes

    return broadcastable_shapes(op.nargs, max_dims=max_dims, max_side=max_side).map(
        lambda shapes: Case(shapes, {}, broadcast_label(shapes)))


ELEMENTWISE = Kind("elementwise", _elementwise_cases, _elementwise, stretched, elementwise=True)


def _broadcast_to(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import broadcast_label, shape, st

    @st.composite
    def build(draw: Any) -> Case:
        target = draw(shape(max_dims, max_side))
        keep = draw(st.integers(0, len(target)))
        x = tuple(1 if draw(st.booleans()) else n for n in target[len(target) - keep:])
        return Case((x,), {"shape": target}, broadcast_label((x, target)))

    return build()


BROADCAST_TO = Kind(
    "broadcast_to",
    fixed(_c((3,), shape=(2, 3)), _c((1, 3), shape=(4, 3)), _c((), shape=(2, 2)),
          _c((2, 1), shape=(3, 2, 4))),
    _broadcast_to, lambda op, xs, out, i: np.shape(out))


def _matmul_target(op: Op, xs: list[np.ndarray], out: np.ndarray, i: int) -> tuple[int, ...]:
    x, other = np.shape(xs[i]), np.shape(xs[1 - i])
    if len(x) == 1:
        return np.shape(out)[:-1] + x if len(other) >= 2 else x
    batch = np.shape(out)[:-2] if len(other) >= 2 else np.shape(out)[:-1]
    return tuple(batch) + x[-2:]


def _matmul(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import hnp, st

    # np.matmul's gufunc signature "(n?,k),(k,m?)->(n?,m?)": 1-D operands on either side,
    # and up to max_dims - 1 batch axes that broadcast (missing or size 1), so a stack of
    # stacks meets a single stack.
    plain, batched = (hnp.mutually_broadcastable_shapes(
        signature=np.matmul.signature, min_dims=0, max_dims=n, min_side=1, max_side=max_side,
    ) for n in (0, max(max_dims - 1, 0)))

    def case(b: Any) -> Case:
        x, y = (tuple(s) for s in b.input_shapes)
        kind = {(1, 1): "vector-vector", (1, 2): "vector-matrix", (2, 1): "matrix-vector"}
        label = kind.get((min(len(x), 2), min(len(y), 2)), "matrix-matrix")
        return Case((x, y), {}, label + (", batched" if len(x) > 2 or len(y) > 2 else ""))

    # the notebook's four cases come up as often as batches
    return st.one_of(plain, batched).map(case)


MATMUL = Kind("matmul", fixed(
    _c((3,), (3,), label="vector-vector (case 1)"),
    _c((2, 3), (3,), label="matrix-vector (case 2)"),
    _c((3,), (3, 4), label="vector-matrix"),
    _c((2, 3), (3, 4), label="matrix-matrix (case 3)"),
    _c((2, 2, 3), (3, 4), label="batched x, 2-d y"),
    _c((2, 3), (2, 3, 4), label="2-d x, batched y"),
    _c((2, 2, 3), (3,), label="batched x, 1-d y"),
    _c((3,), (2, 3, 4), label="1-d x, batched y"),
    _c((2, 1, 2, 3), (3, 3, 2), label="broadcast batch axes"),
), _matmul, _matmul_target)


def _solve_target(op: Op, xs: list[np.ndarray], out: np.ndarray, i: int) -> tuple[int, ...]:
    # a stack of matrices a; b a vector (1-d) or a stack of matrices
    batch = np.shape(out)[:-1] if np.ndim(xs[1]) == 1 else np.shape(out)[:-2]
    return tuple(batch) + np.shape(xs[i])[-2:]


def _solve(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        n = draw(st.integers(1, max_side))
        batch = draw(shape(max(max_dims - 2, 0), max_side))
        if draw(st.booleans()):
            return Case((batch + (n, n), (n,)), {}, "vector b")
        keep = draw(st.integers(0, len(batch)))
        bbatch = tuple(1 if draw(st.booleans()) else m for m in batch[len(batch) - keep:])
        b = bbatch + (n, draw(st.integers(1, max_side)))
        return Case((batch + (n, n), b), {}, "matrix b")

    return build()


SOLVE = Kind("solve", lambda op: (), _solve, _solve_target)
