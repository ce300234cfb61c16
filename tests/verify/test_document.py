"""verify.document / verify.artefacts / verify.results: the complete results document.

A finished suite becomes one document holding every op's derivation (LaTeX and MathML with
statuses), FD curve, graph SVG, cases with every check and a three-way verdict in words, the
claims and the environment; the artefacts are cached in derive.store under keys bound to what
they are made of; the records read back exactly as they were written.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import numeric
import verify
from derive import store
from numeric import draw
from verify import artefacts
from verify.document import complete
from verify.results import CaseResult, CheckResult, SuiteResult


@pytest.fixture(scope="module")
def wrong_exp():
    """exp with its rule off by a factor of 2: the engine is the odd one out."""
    exp = numeric.get_op("exp")
    return replace(exp, name="exp_times_2", numpy=(), vjp=(lambda g, out, x: 2 * g * out,))


@pytest.fixture(scope="module")
def document(wrong_exp):
    suite = verify.run_suite(ops=["exp", "maximum"], seed=0)
    suite.ops.append(verify.check_op(wrong_exp, seed=0))
    table = {**numeric.all_ops(), wrong_exp.name: wrong_exp}
    return suite, complete(suite, table=table)


def test_document_holds_every_artefact(document):
    _, doc = document
    assert doc["schema"] == "gradproof.verify/2" and doc["environment"]["numpy"] == np.__version__
    assert [op["op"] for op in doc["ops"]] == ["exp", "maximum", "exp_times_2"]
    for op in doc["ops"]:
        deriv = op["derivation"]
        assert deriv["status"] == "ok" and deriv["steps"], op["op"]
        for step in deriv["steps"]:
            assert step["latex"] and step["mathml"].startswith("<math") and step["status"]
        assert op["fd"]["status"] == "ok" and len(op["fd"]["points"]) == len(artefacts.STEPS)
        assert op["graph"]["status"] == "ok" and "<svg" in op["graph"]["svg"]
        assert all(case["checks"] and case["agreement"]["text"] for case in op["cases"])
    assert doc["claims"]["status"] == "ok"
    assert all(c["mathml"].startswith("<math") for c in doc["claims"]["claims"])


def test_three_way_verdict_names_the_wrong_rule(document):
    _, doc = document
    wrong = doc["ops"][2]
    assert 'stroke="red"' in wrong["graph"]["svg"], "the failing op's node is red"
    assert 'stroke="red"' not in doc["ops"][0]["graph"]["svg"]
    odd = {case["agreement"]["odd"] for case in wrong["cases"]}
    assert odd == {"engine"}
    assert wrong["cases"][0]["agreement"]["text"] == (
        "the engine's rule disagrees; symbolic and finite differences agree")
    assert {case["agreement"]["odd"] for case in doc["ops"][0]["cases"]} == {None}


@pytest.mark.parametrize("sym, fd, odd, words", [
    ("pass", "pass", None, "all three agree"),
    ("fail", "fail", "engine", "the engine's rule disagrees; symbolic and finite"),
    ("fail", "pass", "symbolic", "the symbolic derivation disagrees"),
    ("pass", "fail", "fd", "finite differences disagree; the engine's rule and the symbolic"),
    ("pass", "unreliable", None, "finite differences could not judge (unreliable)"),
    ("fail", "skipped", "engine", "symbolic derivation disagree;"),
    ("skipped", "fail", None, "no symbolic verdict (skipped) to say which is right"),
    (None, None, None, "no three-way comparison"),
])
def test_agreement_in_words(sym, fd, odd, words):
    checks = [CheckResult(name, v) for name, v in (("symbolic", sym), ("fd", fd)) if v]
    said = CaseResult("c", "", [[2]], {}, "float64", checks + [CheckResult("adjoint", "pass")])
    assert said.agreement()["odd"] == odd and words in said.agreement()["text"]


def test_records_read_back_as_written(document):
    suite, _ = document
    data = suite.to_dict()
    again = SuiteResult.from_dict(data)
    assert again.to_dict() == data
    assert again.summary() == suite.summary()


def test_ops_outside_the_table_get_notes(document):
    suite, _ = document
    doc = complete(SuiteResult(0, [suite.ops[2]]))  # exp_times_2 is not registered
    op = doc["ops"][0]
    assert {op[k]["status"] for k in ("derivation", "fd", "graph")} == {"unavailable"}
    assert "not in this op table" in op["fd"]["why"]


def test_artefacts_come_from_the_store_when_nothing_changed(monkeypatch, tmp_path):
    """Second time round neither the FD table nor Graphviz runs; change what the forward
    computes and both are made afresh."""
    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path))
    exp = numeric.get_op("exp")
    first = (artefacts.fd_curve(exp), artefacts.graph_svg(exp, False))
    assert first[0]["status"] == "ok" and first[1]["status"] == "ok"
    calls = []

    def counted(name, real):
        def wrapped(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(artefacts, "_curve", counted("fd", artefacts._curve))
    monkeypatch.setattr(draw, "render_svg", counted("graph", draw.render_svg))
    assert (artefacts.fd_curve(exp), artefacts.graph_svg(exp, False)) == first
    assert calls == [], "both came from the store"
    changed = replace(exp, fwd=lambda x: np.exp(x) * 1.01)  # a different picture, too
    curve, graph = artefacts.fd_curve(changed), artefacts.graph_svg(changed, False)
    assert calls == ["fd", "graph"] and curve["exact"] != first[0]["exact"]
    assert graph["svg"] != first[1]["svg"]
    assert store.root() == tmp_path


def test_parallel_artefacts_match_serial(document):
    suite, _ = document
    small = SuiteResult(0, suite.ops[:2], suite.created)
    serial, parallel = complete(small), complete(small, jobs=2)
    for a, b in zip(serial["ops"], parallel["ops"]):
        assert a == b


@pytest.mark.parametrize("name", ["exp", "tanh", "matmul", "divide"])
def test_a_proved_rule_is_the_exact_reference(name):
    """Where derive proved the engine's rule exact at the example case, the engine's rule is
    the exact VJP: the curve it gives matches the one against derive.exact_vjp."""
    op = numeric.get_op(name)
    case = str(artefacts.example_case(op))
    by_derive = artefacts.fd_curve(op, seed=3)
    by_rule = artefacts.fd_curve(op, seed=3, proved=(case,))
    assert by_derive["reference"] == "exact (derive)"
    assert by_rule["reference"] == "exact (the engine's rule, proved by derive)"
    assert by_rule["exact"] == pytest.approx(by_derive["exact"], rel=1e-14, abs=1e-300)
    assert artefacts.fd_curve(op, seed=3, proved=("some other case",)) == by_derive


def test_complete_uses_the_suites_proofs(document):
    _, doc = document
    exp = doc["ops"][0]
    assert any(p["status"] == "proved" and p["case"] == exp["fd"]["case"] for p in exp["proof"])
    assert exp["fd"]["reference"] == "exact (the engine's rule, proved by derive)"
    assert doc["ops"][2]["fd"]["reference"] == "exact (derive)", "a wrong rule is no reference"
