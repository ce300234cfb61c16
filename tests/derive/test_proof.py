"""prove_rule: every rule in the table is exact at its standard cases; wrong rules are refuted."""

import json

import numpy as np
import pytest
import sympy as sp
from exact_forms_util import no_exact_form

import numeric
from derive import exact_vjp, prove_rule
from derive.compare import compare
from numeric import Op
from numeric.cases import Case, standard_cases

CASES = [pytest.param(name, i, id=f"{name}-{i}")
         for name, op in numeric.all_ops().items() for i in range(len(standard_cases(op)))]


@pytest.mark.parametrize("name, index", CASES)
def test_every_rule_is_exact_at_its_standard_cases(name, index):
    case = standard_cases(numeric.get_op(name))[index]
    if (why := no_exact_form(numeric.get_op(name), case)) is not None:
        proof = prove_rule(name, case)  # derive reports the declared reason, and no verdict,
        if numeric.get_op(name).exact_point is not None:  # unless the op has exact points
            assert proof.status == "spot-checked", (proof.method, proof.detail)
            assert "constructed rational point" in proof.method
            return
        assert proof.status == "unavailable" and why.split(": ", 1)[1] in proof.detail
        return
    proof = prove_rule(name, case)
    assert proof.status in ("proved", "spot-checked"), (proof.method, proof.detail, proof.kink)
    assert ("symbolic proof at shapes" in proof.method) == (proof.status == "proved")
    json.dumps(proof.to_dict())


def _nonzero_case(op):
    """A standard case whose exact VJP is not identically zero for some input."""
    for case in standard_cases(op):
        if no_exact_form(op, case) is not None:
            continue
        exact = exact_vjp(op, case)
        for i, e in enumerate(exact.exprs):
            if e is not None and any(v != 0 for v in e.view(np.ndarray).ravel()):
                return case, i
    return None, None


@pytest.mark.parametrize("name", list(numeric.all_ops()))
def test_doubling_any_rule_is_refuted(name):
    op = numeric.get_op(name)
    if all(no_exact_form(op, c) for c in standard_cases(op)):
        pytest.skip(f"{name} declares no exact form (tests/verify/test_mutants.py catches its "
                    "wrong rules against finite differences)")
    case, i = _nonzero_case(op)
    if case is None:
        pytest.skip(f"{name}: its VJP is identically zero at every standard case")
    if len(case.shapes) != op.nargs:
        op = op.arity(len(case.shapes))
    rules = list(op.vjp)
    good = rules[i]
    rules[i] = lambda g, out, *xs, **params: 2 * good(g, out, *xs, **params)
    proof = prove_rule(op, case, rule=tuple(rules))
    assert proof.status == "refuted" and f"input {i}" in proof.detail


MATMUL = numeric.get_op("matmul")


def test_transposed_matmul_dx_is_refuted_by_shape_and_by_value():
    def transposed(g, out, x, y):
        return np.swapaxes(np.matmul(g, np.swapaxes(y, -1, -2)), -1, -2)

    wrong_shape = prove_rule(MATMUL, Case(((2, 3), (3, 4))), rule=(transposed, MATMUL.vjp[1]))
    assert wrong_shape.status == "refuted" and "shape" in wrong_shape.detail
    square = prove_rule(MATMUL, Case(((2, 2), (2, 2))),
                        rule=(lambda g, out, x, y: np.matmul(g, y), MATMUL.vjp[1]))
    assert square.status == "refuted" and "input 0 (x)" in square.detail


def test_a_rule_that_keeps_one_broadcast_copy_instead_of_summing_is_refuted():
    add = numeric.get_op("add")
    proof = prove_rule(add, Case(((2, 3), (3,))), rule=(add.vjp[0], lambda g, out, x, y: g[0]))
    assert proof.status == "refuted" and "input 1 (y)" in proof.detail


def test_a_reduction_rule_that_forgets_to_broadcast_back_is_refuted():
    total = numeric.get_op("sum")
    proof = prove_rule(total, Case(((2, 3),), {"axis": 1}),
                       rule=(lambda g, out, x, axis=None, keepdims=False: g,))
    assert proof.status == "refuted" and "shape" in proof.detail


def test_wrong_tie_conventions_are_refuted_at_the_kink():
    maximum = numeric.get_op("maximum")
    seed_rule = (lambda g, out, x, y: g * np.where(x > y, 1.0, 0.0),
                 lambda g, out, x, y: g * np.where(x > y, 0.0, 1.0))
    proof = prove_rule(maximum, Case(((2, 3), (2, 3))), rule=seed_rule)
    assert proof.status == "refuted" and "kink" in proof.detail
    absolute = numeric.get_op("abs")
    one_sided = (lambda g, out, x: g * np.where(x > 0, 1.0, -1.0),)
    proof = prove_rule(absolute, Case(((3,),)), rule=one_sided)
    assert proof.status == "refuted" and "kink" in proof.detail


def test_swapped_branches_are_refuted_with_a_witness_point():
    maximum = numeric.get_op("maximum")
    swapped = (maximum.vjp[1], maximum.vjp[0])
    proof = prove_rule(maximum, Case(((3,), (3,))), rule=swapped)
    assert proof.status == "refuted" and "differ at" in proof.detail


def test_a_rule_that_cannot_run_on_symbols_falls_back_to_rational_spot_checks():
    def branchy(g, out, x):  # Python `if` on a value: fine on numbers, not on symbols
        return g * np.array([3 * v * v if v > 0 else 3 * v * v for v in np.ravel(x)],
                            dtype=object).reshape(np.shape(x))

    cube = Op("cube_branchy_for_test", lambda x: x * x * x, (branchy,))
    proof = prove_rule(cube, Case(((3,),)))
    assert proof.status == "spot-checked" and "rational spot checks" in proof.method
    wrong = Op("cube_branchy_wrong_for_test", lambda x: x * x * x,
               (lambda g, out, x: branchy(g, out, x) + g,))
    assert prove_rule(wrong, Case(((3,),))).status == "refuted"


def test_compare_decides_by_cases_and_skips_impossible_orderings():
    x, y, z = sp.symbols("x y z", real=True)
    assert compare(sp.Max(x, y, z), sp.Max(sp.Max(x, y), z))[0] is True
    assert compare(sp.Abs(x), sp.Piecewise((x, x > 0), (-x, True)))[0] is True
    ok, how, witness = compare(sp.Max(x, y), x)
    assert ok is False and how == "cases" and witness[y] > witness[x]
    c = sp.Symbol("c")
    assert compare(sp.Piecewise((x, c), (y, True)), sp.Piecewise((y, ~c), (x, True)), {c})[0]


def test_a_declared_slope_outside_the_one_sided_derivatives_is_refuted():
    from numeric import Kink

    def rule(g, out, x):  # relu with slope 3/2 at 0: consistent rule, impossible convention
        return g * np.where(x > 0, 1.0, np.where(x == 0, 1.5, 0.0))

    odd = Op("relu_odd_kink_for_test", lambda x: np.maximum(x, 0.0), (rule,),
             kink=Kink("relu'(0) = 3/2", place=lambda x: (np.zeros_like(x),), slope=(1.5,)))
    proof = prove_rule(odd, Case(((2,),)))
    assert proof.status == "refuted" and "one-sided derivatives [0, 1]" in proof.detail
