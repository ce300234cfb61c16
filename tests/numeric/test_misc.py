"""``numeric.misc``: flatten, the optimizers and fixed_point, each against autograd's own
(the same call made with ``autograd.misc``), calculus, or finite differences."""

import numpy as onp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numdiff_util import central_diff

import numeric
import numeric.numpy as np
from numeric.misc import flatten, optimizers
from numeric.misc.fixed_points import fixed_point

autograd = pytest.importorskip("autograd")
import autograd.numpy as anp  # noqa: E402
from autograd.misc import flatten as a_flatten  # noqa: E402
from autograd.misc import optimizers as a_optimizers  # noqa: E402
from autograd.misc.fixed_points import fixed_point as a_fixed_point  # noqa: E402

SHAPES = st.lists(st.tuples(*[st.integers(1, 3)] * 2).map(lambda s: s[: s[0] % 3]), min_size=1,
                  max_size=4)


def nested(shapes, seed):
    """A dict / list / tuple nesting of arrays and a float, built from ``shapes``."""
    rng = onp.random.default_rng(seed)
    arrays = [rng.normal(size=s) for s in shapes]
    return {"z": arrays[:1], "a": (float(rng.normal()), {"m": arrays[1:]}), "k": ()}


@settings(max_examples=15)
@given(SHAPES, st.integers(0, 2**16))
def test_flatten_is_autograds_and_unflatten_inverts_it(shapes, seed):
    value = nested(shapes, seed)
    vector, unflatten = flatten(value)
    want, a_unflatten = a_flatten(value)
    onp.testing.assert_array_equal(vector, want)  # sorted dict keys, reading order
    again = unflatten(2 * vector)
    onp.testing.assert_array_equal(flatten(again)[0], a_flatten(a_unflatten(2 * want))[0])
    onp.testing.assert_array_equal(again["z"][0], 2 * value["z"][0])
    assert list(again) == ["z", "a", "k"] and isinstance(again["a"], tuple)
    assert onp.shape(again["a"][0]) == ()  # a number comes back as a 0-d array, as autograd's
    with pytest.raises(ValueError, match=r"expected a vector of shape"):
        unflatten(vector[:-1])


def test_flatten_and_unflatten_are_differentiable():
    w = onp.array([0.5, -1.5])
    g = numeric.grad(lambda w: np.sum(flatten([w, {"b": w * w}])[0] ** 2))(w)
    assert g == pytest.approx(2 * w + 4 * w**3)
    vector, unflatten = flatten({"b": onp.ones(2), "a": [onp.ones((2, 2))]})
    g = numeric.grad(lambda v: np.sum(unflatten(v)["b"] * 3.0))(vector)
    assert g == pytest.approx([0, 0, 0, 0, 3, 3])  # "a" (4 entries) first: sorted keys


A = onp.random.default_rng(0).normal(size=(4, 3))
B = onp.random.default_rng(1).normal(size=4)


def loss(p, i):
    return np.sum((A @ p["w"] + p["c"][0] - B) ** 2) + 0.1 * np.sum(p["c"][1] ** 2) / (i + 1)


def a_loss(p, i):
    return anp.sum((anp.dot(A, p["w"]) + p["c"][0] - B) ** 2) + 0.1 * anp.sum(p["c"][1] ** 2) / (
        i + 1)


@pytest.mark.parametrize("name, hyper", [
    ("sgd", {"step_size": 0.05, "mass": 0.8}),
    ("rmsprop", {"step_size": 0.05, "gamma": 0.7, "eps": 1e-6}),
    ("adam", {"step_size": 0.05, "b1": 0.8, "b2": 0.99, "eps": 1e-7}),
    ("adam", {}),  # autograd's defaults
])
def test_an_optimizer_follows_autograds_trajectory(name, hyper):
    p0 = {"w": onp.zeros(3), "c": (0.5, onp.ones(2))}
    seen, a_seen = [], []
    got = getattr(optimizers, name)(numeric.grad(loss), p0, lambda p, i, g: seen.append((p, i, g)),
                                    num_iters=25, **hyper)
    want = getattr(a_optimizers, name)(autograd.grad(a_loss), p0,
                                       lambda p, i, g: a_seen.append((p, i, g)), num_iters=25,
                                       **hyper)
    assert len(seen) == len(a_seen) == 25
    steps = [(p, g) for p, _, g in seen] + [got]
    a_steps = [(p, g) for p, _, g in a_seen] + [want]
    for step, a_step in zip(steps, a_steps):  # parameters and gradient at every iteration
        onp.testing.assert_allclose(flatten(step)[0], a_flatten(a_step)[0], rtol=1e-12,
                                    atol=1e-12)
    assert [i for _, i, _ in seen] == list(range(25))


def test_an_optimizer_run_is_differentiable_in_its_step_size():
    def final_loss(step):
        w = optimizers.sgd(lambda w, i: 2 * (w - 3.0), onp.array([0.0, 1.0]), num_iters=5,
                           step_size=step)
        return np.sum((w - 3.0) ** 2)

    step = onp.array(0.3)
    assert numeric.grad(final_loss)(step) == pytest.approx(
        central_diff(lambda s: final_loss(s), step), rel=1e-7)


def newton_sqrt(a):
    return lambda x: 0.5 * (x + a / x)


def gap(x, y):
    return np.max(np.abs(x - y))


def test_fixed_point_and_its_implicit_vjp_to_second_order():
    a = onp.array([2.0, 3.0, 0.5])
    root = lambda a: fixed_point(newton_sqrt, a, onp.full(3, 10.0), gap, 1e-12)  # noqa: E731
    assert root(a) == pytest.approx(onp.sqrt(a), rel=1e-12)
    assert numeric.grad(lambda a: np.sum(root(a)))(a) == pytest.approx(0.5 / onp.sqrt(a),
                                                                       rel=1e-10)
    assert numeric.hessian(lambda a: np.sum(root(a)))(a) == pytest.approx(
        onp.diag(-0.25 * a**-1.5), rel=1e-8)
    a_root = lambda a: a_fixed_point(newton_sqrt, a, onp.full(3, 10.0),  # noqa: E731
                                     lambda x, y: anp.max(anp.abs(x - y)), 1e-12)
    assert numeric.grad(lambda a: np.sum(root(a) ** 3))(a) == pytest.approx(
        autograd.grad(lambda a: anp.sum(a_root(a) ** 3))(a), rel=1e-10)
    assert "fixed_point" not in numeric.all_ops()  # its record runs off the table


def test_fixed_point_vjp_of_a_slow_contraction_matches_finite_differences():
    damped = lambda a: lambda x: x - 0.05 * (x**2 - a)  # noqa: E731  converges linearly
    root = lambda a: fixed_point(damped, a, 1.0, lambda x, y: np.abs(x - y), 1e-13)  # noqa: E731
    a = onp.array(2.0)
    assert numeric.grad(root)(a) == pytest.approx(central_diff(root, a), rel=1e-6)


def test_unflatten_gives_float32_leaves_back_as_float32():
    # autograd's unflatten restores each leaf's dtype: an optimizer run on float32 parameters
    # returns float32 parameters, and the cut is still differentiable
    params = {"w": onp.float32([1.0, 2.0]), "b": onp.ones(2)}
    vector, unflatten = flatten(params)
    back = unflatten(vector)
    assert back["w"].dtype == onp.float32 and back["b"].dtype == onp.float64
    g = numeric.grad(lambda v: np.sum(unflatten(v)["w"] ** 2) + np.sum(unflatten(v)["b"]))(
        vector)
    onp.testing.assert_allclose(g, [1.0, 1.0, 2.0, 4.0])  # sorted keys: b, then w
