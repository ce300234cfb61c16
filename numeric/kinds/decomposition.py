"""Kinds of decompositions and least squares: svd, eigh, qr, pinv, lstsq, matrix_power.

Their raw rules return exactly the input's shape. Cases keep to the declared domains: no
full_matrices=True (or mode='complete') cotangent on vectors that are not functions of x.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from numeric.kind import Case, Kind
from numeric.kinds.broadcasting import fixed, same_shape

if TYPE_CHECKING:
    from numeric.op import Op

__all__ = ["SVD_KIND", "SYMMETRIC", "QR_KIND", "PINV", "LSTSQ", "MATRIX_POWER"]


def _c(*shapes: tuple[int, ...], label: str = "", **params: Any) -> Case:
    return Case(tuple(tuple(s) for s in shapes), params, label)


def _matrices(square: bool, draw_params: Any) -> Any:
    def strategy(op: Op, max_dims: int, max_side: int) -> Any:
        from numeric.kinds.draw import shape, st

        @st.composite
        def build(draw: Any) -> Case:
            batch = draw(shape(max(max_dims - 2, 0), max_side))
            m = draw(st.integers(1, max_side))
            n = m if square else draw(st.integers(1, max_side))
            params = draw_params(draw, st, m, n)
            return Case((batch + (m, n),), params, "stack of matrices" if batch else f"{m}x{n}")

        return build()

    return strategy


# derive checks the vectors' rules exactly at constructed rational points (its closed forms of
# two values do not reach them or 3x3): svd's cases include its singular vectors again. The
# first case is the one ``gradproof derive svd`` shows.
SVD_KIND = Kind("svd", fixed(
    _c((3, 3), label="3x3, vectors"),
    _c((3, 2), compute_uv=False, label="singular values only"),
    _c((2, 2), compute_uv=False, label="2x2, singular values"),
    _c((2, 3), compute_uv=False, label="wide, singular values"),
    _c((2, 3, 2), compute_uv=False, label="stack, singular values"),
    _c((3, 2), full_matrices=False, label="tall, vectors"),
    _c((2, 4), full_matrices=False, label="wide, vectors"),
), _matrices(False, lambda draw, st, m, n: {"compute_uv": False} if draw(st.booleans()) else
             {"full_matrices": m == n and draw(st.booleans())}), same_shape)
SYMMETRIC = Kind("symmetric", fixed(  # 2x2: closed forms; 3x3: constructed exact points
    _c((3, 3), label="3x3"), _c((2, 2), label="2x2"),
    _c((2, 2), UPLO="U", label="upper triangle read"),
    _c((2, 2, 2), label="stack"), _c((2, 2), vectors=False, label="eigenvalues only (eigvalsh)"),
    _c((3, 3), UPLO="U", vectors=False, label="3x3 eigvalsh, upper"),
), _matrices(True, lambda draw, st, m, n: {
    "UPLO": draw(st.sampled_from("LU")), "vectors": draw(st.booleans())}), same_shape)
QR_KIND = Kind("qr", fixed(
    _c((3, 3), label="3x3"), _c((3, 2), label="tall"), _c((2, 2), label="square"),
    _c((2, 3), label="wide"),
    _c((3, 2), mode="r", label="R only"), _c((2, 3, 2), label="stack"),
    _c((2, 3), mode="complete", label="complete (wide: Q square)"),
    _c((4, 3), label="tall 4x3"),
), _matrices(False, lambda draw, st, m, n: {
    "mode": draw(st.sampled_from(["reduced", "r"] + (["complete"] if m <= n else [])))}),
    same_shape)
PINV = Kind("pinv", fixed(
    _c((2, 2), label="square"), _c((3, 2), label="tall"), _c((2, 3), label="wide"),
    _c((2, 3, 2), label="stack"),
), _matrices(False, lambda draw, st, m, n: {}), same_shape)


def _lstsq(op: Op, max_dims: int, max_side: int) -> Any:
    from numeric.kinds.draw import st

    @st.composite
    def build(draw: Any) -> Case:
        m, n = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
        b = (m,) if draw(st.booleans()) else (m, draw(st.integers(1, max_side)))
        return Case(((m, n), b), {}, "overdetermined" if m > n else "square or wide")

    return build()


LSTSQ = Kind("lstsq", fixed(
    _c((3, 2), (3,), label="overdetermined, vector b (residuals)"),
    _c((3, 2), (3, 2), label="overdetermined, matrix b"),
    _c((2, 2), (2,), label="square"), _c((2, 3), (2, 2), label="underdetermined"),
), _lstsq, same_shape)
MATRIX_POWER = Kind("matrix_power", fixed(
    _c((2, 2), n=3, label="n=3"), _c((2, 2), n=1, label="n=1"), _c((2, 2), n=0, label="n=0"),
    _c((2, 2), n=-2, label="n=-2 (inverse squared)"), _c((2, 3, 3), n=2, label="stack, n=2"),
), _matrices(True, lambda draw, st, m, n: {"n": draw(st.integers(-3, 4))}), same_shape)
