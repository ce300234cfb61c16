"""``gradproof report``: the printed path, exit statuses, arguments and ``--out`` checked before
any work, the previous report kept on bad input, the real suite, and a plugin op named like an
HTML injection, end to end."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from test_report_fixture import EVIL, make_document

from verify.errors import UsageError
from verify.report.model import slug


def report(*argv: str) -> int:
    """``gradproof report ARGV`` as ``verify.cli`` runs it (a UsageError is its exit status 2)."""
    from verify import cli_report

    parser = argparse.ArgumentParser()
    cli_report.add_parser(parser.add_subparsers())
    args = parser.parse_args(["report", *argv])
    return args.run(args)


def test_cli_prints_index_path_and_keeps_report_on_bad_input(tmp_path, capsys):
    src = tmp_path / "results.json"
    src.write_text(json.dumps(make_document(ops=("add", "sum"), failing=(), evil=False)))
    out = tmp_path / "site"
    assert report("--from", str(src), "--out", str(out)) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert Path(printed[-1]) == out.absolute() / "index.html" and Path(printed[-1]).is_file()
    assert report("--from", str(src), "--out", str(out), "--strict") == 0
    some = tmp_path / "some"  # --ops filters saved results; commas as for `gradproof verify`
    assert report("--from", str(src), "--ops", "sum,", "--out", str(some)) == 0
    assert sorted(p.name for p in (some / "ops").iterdir()) == ["sum.html"]
    again = tmp_path / "again"  # an earlier report's document is accepted as input too
    assert report("--from", str(out / "report.json"), "--out", str(again)) == 0
    assert (again / "report.json").read_text() == (out / "report.json").read_text()
    assert (again / "ops" / "add.html").read_text() == (out / "ops" / "add.html").read_text()
    before = (out / "index.html").read_bytes()
    src.write_text('{"not": "results"}')
    with pytest.raises(UsageError, match="not a gradproof results document"):
        report("--from", str(src), "--out", str(out))
    assert (out / "index.html").read_bytes() == before


def test_cli_strict_fails_on_failures(tmp_path, capsys):
    src = tmp_path / "results.json"
    src.write_text(json.dumps(make_document(ops=("maximum",), evil=False)))
    assert report("--from", str(src), "--out", str(tmp_path / "r"), "--strict") == 1
    captured = capsys.readouterr()
    assert "checks failed" in captured.err
    assert captured.out.strip().endswith("index.html"), "the report is written all the same"


@pytest.mark.parametrize("argv, message", [
    (["--seed", "-1"], "--seed -1: must be 0 or more"),
    (["--jobs", "0"], "--jobs 0: must be between 1 and 64"),
    (["--jobs", "100"], "--jobs 100"),
    (["--ops", ","], "--ops names no op"),
    (["--ops", "add,add"], "names an op twice"),
    (["--ops", "no_such_op"], "unknown op 'no_such_op'"),
    (["--out", "FILE"], "is a file, not a directory"),
    (["--out", "."], "is the current directory"),
    (["--plugin", "no_such_plugin_module"], "plugin 'no_such_plugin_module' not found"),
])
def test_bad_arguments_are_refused_before_the_suite_runs(tmp_path, monkeypatch, argv, message):
    import verify.suite

    def never(*args, **kwargs):
        raise AssertionError("the suite ran before the arguments were checked")

    monkeypatch.setattr(verify.suite, "run_suite", never)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "FILE").write_text("mine")
    argv = argv if "--out" in argv else [*argv, "--out", str(tmp_path / "r")]
    with pytest.raises(UsageError, match=message.replace("(", r"\(")) as err:
        report(*argv)
    assert "\n" not in str(err.value), "one line"
    assert (tmp_path / "FILE").read_text() == "mine" and not (tmp_path / "r").exists()


def test_cli_runs_the_real_suite(tmp_path, capsys):
    """No --from: the suite runs (two ops here) and the document carries their derivations."""
    out = tmp_path / "r"
    assert report("--ops", "add", "matmul", "--out", str(out)) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(out.absolute() / "index.html")
    data = json.loads((out / "report.json").read_text())
    assert data["schema"] == "gradproof.verify/2"
    assert [op["op"] for op in data["ops"]] == ["add", "matmul"]
    matmul = data["ops"][1]
    assert matmul["derivation"]["status"] == "ok" and matmul["derivation"]["steps"]
    assert all(st["latex"] and st["mathml"].startswith("<math") for st in
               matmul["derivation"]["steps"])
    assert matmul["fd"]["status"] == "ok" and matmul["graph"]["svg"].lstrip().startswith("<")
    assert data["claims"]["status"] == "ok" and data["claims"]["claims"]
    page = (out / "ops" / "matmul.html").read_text(encoding="utf-8")
    assert page.count("<math") >= 3 and "proved" in page and "all three agree" in page


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
    # The plugin sits in the working directory, found there as by every subcommand.
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=root, GRADPROOF_CACHE=str(tmp_path / "cache"))
    out = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "verify.cli", "report", "--plugin", "user_plugin", "--ops", EVIL,
         bad, "--out", str(out)], capture_output=True, text=True, env=env, timeout=300,
        cwd=tmp_path)
    assert done.returncode == 0, done.stderr  # a report of failures is still a report
    assert done.stdout.strip().endswith("index.html") and "checks failed" in done.stderr
    pages = list(out.rglob("*.html"))
    assert len(pages) == 5  # index, claims, cookbook (empty: --ops without --cookbook), 2 ops
    for page in pages:
        assert "<script" not in page.read_text(encoding="utf-8").lower(), page
    evil = (out / "ops" / f"{slug(EVIL)}.html").read_text(encoding="utf-8")
    assert "op <code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in evil
    assert 'figure class="graph"><svg' in evil and 'stroke="red"' not in evil
    wrong = (out / "ops" / f"{bad}.html").read_text(encoding="utf-8")
    assert 'id="failures"' in wrong and 'stroke="red"' in wrong
    assert "the engine&#39;s rule disagrees; symbolic and finite differences agree" in wrong
    index = (out / "index.html").read_text(encoding="utf-8")
    matrix = index[index.index('id="matrix"'):]
    assert matrix.index(f">{bad}</a>") < matrix.index(">&lt;script&gt;"), "failing op first"
