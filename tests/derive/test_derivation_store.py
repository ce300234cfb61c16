"""``derive.derivation`` is served warm from derive.store (issue 9 item 1, issue 10 item 5): the
steps round-trip through JSON, a warm call renders nothing again, and a stored derivation is
dropped as soon as the rule's proof changes."""

import dataclasses
import sys

import pytest

import numeric
from derive import Derivation, clear_cache, derivation, store
from derive import proof as proof_mod
from numeric.cases import Case


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path))
    clear_cache()
    proof_mod._PROOFS.clear()
    yield tmp_path
    clear_cache()
    proof_mod._PROOFS.clear()


@pytest.mark.parametrize("name, case", [("matmul", None), ("exp", Case(((2,),)))])
def test_to_dict_from_dict_round_trip(cache, name, case):
    d = derivation(name, case)
    again = Derivation.from_dict(d.to_dict())
    assert again.to_dict() == d.to_dict()


def test_warm_derivation_does_no_rendering(cache, monkeypatch):
    case = Case(((2, 3),))
    cold = derivation("tanh", case).to_dict()
    clear_cache()
    proof_mod._PROOFS.clear()

    def no(*a, **k):
        raise AssertionError("derived again although the store holds it")

    monkeypatch.setattr(sys.modules["derive.derivation"], "concrete_derivation", no)
    assert derivation("tanh", case).to_dict() == cold


def test_a_changed_rule_drops_the_stored_derivation(cache):
    factor = [1]
    op = dataclasses.replace(numeric.get_op("exp"), name="exp_derivation_for_test",
                             vjp=(lambda g, out, x: factor[0] * g * out,))
    case = Case(((2,),))
    assert derivation(op, case).steps[-1].status.startswith("proved")
    factor[0] = 3
    assert derivation(op, case).steps[-1].status.startswith("refuted")


def test_stored_markup_is_not_trusted(cache):
    d = derivation("exp", Case(((2,),))).to_dict()
    d["steps"][0]["mathml"] = "<script>alert(1)</script>"
    assert "<script>" not in Derivation.from_dict(d).steps[0].mathml
    with pytest.raises(ValueError, match="a derivation is"):
        Derivation.from_dict([])
    key_files = list((store.root() / "derivation").glob("??/*.json"))
    assert key_files
