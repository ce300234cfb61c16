"""``gradproof derive --expr EXPR --wrt NAME[,NAME] --shapes "X=n,n A=n,n b=m"
[--latex | --mathml | --numpy | --json]``.

Prints the derivation of a whole expression (steps, closed forms with their exact checks,
SymPy's answer), or the generated NumPy (``--numpy``), or the result document (``--json``).
Exit status 0 when every closed form is verified exactly, 1 when one is refuted, 2 on a bad
expression, name or shape (one line and the place in the expression, on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback

__all__ = ["run_expression"]


def run_expression(args: argparse.Namespace) -> int:
    """The ``--expr`` form of ``gradproof derive``."""
    from derive.expression import ExprError, expression

    if args.op is not None:
        print(f"gradproof derive: give an op name or --expr, not both ({args.op!r})",
              file=sys.stderr)
        return 2
    if not args.wrt or args.shapes is None:
        print("gradproof derive: --expr needs --wrt NAME[,NAME] and --shapes \"X=n,n A=n,n\"",
              file=sys.stderr)
        return 2
    if args.param:
        print("gradproof derive: --param is for ops, not --expr", file=sys.stderr)
        return 2
    try:
        result = expression(args.expr, args.wrt, args.shapes)
    except ExprError as e:
        if getattr(args, "debug", False):
            traceback.print_exc()
        print(f"gradproof derive: {e}", file=sys.stderr)
        return 2
    if args.fmt == "json":
        print(json.dumps(result.to_dict(), indent=1, ensure_ascii=False))
    elif args.fmt == "numpy":
        print(result.numpy_source, end="")
    else:
        print(result.to_text(args.fmt))
        for w, g in result.gradients.items():
            verdict = "verified" if g.exact.ok else g.exact.status.split(":")[0].upper()
            print(f"∂l/∂{w} = {g.text}    [{verdict}; SymPy: {g.sympy.verdict}]")
        print(f"({result.seconds:.2f} s)")
    return 0 if result.ok else 1
