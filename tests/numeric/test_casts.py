"""Casts and replacements: ``t.astype`` / ``np.astype`` (float to float: the gradient is cast back
to the input's dtype; a Tensor that requires grad cast to an integer, bool or complex dtype:
refused, the gradient would be cut)
and ``np.nan_to_num`` (gradient 1 where an entry is kept, 0 where it is replaced).
"""

import numpy as np
import pytest
from callform_util import check_call

import numeric
from numeric import Tensor

RNG = np.random.default_rng(1104)
A = RNG.normal(size=(2, 3))


@pytest.mark.parametrize("to", [np.float32, "float64", np.float16])
def test_float64_input_cast_to_a_float_gets_a_float64_gradient_equal_to_g(to):
    x = Tensor(A)
    out = x.astype(to)
    assert out.dtype == np.dtype(to)
    np.testing.assert_array_equal(out.value, A.astype(to))
    w = RNG.normal(size=A.shape)
    (out * w.astype(to)).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, w.astype(to).astype(np.float64))


def test_float32_input_cast_up_gets_a_float32_gradient():
    x = Tensor(A.astype(np.float32))
    out = np.astype(x, np.float64)
    assert out.dtype == np.float64
    (out * 3.0).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, np.full(A.shape, 3.0, np.float32))


def test_an_integer_tensor_cast_to_float_gets_a_float_gradient():
    x = Tensor(np.array([1, 2, 3]))
    (x.astype(np.float32) ** 2).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])


def test_astype_gradients_at_first_and_second_order_match_autograd():
    check_call(lambda k, a: (a * a).astype(np.float64), A)


def test_astype_second_order_keeps_the_dtypes():
    x = Tensor(A.astype(np.float32))
    d = numeric.grad(lambda t: (t.astype(np.float64) ** 3).sum())
    hess_diag = numeric.grad(lambda t: d(t).sum())(x.value)
    assert hess_diag.dtype == np.float32
    np.testing.assert_allclose(hess_diag, 6 * A.astype(np.float32), rtol=1e-6)


@pytest.mark.parametrize("to", [np.int64, "int32", bool, np.uint8])  # complex: differentiable
def test_casting_to_a_dtype_that_cuts_the_gradient_is_refused_by_name(to):
    x = Tensor(A)
    with pytest.raises(TypeError, match=r"Tensor\.astype: casting a Tensor that requires grad "
                                        r"to .* is refused: it is not differentiable"):
        x.astype(to)
    with pytest.raises(TypeError, match=r"numpy\.astype.*value\.astype"):
        np.astype(x, to)


@pytest.mark.parametrize("to", [np.int64, bool, np.complex128])
def test_a_tensor_without_a_gradient_to_cut_casts_to_any_dtype(to):
    got = Tensor(A, requires_grad=False).astype(to)
    np.testing.assert_array_equal(got.value, A.astype(to))
    assert got.dtype == np.dtype(to) and not got.requires_grad
    with numeric.no_grad():
        np.testing.assert_array_equal(Tensor(A).astype(to).value, A.astype(to))


def test_astype_arguments_numpy_has_and_the_engine_refuses():
    x = Tensor(A)
    with pytest.raises(TypeError, match="cannot cast from float64 to float32 with "
                                        "casting='safe'"):
        x.astype(np.float32, casting="safe")
    assert x.astype(np.float64, casting="safe").dtype == np.float64
    with pytest.raises(TypeError, match="order='K'"):
        x.astype(np.float32, order="F")
    with pytest.raises(TypeError, match="device="):
        np.astype(x, np.float32, device="cpu")
    assert x.astype(np.float32, copy=False).dtype == np.float32  # always a new Tensor


def test_nan_to_num_gives_gradient_one_where_kept_and_zero_where_replaced():
    values = np.array([1.5, np.nan, np.inf, -np.inf, -2.0])
    x = Tensor(values)
    out = np.nan_to_num(x, nan=-1.0, posinf=9.0, neginf=-9.0)
    np.testing.assert_array_equal(out.value, [1.5, -1.0, 9.0, -9.0, -2.0])
    out.backward(np.array([2.0, 3.0, 4.0, 5.0, 6.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 0.0, 0.0, 6.0])


def test_nan_to_num_defaults_are_numpys():
    values = np.array([np.nan, np.inf, -np.inf, 0.25], dtype=np.float32)
    out = np.nan_to_num(Tensor(values))
    np.testing.assert_array_equal(out.value, np.nan_to_num(values))
    assert out.dtype == np.float32


def test_nan_to_num_of_finite_values_is_the_identity_at_every_order():
    check_call(lambda k, a: k.nan_to_num(a * a), A)


def test_nan_to_num_refuses_in_place():
    with pytest.raises(TypeError, match="numpy.nan_to_num.*copy=False"):
        np.nan_to_num(Tensor(A), copy=False)
