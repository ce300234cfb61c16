"""Kinds that run along one axis: scans (cumsum, cumprod), differences (diff) and numerical
gradients (np.gradient).

Their raw rules return exactly the input's shape. A scan's axis may be None (NumPy then scans
the flattened input); diff takes an order ``n``, gradient a ``spacing`` (a float, or a tuple of
coordinates) and an ``edge_order``, and needs ``edge_order + 1`` entries along its axis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from numeric.kind import Case, Kind
from numeric.kinds.broadcasting import fixed, same_shape

if TYPE_CHECKING:
    from numeric.op import Op

__all__ = ["SCAN", "DIFF", "GRADIENT"]


def _c(*shapes: tuple[int, ...], label: str = "", **params: Any) -> Case:
    return Case(tuple(tuple(s) for s in shapes), params, label)


def _scan(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side))
        if not x or draw(st.booleans()):
            return Case((x,), {}, "flattened (axis None)")
        return Case((x,), {"axis": draw(st.integers(-len(x), len(x) - 1))}, "one axis")

    return build()


SCAN = Kind("scan", fixed(
    _c((), label="0-d, flattened"), _c((4,), label="vector"),
    _c((2, 3), label="matrix, flattened (axis None)"), _c((2, 3), axis=0, label="axis 0"),
    _c((2, 3, 2), axis=-1, label="negative axis"), _c((3, 1, 2), axis=1, label="size-1 axis"),
), _scan, same_shape)


def _diff(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side, min_dims=1))
        axis = draw(st.integers(-len(x), len(x) - 1))
        n = draw(st.integers(0, x[axis] - 1))  # n = length: an empty output, nothing to check
        return Case((x,), {"n": n, "axis": axis}, f"order {n}")

    return build()


DIFF = Kind("diff", fixed(
    _c((4,), label="vector"), _c((2, 4), n=2, label="order 2, last axis"),
    _c((3, 2), axis=0, label="axis 0"), _c((2, 4, 3), n=3, axis=1, label="order 3, middle axis"),
    _c((3,), n=0, label="order 0: the input itself"),
), _diff, same_shape)


def _gradient(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import st

    @st.composite
    def build(draw: Any) -> Case:
        edge_order = draw(st.sampled_from((1, 2)))
        nd = draw(st.integers(1, max(max_dims, 1)))
        x = tuple(draw(st.integers(1, max_side)) for _ in range(nd))
        axis = draw(st.integers(-nd, nd - 1))
        x = x[:axis % nd] + (draw(st.integers(edge_order + 1, edge_order + 4)),) \
            + x[axis % nd + 1:]
        spacing = draw(st.sampled_from((1.0, 0.5, 2.0, 0.25, "coordinates")))
        if spacing == "coordinates":  # increasing, non-uniform: steps of 0.25 to 2
            steps = draw(st.lists(st.sampled_from((0.25, 0.5, 1.0, 2.0)), min_size=x[axis % nd]
                                  - 1, max_size=x[axis % nd] - 1))
            spacing = tuple(float(sum(steps[:k])) for k in range(len(steps) + 1))
        return Case((x,), {"axis": axis, "spacing": spacing, "edge_order": edge_order},
                    f"edge_order {edge_order}")

    return build()


GRADIENT = Kind("gradient", fixed(
    _c((4,), label="vector"), _c((2,), label="two entries: one difference"),
    _c((3, 4), axis=0, spacing=0.5, label="axis 0, spacing 0.5"),
    _c((3, 4), axis=1, edge_order=2, label="edge_order 2"),
    _c((2, 3, 5), axis=-1, spacing=2.0, edge_order=2, label="negative axis, spacing, order 2"),
    _c((3,), edge_order=2, label="edge_order 2 at its smallest length"),
    _c((4,), spacing=(0.0, 0.5, 1.5, 1.75), label="coordinates: non-uniform spacing"),
    _c((3, 2), axis=0, spacing=(-1.0, 0.25, 2.0), edge_order=2,
       label="coordinates along axis 0, edge_order 2"),
), _gradient, same_shape)
