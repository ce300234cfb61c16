"""Model workloads: the engine against hand-written NumPy and HIPS autograd, in one run.

M1: one training step (loss and all gradients) of the digits MLP — ReLU, log_softmax
    cross-entropy, weight decay — at the example's size (64-64-10, batch 64) and a larger one
    (784-256-10, batch 512).
M2: forward + backward (all five inputs) of the attention block of ``examples/attention.py`` —
    layer norm, QKᵀ/√d with a causal mask, softmax, output projection, residual — at T=16, d=32
    and T=128, d=64.
Every implementation's gradients are first checked against the hand-written ones (max relative
difference printed); then the best of several runs is timed. Ratios are to hand-written NumPy
in the same process. Run: ``python benchmarks/bench_models.py [--quick]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time

# One BLAS thread: on a shared machine, threaded BLAS turns a 128x64 matmul from 0.1 ms into
# tens of ms of contention, and the ratios would measure the neighbours, not the engine.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import numeric  # noqa: E402
from verify.cli_examples import load_example  # noqa: E402

DECAY = 1e-4


digits = load_example("digits_mlp")  # the examples, loaded as the CLI loads them
attention = load_example("attention")


def best(fn, repeat: int) -> float:
    """Best wall time of ``repeat`` calls, in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


# --- M1: MLP training step -------------------------------------------------------------------
def mlp_data(n_in, hidden, batch, seed=0):
    rng = np.random.default_rng(seed)
    params = digits.init_params((n_in, hidden, 10), seed)
    x = rng.uniform(0, 1, size=(batch, n_in))
    onehot = np.eye(10)[rng.integers(0, 10, size=batch)]
    return params, x, onehot


def mlp_numpy(w1, b1, w2, b2, x, onehot):
    """Forward and backward written out by hand."""
    z1 = x @ w1 + b1
    h = np.maximum(z1, 0)
    z2 = h @ w2 + b2
    z2 = z2 - z2.max(axis=1, keepdims=True)
    e = np.exp(z2)
    total = e.sum(axis=1, keepdims=True)
    n = len(x)
    loss = -np.sum((z2 - np.log(total)) * onehot) / n + DECAY * (np.sum(w1 * w1) + np.sum(w2 * w2))
    dz2 = (e / total - onehot) / n
    dh = dz2 @ w2.T
    dz1 = dh * (z1 > 0)
    return loss, (x.T @ dz1 + 2 * DECAY * w1, dz1.sum(0), h.T @ dz2 + 2 * DECAY * w2, dz2.sum(0))


def mlp_engine(w1, b1, w2, b2, x, onehot):
    step = numeric.value_and_grad(lambda *p: digits.loss(list(p), x, onehot, DECAY),
                                  argnum=(0, 1, 2, 3))
    value, grads = step(w1, b1, w2, b2)
    return float(value.value if hasattr(value, "value") else value), grads


def mlp_autograd(w1, b1, w2, b2, x, onehot):
    import autograd
    import autograd.numpy as anp
    from autograd.scipy.special import logsumexp

    def loss(w1, b1, w2, b2):
        z2 = anp.maximum(x @ w1 + b1, 0) @ w2 + b2
        logp = z2 - logsumexp(z2, axis=1, keepdims=True)
        return -anp.sum(logp * onehot) / len(x) + DECAY * (anp.sum(w1 * w1) + anp.sum(w2 * w2))

    return autograd.value_and_grad(loss, argnum=(0, 1, 2, 3))(w1, b1, w2, b2)


# --- M2: attention block ---------------------------------------------------------------------
def block_data(seq, dim, seed=0):
    xs = attention.init_params(seq, dim, seed)
    g = np.random.default_rng(seed + 1).normal(size=(seq, dim))
    return xs, g


def block_numpy(x, wq, wk, wv, wo, g, eps=1e-5):
    """Forward and backward of the block written out by hand."""
    t, d = x.shape
    xc = x - x.mean(-1, keepdims=True)
    r = 1 / np.sqrt((xc * xc).mean(-1, keepdims=True) + eps)
    h = xc * r
    q, k, v = h @ wq, h @ wk, h @ wv
    s = q @ k.T / np.sqrt(d) + np.triu(np.full((t, t), -1e9), k=1)
    e = np.exp(s - s.max(-1, keepdims=True))
    a = e / e.sum(-1, keepdims=True)
    c = a @ v
    out = x + c @ wo
    dc = g @ wo.T
    da = dc @ v.T
    ds = a * (da - np.sum(da * a, -1, keepdims=True))
    dq, dk, dv = ds @ k / np.sqrt(d), ds.T @ q / np.sqrt(d), a.T @ dc
    dh = dq @ wq.T + dk @ wk.T + dv @ wv.T
    dx = g + r * (dh - dh.mean(-1, keepdims=True) - h * (dh * h).mean(-1, keepdims=True))
    return out, (dx, h.T @ dq, h.T @ dk, h.T @ dv, c.T @ g)


def block_engine(x, wq, wk, wv, wo, g):
    out, vjp_fn = numeric.vjp(attention.block, x, wq, wk, wv, wo)
    return out, vjp_fn(g)


def block_autograd(x, wq, wk, wv, wo, g):
    import autograd
    import autograd.numpy as anp
    from autograd.scipy.special import logsumexp

    def block(x, wq, wk, wv, wo):
        xc = x - anp.mean(x, axis=-1, keepdims=True)
        h = xc / anp.sqrt(anp.var(x, axis=-1, keepdims=True) + 1e-5)
        q, k, v = h @ wq, h @ wk, h @ wv
        t = x.shape[0]
        s = q @ k.T / np.sqrt(x.shape[1]) + np.triu(np.full((t, t), -1e9), k=1)
        return x + anp.exp(s - logsumexp(s, axis=-1, keepdims=True)) @ v @ wo

    vjp_fn, out = autograd.make_vjp(block, argnum=(0, 1, 2, 3, 4))(x, wq, wk, wv, wo)
    return out, vjp_fn(g)


# --- runner ----------------------------------------------------------------------------------
def _max_rel(got, want) -> float:
    return max(float(np.max(np.abs(np.asarray(a) - b)) / (np.max(np.abs(b)) + 1e-300))
               for a, b in zip(got, want))


def _have_autograd() -> bool:
    return importlib.util.find_spec("autograd") is not None


def run_workload(title, impls, args, repeat):
    print(f"\n{title}")
    print(f"    {'':22s} {'µs/step':>10s} {'vs NumPy':>9s} {'max rel. diff of grads':>24s}")
    ref = impls["hand-written NumPy"](*args)[1]
    base = None
    for name, fn in impls.items():
        diff = _max_rel(fn(*args)[1], ref)
        t = best(lambda fn=fn: fn(*args), repeat)
        base = base or t
        print(f"    {name:22s} {t * 1e6:10.1f} {t / base:8.2f}x {diff:24.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    repeat = 3 if parser.parse_args().quick else 20
    mlp = {"hand-written NumPy": mlp_numpy, "gradproof engine": mlp_engine}
    blk = {"hand-written NumPy": block_numpy, "gradproof engine": block_engine}
    if _have_autograd():
        mlp["HIPS autograd"] = mlp_autograd
        blk["HIPS autograd"] = block_autograd
    else:
        print("(HIPS autograd not installed: pip install autograd to include it)")
    print(f"numpy {np.__version__}, BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}, "
          f"best of {repeat} runs, one process")
    for n_in, hidden, batch in ((64, 64, 64), (784, 256, 512)):
        params, x, onehot = mlp_data(n_in, hidden, batch)
        run_workload(f"M1  MLP training step {n_in}-{hidden}-10, batch {batch}", mlp,
                     (*params, x, onehot), repeat)
    for seq, dim in ((16, 32), (128, 64)):
        xs, g = block_data(seq, dim)
        run_workload(f"M2  attention block forward+backward, T={seq}, d={dim}", blk,
                     (*xs, g), repeat)


if __name__ == "__main__":
    main()
