"""The functional API (``grad``, ``value_and_grad``, ``vjp``) and random programs — DAGs of
ops with shared nodes and broadcasting — against central differences.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numdiff_util import central_diff

from numeric import grad, value_and_grad, vjp
from verify import strategies as vs


# ---------------------------------------------------------------------------------------------
# Functional API
# ---------------------------------------------------------------------------------------------
def test_grad_of_a_scalar_function():
    def f(x):
        return (x ** 3).sum() + np.exp(x).sum()
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(grad(f)(x), 3 * x ** 2 + np.exp(x), rtol=1e-14)


def test_grad_with_argnum_int_and_tuple():
    def f(x, y):
        return (x * y * y).sum()
    x, y = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    np.testing.assert_allclose(grad(f, argnum=1)(x, y), 2 * x * y)
    gx, gy = grad(f, argnum=(0, 1))(x, y)
    np.testing.assert_allclose(gx, y * y)
    np.testing.assert_allclose(gy, 2 * x * y)


def test_value_and_grad():
    value, g = value_and_grad(lambda x: (x * x).sum())(np.array([1.0, 2.0]))
    assert float(value) == 5.0
    np.testing.assert_array_equal(g, [2.0, 4.0])


def test_grad_through_scalar_elements_is_a_plain_array():
    """``p[0]`` of a parameter vector gives a NumPy scalar cotangent: the gradient must still
    come back as an ndarray, not a Tensor (scipy.optimize cannot use a Tensor)."""
    p = np.array([0.3, -0.7])
    g = grad(lambda p: np.exp(p[0]) * p[1])(p)
    assert type(g) is np.ndarray
    np.testing.assert_allclose(g, [np.exp(0.3) * -0.7, np.exp(0.3)], rtol=1e-15)


def test_grad_of_an_unused_argument_is_zero():
    g = grad(lambda x, y: (x * 2).sum(), argnum=1)(np.ones(2), np.ones(3))
    np.testing.assert_array_equal(g, np.zeros(3))


def test_grad_of_a_non_scalar_function_is_a_clear_error():
    with pytest.raises(TypeError, match=r"shape \(2,\)"):
        grad(lambda x: x * 2)(np.ones(2))


def test_vjp_of_a_vector_function_and_reuse_of_vjp_fn():
    def f(x, y):
        return x * y + x
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    out, vjp_fn = vjp(f, x, y)
    np.testing.assert_array_equal(out, x * y + x)
    g = np.array([1.0, -1.0])
    for _ in range(2):  # the graph is kept for the vjp function
        gx, gy = vjp_fn(g)
        np.testing.assert_array_equal(gx, g * (y + 1))
        np.testing.assert_array_equal(gy, g * x)


# ---------------------------------------------------------------------------------------------
# Random programs: a DAG of smooth ops over two broadcast-compatible inputs, nodes reused freely
# ---------------------------------------------------------------------------------------------
STEPS = {
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: a * b,
    "tanh": lambda a, b: np.tanh(a),
    "negative": lambda a, b: -a,
    "exp of tanh": lambda a, b: np.exp(np.tanh(a)),
    "square via pow": lambda a, b: a ** 2,
    "mean over the last axis, kept": lambda a, b: np.mean(a, axis=-1, keepdims=True)
    if np.ndim(a) else a,
}


@settings(max_examples=40)
@given(shapes=vs.broadcastable_shapes(2, max_dims=2), data=st.data())
def test_random_programs_match_central_differences(shapes, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    xs = [rng.uniform(-1.0, 1.0, size=s) for s in shapes]
    program = data.draw(st.lists(st.tuples(st.sampled_from(sorted(STEPS)), st.integers(0, 99),
                                           st.integers(0, 99)), min_size=1, max_size=10),
                        label="program")

    def run(*inputs):
        nodes = list(inputs)
        for name, i, j in program:
            nodes.append(STEPS[name](nodes[i % len(nodes)], nodes[j % len(nodes)]))
        return sum(np.sum(n) for n in nodes[len(inputs):])

    got = grad(run, argnum=(0, 1))(*xs)
    for k in range(2):
        def f(v, k=k):
            args = list(xs)
            args[k] = v
            return float(run(*args))
        np.testing.assert_allclose(got[k], central_diff(f, xs[k]), rtol=1e-6, atol=1e-7,
                                   err_msg=f"input {k}, program {program}")
