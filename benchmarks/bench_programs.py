"""The three programs' gradients: the engine against HIPS autograd, in one run.

P1: GP regression, value and gradient of the NLL (cholesky, solve, log-det) in the 3
    hyperparameters, at N = 30 (the program's default) and N = 200 training points.
P2: char LSTM, the loss's gradient in all five parameter arrays through 32 unrolled steps
    (64 units, batch 16: the program's default step).
P3: convnet, the loss's gradient in all six parameter arrays for one mini-batch of 32 digits
    (the program's default step) and one of 256.
Each loss is the program's own, written once over a NumPy-like module; each side's gradient is
first compared with the other's (max relative difference printed), then the best of several
calls is timed, and plain NumPy running the same loss forward only is shown for scale.
Run: ``python benchmarks/bench_programs.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import time

# One BLAS thread, as in bench_models: on a shared machine threaded BLAS measures the neighbours.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from verify.cli_examples import load_example  # noqa: E402
from verify.examples import agreement  # noqa: E402

gp, rnn, cnn = load_example("gp_regression"), load_example("char_rnn"), load_example("convnet")


def best(repeat: int, fn, *args) -> float:
    """Best wall time of ``repeat`` calls ``fn(*args)``, in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times)


def workloads():
    """(name, loss, params, data) for each timed gradient."""
    for n in (30, 200):
        x, y, _, _ = gp.make_data(n, seed=0)
        yield (f"P1 GP NLL, N={n}", lambda xp, p, x, y: gp.nll(xp, p[0], x, y),
               [gp.START.copy()], (x, y))
    text = rnn.load_text()
    vocab = rnn.Vocabulary.of(text)
    x, y = rnn.windows(vocab.encode(text), 16, 32, np.random.default_rng(0))
    yield ("P2 char LSTM, 64 units, T=32, B=16", rnn.loss,
           rnn.init_params(len(vocab.chars), 64, 0), (vocab.onehot(x), vocab.onehot(y)))
    x_train, y_train, _, _ = load_example("digits_mlp").load_data(0)
    for batch in (32, 256):
        yield (f"P3 convnet 8-16, batch {batch}", cnn.loss, cnn.init_params((8, 16), 0),
               (cnn.images(x_train[:batch]), np.eye(10)[y_train[:batch]]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    repeat = 5 if parser.parse_args().quick else 20
    print(f"best of {repeat}; one BLAS thread; ratio = autograd time / engine time")
    print(f"{'workload':36} {'NumPy fwd':>10} {'engine':>10} {'autograd':>10} {'ratio':>6} "
          f"{'max rel diff':>12}")
    for name, loss, params, data in workloads():
        ours = agreement.numeric_gradients(loss, params, *data)
        theirs = agreement.autograd_gradients(loss, params, *data)
        diff = agreement.max_relative_difference(ours, theirs)
        t_np = best(repeat, loss, np, params, *data)
        t_ours = best(repeat, agreement.numeric_gradients, loss, params, *data)
        t_ag = best(repeat, agreement.autograd_gradients, loss, params, *data)
        print(f"{name:36} {1e3 * t_np:8.2f}ms {1e3 * t_ours:8.2f}ms {1e3 * t_ag:8.2f}ms "
              f"{t_ag / t_ours:5.2f}x {diff:12.1e}")


if __name__ == "__main__":
    main()
