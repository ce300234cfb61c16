"""Benchmark: ``numeric.scipy.signal.convolve`` against ``autograd.scipy.signal.convolve``.

Run: ``.venv/bin/python benchmarks/bench_convolve.py [REPEATS]``. For each case prints the best
of REPEATS (default 3) forward times and gradient times (d loss / d both inputs, loss = sum of
the output times fixed weights) of both libraries in the same run, their ratio, and checks the
gradients agree. Cases: the first layer of autograd's ``examples/convnet.py`` (256 images
1x28x28, 6 kernels 5x5, ``axes=([2, 3], [2, 3]), dot_axes=([1], [0]), mode='valid'``), its
second layer, and 1-d signals in every mode.
"""

from __future__ import annotations

import sys
import time

import numpy as np

import numeric
from numeric.scipy.signal import convolve

CASES = [  # label, x shape, y shape, keywords
    ("convnet layer 1", (256, 1, 28, 28), (1, 6, 5, 5),
     {"axes": ([2, 3], [2, 3]), "dot_axes": ([1], [0]), "mode": "valid"}),
    ("convnet layer 2", (256, 6, 12, 12), (6, 16, 5, 5),
     {"axes": ([2, 3], [2, 3]), "dot_axes": ([1], [0]), "mode": "valid"}),
    ("1-d 20000 * 101 full", (20000,), (101,), {"mode": "full"}),
    ("1-d 20000 * 101 same", (20000,), (101,), {"mode": "same"}),
    ("1-d 101 * 20000 valid", (101,), (20000,), {"mode": "valid"}),
]


def _best(f, repeats: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _measure(grad, conv, m, x, y, w, kw, repeats: int) -> tuple[float, float, object]:
    """Best forward time, best gradient time and the gradients, for one library."""
    fwd, _ = _best(lambda: conv(x, y, **kw), repeats)
    vjp, g = _best(lambda: grad(lambda a, b: m.sum(conv(a, b, **kw) * w), (0, 1))(x, y),
                   repeats)
    return fwd, vjp, g


def main(repeats: int) -> int:
    import autograd
    import autograd.numpy as anp
    import autograd.scipy.signal as asig

    head = (f"{'case':<24}{'fwd numeric':>12}{'fwd autograd':>13}{'ratio':>7}"
            f"{'grad numeric':>13}{'grad autograd':>14}{'ratio':>7}  gradients")
    print(head)
    print("-" * len(head))
    rng = np.random.default_rng(0)
    for label, sx, sy, kw in CASES:
        x, y = rng.normal(size=sx), rng.normal(size=sy)
        w = rng.normal(size=asig.convolve(x, y, **kw).shape)
        fwd_n, grad_n, gn = _measure(numeric.grad, convolve, np, x, y, w, kw, repeats)
        fwd_a, grad_a, ga = _measure(autograd.grad, asig.convolve, anp, x, y, w, kw, repeats)
        same = all(np.allclose(p, q, rtol=1e-9, atol=1e-9) for p, q in zip(gn, ga))
        print(f"{label:<24}{fwd_n:>11.4f}s{fwd_a:>12.4f}s{fwd_n / fwd_a:>7.2f}"
              f"{grad_n:>12.4f}s{grad_a:>13.4f}s{grad_n / grad_a:>7.2f}  "
              f"{'agree' if same else 'DIFFER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
