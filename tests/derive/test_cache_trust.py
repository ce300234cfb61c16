"""The derive cache is plain data: hostile, corrupt or tampered entries never run code, never crash
and never change a verdict; op names never become paths (issue 9, item 1)."""

import dataclasses
import json
import os
import pickle
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import numeric
from derive import clear_cache, exact_vjp, prove_rule, serial, store
from derive import proof as proof_mod
from derive.exact import store_key as exact_key
from derive.proof import proof_key
from numeric.cases import Case

_NAME = re.compile(r"[0-9a-f]{64}\.json")


def _forget():
    clear_cache()
    proof_mod._PROOFS.clear()


def _proof_key(op, case):
    return proof_key(op, case)


def _files(root):
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path / "cache"))
    _forget()
    yield tmp_path / "cache"
    _forget()


def test_entries_are_json_under_hashed_names_with_no_pickle(cache):
    prove_rule("matmul", Case(((2, 3), (3,))))
    files = _files(cache)
    assert files and all(_NAME.fullmatch(p.name) for p in files), files
    for p in files:
        json.loads(p.read_text())


@pytest.mark.parametrize("name", ["../../x", "<script>alert(1)</script>", "a/b\\c"])
def test_an_op_name_never_becomes_a_path(cache, tmp_path, name):
    op = dataclasses.replace(numeric.get_op("exp"), name=name)
    assert prove_rule(op, Case(((2,),))).status == "proved"
    outside = [p for p in _files(tmp_path) if cache not in p.parents]
    assert outside == []
    assert all(_NAME.fullmatch(p.name) for p in _files(cache))


def test_a_planted_pickle_is_never_loaded(cache, tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    case = Case(((2,), (2,)))
    for where in (cache / "derive", cache / "derive" / "rule-proofs", cache):
        where.mkdir(parents=True, exist_ok=True)
        (where / "multiply-0123.pkl").write_bytes(pickle.dumps(Payload()))
    assert prove_rule("multiply", case).status == "proved"
    exact_vjp("multiply", case)
    assert not marker.exists()


def test_an_empty_list_as_proof_is_ignored(cache):
    """The issue's repro: a ``[]`` in a proof entry failed a correct rule with AttributeError."""
    op, case = numeric.get_op("multiply"), Case(((2, 3), (3,)))
    store.save("proof", _proof_key(op, case), [])
    store.save("exact", exact_key(op, case), [])
    assert prove_rule(op, case).status == "proved"


def test_a_forged_proved_verdict_for_a_wrong_rule_is_refuted(cache):
    op = dataclasses.replace(numeric.get_op("exp"), name="exp_forged_for_test",
                             vjp=(lambda g, out, x: 2 * g * out,))
    case = Case(((3,),))
    forged = {"op": op.name, "case": str(case), "label": case.label, "status": "proved",
              "method": "exact symbolic proof", "detail": "", "kink": None, "seconds": 0.0}
    store.save("proof", _proof_key(op, case), forged)
    assert prove_rule(op, case).status == "refuted"


def test_a_derivation_tampered_to_match_a_wrong_rule_is_rederived(cache):
    """Stored VJP doubled to agree with a doubled rule, plus a forged proof: still refuted."""
    op = dataclasses.replace(numeric.get_op("tanh"), name="tanh_tampered_for_test",
                             vjp=(lambda g, out, x: 2 * g * (1 - out * out),))
    case = Case(((2,),))
    exact = exact_vjp(op, case)
    doc = exact.to_doc()
    doc["exprs"][0] = serial.encode_array(2 * exact.exprs[0].view(np.ndarray))
    store.save("exact", exact_key(op, case), doc)
    store.save("proof", _proof_key(op, case), {
        "op": op.name, "case": str(case), "label": case.label, "status": "proved",
        "method": "forged", "detail": "", "kink": None, "seconds": 0.0})
    _forget()
    assert prove_rule(op, case).status == "refuted"


def test_a_deeply_nested_or_truncated_file_is_ignored(cache):
    op, case = numeric.get_op("relu"), Case(((3,),))
    assert prove_rule(op, case).status == "proved"
    paths = {ns: store._path(ns, k) for ns, k in (("exact", exact_key(op, case)),
                                                   ("proof", _proof_key(op, case)))}
    text = paths["exact"].read_text()
    paths["exact"].write_text(text[: len(text) // 2])
    paths["proof"].write_text("[" * 200_000 + "]" * 200_000)
    _forget()
    assert prove_rule(op, case).status == "proved"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=12)
    | st.sampled_from(["Add", "Symbol", "Integer", "Pow", "Max", "Piecewise", "x_0", "g_0"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["op", "out", "exprs", "shape", "entries", "seconds", "status"]),
        inner, max_size=4),
    max_leaves=30)


def _mutate(doc, path, junk):
    """``doc`` with the node reached by following ``path`` (indices into lists/dicts) replaced."""
    doc = json.loads(json.dumps(doc))
    node, parent, slot = doc, None, None
    for step in path:
        if isinstance(node, list) and node:
            parent, slot = node, step % len(node)
        elif isinstance(node, dict) and node:
            parent, slot = node, sorted(node)[step % len(node)]
        else:
            break
        node = parent[slot]
    if parent is None:
        return junk
    parent[slot] = junk
    return doc


@pytest.mark.parametrize("name, shapes", [("maximum", ((2,), (2,))), ("matmul", ((2, 2), (2,)))])
def test_fuzzed_entries_never_crash_or_change_the_verdict(cache, name, shapes):
    op, case = numeric.get_op(name), Case(shapes)
    want = prove_rule(op, case).status
    good_exact = store.load("exact", exact_key(op, case))
    good_proof = store.load("proof", _proof_key(op, case))
    assert good_exact is not None and good_proof is not None

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(junk=_JSON, path=st.lists(st.integers(0, 8), max_size=6),
           target=st.sampled_from(["exact", "proof", "both"]))
    def check(junk, path, target):
        if target in ("exact", "both"):
            store.save("exact", exact_key(op, case), _mutate(good_exact, path, junk))
        if target in ("proof", "both"):
            store.save("proof", _proof_key(op, case), _mutate(good_proof, path, junk))
        _forget()
        assert prove_rule(op, case).status == want

    check()


def test_a_re_check_that_sympy_is_slow_at_gives_up_and_derives_again(monkeypatch):
    # the re-check of a stored derivation at a fresh point has its own budget: a point SymPy is
    # slow at (as 1.0/3 as a 2^54 fraction was for norm) counts as "derive again", never a hang;
    # an outer budget that runs out first is still the caller's to see
    import time

    from derive import exact as exact_mod
    from derive.budget import OutOfTime, budget

    def slow(*args):
        time.sleep(2.0)
        return True  # what an unbudgeted re-check would answer, late

    case = Case(((2,),))
    found = exact_vjp("exp", case)
    op = exact_mod.for_case(exact_mod.resolve(numeric.get_op("exp")), case)
    monkeypatch.setattr(exact_mod, "_matches_forward", slow)
    monkeypatch.setattr(exact_mod, "RECHECK_SECONDS", 0.2)
    assert exact_mod.matches_forward(op, found, {}) is False
    monkeypatch.setattr(exact_mod, "RECHECK_SECONDS", 10.0)
    outer = budget(0.2)
    with pytest.raises(OutOfTime) as raised, outer:
        exact_mod.matches_forward(op, found, {})
    assert raised.value.owner is outer
