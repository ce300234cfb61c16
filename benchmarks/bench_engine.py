"""Engine overhead against hand-written NumPy, in one run (ratios, not absolute times, matter).

W1: a chain of 2 000 elementwise ops on a shape-(4,) array (multiply, add, tanh in turn):
    µs per op, forward and forward+backward.
W2: one MLP step — x 64x784, W1 784x256, b1 256, W2 256x10, relu via maximum, squared loss.
W3: a 1 000 000-op chain forward+backward (completes; no recursion).
The seed notebook's engine (tests/seed_notebook.py) and HIPS autograd, when installed, are timed
in the same run for comparison. Run: ``make bench`` or ``python benchmarks/bench_engine.py``.

Figures, issue 9 round (2 shared cores under load, BLAS 1 thread; best of 40-300 calls per
process, 4 alternating processes per side, so the least disturbed runs are compared):
W1 fwd 1.58 -> 1.52 µs/op, fwd+bwd 3.35 -> 3.35 µs/op; W3 unchanged (~2.9 µs/op each way on a
300 000-op chain); W2 1.20 -> 1.28 ms (1.07x -> 1.12x numpy): Tensor(w1) and the plain x are
now copied (2 MB a step, into pooled buffers) so that a write to them before backward cannot
change a gradient. Measured alternatives for W2: a fresh np.array copy per step 3.0-3.8 ms
(page faults: glibc hands the freed block back each step); read-only views plus checksums
verified in backward +7-10%.
"""

from __future__ import annotations

import os

# BLAS on one thread, for both sides: on a shared 2-core machine a threaded matmul's time swings
# with the neighbours' load, which would drown the engine overhead being measured.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import numeric  # noqa: E402, F401
from numeric import Tensor  # noqa: E402


def _load_seed():
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "seed_notebook.py")
    spec = importlib.util.spec_from_file_location("seed_notebook", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


seed = _load_seed()

C_MUL, C_ADD = 0.999, 0.001


def best(fn, repeat: int) -> float:
    """Best wall time of ``repeat`` calls, in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


# --- W1: elementwise chain ----------------------------------------------------------------------
def chain_numpy(x0: np.ndarray, n: int, backward: bool) -> np.ndarray:
    y, saved = x0, []
    for i in range(n):
        k = i % 3
        if k == 0:
            y = y * C_MUL
        elif k == 1:
            y = y + C_ADD
        else:
            y = np.tanh(y)
            saved.append(y)
    if not backward:
        return y
    g = np.ones_like(y)
    for i in reversed(range(n)):
        k = i % 3
        if k == 0:
            g = g * C_MUL
        elif k == 2:
            t = saved.pop()
            g = g * (1 - t * t)
    return g


def chain_engine(x0: np.ndarray, n: int, backward: bool):
    x = Tensor(x0)
    y = x
    for i in range(n):
        k = i % 3
        if k == 0:
            y = y * C_MUL
        elif k == 1:
            y = y + C_ADD
        else:
            y = y.tanh()
    if backward:
        y.backward(np.ones_like(y.value))
        return x.grad
    return y.value


def chain_seed(x0: np.ndarray, n: int, backward: bool):
    # The seed has no tanh: exp stands in (same op count, same cost class). Its backward is
    # recursive, so it needs a deeper Python stack for 2 000 ops.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20 * n))
    x = seed.Tensor(x0)
    y = x
    for i in range(n):
        k = i % 3
        y = y * C_MUL if k == 0 else y + C_ADD if k == 1 else (y * 0.01).exp()
    if backward:
        y.backward(np.ones_like(y.value))
    return y


def chain_autograd(x0: np.ndarray, n: int, backward: bool):
    import autograd
    import autograd.numpy as anp

    def f(y):
        for i in range(n):
            k = i % 3
            y = y * C_MUL if k == 0 else y + C_ADD if k == 1 else anp.tanh(y)
        return anp.sum(y)

    return autograd.grad(f)(x0) if backward else f(x0)


# --- W2: MLP step ---------------------------------------------------------------------------------
def mlp_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((64, 784))
    y = rng.standard_normal((64, 10))
    w1 = rng.standard_normal((784, 256)) * 0.05
    b1 = np.zeros(256)
    w2 = rng.standard_normal((256, 10)) * 0.05
    return x, y, w1, b1, w2


def mlp_numpy(x, y, w1, b1, w2):
    z = x @ w1 + b1
    h = np.maximum(z, 0)
    r = h @ w2 - y
    loss = np.sum(r * r)
    gr = 2 * r
    gw2 = h.T @ gr
    gh = gr @ w2.T
    gz = gh * (z > 0)
    gw1 = x.T @ gz
    gb1 = gz.sum(axis=0)
    return loss, gw1, gb1, gw2


def mlp_engine(x, y, w1, b1, w2):
    w1, b1, w2 = Tensor(w1), Tensor(b1), Tensor(w2)
    h = np.maximum(x @ w1 + b1, 0)
    r = h @ w2 - y
    loss = (r * r).sum()
    loss.backward()
    return loss.value, w1.grad, b1.grad, w2.grad


def mlp_seed(x, y, w1, b1, w2):
    w1, b1, w2 = seed.Tensor(w1), seed.Tensor(b1), seed.Tensor(w2)
    h = (seed.Tensor(x, requires_grad=False) @ w1 + b1).maximum(0)
    r = h @ w2 + seed.Tensor(-y, requires_grad=False)
    loss = (r * r).sum()
    loss.backward(np.ones(()))
    return loss.value, w1.grad, b1.grad, w2.grad


def mlp_autograd(x, y, w1, b1, w2):
    import autograd
    import autograd.numpy as anp

    def loss(w1, b1, w2):
        r = anp.maximum(x @ w1 + b1, 0) @ w2 - y
        return anp.sum(r * r)

    return autograd.value_and_grad(loss, (0, 1, 2))(w1, b1, w2)


def have(module: str) -> bool:
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, a 100 000-op W3")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}, best of {repeat}\n")

    n = 2000
    x0 = np.linspace(-1, 1, 4)
    np.testing.assert_allclose(chain_engine(x0, n, True), chain_numpy(x0, n, True), rtol=1e-12)
    base_f = best(lambda: chain_numpy(x0, n, False), repeat)
    base_fb = best(lambda: chain_numpy(x0, n, True), repeat)
    rows = [("hand-written NumPy", base_f, base_fb),
            ("numeric", best(lambda: chain_engine(x0, n, False), repeat),
             best(lambda: chain_engine(x0, n, True), repeat))]
    rows.append(("seed notebook", best(lambda: chain_seed(x0, n, False), repeat),
                 best(lambda: chain_seed(x0, n, True), repeat)))
    if have("autograd"):
        rows.append(("HIPS autograd", best(lambda: chain_autograd(x0, n, False), repeat),
                     best(lambda: chain_autograd(x0, n, True), repeat)))
    print(f"W1  chain of {n} elementwise ops on shape (4,)   [target: numeric fwd+bwd <= 3x]")
    print(f"    {'':20s} {'fwd µs/op':>10s} {'ratio':>6s} {'fwd+bwd µs/op':>14s} {'ratio':>6s}")
    for name, f, fb in rows:
        print(f"    {name:20s} {f / n * 1e6:10.2f} {f / base_f:6.2f} {fb / n * 1e6:14.2f} "
              f"{fb / base_fb:6.2f}")

    data = mlp_data()
    ref = mlp_numpy(*data)
    for a, b in zip(mlp_engine(*data), ref):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
    base = best(lambda: mlp_numpy(*data), repeat * 3)
    rows = [("hand-written NumPy", base), ("numeric", best(lambda: mlp_engine(*data), repeat * 3)),
            ("seed notebook", best(lambda: mlp_seed(*data), repeat * 3))]
    if have("autograd"):
        rows.append(("HIPS autograd", best(lambda: mlp_autograd(*data), repeat * 3)))
    print("\nW2  MLP step 64x784 -> 256 (relu) -> 10, squared loss   [target: numeric <= 1.10x]")
    for name, t in rows:
        print(f"    {name:20s} {t * 1e3:8.3f} ms   {t / base:5.2f}x")

    m = 100_000 if args.quick else 1_000_000
    x = Tensor(np.ones(4))
    t0 = time.perf_counter()
    y = x
    for _ in range(m):
        y = y * 1.0
    t1 = time.perf_counter()
    y.backward(np.ones(4))
    t2 = time.perf_counter()
    assert np.all(x.grad == 1.0)
    print(f"\nW3  {m:,}-op chain: forward {t1 - t0:.2f} s, backward {t2 - t1:.2f} s "
          f"({(t2 - t0) / m * 1e6:.2f} µs/op) — completes, no recursion")


if __name__ == "__main__":
    main()
