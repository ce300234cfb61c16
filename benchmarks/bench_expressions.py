"""Benchmark: time per identity of ``derive.expression`` (issue 12's targets).

Run: ``.venv/bin/python benchmarks/bench_expressions.py``. One row per identity: the whole
call (parse, rules, simplification, exact check at two sets of sizes, SymPy's answer, code
generation) and its CPU time, then its parts (``Expression.timings``) — rules, exact check,
SymPy's answer, code — and,
as the baseline in the same run, SymPy's bare ``MatrixSymbol.diff`` of the same expression
(what SymPy alone takes to give an answer it does not check). Target: ≤ 2 s per identity.
"""

from __future__ import annotations

import sys
import time

from derive.expression import expression
from derive.expression.parse import parse
from derive.expression.rules import fuse
from derive.expression.shapes import parse_shapes
from derive.expression.sympy_answer import _diff, _NoForm

TARGETS = [
    ("trace(A @ X)", "X", "X=n,n A=n,n"),
    ("trace(X.T @ A @ X)", "X", "X=n,n A=n,n"),
    ("a @ X @ b", "X", "a=m X=m,n b=n"),
    ("logdet(X)", "X", "X=n,n"),
    ("det(X)", "X", "X=n,n"),
    ("trace(inv(X) @ A)", "X", "X=n,n A=n,n"),
    ("norm(A @ x - b)**2", "A,x", "A=m,n x=n b=m"),
    ("logsumexp(W @ x)", "W,x", "W=m,n x=n"),
    ("-y @ log(softmax(W @ x))", "W,x", "y=m W=m,n x=n"),
    ("sum(exp(X))", "X", "X=m,n"),
    ("inv(X.T @ X)", "X", "X=m,n"),
    ("0.5 * logdet(S) + 0.5 * x @ inv(S) @ x", "S,x", "S=n,n x=n"),
]


def _sympy_alone(expr: str, wrt: str, shapes: str) -> float:
    """SymPy's bare MatrixSymbol.diff for every wrt name (nan: no matrix form)."""
    tree = fuse(parse(expr, parse_shapes(shapes)))
    start = time.perf_counter()
    try:
        for w in wrt.split(","):
            _diff(tree, w, None)
    except _NoForm:
        return float("nan")
    return time.perf_counter() - start


def main() -> int:
    head = (f"{'identity':<42}{'total s':>8}{'CPU s':>7}{'rules':>7}{'check':>7}{'sympy':>7}"
            f"{'code':>6}{'SymPy diff alone':>18}  verdict")
    print(head)
    print("-" * len(head))
    worst = 0.0
    for expr, wrt, shapes in TARGETS:
        cpu = time.process_time()
        r = expression(expr, wrt, shapes)
        cpu = time.process_time() - cpu
        bare = _sympy_alone(expr, wrt, shapes)
        t = r.timings
        worst = max(worst, r.seconds)
        verdict = "ok" if r.ok else "REFUTED"
        sym = ",".join(sorted({a.verdict for a in r.sympy.values()}))
        print(f"{expr:<42}{r.seconds:>8.2f}{cpu:>7.2f}{t['rules']:>7.3f}{t['check']:>7.2f}"
              f"{t['sympy']:>7.2f}{t['code']:>6.3f}{bare:>18.3f}  {verdict} (SymPy: {sym})")
    print(f"\nslowest identity: {worst:.2f} s wall (target ≤ 2 s). 'CPU s': this process's "
          "CPU time; the parts (wall): rules and simplification, the exact check at two sets of "
          "sizes, SymPy's answer with the steps, code generation. 'SymPy diff alone' (after the "
          "call, SymPy's cache warm): the unchecked baseline; nan: SymPy has no matrix form")
    return 0


if __name__ == "__main__":
    sys.exit(main())
