"""Case strategies for the core signatures: elementwise (any arity, broadcasting), where,
matmul, reductions, and the shape ops (reshape, transpose, swapaxes, expand_dims, squeeze,
broadcast_to, indexing and its scatter). ``SIGNATURES`` maps a signature to its builder
``builder(op, max_dims, max_side) -> strategy of Case``; ``verify.strategies`` reads it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numeric import Op
from numeric.cases import Case

__all__ = ["SIGNATURES", "broadcastable_shapes"]

Shape = tuple[int, ...]


def broadcastable_shapes(n: int, *, max_dims: int = 3, max_side: int = 3,
                         min_side: int = 1) -> st.SearchStrategy[tuple[Shape, ...]]:
    """``n`` shapes that broadcast together: 0-d, size-1 axes, missing leading axes."""
    if n == 0:
        return st.just(())
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=0, max_dims=max_dims, min_side=min_side, max_side=max_side,
    ).map(lambda b: tuple(tuple(s) for s in b.input_shapes))


def _elementwise(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    return broadcastable_shapes(op.nargs, max_dims=max_dims, max_side=max_side).map(
        lambda shapes: Case(shapes, {}, _broadcast_label(shapes)))


def _where(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    return _elementwise(op, max_dims, max_side)


def _matmul(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    # np.matmul's gufunc signature "(n?,k),(k,m?)->(n?,m?)": 1-D operands on either side,
    # and up to max_dims - 1 batch axes that broadcast (missing or size 1), so a stack of
    # stacks meets a single stack.
    plain, batched = (hnp.mutually_broadcastable_shapes(
        signature=np.matmul.signature, min_dims=0, max_dims=n, min_side=1, max_side=max_side,
    ) for n in (0, max(max_dims - 1, 0)))
    shapes = st.one_of(plain, batched)  # the notebook's four cases come up as often as batches

    def case(b: Any) -> Case:
        x, y = (tuple(s) for s in b.input_shapes)
        kind = {(1, 1): "vector-vector", (1, 2): "vector-matrix", (2, 1): "matrix-vector"}
        label = kind.get((min(len(x), 2), min(len(y), 2)), "matrix-matrix")
        if len(x) > 2 or len(y) > 2:
            label += ", batched"
        return Case((x, y), {}, label)

    return shapes.map(case)


def _reduce(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        shape = draw(_shape(max_dims, max_side))
        nd = len(shape)
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
        return Case((shape,), params, label + (", keepdims" if params.get("keepdims") else ""))

    return build()


def _reshape(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        shape = draw(_shape(max_dims, max_side))
        n = math.prod(shape)
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
        return Case((shape,), {"shape": tuple(target)}, "reshape")

    return build()


def _transpose(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        shape = draw(_shape(max_dims, max_side))
        nd = len(shape)
        if draw(st.booleans()):
            return Case((shape,), {}, "reverse axes")
        perm = draw(st.permutations(range(nd)))
        axes = tuple(a - nd if draw(st.booleans()) else a for a in perm)
        return Case((shape,), {"axes": axes}, "permutation")

    return build()


def _swapaxes(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        shape = draw(_shape(max_dims, max_side, min_dims=1))
        nd = len(shape)
        a, b = draw(st.integers(-nd, nd - 1)), draw(st.integers(-nd, nd - 1))
        return Case((shape,), {"axis1": a, "axis2": b}, "swap axes")

    return build()


def _expand_dims(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        shape = draw(_shape(max(max_dims - 1, 0), max_side))
        k = draw(st.integers(1, 2))
        nd = len(shape) + k
        axes = draw(st.lists(st.integers(0, nd - 1), min_size=k, max_size=k, unique=True))
        axes = [a - nd if draw(st.booleans()) else a for a in axes]
        axis = axes[0] if k == 1 and draw(st.booleans()) else tuple(axes)
        return Case((shape,), {"axis": axis}, "new axes")

    return build()


def _squeeze(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        shape = draw(st.lists(st.integers(1, max_side), min_size=1, max_size=max(max_dims, 1)))
        ones = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True))
        for i in ones:
            shape[i] = 1
        shape, nd = tuple(shape), len(shape)
        if draw(st.booleans()):
            return Case((shape,), {}, "all size-1 axes")
        axes = draw(st.lists(st.sampled_from(ones), min_size=1, unique=True))
        axes = [a - nd if draw(st.booleans()) else a for a in axes]
        axis = axes[0] if len(axes) == 1 and draw(st.booleans()) else tuple(axes)
        return Case((shape,), {"axis": axis}, "chosen size-1 axes")

    return build()


def _broadcast_to(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        target = draw(_shape(max_dims, max_side))
        keep = draw(st.integers(0, len(target)))
        shape = tuple(1 if draw(st.booleans()) else n for n in target[len(target) - keep:])
        return Case((shape,), {"shape": target}, _broadcast_label((shape, target)))

    return build()


def _index(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        shape = draw(_shape(max_dims, max_side, min_dims=1))
        index, label = draw(_indices(shape))
        return Case((shape,), {"index": index}, label)

    return build()


def _scatter(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: Any) -> Case:
        shape = draw(_shape(max_dims, max_side, min_dims=1))
        index, label = draw(_indices(shape))
        gshape = np.empty(shape)[index].shape
        return Case((gshape,), {"index": index, "shape": shape}, label)

    return build()


SIGNATURES: dict[str, Callable[[Op, int, int], st.SearchStrategy[Case]]] = {
    "elementwise": _elementwise,
    "where": _where,
    "matmul": _matmul,
    "reduce": _reduce,
    "reshape": _reshape,
    "transpose": _transpose,
    "swapaxes": _swapaxes,
    "expand_dims": _expand_dims,
    "squeeze": _squeeze,
    "broadcast_to": _broadcast_to,
    "index": _index,
    "scatter": _scatter,
}


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _shape(max_dims: int, max_side: int, min_dims: int = 0) -> st.SearchStrategy[Shape]:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max(max_dims, min_dims),
                            min_side=1, max_side=max_side)


def _indices(shape: Shape) -> st.SearchStrategy[tuple[Any, str]]:
    """Non-empty indices into ``shape``: basic (ints, slices, ...), one integer array on axis 0
    (repeats and negative entries included), or integer arrays on every axis."""
    n0 = shape[0]
    basic = hnp.basic_indices(shape, allow_ellipsis=True).map(lambda i: (i, "basic index"))
    one = hnp.arrays(np.intp, st.integers(1, 4), elements=st.integers(-n0, n0 - 1)).map(
        lambda a: (a, "integer array (repeats accumulate)"))
    paired = hnp.integer_array_indices(
        shape, result_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=3)
    ).map(lambda t: (tuple(t), "integer arrays on every axis"))
    return st.one_of(basic, one, paired).filter(lambda il: np.empty(shape)[il[0]].size > 0)


def _broadcast_label(shapes: tuple[Shape, ...]) -> str:
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


