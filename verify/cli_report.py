"""``gradproof report``: run the suite, build the complete results document, render it as HTML.

    gradproof report                          # run the suite, write reports/index.html
    gradproof report --from results.json      # render a saved document exactly as it ran
    gradproof report --from reports/report.json   # or an earlier report's document
    gradproof report --out site/ --ops add matmul --seed 3
    gradproof report --plugin mypkg.ops           # your own ops, registered by that module
    gradproof report --expr "logdet(X)" --wrt X --shapes "X=n,n"   # adds a page for it

Ends by printing the path of ``index.html``. The output directory and the arguments are checked
before any work starts; bad ones raise :class:`verify.errors.UsageError` (exit status 2 through
``gradproof``). Returns 0 when the report was written (even a report of failures), 1 with
``--strict`` when some check failed — counted from the checks, never from a document's summary.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from verify import cli_args
from verify.errors import UsageError
from verify.progress import Bar

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to ``sub`` (an ``argparse`` subparsers object)."""
    parser = sub.add_parser(
        "report", help="write the static HTML derivation and verification report",
        description="Run the verification suite (or read a saved results document) and write a "
                    "static, offline HTML report: summary, op x check matrix, per-op "
                    "derivations, proofs, shape cases, FD error plots and graphs, the notebook's "
                    "claims.")
    parser.add_argument("--out", default="reports", help="report directory (default: reports); "
                        "a directory that is not a gradproof report is refused unless --force")
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty directory that is not a gradproof report "
                             "(its other files are kept)")
    parser.add_argument("--from", dest="source", metavar="RESULTS_JSON",
                        help="render a document written by `gradproof verify --json` or an "
                             "earlier report's report.json instead of running the suite")
    parser.add_argument("--seed", type=int, default=0, help="seed for the suite (default 0)")
    parser.add_argument("--ops", nargs="+", metavar="OP",
                        help="only these ops, space- or comma-separated (default: all)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for the suite")
    parser.add_argument("--plugin", dest="plugins", action="append", default=[],
                        metavar="MODULE", help="import MODULE first: its ops register themselves "
                                               "and are checked and drawn like built-ins")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when any check failed")
    parser.add_argument("--cookbook", action=argparse.BooleanOptionalAction, default=None,
                        help="check the cookbook's identities for its page (default: when "
                             "--ops is not given)")
    parser.add_argument("--expr", action="append", default=[], metavar="EXPR",
                        help="also check this expression and add a page for it (repeatable; "
                             "each with its own --wrt and --shapes)")
    parser.add_argument("--wrt", action="append", default=[], metavar="NAMES")
    parser.add_argument("--shapes", action="append", default=[], metavar="SPEC")
    parser.set_defaults(run=run)
    return parser


def _validate(args: argparse.Namespace) -> list[str] | None:
    """Check the arguments (not the output directory); return the ``--ops`` names."""
    if args.seed < 0:
        raise UsageError(f"--seed {args.seed}: must be 0 or more")
    if not 1 <= args.jobs <= 64:
        raise UsageError(f"--jobs {args.jobs}: must be between 1 and 64")
    if not len(args.expr) == len(args.wrt) == len(args.shapes):
        raise UsageError(f"each --expr needs its --wrt and --shapes ({len(args.expr)} --expr, "
                         f"{len(args.wrt)} --wrt, {len(args.shapes)} --shapes)")
    if args.ops is None:
        return None
    ops = [name.strip() for arg in args.ops for name in arg.split(",") if name.strip()]
    if not ops:
        raise UsageError("--ops names no op")
    if len(set(ops)) != len(ops):
        raise UsageError(f"--ops names an op twice: {', '.join(ops)}")
    return cli_args.op_names(ops)


def _document(args: argparse.Namespace, ops: list[str] | None) -> dict[str, Any]:
    """Run the suite and build its complete document (``verify.document.complete``)."""
    from numeric import all_ops
    from verify.document import complete
    from verify.plugins import load_plugins
    from verify.suite import run_suite

    load_plugins(args.plugins)
    unknown = [n for n in ops or [] if n not in all_ops()]
    if unknown:
        raise UsageError(f"--ops: unknown op {unknown[0]!r}; known: {', '.join(sorted(all_ops()))}")
    expressions = _expressions(args, ops)
    print(f"running the verification suite (seed {args.seed}) ...", file=sys.stderr)
    bar = Bar("ops checked")
    suite = run_suite(ops, seed=args.seed, jobs=args.jobs, plugins=tuple(args.plugins),
                      progress=bar)
    bar.done()
    print("derivations, FD curves and graphs ...", file=sys.stderr)
    bar = Bar("ops documented")
    doc = complete(suite, jobs=args.jobs, plugins=tuple(args.plugins), progress=bar,
                   expressions=expressions)
    bar.done()
    return doc


def _expressions(args: argparse.Namespace, ops: list[str] | None) -> list[Any]:
    """The ``--expr`` expressions (checked first: a refused one costs no suite run), then the
    cookbook's identities when wanted."""
    from verify.cookbook import cookbook
    from verify.expression import check_expression

    done = []
    for expr, wrt, shapes in zip(args.expr, args.wrt, args.shapes):
        try:
            done.append(check_expression(expr, wrt, shapes, seed=args.seed))
        except (ValueError, TypeError, KeyError, SyntaxError) as e:  # derive's refusal
            raise UsageError(f"--expr {expr!r}: {e}") from None
    if args.cookbook if args.cookbook is not None else ops is None:
        print("the cookbook's identities ...", file=sys.stderr)
        bar = Bar("identities checked")
        done = cookbook(args.seed, progress=bar, jobs=args.jobs) + done
        bar.done()
    return done


def run(args: argparse.Namespace) -> int:
    """Write the report; print the path of its index page. 1 with ``--strict`` on failures."""
    from verify.report import check_out, report_files
    from verify.report.atomic import write_tree
    from verify.report.reader import normalize, read

    ops = _validate(args)
    target = check_out(args.out, force=args.force)  # before any work: a refusal costs nothing
    if args.source:
        if args.plugins or args.expr or args.cookbook:
            what = "--plugin" if args.plugins else "--expr" if args.expr else "--cookbook"
            raise UsageError(f"{what} has no effect with --from: the document is rendered as "
                             "it ran")
        raw = read(args.source)
        if ops and isinstance(raw, dict) and isinstance(raw.get("ops"), list):
            names = {op.get("op") for op in raw["ops"] if isinstance(op, dict)}
            missing = [n for n in ops if n not in names]
            if missing:
                raise UsageError(f"--ops: {missing[0]!r} is not in {args.source}")
            raw = dict(raw, ops=[op for op in raw["ops"]
                                 if isinstance(op, dict) and op.get("op") in ops])
        doc = normalize(raw, args.source)
    else:
        doc = normalize(_document(args, ops))
    index = write_tree(target, report_files(doc), force=args.force) / "index.html"
    failed = doc["summary"]["checks"]["fail"]
    if failed:
        print(f"{failed} checks failed: see the report", file=sys.stderr)
    if doc["summary"].get("expressions", {}).get("failed"):
        print(f"{doc['summary']['expressions']['failed']} expressions failed: see the report",
              file=sys.stderr)
    print(index)
    return 1 if args.strict and not doc["summary"]["ok"] else 0
