"""Reverse mode: backward's semantics — seeding, accumulation across calls, constants and
``no_grad``, freeing the graph, each VJP called once on shared graphs, no recursion, and leaf
gradients that never alias each other or the seed.
"""

import gc
import weakref

import numpy as np
import pytest
from numdiff_util import count_vjp_calls

import numeric
from numeric import Tensor, grad, no_grad, toposort, vjp


# ---------------------------------------------------------------------------------------------
# Seeding
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_backward_seeds_one_on_a_single_element_tensor(shape):
    x = Tensor(np.full(shape, 3.0))
    (x * x).backward()
    np.testing.assert_array_equal(x.grad, np.full(shape, 6.0))


def test_backward_on_a_non_scalar_without_a_seed_is_a_clear_error():
    y = Tensor([1.0, 2.0]) * 2
    with pytest.raises(ValueError, match=r"shape \(2,\).*pass g"):
        y.backward()


def test_backward_with_a_seed_of_the_wrong_shape_is_a_clear_error():
    y = Tensor([1.0, 2.0]) * 2
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        y.backward(np.ones(3))


def test_backward_of_a_non_tensor_is_a_type_error():
    with pytest.raises(TypeError, match="Tensor"):
        numeric.backward(np.ones(2))


def test_backward_with_a_seed_contracts_the_jacobian():
    x = Tensor([1.0, 2.0, 3.0])
    (x * x).backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, -6.0])


# ---------------------------------------------------------------------------------------------
# Accumulation, constants, no_grad
# ---------------------------------------------------------------------------------------------
def test_grad_accumulates_across_backward_calls_until_zeroed():
    x = Tensor([1.0, -2.0])
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0 + 3.0, -4.0 + 3.0])
    x.zero_grad()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_a_leaf_used_twice_sums_both_contributions():
    x = Tensor(2.0)
    (x * x + x).backward()
    assert float(x.grad) == 5.0


def test_constants_get_no_vjp_calls_and_no_grad():
    c = Tensor([1.0, 2.0], requires_grad=False)
    with count_vjp_calls("multiply", "add") as counts:
        x = Tensor([3.0, 4.0])
        y = (x * c) * np.array([2.0, 2.0]) + 5.0 + c
        y.sum().backward()
    assert counts == {"multiply": 2, "add": 2}, counts  # only x's side of each op
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_a_graph_of_constants_records_nothing():
    c = Tensor([1.0, 2.0], requires_grad=False)
    y = c * 2 + np.exp(c)
    assert y.op is None and not y.requires_grad and y.parents == ()


def test_no_grad_records_nothing_and_restores_the_mode():
    x = Tensor([1.0, 2.0])
    assert numeric.is_grad_enabled()
    with no_grad():
        assert not numeric.is_grad_enabled()
        y = x * x
        with no_grad():
            pass
        assert not numeric.is_grad_enabled()
    assert numeric.is_grad_enabled()
    assert y.op is None and not y.requires_grad
    np.testing.assert_array_equal(y.value, [1.0, 4.0])
    z = x * x
    assert z.requires_grad


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("inside")
    assert numeric.is_grad_enabled()


# ---------------------------------------------------------------------------------------------
# Freeing the graph
# ---------------------------------------------------------------------------------------------
def test_the_graph_is_freed_after_backward_and_a_second_backward_is_a_clear_error():
    x = Tensor([1.0, 2.0])
    h = x * x
    y = h.sum()
    y.backward()
    assert h.args is None and y.args is None, "saved inputs should be released"
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_retain_graph_keeps_buffers_for_a_second_backward():
    x = Tensor([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])


def test_intermediates_are_released_after_backward_unless_retained():
    for retain in (False, True):
        x = Tensor(np.ones(1000))
        h = np.exp(x * 2.0)
        ref = weakref.ref(h)
        y = h.sum()
        del h
        y.backward(retain_graph=retain)
        gc.collect()
        assert (ref() is None) is not retain, f"retain_graph={retain}"
        np.testing.assert_allclose(x.grad, 2 * np.exp(2.0))


# ---------------------------------------------------------------------------------------------
# Graph walks: linear time, each VJP once, no recursion
# ---------------------------------------------------------------------------------------------
def test_toposort_puts_parents_first_and_visits_shared_nodes_once():
    x = Tensor(1.0)
    y = x
    for _ in range(20):
        y = y * 0.5 + y * 0.5
    order = toposort(y)
    assert len(order) == len({id(n) for n in order}) == 1 + 20 * 3
    pos = {id(n): k for k, n in enumerate(order)}
    assert all(pos[id(p)] < pos[id(n)] for n in order for p in n.parents if p is not None)


def test_toposort_of_a_deep_chain_needs_no_recursion():
    x = Tensor(0.0)
    y = x
    for _ in range(20_000):
        y = -y
    assert len(toposort(y)) == 20_001


def test_a_diamond_calls_each_vjp_once():
    with count_vjp_calls("exp", "multiply", "add") as counts:
        x = Tensor(0.5)
        e = x.exp()
        y = e * e + e
        y.backward()
    assert counts == {"exp": 1, "multiply": 2, "add": 2}
    assert float(x.grad) == pytest.approx(2 * np.exp(1.0) + np.exp(0.5), rel=1e-15)


# ---------------------------------------------------------------------------------------------
# Leaf gradients never alias each other or the seed
# ---------------------------------------------------------------------------------------------
GRAPHS = {
    "add": lambda x, y: x + y,
    "subtract of a reshaped leaf": lambda x, y: x.reshape(3) - y,
    "transpose views": lambda x, y: x.T.T + y,
    "broadcast": lambda x, y: np.broadcast_to(x, (3,)) + y,
    "where": lambda x, y: np.where(np.array([True, False, True]), x, y),
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_leaf_gradients_do_not_alias_each_other_or_the_seed(name):
    x, y = Tensor([1.0, 2.0, 3.0]), Tensor([4.0, 5.0, 6.0])
    g = np.array([1.0, 10.0, 100.0])
    GRAPHS[name](x, y).backward(g)
    assert not np.shares_memory(x.grad, y.grad)
    assert not np.shares_memory(x.grad, g) and not np.shares_memory(y.grad, g)
    x.grad += 1000.0
    np.testing.assert_array_equal(g, [1.0, 10.0, 100.0])
    assert x.grad.flags.writeable and y.grad.flags.writeable


def test_backward_from_a_leaf_does_not_hand_back_the_seed():
    x = Tensor([1.0, 2.0])
    g = np.array([3.0, 4.0])
    x.backward(g)
    assert not np.shares_memory(x.grad, g)


def test_functional_results_are_writeable_and_never_alias():
    a, b, g = np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([5.0, 6.0])
    gs = grad(lambda x, y: (x + y).sum(), argnum=(0, 1))(a, b)
    gs += (grad(lambda x: x.sum())(a),)
    gs += vjp(lambda x: x, a)[1](g)
    for k, r in enumerate(gs):
        assert r.flags.writeable, k
        assert not np.shares_memory(r, g), k
        assert not any(np.shares_memory(r, s) for s in gs[k + 1:]), k


def test_a_leaf_gradient_survives_the_next_backward_unchanged_elsewhere():
    x, y = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    (x + y).sum().backward()
    gy = y.grad.copy()
    x.grad *= 7
    np.testing.assert_array_equal(y.grad, gy)
