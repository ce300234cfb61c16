"""``gradproof verify``: run the suite, print a summary table, write JSON / JUnit, exit 0 iff ok.

    gradproof verify [--ops NAMES] [--plugin MODULE] [--json PATH] [--junit PATH] [--seed N]
                     [--dtype float64,float32] [--jobs N] [--random-cases N] [--timeout S]
    gradproof verify --expr EXPR --wrt NAMES --shapes SPEC [--sizes SETS] [--json PATH]
    gradproof verify --function MODULE:NAME --shapes "x=3,2 y=2" [--range LOW,HIGH]

Every argument and output path is checked before the suite starts (exit status 2 and one line
on a bad one); lists are comma-separated and de-duplicated in order. ``--jobs`` is capped at the
number of ops to check (one task per op: more workers would idle), and the cap is said on
stderr. Progress goes to stderr: a bar on a terminal, a line every few seconds when piped.
``--plugin`` modules (loaded by ``gradproof`` before this runs) add their ops to the suite, in
the worker processes too. ``--timeout`` is the time budget per case (``verify.options``).
``--function`` checks a whole function written in NumPy instead (``verify.cli_function``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from xml.etree import ElementTree as ET

from numeric import all_ops
from verify import cli_args, cli_expr
from verify.api import DTYPE_CODE
from verify.errors import FAILED, OK, USAGE, UsageError
from verify.options import TIMEOUT, Options
from verify.progress import Bar
from verify.results import NOT_PASSING, VERDICTS, SuiteResult
from verify.suite import run_suite

__all__ = ["add_parser", "run", "write_junit", "summary_table"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``verify`` subcommand to the root parser."""
    p = sub.add_parser("verify", help="cross-check every op's VJP: symbolic, engine, finite "
                       "differences", description=(
        "Cross-check every op's VJP: derive's symbolic proof, the engine, finite differences, "
        "the adjoint and Taylor tests, raw shapes and kinks. Exit status 0 when every check "
        "passes, 1 when one failed, 2 on a usage or input error."))
    p.add_argument("--ops", help="comma-separated op names (default: every registered op)")
    p.add_argument("--plugin", dest="plugins", action="append", default=[], metavar="MODULE",
                   help="import MODULE first (the current directory is searched first); the "
                        "ops it registers join the suite (repeatable)")
    p.add_argument("--json", metavar="PATH", help="write the complete results document "
                   "(gradproof.verify/2, see docs/results-schema.md)")
    p.add_argument("--junit", metavar="PATH", help="write a JUnit XML report for CI")
    p.add_argument("--seed", type=cli_args.seed, default=0,
                   help="random seed, a non-negative integer (default 0)")
    p.add_argument("--dtype", default="float64,float32",
                   help="comma-separated dtypes (default float64,float32); complex128 checks "
                        "the ops declaring complex=True on complex inputs")
    p.add_argument("--jobs", type=cli_args.positive_int, default=1,
                   help="worker processes, at most one per op (default 1)")
    p.add_argument("--random-cases", type=cli_args.count, default=0, metavar="N",
                   help="add N hypothesis-generated shape cases per op (seeded by --seed)")
    p.add_argument("--timeout", type=cli_args.seconds, default=TIMEOUT, metavar="SECONDS",
                   help=f"time budget per case (forward, rules, checks); a case over it is "
                        f"reported as timed out and the suite goes on (default {TIMEOUT:g}; "
                        "0: none)")
    p.add_argument("--function", metavar="MODULE:NAME",
                   help="check a whole function written in NumPy instead of ops: the engine's "
                        "gradient, the exact one (derive) and finite differences")
    p.add_argument("--shapes", metavar='"x=3,2 y=2"',
                   help="with --function: its array arguments by name and shape; with --expr: "
                        "the names' shapes, letters generic (\"X=n,n A=n,n b=m\")")
    p.add_argument("--range", type=cli_args.bounds, default=(-1.0, 1.0), metavar="LOW,HIGH",
                   help="with --function: inputs are drawn uniformly from it (default -1,1)")
    cli_expr.add_arguments(p)
    p.set_defaults(run=run, outputs=("json", "junit"))
    return p


def run(args: argparse.Namespace) -> int:
    """Run the suite as the arguments say; the exit status is 0 only when every check passes."""
    if getattr(args, "expr", None) is not None:  # one expression: derive → implement → check
        return cli_expr.run(args)
    if any(getattr(args, o, None) for o in ("wrt", "sizes")):
        raise UsageError("--wrt and --sizes go with --expr EXPR")
    dtypes = cli_args.names(args.dtype, "--dtype", tuple(DTYPE_CODE))
    if getattr(args, "function", None):
        from verify.cli_function import run_function

        return run_function(args, dtypes)
    if getattr(args, "shapes", None) is not None:
        raise UsageError("--shapes goes with --function (an op's cases come from its kind)")
    table = all_ops()
    ops = cli_args.op_names(cli_args.names(args.ops, "--ops")) if args.ops is not None \
        else list(table)
    unknown = [n for n in ops if n not in table]
    if unknown:
        raise UsageError(f"--ops: unknown op {unknown[0]!r}" + (
            f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "") +
            f"; known: {', '.join(sorted(table))}")
    if args.json and args.junit and os.path.abspath(args.json) == os.path.abspath(args.junit):
        raise UsageError(f"--json and --junit are the same file {args.json!r}")
    jobs = min(args.jobs, len(ops))
    if jobs < args.jobs:
        print(f"gradproof verify: --jobs {args.jobs} capped at {jobs}: one worker per op",
              file=sys.stderr)
    bar = Bar("ops checked")
    start = time.perf_counter()
    result = run_suite(ops, seed=args.seed, dtypes=dtypes, jobs=jobs, plugins=args.plugins,
                       progress=bar, options=Options(random_cases=args.random_cases,
                                                     timeout=args.timeout or None))
    bar.done()
    seconds = time.perf_counter() - start
    print(summary_table(result))
    s = result.summary()
    n = s["checks"]
    added = getattr(args, "plugin_ops", [])
    print(f"\n{s['ops']} ops, {s['cases']} cases, {n['pass']} checks pass, {n['fail']} fail, "
          f"{n['unreliable']} unreliable, {n['skipped']} skipped, {n['unavailable']} unavailable "
          f"in {seconds:.1f} s "
          f"(seed {args.seed}" + (f"; plugin ops: {', '.join(added)}" if added else "") + ")")
    for o in result.ops:
        if not o.ok:
            print("\n" + o.explain())
    try:
        if args.json:  # the complete document: `gradproof report --from` renders it as it ran
            from verify.document import complete

            bar = Bar("ops documented")
            doc = complete(result, jobs=jobs, plugins=tuple(args.plugins), progress=bar,
                           timeout=args.timeout or None)
            bar.done()
            _write(args.json, lambda fh: json.dump(doc, fh, indent=1))
        if args.junit:
            _write(args.junit, lambda fh: _junit(result).write(fh, encoding="unicode",
                                                               xml_declaration=True))
    except OSError as e:
        print(f"gradproof verify: could not write the results: {e}", file=sys.stderr)
        return USAGE
    return OK if result.ok else FAILED


def _write(path: str, fill) -> None:
    """Write a file atomically: a temporary file beside it, renamed over it when complete."""
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=os.path.dirname(
        os.path.abspath(path)))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fill(fh)
        os.chmod(tmp, _mode(path))  # mkstemp's file is 0600: give it the mode a plain open would
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _mode(path: str) -> int:
    """An existing file's permissions, else those a new file gets under the umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


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
    _junit(result).write(path, encoding="utf-8", xml_declaration=True)


def _junit(result: SuiteResult) -> ET.ElementTree:
    root = ET.Element("testsuites", name="gradproof verify")
    for o in result.ops:
        fails = sum(not c.ok for c in o.cases)
        suite = ET.SubElement(root, "testsuite", name=o.op, tests=str(len(o.cases)),
                              failures=str(fails))
        for c in o.cases:
            tc = ET.SubElement(suite, "testcase", classname=f"gradproof.{o.op}",
                               name=f"{c.case} {c.label} {c.dtype}".strip())
            bad = [k for k in c.checks if k.verdict in NOT_PASSING]
            if bad:
                msg = "; ".join(f"{k.check}: {k.detail}" for k in bad)
                f = ET.SubElement(tc, "failure", message=msg[:500])
                f.text = "\n".join(f"{k.check}: {k.detail}\n  diagnosis: {k.diagnosis}"
                                   for k in bad)
            elif all(k.verdict == "skipped" for k in c.checks):
                ET.SubElement(tc, "skipped")
    return ET.ElementTree(root)
