"""check_expression on derive's real results: issue 12's targets and every cookbook identity.

derive's generated gradient is compared here with central differences of the cookbook table's
own NumPy forward (tests/verify/expression_helpers.py), independently of derive's exact checks
and of verify's FD; then check_expression must give each identity a full pass, with the
published form agreeing; a planted wrong gradient inside a real derive result is caught; and
``gradproof verify --expr`` prints the whole arc.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
from expression_helpers import central_gradient, inputs, shapes_at, size_sets

import derive
from verify import cli_verify
from verify.cookbook import IDENTITIES, TARGETS, check_identity, identity
from verify.errors import UsageError
from verify.expression import check_expression
from verify.report.reader import normalize


@pytest.fixture(scope="module")
def derived():
    """derive's result per identity (derived once: SymPy's answer is the slow part)."""
    return {}


def _derive(cache: dict, ident):
    if ident.expr not in cache:
        cache[ident.expr] = derive.expression(ident.expr, list(ident.wrt), ident.shapes)
    return cache[ident.expr]


@pytest.mark.parametrize("ident", IDENTITIES, ids=lambda i: f"({i.eq}) {i.expr}")
def test_derive_code_agrees_with_central_differences(ident, derived):
    result = _derive(derived, ident)
    for k, sizes in enumerate(size_sets(ident.shapes, seed=len(ident.expr) + 1)):
        rng = np.random.default_rng([11, k])
        xs = inputs(shapes_at(ident.shapes, sizes), rng)
        out = np.asarray(ident.forward(**xs))
        g = None if out.ndim == 0 else rng.standard_normal(out.shape)
        got = result.numpy_function(**xs) if g is None else result.numpy_function(**xs, G=g)
        got = got if isinstance(got, dict) else {ident.wrt[0]: got}
        for name in ident.wrt:
            want = central_gradient(ident.forward, xs, name, g)
            np.testing.assert_allclose(got[name], want, rtol=1e-6,
                                       atol=1e-6 * max(1.0, np.abs(want).max()),
                                       err_msg=f"{ident.expr} ∂/∂{name} at {sizes}")


@pytest.mark.parametrize("ident", IDENTITIES, ids=lambda i: f"({i.eq}) {i.expr}")
def test_every_identity_is_verified_exactly_by_derive(ident, derived):
    """(55) logdet(X.T @ X) was refuted at m=2, n=3, where XᵀX is singular for every X."""
    result = _derive(derived, ident)
    assert result.ok, {w: c.status for w, c in result.exact.items()}


@pytest.mark.parametrize("expr", TARGETS)
def test_issue_targets_pass_every_check(expr, derived):
    ident = identity(expr)

    def published(xs, g):
        return ident.published(**xs) if g is None else ident.published(**xs, G=g)

    r = check_expression(expr, list(ident.wrt), ident.shapes, derivation=_derive(derived, ident),
                         reference=published)
    assert r.ok, r.explain()
    assert len(r.cases) >= 2 and all(c.agreement()["odd"] is None for c in r.cases)
    assert min(min(s) for s in r.cases[0].shapes if s) >= 3  # the first set: every size >= 3
    assert all(c.get("reference").verdict == "pass" for c in r.cases)


def test_check_identity_files_the_published_form():
    r = check_identity(identity("trace(A @ X)"))
    assert r.ok and r.group == "cookbook" and r.title == "(100)"
    assert r.reference == {"source": "The Matrix Cookbook", "eq": "100", "latex": r"A^T \quad "
                           r"(\mathrm{Tr}(AX) = \mathrm{Tr}(XA))"}


def test_a_wrong_gradient_planted_in_a_real_result_is_caught(derived):
    """derive's result for det(X), its generated gradient swapped for adj(X)ᵀ written as
    tr(X)·I − X (true at n = 2 only)."""
    real = _derive(derived, identity("det(X)"))

    class Planted:
        def __init__(self):
            self.__dict__.update(real.__dict__)
            self.numpy_function = lambda *, X: (np.trace(X) * np.eye(len(X)) - X).T

        def __getattr__(self, name):
            return getattr(real, name)

    r = check_expression("det(X)", "X", "X=n,n", derivation=Planted())
    assert not r.ok and r.derived and not r.verified
    assert "the symbolic derivation disagrees" in r.explain()


def _verify(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli_verify.add_parser(parser.add_subparsers())
    args = parser.parse_args(["verify", *argv])
    return args.run(args)


def test_cli_prints_the_whole_arc_and_writes_the_document(tmp_path, capsys):
    out = tmp_path / "r.json"
    code = _verify("--expr", "logdet(X)", "--wrt", "X", "--shapes", "X=n,n",
                   "--sizes", "n=3; n=5", "--json", str(out))
    text = capsys.readouterr().out
    assert code == 0, text
    for part in ("closed form  ∂l/∂X =", "exact check at", "SymPy: refused", "def gradient",
                 "n = 3", "n = 5", "all three agree", "verdict: ok"):
        assert part in text, part
    doc = normalize(json.loads(out.read_text()))
    (entry,) = doc["expressions"]
    assert entry["ok"] and entry["derivation"]["forms"][0]["wrt"] == "X"
    assert [c["label"] for c in entry["cases"]] == ["n = 3", "n = 5"]
    assert doc["summary"]["ok"] and doc["summary"]["expressions"] == {"count": 1, "failed": 0}


@pytest.mark.parametrize("argv, message", [
    (["--expr", "trace(X)", "--wrt", "X"], "needs --wrt NAMES and --shapes"),
    (["--wrt", "X"], "go with --expr"),
    (["--expr", "trace(X)", "--wrt", "X", "--shapes", "X=n,n", "--ops", "add"], "--ops"),
    (["--expr", "trace(X)", "--wrt", "X", "--shapes", "X=n,n", "--sizes", "n=0"], "--sizes"),
    (["--expr", "__import__('os')", "--wrt", "X", "--shapes", "X=n,n"], "--expr"),
    (["--expr", "trace(X @ Y)", "--wrt", "X", "--shapes", "X=n,n Y=m,m"], "--expr"),
])
def test_cli_refuses_bad_input_with_one_line(argv, message):
    with pytest.raises(UsageError, match=message):
        _verify(*argv)


def test_report_expr_adds_a_page_and_refuses_what_it_cannot_do(tmp_path, monkeypatch):
    from test_report_cli import report

    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "site"
    assert report("--ops", "add", "--expr", "a @ X @ b", "--wrt", "X", "--shapes",
                  "a=m X=m,n b=n", "--out", str(out)) == 0
    (page,) = (out / "expressions").iterdir()
    html = page.read_text(encoding="utf-8")
    assert "a @ X @ b" in html and "def gradient" in html and "all three agree" in html
    assert f'href="expressions/{page.name}"' in (out / "index.html").read_text(encoding="utf-8")
    assert "No cookbook in this document" in (out / "cookbook.html").read_text(encoding="utf-8")
    with pytest.raises(UsageError, match="each --expr needs its --wrt and --shapes"):
        report("--ops", "add", "--expr", "a @ X @ b", "--out", str(tmp_path / "x"))
    with pytest.raises(UsageError, match="--expr has no effect with --from"):
        report("--from", str(out / "report.json"), "--expr", "det(X)", "--wrt", "X",
               "--shapes", "X=n,n", "--out", str(tmp_path / "y"))
    with pytest.raises(UsageError, match="--expr 'trace"):
        report("--ops", "add", "--expr", "trace(X", "--wrt", "X", "--shapes", "X=n,n",
               "--out", str(tmp_path / "z"))


def test_cookbook_entries_reuse_derives_checks_and_verify_the_code_again(tmp_path, monkeypatch):
    from derive.expression import cache

    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path))
    monkeypatch.setattr(cache, "_MEMORY", {})
    ident = identity("trace(X @ X)")
    first = check_identity(ident, cache=True)
    exact, code = [], []
    import verify.expression as vx
    from derive.expression import api

    monkeypatch.setattr(api, "check_closed_forms", lambda *a, **k: exact.append(a))
    real = vx.run_random
    monkeypatch.setattr(vx, "run_random", lambda *a, **k: code.append(a) or real(*a, **k))
    monkeypatch.setattr(cache, "_MEMORY", {})  # a new process: from disk
    again = check_identity(ident, cache=True)
    assert exact == [], "derive's exact checks are read from its store"
    assert len(code) == 1, "the generated code is verified every time"
    strip = lambda d: {k: v for k, v in d.items() if k != "seconds"}  # noqa: E731
    assert strip(again.to_dict()["derivation"]) == strip(first.to_dict()["derivation"])
    assert again.ok and [c.ok for c in again.cases] == [c.ok for c in first.cases]
