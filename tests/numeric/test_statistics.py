"""Statistics (numeric/ops/statistics.py): nansum, nanmean, ptp and average.

Beyond the table-driven checks: NaN entries receive a zero gradient, ptp splits ties as max and
min do, average is differentiable in its weights in every form NumPy takes them (same shape,
1-d along an axis, a block along a tuple of axes) and with ``returned=True``, and the arguments
the engine does not take are refused by name. Expected values are closed forms or central
differences.
"""

from __future__ import annotations

import numpy as np
import pytest
from numdiff_util import central_diff

import numeric
from numeric import Tensor

RNG = np.random.default_rng(30)
A = RNG.normal(size=(3, 4))
W = RNG.uniform(0.5, 2.0, size=(3, 4))


def _grad(f, *xs):
    return numeric.grad(f, argnum=tuple(range(len(xs))))(*xs)


def _fd(f, x):
    return central_diff(lambda v: float(f(v)), x)


# ---------------------------------------------------------------------------------------------
# nansum and nanmean: NaN entries get a zero gradient
# ---------------------------------------------------------------------------------------------
X_NAN = np.array([[1.0, np.nan, 2.0], [np.nan, np.nan, 3.0]])


def test_nansum_gives_nan_entries_zero_gradient():
    (g,) = _grad(lambda a: np.nansum(a), X_NAN)
    np.testing.assert_array_equal(g, [[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    (g,) = _grad(lambda a: (np.nansum(a, axis=1) * np.array([2.0, 5.0])).sum(), X_NAN)
    np.testing.assert_array_equal(g, [[2.0, 0.0, 2.0], [0.0, 0.0, 5.0]])


def test_nanmean_divides_by_the_entries_present():
    (g,) = _grad(lambda a: np.nanmean(a), X_NAN)
    np.testing.assert_array_equal(g, [[1 / 3, 0.0, 1 / 3], [0.0, 0.0, 1 / 3]])
    (g,) = _grad(lambda a: np.nanmean(a, axis=1, keepdims=True).sum(), X_NAN)
    np.testing.assert_array_equal(g, [[0.5, 0.0, 0.5], [0.0, 0.0, 1.0]])
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"):  # NumPy's, column 1
        (g,) = _grad(lambda a: np.nanmean(a, axis=0).sum(), X_NAN)
    np.testing.assert_array_equal(g, [[1.0, 0.0, 0.5], [0.0, 0.0, 0.5]])


@pytest.mark.parametrize("kwargs", [{}, {"axis": 0}, {"axis": (0, 1), "keepdims": True}])
@pytest.mark.parametrize("nan_f", [np.nansum, np.nanmean])
def test_nan_reductions_without_nan_match_central_differences(nan_f, kwargs):
    w = RNG.normal(size=np.shape(nan_f(A, **kwargs)))
    (g,) = _grad(lambda a: (nan_f(a, **kwargs) * w).sum(), A)
    np.testing.assert_allclose(g, _fd(lambda a: (nan_f(a, **kwargs) * w).sum(), A), rtol=1e-6)


@pytest.mark.parametrize("call, name", [
    (lambda t: np.nansum(t, dtype=np.float32), "dtype"), (lambda t: np.nansum(t, out=1), "out"),
    (lambda t: np.nanmean(t, where=t > 0), "where"), (lambda t: np.ptp(t, out=1), "out"),
    (lambda t: np.nansum(t, initial=1.0), "initial"),
])
def test_unsupported_arguments_are_refused_by_name(call, name):
    with pytest.raises(TypeError, match=rf"\b{name}="):
        call(Tensor(A))


# ---------------------------------------------------------------------------------------------
# ptp = max - min, ties split evenly
# ---------------------------------------------------------------------------------------------
def test_ptp_splits_ties_like_max_and_min():
    x = np.array([1.0, 3.0, 3.0, 0.0, 0.0, 0.0])
    (g,) = _grad(lambda a: np.ptp(a), x)
    np.testing.assert_allclose(g, [0.0, 0.5, 0.5, -1 / 3, -1 / 3, -1 / 3], rtol=1e-15)
    (g,) = _grad(lambda a: np.ptp(a), np.full(3, 2.0))  # max = min: the halves cancel
    np.testing.assert_array_equal(g, np.zeros(3))


@pytest.mark.parametrize("kwargs", [{}, {"axis": 0}, {"axis": -1, "keepdims": True},
                                    {"axis": (0, 1)}])
def test_ptp_call_forms_match_numpy_and_central_differences(kwargs):
    np.testing.assert_array_equal(np.ptp(Tensor(A), **kwargs).value, np.ptp(A, **kwargs))
    w = RNG.normal(size=np.shape(np.ptp(A, **kwargs)))
    (g,) = _grad(lambda a: (np.ptp(a, **kwargs) * w).sum(), A)
    np.testing.assert_allclose(g, _fd(lambda a: (np.ptp(a, **kwargs) * w).sum(), A),
                               rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------------------------------------
# average: weights in every NumPy form, differentiable; returned=True
# ---------------------------------------------------------------------------------------------
A3 = RNG.normal(size=(2, 3, 4))
WEIGHT_FORMS = {
    "no weights": ({}, None),
    "same shape": ({}, RNG.uniform(0.5, 2.0, size=(2, 3, 4))),
    "same shape, axis": ({"axis": 1}, RNG.uniform(0.5, 2.0, size=(2, 3, 4))),
    "1-d along axis 1": ({"axis": 1}, RNG.uniform(0.5, 2.0, size=3)),
    "1-d along axis -1, keepdims": ({"axis": -1, "keepdims": True},
                                    RNG.uniform(0.5, 2.0, size=4)),
    "block along axes (0, 2)": ({"axis": (0, 2)}, RNG.uniform(0.5, 2.0, size=(2, 4))),
    "block along axes (2, 0)": ({"axis": (2, 0)}, RNG.uniform(0.5, 2.0, size=(4, 2))),
}


@pytest.mark.parametrize("form", sorted(WEIGHT_FORMS))
def test_average_weights_forms_match_numpy_and_central_differences(form):
    kwargs, w = WEIGHT_FORMS[form]
    np.testing.assert_allclose(np.average(Tensor(A3), weights=w, **kwargs).value,
                               np.average(A3, weights=w, **kwargs), rtol=1e-14)
    g = RNG.normal(size=np.shape(np.average(A3, weights=w, **kwargs)))
    if w is None:
        (ga,) = _grad(lambda a: (np.average(a, **kwargs) * g).sum(), A3)
    else:
        ga, gw = _grad(lambda a, v: (np.average(a, weights=v, **kwargs) * g).sum(), A3, w)
        np.testing.assert_allclose(
            gw, _fd(lambda v: (np.average(A3, weights=v, **kwargs) * g).sum(), w),
            rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(
        ga, _fd(lambda a: (np.average(a, weights=w, **kwargs) * g).sum(), A3),
        rtol=1e-6, atol=1e-8)


def test_average_gradients_are_the_closed_forms():
    ga, gw = _grad(lambda a, v: np.average(a, weights=v), A, W)
    avg = np.sum(A * W) / np.sum(W)
    np.testing.assert_allclose(ga, W / np.sum(W), rtol=1e-14)
    np.testing.assert_allclose(gw, (A - avg) / np.sum(W), rtol=1e-12, atol=1e-15)


def test_average_returned_gives_the_sum_of_weights_differentiably():
    avg, total = np.average(Tensor(A), axis=1, weights=Tensor(W), returned=True)
    want_avg, want_total = np.average(A, axis=1, weights=W, returned=True)
    np.testing.assert_allclose(avg.value, want_avg, rtol=1e-14)
    np.testing.assert_allclose(total.value, want_total, rtol=1e-14)

    def f(v):
        avg, total = np.average(A, axis=1, weights=v, returned=True)
        return (avg * total * total).sum()

    (gw,) = _grad(f, W)
    np.testing.assert_allclose(gw, _fd(f, W), rtol=1e-6)
    avg, count = np.average(Tensor(A), axis=0, returned=True)  # no weights: the count
    np.testing.assert_array_equal(count, np.average(A, axis=0, returned=True)[1])


@pytest.mark.parametrize("call, error, match", [
    (lambda a: np.average(a, weights=np.ones(4)), TypeError, "give the axis"),
    (lambda a: np.average(a, axis=0, weights=np.ones(4)), ValueError,
     r"weights of shape \(4,\) do not match a's shape \(3, 4\) along axis 0"),
    (lambda a: np.average(a, axis=1, weights=np.array([1.0, -1.0, 0.0, 0.0])),
     ZeroDivisionError, "average: the weights sum to zero"),
])
def test_average_bad_weights_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call(Tensor(A))
