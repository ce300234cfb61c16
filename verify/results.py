"""Results are data: the one definition of what ``verify`` reports, and its JSON schema.

``CheckResult`` (one check, one case), ``CaseResult`` (a case at one dtype), ``OpResult`` and
``SuiteResult`` each have ``to_dict()``; ``SuiteResult.to_dict`` is the results part of the
``gradproof.verify/2`` document (``verify.document.complete`` adds the artefacts), and
``SuiteResult.from_dict`` reads one back, refusing (``ValueError`` naming the entry) what does
not match the schema; summary and three-way verdicts are recomputed from the checks.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["SCHEMA", "SCHEMAS", "CHECKS", "VERDICTS", "NOT_PASSING", "NOT_PASSING_PROOFS",
           "CheckResult", "CaseResult", "OpResult", "SuiteResult", "environment"]

SCHEMA = "gradproof.verify/2"
SCHEMAS = ("gradproof.verify/1", SCHEMA)  # what from_dict reads (/1: results, no artefacts)
CHECKS = ("symbolic", "fd", "adjoint", "raw_shape", "kink", "taylor")
VERDICTS = ("pass", "fail", "unreliable", "skipped", "unavailable")
# "unavailable": derive had no proof and no exact value, the check could not be made; never a pass
NOT_PASSING, NOT_PASSING_PROOFS = ("fail", "unavailable"), ("refuted", "unavailable")
_VERB, _FAILED = {"pass": "agree", "fail": "disagree"}, {"fail": "failed"}
_AGREEMENT = {  # (symbolic verdict, fd verdict) -> (the odd one out, in words)
    ("pass", "pass"): (None, "all three agree: the engine's rule, the symbolic derivation and "
                             "finite differences"),
    ("fail", "fail"): ("engine", "the engine's rule disagrees; symbolic and finite differences "
                                 "agree"),
    ("fail", "pass"): ("symbolic", "the symbolic derivation disagrees; the engine's rule and "
                                   "finite differences agree"),
    ("pass", "fail"): ("fd", "finite differences disagree; the engine's rule and the symbolic "
                             "derivation agree"),
}


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

    @classmethod
    def from_dict(cls, d: Any, where: str = "check") -> CheckResult:
        d = _obj(d, where)
        if (verdict := _field(d, "verdict", str, where)) not in VERDICTS:
            raise ValueError(f"{where}: verdict {verdict!r:.40} is not one of {VERDICTS}")
        return cls(_field(d, "check", str, where), verdict,
                   _field(d, "error", float, where, None), _field(d, "tol", float, where, None),
                   _field(d, "detail", str, where, ""), _field(d, "diagnosis", dict, where, None))


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
        return all(c.verdict not in NOT_PASSING for c in self.checks)

    def get(self, check: str) -> CheckResult | None:
        return next((c for c in self.checks if c.check == check), None)

    def agreement(self) -> dict[str, Any]:
        """The three-way verdict in words: of the engine's rule, the symbolic derivation and
        finite differences, which is the odd one out (``odd``: "engine", "symbolic", "fd" or
        None) — from the ``symbolic`` (engine vs symbolic) and ``fd`` (engine vs FD) checks."""
        sym, fd = (getattr(self.get(name), "verdict", "skipped") for name in ("symbolic", "fd"))
        if (sym, fd) in _AGREEMENT:
            odd, text = _AGREEMENT[sym, fd]
        elif sym in ("pass", "fail"):
            odd = "engine" if sym == "fail" else None
            text = (f"the engine's rule and the symbolic derivation {_VERB[sym]}; finite "
                    f"differences could not judge ({fd})")
        elif fd in ("pass", "fail"):
            odd, text = None, (f"the engine's rule and finite differences {_VERB[fd]}; no "
                               f"symbolic verdict ({sym}) to say which is right")
        else:
            odd, text = None, f"no three-way comparison: symbolic {sym}, finite differences {fd}"
        return {"odd": odd, "text": text}

    def to_dict(self) -> dict[str, Any]:
        return {"case": self.case, "label": self.label, "shapes": self.shapes,
                "params": self.params, "dtype": self.dtype,
                "checks": [c.to_dict() for c in self.checks], "agreement": self.agreement()}

    @classmethod
    def from_dict(cls, d: Any, where: str = "case") -> CaseResult:
        d = _obj(d, where)
        shapes = _field(d, "shapes", list, where)
        if not all(isinstance(s, list) and all(type(n) is int and n >= 0 for n in s)
                   for s in shapes):
            raise ValueError(f"{where}: 'shapes' must be lists of sizes, got {shapes!r:.80}")
        params = _field(d, "params", dict, where, {})
        if not all(isinstance(v, str) for v in params.values()):
            raise ValueError(f"{where}: 'params' values must be text, got {params!r:.80}")
        checks = _field(d, "checks", list, where)
        return cls(_field(d, "case", str, where), _field(d, "label", str, where, ""), shapes,
                   params, _field(d, "dtype", str, where),
                   [CheckResult.from_dict(c, f"{where}, check #{k}") for k, c in enumerate(checks)])


@dataclass
class OpResult:
    """An op's verdicts over its cases; ``ok`` unless some check failed."""

    op: str
    doc: str = ""
    kink: str | None = None
    kind: str = "elementwise"  # its numeric.kinds name
    proof: list[dict[str, Any]] = field(default_factory=list)
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:  # a refuted/unavailable proof fails the op even if the check is lost
        return all(c.ok for c in self.cases) and all(
            p.get("status") not in NOT_PASSING_PROOFS for p in self.proof)

    def failures(self) -> list[tuple[CaseResult, CheckResult]]:
        return [(c, k) for c in self.cases for k in c.checks if k.verdict in NOT_PASSING]

    def caught_by(self) -> list[str]:
        """The checks that failed somewhere, in the order of ``CHECKS``."""
        failed = {k.check for _, k in self.failures()}
        return [c for c in CHECKS if c in failed]

    def counts(self) -> dict[str, int]:
        n = Counter(k.verdict for c in self.cases for k in c.checks)
        return {v: n[v] for v in VERDICTS}

    def explain(self) -> str:
        """A readable account of every failure: op, case, dtype, check, detail, diagnosis."""
        lines: list[str] = []
        shown: dict[str, Any] = {}  # a case's diagnosis is printed once, under its first check
        for case, chk in self.failures():
            size = (f" (error {chk.error:.3g} > tol {chk.tol:.3g})"
                    if chk.error is not None and chk.tol is not None else "")
            lines.append(f"{self.op} [{case.case}] {case.label} {case.dtype}: {chk.check} "
                         f"{_FAILED.get(chk.verdict, chk.verdict)}{size}: {chk.detail}")
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
                f"{n['unreliable']} unreliable, {n['skipped']} skipped, "
                f"{n['unavailable']} unavailable — {state}")

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "doc": self.doc, "kink": self.kink, "kind": self.kind,
                "proof": self.proof, "cases": [c.to_dict() for c in self.cases]}

    @classmethod
    def from_dict(cls, d: Any, where: str = "op") -> OpResult:
        d = _obj(d, where)
        name = _field(d, "op", str, where)
        if not name:
            raise ValueError(f"{where}: 'op' is empty")
        where = f"op {name!r:.60}"
        proof = _field(d, "proof", list, where, [])
        for k, p in enumerate(proof):
            _field(_obj(p, f"{where}, proof #{k}"), "status", str, f"{where}, proof #{k}")
        cases = _field(d, "cases", list, where)
        return cls(name, _field(d, "doc", str, where, ""), _field(d, "kink", str, where, None),
                   _field(d, "kind", str, where, ""), proof,
                   [CaseResult.from_dict(c, f"{where}, case #{k}") for k, c in enumerate(cases)])


@dataclass
class SuiteResult:
    """A whole run: every op's result, with the seed and the environment it ran in."""

    seed: int
    ops: list[OpResult] = field(default_factory=list)
    created: str = field(default_factory=lambda: datetime.datetime.now(
        datetime.timezone.utc).isoformat(timespec="seconds"))
    version: str | None = None  # gradproof's; None: this install's (read when serialised)
    env: dict[str, Any] | None = None  # None: this machine's (``environment()``)

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
        if self.version is None:
            import numeric

            self.version = numeric.__version__
        env = environment() if self.env is None else self.env
        return {"schema": SCHEMA, "gradproof_version": self.version, "seed": self.seed,
                "created": self.created, "environment": env,
                "summary": self.summary(), "ops": [o.to_dict() for o in self.ops]}

    @classmethod
    def from_dict(cls, d: Any) -> SuiteResult:
        """The run a document records; its summary is ignored (``summary()`` recomputes it)."""
        d = _obj(d, "document")
        schema = d.get("schema")
        if schema not in SCHEMAS:
            raise ValueError(f"schema {schema!r:.60} is not one of {SCHEMAS}")
        seed = _field(d, "seed", int, "document")
        env = _field(d, "environment", dict, "document", {})
        if not all(isinstance(v, (str, int, float)) for v in env.values()):
            raise ValueError("document: 'environment' values must be text or numbers")
        ops = _field(d, "ops", list, "document")
        return cls(seed, [OpResult.from_dict(o, f"op #{k}") for k, o in enumerate(ops)],
                   _field(d, "created", str, "document", ""),
                   _field(d, "gradproof_version", str, "document", ""), env)


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
    return float(np.copysign(1e308, x)) if np.isinf(x) else float(x)  # finite ones as they are


def _obj(d: Any, where: str) -> dict[str, Any]:
    if not isinstance(d, dict):
        raise ValueError(f"{where}: expected an object, got {type(d).__name__}")
    return d


def _field(d: dict[str, Any], name: str, kind: type, where: str, *default: Any) -> Any:
    """``d[name]`` checked to be a ``kind`` (or the default, also when null, if one is given)."""
    if name not in d or (d[name] is None and default):
        if default:
            return default[0]
        raise ValueError(f"{where}: missing {name!r}")
    v = d[name]
    if kind is float:  # an int such as 10**400 is no float
        ok = isinstance(v, (int, float)) and not abs(v) > 1.79e308
    else:
        ok = isinstance(v, kind)
    if not ok or isinstance(v, bool):
        raise ValueError(f"{where}: {name!r} must be {kind.__name__}, got {type(v).__name__}")
    return float(v) if kind is float else v

