"""Finite-difference accuracy side by side: relative error of the full gradient, and cost.

For smooth float64 functions of 50 inputs, the gradient of a scalar f is estimated entry by
entry by: the seed notebook's forward difference, central differences, Ridders' extrapolation
(verify.fd.ridders) and complex step (verify.fd.complex_step), against the closed form.
Targets: complex step <= 1e-15, Ridders <= 1e-12. Prints a table and the ratio to the seed's
forward difference.

    .venv/bin/python benchmarks/bench_fd.py
"""

from __future__ import annotations

import time

import numpy as np

from verify import fd

N = 50
FUNCTIONS = [
    ("sum exp(sin x) x", lambda x: np.sum(np.exp(np.sin(x)) * x),
     lambda x: np.exp(np.sin(x)) * (np.cos(x) * x + 1), (-1.0, 1.0)),
    ("sum log(x) / x", lambda x: np.sum(np.log(x) / x),
     lambda x: (1 - np.log(x)) / x**2, (0.5, 2.0)),
    ("sum tanh(x)^2 * x1", lambda x: np.sum(np.tanh(x) ** 2) * x[1],
     None, (-1.0, 1.0)),
]


def _grad_tanh(x: np.ndarray) -> np.ndarray:
    t = np.tanh(x)
    g = 2 * t * (1 - t * t) * x[1]
    g[1] += np.sum(t * t)
    return g


def estimate(f, x, method: str) -> tuple[np.ndarray, int]:
    """The gradient by ``method``, and the number of f evaluations it took."""
    calls = [0]

    def counted(z):
        calls[0] += 1
        return f(z)

    grad = np.zeros(x.shape)
    for k in range(x.size):
        e = np.zeros(x.shape)
        e[k] = 1.0
        phi = fd.along(counted, [x], [e])
        if method == "forward (seed, h=1e-5)":
            grad[k] = fd.forward_difference(phi, 1e-5)
        elif method == "central (h=1e-6)":
            grad[k] = fd.central(phi, 1e-6)
        elif method == "Ridders":
            grad[k] = fd.ridders(phi, 0.1)[0]
        else:
            grad[k] = fd.complex_step(phi)
    return grad, calls[0]


def main() -> None:
    rng = np.random.default_rng(0)
    methods = ["forward (seed, h=1e-5)", "central (h=1e-6)", "Ridders", "complex step"]
    print(f"{'function':22s} {'method':24s} {'rel. error':>11s} {'evals':>6s} {'ms':>7s} "
          f"{'vs seed':>9s}")
    worst = dict.fromkeys(methods, 0.0)
    for label, f, df, (lo, hi) in FUNCTIONS:
        x = rng.uniform(lo, hi, N)
        exact = df(x) if df is not None else _grad_tanh(x)
        base = None
        for m in methods:
            t = time.perf_counter()
            g, calls = estimate(f, x, m)
            ms = (time.perf_counter() - t) * 1e3
            err = float(np.max(np.abs(g - exact)) / np.max(np.abs(exact)))
            base = err if base is None else base
            worst[m] = max(worst[m], err)
            print(f"{label:22s} {m:24s} {err:11.2e} {calls:6d} {ms:7.1f} "
                  f"{base / max(err, 1e-300):9.1e}x")
    print()
    print(f"worst complex step {worst['complex step']:.2e} (target <= 1e-15): "
          f"{'met' if worst['complex step'] <= 1e-15 else 'MISSED'}")
    print(f"worst Ridders      {worst['Ridders']:.2e} (target <= 1e-12): "
          f"{'met' if worst['Ridders'] <= 1e-12 else 'MISSED'}")


if __name__ == "__main__":
    main()
