"""Complex inputs through the engine, with autograd's convention.

For a real-valued l of a complex z = x + iy the engine's gradient is ∂l/∂x − i ∂l/∂y. Checked
three independent ways: every op declaring ``complex=True``, on its standard cases, against
central differences along the real and the imaginary direction of every entry; compositions
against autograd (test-only) at first and second order; and the refusal of complex inputs by ops
defined on real numbers only.
"""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numdiff_util import bound, differentiated, standard_items

import numeric
from numeric import Tensor
from numeric import numpy as nnp
from numeric.autodiff import grad
from numeric.cases import sample_inputs

COMPLEX = {name: op for name, op in numeric.all_ops().items() if op.complex}
ITEMS = standard_items(COMPLEX)
EPS = 1e-6


def _l(op, xs, i, G, params):
    """l(z_i) = Re Σ G · f(..., z_i, ...): a real function whose gradient in f's output is G."""
    base = op.fwd(*xs, **params)

    def loss(zi):
        args = list(xs)
        args[i] = zi
        out = op.fwd(*args, **params)
        if op.kind.align is not None:  # eig: the base point's eigenvalue order and phases
            out = op.kind.align(base, out)
        return float(np.real(np.sum(G * out)))
    return loss


def _fd_gradient(loss, z):
    """∂l/∂x − i ∂l/∂y, entry by entry, by central differences (autograd's convention)."""
    out = np.zeros(z.shape, dtype=complex)
    flat = out.reshape(-1)
    for k in range(z.size):
        step = np.zeros(z.size, dtype=complex)
        for unit, sign in ((1.0, 1), (1j, -1j)):  # the real direction, then the imaginary one
            step[k] = unit * EPS
            d = (loss(z + step.reshape(z.shape)) - loss(z - step.reshape(z.shape))) / (2 * EPS)
            flat[k] += sign * d
    return out


@pytest.mark.parametrize("item", ITEMS, ids=lambda it: f"{it[0]}[{it[1]}]")
def test_complex_vjp_matches_central_differences(item):
    name, case = item
    op = bound(COMPLEX[name], len(case.shapes))
    rng = np.random.default_rng(11)
    xs = sample_inputs(op, case, rng, dtype=np.complex128)
    params = dict(case.params)
    out = np.asarray(op.fwd(*xs, **params))
    G = rng.standard_normal(out.shape)
    if np.iscomplexobj(out):
        G = G + 1j * rng.standard_normal(out.shape)
    idx = [i for i in differentiated(op) if xs[i].dtype != bool]

    def f(*ts):
        args = list(xs)
        for i, t in zip(idx, ts):
            args[i] = t
        return numeric.apply(op, *args, **params)

    got = numeric.vjp(f, *(xs[i] for i in idx))[1](G)
    for i, gi in zip(idx, got):
        want = _fd_gradient(_l(op, xs, i, G, params), xs[i])
        assert np.asarray(gi).dtype == np.complex128, f"{name} input {i}: {np.asarray(gi).dtype}"
        np.testing.assert_allclose(gi, want, rtol=1e-5, atol=1e-6 * (1 + np.abs(want).max()),
                                   err_msg=f"{name} input {i}")


# Real-valued functions of a complex vector, written once for both NumPy namespaces.
W = np.array([0.7 - 0.2j, -0.4 + 1.1j, 1.3 + 0.5j])
M = np.array([[1.0 + 0.5j, -0.3j, 0.2], [0.4, 1.5 - 1j, 0.1j], [-0.6 + 0.2j, 0.3, 0.9 + 0.4j]])
PROGRAMS = {
    "multiply": lambda np, z: np.sum(np.real(z * W) + np.imag(z * z)),
    "divide": lambda np, z: np.sum(np.abs(W / z)),
    "power": lambda np, z: np.sum(np.real(z ** 2.5)),
    "exp": lambda np, z: np.sum(np.real(np.exp(z))),
    "log": lambda np, z: np.sum(np.imag(np.log(z))),
    "sqrt": lambda np, z: np.sum(np.real(np.sqrt(z))),
    "sin cos": lambda np, z: np.sum(np.real(np.sin(z) * np.cos(z))),
    "tanh": lambda np, z: np.sum(np.imag(np.tanh(z))),
    "matmul": lambda np, z: np.real(np.sum(np.matmul(M, z) * z)),
    "dot": lambda np, z: np.abs(np.dot(z, W)),
    "einsum": lambda np, z: np.real(np.einsum("ij,j->", M, z * z)),
    "conj": lambda np, z: np.real(np.sum(np.conj(z) * z * W)),
    "abs": lambda np, z: np.sum(np.abs(z) ** 3),
    "angle": lambda np, z: np.sum(np.angle(z) * np.abs(z)),
    "real imag": lambda np, z: np.sum(np.real(z) ** 3 - np.imag(z) ** 2),
    "sum mean": lambda np, z: np.abs(np.sum(z) * np.mean(z)),
    "reshape index": lambda np, z: np.real(np.sum(np.reshape(z, (3, 1)) * z[1:])),
    "concatenate transpose": lambda np, z: np.abs(np.sum(np.transpose(
        np.concatenate([np.reshape(z, (1, 3)), np.reshape(z * z, (1, 3))])) ** 2)),
    "prod cumsum": lambda np, z: np.real(np.prod(z) + np.sum(np.cumsum(z) * z)),
    "real input lifted": lambda np, z: np.abs(np.sum(np.real(z) * W)),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_gradient_matches_autograd(name):
    f = PROGRAMS[name]
    z = np.array([0.8 + 0.6j, 1.2 + 0.3j, 0.5 + 1.4j])
    want = autograd.grad(lambda z: f(anp, z))(z)
    got = grad(lambda z: f(nnp, z))(z)
    assert np.asarray(got).dtype == np.complex128
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_second_order_matches_autograd(name):
    """The gradient of Re Σ u · grad(l)(z): the rules' own derivatives, through the engine."""
    f = PROGRAMS[name]
    z = np.array([0.8 + 0.6j, 1.2 + 0.3j, 0.5 + 1.4j])
    u = np.array([0.3 - 0.5j, 1.1 + 0.2j, -0.7 + 0.4j])

    def second(np_, g):
        return lambda z: np_.real(np_.sum(g(lambda z: f(np_, z))(z) * u))

    want = autograd.grad(second(anp, autograd.grad))(z)
    got = grad(second(nnp, grad))(z)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11)


_PARTS = st.floats(-3.0, 3.0).filter(lambda v: abs(v) > 0.05)


@settings(max_examples=30, deadline=None)
@given(re=hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=3), elements=_PARTS),
       seed=st.integers(0, 2**16))
def test_elementwise_programs_match_autograd_at_any_values(re, seed):
    """Shapes and real parts from hypothesis, imaginary parts from a seeded generator, both at
    least 0.05 from 0: away from z = 0, where abs and angle have no derivative, and from ±i."""
    rng = np.random.default_rng(seed)
    z = re + 1j * rng.choice([-1, 1], re.shape) * rng.uniform(0.05, 3.0, re.shape)

    def f(np_, z):
        return np_.sum(np_.abs(np_.sin(z) * z) + np_.angle(z) * np_.real(np_.exp(-z * z))
                       + np_.imag(np_.conj(z) / (1 + z * z)))

    want = autograd.grad(lambda z: f(anp, z))(z)
    np.testing.assert_allclose(grad(lambda z: f(nnp, z))(z), want, rtol=1e-10, atol=1e-12)


def test_the_convention_on_abs_squared():
    """l = |z|² = x² + y²: ∂l/∂x − i ∂l/∂y = 2x − 2iy = 2 conj(z) (PyTorch would give 2z)."""
    z = np.array([1.5 - 0.5j, -2.0 + 3.0j])
    got = grad(lambda z: nnp.sum(nnp.abs(z) ** 2))(z)
    np.testing.assert_allclose(got, 2 * np.conj(z), rtol=1e-14)
    np.testing.assert_allclose(got, autograd.grad(lambda z: anp.sum(anp.abs(z) ** 2))(z))


def test_real_input_keeps_the_real_part_like_autograd():
    """A real input of a complex computation gets the real part of its cotangent (unbroadcast),
    broadcast or not, as autograd's unbroadcast does."""
    x = np.array([[0.5, -1.0, 2.0]])

    def f(np_, x):
        return np_.abs(np_.sum(x * W + np_.reshape(x, (3, 1)) * W))

    got = grad(lambda x: f(nnp, x))(x)
    want = autograd.grad(lambda x: f(anp, x))(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("name, fun", [
    ("maximum", lambda z: np.maximum(z, 0.5)),
    ("sort", lambda z: np.sort(z)),
    ("relu", lambda z: z.relu()),
    ("max", lambda z: np.max(z)),
    ("fabs", lambda z: np.abs(np.fmax(z, z))),
])
def test_real_only_ops_refuse_complex_inputs(name, fun):
    z = Tensor(np.array([0.5 + 1j, -0.2 + 0.3j, 1.0 - 2j]))
    with pytest.raises(TypeError) as e:
        out = fun(z)
        np.real(np.sum(out)).backward()
    msg = str(e.value)
    assert "complex128" in msg and "(3,)" in msg, msg
    assert name in msg or "fmax" in msg, msg


def test_comparisons_refuse_complex_tensors():
    z = Tensor(np.array([0.5 + 1j, -0.2j]))
    with pytest.raises(TypeError, match=r"complex128.*\(2,\)"):
        _ = z < 1.0
    assert (Tensor(np.array([1.0])) < 2.0).all()  # real Tensors still compare
