"""Nested ``grad`` whose function closes over an enclosing grad's traced Tensor (issue 9, item 7).

Nesting is decided by what the function touches, not by its arguments: an inner
``grad(lambda y: x * y)(2.0)`` with a constant argument still depends on the outer ``x``, and
the outer derivative must see that term. Checked against closed forms and HIPS autograd.
"""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric
from numeric import Tensor, grad, value_and_grad


def test_the_issue_repros():
    # d/dx [x * d/dy (x y)] = d/dx x^2 = 2x; d/dx [d/dy (x y)] = d/dx x = 1.
    assert grad(lambda x: x * grad(lambda y: x * y)(2.0))(1.0) == 2.0
    assert grad(lambda x: grad(lambda y: x * y)(2.0))(1.0) == 1.0


def test_order_two_closure_against_the_closed_form():
    # inner(x) = d/dy [sin(x y) y] at y = c = x c cos(x c) + sin(x c)
    # d/dx inner = c cos(x c) - x c^2 sin(x c) + c cos(x c)
    c = 0.7
    x = np.array([-1.1, 0.4, 2.3])

    def f(x):
        return grad(lambda y: (np.sin(x * y) * y).sum())(np.full(3, c)).sum()

    want = 2 * c * np.cos(x * c) - x * c * c * np.sin(x * c)
    np.testing.assert_allclose(grad(f)(x), want, rtol=1e-13)


def test_order_three_closure_against_the_closed_form():
    # d/dz (x^2 y^3 z^2) at z = 1 is 2 x^2 y^3; d/dy of that at y = 2 is 6 x^2 y^2 = 24 x^2;
    # d/dx is 48 x.
    def f(x):
        return grad(lambda y: grad(lambda z: x * x * y ** 3 * z * z)(1.0))(2.0)

    assert grad(f)(3.0) == pytest.approx(48 * 3.0, rel=1e-15)


def test_the_outer_argument_reaches_only_through_a_closure_at_the_deepest_level():
    # Only the innermost function touches x: d/dz (x z)^2 = 2 x^2 z; at z = y: 2 x^2 y;
    # d/dy at y = 5: 2 x^2; d/dx: 4 x.
    def f(x):
        return grad(lambda y: grad(lambda z: (x * z) ** 2)(y))(5.0)

    assert grad(f)(1.5) == pytest.approx(4 * 1.5, rel=1e-15)


def test_a_closure_over_an_outer_intermediate_value():
    # h = exp(x); inner = d/dy (h y^2) at y = 3 = 6 h; d/dx = 6 exp(x).
    def f(x):
        h = np.exp(x)
        return grad(lambda y: h * y * y)(3.0)

    np.testing.assert_allclose(grad(f)(0.25), 6 * np.exp(0.25), rtol=1e-15)


def test_value_and_grad_inside_carries_the_value_s_dependence_too():
    # v = x y at y = 2 (value 2x) and g = x: outer f = v * g = 2 x^2, f' = 4x.
    def f(x):
        v, g = value_and_grad(lambda y: x * y)(2.0)
        return v * g

    assert grad(f)(1.5) == pytest.approx(6.0, rel=1e-15)


def test_argument_and_closure_together():
    # inner takes x as its argument and closes over it too: d/dy (x y^2) at y = x is 2 x^2;
    # d/dx is 4x.
    assert grad(lambda x: grad(lambda y: x * y * y)(x))(2.0) == pytest.approx(8.0, rel=1e-15)


def test_an_inner_grad_that_touches_nothing_outer_returns_plain_arrays():
    seen = []

    def f(x):
        g = grad(lambda y: (y ** 3).sum())(np.array([2.0]))
        seen.append(type(g))
        return (x * g).sum()

    np.testing.assert_allclose(grad(f)(np.array([1.0])), [12.0])
    assert seen == [np.ndarray]


def test_top_level_results_stay_plain_arrays_even_closing_over_a_tracked_tensor():
    w = Tensor([1.0, 2.0])  # requires grad, but no enclosing grad is running
    g = grad(lambda x: (w * x).sum())(np.array([3.0, 4.0]))
    assert type(g) is np.ndarray
    np.testing.assert_array_equal(g, [1.0, 2.0])
    assert w.grad is None


def test_a_closed_over_graph_is_not_walked():
    # h's graph was freed by its own backward; a grad closing over h never walks into it
    # (before, it raised "backward through a graph already freed").
    w = Tensor(2.0)
    h = w * w
    h.backward()
    assert grad(lambda x: h * x)(3.0) == 4.0
    assert w.grad == 4.0  # unchanged by the grad call


# ---------------------------------------------------------------------------------------------
# Against HIPS autograd: the same programs, written once for both engines
# ---------------------------------------------------------------------------------------------
def _order2(m, d):
    return lambda x: m.tanh(x) * d(lambda y: m.sin(x * y) + x * y ** 3)(0.6)


def _order2_sum(m, d):
    return lambda x: d(lambda y: m.exp(x * y) / (1 + y * y))(x * 0.5) + x


def _order3(m, d):
    return lambda x: d(lambda y: d(lambda z: m.sin(x * y * z) + x * z * z)(0.3) * y)(0.7)


def _order3_mixed(m, d):
    return lambda x: x * d(lambda y: d(lambda z: m.cos(z * y + x))(y) * m.exp(x))(1.2)


PROGRAMS = [_order2, _order2_sum, _order3, _order3_mixed]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
@settings(max_examples=25, deadline=None)
@given(x=st.floats(-2.0, 2.0))
def test_closures_match_autograd(program, x):
    want = autograd.grad(program(anp, autograd.grad))(x)
    got = grad(program(np, grad))(x)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert type(got) is np.ndarray


def test_second_derivative_through_a_closure_matches_autograd():
    # grad of grad of a function that itself nests with a closure: order 4 in all.
    def program(m, d):
        return lambda x: d(lambda u: u * d(lambda y: m.sin(u * y))(1.1))(x)

    x = 0.8
    want = autograd.grad(program(anp, autograd.grad))(x)
    np.testing.assert_allclose(grad(program(np, grad))(x), want, rtol=1e-12)
    assert numeric.is_grad_enabled()
