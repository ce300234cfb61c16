"""``gradproof verify --expr EXPR --wrt X --shapes "..."``: derive → implement → check, printed.

    gradproof verify --expr "trace(X.T @ A @ X)" --wrt X --shapes "X=n,n A=n,n"
    gradproof verify --expr "a @ X @ b" --wrt X --shapes "a=m X=m,n b=n" --sizes "m=4 n=3"
    gradproof verify --expr "logdet(X)" --wrt X --shapes "X=n,n" --json results.json

Prints the closed form per name, derive's steps, its exact checks at concrete sizes, SymPy's
verdict, the generated NumPy code, then the three-way verification of that code (per size set:
each check with its error and tolerance, the agreement in words, a diagnosis on a failure) and
the verdict. Exit status 0 when everything passed, 1 when a check failed, 2 for an expression
derive refuses (the message points at the place) or bad arguments. ``--json`` writes the
complete results document with the expression in its ``expressions`` section.
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from verify.errors import FAILED, OK, UsageError

__all__ = ["add_arguments", "parse_sizes", "run", "render"]

_SIZE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(\d+)\Z")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``--expr`` options of ``gradproof verify`` (``--shapes`` is shared with
    ``--function``)."""
    g = p.add_argument_group("an expression instead of the op table (derive → implement → "
                             "check)")
    g.add_argument("--expr", metavar="EXPR", help="an expression in Python syntax over named "
                   "arrays, e.g. \"trace(X.T @ A @ X)\" (see docs/verify.md)")
    g.add_argument("--wrt", metavar="NAMES", help="comma-separated names to differentiate "
                   "with respect to")
    g.add_argument("--sizes", metavar="SETS", help="size sets to check at instead of random "
                   "ones, ';'-separated, e.g. \"n=3 m=4; n=5 m=2\"")


def parse_sizes(text: str) -> list[dict[str, int]]:
    """``"n=3 m=4; n=5"`` -> ``[{"n": 3, "m": 4}, {"n": 5}]`` (a usage error when malformed)."""
    sets = []
    for part in text.split(";"):
        items = part.replace(",", " ").split()
        if not items:
            continue
        sizes = {}
        for item in items:
            m = _SIZE.match(item)
            if not m or int(m.group(2)) < 1:
                raise UsageError(f"--sizes: {item!r} is not LETTER=SIZE (a size ≥ 1)")
            sizes[m.group(1)] = int(m.group(2))
        sets.append(sizes)
    if not sets:
        raise UsageError(f"--sizes {text!r} names no size set")
    return sets


def run(args: argparse.Namespace) -> int:
    """Check the expression, print it all, write ``--json``; the exit status says the verdict."""
    from verify.expression import check_expression

    for option in ("ops", "junit", "function"):
        if getattr(args, option, None):
            raise UsageError(f"--{option} does not go with --expr (one expression is checked)")
    if not args.wrt or not args.shapes:
        raise UsageError("--expr needs --wrt NAMES and --shapes SPEC, e.g. --wrt X --shapes "
                         "\"X=n,n A=n,n\"")
    sizes = parse_sizes(args.sizes) if args.sizes else None
    try:
        result = check_expression(args.expr, args.wrt, args.shapes, sizes=sizes, seed=args.seed)
    except (ValueError, TypeError, KeyError, SyntaxError) as e:  # derive's refusal, by name
        raise UsageError(f"--expr {args.expr!r}: {e}") from None
    print(render(result))
    if args.json:
        from verify.cli_verify import _write
        from verify.document import complete
        from verify.results import SuiteResult

        doc = complete(SuiteResult(args.seed), expressions=[result])
        _write(args.json, lambda fh: json.dump(doc, fh, indent=1))
    return OK if result.ok else FAILED


def render(result: Any) -> str:
    """The whole arc as text: closed forms, steps, exact checks, SymPy, code, checks, verdict."""
    d = result.derivation
    lines = [f"expression  {result.expr}", f"w.r.t.      {', '.join(result.wrt)}",
             f"shapes      {result.shapes}", ""]
    if d.get("status") != "ok":
        lines.append(f"derivation unavailable: {d.get('why', '')}")
    if d.get("steps"):
        lines.append("derivation:")
        for k, st in enumerate(d["steps"], 1):
            lines.append(f"  {k}. {st['title']}  [{st['status']}]")
            lines += ["     " + t for t in (st.get("text") or st["latex"]).splitlines()]
        lines.append("")
    for form in d.get("forms", []):
        lines.append(f"closed form  ∂l/∂{form['wrt']} = {form['text']}")
        for ex in form.get("exact", []) or []:
            lines.append(f"  exact check at {ex.get('sizes', '')}: {ex.get('verdict', '')}"
                         + (f" — {ex['detail']}" if ex.get("detail") else ""))
        sym = form.get("sympy") or {}
        if sym:
            lines.append(f"  SymPy: {sym.get('verdict', '')}"
                         + (f" — {sym['detail']}" if sym.get("detail") else ""))
        lines.append("")
    if d.get("numpy_source"):
        lines += ["generated NumPy:", *("    " + s for s in d["numpy_source"].splitlines()), ""]
    lines.append("verification of the generated code (float64):")
    for case in result.cases:
        lines.append(f"  {case.label}  ({case.case})")
        for c in case.checks:
            size = f" {c.error:.2e} / tol {c.tol:.0e}" if c.error is not None and c.tol else ""
            lines.append(f"    {c.check:<10} {c.verdict:<10}{size}  {c.detail}")
        lines.append(f"    → {case.agreement()['text']}")
    lines.append("")
    if not result.ok:
        lines.append(result.explain())
    if result.ok:
        lines.append(f"verdict: ok — derived, checked exactly and code-verified at "
                     f"{len(result.cases)} size sets in {result.seconds:.2f} s")
    else:
        lines.append(f"verdict: FAILED ({result.seconds:.2f} s)")
    return "\n".join(lines)
