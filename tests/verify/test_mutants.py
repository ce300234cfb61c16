"""The verifier is itself verified: every built-in mutant of every rule must be caught.

Data-driven from the op table: each op's mutants (``verify.mutants``) run through
``check_op`` over the op's standard cases; the test records which checks caught each one and
fails naming any mutant that got through. The symbolic check is exercised on mutants separately
(derive's proofs of replaced rules are not cached, so they are the slow part).
"""

import numpy as np
import pytest

import numeric
import verify
from numeric.cases import Case
from verify.checks import Options
from verify.mutants import KINDS, mutants

NUMERIC = Options(checks=("fd", "adjoint", "raw_shape", "kink", "taylor"))


OPS = [name for name, op in numeric.all_ops().items() if numeric.cases.has_standard_cases(op)]


@pytest.mark.parametrize("name", OPS)
def test_every_mutant_is_caught(name):
    caught = {}
    for m in mutants(name):
        caught[m.name] = verify.check_op(m.op, options=NUMERIC).caught_by()
    missed = [m for m, by in caught.items() if not by]
    table = "\n".join(f"{m:40s} caught by {', '.join(by) or 'NOTHING'}"
                      for m, by in caught.items())
    print(f"\n{table}")
    assert not missed, f"mutants not caught:\n{table}"


def test_every_kind_of_mutant_exists_somewhere():
    kinds = {m.kind for name in OPS for m in mutants(name)}
    assert kinds == set(KINDS)


@pytest.mark.parametrize(("name", "kind", "check"), [
    ("maximum", "wrong_tie", "kink"),             # only the kink sees a tie
    ("abs", "wrong_tie", "kink"),
    ("matmul", "transposed", "raw_shape"),        # (3, 2) cannot be summed to (2, 3)
    ("add", "missing_unbroadcast", "fd"),
    ("getitem", "dropped_term", "fd"),            # repeated indices lose a term
    ("multiply", "sign_flip", "taylor"),          # the remainder shrinks like h
])
def test_the_expected_check_catches_the_mutant(name, kind, check):
    found = [m for m in mutants(name) if m.kind == kind]
    assert found, f"{name} has no {kind} mutant"
    for m in found:
        assert check in verify.check_op(m.op, options=NUMERIC).caught_by(), m.name


def test_mutant_diagnoses_name_the_pattern():
    def hint(name, kind, i=0):
        m = next(m for m in mutants(name) if m.kind == kind and m.input == i)
        r = verify.check_op(m.op, (2, 3), (2, 3), options=NUMERIC)
        return r.cases[0].get("fd").diagnosis["hint"]

    assert "sign flip" in hint("multiply", "sign_flip")
    assert "constant factor 2" in hint("multiply", "factor_2")
    m = next(m for m in mutants("add") if m.kind == "missing_unbroadcast" and m.input == 1)
    r = verify.check_op(m.op, (2, 3), (3,), options=NUMERIC)
    assert "broadcast" in r.cases[0].get("fd").diagnosis["hint"]
    m = next(m for m in mutants("tanh") if m.kind == "wrong_axis")
    r = verify.check_op(m.op, (3, 2), options=NUMERIC)
    assert "wrong axis" in r.cases[0].get("fd").diagnosis["hint"]
    m = next(m for m in mutants("matmul") if m.kind == "transposed" and m.input == 0)
    r = verify.check_op(m.op, (3, 3), (3, 3), options=NUMERIC)
    assert "transposed" in r.cases[0].get("fd").diagnosis["hint"]


@pytest.mark.parametrize(("name", "kind"), [("multiply", "sign_flip"), ("matmul", "factor_2"),
                                            ("divide", "dropped_term")])
def test_the_symbolic_check_refutes_mutants(name, kind):
    m = next(m for m in mutants(name) if m.kind == kind)
    r = verify.check_op(m.op, (2, 3), (3,) if name != "matmul" else (3, 2),
                        options=Options(checks=("symbolic",)))
    sym = r.cases[0].get("symbolic")
    assert sym.verdict == "fail", sym


def test_equivalent_mutants_are_dropped():
    # On vectors only, transposing or summing over a size-1 axis changes nothing: no mutant.
    op = numeric.Op("vec_neg", np.negative, (lambda g, out, x: -g,),
                    cases=(Case(((3,),)), Case(((),))))
    kinds = {m.kind for m in mutants(op)}
    assert "transposed" not in kinds and "missing_unbroadcast" not in kinds
    assert {"sign_flip", "factor_2", "extra_sum"} <= kinds
    for m in mutants(op):
        assert not verify.check_op(m.op, options=NUMERIC).ok, m.name
