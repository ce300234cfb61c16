"""verify — cross-checks symbolic, engine and finite-difference VJPs, and reports on them.

- :func:`check_op` / :func:`assert_op` — one op over its standard cases (or given shapes or
  arrays): six checks per case, results as data (``verify.results``);
- :func:`run_suite` — every op of the table (and plugins), float64 and float32, in parallel;
- :mod:`verify.fd` — finite differences with error bars (Ridders, complex step, J·v);
- :mod:`verify.mutants` — built-in wrong VJPs the suite must catch;
- :mod:`verify.strategies` — hypothesis strategies (shapes, domain values) for users' tests.
"""

from verify import strategies
from verify.api import assert_op, check_op
from verify.checks import Options
from verify.results import SCHEMA, CaseResult, CheckResult, OpResult, SuiteResult
from verify.suite import run_suite

__all__ = ["check_op", "assert_op", "run_suite", "Options", "strategies", "SCHEMA",
           "CheckResult", "CaseResult", "OpResult", "SuiteResult"]
