"""Gaussian-process regression: kernel hyperparameters fitted by L-BFGS on the engine's gradient.

A 1-D data set is drawn with an explicit seed (a smooth function plus Gaussian noise). The
prior is a zero-mean GP with a squared-exponential kernel
``k(a, b) = s² exp(-(a - b)² / (2 l²))`` and noise variance ``n²``; the three hyperparameters are
kept as logarithms, ``theta = (log l, log s², log n²)``, so every value is admissible. The
negative log marginal likelihood

    NLL(theta) = ½ yᵀ K⁻¹ y + ½ log det K + (N/2) log 2π,   K = k(x, x) + n² I,

is computed through the Cholesky factor ``K = L Lᵀ``: ``a = L⁻¹ y`` (``np.linalg.solve``) gives
``yᵀ K⁻¹ y = |a|²`` and ``log det K = 2 Σ log Lᵢᵢ``. ``scipy.optimize.minimize(..., jac=True)``
takes it with its gradient from ``numeric.value_and_grad``. The NLL is written once over a
NumPy-like module, so it also runs on autograd (compared at the start) and on plain NumPy::

    python -m verify.examples.gp_regression --n-train 30 --seed 0
    gradproof gp-regression

Written, as autograd programs are, on ``import numeric.numpy as np`` and ``from numeric import
value_and_grad``. scipy is imported only when fitting (the ``examples`` extra).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numeric.numpy as np
from numeric import value_and_grad
from verify.cli_args import positive, positive_int, seed
from verify.errors import UsageError
from verify.examples.agreement import describe_agreement

__all__ = ["true_function", "make_data", "kernel", "nll", "posterior_mean", "fit", "Fit", "main"]

JITTER = 1e-8  # added to K's diagonal so the Cholesky factor exists even as n² → 0
START = np.array([0.0, 0.0, np.log(0.5)])  # l = 1, s² = 1, n² = 0.5: a neutral guess


def true_function(x: np.ndarray) -> np.ndarray:
    """The function the data are drawn from (smooth, a few wiggles over [-4, 4])."""
    return np.sin(1.5 * x) + 0.3 * x


def make_data(n_train: int = 30, n_test: int = 100, noise: float = 0.1,
              seed: int = 0) -> tuple[np.ndarray, ...]:
    """``(x_train, y_train, x_test, f_test)``: noisy training pairs, noise-free held-out values."""
    rng = np.random.default_rng(seed)
    x_train = np.sort(rng.uniform(-4.0, 4.0, size=n_train))
    y_train = true_function(x_train) + noise * rng.normal(size=n_train)
    x_test = rng.uniform(-4.0, 4.0, size=n_test)
    return x_train, y_train, x_test, true_function(x_test)


def kernel(xp: ModuleType, theta: Any, a: Any, b: Any) -> Any:
    """The squared-exponential kernel matrix ``k(a_i, b_j)`` (no noise term)."""
    sq = (a[:, None] - b[None, :]) ** 2
    return xp.exp(theta[1]) * xp.exp(-0.5 * sq / xp.exp(2 * theta[0]))


def nll(xp: ModuleType, theta: Any, x: np.ndarray, y: np.ndarray) -> Any:
    """The negative log marginal likelihood of ``y`` at ``x`` under hyperparameters ``theta``."""
    n = len(x)
    k = kernel(xp, theta, x, x) + (xp.exp(theta[2]) + JITTER) * xp.eye(n)
    chol = xp.linalg.cholesky(k)
    a = xp.linalg.solve(chol, y)
    # autograd differentiates np.diagonal only with the axes written as (-1, -2)
    logdet = 2.0 * xp.sum(xp.log(xp.diagonal(chol, 0, -1, -2)))
    return 0.5 * xp.sum(a * a) + 0.5 * logdet + 0.5 * n * np.log(2 * np.pi)


def posterior_mean(theta: np.ndarray, x: np.ndarray, y: np.ndarray,
                   x_new: np.ndarray) -> np.ndarray:
    """The GP's posterior mean at ``x_new`` (plain NumPy: the same kernel, no gradient)."""
    k = kernel(np, theta, x, x) + (np.exp(theta[2]) + JITTER) * np.eye(len(x))
    return kernel(np, theta, x_new, x) @ np.linalg.solve(k, y)


@dataclass
class Fit:
    """The optimizer's answer: hyperparameters (logs), final NLL, iterations, time, status."""

    theta: np.ndarray
    nll: float
    start_nll: float
    iterations: int
    evaluations: int
    seconds: float
    converged: bool
    message: str


def fit(x: np.ndarray, y: np.ndarray, theta0: np.ndarray = START) -> Fit:
    """Minimise the NLL with L-BFGS-B, value and gradient from ``numeric.value_and_grad``."""
    try:
        from scipy.optimize import minimize
    except ImportError as e:
        raise UsageError("the GP example needs scipy: pip install 'gradproof[examples]' "
                         "(or scipy)") from e
    nll_and_grad = value_and_grad(lambda theta: nll(np, theta, x, y))

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, g = nll_and_grad(theta)
        return float(value), np.asarray(g, dtype=float)

    start_nll = objective(np.asarray(theta0, dtype=float))[0]
    t0 = time.perf_counter()
    res = minimize(objective, np.asarray(theta0, dtype=float), jac=True, method="L-BFGS-B")
    seconds = time.perf_counter() - t0
    return Fit(theta=res.x, nll=float(res.fun), start_nll=start_nll, iterations=int(res.nit),
               evaluations=int(res.nfev), seconds=seconds, converged=bool(res.success),
               message=str(res.message))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n-train", type=positive_int, default=30, help="training points")
    parser.add_argument("--noise", type=positive, default=0.1,
                        help="standard deviation of the noise the data are drawn with")
    parser.add_argument("--seed", type=seed, default=0, help="the data set's seed")


def run(args: argparse.Namespace) -> int:
    """Fit, print the figures; exit status 0 if the optimizer converged."""
    if importlib.util.find_spec("scipy") is None:  # the optional `examples` extra
        raise UsageError("the GP example needs scipy: pip install 'gradproof[examples]' "
                         "(or scipy)")
    x, y, x_test, f_test = make_data(args.n_train, noise=args.noise, seed=args.seed)
    print(f"GP regression: {len(x)} noisy points of sin(1.5x) + 0.3x on [-4, 4] "
          f"(noise std {args.noise:g}, seed {args.seed}), squared-exponential kernel")
    print(describe_agreement(lambda xp, p, x, y: nll(xp, p[0], x, y), [START.copy()], x, y))
    result = fit(x, y)
    length, signal, noise = np.exp(result.theta * [1.0, 0.5, 0.5])  # l, s, n from the logs
    print(f"fitted: lengthscale {length:.3f}, signal std {signal:.3f}, noise std {noise:.4f}")
    print(f"NLL {result.start_nll:.4f} -> {result.nll:.4f}; L-BFGS-B: {result.iterations} "
          f"iterations, {result.evaluations} evaluations, {result.seconds:.3f} s "
          f"({'converged' if result.converged else 'not converged: ' + result.message})")
    rmse = float(np.sqrt(np.mean((posterior_mean(result.theta, x, y, x_test) - f_test) ** 2)))
    print(f"held out: posterior mean RMSE {rmse:.4f} against the true function at "
          f"{len(x_test)} points (predicting 0: {float(np.sqrt(np.mean(f_test ** 2))):.4f})")
    return 0 if result.converged else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
