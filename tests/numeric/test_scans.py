"""Scans (numeric/ops/scans.py): cumsum, cumprod, diff and np.gradient.

The table-driven tests check each record against central differences on its kind's cases; this
file checks the call forms NumPy has (axis None/int, methods, diff's prepend/append, gradient's
spacings, axes and edge orders), the points that need care (zeros in cumprod, empty outputs),
refusals by name, and agreement with autograd where it has the op (cumsum, diff, gradient).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numdiff_util import central_diff

import numeric
from numeric import Tensor

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")

RNG = np.random.default_rng(20)
M = RNG.normal(size=(3, 4))
W = RNG.normal(size=(3, 4))


def _grad(f, *xs):
    return numeric.grad(f, argnum=tuple(range(len(xs))))(*xs)


def _fd(f, x):
    return central_diff(lambda v: float(f(v)), x)


# ---------------------------------------------------------------------------------------------
# cumsum and cumprod: call forms
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda a: np.cumsum(a), lambda a: np.cumsum(a, 1), lambda a: np.cumsum(a, axis=0),
    lambda a: np.cumsum(a, axis=-1), lambda a: a.cumsum(), lambda a: a.cumsum(0),
    lambda a: a.cumsum(axis=1), lambda a: np.cumprod(a), lambda a: np.cumprod(a, 0),
    lambda a: a.cumprod(), lambda a: a.cumprod(axis=-1),
])
def test_scan_call_forms_match_numpy_and_central_differences(call):
    out = call(Tensor(M))
    np.testing.assert_allclose(out.value, call(M), rtol=1e-15)
    w = RNG.normal(size=out.shape)
    (g,) = _grad(lambda a: (call(a) * w).sum(), M)
    np.testing.assert_allclose(g, _fd(lambda v: (call(v) * w).sum(), M), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("call, name", [
    (lambda t: np.cumsum(t, 0, np.float32), "dtype"), (lambda t: np.cumsum(t, out=M), "out"),
    (lambda t: t.cumprod(dtype=float), "dtype"), (lambda t: np.cumprod(t, out=M), "out"),
])
def test_dtype_and_out_are_refused_by_name(call, name):
    with pytest.raises(TypeError, match=rf"cum(sum|prod).*\b{name}="):
        call(Tensor(M))


# ---------------------------------------------------------------------------------------------
# cumprod at zeros: the gradient is exact (no division by x)
# ---------------------------------------------------------------------------------------------
def _cumprod_grad_by_hand(x, g):
    """d/dx_i Σ_j g_j Π_{k≤j} x_k = Σ_{j≥i} g_j Π_{k≤j, k≠i} x_k, by brute force."""
    n = len(x)
    return np.array([sum(g[j] * np.prod([x[k] for k in range(j + 1) if k != i])
                         for j in range(i, n)) for i in range(n)])


@pytest.mark.parametrize("x", [
    [2.0, 0.0, 3.0, 0.5, -1.5], [0.0, 2.0, 3.0], [2.0, 3.0, 0.0], [0.0, 0.0, 2.0, 3.0],
    [1.5, 0.0, 0.0, 2.0, 0.0, -1.0, 0.5], [0.0],
])
def test_cumprod_gradient_is_exact_at_zeros(x):
    x = np.array(x)
    g = np.arange(1.0, len(x) + 1)
    (got,) = _grad(lambda a: (np.cumprod(a) * g).sum(), x)
    np.testing.assert_array_equal(got, _cumprod_grad_by_hand(x, g))


def test_cumprod_second_order_at_zeros_matches_differences_of_the_gradient():
    x = np.array([[1.5, 0.0, -2.0, 0.7], [0.0, 0.9, 1.1, 0.0]])
    w = RNG.normal(size=x.shape)
    first = numeric.grad(lambda a: (np.cumprod(a, axis=1) * w).sum())
    v = RNG.normal(size=x.shape)
    (hv,) = _grad(lambda a: (first(a) * v).sum(), x)
    np.testing.assert_allclose(hv, _fd(lambda a: (first(a) * v).sum(), x), rtol=1e-6, atol=1e-8)


def test_cumsum_of_a_0d_tensor_is_1d_and_its_gradient_0d():
    t = Tensor(np.array(2.5))
    out = np.cumsum(t)
    assert out.shape == (1,)
    (out * 3.0).sum().backward()
    assert t.grad.shape == () and float(t.grad) == 3.0


# ---------------------------------------------------------------------------------------------
# diff: n, axis, prepend and append (a Tensor prepended receives its gradient)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [
    {}, {"n": 2}, {"axis": 0}, {"n": 3, "axis": 1}, {"n": 0}, {"prepend": 0.0},
    {"append": 1.5, "axis": 0}, {"prepend": np.ones((3, 1)), "append": 2.0},
    {"n": 2, "prepend": np.zeros((1, 4)), "axis": 0},
])
def test_diff_call_forms_match_numpy_and_central_differences(kwargs):
    out = np.diff(Tensor(M), **kwargs)
    np.testing.assert_allclose(out.value, np.diff(M, **kwargs), rtol=1e-15)
    w = RNG.normal(size=out.shape)
    (g,) = _grad(lambda a: (np.diff(a, **kwargs) * w).sum(), M)
    np.testing.assert_allclose(g, _fd(lambda v: (np.diff(v, **kwargs) * w).sum(), M),
                               rtol=1e-6, atol=1e-8)


def test_a_tensor_prepended_or_appended_receives_its_gradient():
    start, end = np.array([[0.5], [1.0], [-1.0]]), np.array(2.0)
    w = RNG.normal(size=(3, 4))  # 4 + 2 entries, 2nd differences
    f = lambda a, p, q: (np.diff(a, n=2, prepend=p, append=q) * w).sum()  # noqa: E731
    ga, gp, gq = _grad(f, M, start, end)
    np.testing.assert_allclose(gp, _fd(lambda p: f(M, p, end), start), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gq, _fd(lambda q: f(M, start, q), end), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ga, _fd(lambda a: f(a, start, end), M), rtol=1e-6, atol=1e-8)


def test_diff_of_order_equal_to_the_length_is_empty_with_a_zero_gradient():
    t = Tensor(M)
    out = np.diff(t, n=4)
    assert out.shape == (3, 0)
    (out.sum() + (t * 0.0).sum()).backward()
    np.testing.assert_array_equal(t.grad, np.zeros((3, 4)))


# ---------------------------------------------------------------------------------------------
# np.gradient: spacing scalars, axis, edge_order 1 and 2; a tuple for several axes
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("args, kwargs", [
    ((), {}), ((0.5,), {}), ((0.5, 2.0), {}), ((), {"axis": 0}), ((0.25,), {"axis": -1}),
    ((2.0, 0.5), {"axis": (1, 0)}), ((), {"axis": [0]}),
])
def test_gradient_call_forms_match_numpy_and_central_differences(args, kwargs, edge_order):
    kwargs = {**kwargs, "edge_order": edge_order}
    got, want = np.gradient(Tensor(M), *args, **kwargs), np.gradient(M, *args, **kwargs)
    assert isinstance(got, tuple) == isinstance(want, tuple)  # a tuple for several axes
    for a, b in zip(got if isinstance(got, tuple) else [got], want if isinstance(want, tuple)
                    else [want]):
        np.testing.assert_allclose(a.value, b, rtol=1e-14)

    def total(a):
        out = np.gradient(a, *args, **kwargs)
        outs = out if isinstance(out, tuple) else (out,)
        return sum((o * W * (k + 1)).sum() for k, o in enumerate(outs))

    (g,) = _grad(total, M)
    np.testing.assert_allclose(g, _fd(total, M), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("n, edge_order", [(2, 1), (3, 2), (3, 1), (5, 2)])
def test_gradient_at_its_shortest_lengths(n, edge_order):
    x = RNG.normal(size=n)
    w = RNG.normal(size=n)
    (g,) = _grad(lambda a: (np.gradient(a, 0.5, edge_order=edge_order) * w).sum(), x)
    np.testing.assert_allclose(
        g, _fd(lambda a: (np.gradient(a, 0.5, edge_order=edge_order) * w).sum(), x), rtol=1e-6)


def test_gradient_refuses_tensor_spacings_bad_coordinates_and_counts_by_name():
    with pytest.raises(TypeError, match="gradient: parameter 'spacing' is a Tensor"):
        np.gradient(Tensor(M), Tensor(0.5), axis=0)
    with pytest.raises(TypeError, match="gradient on Tensor: coordinates given as a Tensor.*"
                                        "values only"):
        np.gradient(Tensor(M), Tensor(np.array([0.0, 1.0, 3.0])), axis=0)
    with pytest.raises(ValueError, match=r"gradient: coordinates along axis 1 have 3 entries"
                                         r".*shape \(3, 4\) has 4"):
        np.gradient(Tensor(M), 1.0, np.array([0.0, 1.0, 3.0]))
    with pytest.raises(ValueError, match=r"gradient: .*1-d array of coordinates.*shape \(2, 2\)"):
        np.gradient(Tensor(M), np.ones((2, 2)), axis=0)
    with pytest.raises(TypeError, match="gradient.*takes 0, 1 or 2 spacings"):
        np.gradient(Tensor(M), 1.0, 2.0, 3.0)


# np.gradient with coordinates (non-uniform spacing). np.gradient is linear in the values, so
# its Jacobian is np.gradient of the unit vectors: the VJP must be exactly gᵀ J.
T0, T1 = np.array([0.0, 0.3, 1.0]), np.array([-1.0, 0.0, 0.5, 2.0, 2.25])
N = RNG.normal(size=(3, 5))
V = RNG.normal(size=(3, 5))


def _jacobian_transpose(g, x, *args, **kwargs):
    cols = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = 1.0
        cols.append(np.sum(g * np.gradient(e.reshape(x.shape), *args, **kwargs)))
    return np.reshape(cols, x.shape)


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("args, kwargs", [
    ((T1,), {"axis": 1}), ((T0, T1), {}), ((T0, 0.5), {}), ((list(T0),), {"axis": 0}),
    ((np.array([0.0, 2.0, 4.0]),), {"axis": -2}),  # uniform coordinates: NumPy's own branch
    ((T1[::-1].copy(),), {"axis": 1}),  # decreasing coordinates: negative spacings
])
def test_gradient_with_coordinates_matches_numpy_and_its_exact_transpose(args, kwargs,
                                                                         edge_order):
    kwargs = {**kwargs, "edge_order": edge_order}
    got, want = np.gradient(Tensor(N), *args, **kwargs), np.gradient(N, *args, **kwargs)
    got, want = (o if isinstance(o, tuple) else (o,) for o in (got, want))
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a.value, b, rtol=1e-14)
    (g,) = _grad(lambda a: (np.gradient(a, *args, **kwargs)[-1] * V).sum()
                 if isinstance(want, tuple) and len(want) > 1 else
                 (np.gradient(a, *args, **kwargs) * V).sum(), N)
    if len(want) == 1:
        exact = _jacobian_transpose(V, N, *args, **kwargs)
    else:  # the last axis' gradient of a tuple
        axis = len(want) - 1
        exact = _jacobian_transpose(V, N, args[axis], axis=axis, edge_order=edge_order)
    np.testing.assert_allclose(g, exact, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_sym_forward_with_coordinates_is_numpys(edge_order):
    # derive runs the record's sym forward (the stencils written out) on symbols: on floats it
    # must be np.gradient itself
    from numeric.ops.scans import _gradient_sym

    want = np.gradient(N, T1, axis=1, edge_order=edge_order)
    np.testing.assert_allclose(_gradient_sym(N, 1, tuple(T1), edge_order), want, rtol=1e-13)


@settings(max_examples=15)
@given(st.lists(st.floats(0.05, 3.0), min_size=2, max_size=6), st.sampled_from([1, 2]),
       st.integers(0, 2**16))
def test_gradient_with_random_coordinates_agrees_with_numpy_and_differences(steps, edge_order,
                                                                            seed):
    if len(steps) < edge_order + 1:
        steps = steps + [1.0] * (edge_order + 1 - len(steps))
    t = np.concatenate([[0.0], np.cumsum(steps)])
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=(2, t.size)), rng.normal(size=(2, t.size))

    def total(a):
        return (np.gradient(a, t, axis=1, edge_order=edge_order) * w).sum()

    np.testing.assert_allclose(np.gradient(Tensor(x), t, axis=1, edge_order=edge_order).value,
                               np.gradient(x, t, axis=1, edge_order=edge_order), rtol=1e-14)
    (g,) = _grad(total, x)
    np.testing.assert_allclose(g, _jacobian_transpose(w, x, t, axis=1, edge_order=edge_order),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(g, _fd(total, x), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# Against HIPS autograd (it has cumsum, diff and gradient; not cumprod)
# ---------------------------------------------------------------------------------------------
AUTOGRAD = {
    "cumsum": lambda k, a: k.cumsum(a * a, axis=1) * W,
    "cumsum flattened": lambda k, a: k.cumsum(k.sin(a)),
    "diff": lambda k, a: k.diff(a * a, n=2, axis=0) ** 2,
    "diff last axis": lambda k, a: k.diff(k.exp(a)) * a[:, 1:],
    "gradient": lambda k, a: k.gradient(a ** 3, axis=1) * W,
}


@pytest.mark.parametrize("name", sorted(AUTOGRAD))
def test_gradients_agree_with_autograd_to_second_order(name):
    f = AUTOGRAD[name]
    v = RNG.normal(size=M.shape)
    mine = numeric.grad(lambda a: f(np, a).sum())
    theirs = autograd.grad(lambda a: anp.sum(f(anp, a)))
    np.testing.assert_allclose(mine(M), theirs(M), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(numeric.grad(lambda a: (mine(a) * v).sum())(M),
                               autograd.grad(lambda a: anp.sum(theirs(a) * v))(M),
                               rtol=1e-12, atol=1e-13)
