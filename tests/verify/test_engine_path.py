"""What verify sees of the engine: gradients through ``numeric.vjp``, their dtype, raw shapes.

Review findings 1 and 5: solve's batch broadcasting with stretched size-1 axes, a raw rule that
returns the full-batch cotangent (unbroadcast sums it, in one place), an engine gradient of the
wrong dtype, and a bug in the engine's backward path rather than in a rule.
"""

import numpy as np

import numeric
import numeric.autodiff
import verify
from numeric import Op, get_op
from numeric.cases import standard_cases
from verify.checks import Options

NUMERIC = Options(checks=("fd", "adjoint", "raw_shape", "kink", "taylor"))
STRETCHED = ((3, 1, 2, 2), (5, 1, 4, 2, 2))  # the review's repro: a's batch axis 1 becomes 4
# The standard case: small enough for derive's proof, every kind of batch axis is there (b's
# leading 3 is new to a; a's and b's size-1 axes are each stretched by the other).
SMALL = ((2, 1, 2, 2), (3, 1, 2, 2, 1))


def _failed(result):
    return {c.check: c for case in result.cases for c in case.checks if c.verdict == "fail"}


def test_solve_is_right_under_stretched_batch_axes():
    for shapes in (STRETCHED, SMALL):
        r = verify.check_op("solve", *shapes, options=NUMERIC)
        assert r.ok, r.explain()
    assert SMALL in [c.shapes for c in standard_cases(get_op("solve"))]


def test_solve_raw_rules_return_the_full_batch_and_verify_accepts_it():
    solve = get_op("solve")
    a = np.random.default_rng(0).normal(size=STRETCHED[0]) + 3 * np.eye(2)
    b = np.random.default_rng(1).normal(size=STRETCHED[1])
    out = np.linalg.solve(a, b)
    g = np.ones(out.shape)
    assert [np.shape(rule(g, out, a, b)) for rule in solve.vjp] == [out.shape, out.shape]
    raw = verify.check_op("solve", *STRETCHED, options=Options(checks=("raw_shape",)))
    assert raw.cases[0].get("raw_shape").verdict == "pass"


def test_a_raw_shape_beyond_the_batch_is_refused():
    solve = get_op("solve")
    # One extra leading axis of two halves sums to the right gradient, but no broadcast made it.
    halves = Op("solve_halves", solve.fwd, (
        lambda g, out, a, b: np.stack([solve.vjp[0](g, out, a, b) / 2] * 2), solve.vjp[1]),
        domain=solve.domain, kind=solve.kind)
    r = verify.check_op(halves, (2, 2), (2, 3), options=NUMERIC)
    assert set(_failed(r)) == {"raw_shape"}, r.explain()
    assert "(2, 2, 2)" in _failed(r)["raw_shape"].detail


def test_a_gradient_of_the_wrong_dtype_fails():
    # Right values, but float64 for a float32 input: the engine must keep the input's dtype.
    upcast = Op("user_upcast_sin", np.sin,
                (lambda g, out, x: g * np.cos(x).astype(np.float64),))
    assert verify.check_op(upcast, (2, 3), dtype="float64", options=NUMERIC).ok
    r = verify.check_op(upcast, (2, 3), dtype="float32", options=NUMERIC)
    failed = _failed(r)
    assert failed, "a float64 gradient for a float32 input passed"
    detail = " ".join(c.detail for c in failed.values())
    assert "float64" in detail and "float32" in detail, detail


def test_a_bug_in_the_engines_backward_is_caught(monkeypatch):
    # The rules are right; the engine's seed handling doubles the cotangent. Verify must go
    # through the engine (numeric.vjp) to see it.
    seed = numeric.backprop._seed
    monkeypatch.setattr(numeric.autodiff, "_seed", lambda *a: 2 * seed(*a))
    r = verify.check_op("tanh", (2, 3), options=NUMERIC)
    assert "fd" in _failed(r), r.explain()
