"""verify.report — the static HTML report: a pure renderer of a complete results document.

``build_report(document, out)`` takes the ``gradproof.verify/2`` document that
``verify.document.complete`` builds from a finished suite (or one read back from a file with
``verify.report.reader.load``), checks it against the schema, recomputes its summary from the
checks, renders the pages with autoescaping Jinja2 templates and writes the directory
atomically, with the document itself as ``report.json``. It computes nothing else: this package
imports neither ``numeric`` nor ``derive``. The pages need no network and no JavaScript.

>>> from verify.report import build_report                            # doctest: +SKIP
>>> build_report(complete(verify.run_suite()), "reports")              # doctest: +SKIP
PosixPath('/…/reports/index.html')
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from verify.report.atomic import check_out, write_tree
from verify.report.reader import normalize
from verify.report.render import STATIC, render_pages

__all__ = ["build_report", "report_files", "check_out"]


def report_files(document: dict[str, Any]) -> dict[str, str | bytes]:
    """Every file of the report for a normalized document: relative path -> content."""
    files: dict[str, str | bytes] = dict(render_pages(document))
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            files[f"static/{path.relative_to(STATIC).as_posix()}"] = path.read_bytes()
    try:
        files["report.json"] = json.dumps(document, allow_nan=False)
    except ValueError:  # a NaN or infinity the document carried in a number field
        files["report.json"] = json.dumps(_finite(document), allow_nan=False)
    return files


def _finite(data: Any) -> Any:
    """``data`` with NaN and infinities as null, so the sidecar is strict JSON."""
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    return data


def build_report(document: Any, out: str | os.PathLike[str] = "reports", *,
                 force: bool = False) -> Path:
    """Write the report of ``document`` to the directory ``out``; return its ``index.html``.

    ``out`` is checked first (:func:`check_out`: refused when it is a file, the current, a home
    or a git work tree's root directory, or a non-empty directory that is not a gradproof report
    unless ``force``); the directory is replaced only once every page is written.
    """
    target = check_out(out, force=force)
    files = report_files(normalize(document))
    return write_tree(target, files, force=force) / "index.html"
