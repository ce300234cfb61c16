"""Case strategies for the table's further signatures: moments, softmax, flip, square matrices,
diagonals, concatenate / stack (any number of inputs), outer, pad, dot and solve. They are
added to ``verify.strategy_signatures.SIGNATURES``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

from numeric import Op
from numeric.cases import Case
from verify.strategy_signatures import SIGNATURES, _elementwise, _reduce, _shape

__all__: list[str] = []


def _axis_param(draw: Any, nd: int, *, none: bool = True, many: bool = True) -> Any:
    """None, an int or a tuple of distinct axes of an ``nd``-d array, each maybe negative."""
    kinds = ["none"] if none else []
    kinds += (["int"] if nd else []) + (["tuple"] if nd and many else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-nd, nd - 1))
    axes = draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    return tuple(a - nd if draw(st.booleans()) else a for a in axes)


def _moment(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
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


def _softmax(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        shape = draw(_shape(max_dims, max_side, min_dims=1))
        axis = draw(st.integers(-len(shape), len(shape) - 1))
        return Case((shape,), {"axis": axis}, "along one axis")

    return build()


def _flip(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        shape = draw(_shape(max_dims, max_side))
        axis = _axis_param(draw, len(shape))
        return Case((shape,), {} if axis is None else {"axis": axis}, "flip")

    return build()


def _square(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        batch = draw(_shape(max(max_dims - 2, 0), max_side))
        n = draw(st.integers(1, max_side))
        return Case((batch + (n, n),), {}, "stack of matrices" if batch else f"{n}x{n}")

    return build()


def _diagonal(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        shape = draw(_shape(max(max_dims, 2), max_side, min_dims=2))
        nd = len(shape)
        a1, a2 = draw(st.lists(st.integers(0, nd - 1), min_size=2, max_size=2, unique=True))
        offset = draw(st.integers(-(shape[a1] - 1), shape[a2] - 1))
        params = {"offset": offset, "axis1": a1 - nd if draw(st.booleans()) else a1,
                  "axis2": a2}
        return Case((shape,), params, "diagonal")

    return build()


def _concatenate(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        k = draw(st.integers(1, 3))
        if draw(st.integers(0, 4)) == 0:  # axis=None flattens inputs of any shapes
            shapes = tuple(draw(_shape(max_dims, max_side)) for _ in range(k))
            return Case(shapes, {"axis": None}, "axis=None flattens")
        base = list(draw(_shape(max_dims, max_side, min_dims=1)))
        axis = draw(st.integers(-len(base), len(base) - 1))
        shapes = []
        for _ in range(k):
            base[axis] = draw(st.integers(1, max_side))
            shapes.append(tuple(base))
        return Case(tuple(shapes), {"axis": axis}, f"{k} inputs")

    return build()


def _stack(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        k = draw(st.integers(1, 3))
        shape = draw(_shape(max(max_dims - 1, 0), max_side))
        axis = draw(st.integers(-len(shape) - 1, len(shape)))
        return Case((shape,) * k, {"axis": axis}, f"{k} inputs")

    return build()


def _outer(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    return st.tuples(_shape(2, max_side), _shape(2, max_side)).map(
        lambda shapes: Case(shapes, {}, "outer"))


def _pad(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        shape = draw(_shape(max_dims, max_side, min_dims=1))
        side = st.integers(0, 2)
        kind = draw(st.sampled_from(("int", "pair", "per axis")))
        if kind == "int":
            width: Any = draw(side)
        elif kind == "pair":
            width = (draw(side), draw(side))
        else:
            width = tuple((draw(side), draw(side)) for _ in shape)
        params = {"pad_width": width}
        if draw(st.booleans()):
            params["constant_values"] = draw(st.sampled_from((1.5, -2.0)))
        return Case((shape,), params, f"pad ({kind})")

    return build()


def _dot(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        if draw(st.integers(0, 4)) == 0:  # a 0-d operand multiplies
            other = draw(_shape(2, max_side))
            return Case(((), other) if draw(st.booleans()) else (other, ()), {}, "0-d operand")
        x = draw(_shape(max_dims, max_side, min_dims=1))
        k = x[-1]
        y = (k,) if draw(st.booleans()) else (k, draw(st.integers(1, max_side)))
        return Case((x, y), {}, "chained")

    return build()


def _solve(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        n = draw(st.integers(1, max_side))
        batch = draw(_shape(max(max_dims - 2, 0), max_side))
        if draw(st.booleans()):
            return Case((batch + (n, n), (n,)), {}, "vector b")
        keep = draw(st.integers(0, len(batch)))
        bbatch = tuple(1 if draw(st.booleans()) else m for m in batch[len(batch) - keep:])
        b = bbatch + (n, draw(st.integers(1, max_side)))
        return Case((batch + (n, n), b), {}, "matrix b")

    return build()


SIGNATURES.update({
    "clip": _elementwise,
    "moment": _moment,
    "softmax": _softmax,
    "flip": _flip,
    "square": _square,
    "diagonal": _diagonal,
    "concatenate": _concatenate,
    "stack": _stack,
    "outer": _outer,
    "pad": _pad,
    "dot": _dot,
    "solve": _solve,
})
