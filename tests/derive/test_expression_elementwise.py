"""Elementwise functions whose derivative needs π, 2ᵗ or a jump (derive/expression/elementwise.py):
deg2rad, rad2deg, exp2, sinc are derived in closed form; sign and clip with the op table's kink
conventions. Each generated gradient against central differences of a hand-written forward."""

from __future__ import annotations

import numpy as np
import pytest

import derive
import numeric
from derive.expression import ExprError, check_closed_form

# function, the forward written by hand (independent of derive and of the op table)
FORWARDS = {
    "deg2rad": lambda x: x * np.pi / 180,
    "rad2deg": lambda x: x * 180 / np.pi,
    "exp2": lambda x: 2.0 ** x,
    "sinc": lambda x: np.sin(np.pi * x) / (np.pi * x),
    "sign": lambda x: np.where(x > 0, 1.0, np.where(x < 0, -1.0, 0.0)),
    "clip": lambda x: np.minimum(np.maximum(x, -1.0), 1.0),
}


def _central(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(x)
    for k in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[k] += h
        down[k] -= h
        grad[k] = (np.sum(f(up)) - np.sum(f(down))) / (2 * h)
    return grad


@pytest.mark.parametrize("fn", sorted(FORWARDS))
@pytest.mark.parametrize("seed", [0, 1])
def test_derived_and_checked_and_right(fn, seed):
    r = derive.expression(f"sum(A * {fn}(X))", "X", "A=m,n X=m,n")
    assert r.ok, r.exact["X"].status
    assert "verified exactly" in r.exact["X"].status
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (4, 3))
    x = rng.uniform(-2, 2, (4, 3))
    x = np.where(np.abs(x) < 0.1, 0.5, x)                 # off sign's and sinc's 0
    x = np.where(np.abs(np.abs(x) - 1) < 0.1, 1.5, x)     # off clip's bounds
    np.testing.assert_allclose(r.numpy_function(A=a, X=x),
                               _central(lambda v: a * FORWARDS[fn](v), x), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fn, at", [("sign", 0.0), ("clip", -1.0), ("clip", 1.0)])
def test_jumps_follow_the_op_tables_kink_convention(fn, at):
    op = numeric.all_ops()[fn]
    r = derive.expression(f"sum({fn}(X))", "X", "X=n")
    got = r.numpy_function(X=np.array([at, 0.3, 3.0]))
    assert got[0] == op.kink.slope[0]
    assert got[2] == 0.0 and got[1] == (0.0 if fn == "sign" else 1.0)


@pytest.mark.parametrize("expr, right, wrong", [
    ("sum(deg2rad(X))", "pi / 180 * ones(m, n)", "pi / 90 * ones(m, n)"),
    ("sum(rad2deg(X))", "180 / pi * ones(m, n)", "180 * ones(m, n)"),
    ("sum(exp2(X))", "log(2) * exp2(X)", "exp2(X)"),
    ("sum(sinc(X))", "(cos(pi * X) - sinc(X)) / X", "cos(pi * X) / X"),
])
def test_stated_forms_with_pi_and_log2_are_judged(expr, right, wrong):
    assert check_closed_form(expr, "X", "X=m,n", right).ok
    refuted = check_closed_form(expr, "X", "X=m,n", wrong)
    assert not refuted.ok and refuted.status.startswith("refuted"), refuted.status


def test_pi_is_not_a_name_of_user_expressions():
    with pytest.raises(ExprError, match="unknown name 'pi'"):
        derive.expression("sum(pi * X)", "X", "X=n")


def test_relu_slope_at_zero_follows_the_op_tables_kink_convention():
    # relu's record says relu'(0) = 0; the generated gradient must say the same as the engine
    x = np.array([-1.0, 0.0, 2.0])
    generated = derive.expression("sum(relu(x))", "x", "x=n").numpy_function(x=x)
    engine = numeric.grad(lambda t: numeric.relu(t).sum())(x)
    np.testing.assert_array_equal(generated, engine)
    assert generated[1] == 0.0
