"""``numeric.extend.primitive`` against a built-in op and against HIPS autograd's, in one run.

E1: one call on a Tensor that requires grad (the node is recorded), µs/call: a primitive
    ``mul(x, c) = x * c`` with its VJP from ``defvjp`` against the built-in ``x * c``.
E2: the same on plain arrays (no Tensor): the primitive's overhead over the raw function.
E3: grad of a chain of 1 000 such calls, forward+backward, µs/op: numeric's primitive and
    built-in multiply, and autograd's primitive and ``anp.multiply`` (when installed).
E4: declaring a primitive and its VJP (``primitive`` + ``defvjp``), µs each.
Best of several calls (a shared machine: the least disturbed run). Run:
``python benchmarks/bench_extend.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import numeric
from numeric import Tensor
from numeric.extend import defvjp, primitive

C = 0.999


def best(fn, number: int, repeat: int) -> float:
    """Best time per call over ``repeat`` runs of ``number`` calls, in µs."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times) * 1e6


def declare_numeric(i: int):
    def mul(x, c):
        return x * c

    mul.__qualname__ = f"bench_mul_{i}"  # a fresh name: a new record, not a re-declaration
    prim = primitive(mul, name=mul.__qualname__)  # registered, as a user's would be
    defvjp(prim, lambda ans, x, c: lambda g: g * c, None)
    return prim


def declare_autograd(i: int):
    from autograd.extend import defvjp as a_defvjp
    from autograd.extend import primitive as a_primitive

    def mul(x, c):
        return x * c

    prim = a_primitive(mul)
    a_defvjp(prim, lambda ans, x, c: lambda g: g * c, None)
    return prim


def chain(mul, n: int):
    def f(x):
        for _ in range(n):
            x = mul(x, C)
        return x.sum()

    return f


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    r = args.repeat
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}, best of {r}\n")
    x0 = np.linspace(-1, 1, 4)
    mul = declare_numeric(0)
    x = Tensor(x0)
    assert np.array_equal(mul(x, C).value, (x * C).value)

    prim_t, builtin_t = best(lambda: mul(x, C), 5000, r), best(lambda: x * C, 5000, r)
    print("E1  one call on a Tensor (node recorded)          µs/call  vs built-in")
    print(f"    numeric built-in  x * c                    {builtin_t:8.2f}  {1:8.2f}x")
    print(f"    numeric primitive mul(x, c)                {prim_t:8.2f}  "
          f"{prim_t / builtin_t:8.2f}x")
    raw, plain = best(lambda: x0 * C, 5000, r), best(lambda: mul(x0, C), 5000, r)
    print("\nE2  one call on a plain array                     µs/call")
    print(f"    the raw function                           {raw:8.2f}")
    print(f"    numeric primitive                          {plain:8.2f}  (+{plain - raw:.2f})")

    n = 1000
    rows = [("numeric built-in multiply", numeric.grad(chain(lambda y, c: y * c, n))),
            ("numeric primitive", numeric.grad(chain(mul, n)))]
    try:
        import autograd
        import autograd.numpy as anp

        rows += [("autograd anp.multiply", autograd.grad(chain(anp.multiply, n))),
                 ("autograd primitive", autograd.grad(chain(declare_autograd(0), n)))]
    except ImportError:
        autograd = None
    want = np.full(4, C ** n)
    print(f"\nE3  grad of a chain of {n:,} calls, fwd+bwd        µs/op")
    for name, g in rows:
        np.testing.assert_allclose(g(x0), want, rtol=1e-12)
        print(f"    {name:42s} {best(lambda g=g: g(x0), 3, r) / n:8.2f}")

    print("\nE4  primitive + defvjp                            µs each")
    counter = iter(range(1, 10 ** 9))
    print(f"    numeric {best(lambda: declare_numeric(next(counter)), 200, r):42.1f}")
    if autograd is not None:
        print(f"    autograd {best(lambda: declare_autograd(0), 200, r):41.1f}")


if __name__ == "__main__":
    main()
