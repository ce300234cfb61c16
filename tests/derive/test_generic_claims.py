"""Matrix-calculus derivations and the notebook's claims: confirmed exactly, wrong ones refuted."""

import json

import numpy as np
import pytest
import sympy as sp

from derive import check_claim, claims, derivation
from derive.claims import Claim
from derive.generic import GENERIC, GenericRule, _steps, generic_ops, m, n, p


@pytest.mark.parametrize("op", generic_ops())
def test_every_closed_form_is_verified_at_concrete_sizes(op):
    d = derivation(op)
    assert d.kind == "generic"
    closed = [s for s in d.steps if s.title.startswith("closed form")]
    assert closed and all(s.status.startswith("verified") for s in closed), \
        [(s.title, s.status) for s in closed]
    assert all(s.mathml.startswith("<math") for s in d.steps)
    json.dumps(d.to_dict())


@pytest.mark.parametrize("op", ["det", "logdet"])
def test_sympy_silent_zero_for_determinants_is_refused_not_printed_as_true(op):
    steps = derivation(op).steps
    sympy_steps = [s for s in steps if s.title.startswith("SymPy")]
    assert sympy_steps and all(s.status.startswith("refused") for s in sympy_steps)


def test_notebook_matmul_formulas_are_confirmed_by_sympy_at_generic_size():
    steps = derivation("matmul").steps
    generic = [s for s in steps if "verified by SymPy at generic size" in s.status]
    assert any("G B^{T}" in s.latex for s in generic)
    assert any("A^{T} G" in s.latex for s in generic)


def test_a_planted_wrong_generic_formula_is_refuted():
    a, b = sp.MatrixSymbol("A", m, n), sp.MatrixSymbol("B", n, p)
    wrong = GenericRule("matmul", "planted", (("A", m, n), ("B", n, p)), lambda x, y: x * y, "A B",
                        ((r"2 G B^{T}", lambda g, x, y: 2 * g * y.T),
                         ("A^T G", lambda g, x, y: x.T * g)))
    assert (a * b).shape == (m, p)
    steps = _steps(wrong)
    assert steps[2].status.startswith("refuted")      # the planted dA
    assert steps[4].status.startswith("verified")     # the correct dB


def test_generic_table_covers_the_notebook():
    assert {"add", "multiply", "matmul", "exp", "log", "sum", "transpose", "trace", "inv",
            "solve"} <= {r.op for r in GENERIC}
    assert len([r for r in GENERIC if r.op == "matmul"]) == 4


def test_claims_table_is_complete_and_decided():
    table = claims()
    assert len(table) >= 12
    for c in table:
        d = c.to_dict()
        assert set(d) >= {"section", "latex", "sympy", "layout", "verdict", "detail", "op"}
        assert d["verdict"] in ("confirmed", "refuted", "subgradient"), d
    sections = " ".join(c.section for c in table)
    assert "unbroadcast" in sections and "ties" in sections


def test_maximum_tie_claim_says_what_the_derivation_says():
    (tie,) = [c for c in claims() if c.section.endswith("at ties")]
    assert tie.verdict == "subgradient"  # valid, but not the engine's (1/2, 1/2)
    assert "not differentiable" in tie.detail and "subgradient" in tie.detail


def _claim(formulas, op="matmul", shapes=((2, 3), (3, 4))):
    from numeric.cases import Case

    return Claim("planted", "x", "planted", "matrix", op, Case(shapes), formulas)


def test_a_planted_wrong_claim_is_refuted():
    wrong = check_claim(_claim((lambda g, a, b: g @ b.T, lambda g, a, b: g.T @ a)))
    assert wrong.verdict == "refuted"
    assert check_claim(_claim((lambda g, a, b: g @ b.T, lambda g, a, b: a.T @ g))).verdict == \
        "confirmed"
    factor = check_claim(_claim((lambda g, a, b: 2 * g * b, None), op="multiply",
                                shapes=((3,), (3,))))
    assert factor.verdict == "refuted" and "input 0" in factor.detail


def test_a_planted_wrong_identity_is_refuted():
    def identity():
        b = np.array(sp.symbols("b0:6", real=True), dtype=object).reshape(3, 2)
        g = np.array(sp.symbols("g0:8", real=True), dtype=object).reshape(4, 2)
        return b @ g.T, (g @ b.T).T[::-1]

    planted = Claim("planted", "x", "planted", "matrix", None, identity=identity)
    assert check_claim(planted).verdict == "refuted"


def test_every_differential_identity_holds_and_a_wrong_one_is_refuted(monkeypatch):
    from derive import generic

    for rule in GENERIC:
        assert generic._differential_holds(rule), rule.title
    (case3,) = [r for r in GENERIC if r.title == "matrix-matrix (case 3)"]
    monkeypatch.setitem(generic.DIFFERENTIALS, case3.title,
                        ("dF = dA B", lambda x, d: d[0] * x[1]))  # forgets A dB
    assert not generic._differential_holds(case3)
