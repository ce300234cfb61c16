"""numeric.ops.exact_points: matrices built from exact rational factors, the factors LAPACK's
(signs included), and the exact factorization of such a matrix found again from it alone."""

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric import get_op
from numeric.ops.exact_points import (
    eigh_point,
    orthogonal,
    qr_point,
    rational_factors,
    svd_point,
)

SIDES = st.tuples(st.integers(1, 3), st.integers(1, 3))


def _f(a):
    return np.array(a, dtype=float)


def test_cayley_transform_is_rational_and_orthogonal():
    q = orthogonal(4, np.random.default_rng(0))
    assert all(v.is_Rational for v in q)
    assert q.T * q == sympy.eye(4)


@settings(derandomize=True, max_examples=8, deadline=None)
@given(SIDES, st.booleans(), st.integers(0, 2**16))
def test_svd_points_are_numpys_svd_exactly(sides, full, seed):
    m, n = sides
    p = svd_point(((m, n),), {"full_matrices": full}, np.random.default_rng(seed))
    (x,), (u, s, v) = p.xs, p.factors
    assert all(e == 0 for e in np.ravel(p.residual([x], u, s, v)))
    assert (np.matmul(u * s, v.T) == x).all()
    want = np.linalg.svd(_f(x), full_matrices=full)
    np.testing.assert_allclose(_f(s), want.S, rtol=1e-12)
    got = p.out(u, s, v)  # packed as the record's forward packs U, s, Vh (LAPACK's signs)
    np.testing.assert_allclose(_f(got), get_op("svd").fwd(_f(x), full), atol=1e-12)


@settings(derandomize=True, max_examples=6, deadline=None)
@given(st.integers(1, 4), st.sampled_from("LU"), st.integers(0, 2**16))
def test_eigh_points_read_one_triangle_and_are_numpys(n, uplo, seed):
    p = eigh_point(((n, n),), {"UPLO": uplo}, np.random.default_rng(seed))
    (x,), (w, v) = p.xs, p.factors
    assert all(e == 0 for e in np.ravel(p.residual([x], w, v)))
    want = np.linalg.eigh(_f(x), UPLO=uplo)
    np.testing.assert_allclose(_f(w), want.eigenvalues, atol=1e-12)
    np.testing.assert_allclose(_f(v), want.eigenvectors, atol=1e-12)


@settings(derandomize=True, max_examples=8, deadline=None)
@given(SIDES, st.sampled_from(["reduced", "complete", "r"]), st.integers(0, 2**16))
def test_qr_points_are_numpys_qr(sides, mode, seed):
    p = qr_point((sides,), {"mode": mode}, np.random.default_rng(seed))
    (x,), (q, r) = p.xs, p.factors
    assert (np.matmul(q, r) == x).all() and (np.tril(_f(r), -1) == 0).all()
    np.testing.assert_allclose(_f(p.out(q, r)), get_op("qr").fwd(_f(x), mode), atol=1e-12)


@pytest.mark.parametrize("kind, shape", [("svd", (3, 2)), ("svd", (2, 3)), ("svd", (3, 3)),
                                         ("eigh", (3, 3))])
def test_rational_factors_find_the_built_factors_again(kind, shape):
    rng = np.random.default_rng(5)
    if kind == "eigh":
        p = eigh_point((shape,), {"UPLO": "U"}, rng)
        w, v = rational_factors(p.xs[0], "eigh", "U")
        assert (w == p.factors[0]).all() and (v == p.factors[1]).all()
        return
    p = svd_point((shape,), {"full_matrices": False}, rng)
    u, s, vh = rational_factors(p.xs[0], "svd")
    assert (u == p.factors[0]).all() and (s == p.factors[1]).all()
    assert (vh == p.factors[2].T).all()


def test_rational_factors_refuse_irrational_spectra_and_symbols():
    x = np.array([[sympy.Rational(1), 2, 0], [2, 1, 1], [0, 1, 3]], dtype=object)
    with pytest.raises(NotImplementedError, match="rational"):
        rational_factors(x, "eigh")
    with pytest.raises(NotImplementedError, match="symbols"):
        rational_factors(np.array(sympy.symbols("a:9"), dtype=object).reshape(3, 3), "svd")
