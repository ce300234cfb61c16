"""verify.report.reader: a saved document is rendered exactly as it ran — with ``numeric`` and
``derive`` unimportable — its summary is recomputed from the checks (a forged "ok" shows its
failures and fails ``--strict``), and malformed or hostile documents (fuzzed with hypothesis)
are refused with one clear line or rendered with the verdicts they hold, never a crash."""

from __future__ import annotations

import copy
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_report_cli import report
from test_report_fixture import EVIL, make_document

from verify.errors import UsageError
from verify.report import build_report, report_files
from verify.report.reader import load, normalize

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def document():
    return make_document(ops=("add", "maximum", "matmul"))


def _failing_checks(doc: dict) -> int:
    return sum(chk["verdict"] == "fail" for op in doc["ops"] for case in op["cases"]
               for chk in case["checks"])


# ------------------------------------------------------- the report is a pure renderer --------

BLOCKER = """
import sys

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("numeric", "derive", "sympy"):
            raise ImportError(f"{name} is blocked in this test")

sys.meta_path.insert(0, Blocker())
from verify import cli_report
import argparse
parser = argparse.ArgumentParser()
cli_report.add_parser(parser.add_subparsers())
args = parser.parse_args(["report", "--from", sys.argv[1], "--out", sys.argv[2]])
code = args.run(args)
assert not [m for m in sys.modules if m.split(".")[0] in ("numeric", "derive", "sympy")]
sys.exit(code)
"""


def test_saved_document_renders_without_numeric_or_derive(tmp_path, document):
    """The document is rendered in a process that cannot import numeric, derive or SymPy, and
    gives the very pages this process renders from it: nothing is recomputed."""
    src = tmp_path / "doc.json"
    src.write_text(json.dumps(document))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", BLOCKER, str(src), str(tmp_path / "site")],
                          capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    want = report_files(normalize(document))
    for rel, data in want.items():
        got = (tmp_path / "site" / rel).read_bytes()
        assert got == (data.encode() if isinstance(data, str) else data), rel
    page = (tmp_path / "site" / "ops" / "matmul.html").read_text(encoding="utf-8")
    steps = document["ops"][2]["derivation"]["steps"]
    assert steps and all(s["title"].replace("'", "&#39;") in page for s in steps)


def test_report_package_imports_neither_numeric_nor_derive():
    """Not even lazily: no module of verify.report names them."""
    for path in (ROOT / "verify" / "report").glob("*.py"):
        code = [line for line in path.read_text().splitlines()
                if line.lstrip().startswith(("import ", "from "))]
        assert not [line for line in code if any(f"{m}" in line.split()[1].split(".")[0]
                                                 for m in ("numeric", "derive"))], path


# ------------------------------------------------------- trust: the summary ---------------------

def test_forged_summary_shows_failures_and_fails_strict(tmp_path, document, capsys):
    forged = copy.deepcopy(document)
    n = _failing_checks(forged)
    assert n > 0
    forged["summary"] = {"ops": 0, "cases": 0, "ok": True, "worst": [],
                         "checks": {"pass": 0, "fail": 0, "unreliable": 0, "skipped": 0}}
    for op in forged["ops"]:
        for case in op["cases"]:
            case["agreement"] = {"odd": None, "text": "all three agree (forged)"}
    src = tmp_path / "forged.json"
    src.write_text(json.dumps(forged))
    out = tmp_path / "site"
    assert report("--from", str(src), "--out", str(out), "--strict") == 1
    assert f"{n} checks failed" in capsys.readouterr().err
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "failures found" in index and "all checks pass" not in index
    assert f"Failures: {n} checks" in index
    page = (out / "ops" / "maximum.html").read_text(encoding="utf-8")
    assert "forged" not in page and "the engine&#39;s rule disagrees" in page
    deleted = copy.deepcopy(forged)
    del deleted["summary"]
    src.write_text(json.dumps(deleted))
    assert report("--from", str(src), "--out", str(out), "--strict") == 1


def test_a_refuted_proof_fails_the_op_even_with_its_failing_check_removed(tmp_path, document):
    """A hand-made document keeps derive's "refuted" but drops the symbolic check's failure."""
    doc = copy.deepcopy(document)
    for op in doc["ops"]:
        for case in op["cases"]:
            for chk in case["checks"]:
                chk["verdict"] = "pass" if chk["verdict"] == "fail" else chk["verdict"]
    doc["ops"][0].setdefault("proof", []).append({"status": "refuted", "case": "c"})
    src = tmp_path / "refuted.json"
    src.write_text(json.dumps(doc))
    assert report("--from", str(src), "--out", str(tmp_path / "site"), "--strict") == 1


@pytest.mark.parametrize("text, message", [
    ("", "not JSON"),
    ("[1, 2", "not JSON"),
    ('"a string"', "not a gradproof results document"),
    ('{"schema": "gradproof.verify/2", "seed": 0, "ops": [{"op": "add", "cases": [{"case": "c",'
     ' "dtype": "float64", "shapes": [[2]], "checks": [{"check": "fd", "verdict": "ok"}]}]}]}',
     "verdict 'ok' is not one of"),
    ('{"schema": "gradproof.verify/2", "seed": "0", "ops": []}', "'seed' must be int"),
    ('{"schema": "gradproof.verify/2", "seed": 0, "ops": [], "claims": {"status": "ok"}}',
     "claims: missing 'claims'"),
    ('{"schema": "gradproof.verify/2", "seed": 0, "ops": [{"op": "add", "cases": []},'
     ' {"op": "add", "cases": []}]}', "op 'add' appears twice"),
    ('{"schema": "gradproof.verify/2", "seed": 0, "ops": [{"op": "add", "cases": [{"case": "c",'
     ' "dtype": "float64", "shapes": [[2]], "checks": [{"check": "fd", "verdict": "pass",'
     ' "error": 1' + "0" * 400 + '}]}]}]}', "'error' must be float"),
])
def test_documents_off_the_schema_are_refused_in_one_line(tmp_path, text, message):
    src = tmp_path / "bad.json"
    src.write_text(text)
    with pytest.raises(UsageError, match=message) as err:
        load(src)
    assert "\n" not in str(err.value) and str(src) in str(err.value)


def test_a_results_only_document_renders_with_notes(tmp_path, document):
    """A gradproof.verify/1 document (results, no artefacts) renders as what it holds."""
    old = {k: v for k, v in document.items() if k != "claims"}
    old["schema"] = "gradproof.verify/1"
    old["ops"] = [{k: v for k, v in op.items() if k not in ("derivation", "fd", "graph")}
                  for op in old["ops"]]
    build_report(old, tmp_path / "r")
    page = (tmp_path / "r" / "ops" / "matmul.html").read_text(encoding="utf-8")
    assert "this document (gradproof.verify/1) has none" in page
    assert "Failures" in (tmp_path / "r" / "ops" / "maximum.html").read_text(encoding="utf-8")


def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="cannot read it"):
        load(tmp_path / "nope.json")


# ------------------------------------------------------- fuzzing the reader ---------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=20) | st.just(EVIL) | st.just("x" * 100_000),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids,
                                                              max_size=4),
    max_leaves=12)


def _paths(doc: object, prefix: tuple = ()) -> list[tuple]:
    """Every (key path) inside ``doc``, for mutating one entry."""
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for k, v in enumerate(doc[:3]):
            out += _paths(v, prefix + (k,))
    return out


def _verdicts(doc: dict) -> list[tuple]:
    return [(op["op"], case["case"], case["dtype"], chk["check"], chk["verdict"])
            for op in doc["ops"] for case in op["cases"] for chk in case["checks"]]


@pytest.fixture(scope="module")
def small():
    return make_document(ops=("maximum",), evil=False)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_fuzzed_documents_are_refused_or_rendered_with_their_own_verdicts(small, data):
    """Replace one entry anywhere in a document (or delete it) by any JSON value: the reader
    refuses it with a UsageError, or the pages render and show exactly the document's verdicts
    (no script from a name, the failure count from the checks)."""
    doc = copy.deepcopy(small)
    paths = _paths(doc)[1:]
    path = data.draw(st.sampled_from(paths))
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(JSON)
    try:
        clean = normalize(json.loads(json.dumps(doc)))
    except UsageError as e:
        assert "\n" not in str(e)
        return
    assert _verdicts(clean) == _verdicts(doc)
    files = report_files(clean)
    assert clean["summary"]["checks"]["fail"] == sum(v[-1] == "fail" for v in _verdicts(doc))
    for rel, page in files.items():
        if rel.endswith(".html"):
            assert "<script" not in page.lower(), rel


@settings(max_examples=60, deadline=None)
@given(name=st.text(min_size=1, max_size=60), number=st.floats(allow_nan=True),
       detail=st.text(max_size=200))
def test_hostile_names_and_numbers_render_as_text(small, tmp_path_factory, name, number, detail):
    doc = copy.deepcopy(small)
    doc["ops"][0]["op"] = name
    chk = doc["ops"][0]["cases"][0]["checks"][0]
    chk.update(error=number, tol=number, detail=detail + EVIL)
    doc["environment"]["platform"] = EVIL
    out = tmp_path_factory.mktemp("fuzz") / "r"
    build_report(doc, out)
    for page in out.rglob("*.html"):
        assert "<script" not in page.read_text(encoding="utf-8").lower()
    data = json.loads((out / "report.json").read_text(),
                      parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    assert data["ops"][0]["op"] == name
    assert data["ops"][0]["cases"][0]["checks"][0]["error"] == (
        number if math.isfinite(number) else None)
