"""autograd's functional API, call for call: every operator of ``numeric.functional`` and
``numeric.autodiff`` against HIPS autograd's on the same functions and inputs.

Each function is written once over a NumPy namespace ``np``: ``numeric.numpy`` for the engine,
``autograd.numpy`` for autograd — the port the issue promises. Orders one to three, argnum
tuples, keyword arguments and tuple/list/dict arguments.
"""

from __future__ import annotations

import functools

import numpy as onp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import numeric
import numeric.numpy as nnp
from numeric.structure import flatten

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")

RTOL, ATOL = 1e-11, 1e-12


# Scalar-valued functions of one vector (grad, hessian, hvp, third order).
def scalar_tanh(np, x):
    return np.sum(np.tanh(x) * x ** 2)


def scalar_ratio(np, x):
    return np.sum(np.exp(np.sin(x)) / (1.0 + x * x))


def scalar_matrix(np, x):
    return np.sum(np.dot(np.outer(x, x), np.cos(x))) + np.log(np.sum(np.exp(x)))


# Vector-valued functions of one vector (jacobian, elementwise_grad, jvp, tjp, ggnvp).
def vector_elementwise(np, x):
    return np.sin(x) * np.exp(x)


def vector_coupled(np, x):
    return np.tanh(np.dot(np.outer(x, x), x)) + x[::-1] * x


SCALARS = [scalar_tanh, scalar_ratio, scalar_matrix]
VECTORS = [vector_elementwise, vector_coupled]


def both(f):
    """``f`` on numeric.numpy and on autograd.numpy."""
    return functools.partial(f, nnp), functools.partial(f, anp)


def close(got, want):
    """Same structure (tuple/list/dict), leaves equal to rounding."""
    got_leaves, _ = flatten(got)
    want_leaves, _ = flatten(want)
    assert type(got) is type(want) or not isinstance(want, (tuple, list, dict)), (got, want)
    assert len(got_leaves) == len(want_leaves)
    for g, w in zip(got_leaves, want_leaves):
        g = g.value if isinstance(g, numeric.Tensor) else g
        assert onp.shape(g) == onp.shape(w)
        onp.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL)


vectors = st.integers(1, 4).flatmap(
    lambda n: arrays(onp.float64, (n,), elements=st.floats(-1.5, 1.5)))
pairs = st.integers(1, 4).flatmap(lambda n: st.tuples(
    arrays(onp.float64, (n,), elements=st.floats(-1.5, 1.5)),
    arrays(onp.float64, (n,), elements=st.floats(-1.5, 1.5))))


# ---------------------------------------------------------------------------------------------
# First, second and third order on one array
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("f", SCALARS, ids=lambda f: f.__name__)
@settings(max_examples=10)
@given(x=vectors)
def test_grad_value_and_grad_hessian(f, x):
    ours, theirs = both(f)
    close(numeric.grad(ours)(x), autograd.grad(theirs)(x))
    value, g = numeric.value_and_grad(ours)(x)
    want_value, want_g = autograd.value_and_grad(theirs)(x)
    close(value, want_value), close(g, want_g)
    close(numeric.hessian(ours)(x), autograd.hessian(theirs)(x))


@pytest.mark.parametrize("f", SCALARS, ids=lambda f: f.__name__)
@settings(max_examples=10)
@given(xv=pairs)
def test_hessian_vector_products(f, xv):
    x, v = xv
    ours, theirs = both(f)
    close(numeric.hessian_vector_product(ours)(x, v), autograd.hessian_vector_product(theirs)(x, v))
    close(numeric.hessian_tensor_product(ours)(x, v), autograd.hessian_tensor_product(theirs)(x, v))
    hvp, g = numeric.make_hvp(ours)(x)
    want_hvp, want_g = autograd.make_hvp(theirs)(x)
    close(g, want_g)
    close(hvp(v), want_hvp(v))
    close(hvp(2 * v), want_hvp(2 * v))  # the same hvp, reused


@pytest.mark.parametrize("f", SCALARS, ids=lambda f: f.__name__)
def test_third_order(f):
    x = onp.random.default_rng(3).uniform(-1.2, 1.2, size=3)
    ours, theirs = both(f)
    close(numeric.jacobian(numeric.hessian(ours))(x),
          autograd.jacobian(autograd.hessian(theirs))(x))
    scalar = lambda np: lambda t: np.sum(np.tanh(t * x) * t ** 3)  # noqa: E731
    close(numeric.grad(numeric.grad(numeric.grad(scalar(nnp))))(0.7),
          autograd.grad(autograd.grad(autograd.grad(scalar(anp))))(0.7))


@pytest.mark.parametrize("f", VECTORS, ids=lambda f: f.__name__)
@settings(max_examples=10)
@given(xv=pairs)
def test_jacobian_elementwise_grad_and_products(f, xv):
    x, v = xv
    ours, theirs = both(f)
    close(numeric.jacobian(ours)(x), autograd.jacobian(theirs)(x))
    close(numeric.elementwise_grad(ours)(x), autograd.elementwise_grad(theirs)(x))
    for op in ("vector_jacobian_product", "tensor_jacobian_product"):
        close(getattr(numeric, op)(ours)(x, v), getattr(autograd, op)(theirs)(x, v))
    vjp_fn, ans = numeric.make_vjp(ours)(x)
    want_vjp, want_ans = autograd.make_vjp(theirs)(x)
    close(ans, want_ans), close(vjp_fn(v), want_vjp(v))
    ans, jv = numeric.make_jvp(ours)(x)(v)
    want_ans, want_jv = autograd.make_jvp(theirs)(x)(v)
    close(ans, want_ans), close(jv, want_jv)
    close(numeric.make_ggnvp(ours)(x)(v), autograd.make_ggnvp(theirs)(x)(v))


def test_tensor_jacobian_product_with_a_tensor_of_fewer_axes():
    x = onp.array([0.3, -0.4, 0.9])
    f = lambda np: lambda x: np.outer(np.sin(x), x)  # noqa: E731
    v = onp.array([1.0, -2.0, 0.5])  # contracts the first output axis only
    close(numeric.tensor_jacobian_product(f(nnp))(x, v),
          autograd.tensor_jacobian_product(f(anp))(x, v))


def test_deriv_and_jvp_of_a_scalar_input():
    f = lambda np: lambda t: np.sin(t * onp.array([1.0, 2.0, 3.0])) * t  # noqa: E731
    close(numeric.deriv(f(nnp))(0.4), autograd.deriv(f(anp))(0.4))
    close(numeric.make_jvp(f(nnp))(0.4)(1.5)[1], autograd.make_jvp(f(anp))(0.4)(1.5)[1])


def test_jvp_of_several_arguments_and_inside_grad():
    def f(np, x, y):
        return np.tanh(x * y) + x ** 2

    x, y = onp.array([0.2, -0.5]), onp.array([1.1, 0.3])
    u, v = onp.array([1.0, 2.0]), onp.array([-1.0, 0.5])
    got = numeric.make_jvp(functools.partial(f, nnp), (0, 1))(x, y)((u, v))[1]
    want = autograd.make_jvp(functools.partial(f, anp), (0, 1))(x, y)((u, v))[1]
    close(got, want)
    # d/dx of (J u) . 1: forward mode nested inside reverse mode
    outer = lambda np, make_jvp, grad: grad(  # noqa: E731
        lambda x: np.sum(make_jvp(functools.partial(f, np, y=y))(x)(u)[1]))
    close(outer(nnp, numeric.make_jvp, numeric.grad)(x),
          outer(anp, autograd.make_jvp, autograd.grad)(x))


# ---------------------------------------------------------------------------------------------
# Call shapes: argnum tuples, keywords, containers, auxiliary outputs, names
# ---------------------------------------------------------------------------------------------
def loss(np, x, y, scale=1.0):
    return np.sum(np.tanh(x * y) * scale) + np.sum(x ** 2 * y)


ARGNUMS = [0, 1, (0, 1), (1, 0), [1]]


@pytest.mark.parametrize("argnum", ARGNUMS, ids=str)
@settings(max_examples=10)
@given(xy=pairs, scale=st.floats(-2.0, 2.0))
def test_argnum_and_keyword_arguments(argnum, xy, scale):
    x, y = xy
    ours, theirs = both(loss)
    for op in ("grad", "value_and_grad", "elementwise_grad"):
        got = getattr(numeric, op)(ours, argnum)(x, y, scale=scale)
        want = getattr(autograd, op)(theirs, argnum)(x, y, scale=scale)
        close(got, want)
    hess = numeric.hessian(ours, argnum)(x, y, scale=scale)
    if isinstance(argnum, int):
        close(hess, autograd.hessian(theirs, argnum)(x, y, scale=scale))
        return
    # autograd's hessian refuses a tuple argnum; ours gives the blocks d2f/dxi dxj, as nested
    # tuples, each checked against autograd's jacobian of its grad.
    for i, row in zip(argnum, hess):
        for j, block in zip(argnum, row):
            close(block, autograd.jacobian(autograd.grad(theirs, i), j)(x, y, scale=scale))


def params_loss(np, params, data):
    w, (b, c) = params["w"], params["layers"][0]
    hidden = np.tanh(np.dot(data, w) + b)
    return np.sum(hidden * c) + np.sum(params["extra"][1] ** 2)


def test_gradients_of_dicts_lists_and_tuples_come_back_in_their_structure():
    rng = onp.random.default_rng(5)
    params = {"w": rng.normal(size=(3, 2)), "layers": [(rng.normal(size=2), rng.normal(size=2))],
              "extra": (1.0, rng.normal(size=3))}
    data = rng.normal(size=(4, 3))
    ours, theirs = both(params_loss)
    got, want = numeric.grad(ours)(params, data), autograd.grad(theirs)(params, data)
    close(got, want)
    assert isinstance(got["layers"], list) and isinstance(got["layers"][0], tuple)
    close(numeric.value_and_grad(ours)(params, data), autograd.value_and_grad(theirs)(params, data))
    # the second derivative through a structure: d/d data of the structured gradient's w part
    def inner(np, g):
        return lambda d: np.sum(g(functools.partial(params_loss, np))(params, d)["w"])
    close(numeric.grad(inner(nnp, numeric.grad))(data),
          autograd.grad(inner(anp, autograd.grad))(data))


def test_grad_and_aux():
    def f(np, x):
        return np.sum(np.sin(x) ** 2), {"norm": np.sqrt(np.sum(x * x)), "x": x}

    x = onp.array([0.5, -1.0, 2.0])
    (g, aux), (want_g, _) = (numeric.grad_and_aux(functools.partial(f, nnp))(x),
                             autograd.grad_and_aux(functools.partial(f, anp))(x))
    close(g, want_g)
    # autograd hands a dict aux back still boxed; ours is plain values, checked directly
    assert not isinstance(aux["norm"], numeric.Tensor)
    close(aux, {"norm": onp.sqrt(onp.sum(x * x)), "x": x})


def test_grad_named():
    def f(np, x, y, z=2.0):
        return np.sum(x * y ** 2 * z)

    x, y = onp.array([1.0, -2.0]), onp.array([0.5, 3.0])
    close(numeric.grad_named(lambda x, y, z=2.0: f(nnp, x, y, z), "y")(x, y, z=3.0),
          autograd.grad_named(lambda x, y, z=2.0: f(anp, x, y, z), "y")(x, y, z=3.0))
    with pytest.raises(TypeError, match="no positional argument 'w'"):
        numeric.grad_named(lambda x, y: x, "w")


def test_multigrad_dict_against_autograd_grad_per_argument():
    # autograd's own multigrad_dict needs the Python 2 backport funcsigs; each entry is checked
    # against autograd.grad with respect to that argument instead.
    def f(np, a, b, *rest, c=1.5, **kw):
        return np.sum(a * b) * c + sum(np.sum(r ** 2) for r in rest) + np.sum(kw["d"] ** 3)

    a, b, r, d = (onp.array([0.5, -1.0]), onp.array([2.0, 0.25]), onp.array([1.0, 3.0]),
                  onp.array([0.1, -0.2]))
    got = numeric.multigrad_dict(lambda a, b, *rest, c=1.5, **kw: f(nnp, a, b, *rest, c=c, **kw))(
        a, b, r, d=d)
    assert list(got) == ["a", "b", "rest", "c", "kw"]
    theirs = functools.partial(f, anp)
    close(got["a"], autograd.grad(theirs, 0)(a, b, r, d=d))
    close(got["b"], autograd.grad(theirs, 1)(a, b, r, d=d))
    close(got["rest"], (autograd.grad(theirs, 2)(a, b, r, d=d),))
    close(got["c"], autograd.grad(lambda c: theirs(a, b, r, c=c, d=d))(1.5))
    close(got["kw"], {"d": autograd.grad(lambda d: theirs(a, b, r, d=d))(d)})


def test_checkpoint_matches_autograd_and_recomputes():
    calls = []

    def block(np):
        def f(x, w):
            calls.append(1)
            return np.tanh(np.dot(x, w)) * x
        return f

    x, w = onp.array([0.3, -0.8, 1.1]), onp.array([[0.5, 1.0, 0.0], [0.2, -0.3, 0.4],
                                                   [1.0, 0.1, -0.6]])
    ours, theirs = numeric.checkpoint(block(nnp)), autograd.checkpoint(block(anp))
    loss_ = lambda np, f: lambda x, w: np.sum(f(f(x, w), w) ** 2)  # noqa: E731
    close(numeric.grad(loss_(nnp, ours), (0, 1))(x, w),
          autograd.grad(loss_(anp, theirs), (0, 1))(x, w))
    calls.clear()
    numeric.grad(loss_(nnp, ours), 1)(x, w)
    assert len(calls) == 4  # two forwards, two recomputations (one per block, both inputs)
    close(numeric.hessian(loss_(nnp, ours))(x, w), autograd.hessian(loss_(anp, theirs))(x, w))


def test_errors_are_clear():
    with pytest.raises(TypeError, match=r"one number.*shape \(2,\)"):
        numeric.grad(lambda x: x * 2)(onp.ones(2))
    with pytest.raises(TypeError, match="argnum 2 is out of range"):
        numeric.grad(lambda x, y: x * y, 2)(1.0, 2.0)
    with pytest.raises(ValueError, match="tangent has shapes"):
        numeric.make_jvp(lambda x: x * 2)(onp.ones(2))(onp.ones(3))
    with pytest.raises(ValueError, match="tensor has shape"):
        numeric.tensor_jacobian_product(lambda x: x * 2)(onp.ones(2), onp.ones(3))
    with pytest.raises(TypeError, match="must return one array"):
        numeric.checkpoint(lambda x: (x, x))(numeric.Tensor([1.0]))
