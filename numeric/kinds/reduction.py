"""Kinds that reduce along axes: sums and extrema, moments (``ddof``), softmax, norms.

Their raw rules return exactly the input's shape: the cotangent is broadcast back along the
reduced axes inside the rule.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from numeric.kind import Case, Kind
from numeric.kinds.broadcasting import fixed, same_shape

if TYPE_CHECKING:
    from numeric.op import Op

__all__ = ["REDUCE", "MOMENT", "SOFTMAX", "NORM", "AVERAGE"]


def _c(*shapes: tuple[int, ...], label: str = "", **params: Any) -> Case:
    return Case(tuple(tuple(s) for s in shapes), params, label)


REDUCE_CASES = (
    _c((), label="0-d, all axes"),
    _c((2, 3), label="all axes"),
    _c((2, 3), axis=0, label="axis 0"),
    _c((2, 3, 4), axis=-1, label="negative axis"),
    _c((2, 3, 4), axis=(0, 2), label="tuple of axes"),
    _c((2, 3), axis=1, keepdims=True, label="keepdims"),
    _c((2, 3, 4), axis=(0, -1), keepdims=True, label="tuple of axes, keepdims"),
    _c((2, 3), keepdims=True, label="all axes, keepdims"),
)


def _reduce(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side))
        nd = len(x)
        choice = draw(st.sampled_from(("none", "int", "tuple")) if nd else st.just("none"))
        params: dict[str, Any] = {}
        if choice == "int":
            params["axis"] = draw(st.integers(-nd, nd - 1))
        elif choice == "tuple":
            axes = draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
            params["axis"] = tuple(a - nd if draw(st.booleans()) else a for a in axes)
        if draw(st.booleans()):
            params["keepdims"] = True
        label = {"none": "all axes", "int": "one axis", "tuple": "tuple of axes"}[choice]
        return Case((x,), params, label + (", keepdims" if params.get("keepdims") else ""))

    return build()


REDUCE = Kind("reduce", fixed(*REDUCE_CASES), _reduce, same_shape)


def _moment(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import st

    def with_ddof(draw: Any, case: Case) -> Case:
        n = math.prod(case.shapes[0]) // max(math.prod(np.sum(
            np.empty(case.shapes[0]), axis=case.params.get("axis")).shape), 1)
        if n >= 2 and draw(st.booleans()):
            return Case(case.shapes, {**case.params, "ddof": 1}, case.label + ", ddof=1")
        return case

    @st.composite
    def build(draw: Any) -> Case:
        return with_ddof(draw, draw(_reduce(op, max_dims, max_side)))

    return build()


MOMENT = Kind("moment", fixed(*REDUCE_CASES[1:], _c((2, 3), axis=1, ddof=1, label="ddof=1")),
              _moment, same_shape)


def _softmax(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side, min_dims=1))
        axis = draw(st.integers(-len(x), len(x) - 1))
        return Case((x,), {"axis": axis}, "along one axis")

    return build()


SOFTMAX = Kind("softmax", fixed(
    _c((3,), label="vector"), _c((2, 3), label="rows"), _c((2, 3), axis=0, label="columns"),
    _c((2, 3, 4), axis=1, label="middle axis")), _softmax, same_shape)
def _norm(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    vector_ords = [None, 2, 1, 0, 3, 0.5, -1, -3, np.inf, -np.inf]
    matrix_ords = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max(max_dims, 1), max_side, min_dims=1))
        nd, keepdims = len(x), draw(st.booleans())
        if nd >= 2 and draw(st.booleans()):
            r, c = draw(st.lists(st.integers(0, nd - 1), min_size=2, max_size=2, unique=True))
            return Case((x,), {"ord": draw(st.sampled_from(matrix_ords)),
                               "axis": (r - nd if draw(st.booleans()) else r, c),
                               "keepdims": keepdims}, "matrix norm")
        axis = draw(st.integers(-nd, nd - 1))
        return Case((x,), {"ord": draw(st.sampled_from(vector_ords)), "axis": axis,
                           "keepdims": keepdims}, "vector norm")

    return build()


NORM = Kind("norm", fixed(
    _c((3,), label="vector"), _c((2, 3), label="Frobenius"), _c((2, 3), axis=1, label="rows"),
    _c((2, 3), ord="fro", label="ord='fro'"),
    _c((2, 3, 4), axis=(1, 2), keepdims=True, label="matrices in a stack"),
    _c((4,), ord=1, label="ord=1"), _c((4,), ord=np.inf, label="ord=inf"),
    _c((4,), ord=-np.inf, label="ord=-inf"), _c((3,), ord=0, label="ord=0 (a count)"),
    _c((3,), ord=3, label="ord=3"), _c((3,), ord=-1, label="ord=-1"),
    _c((3,), ord=0.5, label="ord=0.5"), _c((2, 3), axis=0, ord=3, keepdims=True,
                                          label="p-norm of columns, keepdims"),
    _c((2, 3), ord=1, label="matrix ord=1"), _c((2, 3), ord=-1, label="matrix ord=-1"),
    _c((2, 3), ord=np.inf, label="matrix ord=inf"),
    _c((2, 3), ord=-np.inf, label="matrix ord=-inf"),
    _c((2, 3), ord="nuc", label="nuclear"), _c((2, 3), ord=2, label="matrix ord=2"),
    _c((3, 2), ord=-2, label="matrix ord=-2"),
    _c((3, 2, 2), ord="nuc", axis=(2, 1), label="nuclear, stack, axes swapped"),
    _c((2, 3), axis=(0, 1), ord=3, vector=True, label="vector_norm over two axes"),
), _norm, same_shape)

# average(a, w): w has a's number of axes (the binder reshapes NumPy's 1-d weights along axis so),
# size 1 where it is broadcast; both raw rules return a's shape and unbroadcast sums w's back.
AVERAGE = Kind("average", fixed(
    _c((3,), (3,), label="vector"), _c((2, 3), (2, 3), label="all axes"),
    _c((2, 3), (1, 3), axis=1, label="weights along axis 1"),
    _c((2, 3, 2), (2, 3, 2), axis=(0, 2), label="tuple of axes"),
    _c((2, 3, 2), (1, 3, 1), axis=1, keepdims=True, label="keepdims"),
    _c((2, 3), (2, 1), axis=0, label="weights along axis 0"),
), None, lambda op, xs, out, i: np.shape(xs[0]))
