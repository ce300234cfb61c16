"""numeric.scipy.integrate.odeint: gradients in y0, the times t and the Tensors among args by
the adjoint method, against autograd.scipy.integrate.odeint to first and second order, against
central differences and a closed form, and its call forms (tfirst, plain arrays, errors)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numdiff_util import central_diff
from scipy.integrate import odeint as scipy_odeint

import numeric
import numeric.numpy as nnp
from numeric import Tensor
from numeric.scipy.integrate import odeint

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")
aint = pytest.importorskip("autograd.scipy.integrate")
abuiltins = pytest.importorskip("autograd.builtins")

TOL = {"rtol": 1e-10, "atol": 1e-10}


def field(y, t, a, b, m=nnp):
    """A non-linear, time-dependent vector field with a matrix and a vector parameter."""
    return m.tanh(m.dot(a, y)) * m.cos(t) + b * y[::-1]


def _problem(seed, d, n):
    rng = np.random.default_rng(seed)
    y0, a, b = rng.normal(size=d), rng.normal(size=(d, d)), rng.normal(size=d)
    t = np.sort(rng.uniform(0.0, 1.5, size=n))
    return rng, y0, t, a, b


@settings(max_examples=6)
@given(d=st.integers(1, 3), n=st.integers(2, 4), seed=st.integers(0, 2 ** 16))
@example(d=2, n=2, seed=11)
def test_gradients_match_autograd_to_second_order(d, n, seed):
    rng, y0, t, a, b = _problem(seed, d, n)
    w = rng.normal(size=(n, d))

    def ours(y0, t, a, b):
        return nnp.sum(odeint(field, y0, t, (a, b), **TOL) * w)

    def theirs(y0, t, a, b):
        ys = aint.odeint(lambda y, t, a, b: field(y, t, a, b, anp), y0, t,
                         abuiltins.tuple((a, b)), **TOL)
        return anp.sum(ys * w)

    g = numeric.grad(ours, (0, 1, 2, 3))(y0, t, a, b)
    ga = autograd.grad(theirs, (0, 1, 2, 3))(y0, t, a, b)
    for mine, ref in zip(g, ga):
        np.testing.assert_allclose(mine, ref, rtol=1e-6, atol=1e-8)
    if d == 2 and n == 2:  # second order (the adjoint of the adjoint) on one small layout
        h = numeric.grad(lambda a: nnp.sum(numeric.grad(ours, 0)(y0, t, a, b) ** 2))(a)
        ha = autograd.grad(lambda a: anp.sum(autograd.grad(theirs, 0)(y0, t, a, b) ** 2))(a)
        np.testing.assert_allclose(h, ha, rtol=1e-5, atol=1e-7)


def test_gradients_match_central_differences():
    rng, y0, t, a, b = _problem(3, 2, 3)
    w = rng.normal(size=(3, 2))

    def loss(y0, t, a, b):
        return np.sum(scipy_odeint(field, y0, t, (a, b), **TOL) * w)

    g = numeric.grad(lambda *xs: nnp.sum(odeint(field, xs[0], xs[1], xs[2:], **TOL) * w),
                     (0, 1, 2, 3))(y0, t, a, b)
    xs = [y0, t, a, b]
    for i, gi in enumerate(g):
        def moved(v, i=i):
            return loss(*(v if j == i else x for j, x in enumerate(xs)))

        np.testing.assert_allclose(gi, central_diff(moved, xs[i], eps=1e-5), rtol=1e-5,
                                   atol=1e-6)


def test_linear_decay_has_its_closed_form_gradients():
    # y' = -k y: y(t) = y0 exp(-k (t - t0)); d/dk, d/dt1 and d/dt0 of y(t1)
    k, y0, t0, t1 = 0.7, 1.3, 0.2, 1.1

    def last(k, y0, t):
        return odeint(lambda y, t, k: -k * y, y0, t, (k,), **TOL)[-1, 0]

    gk, gy, gt = numeric.grad(last, (0, 1, 2))(k, np.array([y0]), np.array([t0, t1]))
    y1 = y0 * np.exp(-k * (t1 - t0))
    np.testing.assert_allclose(gk, -(t1 - t0) * y1, rtol=1e-7)
    np.testing.assert_allclose(gy, [np.exp(-k * (t1 - t0))], rtol=1e-7)
    np.testing.assert_allclose(gt, [k * y1, -k * y1], rtol=1e-7)


def test_tensors_nested_in_args_are_differentiated():
    # autograd's ode_net passes its parameters as args=((params,),) — a list inside a tuple
    k, y0, t = 0.7, np.array([1.3]), np.array([0.2, 1.1])

    def nested(k):
        return odeint(lambda y, t, p: -p[0]["k"] * y, y0, t, ([{"k": k}],), **TOL)[-1, 0]

    def flat(k):
        return odeint(lambda y, t, k: -k * y, y0, t, (k,), **TOL)[-1, 0]

    np.testing.assert_allclose(numeric.grad(nested)(k), -(t[1] - t[0]) * flat(k), rtol=1e-7)


def test_tfirst_and_constant_args_and_plain_arrays():
    y0, t = np.array([1.0, 0.5]), np.array([0.0, 0.4, 0.9])

    def rotate(s, y, omega, label):  # tfirst: time first; a non-numeric constant argument
        assert label == "spin"
        return omega * nnp.stack([-y[1], y[0]])

    plain = odeint(rotate, y0, t, (2.0, "spin"), tfirst=True, **TOL)
    assert isinstance(plain, np.ndarray)  # no Tensor given: SciPy's own result
    g = numeric.grad(lambda y0: nnp.sum(odeint(rotate, y0, t, (2.0, "spin"), tfirst=True,
                                              **TOL)[-1]))(y0)
    # a rotation by angle 2 t: the last row is R(1.8) y0, whose sum has gradient R(1.8)ᵀ 1
    c, s = np.cos(1.8), np.sin(1.8)
    np.testing.assert_allclose(g, [c + s, c - s], rtol=1e-7)
    np.testing.assert_allclose(plain[-1], [c * 1.0 - s * 0.5, s * 1.0 + c * 0.5], rtol=1e-7)


def test_full_output_and_bad_shapes_are_refused():
    with pytest.raises(TypeError, match="odeint: full_output"):
        odeint(lambda y, t: -y, Tensor(np.ones(2)), np.array([0.0, 1.0]), full_output=True)
    with pytest.raises(ValueError, match=r"odeint: y0 must be a vector.*\(2, 2\)"):
        odeint(lambda y, t: -y, Tensor(np.ones((2, 2))), np.array([0.0, 1.0]))


def test_other_scipy_integrate_names_are_scipys_and_refuse_tensors():
    import scipy.integrate

    import numeric.scipy.integrate as nsi

    assert nsi.trapezoid([1.0, 2.0, 3.0]) == scipy.integrate.trapezoid([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"scipy\.integrate\.trapezoid is not supported"):
        nsi.trapezoid(Tensor(np.ones(3)))


def test_a_func_returning_a_list_is_differentiated_as_scipy_integrates_it():
    # SciPy's odeint takes y' as a list of numbers; the adjoint must too (it raised inside vjp)
    y0, t = np.array([1.0, 2.0]), np.array([0.0, 0.6, 1.0])

    def decay(y, s, k):
        return [-k * y[0], -0.5 * y[1]]

    g = numeric.grad(lambda k: nnp.sum(odeint(decay, y0, t, (k,), **TOL)))(0.7)
    # only y_0 = e^(-k t) depends on k: d/dk Σ_t e^(-k t) = -Σ_t t e^(-k t)
    np.testing.assert_allclose(g, -np.sum(t * np.exp(-0.7 * t)), rtol=1e-7)
