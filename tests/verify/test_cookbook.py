"""verify.cookbook and the report's cookbook page.

The table's published forms are checked against central differences of the table's own NumPy
forwards at random sizes (no derive, no verify FD: tests/verify/expression_helpers.py), so a
typo in a transcribed identity fails here and not as a disagreement with derive. The cookbook
page renders from a saved document in a process that cannot import numeric, derive or SymPy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from expression_helpers import central_gradient, inputs, shapes_at, size_sets
from test_report_fixture import make_document
from test_report_reader import BLOCKER

from verify.cookbook import IDENTITIES, TARGETS, identity
from verify.report import report_files
from verify.report.expressions import expression_slug
from verify.report.reader import normalize

ROOT = Path(__file__).resolve().parents[2]


def test_the_table_holds_20_cookbook_identities_ml_losses_and_the_issue_targets():
    cookbook = [i for i in IDENTITIES if i.group == "cookbook"]
    assert len(cookbook) >= 20 and len({i.eq for i in cookbook}) == len(cookbook)
    assert all(i.eq.split(",")[0].split()[0].isdigit() for i in cookbook)  # equation numbers
    assert {i.eq for i in IDENTITIES if i.group == "ml"} >= {
        "least squares", "logistic regression", "softmax cross-entropy",
        "Gaussian negative log-likelihood"}
    assert len(TARGETS) == 12 and all(identity(t) for t in TARGETS)
    assert len({(i.expr, i.wrt) for i in IDENTITIES}) == len(IDENTITIES)


@pytest.mark.parametrize("ident", IDENTITIES, ids=lambda i: f"({i.eq}) {i.expr}")
def test_published_form_agrees_with_central_differences(ident):
    for k, sizes in enumerate(size_sets(ident.shapes, seed=len(ident.expr))):
        rng = np.random.default_rng([7, k])
        xs = inputs(shapes_at(ident.shapes, sizes), rng)
        out = np.asarray(ident.forward(**xs))
        g = None if out.ndim == 0 else rng.standard_normal(out.shape)
        published = ident.published(**xs) if g is None else ident.published(**xs, G=g)
        for name in ident.wrt:
            want = central_gradient(ident.forward, xs, name, g)
            assert published[name].shape == xs[name].shape
            np.testing.assert_allclose(published[name], want, rtol=1e-6,
                                       atol=1e-6 * max(1.0, np.abs(want).max()),
                                       err_msg=f"({ident.eq}) {ident.expr} ∂/∂{name} {sizes}")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cookbook")
    document = make_document(ops=("add",), failing=(), evil=False)
    (tmp / "doc.json").write_text(json.dumps(document))
    return tmp, document


def test_cookbook_page_renders_from_a_saved_document_without_derive(saved):
    tmp, document = saved
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", BLOCKER, str(tmp / "doc.json"),
                           str(tmp / "site")], capture_output=True, text=True, env=env,
                          timeout=120, cwd=tmp)
    assert done.returncode == 0, done.stderr
    want = report_files(normalize(document))
    for rel in ("cookbook.html", "index.html", *(r for r in want if r.startswith("expr"))):
        assert (tmp / "site" / rel).read_text(encoding="utf-8") == want[rel], rel
    page = (tmp / "site" / "cookbook.html").read_text(encoding="utf-8")
    cookbook = [e for e in document["expressions"] if e["group"] == "cookbook"]
    for e in cookbook:
        assert f'id="{expression_slug(e)}"' in page and f"eq. ({e['reference']['eq']})" in page
        assert e["derivation"]["numpy_source"].splitlines()[0] in page
    assert page.count("<math") >= 4 * len(cookbook)  # ours, the Cookbook's, steps
    assert "2 / 2" in page and "verified" in page
    index = (tmp / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="cookbook.html"' in index and 'href="expressions/' in index


def test_a_failing_expression_shows_its_diagnosis_and_fails_strict(saved):
    from expression_helpers import make_expression
    from test_report_cli import report

    tmp, document = saved
    bad = make_expression("trace(X @ A)", "X", "X=n,n A=n,n", r"A^T", eq="100", fail=True)
    bad["ok"] = True  # a forged verdict: recomputed from the checks on reading
    doc = dict(document, expressions=[*document["expressions"], bad])
    (tmp / "bad.json").write_text(json.dumps(doc))
    assert report("--from", str(tmp / "bad.json"), "--out", str(tmp / "bad")) == 0
    assert report("--from", str(tmp / "bad.json"), "--out", str(tmp / "bad"), "--strict") == 1
    page = (tmp / "bad" / "cookbook.html").read_text(encoding="utf-8")
    assert '<span class="num">1</span> failed' in page
    assert "the generated gradient gives the reference&#39;s transpose" in page
    assert page.index("trace(X @ A)") < page.index("trace(X.T @ A @ X)"), "failures first"
