"""Benchmark: time per identity of ``derive.expression`` (issue 12's targets).

Run: ``.venv/bin/python benchmarks/bench_expressions.py``. One row per identity: the whole
call (parse, rules, simplification, exact check at two sets of sizes, SymPy's answer, code
generation), then its parts — rules and simplification, the exact check, SymPy's answer — and,
as the baseline in the same run, SymPy's bare ``MatrixSymbol.diff`` of the same expression
(what SymPy alone takes to give an answer it does not check). Target: ≤ 2 s per identity.
"""

from __future__ import annotations

import sys
import time

from derive.expression import expression
from derive.expression import nodes as N
from derive.expression.check import check_closed_forms
from derive.expression.parse import parse
from derive.expression.rules import adjoints, fuse
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


def _parts(expr: str, wrt: str, shapes: str) -> tuple[float, float, float]:
    declared = parse_shapes(shapes)
    t0 = time.perf_counter()
    tree = fuse(parse(expr, declared))
    seed = N.const(1) if not tree.shape else N.name("G", tree.shape)
    grads, _ = adjoints(tree, wrt.split(","), seed)
    t1 = time.perf_counter()
    check_closed_forms(tree, grads, declared)
    t2 = time.perf_counter()
    try:
        for w in wrt.split(","):
            _diff(tree, w, None)
        bare = time.perf_counter() - t2
    except _NoForm:
        bare = float("nan")
    return t1 - t0, t2 - t1, bare


def main() -> int:
    head = (f"{'identity':<42}{'total s':>9}{'CPU s':>7}{'rules':>8}{'check':>8}{'sympy':>8}"
            f"{'SymPy diff alone':>18}  verdict")
    print(head)
    print("-" * len(head))
    worst = 0.0
    for expr, wrt, shapes in TARGETS:
        cpu = time.process_time()
        r = expression(expr, wrt, shapes)
        cpu = time.process_time() - cpu
        rules, check, bare = _parts(expr, wrt, shapes)
        sympy_s = max(r.seconds - rules - check, 0.0)
        worst = max(worst, r.seconds)
        verdict = "ok" if r.ok else "REFUTED"
        sym = ",".join(sorted({a.verdict for a in r.sympy.values()}))
        print(f"{expr:<42}{r.seconds:>9.2f}{cpu:>7.2f}{rules:>8.3f}{check:>8.2f}{sympy_s:>8.2f}"
              f"{bare:>18.3f}  {verdict} (SymPy: {sym})")
    print(f"\nslowest identity: {worst:.2f} s wall (target ≤ 2 s). 'CPU s' is this process's "
          "CPU time (what wall time would be on an idle core); 'rules' and 'check' are timed "
          "again after the call (SymPy's cache warm), 'sympy' is the rest of the call (SymPy's "
          "answer, steps, code); 'SymPy diff alone' is the unchecked baseline (nan: SymPy has "
          "no matrix form for the expression)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
