"""A cached proof is bound to what the rule computes, not to its source (issue 9, item 2): a rule
whose factory module, helper module, closure, default argument or module global changes after
the first proof is refuted by the second ``prove_rule`` — from memory and from disk."""

import dataclasses
import importlib
import sys
import textwrap

import numpy as np
import pytest

import numeric
from derive import clear_cache, prove_rule
from derive import proof as proof_mod
from numeric.cases import Case

CASE = Case(((3,),))


@pytest.fixture
def helper(tmp_path, monkeypatch):
    """A module outside the repository: a rule factory and a helper the rule calls."""
    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path / "cache"))
    (tmp_path / "stale_helper_for_test.py").write_text(textwrap.dedent("""
        FACTOR = 1

        def scale(v):
            return FACTOR * v

        def make_rule():
            return lambda g, out, x: scale(g * out)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("stale_helper_for_test", None)
    yield importlib.import_module("stale_helper_for_test")
    sys.modules.pop("stale_helper_for_test", None)
    clear_cache()
    proof_mod._PROOFS.clear()


def _exp_with(name, rule):
    return dataclasses.replace(numeric.get_op("exp"), name=name, vjp=(rule,))


def _both_refuted(op):
    assert prove_rule(op, CASE).status == "refuted"  # memory holds the old proof
    clear_cache()
    proof_mod._PROOFS.clear()
    assert prove_rule(op, CASE).status == "refuted"  # only the disk holds it


def test_factory_in_another_module(helper):
    op = _exp_with("exp_factory_for_test", helper.make_rule())
    assert prove_rule(op, CASE).status == "proved"
    helper.FACTOR = 2
    _both_refuted(op)


def test_helper_module_edited_on_disk_and_reloaded(helper, tmp_path):
    op = _exp_with("exp_helper_for_test", lambda g, out, x: helper.scale(g) * out)
    assert prove_rule(op, CASE).status == "proved"
    path = tmp_path / "stale_helper_for_test.py"
    path.write_text(path.read_text().replace("FACTOR * v", "FACTOR * v * 3"))
    importlib.reload(helper)
    _both_refuted(op)


def test_closure(helper):
    factor = [1]
    op = _exp_with("exp_closure_for_test", lambda g, out, x: factor[0] * g * out)
    assert prove_rule(op, CASE).status == "proved"
    factor[0] = -1
    _both_refuted(op)


def test_default_argument(helper):
    def rule(g, out, x, k=[1]):  # noqa: B006 - the mutable default is the scenario
        return k[0] * g * out

    op = _exp_with("exp_default_for_test", rule)
    assert prove_rule(op, CASE).status == "proved"
    rule.__defaults__[0][0] = 2
    _both_refuted(op)


def test_forward_changed_through_a_global(helper):
    """The derivation is bound to the forward the same way: a changed forward re-derives."""
    op = dataclasses.replace(numeric.get_op("exp"), name="exp_fwd_for_test",
                             fwd=lambda x: np.exp(helper.scale(x)))
    assert prove_rule(op, CASE).status == "proved"
    helper.FACTOR = 2
    _both_refuted(op)
