"""The elementwise ops of issue 11's NumPy surface: call forms, edge cases and HIPS autograd.

log2 log10 exp2 sinc fabs deg2rad rad2deg logaddexp2, remainder (np.mod, ``%``) and fmod, and
real imag conjugate angle on real inputs. The table-driven tests (test_ops.py, test_higher_order.py,
tests/verify/test_mutants.py) check every record against central differences; this file checks
what is particular to these: every NumPy spelling reaches the record, ``out=`` and complex inputs
are refused by name, the values at special points (sinc at 0, the remainders' jumps) are the
closed forms, and first and second derivatives agree with autograd's where autograd has the op.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from numdiff_util import central_diff

import numeric
from numeric import Tensor

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")

X = np.array([0.3, 1.4, -0.7, 1.2, -1.6])
Y = np.array([1.05, 1.02, 1.07, 1.01, 1.09])  # x / y away from integers, quotients -2 to 1


def _grad(f, *xs):
    return numeric.grad(f, argnum=tuple(range(len(xs))))(*xs)


# ---------------------------------------------------------------------------------------------
# Call forms: every NumPy spelling and operator reaches the record
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, op", [
    (lambda t: np.mod(t, 1.05), "remainder"), (lambda t: np.remainder(t, 1.05), "remainder"),
    (lambda t: t % 1.05, "remainder"), (lambda t: 1.05 % t, "remainder"),
    (lambda t: np.fmod(t, 1.05), "fmod"),
    (lambda t: np.radians(t), "deg2rad"), (lambda t: np.deg2rad(t), "deg2rad"),
    (lambda t: np.degrees(t), "rad2deg"), (lambda t: np.rad2deg(t), "rad2deg"),
    (lambda t: np.conj(t), "conjugate"), (lambda t: np.conjugate(t), "conjugate"),
    (lambda t: t.conj(), "conjugate"), (lambda t: t.conjugate(), "conjugate"),
    (lambda t: np.real(t), "real"), (lambda t: np.imag(t), "imag"),
    (lambda t: np.angle(t), "angle"), (lambda t: np.angle(t, deg=True), "angle"),
    (lambda t: np.angle(t, True), "angle"), (lambda t: np.fabs(t), "fabs"),
    (lambda t: np.sinc(t), "sinc"), (lambda t: np.log2(t * t), "log2"),
    (lambda t: np.log10(t * t), "log10"), (lambda t: np.exp2(t), "exp2"),
    (lambda t: np.logaddexp2(t, 0.5), "logaddexp2"),
])
def test_every_numpy_spelling_reaches_the_record(call, op):
    out = call(Tensor(X))
    assert isinstance(out, Tensor) and out.op.name == op
    np.testing.assert_allclose(out.value, call(X), rtol=1e-15)


def test_mod_operator_differentiates_both_sides():
    gx, gy = _grad(lambda x, y: ((x % y) * np.arange(5.0)).sum(), X, Y)
    np.testing.assert_array_equal(gx, np.arange(5.0))
    np.testing.assert_array_equal(gy, -np.floor(X / Y) * np.arange(5.0))
    # the reflected operator: a constant on the left, the Tensor divides
    (gy,) = _grad(lambda y: (3.0 % y).sum(), Y)
    np.testing.assert_array_equal(gy, -np.floor(3.0 / Y))


@pytest.mark.parametrize("ufunc", [np.remainder, np.fmod, np.logaddexp2])
def test_out_is_refused_by_name(ufunc):
    with pytest.raises(TypeError, match=rf"numpy.{ufunc.__name__} .*\bout\b"):
        ufunc(Tensor(X), Tensor(Y), out=np.empty(5))


@pytest.mark.parametrize("ufunc", [np.log2, np.sinc, np.fabs, np.deg2rad, np.conj])
def test_unary_out_is_refused_by_name(ufunc):
    with pytest.raises(TypeError, match=r"\bout\b"):
        ufunc(Tensor(X), out=np.empty(5))


@pytest.mark.parametrize("call", [np.real, np.imag, np.conj, np.angle, lambda t: t.conj()])
def test_complex_inputs_give_numpy_values(call):
    """The parts take complex Tensors (their gradients: tests/numeric/test_complex.py)."""
    z = np.array([1.0 + 2.0j, -1.0])
    np.testing.assert_array_equal(call(Tensor(z)).value, call(z))


# ---------------------------------------------------------------------------------------------
# Values at special points, against closed forms worked out by hand
# ---------------------------------------------------------------------------------------------
def test_sinc_at_zero_has_slope_zero_and_second_derivative_minus_pi_squared_over_3():
    d1 = numeric.grad(lambda x: np.sinc(x))
    d2 = numeric.grad(d1)
    d3 = numeric.grad(d2)
    assert float(d1(np.array(0.0))) == 0.0
    np.testing.assert_allclose(float(d2(np.array(0.0))), -math.pi ** 2 / 3, rtol=1e-15)
    assert float(d3(np.array(0.0))) == 0.0  # sinc is even
    # and just off 0 the closed form (cos(πx) - sinc x) / x agrees with its Taylor series
    np.testing.assert_allclose(float(d2(np.array(1e-3))),
                               -math.pi ** 2 / 3 + math.pi ** 4 * 1e-6 / 10, rtol=1e-6)


@pytest.mark.parametrize("x, y, want_x, want_y", [
    (7.5, 2.0, 1.0, -3.0), (-7.5, 2.0, 1.0, 4.0), (7.5, -2.0, 1.0, 4.0), (0.5, 3.0, 1.0, 0.0),
])
def test_remainder_slopes_follow_floor_beyond_the_sampled_domain(x, y, want_x, want_y):
    gx, gy = _grad(lambda a, b: np.remainder(a, b), np.array(x), np.array(y))
    assert (float(gx), float(gy)) == (want_x, want_y)
    assert np.remainder(x, y) == x % y  # Python's % has the sign of y, as np.mod


@pytest.mark.parametrize("x, y, want_y", [(7.5, 2.0, -3.0), (-7.5, 2.0, 3.0), (7.5, -2.0, 3.0)])
def test_fmod_slope_follows_trunc_and_the_sign_of_x(x, y, want_y):
    gx, gy = _grad(lambda a, b: np.fmod(a, b), np.array(x), np.array(y))
    assert (float(gx), float(gy)) == (1.0, want_y)
    assert np.fmod(x, y) == math.fmod(x, y)


def test_remainder_jump_takes_the_slopes_of_the_upper_side():
    # at x = 2y the quotient is 2 exactly: the slopes of x / y >= 2
    gx, gy = _grad(lambda a, b: np.remainder(a, b), np.array(3.0), np.array(1.5))
    assert (float(gx), float(gy)) == (1.0, -2.0)


def test_imag_and_angle_have_zero_gradient_and_angle_is_pi_for_negatives():
    t = Tensor(X)
    (np.imag(t) + np.angle(t)).sum().backward()
    np.testing.assert_array_equal(t.grad, np.zeros(5))
    np.testing.assert_array_equal(np.angle(t).value, np.where(X < 0, np.pi, 0.0))
    np.testing.assert_array_equal(np.angle(t, deg=True).value, np.where(X < 0, 180.0, 0.0))


@pytest.mark.parametrize("f", [np.log2, np.log10, np.exp2, np.deg2rad, np.rad2deg, np.sinc])
def test_float32_stays_float32_through_the_exact_constants(f):
    x = np.abs(X).astype(np.float32) + np.float32(0.5)
    (g,) = _grad(lambda t: f(t).sum(), x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, central_diff(lambda v: f(v).sum(), x.astype(float)), rtol=1e-3)


# ---------------------------------------------------------------------------------------------
# Against HIPS autograd, first and second order (autograd has no fmod VJP)
# ---------------------------------------------------------------------------------------------
AUTOGRAD_UNARY = {
    "log2": lambda k, x: k.log2(x * x + 1.0), "log10": lambda k, x: k.log10(x * x + 1.0),
    "exp2": lambda k, x: k.exp2(x), "sinc": lambda k, x: k.sinc(x),
    "fabs": lambda k, x: k.fabs(x) * x, "deg2rad": lambda k, x: k.deg2rad(x) ** 2,
    "rad2deg": lambda k, x: k.rad2deg(x) ** 2, "radians": lambda k, x: k.radians(x) ** 3,
    "degrees": lambda k, x: k.degrees(x) ** 3, "real": lambda k, x: k.real(x) ** 3,
    "imag": lambda k, x: k.imag(x) + x * x, "conj": lambda k, x: k.conj(x) ** 3,
    "angle": lambda k, x: k.angle(x) + x * x,
}
AUTOGRAD_BINARY = {
    "remainder": lambda k, x, y: k.remainder(x, y) ** 2 * y,
    "mod": lambda k, x, y: k.mod(x * x, y) * x,
    "%": lambda k, x, y: (x % y) ** 3,
    "logaddexp2": lambda k, x, y: k.logaddexp2(x, y) ** 2,
}


def _both_orders(f, xs, argnum):
    """Gradient and the gradient of <gradient, w>, by the engine and by autograd."""
    w = np.random.default_rng(5).normal(size=np.shape(xs[argnum]))
    mine = numeric.grad(lambda *a: f(np, *a).sum(), argnum)
    theirs = autograd.grad(lambda *a: anp.sum(f(anp, *a)), argnum)
    first = (mine(*xs), theirs(*xs))
    second = (numeric.grad(lambda *a: (mine(*a) * w).sum(), argnum)(*xs),
              autograd.grad(lambda *a: anp.sum(theirs(*a) * w), argnum)(*xs))
    return first, second


@pytest.mark.parametrize("name", sorted(AUTOGRAD_UNARY))
def test_unary_gradients_agree_with_autograd_to_second_order(name):
    first, second = _both_orders(AUTOGRAD_UNARY[name], [X], 0)
    np.testing.assert_allclose(*first, rtol=1e-12, atol=1e-14, err_msg=f"{name}: first order")
    np.testing.assert_allclose(*second, rtol=1e-12, atol=1e-14, err_msg=f"{name}: second order")


@pytest.mark.parametrize("argnum", [0, 1])
@pytest.mark.parametrize("name", sorted(AUTOGRAD_BINARY))
def test_binary_gradients_agree_with_autograd_to_second_order(name, argnum):
    first, second = _both_orders(AUTOGRAD_BINARY[name], [X, Y], argnum)
    np.testing.assert_allclose(*first, rtol=1e-12, atol=1e-14, err_msg=f"{name}: first order")
    np.testing.assert_allclose(*second, rtol=1e-12, atol=1e-14, err_msg=f"{name}: second order")


def test_the_autograd_comparison_can_fail():
    """Meta-test: a remainder whose y-rule is dropped (the quotient taken as 0) differs from
    autograd's on these points, so the comparison above would catch it."""
    op = numeric.get_op("remainder")
    wrong = dataclasses.replace(op, vjp=(op.vjp[0], lambda g, out, x, y: 0 * g))
    mine = numeric.grad(lambda x, y: numeric.apply(wrong, x, y).sum(), 1)(X, Y)
    want = autograd.grad(lambda x, y: anp.sum(anp.remainder(x, y)), 1)(X, Y)
    assert not np.allclose(mine, want, rtol=1e-12, atol=1e-14)
