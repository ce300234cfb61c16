"""The report's cache of checked expressions, in ``derive.store`` (namespace ``report-expression``).

Deriving an expression (SymPy's answer above all) takes from a tenth of a second to several
seconds, so the cookbook page — over forty identities — would cost a minute on every report.
Each checked expression is filed as its document entry (``ExpressionResult.to_dict``: plain
JSON, rendered, never executed) under a key bound to everything it is made of: the expression,
the names, the shapes, the seed, the published form, and a fingerprint of the code that made it
— every module of ``derive`` and ``numeric`` (the derivation, the generated code, the engine's
rules) and of verify's expression checks, plus the NumPy and SymPy versions. Editing any of it
derives and checks again. An entry that does not read back as a record is ignored.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from verify.expression_result import ExpressionResult

__all__ = ["cached", "fingerprint"]

NAMESPACE = "report-expression"
FORMAT = 1
_VERIFY = ("expression.py", "expression_run.py", "expression_inputs.py", "expression_derive.py",
           "expression_result.py", "cookbook.py", "fd.py", "diagnose.py", "options.py",
           "results.py")


@functools.lru_cache(maxsize=1)
def fingerprint() -> str:
    """SHA-256 of the code an expression's entry comes from, and the libraries' versions."""
    import numpy
    import sympy

    root = Path(__file__).resolve().parents[1]
    files = sorted([*(root / "derive").rglob("*.py"), *(root / "numeric").rglob("*.py"),
                    *(root / "verify" / name for name in _VERIFY)])
    h = hashlib.sha256(f"{numpy.__version__} {sympy.__version__}".encode())
    for path in files:
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def cached(parts: tuple[Any, ...], make: Callable[[], ExpressionResult]) -> ExpressionResult:
    """The entry filed under ``parts`` (and the code's fingerprint), else ``make()``, filed."""
    from derive import store

    key = store.key(NAMESPACE, FORMAT, fingerprint(), *parts)
    value = store.load(NAMESPACE, key)
    if value is not None:
        from verify.report.reader import expression_entry

        try:
            record = ExpressionResult.from_dict(value)
            expression_entry(record)  # the derivation matches the schema the report reads
            return record
        except (ValueError, TypeError, KeyError, RecursionError):
            pass  # not a record (damaged, tampered): checked again below
    result = make()
    store.save(NAMESPACE, key, result.to_dict())
    return result
