"""Hypothesis building blocks shared by the kinds' strategies (shapes, axes, indices, labels).

Imported only when a strategy is built — ``import numeric`` never loads hypothesis.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["st", "hnp", "Shape", "shape", "broadcastable_shapes", "axis_param", "indices",
           "broadcast_label"]

Shape = tuple[int, ...]


def shape(max_dims: int, max_side: int, min_dims: int = 0) -> st.SearchStrategy[Shape]:
    """An array shape with sides 1..max_side."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max(max_dims, min_dims),
                            min_side=1, max_side=max_side)


def broadcastable_shapes(n: int, *, max_dims: int = 3, max_side: int = 3,
                         min_side: int = 1) -> st.SearchStrategy[tuple[Shape, ...]]:
    """``n`` shapes that broadcast together: 0-d, size-1 axes, missing leading axes."""
    if n == 0:
        return st.just(())
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=0, max_dims=max_dims, min_side=min_side, max_side=max_side,
    ).map(lambda b: tuple(tuple(s) for s in b.input_shapes))


def axis_param(draw: Any, nd: int, *, none: bool = True, many: bool = True) -> Any:
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


def indices(of: Shape) -> st.SearchStrategy[tuple[Any, str]]:
    """Non-empty indices into ``of``: basic (ints, slices, ...), one integer array on axis 0
    (repeats and negative entries included), or integer arrays on every axis."""
    n0 = of[0]
    basic = hnp.basic_indices(of, allow_ellipsis=True).map(lambda i: (i, "basic index"))
    one = hnp.arrays(np.intp, st.integers(1, 4), elements=st.integers(-n0, n0 - 1)).map(
        lambda a: (a, "integer array (repeats accumulate)"))
    paired = hnp.integer_array_indices(
        of, result_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=3)
    ).map(lambda t: (tuple(t), "integer arrays on every axis"))
    return st.one_of(basic, one, paired).filter(lambda il: np.empty(of)[il[0]].size > 0)


def broadcast_label(shapes: tuple[Shape, ...]) -> str:
    """What kind of broadcasting a set of input shapes exercises."""
    nd = max((len(s) for s in shapes), default=0)
    out = np.broadcast_shapes(*shapes) if shapes else ()
    parts = []
    if any(len(s) == 0 for s in shapes):
        parts.append("0-d")
    if any(len(s) < nd for s in shapes if s):
        parts.append("missing leading axes")
    if any(n == 1 and m != 1 for s in shapes for n, m in zip(s, out[nd - len(s):])):
        parts.append("size-1 axes stretched")
    return ", ".join(parts) or "same shape"
