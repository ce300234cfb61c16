"""The three programs in ``verify.examples`` (GP regression, char LSTM, convnet): each one's
gradient agrees with HIPS autograd's at the start, a short seeded run learns, and the GP's
optimizer converges to a point where central differences of the NLL vanish too.

Expected values come from outside the code under test: autograd, central differences, scipy's
multivariate normal density, a convolution written as loops.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from numdiff_util import central_diff

from verify.cli_examples import load_example
from verify.examples import agreement

pytest.importorskip("autograd")
ROOT = Path(__file__).resolve().parents[2]
TOL = 1e-10  # relative: both engines compute the same float64 expressions, in other orders


@pytest.fixture(scope="module")
def gp():
    pytest.importorskip("scipy")
    return load_example("gp_regression")


@pytest.fixture(scope="module")
def rnn():
    return load_example("char_rnn")


@pytest.fixture(scope="module")
def cnn():
    pytest.importorskip("sklearn")
    return load_example("convnet")


def _gp_loss(gp):
    return lambda xp, p, x, y: gp.nll(xp, p[0], x, y)


# --- the comparison itself -------------------------------------------------------------------
def test_a_gradient_that_differs_from_autograds_is_reported():
    """Meta-test: a loss that computes something else on the engine must not agree."""
    import numeric.numpy as nnp

    def loss(xp, p):
        return xp.sum(xp.sin(p[0]) if xp is nnp else xp.cos(p[0]))
    assert agreement.gradient_agreement(loss, [np.array([0.3, 1.2])]) > 0.1
    assert agreement.gradient_agreement(lambda xp, p: xp.sum(xp.sin(p[0])),
                                        [np.array([0.3, 1.2])]) < TOL


def test_without_autograd_the_programs_say_so_and_go_on(monkeypatch):
    monkeypatch.setitem(sys.modules, "autograd", None)  # import autograd now raises ImportError
    line = agreement.describe_agreement(lambda xp, p: xp.sum(p[0] ** 2), [np.ones(2)])
    assert line.startswith("gradients vs autograd: skipped") and "pip install autograd" in line


# --- GP regression ---------------------------------------------------------------------------
@pytest.mark.parametrize("theta", [[0.0, 0.0, np.log(0.5)], [0.7, -0.4, -3.0], [-0.5, 1.0, -1.0]])
def test_gp_gradient_agrees_with_autograd(gp, theta):
    x, y, _, _ = gp.make_data(25, seed=3)
    assert agreement.gradient_agreement(_gp_loss(gp), [np.array(theta)], x, y) < TOL


def test_gp_nll_is_the_gaussian_log_density(gp):
    """The Cholesky route (solve, log-det from the diagonal) against scipy's own density."""
    from scipy.stats import multivariate_normal

    x, y, _, _ = gp.make_data(20, seed=1)
    theta = np.array([0.2, -0.3, -2.5])
    cov = gp.kernel(np, theta, x, x) + (np.exp(theta[2]) + gp.JITTER) * np.eye(len(x))
    expected = -multivariate_normal(mean=np.zeros(len(x)), cov=cov).logpdf(y)
    np.testing.assert_allclose(gp.nll(np, theta, x, y), expected, rtol=1e-12)


def test_gp_gradient_matches_central_differences(gp):
    import numeric

    x, y, _, _ = gp.make_data(20, seed=2)
    theta = np.array([0.3, 0.1, -2.0])
    ours = numeric.grad(lambda t: gp.nll(numeric.numpy, t, x, y))(theta)
    fd = central_diff(lambda t: float(gp.nll(np, t, x, y)), theta, eps=1e-5)
    np.testing.assert_allclose(ours, fd, rtol=1e-7, atol=1e-8)


def test_gp_optimizer_converges_and_predicts_held_out_points(gp):
    x, y, x_test, f_test = gp.make_data(30, noise=0.1, seed=0)
    result = gp.fit(x, y)
    assert result.converged, result.message
    assert result.nll < result.start_nll - 10
    # at the optimum the NLL is flat by central differences, which never saw the engine
    slope = central_diff(lambda t: float(gp.nll(np, t, x, y)), result.theta, eps=1e-5)
    assert np.max(np.abs(slope)) < 1e-3, slope
    assert 0.05 < np.exp(result.theta[2] / 2) < 0.2  # the noise the data were drawn with: 0.1
    rmse = np.sqrt(np.mean((gp.posterior_mean(result.theta, x, y, x_test) - f_test) ** 2))
    assert rmse < 0.1 < np.sqrt(np.mean(f_test ** 2)) / 5


def test_gp_main_prints_its_figures(gp):
    out = io.StringIO()
    with redirect_stdout(out):
        assert gp.main(["--n-train", "20", "--seed", "1"]) == 0
    text = out.getvalue()
    for phrase in ("max relative difference", "fitted: lengthscale", "iterations",
                   "posterior mean RMSE"):
        assert phrase in text, text


# --- character-level LSTM --------------------------------------------------------------------
def test_rnn_gradient_agrees_with_autograd(rnn):
    text = rnn.load_text()
    vocab = rnn.Vocabulary.of(text)
    x, y = rnn.windows(vocab.encode(text), 3, 7, np.random.default_rng(0))
    params = rnn.init_params(len(vocab.chars), 6, seed=1)
    assert agreement.gradient_agreement(rnn.loss, params, vocab.onehot(x), vocab.onehot(y)) < TOL


def test_rnn_text_ships_with_the_package(rnn):
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = data["package-data"]["verify.examples"]
    shipped = {p for pattern in patterns for p in (ROOT / "verify" / "examples").glob(pattern)}
    assert ROOT / "verify" / "examples" / "data" / "gradients.txt" in shipped
    text = rnn.load_text()
    assert len(text) > 2000 and "gradient" in text


def test_rnn_short_run_lowers_the_loss_below_chance(rnn):
    result = rnn.train(steps=60, hidden=24, length=16, batch=8, lr=2e-2, seed=0)
    first, last = np.mean(result.losses[:5]), np.mean(result.losses[-5:])
    chance = np.log(len(result.vocab.chars))
    assert abs(first - chance) < 0.3  # an untrained model knows nothing
    assert last < first - 0.5, (first, last)
    again = rnn.train(steps=60, hidden=24, length=16, batch=8, lr=2e-2, seed=0)
    assert again.losses == result.losses  # the seed fixes everything


def test_rnn_sample_is_seeded_text_of_the_vocabulary(rnn):
    vocab = rnn.Vocabulary.of(rnn.load_text())
    params = rnn.init_params(len(vocab.chars), 8, seed=0)
    text = rnn.sample(params, vocab, prime="On ", length=40, seed=5)
    assert text.startswith("On ") and len(text) == 43 and set(text) <= set(vocab.chars)
    assert rnn.sample(params, vocab, prime="On ", length=40, seed=5) == text


def test_rnn_main_trains_and_prints_a_sample(rnn):
    out = io.StringIO()
    with redirect_stdout(out):
        assert rnn.main(["--steps", "40", "--seed", "1", "--hidden", "16", "--length", "12"]) == 0
    text = out.getvalue()
    assert "max relative difference" in text and "nats/char" in text and "sample:\n" in text


# --- convnet ---------------------------------------------------------------------------------
def test_conv_is_the_loop_definition(cnn):
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 5, 6, 3)), rng.normal(size=(9, 3, 4)), rng.normal(size=4)
    expected = np.zeros((2, 3, 4, 4))
    for n in range(2):
        for i in range(3):
            for j in range(4):
                for di in range(3):
                    for dj in range(3):
                        expected[n, i, j] += x[n, i + di, j + dj] @ w[3 * di + dj]
    np.testing.assert_allclose(cnn.conv(np, x, w, b), expected + b, rtol=1e-13)


def test_convnet_gradient_agrees_with_autograd(cnn):
    x_train, y_train, _, _ = load_example("digits_mlp").load_data(0)
    params = cnn.init_params((3, 4), seed=1)
    assert agreement.gradient_agreement(cnn.loss, params, cnn.images(x_train[:16]),
                                        np.eye(10)[y_train[:16]]) < TOL


def test_convnet_one_epoch_beats_chance(cnn):
    result = cnn.train(epochs=1, channels=(4, 8), seed=0)
    assert result.test_accuracy > 0.6, result  # chance is 0.1
    assert result.losses[0] < np.log(10)


# --- as commands -----------------------------------------------------------------------------
@pytest.mark.parametrize("argv, expected", [
    (["gp_regression", "--n-train", "15"], "posterior mean RMSE"),
    (["char_rnn", "--steps", "5", "--hidden", "8", "--length", "8"], "sample:"),
    (["convnet", "--epochs", "3"], "test accuracy"),  # exit status 0: ≥ 90 % after 3 epochs
])
def test_each_program_runs_with_python_dash_m(argv, expected, tmp_path):
    if argv[0] != "char_rnn":
        pytest.importorskip("scipy" if argv[0] == "gp_regression" else "sklearn")
    r = subprocess.run([sys.executable, "-m", f"verify.examples.{argv[0]}", *argv[1:]],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stdout + r.stderr
    assert expected in r.stdout and "max relative difference" in r.stdout


@pytest.mark.parametrize("argv, message", [
    (["gp-regression", "--n-train", "0"], "must be at least 1, got 0"),
    (["char-rnn", "--steps", "0"], "must be at least 1, got 0"),
    (["char-rnn", "--length", "100000"], "--length must be below"),
    (["convnet", "--channels", "4"], "expected 2 arguments"),
])
def test_program_arguments_are_checked(argv, message, capsys):
    from verify.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
