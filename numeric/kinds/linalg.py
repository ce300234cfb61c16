"""Kinds of linear algebra: square matrices (inv, det, ...), diagonals, dot, outer, einsum,
and ``OTHER`` — a user op whose cases are its own.

Their raw rules return exactly the input's shape (solve and matmul, whose batch axes
broadcast, are in ``numeric.kinds.broadcasting``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from numeric.kind import Case, Kind
from numeric.kinds.broadcasting import fixed, same_shape

if TYPE_CHECKING:
    from numeric.op import Op

__all__ = ["SQUARE", "DIAGONAL", "DOT", "OUTER", "EINSUM", "OTHER"]


def _c(*shapes: tuple[int, ...], label: str = "", **params: Any) -> Case:
    return Case(tuple(tuple(s) for s in shapes), params, label)


def _square(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        batch = draw(shape(max(max_dims - 2, 0), max_side))
        n = draw(st.integers(1, max_side))
        return Case((batch + (n, n),), {}, "stack of matrices" if batch else f"{n}x{n}")

    return build()


SQUARE = Kind("square", fixed(
    _c((2, 2), label="2x2"), _c((3, 3), label="3x3"), _c((2, 2, 2), label="stack of matrices"),
), _square, same_shape)


def _diagonal(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max(max_dims, 2), max_side, min_dims=2))
        nd = len(x)
        a1, a2 = draw(st.lists(st.integers(0, nd - 1), min_size=2, max_size=2, unique=True))
        offset = draw(st.integers(-(x[a1] - 1), x[a2] - 1))
        params = {"offset": offset, "axis1": a1 - nd if draw(st.booleans()) else a1,
                  "axis2": a2}
        return Case((x,), params, "diagonal")

    return build()


DIAGONAL = Kind("diagonal", fixed(
    _c((3, 3), label="square"), _c((2, 3), offset=1, label="offset 1"),
    _c((3, 2), offset=-1, label="offset -1"),
    _c((2, 3, 4), axis1=2, axis2=0, label="3-d, axis1 > axis2"),
), _diagonal, same_shape)


def _dot(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        if draw(st.integers(0, 4)) == 0:  # a 0-d operand multiplies
            other = draw(shape(2, max_side))
            return Case(((), other) if draw(st.booleans()) else (other, ()), {}, "0-d operand")
        x = draw(shape(max_dims, max_side, min_dims=1))
        k = x[-1]
        if draw(st.booleans()):
            return Case((x, (k,)), {}, "y a vector")
        batch = draw(shape(max(max_dims - 2, 0), max_side))
        y = batch + (k, draw(st.integers(1, max_side)))
        return Case((x, y), {}, "y with batch axes" if batch else "y a matrix")

    return build()


DOT = Kind("dot", fixed(
    _c((3,), (3,), label="vector-vector"), _c((2, 3), (3,), label="matrix-vector"),
    _c((3,), (3, 2), label="vector-matrix"), _c((2, 3), (3, 2), label="matrix-matrix"),
    _c((), (2, 3), label="0-d x"), _c((2, 2, 3), (3, 2), label="3-d x, 2-d y"),
    _c((2, 3), (2, 3, 2), label="2-d x, 3-d y: y's second-to-last axis contracted"),
    _c((3,), (2, 3, 2), label="1-d x, 3-d y"),
), _dot, same_shape)


def _outer(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    return st.tuples(shape(2, max_side), shape(2, max_side)).map(
        lambda shapes: Case(shapes, {}, "outer"))


OUTER = Kind("outer", fixed(
    _c((3,), (2,), label="vectors"), _c((2, 2), (3,), label="x flattened"),
    _c((), (2,), label="0-d x"),
), _outer, same_shape)
def _einsum(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import st

    letters = "abcd"

    @st.composite
    def build(draw: Any) -> Case:
        sizes = {c: draw(st.integers(1, max_side)) for c in letters}
        n = draw(st.integers(1, 3))
        terms = [draw(st.lists(st.sampled_from(letters), min_size=0, max_size=max_dims))
                 for _ in range(n)]
        batch = draw(st.lists(st.integers(1, max_side), max_size=max(max_dims - 2, 0)))
        ellipsis = [bool(batch) and draw(st.booleans()) for _ in terms]
        shapes = [(tuple(1 if draw(st.booleans()) else b for b in batch) if e else ())
                  + tuple(sizes[c] for c in t) for t, e in zip(terms, ellipsis)]
        spelled = ["..." + "".join(t) if e else "".join(t) for t, e in zip(terms, ellipsis)]
        seen = sorted(set("".join("".join(t) for t in terms)))
        if draw(st.booleans()):  # implicit output
            return Case(tuple(shapes), {"subscripts": ",".join(spelled)}, "implicit output")
        out = draw(st.permutations(seen))[:draw(st.integers(0, len(seen)))]
        out = ("..." if any(ellipsis) else "") + "".join(out)
        return Case(tuple(shapes), {"subscripts": ",".join(spelled) + "->" + out}, "explicit")

    return build()


EINSUM = Kind("einsum", fixed(
    _c((2, 3), (3, 4), subscripts="ij,jk->ik", label="matrix product"),
    _c((2, 2, 3), (2, 3, 2), subscripts="bij,bjk->bik", label="batched"),
    _c((3, 3), (3,), subscripts="ii,i->i", label="repeated index (diagonal)"),
    _c((2, 3), (2,), subscripts="ij,k->ijk", label="outer"),
    _c((2, 3), (2, 3), subscripts="ij,ij", label="implicit output"),
    _c((2, 3), (4,), subscripts="ij,k->i", label="summed-out indices"),
    _c((2, 2, 3), (3,), subscripts="...j,j->...", label="ellipsis"),
    _c((2, 3), (1, 3), subscripts="...j,...j->...j", label="ellipsis, size-1 axis broadcast"),
    _c((2, 3, 4), (4,), subscripts="i...j,j", label="ellipsis in the middle, implicit output"),
), _einsum, same_shape)
# A user op of its own kind: it declares its cases; any raw shape unbroadcast accepts is fine.
OTHER = Kind("other", lambda op: ())
