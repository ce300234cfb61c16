"""Inputs outside an op's declared domain are named as such (issue 9, item 10), and the
"non-finite at negative inputs" hint appears only when that is what happened."""

import numpy as np
import pytest

import verify
from numeric import Domain, Op, get_op
from verify.domain import outside
from verify.options import Options


def _hints(result):
    return [c.diagnosis["hint"] for case in result.cases for c in case.checks
            if c.verdict == "fail" and c.diagnosis]


def _details(result):
    return " ".join(c.detail for case in result.cases for c in case.checks)


def test_power_at_negative_bases_says_the_inputs_leave_the_domain():
    r = verify.check_op("power", np.array([-1.2, -0.7, 1.5]), np.array([2.0, 4.0, 2.0]))
    assert not r.ok  # nothing was verified at those inputs: not a pass
    hints = _hints(r)
    assert hints and all("outside power's declared domain" in h for h in hints)
    assert all("input 0: 2 of 3 entries outside [0.2, 3]" in h and "[0] = -1.2" in h
               and "[1] = -0.7" in h for h in hints)
    assert "input 1" not in hints[0]  # y = 4 is a real number: the default domain is the reals
    text = " ".join(hints) + _details(r)
    assert "not linear in g" not in text and "negative input" not in text


def test_inputs_inside_the_domain_get_no_note_and_passing_checks_none():
    inside = verify.check_op("power", np.array([0.5, 1.2, 2.5]), np.array([2.0, -1.0, 0.5]))
    assert inside.ok
    past_high = verify.check_op("power", np.array([4.0, 5.0]), np.array([2.0, 0.5]))
    assert past_high.ok and not _hints(past_high)  # outside [0.2, 3], yet right: it passes


@pytest.mark.parametrize("rule, negative", [
    (lambda g, out, x: 2 * g * x + 0 * np.log(x), True),    # NaN exactly at x < 0
    (lambda g, out, x: 2 * g * x + 0 * np.log(-x), False),  # NaN at x > 0
    (lambda g, out, x: 2 * g * x + 0 * np.log(x - 1), False),  # NaN at x < 1: not the sign
])
def test_the_negative_input_hint_only_when_the_nans_are_at_negative_inputs(rule, negative):
    op = Op("domain_square_nan", np.square, (rule,))
    x = np.array([-1.5, -0.5, 0.7, 1.3])
    with np.errstate(all="ignore"):
        r = verify.check_op(op, x, options=Options(checks=("fd",)))
    (hint,) = _hints(r)
    assert "non-finite engine VJP" in hint
    assert ("at negative input values" in hint) is negative


def test_outside_names_entries_of_each_kind_of_domain():
    op = Op("domain_probe", lambda x, y, z: x, (None, None, None),
            domain=(Domain(0.0, 1.0, avoid=(0.5,), margin=0.1), Domain(kind="spd"),
                    Domain(kind="bool")))
    spd = np.eye(2)
    found = outside(op, [np.array([0.2, 0.55, 2.0, np.nan]),
                         np.stack([spd, -spd, spd]), np.array([True, False])])
    assert [f["input"] for f in found] == [0, 1]
    assert found[0]["entries"] == [[1], [2], [3]] and found[0]["count"] == 3
    assert found[0]["domain"] == "[0, 1] avoiding 0.5 (by 0.1)"
    assert found[1]["entries"] == [[1]] and found[1]["values"] == ["not SPD"]
    inv = get_op("inv")
    assert outside(inv, [np.array([[1.0, 2.0], [2.0, 4.0]])])[0]["domain"] == \
        "invertible square matrices"
    assert outside(inv, [np.array([[2.0, 1.0], [0.0, 1.0]])]) == []
