"""Expressions: time per identity (derive → implement → check) and the cookbook page's cost.

E1: issue 12's twelve targets, each through ``verify.check_expression`` (derive → implement →
    check), split into ``derive.expression``'s own time (the baseline: parse, differential
    rules, exact checks at two size sets, SymPy's answer, code generation; as derive reports
    it) and the three-way verification of the generated code at two random size sets.
E2: the cookbook page — every identity of ``verify.cookbook`` checked, cold (an empty
    ``derive.store``) and warm (the entries filed by the cold run), with 1 and 2 processes, and
    the page rendered from the document.
Run: ``python benchmarks/bench_expression_checks.py [--skip-cookbook]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def targets() -> None:
    from verify.cookbook import TARGETS, identity
    from verify.expression import check_expression

    check_expression("trace(X)", "X", "X=n,n")  # imports (SymPy, the op table) not counted
    print("E1: issue 12's targets, seconds: derive → implement → check (of which derive's own "
          "time | verifying the generated code)")
    rows = []
    for expr in TARGETS:
        ident = identity(expr)
        t = time.perf_counter()
        r = check_expression(expr, list(ident.wrt), ident.shapes)
        full = time.perf_counter() - t
        derived = r.derivation["seconds"]
        rows.append((full, derived, full - derived))
        print(f"  {full:6.2f}  ({derived:5.2f} | {full - derived:5.3f})  "
              f"{'ok ' if r.ok else 'BAD'} {expr}")
    full = [f for f, _, _ in rows]
    checks = [c for _, _, c in rows]
    print(f"  per identity: median {statistics.median(full):.2f} s, max {max(full):.2f} s; "
          f"verification median {statistics.median(checks):.3f} s, max {max(checks):.3f} s")


def cookbook_page() -> None:
    from verify.cookbook import IDENTITIES, cookbook
    from verify.document import complete
    from verify.report import report_files
    from verify.report.reader import normalize
    from verify.results import SuiteResult

    print(f"E2: the cookbook page ({len(IDENTITIES)} identities), seconds")
    with tempfile.TemporaryDirectory() as store:
        os.environ["GRADPROOF_CACHE"] = store
        for label, jobs in (("cold, 1 process", 1), ("warm, 1 process", 1)):
            t = time.perf_counter()
            results = cookbook(0, jobs=jobs)
            print(f"  {label:<18} {time.perf_counter() - t:6.2f}  "
                  f"({sum(r.ok for r in results)}/{len(results)} ok)")
    with tempfile.TemporaryDirectory() as store:
        os.environ["GRADPROOF_CACHE"] = store
        for label in ("cold, 2 processes", "warm, 2 processes"):
            t = time.perf_counter()
            results = cookbook(0, jobs=2)
            print(f"  {label:<18} {time.perf_counter() - t:6.2f}")
    t = time.perf_counter()
    doc = normalize(complete(SuiteResult(0), expressions=results))
    page = report_files(doc)["cookbook.html"]
    print(f"  document + render  {time.perf_counter() - t:6.2f}  ({len(page) // 1024} KiB page)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--skip-cookbook", action="store_true")
    args = p.parse_args()
    targets()
    if not args.skip_cookbook:
        cookbook_page()


if __name__ == "__main__":
    main()
