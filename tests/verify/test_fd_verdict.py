"""verify.fd_verdict: the one FD judgement (fail / unreliable / pass) and the empty-output
rule, and that each of its three users (an op's case, check_function, check_expression) goes
through it: same verdicts, inputs labelled as the user knows them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import verify
from numeric import Op
from verify.expression_inputs import Point
from verify.expression_run import _fd_check
from verify.fd_verdict import empty_output, fd_verdict
from verify.options import Options

OPT = Options()  # safety 10, unreliable 1e-5


def test_a_judged_error_beyond_its_tolerance_fails_even_beside_an_unsure_input():
    r, worst = fd_verdict([("input 0", 1e-3, 1e-12, True), ("input 1", 0.0, 1.0, True)],
                          1e-9, OPT, "Ridders")
    assert (r.verdict, r.error, r.tol, worst) == ("fail", 1e-3, 1e-9, "input 0")
    assert r.detail == "Ridders: input 0 off by 0.001 (relative), tolerance 1e-09"


def test_the_tolerance_grows_with_the_error_bar_and_the_worst_ratio_is_kept():
    # 1e-7 against tol 10 × 1e-8 = 1e-7 passes; 5e-9 against tol 1e-9 is the worse ratio (5)
    entries = [("a", 1e-7, 1e-8, True), ("b", 5e-10, 1e-12, True)]
    r, worst = fd_verdict(entries, 1e-9, OPT, "how")
    assert (r.verdict, r.error, r.tol, worst, r.detail) == ("pass", 1e-7, 1e-7, "a", "how")
    r, worst = fd_verdict(entries + [("c", 5e-9, 0.0, True)], 1e-9, OPT, "how")
    assert (r.verdict, worst) == ("fail", "c")


def test_unsure_inputs_make_it_unreliable_carrying_the_worst_judged_error():
    r, worst = fd_verdict([("input 0 (w)", 2e-10, 1e-12, True), ("input 1 (x)", 0.0, 3e-3, True),
                           ("input 2 (b)", 0.0, 1e-12, False)], 1e-9, OPT, "how")
    assert (r.verdict, r.error, r.tol, worst) == ("unreliable", 2e-10, 1e-9, "input 0 (w)")
    assert r.detail == ("reference unreliable: input 1 (x): FD error bar 0.003; "
                        "input 2 (b): FD error bar 1e-12, reference not finite")
    r, worst = fd_verdict([("x", 0.0, math.nan, True)], 1e-9, OPT, "how")
    assert (r.verdict, r.error, r.tol, worst) == ("unreliable", None, None, None)


def test_a_nan_error_fails_instead_of_slipping_through_every_comparison():
    r, _ = fd_verdict([("x", math.nan, 1e-12, True)], 1e-9, OPT, "how")
    assert r.verdict == "fail" and r.error == math.inf


def test_nothing_to_judge_passes_at_zero_with_the_dtype_tolerance():
    r, worst = fd_verdict([], 2e-4, OPT, "how")
    assert (r.verdict, r.error, r.tol, worst) == ("pass", 0.0, 2e-4, None)


def test_an_empty_output_passes_only_with_exactly_zero_gradients():
    r, worst = empty_output({"input 0": np.zeros((2, 3)), "input 1": np.zeros((0,))})
    assert (r.verdict, r.error, worst) == ("pass", 0.0, None) and "empty sum" in r.detail
    r, worst = empty_output({"input 0": np.zeros(2), "input 1": np.array([0.0, -1e-30])})
    assert (r.verdict, r.error, worst) == ("fail", 1e-30, "input 1")
    assert "input 1's has entries up to 1e-30" in r.detail
    r, _ = empty_output({"x": np.array([np.nan])})
    assert r.verdict == "fail" and r.error == math.inf


# ---- the three users ------------------------------------------------------------------------
def _fd(result):
    return next(c for case in result.cases for c in case.checks if c.check == "fd")


# a mutant: y's rule adds 1 everywhere, so even an empty g gives a non-zero gradient
BAD = Op("matmul_plus_one", np.matmul, (
    lambda g, out, x, y: np.matmul(g, np.swapaxes(y, -1, -2)),
    lambda g, out, x, y: np.matmul(np.swapaxes(x, -1, -2), g) + 1.0))


def test_an_op_with_an_empty_output_and_a_non_empty_input_passes_fd():
    # (0, 2) @ (2, 3) is (0, 3): y's gradient is zeros of (2, 3) — was "unreliable" (bar 1e286)
    fd = _fd(verify.check_op("matmul", np.ones((0, 2)), np.ones((2, 3))))
    assert fd.verdict == "pass" and "empty output" in fd.detail


def test_an_op_whose_rule_is_nonzero_on_an_empty_output_fails_fd():
    fd = _fd(verify.check_op(BAD, np.ones((0, 2)), np.ones((2, 3))))
    assert fd.verdict == "fail" and "input 1's has entries up to 1" in fd.detail


def test_check_function_labels_inputs_by_name_and_passes_an_empty_output():
    def f(x, w):
        return np.tanh(x @ w)[:0]

    r = verify.check_function(f, np.ones((4, 3)), np.ones((3, 2)))
    assert _fd(r).verdict == "pass" and "empty output" in _fd(r).detail

    def wrong(x, w):  # through the mutant: w's gradient is off
        return np.tanh(BAD(x, w))

    rng = np.random.default_rng(1)
    fd = _fd(verify.check_function(wrong, rng.normal(size=(4, 3)), rng.normal(size=(3, 2))))
    assert fd.verdict == "fail" and "input 1 (w) off by" in fd.detail


@pytest.mark.parametrize("out_rows", [0, 2])
def test_check_expression_fd_goes_through_the_shared_verdict(out_rows):
    def forward(X, b):
        return (X @ b)[:out_rows]

    rng = np.random.default_rng(0)
    point = Point(forward, {"X": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}, ["X", "b"],
                  rng)
    fd = _fd_check(point, rng, OPT, 1e-9)
    assert fd.verdict == "pass"
    assert ("empty output" in fd.detail) == (out_rows == 0)
    assert set(point.reference) == {"X", "b"}
    point.engine["b"] = point.engine["b"] + 1.0  # a wrong gradient for b: named by its name
    fd = _fd_check(point, rng, OPT, 1e-9)
    assert fd.verdict == "fail" and "∂/∂b" in fd.detail


def test_the_adjoint_check_never_passes_on_a_nan_reference():
    """sqrt at 0: <G, J v> by differences is NaN (sqrt(-h)), and so is its error bar; both
    compared False with every bound, so the dot-product test passed even a rule off by 2."""
    import dataclasses

    from numeric import get_op

    op = get_op("sqrt")
    wrong = dataclasses.replace(op, name="sqrt_twice", vjp=(lambda g, out, x: g / out,))
    opt = Options(checks=("adjoint",))
    for o in (op, wrong):
        r = verify.check_op(o, np.array([0.0, 1.0, 4.0]), options=opt)
        assert r.cases[0].get("adjoint").verdict == "unreliable", r.cases[0].get("adjoint")
    assert verify.check_op(wrong, np.array([0.5, 1.0, 4.0]), options=opt).cases[0].get(
        "adjoint").verdict == "fail"  # off the boundary the mutant is caught
