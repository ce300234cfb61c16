"""``gradproof verify``: run the suite, print a summary table, write JSON / JUnit, exit 0 iff ok.

    gradproof verify [--ops NAMES] [--plugin MODULE] [--json PATH] [--junit PATH] [--seed N]
                     [--dtype float64,float32] [--jobs N] [--random-cases N]

A progress bar is drawn on stderr when it is a terminal. ``--plugin`` imports a module whose ops
(registered with ``numeric.register``) join the suite.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from xml.etree import ElementTree as ET

from verify.results import VERDICTS, SuiteResult

__all__ = ["add_parser", "run", "write_junit", "summary_table"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``verify`` subcommand to the root parser."""
    p = sub.add_parser("verify", help="cross-check every op's VJP: symbolic, engine, finite "
                       "differences", description=(
        "Cross-check every op's VJP: derive's symbolic proof, the engine, finite differences, "
        "the adjoint and Taylor tests, raw shapes and kinks. Exit status 0 only when every "
        "check passes."))
    p.add_argument("--ops", help="comma-separated op names (default: every registered op)")
    p.add_argument("--plugin", action="append", default=[], metavar="MODULE",
                   help="import MODULE first; the ops it registers join the suite (repeatable)")
    p.add_argument("--json", metavar="PATH", help="write the results JSON (gradproof.verify/1)")
    p.add_argument("--junit", metavar="PATH", help="write a JUnit XML report for CI")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--dtype", default="float64,float32",
                   help="comma-separated dtypes (default float64,float32)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--random-cases", type=int, default=0, metavar="N",
                   help="add N hypothesis-generated shape cases per op (seeded by --seed)")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run the suite as the arguments say; the exit status is 0 only when every check passes."""
    from verify.checks import Options
    from verify.suite import load_plugins, run_suite

    sys.path.insert(0, os.getcwd())  # plugins next to the user's working directory import
    try:
        added = load_plugins(args.plugin)
    except ImportError as e:
        print(f"gradproof verify: cannot import plugin: {e}", file=sys.stderr)
        return 2
    ops = [n.strip() for n in args.ops.split(",") if n.strip()] if args.ops else None
    dtypes = tuple(d.strip() for d in args.dtype.split(",") if d.strip())
    bad = [d for d in dtypes if d not in ("float64", "float32")]
    if bad:
        print(f"gradproof verify: unsupported dtype {bad[0]!r} (float64, float32)",
              file=sys.stderr)
        return 2
    bar = _Bar() if sys.stderr.isatty() else None
    start = time.perf_counter()
    try:
        result = run_suite(ops, seed=args.seed, dtypes=dtypes, jobs=max(args.jobs, 1),
                           plugins=args.plugin, progress=bar,
                           options=Options(random_cases=max(args.random_cases, 0)))
    except KeyError as e:
        print(f"gradproof verify: {e.args[0]}", file=sys.stderr)
        return 2
    if bar:
        bar.done()
    seconds = time.perf_counter() - start
    print(summary_table(result))
    s = result.summary()
    n = s["checks"]
    print(f"\n{s['ops']} ops, {s['cases']} cases, {n['pass']} checks pass, {n['fail']} fail, "
          f"{n['unreliable']} unreliable, {n['skipped']} skipped in {seconds:.1f} s "
          f"(seed {args.seed}" + (f"; plugin ops: {', '.join(added)}" if added else "") + ")")
    for o in result.ops:
        if not o.ok:
            print("\n" + o.explain())
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result.to_dict(), fh, indent=1)
    if args.junit:
        write_junit(result, args.junit)
    return 0 if result.ok else 1


def summary_table(result: SuiteResult) -> str:
    """One row per op: cases and verdict counts, and the checks that failed."""
    rows = [("op", "cases", *VERDICTS, "status")]
    for o in result.ops:
        n = o.counts()
        status = "ok" if o.ok else "FAIL: " + ", ".join(o.caught_by())
        rows.append((o.op, str(len(o.cases)), *(str(n[v]) for v in VERDICTS), status))
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def write_junit(result: SuiteResult, path: str) -> None:
    """A JUnit XML file: a testsuite per op, a testcase per (case, dtype)."""
    root = ET.Element("testsuites", name="gradproof verify")
    for o in result.ops:
        fails = sum(not c.ok for c in o.cases)
        suite = ET.SubElement(root, "testsuite", name=o.op, tests=str(len(o.cases)),
                              failures=str(fails))
        for c in o.cases:
            tc = ET.SubElement(suite, "testcase", classname=f"gradproof.{o.op}",
                               name=f"{c.case} {c.label} {c.dtype}".strip())
            bad = [k for k in c.checks if k.verdict == "fail"]
            if bad:
                msg = "; ".join(f"{k.check}: {k.detail}" for k in bad)
                f = ET.SubElement(tc, "failure", message=msg[:500])
                f.text = "\n".join(f"{k.check}: {k.detail}\n  diagnosis: {k.diagnosis}"
                                   for k in bad)
            elif all(k.verdict == "skipped" for k in c.checks):
                ET.SubElement(tc, "skipped")
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


class _Bar:
    """A one-line progress bar on stderr."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self, done: int, total: int, name: str) -> None:
        width = 30
        fill = int(width * done / max(total, 1))
        rate = done / max(time.perf_counter() - self.start, 1e-9)
        sys.stderr.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{total} "
                         f"{rate:4.1f}/s {name[:30]:<30}")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\r" + " " * 80 + "\r")
        sys.stderr.flush()
