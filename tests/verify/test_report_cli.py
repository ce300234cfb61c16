"""``gradproof report``: the printed path, exit statuses, the previous report kept on bad input,
the real suite, and a plugin op named like an HTML injection, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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
    import verify
    from verify.cli import main

    if not hasattr(verify, "run_suite"):
        pytest.skip("verify.run_suite not built yet")

    out = tmp_path / "r"
    assert main(["report", "--ops", "add", "matmul", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(out.absolute() / "index.html")
    data = json.loads((out / "report.json").read_text())
    assert data["results"]["schema"] == "gradproof.verify/1"
    assert [op["op"] for op in data["results"]["ops"]] == ["add", "matmul"]
    page = (out / "ops" / "matmul.html").read_text(encoding="utf-8")
    assert page.count("<math") >= 3 and "proved" in page


def test_user_op_named_script_end_to_end(tmp_path):
    """A plugin registers ``<script>alert(1)</script>``; the real suite checks it and the
    report shows its name as text. In a subprocess: the op must not join this process's table."""
    import os
    import subprocess
    import sys

    if not hasattr(__import__("verify"), "run_suite"):
        pytest.skip("verify.run_suite not built yet")
    (tmp_path / "evil_plugin.py").write_text(
        "from dataclasses import replace\nimport numeric\n"
        f"numeric.register(replace(numeric.get_op('exp'), name={EVIL!r}, numpy=()))\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path), GRADPROOF_CACHE=str(tmp_path / "cache"))
    out = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "verify.cli", "report", "--plugin", "evil_plugin", "--ops", EVIL,
         "--out", str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("index.html")
    pages = list(out.rglob("*.html"))
    assert len(pages) == 3
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html.lower(), page
    op_page = next(p for p in pages if p.parent.name == "ops").read_text(encoding="utf-8")
    assert "op <code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in op_page
    assert 'figure class="graph"><svg' in op_page, "the user op's graph is drawn"
