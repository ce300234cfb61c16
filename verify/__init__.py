"""verify — cross-checks symbolic, engine and finite-difference VJPs, and reports on them.

- :func:`check_op` / :func:`assert_op` — one op over its standard cases (or given shapes or
  arrays): six checks per case, results as data (``verify.results``);
- :func:`check_function` / :func:`assert_function` — a whole function written in NumPy: the
  engine's gradient, the exact one (derive) and finite differences (``verify.function``);
- :func:`run_suite` — every op of the table (and plugins), float64 and float32, in parallel;
- :func:`check_expression` / :func:`assert_expression` — a whole expression: derive's closed
  form as generated NumPy, checked against the engine and finite differences at random sizes;
- :mod:`verify.fd` — finite differences with error bars (Ridders, complex step, J·v);
- :mod:`verify.mutants` — built-in wrong VJPs the suite must catch;
- :mod:`verify.strategies` — hypothesis strategies (shapes, domain values) for users' tests.

The names load on first use (PEP 562), so ``verify.report`` — a pure renderer of a saved
results document — imports without ``numeric`` or ``derive``.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["check_op", "assert_op", "check_function", "assert_function", "run_suite", "Options",
           "strategies", "SCHEMA", "CheckResult", "CaseResult", "OpResult", "SuiteResult",
           "check_expression", "assert_expression", "ExpressionResult"]

_WHERE = {"check_op": "verify.api", "assert_op": "verify.api", "run_suite": "verify.suite",
          "check_function": "verify.function", "assert_function": "verify.function",
          "Options": "verify.options", "SCHEMA": "verify.results",
          "CheckResult": "verify.results", "CaseResult": "verify.results",
          "OpResult": "verify.results", "SuiteResult": "verify.results",
          "check_expression": "verify.expression", "assert_expression": "verify.expression",
          "ExpressionResult": "verify.expression_result"}


def __getattr__(name: str) -> Any:
    if name == "strategies":
        return importlib.import_module("verify.strategies")
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'verify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
