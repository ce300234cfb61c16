"""verify.report — the static HTML report: derivations, proofs, checks, FD curves and graphs.

``build_report(results, out)`` takes the results JSON of ``verify.run_suite(...).to_dict()`` (or
``gradproof verify --json``), adds what only the report shows (derivation steps and the
notebook's claims from ``derive``, an FD error-vs-step curve and a graph picture per op), renders
the pages with autoescaping Jinja2 templates and writes the directory atomically, with the data
as a ``report.json`` sidecar. The pages need no network and no JavaScript.

>>> from verify.report import build_report          # doctest: +SKIP
>>> build_report(verify.run_suite().to_dict(), "reports")   # doctest: +SKIP
PosixPath('/…/reports/index.html')
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numeric
from verify.report.atomic import write_tree
from verify.report.extras import claims_list, derivation_of, fd_curve, graph_svg
from verify.report.model import slug
from verify.report.render import STATIC, render_pages

__all__ = ["build_report", "collect_extras", "report_files", "SCHEMA"]

SCHEMA = "gradproof.report/1"


def _failing(op: dict[str, Any]) -> bool:
    """Whether any check of ``op`` failed or a proof of its rule was refuted."""
    return (any(chk.get("verdict") == "fail" for case in op.get("cases", [])
                for chk in case.get("checks", []))
            or any(p.get("status") == "refuted" for p in op.get("proof", [])))


def collect_extras(results: dict[str, Any], seed: int | None = None,
                   table: Mapping[str, numeric.Op] | None = None) -> dict[str, Any]:
    """Derivations, claims, FD curves and graph SVGs for the ops in ``results``.

    ``table`` maps names to ops (default: ``numeric.all_ops()``). Ops of ``results`` missing
    from it (a user op registered in another process) get an ``unavailable`` note instead.
    """
    seed = results.get("seed", 0) if seed is None else seed
    table = numeric.all_ops() if table is None else table
    per_op: dict[str, Any] = {}
    for op in results.get("ops", []):
        name = op["op"]
        record = table.get(name)
        missing = {"status": "unavailable", "why": f"op {name!r} is not in this op table"}
        per_op[name] = {
            "derivation": derivation_of(name) if record is not None else dict(missing, steps=[]),
            "fd": fd_curve(record, seed) if record is not None else missing,
            "graph": graph_svg(record, _failing(op), seed) if record is not None else missing,
        }
    return {"ops": per_op, "claims": claims_list()}


def report_files(results: dict[str, Any], extras: dict[str, Any]) -> dict[str, str | bytes]:
    """Every file of the report: relative path -> content (pages, CSS, font, sidecar)."""
    files: dict[str, str | bytes] = dict(render_pages(results, extras["ops"], extras["claims"]))
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            files[f"static/{path.relative_to(STATIC).as_posix()}"] = path.read_bytes()
    sidecar = {"schema": SCHEMA, "results": results,
               "pages": {name: f"ops/{slug(name)}.html" for name in extras["ops"]},
               "claims": extras["claims"], "ops": extras["ops"]}
    files["report.json"] = json.dumps(_finite(sidecar), indent=1, default=repr, allow_nan=False)
    return files


def _validate(results: Any) -> None:
    """Refuse results the pages cannot show, naming the first bad entry."""
    if not isinstance(results, dict) or not isinstance(results.get("ops"), list):
        raise ValueError("build_report: results must be the verify results JSON (a dict with "
                         f"an 'ops' list), got {type(results).__name__}")
    for k, op in enumerate(results["ops"]):
        name = op.get("op") if isinstance(op, dict) else None
        if not isinstance(name, str) or not name:
            raise ValueError(f"build_report: results op #{k} has no 'op' name: {op!r:.80}")
        for j, case in enumerate(op.get("cases", [])):
            if not isinstance(case, dict) or not isinstance(case.get("checks", []), list):
                raise ValueError(f"build_report: op {name!r}, case #{j}: expected a dict with a "
                                 f"'checks' list, got {case!r:.80}")


def _finite(data: Any) -> Any:
    """``data`` with NaN and infinities as strings, so the sidecar is strict JSON."""
    if isinstance(data, float) and not math.isfinite(data):
        return repr(data)
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    return data


def build_report(results: dict[str, Any], out: str | os.PathLike[str] = "reports",
                 extras: dict[str, Any] | None = None) -> Path:
    """Write the report for ``results`` to the directory ``out``; return its ``index.html``.

    The directory is replaced only once every page is written: a failure leaves the old report.
    """
    _validate(results)
    extras = collect_extras(results) if extras is None else extras
    return write_tree(out, report_files(results, extras)) / "index.html"
