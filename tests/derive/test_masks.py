"""Rules written with a boolean mask (``g * (x > y)``) are proved or refuted, ties included, and
a rule derive cannot check at all is "unavailable": never a pass (proof, derivation, CLI)."""

import numpy as np
import pytest
import sympy as sp

import derive
import numeric
from derive.conditions import as_number
from derive.symbolic import symbols
from numeric import Kink, Op
from numeric.cases import Case
from verify.cli import main

# max(x, y) with the whole gradient to y at a tie: (0, 1), the seed notebook's convention
NOTEBOOK_TIE = Kink("at a tie y receives g", place=lambda x, y: (x, x), slope=(0, 1))
HALF_TIE = Kink("ties split evenly", place=lambda x, y: (x, x), slope=(0.5, 0.5))
CASE = Case(((3,), (3,)), {})


def _max_op(name, dx, dy, kink):
    return Op(name, np.maximum, (dx, dy), kink=kink)


def test_comparisons_become_steps_with_the_tie_value_written_out():
    x, y = sp.symbols("x y", real=True)
    assert as_number(x > y) == sp.Heaviside(x - y, 0)
    assert as_number(x >= y) == sp.Heaviside(x - y, 1)
    assert as_number(x < y) == sp.Heaviside(y - x, 0)
    assert as_number(x <= y) == sp.Heaviside(y - x, 1)
    assert as_number(sp.Eq(x, y)).subs({x: 2, y: 2}) == 1
    assert as_number(sp.true) == 1 and as_number(sp.false) == 0
    assert as_number(x) == x  # a symbol is not a condition


def test_masks_are_numbers_in_arithmetic_and_conditions_in_where():
    a, b = symbols("a", (2,), real=True), symbols("b", (2,), real=True)
    a0, b0 = a.view(np.ndarray)[0], b.view(np.ndarray)[0]

    def at(arr, va, vb):
        return arr.view(np.ndarray)[0].subs({a0: va, b0: vb})

    # at a tie the strict mask is 0, the non-strict one 1: evaluated, not assumed
    assert at(a * (a > b), 1, 1) == 0 and at(a * (a >= b), 1, 1) == 1
    assert at(a * (a > b), 2, 1) == 2 and at(a * (a > b), 1, 2) == 0
    assert at((a > b).astype(float), 2, 1) == 1
    picked = np.where((a > 0) & (b > 0), a, b)  # logic keeps conditions
    assert at(picked, 1, 2) == 1 and at(picked, -1, 2) == 2


def test_a_right_mask_rule_is_proved_with_its_tie_convention():
    op = _max_op("mask_max", lambda g, out, x, y: g * (x > y),
                 lambda g, out, x, y: g * (x <= y), NOTEBOOK_TIE)
    proof = derive.prove_rule(op, CASE)
    assert proof.status == "proved", proof
    assert proof.kink.startswith("confirmed at the kink")


def test_a_mask_rule_with_a_wrong_tie_value_is_refuted_at_the_kink():
    both = _max_op("mask_max_both", lambda g, out, x, y: g * (x >= y),
                   lambda g, out, x, y: g * (x <= y), NOTEBOOK_TIE)  # g to both at a tie
    proof = derive.prove_rule(both, CASE)
    assert proof.status == "refuted"
    assert "at the kink" in proof.detail and "input 0" in proof.detail
    declared_half = _max_op("mask_max_half", lambda g, out, x, y: g * (x > y),
                            lambda g, out, x, y: g * (x <= y), HALF_TIE)
    assert derive.prove_rule(declared_half, CASE).status == "refuted"


def test_a_mask_pointing_the_wrong_way_is_refuted_away_from_ties():
    op = _max_op("mask_max_flipped", lambda g, out, x, y: g * (x < y),
                 lambda g, out, x, y: g * (x <= y), NOTEBOOK_TIE)
    proof = derive.prove_rule(op, CASE)
    assert proof.status == "refuted" and "differ at" in proof.detail


def test_relu_written_with_astype_is_proved():
    relu = Op("mask_relu", lambda x: np.maximum(x, 0),
              (lambda g, out, x: g * (x > 0).astype(g.dtype),),
              kink=Kink("relu'(0) = 0", place=lambda x: (0 * x,), slope=(0,)))
    assert derive.prove_rule(relu, Case(((2, 2),), {})).status == "proved"


# A rule no exact arithmetic can run (NumPy's rint has no SymPy meaning): "unavailable".
UNCHECKABLE = Op("uncheckable", lambda x: x + 0.0, (lambda g, out, x: g + 0 * np.rint(x),),
                 doc="out = x, with a rule derive cannot run")


def test_unavailable_is_its_own_status_and_never_passes():
    proof = derive.prove_rule(UNCHECKABLE, Case(((3,),), {}))
    assert proof.status == "unavailable" and not proof.ok
    assert "rint" in proof.detail
    d = derive.derivation(UNCHECKABLE, Case(((3,),), {}))
    assert not d.ok
    assert d.steps[-1].status.startswith("unavailable")


def test_the_cli_exits_1_when_the_proof_is_unavailable(capsys):
    numeric.register(UNCHECKABLE)
    try:
        assert main(["derive", "uncheckable", "--shapes", "3"]) == 1
    finally:
        numeric.unregister("uncheckable")
    assert "unavailable" in capsys.readouterr().out


@pytest.mark.parametrize("rule, status", [
    (lambda g, out, x, y: g * (x > y), "proved"),
    (lambda g, out, x, y: g * (x >= y), "refuted"),
])
def test_the_cli_proves_or_refutes_a_mask_rule(rule, status, capsys):
    op = numeric.register(_max_op("mask_max_cli", rule, lambda g, out, x, y: g * (x <= y),
                                  NOTEBOOK_TIE))
    try:
        code = main(["derive", op.name, "--shapes", "3;3"])
    finally:
        numeric.unregister(op.name)
    assert code == (0 if status == "proved" else 1)
    assert f"[{status}:" in capsys.readouterr().out
