"""Products (numeric/ops/products.py, einsum.py, vectors.py): NumPy's call forms give NumPy's
values, gradients agree with autograd (where it has them) and central differences, and bad
input is refused by name. The table-driven checks (tests/numeric/test_ops.py) cover the rules
over generated shapes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numdiff_util import central_diff

import numeric
from numeric import Tensor

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")

RNG = np.random.default_rng(2024)


def _r(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def _grads(f, *xs):
    """numeric's gradient of the scalar f(*xs) with respect to every input."""
    g = numeric.grad(lambda *ts: f(np, *ts), argnum=tuple(range(len(xs))))(*xs)
    return g if isinstance(g, tuple) else (g,)


def _ag_grads(f, *xs):
    return tuple(autograd.grad(lambda *ts: f(anp, *ts), argnum=i)(*xs) for i in range(len(xs)))


def _fd_grads(f, *xs):
    out = []
    for i in range(len(xs)):
        def fi(xi, i=i):
            args = list(xs)
            args[i] = xi
            return float(f(np, *args))
        out.append(central_diff(fi, xs[i]))
    return tuple(out)


def _weights(shape):
    return np.random.default_rng(7).normal(size=shape)


# --- values: each call form against NumPy ----------------------------------------------------
CALLS = {
    "tensordot axes=1": (lambda m, x, y: m.tensordot(x, y, axes=1), (2, 3), (3, 4)),
    "tensordot axes=0": (lambda m, x, y: m.tensordot(x, y, 0), (2,), (3,)),
    "tensordot pairs": (lambda m, x, y: m.tensordot(x, y, axes=([0, 2], [1, 0])), (2, 3, 4),
                        (4, 2, 5)),
    "tensordot int pair": (lambda m, x, y: m.tensordot(x, y, axes=(1, 0)), (2, 3), (3, 2)),
    "tensordot default": (lambda m, x, y: m.tensordot(x, y), (2, 3, 4), (3, 4)),
    "inner": (lambda m, x, y: m.inner(x, y), (2, 3), (4, 3)),
    "inner 0-d": (lambda m, x, y: m.inner(x, y), (), (2, 3)),
    "vdot": (lambda m, x, y: m.vdot(x, y), (2, 3), (6,)),
    "kron": (lambda m, x, y: m.kron(x, y), (2, 2), (2, 3)),
    "kron 3-d and 1-d": (lambda m, x, y: m.kron(x, y), (2, 1, 2), (3,)),
    "cross": (lambda m, x, y: m.cross(x, y), (4, 3), (3,)),
    "cross axis": (lambda m, x, y: m.cross(x, y, axis=0), (3, 2), (3, 2)),
    "cross axisa axisb axisc": (lambda m, x, y: m.cross(x, y, axisa=0, axisb=1, axisc=0),
                                (3, 2), (2, 3)),
    "cross 2- and 3-vectors": (lambda m, x, y: m.cross(x, y), (2, 2), (2, 3)),
    "dot 3-d": (lambda m, x, y: m.dot(x, y), (2, 2, 3), (4, 3, 2)),
    "dot 1-d, 3-d": (lambda m, x, y: m.dot(x, y), (3,), (2, 3, 2)),
    "einsum ellipsis": (lambda m, x, y: m.einsum("...ij,...jk->...ik", x, y), (2, 2, 3),
                        (3, 4)),
    "einsum implicit": (lambda m, x, y: m.einsum("ij,jk", x, y), (2, 3), (3, 4)),
    "einsum sublists": (lambda m, x, y: m.einsum(x, [0, 1], y, [1, 2], [0, 2]), (2, 3), (3, 4)),
    "einsum sublists implicit": (lambda m, x, y: m.einsum(x, [0, 1], y, [1, 2]), (2, 3), (3, 4)),
    "einsum sublist ellipsis": (lambda m, x, y: m.einsum(x, [Ellipsis, 1], y, [1], [Ellipsis]),
                                (2, 2, 3), (3,)),
    "einsum optimize": (lambda m, x, y: m.einsum("ij,jk->ik", x, y, optimize=True), (2, 3),
                        (3, 4)),
    "einsum broadcast size 1": (lambda m, x, y: m.einsum("...j,...j->...", x, y), (1, 3),
                                (4, 3)),
    "vecdot": (lambda m, x, y: m.vecdot(x, y), (2, 3), (3,)),
    "vecdot axis": (lambda m, x, y: m.vecdot(x, y, axis=0), (3, 2), (3, 1)),
    "linalg.vecdot": (lambda m, x, y: m.linalg.vecdot(x, y, axis=0), (3, 2), (3, 2)),
    "matvec": (lambda m, x, y: m.matvec(x, y), (2, 2, 3), (3,)),
    "vecmat": (lambda m, x, y: m.vecmat(x, y), (2,), (4, 2, 3)),
    "linalg.tensordot": (lambda m, x, y: m.linalg.tensordot(x, y, axes=1), (2, 3), (3,)),
    "linalg.cross": (lambda m, x, y: m.linalg.cross(x, y), (2, 3), (3,)),
    "linalg.outer": (lambda m, x, y: m.linalg.outer(x, y), (2,), (3,)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_call_form_gives_numpys_value_and_a_gradient_matching_differences(name):
    call, sx, sy = CALLS[name]
    x, y = _r(*sx, seed=1), _r(*sy, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # NumPy's 2-vector cross
        want = call(np, x, y)
    got = call(np, Tensor(x), Tensor(y))
    np.testing.assert_allclose(got.value, want, rtol=1e-12, atol=1e-12)
    w = _weights(np.shape(want))

    def loss(m, a, b):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return m.sum(call(m, a, b) * w)

    for g, fd in zip(_grads(loss, x, y), _fd_grads(loss, x, y)):
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


# --- against autograd, first and second order ------------------------------------------------
AUTOGRAD = {
    "tensordot": (lambda m, x, y: m.tensordot(x, y, axes=([0, 2], [1, 0])), (2, 3, 4),
                  (4, 2, 5)),
    "inner": (lambda m, x, y: m.inner(x, y), (2, 3), (4, 3)),
    "kron": (lambda m, x, y: m.kron(x, y), (2, 2), (3, 2)),
    "cross": (lambda m, x, y: m.cross(x, y, axisa=0, axisc=0), (3, 2), (2, 3)),
    "dot N-d": (lambda m, x, y: m.dot(x, y), (2, 2, 3), (4, 3, 2)),
    "einsum ellipsis": (lambda m, x, y: m.einsum("...ij,...jk->...ik", x, y), (2, 2, 3),
                        (3, 4)),
    "einsum implicit, summed-out": (lambda m, x, y: m.einsum("ij,kj", x, y), (2, 3), (4, 3)),
}


@pytest.mark.parametrize("name", sorted(AUTOGRAD))
def test_gradients_and_hessian_vector_products_agree_with_autograd(name):
    call, sx, sy = AUTOGRAD[name]
    x, y = _r(*sx, seed=3), _r(*sy, seed=4)
    w = _weights(np.shape(call(np, x, y)))

    def loss(m, a, b):
        return m.sum(m.tanh(call(m, a, b)) * w)  # tanh: a nonzero second derivative

    for got, want in zip(_grads(loss, x, y), _ag_grads(loss, x, y)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    v = _r(*sx, seed=5)

    def hvp(m, grad, a):
        return grad(lambda t: m.sum(grad(lambda s: loss(m, s, y))(t) * v))(a)

    np.testing.assert_allclose(hvp(np, numeric.grad, x), hvp(anp, autograd.grad, x),
                               rtol=1e-9, atol=1e-11)


def test_the_issues_sublist_example_no_longer_crashes():
    x = Tensor(_r(2, 3))
    np.testing.assert_allclose(np.einsum(x, [0, 1], [1, 0]).value, _r(2, 3).T)
    g = numeric.grad(lambda t: np.einsum(t, [0, 1], [1, 0]).sum())(_r(2, 3))
    np.testing.assert_allclose(g, np.ones((2, 3)))


def test_cross_of_2_vectors_is_the_z_component_without_numpys_warning():
    x, y = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = np.cross(Tensor(x), Tensor(y))
    assert out.value == 1.0 * -1.0 - 2.0 * 3.0
    gx, gy = _grads(lambda m, a, b: m.cross(a, b), x, y)
    np.testing.assert_allclose(gx, [y[1], -y[0]])
    np.testing.assert_allclose(gy, [-x[1], x[0]])


# --- hypothesis: tensordot over random axis pairings ------------------------------------------
@settings(derandomize=True, max_examples=25, deadline=None)
@given(st.data())
def test_tensordot_over_random_axes_matches_numpy_and_differences(data):
    from numeric.kinds import TENSORDOT

    case = data.draw(TENSORDOT.strategy(numeric.get_op("tensordot"), 3, 3))
    x, y = _r(*case.shapes[0], seed=8), _r(*case.shapes[1], seed=9)
    axes = case.params["axes"]
    want = np.tensordot(x, y, axes)
    np.testing.assert_allclose(np.tensordot(Tensor(x), Tensor(y), axes).value, want)
    w = _weights(want.shape)

    def loss(m, a, b):
        return m.sum(m.tensordot(a, b, axes) * w)

    for g, fd in zip(_grads(loss, x, y), _fd_grads(loss, x, y)):
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


# --- clear errors ----------------------------------------------------------------------------
@pytest.mark.parametrize("call, match", [
    (lambda t: np.einsum("ij,jk->ik", t, t, out=np.empty((2, 2))), "out="),
    (lambda t: np.einsum(t, [0, "a"]), "sublist entry must be an int"),
    (lambda t: np.einsum("i$", t), "not a subscript letter"),
    (lambda t: np.einsum("ij->k", t), "output letter 'k'"),
    (lambda t: np.einsum("...j,j", t, t), "names 1 axes"),
    (lambda t: np.tensordot(t, t, axes=([0], [0, 1])), "pairs 1 axes of x with 2"),
    (lambda t: np.tensordot(t, t, axes="x"), "axes must be an int or a pair"),
    (lambda t: np.cross(np.ones((2, 4)), t), "has size 4"),
    (lambda t: np.vecdot(t, t, out=(np.empty(2),)), "out="),
    (lambda t: np.dot(t, t, out=np.empty((2, 2))), "out="),
])
def test_bad_input_is_refused_by_name(call, match):
    t = Tensor(np.ones((2, 2)))
    with pytest.raises((ValueError, TypeError), match=match):
        call(t)


def test_einsum_repeated_index_takes_the_diagonal_with_its_gradient():
    # autograd refuses a repeated output subscript here; the reference is central differences
    x, y = _r(3, 3, 2, seed=6), _r(2, seed=7)
    want = np.einsum("iij,j->i", x, y)
    np.testing.assert_allclose(np.einsum("iij,j->i", Tensor(x), y).value, want)
    w = _weights(want.shape)

    def loss(m, a, b):
        return m.sum(m.tanh(m.einsum("iij,j->i", a, b)) * w)

    for g, fd in zip(_grads(loss, x, y), _fd_grads(loss, x, y)):
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.data())
def test_einsum_spelled_out_gives_numpys_value_for_generated_subscripts(data):
    from numeric.kinds import EINSUM

    case = data.draw(EINSUM.strategy(numeric.get_op("einsum"), 3, 3))
    xs = [_r(*s, seed=k) for k, s in enumerate(case.shapes)]
    subscripts = case.params["subscripts"]
    try:
        want = np.einsum(subscripts, *xs)
    except ValueError:  # NumPy refuses it: so must the engine, by name
        with pytest.raises(ValueError, match="einsum"):
            np.einsum(subscripts, *(Tensor(x) for x in xs))
        return
    np.testing.assert_allclose(np.einsum(subscripts, *(Tensor(x) for x in xs)).value, want,
                               rtol=1e-12, atol=1e-12)
