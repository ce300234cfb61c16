"""Kinds of NumPy's building and reordering functions: tile, rot90, roll, diag, tril/triu,
select, sort, partition, linspace and astype.

Their raw rules return exactly the input's shape, except tril/triu of a 1-d input and select
(the input is broadcast against the output, ``stretched``) and linspace (start and stop
broadcast against each other).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from numeric.kind import Case, Kind
from numeric.kinds.broadcasting import fixed, same_shape, stretched

if TYPE_CHECKING:
    from numeric.op import Op

__all__ = ["TILE", "ROT90", "ROLL", "DIAG", "TRI", "SELECT", "SORT", "PARTITION", "LINSPACE",
           "ASTYPE"]


def _c(*shapes: tuple[int, ...], label: str = "", **params: Any) -> Case:
    return Case(tuple(tuple(s) for s in shapes), params, label)


def _tile(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side))
        reps = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=3)))
        if len(reps) == 1 and draw(st.booleans()):
            return Case((x,), {"reps": reps[0]}, "int reps")
        label = "more reps than axes" if len(reps) > len(x) else "reps per axis"
        return Case((x,), {"reps": reps}, label)

    return build()


TILE = Kind("tile", fixed(
    _c((3,), reps=2, label="int reps"), _c((2, 3), reps=(2, 1), label="reps per axis"),
    _c((2,), reps=(2, 1, 2), label="more reps than axes"),
    _c((2, 2), reps=(3,), label="fewer reps than axes"),
), _tile, same_shape)


def _two_axes(draw: Any, nd: int) -> tuple[int, int]:
    from numeric.kinds.draw import st

    a, b = draw(st.lists(st.integers(0, nd - 1), min_size=2, max_size=2, unique=True))
    return (a - nd if draw(st.booleans()) else a, b - nd if draw(st.booleans()) else b)


def _rot90(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max(max_dims, 2), max_side, min_dims=2))
        k = draw(st.integers(-3, 5))
        if len(x) == 2 and draw(st.booleans()):
            return Case((x,), {"k": k}, "axes (0, 1)")
        return Case((x,), {"k": k, "axes": _two_axes(draw, len(x))}, "chosen axes")

    return build()


ROT90 = Kind("rot90", fixed(
    _c((2, 3), k=1, label="a quarter turn"), _c((2, 3), k=2, label="half a turn"),
    _c((2, 3, 2), k=3, axes=(0, 2), label="chosen axes"),
    _c((2, 3), k=-1, axes=(1, 0), label="negative k, reversed axes"),
), _rot90, same_shape)


def _roll(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import axis_param, shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side, min_dims=1))
        axis = axis_param(draw, len(x))
        shift = st.integers(-4, 4)
        if isinstance(axis, tuple) and draw(st.booleans()):
            return Case((x,), {"shift": tuple(draw(shift) for _ in axis), "axis": axis},
                        "a shift per axis")
        params = {"shift": draw(shift)}
        if axis is not None:
            params["axis"] = axis
        return Case((x,), params, "axis=None (flattened)" if axis is None else "one shift")

    return build()


ROLL = Kind("roll", fixed(
    _c((4,), shift=1, label="vector"), _c((2, 3), shift=-1, axis=1, label="one axis"),
    _c((2, 3), shift=2, label="axis=None (flattened)"),
    _c((2, 3, 2), shift=(1, -2), axis=(0, 2), label="a shift per axis"),
), _roll, same_shape)


def _diag(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(2, max_side, min_dims=1))
        if len(x) == 1:
            return Case((x,), {"k": draw(st.integers(-2, 2))}, "vector to matrix")
        return Case((x,), {"k": draw(st.integers(-(x[0] - 1), x[1] - 1))}, "matrix to diagonal")

    return build()


DIAG = Kind("diag", fixed(
    _c((3,), label="vector to matrix"), _c((2,), k=1, label="vector to matrix, k > 0"),
    _c((2,), k=-2, label="vector to matrix, k < 0"), _c((2, 3), label="matrix to diagonal"),
    _c((3, 2), k=-1, label="diagonal below"), _c((3, 3), k=1, label="diagonal above"),
), _diag, same_shape)


def _tri(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side, min_dims=1))
        label = "1-d: rows of copies" if len(x) == 1 else "matrices"
        return Case((x,), {"k": draw(st.integers(-3, 3))}, label)

    return build()


TRI = Kind("tri", fixed(
    _c((3, 3), label="square"), _c((2, 3), k=1, label="k above"), _c((3, 2), k=-1, label="k below"),
    _c((2, 2, 3), label="stack of matrices"), _c((3,), label="1-d: rows of copies"),
), _tri, stretched)


def _select(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import broadcast_label, broadcastable_shapes, hnp, st

    @st.composite
    def build(draw: Any) -> Case:
        k = draw(st.integers(1, 3))
        shapes = draw(broadcastable_shapes(k + 1, max_dims=max_dims, max_side=max_side))
        out = np.broadcast_shapes(*shapes)
        conds = tuple(draw(hnp.arrays(np.bool_, out)) for _ in range(k))
        return Case(shapes, {"condlist": conds}, f"{k} choices, {broadcast_label(shapes)}")

    return build()


_T, _F = True, False
# The first case has two inputs: the report's pictures take the first case as the table's
# two-input row (verify.artefacts does not bind a variadic op to a case's arity).
SELECT = Kind("select", fixed(
    _c((3,), (3,), condlist=(np.array([_T, _F, _T]),), label="one choice, array default"),
    _c((2, 3), (2, 3), (), condlist=(np.array([[_T, _F, _F], [_F, _T, _F]]),
                                     np.array([[_T, _T, _F], [_F, _F, _F]])),
       label="two choices, overlapping conditions, scalar default"),
    _c((2, 3), (3,), (2, 1), condlist=(np.array([[_F, _T, _F], [_T, _T, _F]]),
                                       np.array([_T, _F, _F])),
       label="broadcast choices and condition"),
), _select, stretched)


def _sort(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side, min_dims=1))
        if draw(st.integers(0, 3)) == 0:
            return Case((x,), {"axis": None}, "axis=None (flattened)")
        return Case((x,), {"axis": draw(st.integers(-len(x), len(x) - 1))}, "along one axis")

    return build()


# Small on purpose: derive sorts symbols with a network of Min/Max, which grows with the side.
SORT = Kind("sort", fixed(
    _c((3,), label="vector"), _c((2, 3), axis=0, label="axis 0"),
    _c((3, 2), axis=-2, label="negative axis"), _c((2, 2), axis=None, label="axis=None"),
), _sort, same_shape)


def _partition(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import st

    @st.composite
    def build(draw: Any) -> Case:
        case = draw(_sort(op, max_dims, max_side))
        x, axis = case.shapes[0], case.params["axis"]
        n = int(np.prod(x)) if axis is None else x[axis]
        kth = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=2))
        return Case((x,), {"kth": kth[0] if len(kth) == 1 else tuple(kth), "axis": axis},
                    case.label)

    return build()


PARTITION = Kind("partition", fixed(
    _c((3,), kth=1, label="vector"), _c((2, 3), kth=0, axis=0, label="axis 0"),
    _c((2, 3), kth=(0, -1), label="several kth"), _c((2, 2), kth=2, axis=None, label="axis=None"),
), _partition, same_shape)


def _linspace_target(op: Op, xs: list[np.ndarray], out: np.ndarray, i: int) -> tuple[int, ...]:
    return tuple(np.broadcast_shapes(*(np.shape(x) for x in xs)))


def _linspace(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import broadcast_label, broadcastable_shapes, st

    @st.composite
    def build(draw: Any) -> Case:
        shapes = draw(broadcastable_shapes(2, max_dims=max(max_dims - 1, 0), max_side=max_side))
        nd = len(np.broadcast_shapes(*shapes)) + 1
        params = {"num": draw(st.integers(0, 5)), "endpoint": draw(st.booleans()),
                  "axis": draw(st.integers(-nd, nd - 1))}
        return Case(shapes, params, broadcast_label(shapes))

    return build()


LINSPACE = Kind("linspace", fixed(
    _c((), (), num=4, label="scalar ends"), _c((2,), (), num=3, label="vector start"),
    _c((2, 3), (3,), num=3, axis=-1, label="last axis"),
    _c((), (2,), num=4, endpoint=False, axis=1, label="endpoint=False"),
    _c((), (), num=1, label="one sample: start"),
), _linspace, _linspace_target)


def _astype(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side))
        return Case((x,), {"dtype": "float64"}, "to float64")

    return build()


# Only casts that lose nothing: in the float32 run a widening cast whose gradient is cast back
# to float32. A narrowing cast rounds the output, which finite differences in float64 see as
# noise (tests/numeric/test_building.py checks its gradient against the identity's).
ASTYPE = Kind("astype", fixed(
    _c((2, 3), dtype="float64", label="to float64"), _c((), dtype="float64", label="0-d"),
), _astype, same_shape)
