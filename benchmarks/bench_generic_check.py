"""Benchmark: the cost of checking derive.generic's differentials at n = 3 as well as at n = 2.

Run: ``.venv/bin/python benchmarks/bench_generic_check.py``. For each square-matrix rule
(trace, inverse, solve, det, logdet) it prints the seconds of the n = 2 symbolic check of its
differential (the baseline) and of the n = 3 check at an exact rational point over a basis of
directions; then every generic derivation (``generic_derivation`` for every op, the whole of
what ``gradproof derive OP`` and the report show) with the n = 3 differential check switched
off (the baseline) and on, alternating. Best of ``REPEAT`` runs, in this one process.
"""

from __future__ import annotations

import time

from derive import generic
from derive.generic_check import differential_holds_at

REPEAT = 3


def _best(f, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def _all_derivations() -> None:
    generic.generic_derivation.cache_clear()
    for op in generic.generic_ops():
        generic.generic_derivation(op)


def main() -> None:
    print("square rule          n=2 differential   n=3 differential (s)")
    for rule in generic.GENERIC:
        if rule.sizes is not generic.SQUARE_SIZES:
            continue
        dif = generic.DIFFERENTIALS[rule.title][1]
        two = _best(lambda: generic._differential_holds(rule))  # noqa: B023
        three = _best(lambda: differential_holds_at(rule, dif))  # noqa: B023
        print(f"  {rule.title:<20} {two:10.3f}        {three:10.3f}")
    real, off, on = generic.differential_holds_at, [], []
    _all_derivations()  # SymPy's own caches warm for both
    for _ in range(REPEAT):  # alternating, so load and caches treat both alike
        generic.differential_holds_at = lambda *a, **k: True
        try:
            off.append(_best(_all_derivations, 1))
        finally:
            generic.differential_holds_at = real
        on.append(_best(_all_derivations, 1))
    print(f"every generic derivation: {min(off):.2f} s without the n=3 differential check, "
          f"{min(on):.2f} s with it ({min(on) - min(off):+.2f} s)")

if __name__ == "__main__":
    main()
