"""numeric.scipy.special against SciPy's values and HIPS autograd's gradients (first and second
order), plus what autograd lacks checked against central differences of SciPy's own functions.

Meta-tests: a wrong rule for a special record is refuted by derive and fails verify.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numdiff_util import central_diff

import numeric
import numeric.scipy.special as S
from numeric import elementwise_grad, grad

scipy_special = pytest.importorskip("scipy.special")
autograd = pytest.importorskip("autograd")
A = pytest.importorskip("autograd.scipy.special")

GAMMA, UNIT, REAL, POS_Y = (0.4, 3.0), (0.1, 0.9), (-2.5, 2.5), (0.5, 4.0)
# name -> (our function, autograd's, sampling interval); an order is bound as autograd's is.
UNARY = {
    "gamma": (S.gamma, A.gamma, GAMMA), "gammaln": (S.gammaln, A.gammaln, GAMMA),
    "digamma": (S.digamma, A.digamma, GAMMA), "psi": (S.psi, A.psi, GAMMA),
    "rgamma": (S.rgamma, A.rgamma, GAMMA),
    "polygamma(2, .)": (lambda x: S.polygamma(2, x), lambda x: A.polygamma(2, x), GAMMA),
    "multigammaln(., 3)": (lambda x: S.multigammaln(x, 3), lambda x: A.multigammaln(x, 3),
                           (1.2, 4.0)),
    "erf": (S.erf, A.erf, REAL), "erfc": (S.erfc, A.erfc, REAL),
    "erfinv": (S.erfinv, A.erfinv, (-0.9, 0.9)), "erfcinv": (S.erfcinv, A.erfcinv, (0.1, 1.9)),
    "expit": (S.expit, A.expit, REAL), "logit": (S.logit, A.logit, UNIT),
    "j0": (S.j0, A.j0, REAL), "j1": (S.j1, A.j1, REAL), "y0": (S.y0, A.y0, POS_Y),
    "y1": (S.y1, A.y1, POS_Y), "i0": (S.i0, A.i0, REAL), "i1": (S.i1, A.i1, REAL),
    "jn(3, .)": (lambda x: S.jn(3, x), lambda x: A.jn(3, x), REAL),
    "yn(2, .)": (lambda x: S.yn(2, x), lambda x: A.yn(2, x), POS_Y),
    "iv(2, .)": (lambda x: S.iv(2, x), lambda x: A.iv(2, x), REAL),
    "ive(1, .)": (lambda x: S.ive(1, x), lambda x: A.ive(1, x), (0.2, 3.0)),
    "gammainc(1.7, .)": (lambda x: S.gammainc(1.7, x), lambda x: A.gammainc(1.7, x), GAMMA),
    "gammaincc(0.8, .)": (lambda x: S.gammaincc(0.8, x), lambda x: A.gammaincc(0.8, x), GAMMA),
    "betainc(2, 1.5, .)": (lambda x: S.betainc(2.0, 1.5, x), lambda x: A.betainc(2.0, 1.5, x),
                           UNIT),
}
# What autograd does not have: first and second derivatives from SciPy by central differences.
EXTRA = {
    "ndtr": (S.ndtr, scipy_special.ndtr, REAL),
    "log_ndtr": (S.log_ndtr, scipy_special.log_ndtr, (-6.0, 3.0)),
    "ndtri": (S.ndtri, scipy_special.ndtri, UNIT), "entr": (S.entr, scipy_special.entr, GAMMA),
    "xlogy(1.5, .)": (lambda y: S.xlogy(1.5, y), lambda y: scipy_special.xlogy(1.5, y), GAMMA),
    "xlog1py(1.5, .)": (lambda y: S.xlog1py(1.5, y), lambda y: scipy_special.xlog1py(1.5, y),
                        (-0.5, 2.0)),
    "stdtr(3.5, .)": (lambda t: S.stdtr(3.5, t), lambda t: scipy_special.stdtr(3.5, t), REAL),
}
SHAPES = st.sampled_from([(), (3,), (2, 3)])


def _draw(interval, shape, seed):
    return np.random.default_rng(seed).uniform(*interval, size=shape)


@pytest.mark.parametrize("name", UNARY)
@settings(max_examples=3)
@given(shape=SHAPES, seed=st.integers(0, 2**16))
def test_unary_matches_autograd_to_second_order(name, shape, seed):
    ours, theirs, interval = UNARY[name]
    x = _draw(interval, shape, seed)
    np.testing.assert_allclose(ours(x), theirs(x), rtol=1e-12, atol=1e-14)
    d1, d2 = elementwise_grad(ours), elementwise_grad(elementwise_grad(ours))
    a1, a2 = autograd.elementwise_grad(theirs), autograd.elementwise_grad(
        autograd.elementwise_grad(theirs))
    np.testing.assert_allclose(d1(x), a1(x), rtol=1e-10, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(d2(x), a2(x), rtol=1e-9, atol=1e-11, err_msg=name)


@pytest.mark.parametrize("name", EXTRA)
def test_functions_autograd_lacks_match_central_differences(name):
    ours, scipys, interval = EXTRA[name]
    x = _draw(interval, (5,), 7)
    h = 1e-4
    fd1 = (scipys(x + h) - scipys(x - h)) / (2 * h)
    fd2 = (scipys(x + h) - 2 * scipys(x) + scipys(x - h)) / h**2
    np.testing.assert_allclose(ours(x), scipys(x), rtol=1e-13)
    np.testing.assert_allclose(elementwise_grad(ours)(x), fd1, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(elementwise_grad(elementwise_grad(ours))(x), fd2, rtol=1e-3,
                               atol=1e-5)


@pytest.mark.parametrize("name", ["beta", "betaln"])
def test_two_argument_functions_match_autograd_in_both_arguments(name):
    ours, theirs = getattr(S, name), getattr(A, name)
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0.5, 3.0, (2, 3)), rng.uniform(0.5, 3.0, (3,))  # b broadcast

    def ours_sq(a, b):
        return np.sum(ours(a, b) ** 2)

    def theirs_sq(a, b):
        return autograd.numpy.sum(theirs(a, b) ** 2)

    for i in (0, 1):
        first, first_ag = grad(ours_sq, i), autograd.grad(theirs_sq, i)
        np.testing.assert_allclose(first(a, b), first_ag(a, b), rtol=1e-10, err_msg=f"d{i}")
        for j in (0, 1):  # second order, mixed included: d/dj of the sum of d/di
            second = grad(lambda a, b, f=first: np.sum(f(a, b)), j)
            second_ag = autograd.grad(lambda a, b, f=first_ag: autograd.numpy.sum(f(a, b)), j)
            np.testing.assert_allclose(second(a, b), second_ag(a, b), rtol=1e-9,
                                       err_msg=f"{name} d{j} d{i}")


def test_logsumexp_with_b_and_return_sign_matches_scipy_and_autograd():
    rng = np.random.default_rng(5)
    x, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    for axis in (None, 0, 1):
        out, sign = S.logsumexp(x, axis=axis, b=b, return_sign=True)
        want, want_sign = scipy_special.logsumexp(x, axis=axis, b=b, return_sign=True)
        np.testing.assert_allclose(out, want, rtol=1e-13)
        np.testing.assert_array_equal(sign, want_sign)
    pos = np.abs(b)

    def ours(x):
        return np.sum(S.logsumexp(x, axis=1, b=pos, keepdims=True) ** 2)

    def theirs(x):
        return autograd.numpy.sum(A.logsumexp(x, axis=1, b=pos, keepdims=True) ** 2)

    np.testing.assert_allclose(grad(ours)(x), autograd.grad(theirs)(x), rtol=1e-12)
    np.testing.assert_allclose(numeric.hessian(ours)(x), autograd.hessian(theirs)(x), rtol=1e-10,
                               atol=1e-13)
    # d/db log Σ b e^x = e^x / Σ b e^x (autograd has no rule for b)
    gb = grad(lambda b: S.logsumexp(x, b=b))(pos)
    np.testing.assert_allclose(gb, np.exp(x) / np.sum(pos * np.exp(x)), rtol=1e-12)


def test_float32_stays_float32_through_value_and_gradient():
    x = np.array([0.5, 1.5, 2.5], dtype=np.float32)
    for f in (S.gamma, S.digamma, S.erf, S.j1, lambda v: S.polygamma(1, v),
              lambda v: S.multigammaln(v + 1, 2)):
        assert f(x).dtype == np.float32
        assert elementwise_grad(f)(x).dtype == np.float32


def test_derivatives_without_a_rule_are_refused_not_zero():
    x = np.array([0.5, 1.5])
    calls = (lambda a: np.sum(S.gammainc(a, x)), lambda a: np.sum(S.gammaincc(a, x)),
             lambda a: np.sum(S.betainc(a, 2.0, x / 2)), lambda a: np.sum(S.betainc(2.0, a, x / 2)),
             lambda a: np.sum(S.stdtr(a, x)))
    for call in calls:
        with pytest.raises(TypeError, match="not implemented"):
            grad(call)(np.array([1.5, 2.5]))
    with pytest.raises(TypeError, match="order n is a Tensor"):
        S.polygamma(numeric.Tensor(np.array(1.0)), x)
    with pytest.raises(TypeError, match="must be an integer"):
        S.jn(1.5, x)


def test_gammasgn_is_a_constant_and_plain_inputs_give_plain_arrays():
    x = np.array([-1.5, 0.5])
    np.testing.assert_array_equal(S.gammasgn(numeric.Tensor(x)), [1.0, 1.0])
    assert type(S.gamma(x)) is np.ndarray
    assert isinstance(S.gamma(numeric.Tensor(x)), numeric.Tensor)


def test_the_table_loads_without_scipy_and_a_call_names_the_extra():
    code = ("import sys; sys.modules['scipy'] = None; sys.modules['scipy.special'] = None\n"
            "import numpy as np, numeric\n"
            "op = numeric.get_op('gammaln')\n"
            "try:\n    op.fwd(np.ones(2))\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "gradproof[scipy]" in out


def test_a_wrong_rule_is_refuted_by_derive_and_fails_verify():
    from derive.proof import prove_rule
    from numeric.cases import Case
    from verify.api import check_op

    # gammaln' is digamma(x); log x, digamma's large-x asymptote, is a plausible slip
    wrong = (lambda g, out, x: g * np.log(x),)
    proof = prove_rule("gammaln", Case(((3,),), {}), rule=wrong)
    assert proof.status == "refuted"
    mutant = dataclasses.replace(numeric.get_op("gammaln"), vjp=wrong)
    assert not check_op(mutant, (3,)).ok


def test_xlogy_and_xlog1py_are_flat_in_y_where_x_is_zero():
    """On x = 0 both are 0 for every y (SciPy's convention), so the y-slope there is 0, also
    at y = 0 (y = -1) where x/y would be 0/0: central differences of SciPy see the same."""
    x = np.array([0.0, 0.0, 1.5])
    h = 1e-6
    for ours, scipys, y in ((S.xlogy, scipy_special.xlogy, np.array([0.0, 0.7, 0.7])),
                            (S.xlog1py, scipy_special.xlog1py, np.array([-1.0, 0.7, 0.7]))):
        got = grad(lambda y, f=ours: np.sum(f(x, y)))(y)
        want = (scipys(x, y + h) - scipys(x, y - h)) / (2 * h)
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_xlogy_keeps_its_mixed_second_derivative_on_the_line_x_zero():
    # ∂²(x ln y)/∂x∂y = 1/y, also at x = 0 (the guard against 0/0 is for y = 0 alone);
    # xlog1py likewise with 1/(1 + y)
    for f, y, want in ((S.xlogy, 0.5, 2.0), (S.xlog1py, 0.25, 0.8)):
        y_then_x = grad(lambda x, f=f, y=y: grad(lambda y: f(x, y))(y))(0.0)
        x_then_y = grad(lambda y, f=f: grad(lambda x: f(x, y))(0.0))(y)
        np.testing.assert_allclose([y_then_x, x_then_y], [want, want], rtol=1e-12)


def test_logsumexp_of_a_negative_weighted_sum_is_nan_as_in_scipy():
    # with b < 0 the sum may be negative: without return_sign SciPy returns nan there, not
    # log |sum| (which would be a silently wrong, finite number)
    scipy_special = pytest.importorskip("scipy.special")
    a, b = np.array([[0.0, 1.0], [2.0, 0.5]]), np.array([[1.0, 2.0], [-3.0, 1.0]])
    with np.errstate(invalid="ignore"):
        want = scipy_special.logsumexp(a, axis=1, b=b)
        got = S.logsumexp(a, axis=1, b=b)
        tensor = S.logsumexp(numeric.Tensor(a), axis=1, b=b)
    assert np.isnan(want[1]) and np.isfinite(want[0])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(tensor.value, want, rtol=1e-12)
    out, sign = S.logsumexp(a, axis=1, b=b, return_sign=True)  # the sign form keeps |sum|
    np.testing.assert_allclose(out, scipy_special.logsumexp(a, axis=1, b=b, return_sign=True)[0])
    assert sign[1] == -1


@pytest.mark.parametrize("name", ["iv", "ive"])
def test_modified_bessel_takes_a_real_order_as_scipy_and_autograd_do(name):
    scipy_special = pytest.importorskip("scipy.special")
    x, v = np.array([0.5, 1.5, 3.0]), 1.5
    np.testing.assert_allclose(getattr(S, name)(v, x), getattr(scipy_special, name)(v, x),
                               rtol=1e-13)
    # I_v' = (I_(v-1) + I_(v+1))/2 holds for any real v (ive adds -ive for x > 0)
    want = (getattr(scipy_special, name)(v - 1, x) + getattr(scipy_special, name)(v + 1, x)) / 2
    if name == "ive":
        want = want - scipy_special.ive(v, x)
    got = grad(lambda z: np.sum(getattr(S, name)(v, z)))(x)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    orders = np.array([0.5, 2.5, 1.0])
    np.testing.assert_allclose(getattr(S, name)(orders, x),
                               getattr(scipy_special, name)(orders, x), rtol=1e-13)
    with pytest.raises(TypeError, match="integer"):
        S.jn(1.5, x)  # jn's order stays an integer, as its name says


def test_complex_logsumexp_is_scipys_principal_log_and_its_gradient_is_right():
    # log Σ b e^x of complex x: the max shift must be real (a complex one's phase came back off
    # the principal branch, by 2π for seed 2 without b) and the b path took log |Σ| (no phase)
    for seed in (0, 2):
        rng = np.random.default_rng(seed)
        z = 2 * (rng.normal(size=4) + 1j * rng.normal(size=4))
        for b in (None, np.arange(1.0, 5.0)):
            np.testing.assert_allclose(S.logsumexp(numeric.Tensor(z), b=b).value,
                                       scipy_special.logsumexp(z, b=b), rtol=1e-13)
            out, sign = S.logsumexp(z, b=b, return_sign=True)
            want, want_sign = scipy_special.logsumexp(z, b=b, return_sign=True)
            np.testing.assert_allclose([out, sign], [want, want_sign], rtol=1e-13)

            def loss(t, b=b):
                return np.abs(S.logsumexp(t, b=b))

            def by_parts(u, b=b):  # u = (Re z, Im z); autograd's gradient is ∂l/∂x − i ∂l/∂y
                return abs(scipy_special.logsumexp(u[0] + 1j * u[1], b=b))

            d = central_diff(by_parts, np.stack([z.real, z.imag]))
            np.testing.assert_allclose(grad(loss)(z), d[0] - 1j * d[1], atol=1e-7)
