"""``gradproof report``: run the verification suite (or read its JSON) and write the HTML report.

    gradproof report                          # run the suite, write reports/index.html
    gradproof report --from results.json      # report on a saved ``gradproof verify --json`` run
    gradproof report --from reports/report.json   # or on an earlier report's sidecar
    gradproof report --out site/ --ops add matmul --seed 3
    gradproof report --plugin mypkg.ops           # your own ops, registered by that module

Ends by printing the path of ``index.html``. Exit status: 0 when the report was written (even
a report of failures), 1 with ``--strict`` when some check failed, 2 when no report could be
written (the previous report, if any, is left as it was).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to ``sub`` (an ``argparse`` subparsers object)."""
    parser = sub.add_parser(
        "report", help="write the static HTML derivation and verification report",
        description="Run the verification suite (or read its JSON) and write a static, "
                    "offline HTML report: summary, op x check matrix, per-op derivations, "
                    "proofs, shape cases, FD error plots and graphs, the notebook's claims.")
    parser.add_argument("--out", default="reports", help="report directory (default: reports)")
    parser.add_argument("--from", dest="source", metavar="RESULTS_JSON",
                        help="read results written by `gradproof verify --json` instead of "
                             "running the suite")
    parser.add_argument("--seed", type=int, default=0, help="seed for the suite (default 0)")
    parser.add_argument("--ops", nargs="+", metavar="OP",
                        help="only these ops, space- or comma-separated (default: all)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for the suite")
    parser.add_argument("--plugin", dest="plugins", action="append", default=[],
                        metavar="MODULE", help="import MODULE first: its ops register themselves "
                                               "and are checked and drawn like built-ins")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when any check failed")
    parser.set_defaults(run=run)
    return parser


def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        results = json.load(fh)
    if isinstance(results, dict) and results.get("schema") == "gradproof.report/1":
        results = results.get("results")  # a report's sidecar holds the results it showed
    if not isinstance(results, dict) or not isinstance(results.get("ops"), list):
        raise ValueError(f"{path}: not a gradproof results JSON (no 'ops' list); "
                         "write one with `gradproof verify --json PATH`")
    return results


def _run_suite(args: argparse.Namespace) -> dict[str, Any]:
    try:
        from verify import run_suite
    except ImportError as e:
        raise RuntimeError("the verification suite (verify.run_suite) is not available in this "
                           "install; pass --from RESULTS_JSON") from e
    print(f"running the verification suite (seed {args.seed}) ...", file=sys.stderr)
    kwargs: dict[str, Any] = {"seed": args.seed, "jobs": args.jobs, "plugins": args.plugins,
                              "progress": _progress}
    if args.ops:
        kwargs["ops"] = args.ops
    return run_suite(**kwargs).to_dict()


def _progress(done: int, total: int, label: str) -> None:
    """One line rewritten in place on a terminal; a line per tenth of the work otherwise."""
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\r  {done}/{total} {label[:50]:<50}", end=end, file=sys.stderr, flush=True)
    elif done == total or done % max(1, total // 10) == 0:
        print(f"  {done}/{total} checked", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Write the report; print the path of its index page."""
    from verify.report import build_report

    if args.ops:  # "--ops add,matmul" as for `gradproof verify`, or "--ops add matmul"
        args.ops = [name for arg in args.ops for name in arg.split(",") if name]
    try:
        for module in args.plugins:
            importlib.import_module(module)
        results = _load(args.source) if args.source else _run_suite(args)
        if args.ops and args.source:
            results = dict(results, ops=[op for op in results["ops"] if op["op"] in args.ops])
        index = build_report(results, args.out)
    except (OSError, ValueError, RuntimeError, KeyError, ImportError) as e:
        print(f"gradproof report: {e}", file=sys.stderr)
        return 2
    summary = results.get("summary", {})
    failed = summary.get("checks", {}).get("fail", 0)
    if failed:
        print(f"{failed} checks failed: see the report", file=sys.stderr)
    print(index)
    return 1 if args.strict and not summary.get("ok", not failed) else 0
