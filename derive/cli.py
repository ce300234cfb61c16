"""``gradproof derive OP [--shapes "2,3;3,4"] [--param axis=1] [--latex | --mathml] [--plugin M]``
and ``gradproof derive --expr EXPR --wrt X --shapes "X=n,n A=n,n"`` (:mod:`derive.expression.cli`).

Prints an op's VJP derivation in a terminal: the matrix-calculus steps when the op has them and no
shapes are given, else the exact derivation at the given (or default) shapes with the proof of the
engine's rule. Shapes and parameters are parsed, never evaluated.

Exit status 0 when every step holds, 1 when one is refuted or the rule's proof is unavailable
or timed out (never a pass), 2 on bad arguments (one line on stderr). ``--plugin`` modules are
loaded by ``gradproof`` (``verify.plugins``) before this runs, so a user's op derives like a
built-in; a long derivation shows its elapsed time on stderr
through ``args.progress`` (``verify.progress``, handed in by ``gradproof``: derive does not
import verify).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import traceback
from typing import Any

import numpy as np

__all__ = ["add_parser", "parse_shapes", "parse_param", "run"]


def parse_shapes(text: str) -> tuple[tuple[int, ...], ...]:
    """``"2,3;3,4"`` -> ``((2, 3), (3, 4))``; ``"()"`` or an empty part is a 0-d input."""
    shapes = []
    for part in text.split(";"):
        part = part.strip().strip("()[]").strip()
        if not part:
            shapes.append(())
            continue
        dims = []
        for tok in part.replace("x", ",").split(","):
            tok = tok.strip()
            if not tok:
                continue
            if not tok.isdigit():
                raise ValueError(f"--shapes {text!r}: {tok!r} is not a non-negative integer")
            dims.append(int(tok))
        shapes.append(tuple(dims))
    return tuple(shapes)


def parse_param(text: str) -> tuple[str, Any]:
    """``axis=1``, ``axis=0,2``, ``keepdims=true``, ``ord=fro`` -> (name, value), not evaluated."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise ValueError(f"--param {text!r}: expected NAME=VALUE")
    value = value.strip()
    if value.lower() in ("true", "false"):
        return name.strip(), value.lower() == "true"
    if value.lower() == "none":
        return name.strip(), None
    parts = [v.strip() for v in value.strip("()").split(",") if v.strip()]
    try:
        nums = tuple(int(v) for v in parts)
    except ValueError:
        if "," in value or not value:
            raise ValueError(f"--param {text!r}: a list must be of integers") from None
        return name.strip(), value  # a plain string, e.g. ord=fro or subscripts=ij->i
    return name.strip(), nums[0] if len(nums) == 1 and "," not in value else nums


def _fits(op: Any, case: Any) -> None:
    """The shapes must fit the op before any symbols are made: its forward runs on numbers."""
    from numeric.cases import sample_inputs

    try:
        with np.errstate(all="ignore"):
            op.fwd(*sample_inputs(op, case, np.random.default_rng(0)), **case.params)
    except (ValueError, IndexError, TypeError) as e:
        raise ValueError(f"{op.name}: shapes {case} do not fit the op: {e}") from None


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {text!r}")
    return n


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``derive`` subcommand to ``gradproof``'s subparsers."""
    p = sub.add_parser("derive", help="derive an op's VJP with SymPy and prove the engine's rule",
                       description=__doc__.split("\n\n")[1])
    p.add_argument("op", nargs="?", help="op name from the table (e.g. matmul), or 'claims' "
                   "for the notebook's claims table")
    p.add_argument("--expr", metavar="EXPR",
                   help="a whole expression instead of an op, e.g. 'trace(X.T @ A @ X)' "
                        "(with --wrt and --shapes \"X=n,n A=n,n\")")
    p.add_argument("--wrt", metavar="NAME[,NAME]", help="with --expr: differentiate by these")
    p.add_argument("--shapes", help='input shapes, e.g. "2,3;3,4" or "();2x3"')
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="op parameter, e.g. axis=1 (repeatable)")
    p.add_argument("--plugin", dest="plugins", action="append", default=[], metavar="MODULE",
                   help="import MODULE first (the current directory is searched first): the ops "
                        "it registers derive like built-ins (repeatable)")
    p.add_argument("--max-entries", type=_positive, metavar="N",
                   help="refuse derivations with more than N input or output entries "
                        "(default 512; larger ones take minutes)")
    p.add_argument("--seconds", type=float, default=None, metavar="S",
                   help="time budget of the symbolic proof before exact rational spot checks "
                        "take over (default 5; 1 for the closed forms of decompositions that "
                        "have constructed points)")
    p.add_argument("--complex", action="store_true",
                   help="prove the rule on complex inputs, with complex symbols, against "
                        "autograd's convention dl/dx - i dl/dy (ops declaring complex=True)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--latex", action="store_const", dest="fmt", const="latex",
                     help="print each step as LaTeX")
    fmt.add_argument("--mathml", action="store_const", dest="fmt", const="mathml",
                     help="print each step as MathML")
    fmt.add_argument("--numpy", action="store_const", dest="fmt", const="numpy",
                     help="with --expr: print the generated NumPy gradient function")
    fmt.add_argument("--json", action="store_const", dest="fmt", const="json",
                     help="with --expr: print the result document (JSON)")
    p.set_defaults(run=run, fmt="text")
    return p


def run(args: argparse.Namespace) -> int:
    """Print the derivation; exit status 1 if a step is refuted, 2 on bad arguments."""
    from derive.claims import claims
    from derive.derivation import default_case, derivation
    from derive.oprun import ALIASES
    from derive.proof import Limits, prove_rule
    from derive.render import latex_text, latex_to_mathml
    from numeric import get_op
    from numeric.cases import Case

    if getattr(args, "expr", None) is not None:
        from derive.expression.cli import run_expression

        return run_expression(args)
    if args.op is None or args.fmt in ("numpy", "json") or args.wrt:
        print("gradproof derive: give an op name (or --expr EXPR; --wrt, --numpy and --json "
              "are for --expr)", file=sys.stderr)
        return 2
    ticker = getattr(getattr(args, "progress", None), "ticker", None)
    busy = ticker or (lambda label: contextlib.nullcontext())
    if args.op == "claims":
        with busy("checking the notebook's claims"):
            found = claims()
        for c in found:
            stated = {"latex": c.latex, "mathml": latex_to_mathml(c.latex)}.get(
                args.fmt, latex_text(c.latex))
            print(f"[{c.verdict}] {c.section}\n    {stated}\n    sympy: {c.meaning}\n"
                  f"    layout: {c.layout}\n    {c.detail}\n")
        return 0
    try:
        op = get_op(ALIASES.get(args.op, args.op))  # logdet is slogdet
        case = None
        if args.shapes is not None:
            shapes = parse_shapes(args.shapes)
            if len(shapes) != op.nargs:
                raise ValueError(f"{op.name} takes {op.nargs} inputs, --shapes gave {len(shapes)}")
            case = Case(shapes, dict(parse_param(t) for t in args.param), "command line")
            _fits(op, case)
        elif args.param:
            raise ValueError("--param needs --shapes")
    except (KeyError, ValueError) as e:
        if getattr(args, "debug", False):
            traceback.print_exc()
        print(f"gradproof derive: {e.args[0] if e.args else e}", file=sys.stderr)
        return 2
    if getattr(args, "complex", False):
        return _run_complex(op, case, args.seconds, busy)
    try:
        limits = Limits(max_entries=args.max_entries,
                        **({"symbolic_seconds": args.seconds, "closed_form_seconds": args.seconds}
                           if args.seconds else {}))
        with busy(f"deriving {op.name}" + (f" at {case}" if case else "")):
            d = derivation(op, case, limits)
    except Exception as e:  # noqa: BLE001 - a user's shapes may not fit the op
        if getattr(args, "debug", False):
            traceback.print_exc()
        print(f"gradproof derive: {op.name} at {case}: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    if op.name != args.op:
        print(f"{args.op} is the op {op.name}: {op.doc}\n")
    print(d.to_text(args.fmt))
    if d.kind == "generic":  # the closed forms are checked; the engine's rule is proved too
        at = default_case(op)
        with busy(f"proving {op.name}'s rule at {at}"):
            proof = prove_rule(op, at, limits=limits)
        print(f"the engine's rule at shapes {at}: {proof.status} — {proof.method}"
              + (f"; {proof.detail}" if proof.detail and not proof.ok else "")
              + f" (gradproof derive {op.name} --shapes ... shows it entry by entry)")
        return 0 if d.ok and proof.ok else 1
    return 0 if d.ok else 1


def _run_complex(op: Any, case: Any, seconds: float | None, busy: Any) -> int:
    """``derive NAME --complex``: one line per case; exit status 1 if a rule is refuted."""
    from derive.complex_proof import prove_complex
    from numeric.cases import standard_cases

    refuted = False
    for c in [case] if case is not None else standard_cases(op):
        with busy(f"proving {op.name} on complex symbols at {c}"):
            p = prove_complex(op, c, **({"seconds": seconds} if seconds else {}))
        print(f"{op.name} at {c} (complex): {p.status} — {p.detail}")
        refuted |= p.status == "refuted"
    return 1 if refuted else 0
