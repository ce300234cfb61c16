"""Review findings 2, 4, 6, 9 and 11 (numeric/ops.py, numeric/functions.py): one test each that
failed before its fix — float32 through power's rules, float gradients of integer inputs,
np.clip with a Tensor bound, np.linalg.cholesky exactly as NumPy's, prod's gradient in linear
memory — and the NumPy dispatch of var/std sharing numeric.tensor's helpers.
"""

import tracemalloc

import numpy as np
import pytest
from numdiff_util import assert_vjp_matches_fd, central_diff

import derive
import numeric
import numeric.functions
import numeric.tensor
from numeric import Tensor, grad

F32 = np.float32


# --- item 2: power's rules keep float32 --------------------------------------------------------
POWER_F32 = {
    "t ** 2": lambda t: t ** 2,
    "t ** 0.5": lambda t: t ** 0.5,
    "2 ** t": lambda t: 2 ** t,
    "2.5 ** t": lambda t: 2.5 ** t,
    "t ** t": lambda t: t ** t,
    "t ** float32 array": lambda t: t ** np.array([2.0, 3.0], dtype=F32),
    "float32 array ** t": lambda t: np.array([2.0, 3.0], dtype=F32) ** t,
    "np.power(t, 3)": lambda t: np.power(t, 3),
}


@pytest.mark.parametrize("name", POWER_F32)
def test_power_keeps_float32(name):
    x = np.array([0.5, 1.5], dtype=F32)
    g = grad(lambda t: POWER_F32[name](t).sum())(x)
    assert g.dtype == F32, f"{name}: gradient is {g.dtype}, the input float32"
    np.testing.assert_allclose(g, grad(lambda t: POWER_F32[name](t).sum())(x.astype(float)),
                               rtol=1e-6)


@pytest.mark.parametrize("x, y", [(np.array([0.0, 2.0], dtype=F32), 2), (0, np.ones(2, F32))])
def test_power_rules_keep_float32_at_the_guarded_zeros(x, y):
    op = numeric.get_op("power")
    out = np.power(x, y)
    g = np.ones_like(out)
    for i, rule in enumerate(op.vjp):
        assert np.result_type(rule(g, out, x, y)) == F32, f"power rule {i}"


# --- item 4: integer and bool inputs get float64 gradients; object arrays stay symbolic -------
INTEGER_REDUCTIONS = [
    ("max", np.array([1, 3, 3, 2])), ("min", np.array([[1, 1], [4, 0]])),
    ("prod", np.array([2, 0, 3])), ("prod", np.array([[1, 2], [3, 4]])),
    ("max", np.array([True, False, True])), ("prod", np.array([True, True])),
]


@pytest.mark.parametrize("name, x", INTEGER_REDUCTIONS)
def test_integer_inputs_get_float64_gradients(name, x):
    got = grad(lambda t: getattr(np, name)(t))(x)
    assert got.dtype == np.float64, f"{name} of {x.dtype}: gradient is {got.dtype}"
    want = grad(lambda t: getattr(np, name)(t))(x.astype(float))
    np.testing.assert_array_equal(got, want)


def test_object_arrays_stay_exact_in_the_tie_rule():
    import sympy

    op = numeric.get_op("max")
    x = np.array([sympy.Integer(2), sympy.Integer(2), sympy.Integer(1)], dtype=object)
    got = op.vjp[0](sympy.Integer(1), op.fwd(x), x)
    assert got.dtype == object
    assert list(got) == [sympy.Rational(1, 2), sympy.Rational(1, 2), 0]


# --- item 6: np.clip with a Tensor bound --------------------------------------------------------
CLIP_WITH_TENSOR_BOUND = {
    "np.clip, a_min": lambda t: np.clip(t, Tensor(0.0), 1.0),
    "np.clip, a_max": lambda t: np.clip(t, 0.0, Tensor(1.0)),
    "np.clip, keyword max": lambda t: np.clip(t, min=0.0, max=Tensor(1.0)),
    "numeric.clip": lambda t: numeric.clip(t, Tensor(0.0), 1.0),
    "Tensor.clip": lambda t: t.clip(0.0, Tensor([1.0, 1.0])),
    "np.clip on an array, Tensor bound": lambda t: np.clip(t.value, Tensor(0.0), 1.0),
}


@pytest.mark.parametrize("name", CLIP_WITH_TENSOR_BOUND)
def test_clip_with_a_tensor_bound_says_the_bounds_are_constants(name):
    t = Tensor(np.array([-0.5, 2.0]))
    with pytest.raises(TypeError, match=r"clip.*bounds must be constants"):
        CLIP_WITH_TENSOR_BOUND[name](t)


def test_clip_with_constant_bounds_still_works():
    t = Tensor(np.array([-0.5, 0.5, 2.0]))
    np.clip(t, 0.0, np.array(1.0)).sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 1.0, 0.0])


# --- item 9: np.linalg.cholesky on a Tensor is NumPy's function (reads the lower triangle) ----
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


# --- item 11: prod's gradient without an n x n mask ---------------------------------------------
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


# --- numeric.functions uses numeric.tensor's _axis and _reduction -------------------------------
def test_functions_share_the_tensor_helpers():
    assert numeric.functions._axis is numeric.tensor._axis
    assert numeric.functions._reduction is numeric.tensor._reduction


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_and_std_take_ddof_where_numpy_puts_it(name):
    x = np.random.default_rng(8).normal(size=(3, 4))
    f = getattr(np, name)
    np.testing.assert_allclose(f(Tensor(x), 0, None, None, 1).value, f(x, 0, None, None, 1))
    np.testing.assert_allclose(f(Tensor(x), axis=1, ddof=1, keepdims=True).value,
                               f(x, axis=1, ddof=1, keepdims=True))
    with pytest.raises(TypeError, match=f"numpy.{name}"):
        f(Tensor(x), dtype=np.float32)
