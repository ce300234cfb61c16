"""SymArray: NumPy code on arrays of symbols dispatches to SymPy, exactly and keeping arrays."""

import numpy as np
import pytest
import sympy as sp

from derive.symbolic import NUMPY_TO_SYMPY, SymArray, as_sym, symbols

# Inputs inside every mapped function's domain (arccosh needs >= 1).
LOW_HIGH = {np.arccosh: (1.2, 2.0)}


def _values(ufunc, rng):
    low, high = LOW_HIGH.get(ufunc, (0.2, 0.9))
    return [rng.uniform(low, high, size=(2, 3)) for _ in range(ufunc.nin)]


@pytest.mark.parametrize("ufunc", list(NUMPY_TO_SYMPY), ids=lambda u: u.__name__)
def test_each_mapped_ufunc_agrees_with_numpy(ufunc):
    rng = np.random.default_rng(7)
    xs = [symbols(f"x{i}", (2, 3), real=True) for i in range(ufunc.nin)]
    out = ufunc(*xs)
    assert isinstance(out, SymArray) and out.shape == (2, 3)
    vals = _values(ufunc, rng)
    point = {s: sp.Float(v, 30) for x, val in zip(xs, vals)
             for s, v in zip(x.view(np.ndarray).ravel(), val.ravel())}
    want = ufunc(*vals)
    for k in np.ndindex(2, 3):
        got = sp.sympify(out.view(np.ndarray)[k]).xreplace(point)
        if want.dtype == bool:
            assert bool(got) == bool(want[k]), (ufunc.__name__, k)
        else:
            assert float(sp.N(got)) == pytest.approx(float(want[k]), rel=1e-12, abs=1e-12)


def test_every_result_stays_an_array_zero_d_included():
    x = symbols("x", (2, 3), real=True)
    for r in (np.sum(x), x[0, 1], np.exp(symbols("y", ())), x.sum(), np.max(x), x @ x.T[:, 0]):
        assert isinstance(r, SymArray)
    assert np.sum(x).shape == () and x[0, 1].shape == ()


def test_floats_become_exact_rationals():
    x = symbols("x", (3,), real=True)
    half = np.multiply(0.5, x)
    assert all(sp.expand(h - s / 2) == 0 for h, s in zip(half.view(np.ndarray),
                                                           x.view(np.ndarray)))
    assert as_sym(0.1)[()] == sp.Rational(0.1)  # the binary value of 0.1, exactly


def test_where_gives_piecewise_and_plain_bools_select():
    x, y = symbols("x", (2,), real=True), symbols("y", (2,), real=True)
    w = np.where(x > y, x, y).view(np.ndarray)
    a, b = sp.Symbol("x_0", real=True), sp.Symbol("y_0", real=True)
    assert w[0].subs({a: 2, b: 1}) == 2 and w[0].subs({a: 1, b: 2}) == 2
    chosen = np.where(np.array([True, False]), x, y).view(np.ndarray)
    assert chosen[0] == x.view(np.ndarray)[0] and chosen[1] == y.view(np.ndarray)[1]


def test_broadcasting_works_on_symbols():
    x, y = symbols("x", (2, 1), real=True), symbols("y", (3,), real=True)
    assert (x * y).shape == (2, 3)
    assert np.sum(x * y, axis=0).shape == (3,)


def test_linalg_is_mapped_and_agrees_with_numpy():
    rng = np.random.default_rng(3)
    a, b = symbols("a", (2, 2), real=True), symbols("b", (2,), real=True)
    av, bv = rng.uniform(-1, 1, (2, 2)) + 2 * np.eye(2), rng.uniform(-1, 1, 2)
    point = {s: sp.Rational(v) for arr, val in ((a, av), (b, bv))
             for s, v in zip(arr.view(np.ndarray).ravel(), val.ravel())}

    def num(e):
        vals = np.ravel(e.view(np.ndarray))
        return np.array([float(sp.sympify(v).xreplace(point)) for v in vals])

    np.testing.assert_allclose(num(np.linalg.inv(a)), np.linalg.inv(av).ravel(), rtol=1e-12)
    np.testing.assert_allclose(num(np.linalg.det(a)), [np.linalg.det(av)], rtol=1e-12)
    np.testing.assert_allclose(num(np.linalg.solve(a, b)), np.linalg.solve(av, bv), rtol=1e-12)
