"""The examples in ``examples/``: the digits MLP learns, the attention block's gradients verify.

The examples are loaded the way the CLI loads them (``verify.cli_examples.load_example``).
"""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest

import numeric
from verify.cli import main as cli_main
from verify.cli_examples import load_example

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def digits():
    return load_example("digits_mlp")


@pytest.fixture(scope="module")
def attention():
    return load_example("attention")


def test_mlp_reaches_95_percent_test_accuracy_on_the_bundled_digits(digits):
    bar = io.StringIO()
    result = digits.train(epochs=20, seed=0, progress=bar)
    assert result.test_accuracy >= 0.95, result
    assert result.losses[-1] < result.losses[0] / 4
    assert "epoch 20/20" in bar.getvalue() and "#" * 30 in bar.getvalue()


def test_the_split_is_disjoint_and_seeded(digits):
    x_train, y_train, x_test, y_test = digits.load_data(seed=1)
    assert len(x_train) + len(x_test) == 1797 and len(x_test) == 449
    again = digits.load_data(seed=1)
    np.testing.assert_array_equal(again[2], x_test)
    rows = {r.tobytes() for r in x_train}
    assert sum(r.tobytes() in rows for r in x_test) < 10  # only true duplicate images overlap


def test_the_training_gradient_matches_central_differences(digits):
    rng = np.random.default_rng(0)
    params = digits.init_params((5, 4, 3), seed=2)
    x, onehot = rng.normal(size=(6, 5)), np.eye(3)[rng.integers(0, 3, size=6)]
    grads = numeric.grad(lambda *p: digits.loss(list(p), x, onehot),
                         argnum=tuple(range(4)))(*params)
    eps = 1e-6
    for i, (p, g) in enumerate(zip(params, grads)):
        v = rng.normal(size=p.shape)
        up = [q + eps * v if k == i else q for k, q in enumerate(params)]
        down = [q - eps * v if k == i else q for k, q in enumerate(params)]
        fd = (digits.loss(up, x, onehot) - digits.loss(down, x, onehot)) / (2 * eps)
        np.testing.assert_allclose(np.sum(g * v), fd, rtol=1e-6, atol=1e-8)


def test_the_attention_block_passes_the_verifier(attention):
    result = attention.check(seq=4, dim=3, seed=1)
    assert result.ok, result.explain()
    verdicts = {c.check: c.verdict for case in result.cases for c in case.checks}
    assert verdicts == {"fd": "pass", "adjoint": "pass", "raw_shape": "pass", "taylor": "pass"}


def test_the_verifier_catches_a_wrong_attention_gradient(attention):
    """Meta-test: drop the 1/√d scale in the engine's gradient only — the verifier must fail."""
    import verify

    op = attention.block_op()
    unscaled = lambda q, k, v, causal=True: np.matmul(  # noqa: E731
        numeric.softmax(np.matmul(q, np.swapaxes(k, -1, -2)), axis=-1), v)

    def wrong_wq(g, out, *xs):
        def block(x, wq, wk, wv, wo):
            h = attention.layer_norm(x)
            a = unscaled(np.matmul(h, wq), np.matmul(h, wk), np.matmul(h, wv))
            return x + np.matmul(a, wo)
        return numeric.vjp(block, *xs)[1](g)[1]

    bad = dataclasses.replace(op, vjp=(op.vjp[0], wrong_wq) + op.vjp[2:])
    result = verify.check_op(bad, *attention.init_params(4, 3, 1),
                             options=verify.Options(checks=("fd", "adjoint")))
    assert not result.ok


def test_cli_runs_both_examples(capsys):
    assert cli_main(["train-digits", "--epochs", "20", "--no-progress"]) == 0
    assert "test accuracy" in capsys.readouterr().out
    assert cli_main(["attention", "--seq", "3", "--dim", "2"]) == 0
    assert "all gradients verified" in capsys.readouterr().out
