"""Cross-check against an engine nobody here wrote: HIPS autograd.

Each composite function is written once, over a namespace ``k`` of array functions: with
``ENGINE`` it runs on gradproof Tensors (NumPy dispatch plus the friendly functions), with
``AUTOGRAD`` on autograd's boxes. The gradients of both must agree to rounding.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import numeric

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")
from autograd.scipy.special import logsumexp as _ag_logsumexp  # noqa: E402


def _ag_log_softmax(x, axis=-1):
    return x - _ag_logsumexp(x, axis=axis, keepdims=True)


ENGINE = SimpleNamespace(
    np=np, relu=numeric.relu, softmax=numeric.softmax, log_softmax=numeric.log_softmax,
    logsumexp=numeric.logsumexp, sigmoid=numeric.sigmoid,
    slogdet=lambda x: np.linalg.slogdet(x)[1], concatenate=numeric.concatenate,
    stack=numeric.stack, einsum=numeric.einsum, flip0=lambda x: np.flip(x, 0),
)
AUTOGRAD = SimpleNamespace(
    np=anp, relu=lambda x: anp.maximum(x, 0.0),
    softmax=lambda x, axis=-1: anp.exp(_ag_log_softmax(x, axis)), log_softmax=_ag_log_softmax,
    logsumexp=_ag_logsumexp, sigmoid=lambda x: 0.5 * (anp.tanh(x / 2) + 1),
    slogdet=lambda x: anp.linalg.slogdet(x)[1], concatenate=anp.concatenate,
    stack=anp.stack, einsum=anp.einsum, flip0=lambda x: x[::-1],  # autograd has no flip VJP
)


# --- the composite functions -----------------------------------------------------------------
def mlp_loss(k, w1, b1, w2, b2, x, onehot):
    """Two-layer MLP, softmax cross-entropy, weight decay."""
    h = k.relu(x @ w1 + b1)
    logp = k.log_softmax(k.np.tanh(h) @ w2 + b2, axis=-1)
    return -k.np.sum(logp * onehot) / onehot.shape[0] + 1e-3 * (k.np.sum(w1 * w1)
                                                              + k.np.sum(w2 * w2))


def sigmoid_mlp_loss(k, w1, w2, x, y):
    """A regression MLP with sigmoid units and a mean squared error."""
    return k.np.mean((k.sigmoid(x @ w1) @ w2 - y) ** 2)


def cross_entropy(k, logits, onehot):
    """Softmax cross-entropy at large logits (stable log_softmax needed)."""
    return -k.np.sum(k.log_softmax(logits, axis=1) * onehot)


def logsumexp_loss(k, x):
    return k.np.sum(k.logsumexp(x, axis=0) ** 2)


def logdet_spd(k, a):
    """log det (a aᵀ + I): log-determinant of an SPD matrix via slogdet."""
    n = a.shape[-1]
    return k.np.sum(k.slogdet(a @ k.np.swapaxes(a, -1, -2) + k.np.eye(n)))  # a stack: summed


def logdet_cholesky(k, a):
    """The same log-determinant through the Cholesky factor: 2 Σ log diag L."""
    n = a.shape[-1]
    chol = k.np.linalg.cholesky(a @ a.T + k.np.eye(n))
    return 2 * k.np.sum(k.np.log(k.np.diagonal(chol, axis1=-1, axis2=-2)))  # autograd needs -1, -2


def attention(k, q, kk, v, g):
    """Scaled dot-product attention, contracted with a fixed cotangent g."""
    scores = q @ k.np.swapaxes(kk, -1, -2) / np.sqrt(q.shape[-1])
    return k.np.sum(k.softmax(scores, axis=-1) @ v * g)


def least_squares(k, x, y):
    """Ridge least squares: w = (xᵀx + λI)⁻¹ xᵀy, loss = ‖x w - y‖² + trace of the inverse."""
    a = x.T @ x + 0.1 * k.np.eye(x.shape[1])
    w = k.np.linalg.solve(a, x.T @ y)
    return k.np.sum((x @ w - y) ** 2) + k.np.trace(k.np.linalg.inv(a)) + k.np.linalg.det(a)


def shapes_and_reductions(k, x, y):
    """concatenate, stack, flip, einsum, trace, prod, max, std, norm, expm1, log1p, sin, cos."""
    z = k.concatenate([x, k.flip0(y)], axis=1)                         # (3, 7)
    s = k.stack([x, y[:, :4]], axis=0)                                    # (2, 3, 4)
    e = k.einsum("bij,kj->bik", s, x)                                     # (2, 3, 3)
    return (k.np.sum(k.np.sum(e * np.eye(3), axis=(1, 2)) ** 2) + k.np.trace(e[0])
            + k.np.sum(k.np.prod(k.np.cos(z), axis=0))
            + k.np.sum(k.np.max(k.np.sin(z), axis=1))
            + k.np.sum(k.np.std(z, axis=0)) + k.np.linalg.norm(k.np.expm1(x / 4))
            + k.np.sum(k.np.log1p(y * y)))


def _inputs(name, rng):
    n, d, h, c = 6, 5, 4, 3
    onehot = np.eye(c)[rng.integers(0, c, size=n)]
    return {
        "mlp_loss": [rng.normal(size=(d, h)), rng.normal(size=h), rng.normal(size=(h, c)),
                     rng.normal(size=c), rng.normal(size=(n, d)), onehot],
        "sigmoid_mlp_loss": [rng.normal(size=(d, h)), rng.normal(size=(h, 1)),
                             rng.normal(size=(n, d)), rng.normal(size=(n, 1))],
        "cross_entropy": [300.0 * rng.normal(size=(n, c)), onehot],
        "logsumexp_loss": [100.0 * rng.normal(size=(4, 3))],
        "logdet_spd": [rng.normal(size=(2, 4, 4))],
        "logdet_cholesky": [rng.normal(size=(4, 4))],
        "attention": [rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 4)),
                      rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 3))],
        "least_squares": [rng.normal(size=(8, 3)), rng.normal(size=(8,))],
        "shapes_and_reductions": [rng.normal(size=(3, 4)), rng.normal(size=(3, 5))],
    }[name]


FUNCTIONS = {f.__name__: f for f in (mlp_loss, sigmoid_mlp_loss, cross_entropy, logsumexp_loss,
                                     logdet_spd, logdet_cholesky, attention, least_squares,
                                     shapes_and_reductions)}
# The inputs differentiated (the rest are data: one-hot labels, the cotangent g).
ARGNUMS = {"mlp_loss": (0, 1, 2, 3, 4), "cross_entropy": (0,), "attention": (0, 1, 2)}


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradients_agree_with_hips_autograd(name, seed):
    f = FUNCTIONS[name]
    xs = _inputs(name, np.random.default_rng(seed))
    argnums = ARGNUMS.get(name, tuple(range(len(xs))))
    value, grads = numeric.value_and_grad(lambda *a: f(ENGINE, *a), argnum=argnums)(*xs)
    want_value = f(AUTOGRAD, *xs)
    np.testing.assert_allclose(np.asarray(value.value if hasattr(value, "value") else value),
                               want_value, rtol=1e-10)
    for i, got in zip(argnums, grads):
        want = autograd.grad(lambda *a: f(AUTOGRAD, *a), i)(*xs)
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10,
                                   err_msg=f"{name}: gradient of input {i}")


def test_logdet_routes_agree_with_each_other():
    a = np.random.default_rng(3).normal(size=(4, 4))
    g1 = numeric.grad(lambda t: logdet_cholesky(ENGINE, t))(a)
    g2 = numeric.grad(lambda t: logdet_spd(ENGINE, t[None]))(a)
    np.testing.assert_allclose(g1, g2, rtol=1e-10)


def test_a_planted_difference_is_detected():
    """Meta-test: the comparison can fail — a cross-entropy without the max shift is not it."""
    xs = _inputs("mlp_loss", np.random.default_rng(0))
    got = numeric.grad(lambda *a: mlp_loss(ENGINE, *a), argnum=0)(*xs)
    wrong = autograd.grad(lambda *a: mlp_loss(AUTOGRAD, *a) * 1.001, 0)(*xs)
    assert not np.allclose(got, wrong, rtol=1e-8, atol=1e-10)
