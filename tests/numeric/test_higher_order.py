"""Second order: grad of grad, ``backward(create_graph=True)`` Hessian-vector products and
the double-vjp JVP, against finite differences of the gradient — data-driven over the op table.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numdiff_util import bound, central_diff, differentiated, standard_items

import numeric
from numeric import Tensor, apply, get_op, grad, vjp
from numeric.cases import sample_inputs
from verify import strategies as vs

OPS = numeric.all_ops()
STANDARD = standard_items(OPS)


# ---------------------------------------------------------------------------------------------
# Second order
# ---------------------------------------------------------------------------------------------
def test_grad_of_grad_matches_finite_differences_of_the_gradient():
    def f(x):
        return (np.tanh(x) * x ** 3 + np.exp(-x) / (1 + x * x)).sum()

    df = grad(f)
    d2f = grad(lambda x: df(x).sum())
    x = np.array([-1.3, 0.2, 0.7, 1.9])
    want = central_diff(lambda v: float(df(v).sum()), x, eps=1e-5)
    np.testing.assert_allclose(d2f(x), want, rtol=1e-6, atol=1e-8)
    # A closed form for one term: d2/dx2 x^3 = 6x.
    np.testing.assert_allclose(grad(lambda x: grad(lambda t: (t ** 3).sum())(x).sum())(x), 6 * x,
                               rtol=1e-14)


def test_third_order():
    x = np.array([0.3, -0.8])
    d3 = grad(lambda x: grad(lambda x: grad(lambda x: np.exp(2 * x).sum())(x).sum())(x).sum())
    np.testing.assert_allclose(d3(x), 8 * np.exp(2 * x), rtol=1e-14)


def _weighted(op, out, w):
    """Σ w f; Σ w |f|² for an op whose outputs carry a phase of its choosing (a kind with an
    ``align`` hook, eig): only a phase-invariant function of them has a Hessian that does not
    depend on that choice, which central differences of LAPACK's outputs would see."""
    return ((out if op.kind.align is None else abs(out) ** 2) * w).sum()


def _first_grads(op, xs, params, w):
    ts = [Tensor(x) for x in xs]
    _weighted(op, apply(op, *ts, **params), w).backward()
    return [np.zeros_like(x, dtype=float) if t.grad is None else np.asarray(t.grad, dtype=float)
            for t, x in zip(ts, xs)]


def _hvp(op, xs, params, w, v):
    ts = [Tensor(x) for x in xs]
    _weighted(op, apply(op, *ts, **params), w).backward(create_graph=True)
    firsts = [t.grad for t in ts]
    for t in ts:
        t.zero_grad()
    h = sum((firsts[i] * v[i]).sum() for i in differentiated(op) if firsts[i] is not None)
    if isinstance(h, Tensor) and h.requires_grad:
        h.backward()
    return [np.zeros_like(x, dtype=float) if t.grad is None else np.asarray(t.grad, dtype=float)
            for t, x in zip(ts, xs)]


def _fd_hvp(op, xs, params, w, v, eps):
    """Central differences of the (first-order) gradient along v."""
    def moved(sign):
        return [x + sign * eps * vi if k in differentiated(op) else x
                for k, (x, vi) in enumerate(zip(xs, v))]

    up = _first_grads(op, moved(1), params, w)
    down = _first_grads(op, moved(-1), params, w)
    return [(u - d) / (2 * eps) for u, d in zip(up, down)]


def _check_hvp(op, xs, params, seed, where, smooth_only=False):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=np.shape(op.fwd(*xs, **params)))
    v = [rng.normal(size=np.shape(x)) for x in xs]
    got = _hvp(op, xs, params, w, v)
    want = _fd_hvp(op, xs, params, w, v, 1e-5)
    slack = [np.zeros_like(a) for a in want]
    if smooth_only:
        # Generated points may sit on a kink (no Hessian: FD disagrees with itself, reject) or
        # where the Hessian is large (e.g. norm near 0): there the step-halving difference
        # bounds FD's own error, and the comparison allows for it.
        finer = _fd_hvp(op, xs, params, w, v, 2.5e-6)
        assume(all(np.allclose(a, b, rtol=1e-2, atol=1e-3) for a, b in zip(want, finer)))
        slack = [2 * np.abs(a - b) for a, b in zip(want, finer)]
        want = finer
    for i in differentiated(op):
        err = np.abs(np.asarray(got[i]) - want[i])
        ok = err <= 1e-6 + 1e-5 * np.abs(want[i]) + slack[i]
        assert ok.all(), (f"{op.name} [{where}] input {i}: HVP {np.asarray(got[i])[~ok]} vs "
                          f"finite differences of the gradient {want[i][~ok]}")


@pytest.mark.parametrize("item", STANDARD, ids=[f"{n}[{c}]" for n, c in STANDARD])
def test_create_graph_hvp_matches_finite_differences_of_the_gradient(item):
    name, case = item
    op = bound(get_op(name), len(case.shapes))
    xs = sample_inputs(op, case, np.random.default_rng(31))
    _check_hvp(op, xs, case.params, seed=32, where=str(case))


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=8)
@given(data=st.data())
def test_create_graph_hvp_on_generated_cases(name, data):
    case, xs = data.draw(vs.op_inputs(name, resolution=None), label="case, inputs")
    op = bound(get_op(name), len(xs))
    with np.errstate(all="ignore"):
        _check_hvp(op, xs, case.params, seed=33, where=str(case), smooth_only=True)


def test_grad_of_grad_of_power_at_a_zero_exponent():
    # d/dy d/dx x**y = x**(y-1) (1 + y log x) = 1/x at y = 0: the dx rule must stay a function
    # of y there (a guard on y == 0 alone made this 1).
    dx = lambda x, y: grad(lambda a, b: (a ** b).sum())(x, y).sum()  # noqa: E731
    np.testing.assert_allclose(grad(dx, argnum=1)(np.array([0.5, 4.0]), np.zeros(2)),
                               [2.0, 0.25], rtol=1e-14)


def test_vjp_of_vjp_fn_gives_a_jvp():
    # vjp_fn is linear in g; differentiating it w.r.t. g (the "double vjp" trick) gives J t.
    def jvp(f, x, t):
        out, vjp_fn = vjp(f, x)
        _, vjp_of_vjp = vjp(lambda u: vjp_fn(u)[0], np.zeros_like(out))
        return vjp_of_vjp(t)[0]

    a = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_array_equal(jvp(lambda x: a @ x, np.ones(2), np.array([1.0, 0.0])), a[:, 0])
    x, t = np.array([0.3, -0.7]), np.array([1.0, 2.0])
    want = (x / np.cosh(x) ** 2 + np.tanh(x)) * t
    np.testing.assert_allclose(jvp(lambda x: np.tanh(x) * x, x, t), want, rtol=1e-14)


def test_a_differentiated_seed_receives_its_gradient():
    x, v = Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 1.0, 1.0])
    (x * x).backward(v, create_graph=True)  # x.grad = 2 x v
    gx = x.grad
    x.zero_grad()
    (gx * np.array([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(v.grad, [2.0, 40.0, 600.0])
    np.testing.assert_array_equal(x.grad, [2.0, 20.0, 200.0])


def test_create_graph_gradients_are_tensors_with_first_order_values():
    x = Tensor([1.0, 2.0])
    (x ** 3).sum().backward(create_graph=True)
    assert isinstance(x.grad, Tensor) and x.grad.requires_grad
    np.testing.assert_allclose(x.grad.value, [3.0, 12.0])
