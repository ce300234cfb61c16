"""np.linalg on Tensors: cholesky is exactly NumPy's (it reads the lower triangle, so the upper one
gets a zero gradient), its VJP matches differences on stacks, and derive proves it.
"""

import numpy as np
import pytest
from numdiff_util import assert_vjp_matches_fd, central_diff

import derive
import numeric
from numeric import Tensor, grad

NOT_SYMMETRIC = [
    np.array([[4.0, 100.0], [2.0, 3.0]]),  # the review's example: its symmetric part is not SPD
    np.array([[5.0, -7.0, 0.3], [1.0, 4.0, 2.0], [0.5, -1.0, 6.0]]),
]


@pytest.mark.parametrize("a", NOT_SYMMETRIC, ids=["2x2", "3x3"])
def test_cholesky_is_numpys_on_matrices_that_are_not_symmetric(a):
    np.testing.assert_array_equal(np.linalg.cholesky(Tensor(a)).value, np.linalg.cholesky(a))
    # Only the lower triangle is read: the upper one gets a zero gradient, as differences say.
    w = np.random.default_rng(9).normal(size=a.shape)
    got = grad(lambda t: (np.linalg.cholesky(t) * w).sum())(a)
    want = central_diff(lambda v: float((np.linalg.cholesky(v) * w).sum()), a)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)
    assert np.all(got[np.triu_indices(len(a), 1)] == 0)


def test_cholesky_vjp_matches_differences_on_a_stack_of_unsymmetric_matrices():
    rng = np.random.default_rng(11)
    u = rng.normal(size=(2, 3, 3))
    a = u @ np.swapaxes(u, -1, -2) + 3 * np.eye(3) + np.triu(rng.normal(size=(2, 3, 3)), 1)
    assert_vjp_matches_fd(numeric.get_op("cholesky"), [a], {}, seed=3)


@pytest.mark.parametrize("case", numeric.cases.standard_cases(numeric.get_op("cholesky")),
                         ids=str)
def test_derive_proves_cholesky(case):
    assert derive.prove_rule("cholesky", case).status == "proved"
