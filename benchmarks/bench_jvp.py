"""Forward mode by reverse-of-reverse (``numeric.make_jvp``) against one reverse pass, one run.

``make_jvp(f)(x)(v)`` traces f, records its backward pass (so it can be differentiated) and
differentiates that with respect to the cotangent: J v, exact. Its cost is compared with one
reverse pass, ``make_vjp(f)(x)`` then ``vjp(g)``, on the same function; the target is <= 3x.
A second ``jvp(v)`` at the same x reuses the recorded pass. HIPS autograd's true forward mode
(its ``make_jvp``) and its reverse pass are timed in the same run for comparison.

J1: a 300-op elementwise chain on shape (64,) (sin, multiply, tanh in turn).
J2: a 3-layer tanh MLP 64 -> 128 -> 128 -> 10 as a function of its input.

Run: ``python benchmarks/bench_jvp.py`` (``--repeat N``).

Figures, issue 11 round (2 shared cores under load, best of 20): J1 make_jvp 1.8-2.0x the reverse
pass, a second jvp(v) 0.13-0.22x; J2 2.6-2.9x, again 0.5x. Recording the whole backward pass
(rules on the forward's nodes too) instead of the cotangent's path alone made J1 5.6x.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as onp  # noqa: E402

import numeric  # noqa: E402
import numeric.numpy as nnp  # noqa: E402


def best(fn, repeat: int) -> float:
    """Best wall time of ``repeat`` calls, in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def chain(np):
    def f(x):
        for i in range(300):
            x = (np.sin(x), x * 0.999, np.tanh(x))[i % 3]
        return x
    return f


def mlp(np):
    rng = onp.random.default_rng(0)
    ws = [rng.normal(size=s) / onp.sqrt(s[0]) for s in ((64, 128), (128, 128), (128, 10))]

    def f(x):
        for w in ws:
            x = np.tanh(np.dot(x, w))
        return x
    return f


def measure(name: str, build, repeat: int) -> None:
    f = build(nnp)
    x = onp.random.default_rng(1).normal(size=64)
    v = onp.random.default_rng(2).normal(size=64)
    g = onp.ones_like(f(x))

    def reverse():
        vjp_fn, _ = numeric.make_vjp(f)(x)
        return vjp_fn(g)

    jvp = numeric.make_jvp(f)(x)
    jvp(v)  # the recorded pass built once, for the reuse figure
    t_rev = best(reverse, repeat)
    t_jvp = best(lambda: numeric.make_jvp(f)(x)(v), repeat)
    t_again = best(lambda: jvp(v), repeat)
    print(f"{name}")
    print(f"    numeric reverse pass (make_vjp + vjp)   {t_rev * 1e3:8.3f} ms   1.00x")
    print(f"    numeric make_jvp(f)(x)(v)               {t_jvp * 1e3:8.3f} ms   "
          f"{t_jvp / t_rev:5.2f}x   [target <= 3x]")
    print(f"    numeric jvp(v) again, same x            {t_again * 1e3:8.3f} ms   "
          f"{t_again / t_rev:5.2f}x")
    if importlib.util.find_spec("autograd") is not None:
        import autograd
        import autograd.numpy as anp

        fa = build(anp)
        onp.testing.assert_allclose(jvp(v)[1], autograd.make_jvp(fa)(x)(v)[1], rtol=1e-10)
        t_arev = best(lambda: autograd.make_vjp(fa)(x)[0](g), repeat)
        t_ajvp = best(lambda: autograd.make_jvp(fa)(x)(v), repeat)
        print(f"    autograd reverse pass                   {t_arev * 1e3:8.3f} ms   "
              f"{t_arev / t_rev:5.2f}x")
        print(f"    autograd make_jvp (forward mode)        {t_ajvp * 1e3:8.3f} ms   "
              f"{t_ajvp / t_rev:5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(f"numpy {onp.__version__}, python {sys.version.split()[0]}, best of {args.repeat}\n")
    measure("J1  300-op elementwise chain, shape (64,)", chain, args.repeat)
    measure("J2  tanh MLP 64 -> 128 -> 128 -> 10", mlp, args.repeat)


if __name__ == "__main__":
    main()
