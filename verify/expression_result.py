"""An expression's verification as data: :class:`ExpressionResult`, and its JSON form.

One record per expression: what was asked (``expr``, ``wrt``, ``shapes``), derive's side
(``derivation``: the closed form per name, steps, exact checks, SymPy's verdict, the generated
code — see :mod:`verify.expression_derive`), one :class:`verify.results.CaseResult` per size
set (the three-way checks), and, for a published identity, the published form
(``reference``). ``to_dict`` / ``from_dict`` write and read the ``expressions`` section of the
results document; like the op records, ``ok`` and each case's agreement are recomputed from
the checks on reading. Imports neither ``numeric`` nor ``derive`` (the report reads it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verify.results import CaseResult, _field, _obj

__all__ = ["ExpressionResult", "expression_summary"]

GROUPS = ("cookbook", "ml", "user")  # The Matrix Cookbook, an ML loss, anything else


@dataclass
class ExpressionResult:
    """The derivation and the three-way checks of one expression; ``ok`` unless derive's
    checks or a case's check failed."""

    expr: str
    wrt: list[str]
    shapes: str
    seed: int = 0
    derivation: dict[str, Any] = field(default_factory=dict)
    cases: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0  # derivation (derive, cached or not) plus the checks
    group: str = "user"
    title: str = ""
    reference: dict[str, Any] | None = None  # the published form: source, eq, latex, text

    @property
    def derived(self) -> bool:
        """Whether derive produced and confirmed a closed form (its exact checks passed)."""
        return self.derivation.get("status") == "ok" and bool(self.derivation.get("ok"))

    @property
    def verified(self) -> bool:
        """Whether the generated code passed its checks at every size set."""
        return bool(self.cases) and all(c.ok for c in self.cases)

    @property
    def ok(self) -> bool:
        return self.derived and self.verified

    def failures(self) -> list[tuple[CaseResult, Any]]:
        return [(c, k) for c in self.cases for k in c.checks if k.verdict == "fail"]

    def explain(self) -> str:
        """Every failure, with its diagnosis: what disagrees, where, and both values."""
        lines = []
        if self.derivation.get("status") != "ok":
            lines.append(f"{self.expr}: derive could not derive it: "
                         f"{self.derivation.get('why', '')}")
        elif not self.derivation.get("ok"):
            lines.append(f"{self.expr}: derive's own checks (exact, at concrete sizes) failed")
        for case, chk in self.failures():
            lines.append(f"{self.expr} [{case.label}]: {chk.check} failed: {chk.detail}")
            d = chk.diagnosis or {}
            if d:
                lines.append(f"    ∂/∂{d.get('name', d.get('input'))}: "
                             f"{d.get('hint') or 'no known pattern'} (against "
                             f"{d.get('reference', 'the reference')})")
                for w in d.get("worst", [])[:3]:
                    lines.append(f"    at {w['index']}: generated {w['engine']!r}, "
                                 f"reference {w['reference']!r}")
            lines.append(f"    {case.agreement()['text']}")
        return "\n".join(lines) or f"{self.expr}: every check passed"

    def __str__(self) -> str:
        state = "ok" if self.ok else "FAILED"
        return (f"{self.expr} w.r.t. {', '.join(self.wrt)}: {len(self.cases)} size sets, "
                f"{self.seconds:.2f} s — {state}")

    def to_dict(self) -> dict[str, Any]:
        return {"expr": self.expr, "wrt": list(self.wrt), "shapes": self.shapes,
                "seed": self.seed, "group": self.group, "title": self.title,
                "reference": self.reference, "derivation": self.derivation,
                "cases": [c.to_dict() for c in self.cases], "seconds": self.seconds,
                "ok": self.ok}

    @classmethod
    def from_dict(cls, d: Any, where: str = "expression") -> ExpressionResult:
        d = _obj(d, where)
        expr = _field(d, "expr", str, where)
        where = f"expression {expr!r:.60}"
        wrt = _field(d, "wrt", list, where)
        if not wrt or not all(isinstance(w, str) for w in wrt):
            raise ValueError(f"{where}: 'wrt' must be a non-empty list of names")
        group = _field(d, "group", str, where, "user")
        if group not in GROUPS:
            raise ValueError(f"{where}: group {group!r:.40} is not one of {GROUPS}")
        reference = _field(d, "reference", dict, where, None)
        cases = _field(d, "cases", list, where)
        return cls(expr, wrt, _field(d, "shapes", str, where), _field(d, "seed", int, where, 0),
                   _field(d, "derivation", dict, where),
                   [CaseResult.from_dict(c, f"{where}, case #{k}") for k, c in enumerate(cases)],
                   _field(d, "seconds", float, where, 0.0), group,
                   _field(d, "title", str, where, ""), reference)


def expression_summary(summary: dict[str, Any], expressions: Any) -> dict[str, Any]:
    """The document's summary with the expressions counted: ``expressions`` (how many, how
    many failed) and ``ok`` false when one failed — recomputed, like the rest, on reading."""
    failed = sum(not e.ok for e in expressions)
    return dict(summary, ok=bool(summary.get("ok", True)) and not failed,
                expressions={"count": len(expressions), "failed": failed})
