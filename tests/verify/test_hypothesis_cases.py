"""Hypothesis-generated cases: every op of the table, random shapes, params and inputs.

Uses the exported strategies (``verify.strategies.op_inputs``), as a user's suite would. No
check may fail on a correct op; inputs that land on a kink are the kink check's to judge
(the FD checks then say "unreliable", never "fail").
"""

import pytest
from hypothesis import given, settings

import numeric
import verify
from verify import strategies
from verify.checks import Options

NUMERIC = Options(checks=("fd", "adjoint", "raw_shape", "kink", "taylor"))


OPS = [name for name, op in numeric.all_ops().items() if numeric.cases.has_standard_cases(op)]


@pytest.mark.parametrize("name", OPS)
def test_no_false_failures_on_random_cases(name):
    @settings(max_examples=8)
    @given(strategies.op_inputs(name))
    def check(case_inputs):
        case, xs = case_inputs
        r = verify.check_op(name, *xs, params=case.params, options=NUMERIC)
        assert r.ok, f"{case}: {r.explain()}"

    check()


@settings(max_examples=10)
@given(strategies.op_inputs("maximum"))
def test_float32_random_cases(case_inputs):
    case, xs = case_inputs
    r = verify.check_op("maximum", *xs, params=case.params, dtype="float32", options=NUMERIC)
    assert r.ok, r.explain()
