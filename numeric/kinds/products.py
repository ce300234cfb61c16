"""Kinds of products: inner, tensordot, vdot, kron, cross, vecdot, matvec, vecmat.

inner, tensordot, vdot and kron rules return exactly the input's shape; cross, vecdot, matvec
and vecmat broadcast batch axes, and their raw rules may return the broadcast batch
(``unbroadcast`` sums it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from numeric.kind import Case, Kind
from numeric.kinds.broadcasting import fixed, same_shape

if TYPE_CHECKING:
    from numeric.op import Op

__all__ = ["INNER", "TENSORDOT", "VDOT", "KRON", "CROSS", "VECDOT", "MATVEC", "VECMAT"]


def _c(*shapes: tuple[int, ...], label: str = "", **params: Any) -> Case:
    return Case(tuple(tuple(s) for s in shapes), params, label)


def _core_target(axes: Any) -> Any:
    """The raw-shape model of a vector op: the input's core axis (or the last ``ncore`` axes)
    kept, its batch axes broadcast against the other input's."""
    def target(op: Op, xs: list[np.ndarray], out: np.ndarray, i: int) -> tuple[int, ...]:
        batches, cores = [], []
        for k, x in enumerate(xs):
            where = axes(xs, out, k)
            shape = list(np.shape(x))
            if isinstance(where, int):  # one core axis at ``where``
                a = where % len(shape)
                cores.append((a - len(shape), shape.pop(a)))
            else:  # the last ``where[0]`` axes
                cores.append((None, tuple(shape[len(shape) - where[0]:])))
                shape = shape[:len(shape) - where[0]]
            batches.append(tuple(shape))
        batch = list(np.broadcast_shapes(*batches))
        pos, core = cores[i]
        if pos is None:
            return tuple(batch) + core
        batch.insert(len(batch) + 1 + pos, core)
        return tuple(batch)

    return target


def _batches(xs: list[np.ndarray], cores: tuple[int, ...]) -> tuple[int, ...] | None:
    """The broadcast of the inputs' shapes without their core axes, or None if they clash."""
    try:
        return tuple(np.broadcast_shapes(*(tuple(np.delete(np.shape(x), c))
                                           for x, c in zip(xs, cores))))
    except ValueError:
        return None


def _cross_axis(xs: list[np.ndarray], out: Any, k: int) -> int:
    """Input k's vector axis, as the shapes tell it (the model sees no parameters): the last
    axes of size 2 or 3 whose batches broadcast to ``out``'s (with its 3-axis taken out)."""
    shapes, oshape = [np.shape(x) for x in xs], tuple(np.shape(out))
    for a in reversed(range(len(shapes[0]))):
        for b in reversed(range(len(shapes[1]))):
            if shapes[0][a] not in (2, 3) or shapes[1][b] not in (2, 3):
                continue
            batch = _batches(xs, (a, b))
            if batch is None:
                continue
            if (shapes[0][a], shapes[1][b]) == (2, 2):
                fits = batch == oshape
            else:
                fits = any(n == 3 and oshape[:c] + oshape[c + 1:] == batch
                           for c, n in enumerate(oshape))
            if fits:
                return (a, b)[k]
    return -1


def _vecdot_axis(xs: list[np.ndarray], out: Any) -> int:
    """vecdot's axis, as the shapes tell it: the last one of equal sizes whose batches broadcast
    to ``out``'s shape."""
    nd = min(np.ndim(x) for x in xs)
    for axis in list(range(-1, -nd - 1, -1)) + list(range(nd)):
        sizes = {np.shape(x)[axis] for x in xs}
        if len(sizes) == 1 and _batches(xs, tuple(axis % np.ndim(x) for x in xs)) \
                == tuple(np.shape(out)):
            return axis
    return -1


def _inner(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        if draw(st.integers(0, 4)) == 0:
            other = draw(shape(2, max_side))
            return Case(((), other) if draw(st.booleans()) else (other, ()), {}, "0-d operand")
        k = draw(st.integers(1, max_side))
        x = draw(shape(max(max_dims - 1, 0), max_side)) + (k,)
        y = draw(shape(max(max_dims - 1, 0), max_side)) + (k,)
        return Case((x, y), {}, "last axes contracted")

    return build()


INNER = Kind("inner", fixed(
    _c((3,), (3,), label="vectors"), _c((), (2, 3), label="0-d x"),
    _c((2, 3), (4, 3), label="matrices"), _c((2, 1, 3), (2, 3), label="3-d x, 2-d y"),
), _inner, same_shape)


def _tensordot(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side))
        k = draw(st.integers(0, len(x)))
        if draw(st.booleans()):  # axes an int: x's last k axes with y's first k
            y = x[len(x) - k:] + draw(shape(max(max_dims - k, 0), max_side))
            return Case((x, y), {"axes": k}, f"axes={k}")
        ax = draw(st.permutations(range(len(x))))[:k]
        y_free = draw(shape(max(max_dims - k, 0), max_side))
        ny = k + len(y_free)
        ay = draw(st.permutations(range(ny)))[:k]
        y = [0] * ny
        for a, b in zip(ax, ay):
            y[b] = x[a]
        rest = iter(y_free)
        y = tuple(n if b in ay else next(rest) for b, n in enumerate(y))
        axes = (tuple(a - len(x) if draw(st.booleans()) else a for a in ax), tuple(ay))
        return Case((x, y), {"axes": axes}, "axes pairs")

    return build()


TENSORDOT = Kind("tensordot", fixed(
    _c((2, 3), (3, 4), axes=1, label="axes=1 (matrix product)"),
    _c((2, 3), (2, 3), label="axes=2 (default, full contraction)"),
    _c((2,), (3,), axes=0, label="axes=0 (outer product)"),
    _c((2, 3, 4), (4, 2, 3), axes=((0, 2), (1, 0)), label="axes pairs, out of order"),
    _c((3, 2), (2, 3), axes=((-1,), (0,)), label="negative axis"),
), _tensordot, same_shape)


def _vdot(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        x = draw(shape(max_dims, max_side, min_dims=1))
        n = 1
        for s in x:
            n *= s
        y = (n,) if draw(st.booleans()) else tuple(reversed(x))
        return Case((x, y), {}, "same size")

    return build()


VDOT = Kind("vdot", fixed(
    _c((3,), (3,), label="vectors"), _c((2, 3), (6,), label="matrix and vector, flattened"),
    _c((2, 2), (2, 2), label="matrices"),
), _vdot, same_shape)


def _kron(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    return st.tuples(shape(max_dims, max_side), shape(max_dims, max_side)).map(
        lambda s: Case(s, {}, "kron"))


KRON = Kind("kron", fixed(
    _c((2,), (3,), label="vectors"), _c((2, 2), (2, 3), label="matrices"),
    _c((2,), (2, 3), label="fewer axes in x"), _c((), (2,), label="0-d x"),
), _kron, same_shape)


def _cross(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import broadcastable_shapes, st

    @st.composite
    def build(draw: Any) -> Case:
        bx, by = draw(broadcastable_shapes(2, max_dims=max(max_dims - 1, 0), max_side=max_side))
        na, nb = draw(st.sampled_from([(3, 3), (2, 3), (3, 2), (2, 2)]))
        pa, pb = draw(st.integers(0, len(bx))), draw(st.integers(0, len(by)))
        x, y = bx[:pa] + (na,) + bx[pa:], by[:pb] + (nb,) + by[pb:]
        params = {"axisa": pa - len(x) if draw(st.booleans()) else pa, "axisb": pb}
        if (na, nb) != (2, 2):
            nd = max(len(bx), len(by)) + 1
            params["axisc"] = draw(st.integers(-nd, nd - 1))
        return Case((x, y), params, f"{na}- and {nb}-vectors")

    return build()


CROSS = Kind("cross", fixed(
    _c((3,), (3,), label="3-vectors"), _c((2, 3), (3,), label="batch of 3-vectors"),
    _c((2,), (2,), label="2-vectors: the z component"),
    _c((2, 2), (3,), label="2- and 3-vectors"),
    _c((3, 2), (2, 3), axisa=0, axisc=0, label="axisa=0, axisc=0"),
    _c((2, 1, 3), (2, 3), label="broadcast batch"),
), _cross, _core_target(_cross_axis))


def _vecdot(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import broadcastable_shapes, st

    @st.composite
    def build(draw: Any) -> Case:
        bx, by = draw(broadcastable_shapes(2, max_dims=max(max_dims - 1, 0), max_side=max_side))
        n = draw(st.integers(1, max_side))
        if draw(st.booleans()):
            return Case((bx + (n,), by + (n,)), {}, "last axis")
        return Case(((n,) + bx, (n,) + by), {"axis": 0}, "axis=0")

    return build()


VECDOT = Kind("vecdot", fixed(
    _c((3,), (3,), label="vectors"), _c((2, 3), (3,), label="broadcast batch"),
    _c((3, 2), (3, 1), axis=0, label="axis=0"),
), _vecdot, _core_target(lambda xs, out, k: _vecdot_axis(xs, out)))


def _matvec(vecmat: bool) -> Any:
    def strategy(op: Op, max_dims: int, max_side: int) -> Any:
        from numeric.kinds.draw import broadcastable_shapes, st

        @st.composite
        def build(draw: Any) -> Case:
            ba, bv = draw(broadcastable_shapes(2, max_dims=max(max_dims - 2, 0),
                                               max_side=max_side))
            m, n = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
            a, v = ba + (m, n), bv + ((m,) if vecmat else (n,))
            return Case((v, a) if vecmat else (a, v), {}, "batched" if ba or bv else "plain")

        return build()

    return strategy


MATVEC = Kind("matvec", fixed(
    _c((2, 3), (3,), label="matrix, vector"), _c((2, 2, 3), (3,), label="stack of matrices"),
    _c((2, 3), (2, 1, 3), label="broadcast batch"),
), _matvec(False), _core_target(lambda xs, out, k: (2 - k,)))
VECMAT = Kind("vecmat", fixed(
    _c((2,), (2, 3), label="vector, matrix"), _c((2,), (2, 2, 3), label="stack of matrices"),
    _c((2, 1, 2), (2, 3), label="broadcast batch"),
), _matvec(True), _core_target(lambda xs, out, k: (k + 1,)))
