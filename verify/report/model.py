"""The report's view model: a normalized results document, arranged the way the pages read.

Pure data in, plain dicts out — no HTML here (``render`` turns these into pages) and no
computation of results (that is ``verify``'s job; ``reader`` recomputed the summary from the
checks). Failures sort first everywhere.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Any

from verify.results import CHECKS  # the contract's order of check kinds

__all__ = ["VERDICT_ORDER", "slug", "check_names", "op_verdicts", "index_model", "op_model"]

# "unavailable" (derive could not prove or check the rule) is a status of its own, non-passing.
VERDICT_ORDER = {"fail": 0, "refuted": 0, "unavailable": 1, "unreliable": 2, "pass": 3,
                 "proved": 3, "spot-checked": 3, "skipped": 4, "none": 5}
PROOF_VERDICT = {"proved": "pass", "spot-checked": "pass", "refuted": "fail",
                 "unavailable": "unavailable"}
_NOT_PASSING = ("fail", "unavailable")


def slug(name: str) -> str:
    """A file name for an op's page: the name where it is safe, else a cleaned name plus a hash."""
    clean = re.sub(r"[^A-Za-z0-9_.-]", "_", name).strip(".") or "op"
    if clean == name:
        return name
    return f"{clean[:40]}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"


def _worst(verdicts: list[str]) -> str:
    return min(verdicts, key=lambda v: VERDICT_ORDER.get(v, 5)) if verdicts else "none"


def check_names(results: dict[str, Any]) -> list[str]:
    """The check kinds present in ``results``, in the contract's order, unknown ones after."""
    seen: list[str] = []
    for op in results.get("ops", []):
        for case in op.get("cases", []):
            for chk in case.get("checks", []):
                if chk.get("check") not in seen:
                    seen.append(chk.get("check"))
    return [c for c in CHECKS if c in seen] + [c for c in seen if c not in CHECKS]


def op_verdicts(op: dict[str, Any], checks: list[str]) -> dict[str, dict[str, Any]]:
    """Per check kind: the worst verdict over the op's cases and the count of each verdict."""
    cells: dict[str, dict[str, Any]] = {}
    for name in checks:
        got = [chk.get("verdict", "none") for case in op.get("cases", [])
               for chk in case.get("checks", []) if chk.get("check") == name]
        cells[name] = {"verdict": _worst(got), "counts": dict(Counter(got))}
    proofs = [PROOF_VERDICT.get(p.get("status", ""), "skipped") for p in op.get("proof", [])]
    cells["proof"] = {"verdict": _worst(proofs), "counts": dict(Counter(
        p.get("status", "unavailable") for p in op.get("proof", [])))}
    return cells


def _op_rank(op: dict[str, Any], checks: list[str]) -> int:
    cells = op_verdicts(op, checks)
    return VERDICT_ORDER.get(_worst([c["verdict"] for c in cells.values()]), 5)


def index_model(results: dict[str, Any]) -> dict[str, Any]:
    """Summary, environment and the op × check matrix (failing ops first)."""
    claims = results["claims"]
    checks = check_names(results)
    ops = sorted(results.get("ops", []), key=lambda op: _op_rank(op, checks))
    rows = []
    for op in ops:
        cells = op_verdicts(op, checks)
        worst = _worst([c["verdict"] for c in cells.values()])
        rows.append({"name": op["op"], "slug": slug(op["op"]), "cells": cells, "worst": worst,
                     "ncases": len(op.get("cases", []))})
    failures = [{"op": op["op"], "slug": slug(op["op"]), "case": case.get("case", ""),
                 "dtype": case.get("dtype", ""), "check": chk.get("check", ""),
                 "error": chk.get("error"), "tol": chk.get("tol"),
                 "detail": chk.get("detail", "")}
                for op in ops for case in op.get("cases", []) for chk in case.get("checks", [])
                if chk.get("verdict") in _NOT_PASSING]
    failures += [{"op": op["op"], "slug": slug(op["op"]), "case": p.get("case", ""),
                  "dtype": "exact", "check": "proof", "error": None, "tol": None,
                  "detail": p.get("detail", ""), "status": p.get("status")}
                 for op in ops for p in op.get("proof", [])
                 if p.get("status") in ("refuted", "unavailable")]
    summary = results.get("summary", {})
    counts = summary.get("checks", {})
    failures = _group_failures(failures)
    verdicts = [c.get("verdict") for c in claims.get("claims", [])]
    return {
        "checks": checks, "rows": rows, "summary": summary, "failures": failures,
        "counts": {k: counts.get(k, 0) for k in ("pass", "fail", "unreliable", "skipped",
                                                 "unavailable")},
        "worst": summary.get("worst", []), "environment": results.get("environment", {}),
        "meta": {k: results.get(k) for k in ("seed", "created", "gradproof_version", "schema")},
        "claims_counts": dict(Counter(verdicts)),
        "proofs_word": "refuted" if all(f.get("status") == "refuted" for f in failures
                                        if f["check"] == "proof") else "refuted or unavailable",
        "ok": summary["ok"],
    }


def _group_failures(failures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (op, check): its cases and dtypes, the largest error, the first detail."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for f in failures:
        row = groups.setdefault((f["op"], f["check"]), dict(f, cases=[], dtypes=[], n=0))
        row["n"] += 1
        if f["case"] not in row["cases"]:
            row["cases"].append(f["case"])
        if f["dtype"] not in row["dtypes"]:
            row["dtypes"].append(f["dtype"])
        if f["error"] is not None and (row["error"] is None or f["error"] > row["error"]):
            row["error"], row["tol"] = f["error"], f["tol"]
    return list(groups.values())


def _claims_for(op_name: str, claims: dict[str, Any]) -> list[dict[str, Any]]:
    """The op's claims, each with its row number on the claims page (its anchor there)."""
    return [dict(c, row=k) for k, c in enumerate(claims.get("claims", []), 1)
            if c.get("op") == op_name]


def op_model(op: dict[str, Any], results: dict[str, Any]) -> dict[str, Any]:
    """Everything one op's page shows."""
    claims = results["claims"]
    checks = check_names(results)
    cases = []
    for case in op.get("cases", []):
        by = {chk.get("check"): chk for chk in case.get("checks", [])}
        cases.append({**case, "by_check": by,
                      "worst": _worst([c.get("verdict", "none") for c in by.values()])})
    cases.sort(key=lambda c: VERDICT_ORDER.get(c["worst"], 5))
    failures = [(case, chk) for case in cases for chk in case.get("checks", [])
                if chk.get("verdict") in ("fail", "unavailable", "unreliable")]
    return {"name": op["op"], "slug": slug(op["op"]), "doc": op.get("doc", ""),
            "kink": op.get("kink"), "kind": op.get("kind", ""),
            "proofs": op.get("proof", []), "cases": cases, "checks": checks,
            "cells": op_verdicts(op, checks), "failures": failures,
            "failing": any(chk.get("verdict") in _NOT_PASSING for _, chk in failures)
            or any(p.get("status") in ("refuted", "unavailable") for p in op.get("proof", [])),
            "derivation": op["derivation"], "claims": _claims_for(op["op"], claims),
            "fd": op["fd"], "graph": op["graph"]}
