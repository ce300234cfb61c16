"""Kinds of SciPy's ops (``numeric/ops/scipy_linalg.py``, ``numeric/ops/scipy_signal.py``):
``SYLVESTER`` (a X + X b = q, batch axes broadcast) and ``CONVOLVE`` (autograd's general
convolution: convolved, summed and kept axes of two arrays, modes full, valid and same).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from numeric.kind import Case, Kind
from numeric.kinds.broadcasting import fixed, same_shape

if TYPE_CHECKING:
    from numeric.op import Op

__all__ = ["SYLVESTER", "CONVOLVE"]


def _c(*shapes: tuple[int, ...], label: str = "", **params: Any) -> Case:
    return Case(tuple(tuple(s) for s in shapes), params, label)


def _batched(op: Op, xs: list[np.ndarray], out: np.ndarray, i: int) -> tuple[int, ...]:
    """The output's batch axes, then the input's own two matrix axes."""
    return tuple(np.shape(out)[:-2]) + tuple(np.shape(xs[i])[-2:])


def _sylvester(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import shape, st

    @st.composite
    def build(draw: Any) -> Case:
        # sides up to 2: derive's exact Kronecker solve of 3x3 systems outruns its budget
        m, n = draw(st.integers(1, min(max_side, 2))), draw(st.integers(1, min(max_side, 2)))
        batch = draw(shape(max(max_dims - 2, 0), max_side))
        own = [tuple(1 if draw(st.booleans()) else k for k in batch)[
            draw(st.integers(0, len(batch))):] for _ in range(3)]
        return Case((own[0] + (m, m), own[1] + (n, n), own[2] + (m, n)), {},
                    "batch axes broadcast" if batch else f"{m}x{m}, {n}x{n}")

    return build()


SYLVESTER = Kind("sylvester", fixed(
    _c((1, 1), (2, 2), (1, 2), label="1x1 a, 2x2 b"),
    _c((2, 2), (1, 1), (2, 1), label="2x2 a, 1x1 b"),
    _c((2, 2), (2, 2), (2, 2), label="2x2 a and b (no exact check in time: numeric)"),
    _c((2, 2, 2), (1, 1), (2, 1), label="stack of a, one b and q"),
), _sylvester, _batched)


def _convolve(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import st

    @st.composite
    def build(draw: Any) -> Case:
        mode = draw(st.sampled_from(["full", "valid", "same"]))
        nconv = draw(st.integers(1, 2))
        ndot = draw(st.integers(0, 1))
        keep_a, keep_b = draw(st.integers(0, 1)), draw(st.integers(0, 1))
        sa = [draw(st.integers(1, max_side + 1)) for _ in range(nconv)]
        sb = [draw(st.integers(1, max_side + 1)) for _ in range(nconv)]
        if mode == "valid":  # one operand at least as large along every convolved axis
            big, small = (sa, sb) if draw(st.booleans()) else (sb, sa)
            small[:] = [min(s, b) for s, b in zip(small, big)]
        dots = [draw(st.integers(1, max_side)) for _ in range(ndot)]
        roles_a = ["c"] * nconv + ["d"] * ndot + ["k"] * keep_a
        roles_b = ["c"] * nconv + ["d"] * ndot + ["k"] * keep_b
        order_a, order_b = draw(st.permutations(roles_a)), draw(st.permutations(roles_b))
        kept = [draw(st.integers(1, max_side)) for _ in range(2)]
        shapes, axes, dot_axes = [], [], []
        for order, conv, keep in ((order_a, sa, kept[0]), (order_b, sb, kept[1])):
            where = {r: [i for i, o in enumerate(order) if o == r] for r in "cdk"}
            shape = [0] * len(order)
            for i, size in zip(where["c"], conv):
                shape[i] = size
            for i, size in zip(where["d"], dots):
                shape[i] = size
            for i in where["k"]:
                shape[i] = keep
            shapes.append(tuple(shape))
            axes.append(tuple(where["c"]))
            dot_axes.append(tuple(where["d"]))
        return Case(tuple(shapes), {"axes": tuple(axes), "dot_axes": tuple(dot_axes),
                                    "mode": mode}, f"{mode}, {nconv} convolved axes")

    return build()


CONVOLVE = Kind("convolve", fixed(
    _c((3,), (2,), label="full"),
    _c((4,), (2,), mode="valid", label="valid, A larger"),
    _c((2,), (3,), mode="valid", label="valid, B larger"),
    _c((3,), (2,), mode="same", label="same (A's size)"),
    _c((2,), (3,), mode="same", label="same, B larger"),
    _c((2, 2), (2, 1), label="2-d full"),
    _c((2, 3), (2, 2), axes=((1,), (1,)), dot_axes=((0,), (0,)),
       label="axis 0 summed (dot_axes), axis 1 convolved"),
    _c((2, 3), (2,), axes=((1,), (0,)), label="A's axis 0 kept"),
), _convolve, same_shape)
