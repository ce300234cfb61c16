"""Hypothesis strategies for any op in the table: shapes, parameters, and inputs in its domain.

Everything is driven by the op record (``numeric.all_ops()``, ``Op.signature``, ``Op.nargs``,
``Op.domains()``), so ops added to the table are covered without changes here:

- :func:`broadcastable_shapes` — ``n`` shapes that broadcast together, with 0-d shapes, size-1
  axes and missing leading axes;
- :func:`cases` — a :class:`numeric.cases.Case` (shapes and params) fitting an op's signature:
  matmul in all four 1-D/N-D combinations with broadcast batch axes; reductions over ``None``,
  an int, a negative int or a tuple of axes, with or without ``keepdims``; reshape targets (with
  ``-1``); permutations; basic and integer-array indices (repeats included); ...;
  an op whose signature is unknown here falls back to its ``standard_cases``;
- :func:`values` — an array inside a :class:`numeric.Domain`, staying ``margin`` away from each
  ``avoid`` point; ``resolution`` puts values on a grid so that ties are exact and distinct
  values stay far apart compared with a finite-difference step (used for ops with a kink);
- :func:`op_inputs` — ``(case, inputs)`` for an op, the one strategy most tests need;
- :func:`ops` — any op of the table.

>>> from hypothesis import given
>>> @given(op_inputs("maximum"))
... def test(case_inputs): ...

New signatures can be taught with :func:`register_signature`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numeric import Domain, Op, all_ops, get_op
from numeric.cases import Case, standard_cases

__all__ = [
    "broadcastable_shapes", "cases", "values", "inputs", "op_inputs", "ops",
    "register_signature", "SIGNATURES",
]

Shape = tuple[int, ...]


# ---------------------------------------------------------------------------------------------
# Public strategies
# ---------------------------------------------------------------------------------------------
def broadcastable_shapes(n: int, *, max_dims: int = 3, max_side: int = 3,
                         min_side: int = 1) -> st.SearchStrategy[tuple[Shape, ...]]:
    """``n`` shapes that broadcast together: 0-d, size-1 axes, missing leading axes."""
    if n == 0:
        return st.just(())
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=0, max_dims=max_dims, min_side=min_side, max_side=max_side,
    ).map(lambda b: tuple(tuple(s) for s in b.input_shapes))


def cases(op: Op | str, *, max_dims: int = 3, max_side: int = 3) -> st.SearchStrategy[Case]:
    """Random :class:`Case` records (shapes and params) fitting ``op``'s signature and arity."""
    op = _op(op)
    builder = SIGNATURES.get(op.signature)
    if builder is None:
        fixed = standard_cases(op)  # raises KeyError naming the op when it has none
        return st.sampled_from(fixed)
    return builder(op, max_dims, max_side)


def values(domain: Domain, shape: Shape, dtype: Any = np.float64, *,
           resolution: float | None = None) -> st.SearchStrategy[np.ndarray]:
    """Arrays of ``shape`` inside ``domain`` (``margin`` away from each ``avoid`` point).

    With ``resolution`` the values are multiples of it, so equal values tie exactly and
    different ones differ by at least ``resolution``.
    """
    shape = tuple(shape)
    if domain.kind == "bool":
        return hnp.arrays(np.bool_, shape)
    dtype = np.dtype(dtype)
    return hnp.arrays(dtype, shape, elements=_elements(domain, dtype, resolution))


def inputs(op: Op | str, case: Case, dtype: Any = np.float64, *,
           resolution: float | None = None) -> st.SearchStrategy[list[np.ndarray]]:
    """One array per input of ``case``, each inside the op's domain for that input."""
    op = _op(op)
    doms = op.domains()
    if len(doms) != len(case.shapes):
        raise ValueError(f"op {op.name!r} has {len(doms)} inputs but case {case} gives "
                         f"{len(case.shapes)} shapes")
    return st.tuples(*(values(d, s, dtype, resolution=resolution)
                       for d, s in zip(doms, case.shapes))).map(list)


def op_inputs(op: Op | str, dtype: Any = np.float64, *, max_dims: int = 3, max_side: int = 3,
              resolution: float | None | str = "auto"
              ) -> st.SearchStrategy[tuple[Case, list[np.ndarray]]]:
    """``(case, inputs)`` for ``op``: a random case and inputs inside its domains.

    ``resolution="auto"`` uses a grid of 1/16 for ops that declare a kink (so a sampled point
    is either exactly on a tie or far from it) and unrestricted floats otherwise.
    """
    op = _op(op)
    if resolution == "auto":
        resolution = 1 / 16 if op.kink is not None else None
    return cases(op, max_dims=max_dims, max_side=max_side).flatmap(
        lambda case: inputs(op, case, dtype, resolution=resolution).map(lambda xs: (case, xs))
    )


def ops(names: Any = None) -> st.SearchStrategy[Op]:
    """Any op of the table (or of ``names``), read when the strategy is built."""
    table = all_ops()
    chosen = [table[n] for n in names] if names is not None else list(table.values())
    return st.sampled_from(chosen)


def register_signature(name: str, builder: Callable[[Op, int, int], st.SearchStrategy[Case]]
                       ) -> None:
    """Teach :func:`cases` a signature: ``builder(op, max_dims, max_side) -> strategy of Case``."""
    SIGNATURES[name] = builder


# ---------------------------------------------------------------------------------------------
# Case builders, one per signature
# ---------------------------------------------------------------------------------------------
def _elementwise(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    return broadcastable_shapes(op.nargs, max_dims=max_dims, max_side=max_side).map(
        lambda shapes: Case(shapes, {}, _broadcast_label(shapes)))


def _where(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    return _elementwise(op, max_dims, max_side)


def _matmul(op: Op, max_dims: int, max_side: int) -> st.SearchStrategy[Case]:
    # np.matmul's gufunc signature "(n?,k),(k,m?)->(n?,m?)": 1-D operands on either side,
    # and batch axes that broadcast (missing or size 1).
    shapes = hnp.mutually_broadcastable_shapes(
        signature=np.matmul.signature, min_dims=0, max_dims=max(max_dims - 2, 0),
        min_side=1, max_side=max_side,
    )

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
def _op(op: Op | str) -> Op:
    return get_op(op) if isinstance(op, str) else op


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


def _elements(domain: Domain, dtype: np.dtype, resolution: float | None
              ) -> st.SearchStrategy[Any]:
    pieces = _intervals(domain)
    if not pieces:
        raise ValueError(f"domain {domain} leaves no values once its avoid points are removed")
    if resolution:
        grid = []
        for lo, hi in pieces:
            k0, k1 = math.ceil(lo / resolution), math.floor(hi / resolution)
            if k0 <= k1:
                grid.append(st.integers(k0, k1).map(lambda k: k * resolution))
        if not grid:
            raise ValueError(f"domain {domain} holds no multiple of resolution {resolution}")
        return st.one_of(grid).map(dtype.type)
    width = 32 if dtype == np.float32 else 16 if dtype == np.float16 else 64
    strategies = []
    for lo, hi in pieces:
        lo, hi = _inward(lo, hi, dtype)
        if lo <= hi:
            strategies.append(st.floats(lo, hi, width=width, allow_nan=False,
                                        allow_infinity=False, allow_subnormal=False))
    return st.one_of(strategies)


def _intervals(domain: Domain) -> list[tuple[float, float]]:
    """[low, high] with an open ``margin``-ball removed around each avoid point."""
    pieces = [(float(domain.low), float(domain.high))]
    for a in domain.avoid:
        nxt = []
        for lo, hi in pieces:
            if lo < a - domain.margin:
                nxt.append((lo, min(hi, a - domain.margin)))
            if hi > a + domain.margin:
                nxt.append((max(lo, a + domain.margin), hi))
        pieces = nxt
    return pieces


def _inward(lo: float, hi: float, dtype: np.dtype) -> tuple[float, float]:
    """Bounds exactly representable in ``dtype``, rounded towards the inside of [lo, hi]."""
    if dtype == np.float64:
        return lo, hi
    t = dtype.type
    lo_t, hi_t = t(lo), t(hi)
    if float(lo_t) < lo:
        lo_t = np.nextafter(lo_t, t(np.inf))
    if float(hi_t) > hi:
        hi_t = np.nextafter(hi_t, t(-np.inf))
    return float(lo_t), float(hi_t)
