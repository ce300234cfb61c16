"""``report --out``: the report owns only what it wrote (verify.report.atomic).

Each test plays what a careless user does: a directory of their own files, ``--out .`` in a git
checkout, a symlink, a regular file, a run killed half-way — and checks that nothing of theirs
is lost and that refusals come before any work, as one-line usage errors.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_report_fixture import make_document

from verify.errors import UsageError
from verify.report import build_report, check_out
from verify.report.atomic import MARKER

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def doc():
    return make_document(ops=("add",), evil=False)


def _tree(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in d.rglob("*") if p.is_file()}


def test_a_directory_of_user_files_is_refused_unless_forced(tmp_path, doc):
    out = tmp_path / "mine"
    (out / "ops").mkdir(parents=True)
    (out / "index.html").write_text("my page")
    (out / "ops" / "notes.txt").write_text("my notes")
    before = _tree(out)
    with pytest.raises(UsageError, match="not a gradproof report .* pass --force"):
        build_report(doc, out)
    assert _tree(out) == before
    build_report(doc, out, force=True)
    after = _tree(out)
    assert after["ops/notes.txt"] == b"my notes", "a user file the report does not write stays"
    assert b"Verification report" in after["index.html"]
    owned = json.loads(after[MARKER])["files"]
    assert "ops/add.html" in owned and "ops/notes.txt" not in owned, "the marker lists its own"


def test_a_saved_results_document_beside_user_files_does_not_make_them_the_reports(tmp_path,
                                                                                     doc):
    """`gradproof verify --json web/report.json` beside a user's site is not a report."""
    out = tmp_path / "web"
    (out / "static").mkdir(parents=True)
    (out / "index.html").write_text("my page")
    (out / "static" / "site.css").write_text("body {}")
    (out / "report.json").write_text(json.dumps(doc))
    before = _tree(out)
    with pytest.raises(UsageError, match="not a gradproof report"):
        build_report(doc, out)
    assert _tree(out) == before


def test_rewriting_a_report_keeps_user_files_and_drops_its_own_stale_pages(tmp_path, doc):
    out = tmp_path / "reports"
    out.mkdir()
    (out / ".gitkeep").write_text("")  # a placeholder: the directory still counts as empty
    build_report(make_document(ops=("add", "sum"), failing=(), evil=False), out)
    (out / "notes.txt").write_text("mine")
    (out / "ops" / "extra.txt").write_text("mine too")
    build_report(doc, out)  # now only "add": sum's page was the report's own, it goes
    assert sorted(p.name for p in (out / "ops").iterdir()) == ["add.html", "extra.txt"]
    assert (out / "notes.txt").read_text() == "mine" and (out / ".gitkeep").exists()
    (out / "ops" / "sum.html").write_text("my own page, same name as a report page")
    with pytest.raises(UsageError, match="ops/sum.html is not the report's file"):
        build_report(make_document(ops=("add", "sum"), failing=(), evil=False), out)
    assert (out / "ops" / "sum.html").read_text().startswith("my own page")
    assert [p.name for p in tmp_path.iterdir()] == ["reports"], "no temporary tree left"


@pytest.mark.parametrize("where, message", [
    ("cwd", "is the current directory"),
    ("parent", "contains the current directory"),
    ("git", "is the root of a git work tree"),
    ("home", "is a home directory"),
])
def test_special_directories_are_refused_even_when_forced(tmp_path, monkeypatch, where, message):
    work = tmp_path / "work"
    (work / ".git").mkdir(parents=True)
    (work / "sub").mkdir()
    (work / "code.py").write_text("print(1)")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    monkeypatch.chdir(work / "sub" if where == "parent" else work)
    out = {"cwd": ".", "parent": "..", "git": str(work), "home": str(tmp_path / "home")}[where]
    if where == "git":
        monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    with pytest.raises(UsageError, match=message):
        check_out(out, force=True)
    assert _tree(tmp_path) == before


def test_a_symlinked_output_is_followed(tmp_path, doc):
    target = tmp_path / "real"
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    index = build_report(doc, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert index.resolve() == (target / "index.html").resolve() and index.is_file()
    build_report(doc, link)  # again: the link still stands, its target holds the report
    assert link.is_symlink() and (target / "report.json").is_file()


def test_a_regular_file_is_refused_and_left_alone(tmp_path, doc):
    path = tmp_path / "results.txt"
    path.write_text("precious")
    with pytest.raises(UsageError, match="is a file, not a directory"):
        build_report(doc, path)
    assert path.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["results.txt"], "no hidden copy"


KILLED = """
import os, signal, sys
from pathlib import Path
from verify.report.atomic import write_tree

real = Path.write_text
def write_text(self, data, *args, **kwargs):
    real(self, data, *args, **kwargs)
    if self.name == "b.html":
        os.kill(os.getpid(), signal.SIGKILL)   # killed half-way through writing the report
Path.write_text = write_text
write_tree(sys.argv[1], {"a.html": "a", "b.html": "b", "c.html": "c"})
"""


def test_leftovers_of_a_killed_run_are_cleaned(tmp_path, doc):
    out = tmp_path / "r"
    done = subprocess.run([sys.executable, "-c", KILLED, str(out)], cwd=tmp_path, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == -signal.SIGKILL
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".r.new-"), left
    lookalike = tmp_path / ".r.new-1-mine"  # a user's directory that merely looks like one
    lookalike.mkdir()
    (lookalike / "keep.txt").write_text("mine")
    build_report(doc, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".r.new-1-mine", "r"]



def test_a_report_from_before_markers_is_replaced_without_force(tmp_path, doc):
    """`make report` over a reports/ directory an earlier gradproof wrote (no marker yet): its
    sidecar identifies it; its pages go, the user's file stays."""
    out = tmp_path / "reports"
    (out / "ops").mkdir(parents=True)
    (out / "index.html").write_text("old index")
    (out / "ops" / "gone.html").write_text("an op no longer reported")
    (out / "report.json").write_text(json.dumps({"schema": "gradproof.report/1", "results": {}}))
    (out / "mine.txt").write_text("mine")
    build_report(doc, out)
    assert sorted(p.name for p in (out / "ops").iterdir()) == ["add.html"]
    assert (out / "mine.txt").read_text() == "mine"
    assert b"Verification report" in (out / "index.html").read_bytes()


def test_replacement_without_renameat2_keeps_user_files(tmp_path, doc, monkeypatch):
    """Where the platform cannot swap two directories in one call, two renames do it."""
    import verify.report.atomic as atomic

    out = tmp_path / "r"
    build_report(doc, out)
    (out / "mine.txt").write_text("mine")
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    build_report(make_document(ops=("sum",), failing=(), evil=False), out)
    assert sorted(p.name for p in (out / "ops").iterdir()) == ["sum.html"]
    assert (out / "mine.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
