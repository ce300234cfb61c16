"""Reductions of lists and tuples of Tensors through ``numeric.numpy`` (numeric/numpy/lists.py):
``np.mean([t1, t2])`` stacks the Tensors and gives each its gradient, as autograd does; plain
NumPy still refuses such a list (it would drop the gradients)."""

from __future__ import annotations

import numpy
import pytest
from numdiff_util import central_diff

import numeric
import numeric.numpy as np
from numeric import Tensor

A, B = numpy.array(0.7), numpy.array(-1.3)
U, V = numpy.array([0.5, -2.0, 1.0]), numpy.array([1.5, 0.25, -0.5])

CALLS = {
    "mean": lambda a, b: np.mean([a, b]), "sum": lambda a, b: np.sum((a, b, a)),
    "std": lambda a, b: np.std([a, b, 1.0]), "var": lambda a, b: np.var([a, 2.0 * b], ddof=1),
    "prod": lambda a, b: np.prod([a, b, b]), "max": lambda a, b: np.max([a, b]),
    "min": lambda a, b: np.min((a, b)), "amax": lambda a, b: np.amax([a, -b]),
    "amin": lambda a, b: np.amin([a, -b]), "ptp": lambda a, b: np.ptp([a, b, 0.0]),
    "nansum": lambda a, b: np.nansum([a, b]), "nanmean": lambda a, b: np.nanmean([a, b]),
    "average": lambda a, b: np.average([a, b], weights=[1.0, 3.0]),
    "cumsum": lambda a, b: np.cumsum([a, b]).sum() * b,
    "cumprod": lambda a, b: np.cumprod([a, b, a])[-1],
    "linalg.norm": lambda a, b: np.linalg.norm([a, b]),
    "nested": lambda a, b: np.sum([[a, b], [b * b, 1.0]]),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_list_of_tensors_gives_each_its_gradient(name):
    f = CALLS[name]
    value = f(Tensor(A), Tensor(B))
    assert isinstance(value, Tensor) and value.requires_grad
    ga, gb = numeric.grad(f, argnum=(0, 1))(A, B)
    numpy.testing.assert_allclose(ga, central_diff(lambda a: f(a, B), A), rtol=1e-6, atol=1e-9)
    numpy.testing.assert_allclose(gb, central_diff(lambda b: f(A, b), B), rtol=1e-6, atol=1e-9)


def test_lists_of_vectors_with_an_axis():
    f = lambda u, v: (np.mean([u, v], axis=0) * np.std((u, v), axis=1).sum()).sum()  # noqa: E731
    gu, gv = numeric.grad(f, argnum=(0, 1))(U, V)
    numpy.testing.assert_allclose(gu, central_diff(lambda u: f(u, V), U), rtol=1e-6)
    numpy.testing.assert_allclose(gv, central_diff(lambda v: f(U, v), V), rtol=1e-6)


def test_plain_lists_of_numbers_stay_plain():
    assert np.mean([1.0, 2.0]) == 1.5 and not isinstance(np.sum([1, 2]), Tensor)


def test_plain_numpy_still_refuses_a_list_of_tensors_by_saying_why():
    with pytest.raises(TypeError, match="would drop its gradient"):
        numpy.mean([Tensor(A), Tensor(B)])
