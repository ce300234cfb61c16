"""Kinds that move entries without arithmetic: reshape, transpose, swapaxes, expand_dims,
squeeze, indexing and its scatter, flip, pad, concatenate and stack.

Their raw rules return exactly the input's shape: each input gets back the part of ``g`` its
entries went to.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from numeric.kind import Case, Kind
from numeric.kinds.broadcasting import fixed, same_shape

if TYPE_CHECKING:
    from numeric.op import Op

__all__ = ["RESHAPE", "TRANSPOSE", "SWAPAXES", "EXPAND_DIMS", "SQUEEZE", "INDEX", "SCATTER",
           "FLIP", "PAD", "CONCATENATE", "STACK"]


def _c(*shapes: tuple[int, ...], label: str = "", **params: Any) -> Case:
    return Case(tuple(tuple(s) for s in shapes), params, label)


def _reshape(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side))
        n = math.prod(x)
        nd = draw(st.integers(0 if n == 1 else 1, max_dims))
        left, target = n, []
        for _ in range(nd - 1):
            d = draw(st.sampled_from([k for k in range(1, left + 1) if left % k == 0]))
            target.append(d)
            left //= d
        if nd:
            target.append(left)
        if nd and draw(st.booleans()):
            target[draw(st.integers(0, nd - 1))] = -1
        return Case((x,), {"shape": tuple(target)}, "reshape")

    return build()


RESHAPE = Kind("reshape", fixed(
    _c((2, 3), shape=(3, 2)), _c((6,), shape=(2, 3)), _c((2, 3), shape=(-1,)),
    _c((), shape=(1, 1))), _reshape, same_shape)


def _transpose(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side))
        nd = len(x)
        if draw(st.booleans()):
            return Case((x,), {}, "reverse axes")
        perm = draw(st.permutations(range(nd)))
        axes = tuple(a - nd if draw(st.booleans()) else a for a in perm)
        return Case((x,), {"axes": axes}, "permutation")

    return build()


TRANSPOSE = Kind("transpose", fixed(
    _c((2, 3)), _c((2, 3, 4), axes=(1, 0, 2)), _c((2, 3, 4), axes=(2, 0, 1))),
    _transpose, same_shape)


def _swapaxes(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side, min_dims=1))
        nd = len(x)
        a, b = draw(st.integers(-nd, nd - 1)), draw(st.integers(-nd, nd - 1))
        return Case((x,), {"axis1": a, "axis2": b}, "swap axes")

    return build()


SWAPAXES = Kind("swapaxes", fixed(
    _c((2, 3, 4), axis1=0, axis2=2), _c((2, 3), axis1=-1, axis2=0)), _swapaxes, same_shape)


def _expand_dims(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max(max_dims - 1, 0), max_side))
        k = draw(st.integers(1, 2))
        nd = len(x) + k
        axes = draw(st.lists(st.integers(0, nd - 1), min_size=k, max_size=k, unique=True))
        axes = [a - nd if draw(st.booleans()) else a for a in axes]
        axis = axes[0] if k == 1 and draw(st.booleans()) else tuple(axes)
        return Case((x,), {"axis": axis}, "new axes")

    return build()


EXPAND_DIMS = Kind("expand_dims", fixed(
    _c((2, 3), axis=1), _c((3,), axis=(0, -1)), _c((), axis=0)), _expand_dims, same_shape)


def _squeeze(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(st.lists(st.integers(1, max_side), min_size=1, max_size=max(max_dims, 1)))
        ones = draw(st.lists(st.integers(0, len(x) - 1), min_size=1, unique=True))
        for i in ones:
            x[i] = 1
        x, nd = tuple(x), len(x)
        if draw(st.booleans()):
            return Case((x,), {}, "all size-1 axes")
        axes = draw(st.lists(st.sampled_from(ones), min_size=1, unique=True))
        axes = [a - nd if draw(st.booleans()) else a for a in axes]
        axis = axes[0] if len(axes) == 1 and draw(st.booleans()) else tuple(axes)
        return Case((x,), {"axis": axis}, "chosen size-1 axes")

    return build()


SQUEEZE = Kind("squeeze", fixed(
    _c((1, 3, 1)), _c((1, 3, 1), axis=0), _c((2, 1), axis=-1)), _squeeze, same_shape)


def _index(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import indices, shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side, min_dims=1))
        index, label = draw(indices(x))
        return Case((x,), {"index": index}, label)

    return build()


INDEX = Kind("index", fixed(
    _c((4, 3), index=(1, slice(None)), label="row"),
    _c((5,), index=slice(1, 4), label="slice"),
    _c((4, 3), index=np.array([0, 2, 0]), label="repeated integer indices"),
    _c((2, 3, 4), index=(Ellipsis, 0), label="ellipsis"),
    _c((4, 3), index=(np.array([0, 3, 0]), np.array([2, 1, 2])), label="paired integer arrays"),
), _index, same_shape)


def _scatter(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import indices, shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side, min_dims=1))
        index, label = draw(indices(x))
        return Case((np.empty(x)[index].shape,), {"index": index, "shape": x}, label)

    return build()


SCATTER = Kind("scatter", fixed(
    _c((3,), index=np.array([0, 2, 0]), shape=(4,), label="repeated integer indices"),
    _c((3,), index=(1, slice(None)), shape=(2, 3), label="row"),
), _scatter, same_shape)


def _flip(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import axis_param, shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side))
        axis = axis_param(draw, len(x))
        return Case((x,), {} if axis is None else {"axis": axis}, "flip")

    return build()


FLIP = Kind("flip", fixed(
    _c((3,), label="all axes"), _c((2, 3), axis=0, label="axis 0"),
    _c((2, 3, 4), axis=(0, 2), label="tuple of axes"), _c((2, 3), axis=-1, label="negative axis"),
), _flip, same_shape)


def _pad(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side, min_dims=1))
        side = st.integers(0, 2)
        kind = draw(st.sampled_from(("int", "pair", "per axis")))
        if kind == "int":
            width: Any = draw(side)
        elif kind == "pair":
            width = (draw(side), draw(side))
        else:
            width = tuple((draw(side), draw(side)) for _ in x)
        params = {"pad_width": width}
        if draw(st.booleans()):
            params["constant_values"] = draw(st.sampled_from((1.5, -2.0)))
        return Case((x,), params, f"pad ({kind})")

    return build()


PAD = Kind("pad", fixed(
    _c((3,), pad_width=1, label="same on every side"),
    _c((2, 3), pad_width=((1, 0), (0, 2)), label="per axis and side"),
    _c((2, 2), pad_width=(2, 1), constant_values=1.5, label="before/after, constant"),
), _pad, same_shape)


def _concatenate(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        k = draw(st.integers(1, 3))
        if draw(st.integers(0, 4)) == 0:  # axis=None flattens inputs of any shapes
            shapes = tuple(draw(shape(max_dims, max_side)) for _ in range(k))
            return Case(shapes, {"axis": None}, "axis=None flattens")
        base = list(draw(shape(max_dims, max_side, min_dims=1)))
        axis = draw(st.integers(-len(base), len(base) - 1))
        shapes = []
        for _ in range(k):
            base[axis] = draw(st.integers(1, max_side))
            shapes.append(tuple(base))
        return Case(tuple(shapes), {"axis": axis}, f"{k} inputs")

    return build()


CONCATENATE = Kind("concatenate", fixed(
    _c((2, 3), (1, 3), axis=0, label="rows"), _c((2, 3), (2, 2), axis=1, label="columns"),
    _c((2, 1, 2), (2, 3, 2), axis=-2, label="negative axis, 3-d"),
    _c((2, 2), (3,), axis=None, label="axis=None flattens"),
), _concatenate, same_shape)


def _stack(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        k = draw(st.integers(1, 3))
        x = draw(shape(max(max_dims - 1, 0), max_side))
        axis = draw(st.integers(-len(x) - 1, len(x)))
        return Case((x,) * k, {"axis": axis}, f"{k} inputs")

    return build()


STACK = Kind("stack", fixed(
    _c((3,), (3,), axis=0, label="vectors"), _c((2, 3), (2, 3), axis=-1, label="last axis"),
    _c((2, 3), (2, 3), axis=1, label="middle axis"), _c((), (), axis=0, label="0-d"),
), _stack, same_shape)
