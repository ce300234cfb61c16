"""Edge cases of the engine's surface: seeds, untracked outputs, errors, freed graphs."""

import warnings

import numpy as np
import pytest

import numeric
from numeric import Tensor


@pytest.mark.parametrize("seed", [np.array([1, 2, 3]), [1, 2, 3], np.array([True, False, True])])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_seed_takes_the_outputs_float_dtype(seed, dtype):
    x = Tensor(np.ones(3, dtype=dtype))
    (x * 2).backward(seed)
    assert x.grad.dtype == dtype
    np.testing.assert_array_equal(x.grad, 2 * np.asarray(seed, dtype=dtype))


def test_a_complex_seed_stays_complex_and_a_real_input_keeps_its_real_part():
    x = Tensor(np.array([1.0, 2.0]))
    (x * 3).backward(np.array([1 + 2j, 1j]))
    np.testing.assert_array_equal(x.grad, [3.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grad_returns_the_inputs_float_dtype(dtype):
    g = numeric.grad(lambda x: (x * x).sum())(np.ones(3, dtype=dtype))
    assert g.dtype == dtype


def test_backward_on_a_tensor_computed_without_grad_is_an_error():
    x = Tensor([1.0, 2.0])
    with numeric.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()
    assert x.grad is None


def test_grad_of_an_output_that_ignores_its_input_warns_and_is_zero():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = numeric.grad(lambda x: Tensor(1.0, requires_grad=False))(np.ones(2))
    assert any("does not depend on its inputs" in str(w.message) for w in caught)
    np.testing.assert_array_equal(g, [0.0, 0.0])


def test_a_forward_error_of_any_exception_type_names_the_op_and_shapes():
    with pytest.raises(TypeError, match=r"add: inputs of shapes \(2,\), \(2,\)"):
        Tensor(np.ones(2)) + np.array(["a", "b"])
    with pytest.raises(np.linalg.LinAlgError, match=r"inv: inputs of shapes \(2, 2\)"):
        np.linalg.inv(Tensor(np.zeros((2, 2))))


def test_dispatch_errors_name_the_numpy_function_and_the_bad_argument():
    t = Tensor(np.ones(3))
    with pytest.raises(TypeError, match=r"numpy\.concatenate on Tensor: .*dtype"):
        np.concatenate([t, t], dtype=float)
    with pytest.raises(TypeError, match=r"numpy\.linalg\.cond is not supported"):
        np.linalg.cond(Tensor(np.eye(2)))  # no record
    # np.where(c) alone gives indices, as np.nonzero: a constant (issue 11), not a refusal
    assert [i.tolist() for i in np.where(t)] == [[0, 1, 2]]


def test_an_empty_integer_index_list_selects_nothing_like_numpy():
    t = Tensor(np.arange(3.0))
    out = t[[]]
    assert out.shape == np.arange(3.0)[[]].shape == (0,)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, np.zeros(3))


def test_drawing_a_freed_graph_warns_and_a_retained_one_draws_every_node():
    x = Tensor([1.0, 2.0])
    y = (x * 2).sum()
    y.backward(retain_graph=True)
    assert numeric.draw_dot(y).source.count("shape=record") == 3
    y.backward()
    with pytest.warns(UserWarning, match="retain_graph=True"):
        dot = numeric.draw_dot(y)
    assert dot.source.count("shape=record") == 1


def test_with_retain_graph_the_roots_grad_does_not_alias_the_seed():
    x = Tensor([1.0, 2.0])
    y = x * 2
    seed = np.ones(2)
    y.backward(seed, retain_graph=True)
    seed[0] = 100.0
    np.testing.assert_array_equal(y.grad, [1.0, 1.0])
