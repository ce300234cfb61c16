"""prod's gradient: exact with zeros (no division), linear memory (no n x n mask), right on long
axes and at second order.
"""

import tracemalloc

import numpy as np
import pytest
from numdiff_util import central_diff

import numeric
from numeric import grad

PROD_WITH_ZEROS = [
    (np.array([2.0, 3.0, 5.0]), None, [15.0, 10.0, 6.0]),
    (np.array([2.0, 0.0, 5.0]), None, [0.0, 10.0, 0.0]),
    (np.array([0.0, 0.0, 5.0]), None, [0.0, 0.0, 0.0]),
    (np.array([7.0]), None, [1.0]),
    (np.array([[0.0, 2.0], [3.0, 4.0]]), 1, [[2.0, 0.0], [4.0, 3.0]]),
    (np.array([[0.0, 2.0], [3.0, 4.0]]), 0, [[3.0, 4.0], [0.0, 2.0]]),
]


@pytest.mark.parametrize("x, axis, want", PROD_WITH_ZEROS)
def test_prod_gradient_is_exact_with_zeros(x, axis, want):
    np.testing.assert_array_equal(grad(lambda t: np.prod(t, axis=axis).sum())(x), want)


def test_prod_gradient_memory_is_linear():
    x = np.random.default_rng(5).uniform(0.999, 1.001, size=4000)
    op = numeric.get_op("prod")
    out = op.fwd(x)
    tracemalloc.start()
    try:
        op.vjp[0](np.float64(1.0), out, x)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # An n x n mask of 4000 entries is 16 MB (bool) and 128 MB (float64); a few rows are 0.5 MB.
    assert peak < 2_000_000, f"prod's VJP peaked at {peak / 1e6:.1f} MB for 4000 entries"


def test_prod_gradient_on_a_long_axis_matches_the_quotient_rule():
    x = np.random.default_rng(6).uniform(0.5, 1.5, size=(3, 50))
    got = grad(lambda t: np.prod(t, axis=1).sum())(x)
    np.testing.assert_allclose(got, np.prod(x, axis=1, keepdims=True) / x, rtol=1e-12)


def test_prod_grad_of_grad_matches_differences():
    x = np.array([[0.7, -1.2, 0.0, 1.5, 0.9], [1.1, 0.4, -0.8, 1.3, 2.0]])
    df = grad(lambda t: np.prod(t, axis=1).sum())
    d2 = grad(lambda t: (df(t) * np.arange(10.0).reshape(2, 5)).sum())(x)
    want = central_diff(lambda v: float((df(v) * np.arange(10.0).reshape(2, 5)).sum()), x)
    np.testing.assert_allclose(d2, want, rtol=1e-6, atol=1e-8)
