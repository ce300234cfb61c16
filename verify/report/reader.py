"""Read a results document for the report, trusting nothing in it but the checks' verdicts.

:func:`load` reads a file, :func:`normalize` a parsed document: the results part goes through
``verify.results.SuiteResult.from_dict`` (the one definition of the records), so the summary
and each case's three-way verdict are recomputed from the checks — a document claiming
``"ok": true`` over failing checks shows its failures. The artefacts (derivations, FD curves,
graphs, claims, the expressions' derivations) are checked against the schema
(docs/results-schema.md). Anything that does not match is refused with a
:class:`verify.errors.UsageError` naming the entry; nothing here runs ``numeric`` or ``derive``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from verify.errors import UsageError
from verify.expression_result import ExpressionResult, expression_summary
from verify.results import SCHEMAS, SuiteResult

__all__ = ["read", "load", "normalize", "expression_entry"]

NUM = "number"  # an int or float, not a bool (NaN and infinities are shown as such)
_STR_OR_NONE = (str, type(None))
_PAIR = ("pair", NUM)  # [number or null, number or null]: a point of a curve
_STEP = {"title": str, "latex": str, "status": str, "mathml?": str, "text?": str}
_SPECS: dict[str, dict[str, Any]] = {
    "derivation": {"ok": {"steps": ["list", _STEP], "title?": str, "kind?": str, "op?": str},
                   "unavailable": {"why": str, "steps?": ["list", _STEP]}},
    "fd": {"ok": {"points": ["list", _PAIR], "forward": ["list", _PAIR], "chosen": ("opt", NUM),
                  "ridders": ("opt", {"error": ("opt", NUM), "bar": ("opt", NUM)}),
                  "best_central": ("opt", _PAIR), "case": str, "label?": str,
                  "inputs": ["list", int], "reference": str, "exact": ("opt", NUM)},
           "unavailable": {"why": str}},
    "graph": {"ok": {"svg": str, "case": str}, "unavailable": {"why": str}},
}
_CLAIM = {"section": str, "latex": str, "verdict": str, "detail": str, "op?": _STR_OR_NONE,
          "case?": _STR_OR_NONE, "sympy?": str, "layout?": str, "mathml?": str}
_CLAIMS = {"ok": {"claims": ["list", _CLAIM]}, "unavailable": {"why": str, "claims?": list}}
# An expression's derivation (verify.expression_derive.data_of) and its published form.
_FORM = {"wrt": str, "text": str, "latex": str, "mathml?": str,
         "exact?": ["list", {"sizes": str, "verdict": str, "detail?": str}],
         "sympy?": ("opt", {"verdict": str, "detail?": str, "latex?": str, "mathml?": str}),
         "ok?": bool}
_EXPRESSION = {"ok": {"ok": bool, "seconds": NUM, "steps": ["list", _STEP],
                      "forms": ["list", _FORM], "numpy_source": str, "forward_source?": str},
               "unavailable": {"why": str}}
_REFERENCE = {"source": str, "eq": str, "latex": str, "mathml?": str}


def load(path: str | Path) -> dict[str, Any]:
    """The normalized document in ``path`` (or in an earlier report's ``report.json``)."""
    return normalize(read(path), str(path))


def read(path: str | Path) -> Any:
    """The parsed JSON in ``path``, not yet checked (:func:`normalize` does that)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeError) as e:
        raise UsageError(f"--from {path}: cannot read it ({e.__class__.__name__}: {e})") from e
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise UsageError(f"--from {path}: not JSON ({str(e)[:120]})") from e
    if isinstance(data, dict) and data.get("schema") == "gradproof.report/1":
        data = data.get("results")  # an earlier report's sidecar held the results it showed
    return data


def normalize(doc: Any, source: str = "document") -> dict[str, Any]:
    """``doc`` rebuilt from its records: summary and verdicts recomputed, artefacts checked."""
    if not isinstance(doc, dict) or doc.get("schema") not in SCHEMAS:
        got = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        raise UsageError(f"{source}: not a gradproof results document (schema {got!r:.60}, "
                         f"expected one of {', '.join(SCHEMAS)}); write one with "
                         "`gradproof verify --json PATH`")
    try:
        suite = SuiteResult.from_dict(doc)
        names = [op.op for op in suite.ops]
        if len(set(names)) != len(names):  # each op has one page
            raise ValueError(f"op {next(n for n in names if names.count(n) > 1)!r:.60} "
                             "appears twice")
        out = suite.to_dict()  # version and environment come from the document, not this install
        for record, op in zip(doc["ops"], out["ops"]):
            where = f"op {op['op']!r:.60}"
            for part, specs in _SPECS.items():
                value = record.get(part, {"status": "unavailable",
                                          "why": f"this document ({doc['schema']}) has none"})
                op[part] = _variant(value, specs, f"{where}: {part}")
        claims = doc.get("claims", {"status": "unavailable", "why": "not in this document"})
        out["claims"] = _variant(claims, _CLAIMS, "claims")
        _expressions(doc, out)
    except (ValueError, TypeError, RecursionError) as e:
        raise UsageError(f"{source}: does not match the results schema: {e}") from e
    return out


def _expressions(doc: dict[str, Any], out: dict[str, Any]) -> None:
    """The ``expressions`` section: records read back (``ok`` and agreements recomputed),
    derivations and published forms checked; the summary counts them."""
    raw = doc.get("expressions", [])
    if not isinstance(raw, list):
        raise ValueError(f"'expressions' must be a list, got {type(raw).__name__}")
    records = [ExpressionResult.from_dict(e, f"expression #{k}") for k, e in enumerate(raw)]
    out["expressions"] = [expression_entry(record) for record in records]
    out["summary"] = expression_summary(out["summary"], records)


def expression_entry(record: ExpressionResult) -> dict[str, Any]:
    """A record's document entry, its derivation and published form checked against the
    schema (ValueError naming the entry when they do not match)."""
    entry = record.to_dict()
    where = f"expression {record.expr!r:.60}"
    _variant(entry["derivation"], _EXPRESSION, f"{where}: derivation")
    if entry["reference"] is not None:
        _check(entry["reference"], _REFERENCE, f"{where}: reference")
    return entry


def _variant(value: Any, specs: dict[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("status") not in specs:
        got = value.get("status") if isinstance(value, dict) else type(value).__name__
        raise ValueError(f"{where}: status {got!r:.40} is not one of {tuple(specs)}")
    _check(value, specs[value["status"]], where)
    return value


def _check(value: Any, spec: Any, where: str) -> None:
    """Raise ValueError unless ``value`` has the form ``spec`` (a type, NUM, ["list", spec],
    ("opt", spec), ("pair", spec) or a dict of keys, optional ones ending in "?")."""
    if spec is NUM:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif isinstance(spec, dict):
        ok = isinstance(value, dict)
        for key, sub in (spec.items() if ok else ()):
            name = key.rstrip("?")
            if name in value:
                _check(value[name], sub, f"{where}.{name}")
            elif not key.endswith("?"):
                raise ValueError(f"{where}: missing {name!r}")
    elif isinstance(spec, list):
        ok = isinstance(value, list)
        for k, item in enumerate(value if ok else []):
            _check(item, spec[1], f"{where}[{k}]")
    elif isinstance(spec, tuple) and spec[0] == "opt":
        ok = value is None or _check(value, spec[1], where) is None
    elif isinstance(spec, tuple) and spec[0] == "pair":
        ok = isinstance(value, list) and len(value) == 2
        for item in value if ok else []:
            _check(item, ("opt", NUM), where)
    else:  # a type or a tuple of types
        ok = isinstance(value, spec) and not (spec is int and isinstance(value, bool))
    if not ok:
        raise ValueError(f"{where}: expected {_describe(spec)}, got {type(value).__name__}")


def _describe(spec: Any) -> str:
    if spec is NUM or isinstance(spec, type):
        return getattr(spec, "__name__", spec)
    if isinstance(spec, list):
        return "a list"
    if isinstance(spec, tuple) and spec and spec[0] == "pair":
        return "a [number, number or null] pair"
    return "an object" if isinstance(spec, dict) else "text or null"
