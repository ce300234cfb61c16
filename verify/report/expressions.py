"""The view model of the expression pages: the cookbook page and one page per ``--expr``.

Pure data in, plain dicts out, from the ``expressions`` section of a normalized document
(``reader`` recomputed each record's verdicts): per expression its closed forms beside the
published one, derive's steps, exact checks and SymPy's verdict, the generated code and the
three-way checks of that code per size set. Failures sort first.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from verify.report.model import VERDICT_ORDER, slug

__all__ = ["expression_view", "cookbook_model", "user_expressions", "CHECKS"]

# The checks of an expression, in the order the tables show them (verify.expression_run).
CHECKS = ("symbolic", "fd", "raw_shape", "reference")
COOKBOOK = ("cookbook", "ml")  # the groups the cookbook page shows


def _worst(verdicts: list[str]) -> str:
    return min(verdicts, key=lambda v: VERDICT_ORDER.get(v, 4)) if verdicts else "none"


def expression_slug(e: dict[str, Any]) -> str:
    """A page or anchor name for an expression: its text and names, made safe."""
    return slug(f"{e['expr']} wrt {','.join(e['wrt'])}")


def expression_view(e: dict[str, Any]) -> dict[str, Any]:
    """Everything one expression's block shows."""
    d = e["derivation"]
    cases = []
    for case in e.get("cases", []):
        by = {chk.get("check"): chk for chk in case.get("checks", [])}
        cases.append({**case, "by_check": by,
                      "worst": _worst([c.get("verdict", "none") for c in by.values()])})
    cases.sort(key=lambda c: VERDICT_ORDER.get(c["worst"], 4))
    checks = [c for c in CHECKS if any(c in case["by_check"] for case in cases)]
    refs = [case["by_check"]["reference"].get("verdict", "none") for case in cases
            if "reference" in case["by_check"]]
    forms = d.get("forms", []) if d.get("status") == "ok" else []
    sympy = [(f.get("sympy") or {}).get("verdict", "") for f in forms]
    failures = [(case, chk) for case in cases for chk in case.get("checks", [])
                if chk.get("verdict") in ("fail", "unreliable")]
    return {"slug": expression_slug(e), "expr": e["expr"], "wrt": e["wrt"],
            "shapes": e["shapes"], "title": e.get("title", ""), "group": e.get("group", ""),
            "reference": e.get("reference"), "derivation": d, "forms": forms,
            "derived": d.get("status") == "ok" and bool(d.get("ok")),
            "cases": cases, "checks": checks, "failures": failures,
            "agrees": _worst(refs) if refs else "none",
            "sympy": ", ".join(v for v in sympy if v) or "—",
            "verdict": "pass" if e.get("ok") else "fail", "seconds": e.get("seconds"),
            "derive_seconds": d.get("seconds")}


def cookbook_model(results: dict[str, Any]) -> dict[str, Any]:
    """The cookbook page: its identities (failing first, then in the table's order), counts
    and times."""
    entries = [expression_view(e) for e in results.get("expressions", [])
               if e.get("group") in COOKBOOK]
    entries.sort(key=lambda v: v["verdict"] != "fail")  # stable: the table's order otherwise
    seconds = [v["seconds"] for v in entries if isinstance(v["seconds"], (int, float))]
    return {"entries": entries, "counts": dict(Counter(v["verdict"] for v in entries)),
            "total": len(entries), "sympy": dict(Counter(v["sympy"] for v in entries)),
            "seconds": sum(seconds), "slowest": max(seconds, default=0.0)}


def user_expressions(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The expressions with a page of their own (``gradproof report --expr``)."""
    return [expression_view(e) for e in results.get("expressions", [])
            if e.get("group") not in COOKBOOK]
