"""Results are data: the one definition of what ``verify`` reports, and its JSON schema.

``CheckResult`` (one check on one case), ``CaseResult`` (a case at one dtype), ``OpResult`` (an
op over its cases) and ``SuiteResult`` (the run) each have ``to_dict()``; ``SuiteResult.to_dict``
is the ``gradproof.verify/1`` document ``gradproof verify --json`` writes and the report reads.
README.md, section "Results JSON", documents the same fields.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["SCHEMA", "CHECKS", "VERDICTS", "CheckResult", "CaseResult", "OpResult",
           "SuiteResult", "environment"]

SCHEMA = "gradproof.verify/1"
CHECKS = ("symbolic", "fd", "adjoint", "raw_shape", "kink", "taylor")
VERDICTS = ("pass", "fail", "unreliable", "skipped")


@dataclass
class CheckResult:
    """One check's verdict: ``error`` and ``tol`` are relative (None when not numeric)."""

    check: str
    verdict: str
    error: float | None = None
    tol: float | None = None
    detail: str = ""
    diagnosis: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "verdict": self.verdict, "error": _num(self.error),
                "tol": _num(self.tol), "detail": self.detail, "diagnosis": self.diagnosis}


@dataclass
class CaseResult:
    """All checks of one shape case at one dtype."""

    case: str
    label: str
    shapes: list[list[int]]
    params: dict[str, str]
    dtype: str
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.verdict != "fail" for c in self.checks)

    def get(self, check: str) -> CheckResult | None:
        return next((c for c in self.checks if c.check == check), None)

    def to_dict(self) -> dict[str, Any]:
        return {"case": self.case, "label": self.label, "shapes": self.shapes,
                "params": self.params, "dtype": self.dtype,
                "checks": [c.to_dict() for c in self.checks]}


@dataclass
class OpResult:
    """An op's verdicts over its cases; ``ok`` unless some check failed."""

    op: str
    doc: str = ""
    kink: str | None = None
    signature: str = "elementwise"
    proof: list[dict[str, Any]] = field(default_factory=list)
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.cases)

    def failures(self) -> list[tuple[CaseResult, CheckResult]]:
        return [(c, k) for c in self.cases for k in c.checks if k.verdict == "fail"]

    def caught_by(self) -> list[str]:
        """The checks that failed somewhere, in the order of ``CHECKS``."""
        failed = {k.check for _, k in self.failures()}
        return [c for c in CHECKS if c in failed]

    def counts(self) -> dict[str, int]:
        n = dict.fromkeys(VERDICTS, 0)
        for c in self.cases:
            for k in c.checks:
                n[k.verdict] += 1
        return n

    def explain(self) -> str:
        """A readable account of every failure: op, case, dtype, check, detail, diagnosis."""
        lines: list[str] = []
        shown: dict[str, Any] = {}  # a case's diagnosis is printed once, under its first check
        for case, chk in self.failures():
            size = (f" (error {_fmt(chk.error)} > tol {_fmt(chk.tol)})"
                    if chk.error is not None and chk.tol is not None else "")
            lines.append(f"{self.op} [{case.case}] {case.label} {case.dtype}: {chk.check} "
                         f"failed{size}: {chk.detail}")
            d = chk.diagnosis
            if d and d != shown.get(case.case + case.dtype):
                shown[case.case + case.dtype] = d
                lines.append(f"    input {d.get('input')}: {d.get('hint') or 'no known pattern'}")
                for w in d.get("worst", [])[:3]:
                    lines.append(f"    at {w['index']}: engine {w['engine']!r}, "
                                 f"reference {w['reference']!r}")
        return "\n".join(lines) or f"{self.op}: every check passed"

    def __str__(self) -> str:
        n = self.counts()
        state = "ok" if self.ok else "FAILED (" + ", ".join(self.caught_by()) + ")"
        return (f"{self.op}: {len(self.cases)} cases, {n['pass']} pass, {n['fail']} fail, "
                f"{n['unreliable']} unreliable, {n['skipped']} skipped — {state}")

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "doc": self.doc, "kink": self.kink, "signature": self.signature,
                "proof": self.proof, "cases": [c.to_dict() for c in self.cases]}


@dataclass
class SuiteResult:
    """A whole run: every op's result, with the seed and the environment it ran in."""

    seed: int
    ops: list[OpResult] = field(default_factory=list)
    created: str = field(default_factory=lambda: datetime.datetime.now(
        datetime.timezone.utc).isoformat(timespec="seconds"))

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.ops)

    def worst(self, n: int = 10) -> list[dict[str, Any]]:
        """The checks closest to (or past) their tolerance, worst first."""
        rows = []
        for o in self.ops:
            for c in o.cases:
                for k in c.checks:
                    if k.error is not None and k.tol:
                        rows.append({"op": o.op, "case": f"{c.case} {c.dtype}",
                                     "check": k.check, "error": _num(k.error),
                                     "tol": _num(k.tol), "ratio": k.error / k.tol})
        rows.sort(key=lambda r: -r["ratio"])
        for r in rows:
            del r["ratio"]
        return rows[:n]

    def summary(self) -> dict[str, Any]:
        totals = dict.fromkeys(VERDICTS, 0)
        for o in self.ops:
            for k, v in o.counts().items():
                totals[k] += v
        return {"ops": len(self.ops), "cases": sum(len(o.cases) for o in self.ops),
                "checks": totals, "ok": self.ok, "worst": self.worst()}

    def to_dict(self) -> dict[str, Any]:
        import numeric

        return {"schema": SCHEMA, "gradproof_version": numeric.__version__, "seed": self.seed,
                "created": self.created, "environment": environment(),
                "summary": self.summary(), "ops": [o.to_dict() for o in self.ops]}


def environment() -> dict[str, Any]:
    """Versions and machine, so a result can be reproduced."""
    import sympy

    return {"python": sys.version.split()[0], "numpy": np.__version__,
            "sympy": sympy.__version__, "platform": platform.platform(),
            "cpus": os.cpu_count() or 1}


def _num(x: float | None) -> float | None:
    """JSON has no inf or nan: an infinite error becomes ±1e308, nan becomes null."""
    if x is None or np.isnan(x):
        return None
    return float(np.clip(x, -1e308, 1e308))


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3g}"
