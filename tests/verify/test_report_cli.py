"""``gradproof report``: the printed path, exit statuses, the previous report kept on bad input,
the real suite, and a plugin op named like an HTML injection, end to end."""

from __future__ import annotations

import json
from pathlib import Path

from test_report_fixture import EVIL, make_results


def test_cli_prints_index_path_and_keeps_report_on_bad_input(tmp_path, capsys):
    from verify.cli import main

    src = tmp_path / "results.json"
    src.write_text(json.dumps(make_results(ops=("add", "sum"), evil=False)))
    out = tmp_path / "site"
    assert main(["report", "--from", str(src), "--out", str(out)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert Path(printed[-1]) == out.absolute() / "index.html" and Path(printed[-1]).is_file()
    assert main(["report", "--from", str(src), "--out", str(out), "--strict"]) == 0
    some = tmp_path / "some"  # --ops filters saved results; commas as for `gradproof verify`
    assert main(["report", "--from", str(src), "--ops", "sum,", "--out", str(some)]) == 0
    assert sorted(p.name for p in (some / "ops").iterdir()) == ["sum.html"]
    again = tmp_path / "again"  # an earlier report's sidecar is accepted as input too
    assert main(["report", "--from", str(out / "report.json"), "--out", str(again)]) == 0
    assert json.loads((again / "report.json").read_text())["results"] == json.loads(
        src.read_text())
    before = (out / "index.html").read_bytes()
    src.write_text('{"not": "results"}')
    assert main(["report", "--from", str(src), "--out", str(out)]) == 2
    assert "not a gradproof results JSON" in capsys.readouterr().err
    assert (out / "index.html").read_bytes() == before


def test_cli_strict_fails_on_failures(tmp_path, capsys):
    from verify.cli import main

    src = tmp_path / "results.json"
    src.write_text(json.dumps(make_results(ops=("maximum",), evil=False)))
    assert main(["report", "--from", str(src), "--out", str(tmp_path / "r"), "--strict"]) == 1
    captured = capsys.readouterr()
    assert "checks failed" in captured.err
    assert captured.out.strip().endswith("index.html"), "the report is written all the same"


def test_cli_runs_the_real_suite(tmp_path, capsys):
    """No --from: the verification suite runs (two ops here) and derive fills the derivations."""
    from verify.cli import main

    out = tmp_path / "r"
    assert main(["report", "--ops", "add", "matmul", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(out.absolute() / "index.html")
    data = json.loads((out / "report.json").read_text())
    assert data["results"]["schema"] == "gradproof.verify/1"
    assert [op["op"] for op in data["results"]["ops"]] == ["add", "matmul"]
    page = (out / "ops" / "matmul.html").read_text(encoding="utf-8")
    assert page.count("<math") >= 3 and "proved" in page


PLUGIN = """
from dataclasses import replace
import numeric

exp = numeric.get_op("exp")
numeric.register(replace(exp, name={good!r}, numpy=()))
# exp's rule off by a factor of 2: the meta-test — verify must catch it, the report must show it
numeric.register(replace(exp, name={bad!r}, numpy=(), vjp=(lambda g, out, x: 2 * g * out,)))
"""


def test_user_ops_end_to_end(tmp_path):
    """A plugin registers ``<script>alert(1)</script>`` (exp's rule) and a copy of exp with a
    wrong rule; the real suite checks both. The report shows the first's name as text and the
    second's failures, its graph node in red. In a subprocess: the ops stay out of this
    process's op table."""
    import os
    import subprocess
    import sys

    bad = "exp_times_2"
    (tmp_path / "user_plugin.py").write_text(PLUGIN.format(good=EVIL, bad=bad))
    env = dict(os.environ, PYTHONPATH=str(tmp_path), GRADPROOF_CACHE=str(tmp_path / "cache"))
    out = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "verify.cli", "report", "--plugin", "user_plugin", "--ops", EVIL,
         bad, "--out", str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr  # a report of failures is still a report
    assert done.stdout.strip().endswith("index.html") and "checks failed" in done.stderr
    pages = list(out.rglob("*.html"))
    assert len(pages) == 4
    for page in pages:
        assert "<script" not in page.read_text(encoding="utf-8").lower(), page
    data = json.loads((out / "report.json").read_text())
    evil = (out / data["pages"][EVIL]).read_text(encoding="utf-8")
    assert "op <code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in evil
    assert 'figure class="graph"><svg' in evil and 'stroke="red"' not in evil
    wrong = (out / data["pages"][bad]).read_text(encoding="utf-8")
    assert 'id="failures"' in wrong and 'stroke="red"' in wrong
    index = (out / "index.html").read_text(encoding="utf-8")
    matrix = index[index.index('id="matrix"'):]
    assert matrix.index(f">{bad}</a>") < matrix.index(">&lt;script&gt;"), "failing op first"
