"""The full verification suite: wall time cold (empty derive cache) and cached, cases per second.

Each run is a fresh process (``gradproof verify``), so nothing is cached in memory; "cold" points
``$GRADPROOF_CACHE`` at an empty directory, "cached" reuses it. Targets on a 2-core machine:
cold <= 60 s, cached <= 15 s. Also shows the numeric checks alone (no symbolic proofs).

    .venv/bin/python benchmarks/bench_suite.py [--jobs 1,2] [--seeds 40]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cache: str, jobs: int, out: str) -> tuple[float, dict]:
    env = {**os.environ, "GRADPROOF_CACHE": cache}
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "verify.cli", "verify", "--jobs", str(jobs),
                           "--json", out], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr)
    with open(out) as fh:
        return seconds, json.load(fh)["summary"]


def numeric_only() -> tuple[float, int]:
    code = ("import time, verify; from verify.checks import Options; t = time.perf_counter(); "
            "r = verify.run_suite(options=Options(checks=('fd', 'adjoint', 'raw_shape', "
            "'kink', 'taylor'))); print(time.perf_counter() - t, r.summary()['cases'])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    return float(out[0]), int(out[1])


def many_seeds(n: int) -> None:
    """Zero false failures: the numeric checks of the whole table over ``n`` seeds."""
    import verify
    from verify.checks import Options

    opts = Options(checks=("fd", "adjoint", "raw_shape", "kink", "taylor"))
    t = time.perf_counter()
    totals = {"pass": 0, "fail": 0, "unreliable": 0, "skipped": 0}
    for seed in range(100, 100 + n):
        for k, v in verify.run_suite(seed=seed, options=opts).summary()["checks"].items():
            totals[k] += v
    print(f"{n} seeds (100..{99 + n}), numeric checks: {totals} in "
          f"{time.perf_counter() - t:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--seeds", type=int, default=0,
                    help="also run the numeric checks over this many seeds")
    args = ap.parse_args()
    if args.seeds:
        many_seeds(args.seeds)
    print(f"{'run':28s} {'jobs':>4s} {'wall s':>7s} {'cases':>6s} {'cases/s':>8s} "
          f"{'checks pass/fail/unrel/skip':>28s} {'target':>8s}")
    for jobs in (int(j) for j in args.jobs.split(",")):
        with tempfile.TemporaryDirectory() as cache:
            out = os.path.join(cache, "r.json")
            for label, target in (("cold (empty derive cache)", 60.0), ("cached", 15.0)):
                s, summary = run(cache, jobs, out)
                n = summary["checks"]
                counts = f"{n['pass']}/{n['fail']}/{n['unreliable']}/{n['skipped']}"
                verdict = "met" if s <= target else "MISSED"
                print(f"{label:28s} {jobs:4d} {s:7.1f} {summary['cases']:6d} "
                      f"{summary['cases'] / s:8.1f} {counts:>28s} {verdict:>8s}")
    s, cases = numeric_only()
    print(f"{'numeric checks only':28s} {1:4d} {s:7.1f} {cases:6d} {cases / s:8.1f} "
          f"{'(in-process, no proofs)':>28s}")


if __name__ == "__main__":
    main()
