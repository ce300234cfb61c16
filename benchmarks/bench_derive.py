"""Benchmark: derivation and proof time per op at its standard cases — cold, disk-cached, in memory.

Run: ``.venv/bin/python benchmarks/bench_derive.py [OP ...]``. Prints one row per op (all its
standard cases together): the exact derivation and the proof of the engine's rule from a cold
cache, then both again with only the disk cache (a new process's view), then from memory.
The ratio column is cold time over disk-cached time. Uses a private temporary cache directory.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

os.environ["GRADPROOF_CACHE"] = tempfile.mkdtemp(prefix="gradproof-bench-derive-")

import numeric  # noqa: E402
from derive import clear_cache, exact_vjp, prove_rule  # noqa: E402
from derive import proof as _proof  # noqa: E402
from numeric.cases import standard_cases  # noqa: E402


def _forget_memory() -> None:
    clear_cache()
    _proof._PROOFS.clear()


def _timed(op, cases) -> tuple[float, float, list[str]]:
    t0 = time.perf_counter()
    for case in cases:
        exact_vjp(op, case)
    t1 = time.perf_counter()
    statuses = [prove_rule(op, case).status for case in cases]
    return t1 - t0, time.perf_counter() - t1, statuses


def main(names: list[str]) -> int:
    ops = names or list(numeric.all_ops())
    head = (f"{'op':<14}{'cases':>6}{'derive cold':>13}{'proof cold':>12}{'total cold':>12}"
            f"{'disk cached':>13}{'in memory':>11}{'cold/disk':>11}  statuses")
    print(head)
    print("-" * len(head))
    totals = [0.0, 0.0, 0.0, 0.0]
    for name in ops:
        op = numeric.get_op(name)
        cases = standard_cases(op)
        _forget_memory()
        derive_cold, proof_cold, statuses = _timed(op, cases)
        _forget_memory()
        d_disk, p_disk, _ = _timed(op, cases)
        d_mem, p_mem, _ = _timed(op, cases)
        cold, disk, mem = derive_cold + proof_cold, d_disk + p_disk, d_mem + p_mem
        for i, v in enumerate((derive_cold, proof_cold, disk, mem)):
            totals[i] += v
        counts = {s: statuses.count(s) for s in dict.fromkeys(statuses)}
        summary = ", ".join(f"{n} {s}" for s, n in counts.items())
        print(f"{name:<14}{len(cases):>6}{derive_cold:>12.3f}s{proof_cold:>11.3f}s{cold:>11.3f}s"
              f"{disk:>12.4f}s{mem:>10.5f}s{cold / max(disk, 1e-9):>10.0f}x  {summary}")
    cold = totals[0] + totals[1]
    print("-" * len(head))
    print(f"{'all':<14}{'':>6}{totals[0]:>12.3f}s{totals[1]:>11.3f}s{cold:>11.3f}s"
          f"{totals[2]:>12.4f}s{totals[3]:>10.5f}s{cold / max(totals[2], 1e-9):>10.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
