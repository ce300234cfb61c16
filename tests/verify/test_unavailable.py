"""A rule derive can neither prove nor spot-check is "unavailable": its own verdict, never a pass —
in the check, the op and suite results, the summary, JUnit and the report's model."""

import numpy as np

import verify
from numeric import Op
from verify.cli_verify import _junit, summary_table
from verify.report.model import PROOF_VERDICT, VERDICT_ORDER, index_model, op_model
from verify.results import VERDICTS, SuiteResult

# NumPy's rint has no SymPy meaning: the rule runs on floats only
UNCHECKABLE = Op("uncheckable_v", lambda x: x + 0.0, (lambda g, out, x: g + 0 * np.rint(x),),
                 doc="out = x, with a rule derive cannot run")


def _result():
    return verify.check_op(UNCHECKABLE, (3,))


def test_the_symbolic_check_is_unavailable_and_the_op_fails():
    r = _result()
    sym = r.cases[0].get("symbolic")
    assert sym.verdict == "unavailable" and "rint" in sym.detail
    assert r.cases[0].get("fd").verdict == "pass"  # the rule is right: FD agrees, no proof
    assert not r.cases[0].ok and not r.ok
    assert r.proof[0]["status"] == "unavailable"
    assert "symbolic unavailable" in r.explain()
    assert r.caught_by() == ["symbolic"]
    assert "unavailable" in VERDICTS and r.counts()["unavailable"] == 1


def test_a_wrong_rule_derive_cannot_prove_still_fails():
    wrong = Op("uncheckable_wrong", lambda x: x + 0.0, (lambda g, out, x: 2 * g + 0 * np.rint(x),))
    sym = verify.check_op(wrong, (3,)).cases[0].get("symbolic")
    assert sym.verdict == "fail"  # the exact VJP in float64 disagrees: a failure, not a gap


def test_suite_summary_junit_and_report_count_it_as_not_passing():
    suite = SuiteResult(0, [_result()])
    assert not suite.ok and suite.summary()["checks"]["unavailable"] == 1
    assert "unavailable" in summary_table(suite).splitlines()[0]
    assert "FAIL: symbolic" in summary_table(suite)
    assert _junit(suite).getroot().find(".//failure") is not None
    doc = dict(suite.to_dict(), claims={"status": "ok", "claims": []})
    model = index_model(doc)
    assert model["counts"]["unavailable"] == 1 and not model["ok"]
    (row,) = model["failures"][:1]
    assert row["op"] == "uncheckable_v"
    assert model["rows"][0]["cells"]["proof"]["verdict"] == "unavailable"
    assert VERDICT_ORDER["unavailable"] < VERDICT_ORDER["pass"]
    assert PROOF_VERDICT["unavailable"] == "unavailable"
    missing = {"status": "unavailable", "why": "not made in this test"}
    op = op_model(dict(doc["ops"][0], derivation=missing, fd=missing, graph=missing), doc)
    assert op["failing"]


def test_a_document_with_unavailable_reads_back():
    doc = SuiteResult(0, [_result()]).to_dict()
    again = SuiteResult.from_dict(doc)
    assert again.summary()["checks"] == doc["summary"]["checks"] and not again.ok


def test_shapes_over_derives_size_guard_are_skipped_not_unavailable():
    r = verify.check_op("multiply", (30, 30), (30, 30))  # 900 entries > 512: not derived
    assert r.proof[0]["status"] == "too-large"
    assert r.cases[0].get("symbolic").verdict == "skipped" and r.ok
