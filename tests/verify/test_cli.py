"""``gradproof``'s contract: exit 0 ok, 1 a check failed, 2 a usage error in one line; arguments
and outputs refused before any work; one plugin loader for every subcommand (issue 9, item 9)."""

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import verify.cli_verify
import verify.suite
from verify.cli import main

ROOT = Path(__file__).resolve().parents[2]


def gradproof(*args, cwd, timeout=120):
    """``python -m verify.cli ARGS`` from ``cwd``, with this checkout's packages."""
    return subprocess.run([sys.executable, "-m", "verify.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture
def no_suite(monkeypatch):
    """The suite must not start: a usage error is found first."""
    def refuse(*args, **kwargs):
        raise AssertionError("the suite ran before the arguments were checked")
    monkeypatch.setattr(verify.cli_verify, "run_suite", refuse)


@pytest.fixture
def plugin_dir(tmp_path, monkeypatch):
    """A working directory holding broken plugins (unique names: imports are cached)."""
    stamp = f"{os.getpid()}_{time.monotonic_ns()}"
    (tmp_path / f"raises_{stamp}.py").write_text("raise RuntimeError('no licence')\n")
    (tmp_path / f"syntax_{stamp}.py").write_text("def f(:\n    pass\n")
    monkeypatch.chdir(tmp_path)
    return stamp


@pytest.mark.parametrize("argv, message", [
    (["verify", "--seed", "-1"], "the seed must be a non-negative integer, got -1"),
    (["verify", "--seed", "x"], "the seed must be an integer"),
    (["verify", "--dtype", ""], "--dtype '' names nothing"),
    (["verify", "--dtype", "float16"], "unsupported 'float16'"),
    (["verify", "--jobs", "0"], "--jobs: must be at least 1, got 0"),
    (["verify", "--random-cases", "-2"], "must be 0 or more"),
    (["verify", "--timeout", "-1"], "positive number of seconds"),
    (["verify", "--ops", ","], "--ops ',' names nothing"),
    (["verify", "--ops", "add,no_such_op"], "unknown op 'no_such_op'"),
    (["verify", "--json", "/no/such/dir/r.json"], "the directory '/no/such/dir' does not exist"),
    (["verify", "--junit", "."], "is a directory"),
    (["verify", "--json", "same.json", "--junit", "same.json"], "the same file"),
    (["verify", "--plugin", "no_such_plugin_module"], "plugin 'no_such_plugin_module' not "
                                                      "found"),
    (["verify", "--nope"], "unrecognized arguments: --nope"),
    (["derive", "no_such_op"], "no op named"),
    (["derive", "add", "--plugin", "no_such_plugin_module"], "not found"),
    (["report", "--plugin", "no_such_plugin_module"], "not found"),
    (["demo", "--svg", "/no/such/dir/g.svg"], "does not exist"),
    (["no-such-command"], "invalid choice"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else None)
def test_usage_errors_exit_2_with_one_line_and_no_work(argv, message, no_suite, tmp_path,
                                                       monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


@pytest.mark.parametrize("kind, message", [("raises", "raised RuntimeError at import: no "
                                                      "licence"),
                                           ("syntax", "has a syntax error")])
def test_a_broken_plugin_is_a_usage_error(kind, message, plugin_dir, no_suite, capsys):
    for command in ("verify", "derive"):
        argv = [command, "--plugin", f"{kind}_{plugin_dir}"] + (["add"] if command == "derive"
                                                                else [])
        sys.modules.pop(f"{kind}_{plugin_dir}", None)
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"gradproof {command}: ") and message in err, err
        assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback(where, plugin_dir, no_suite, capsys):
    argv = ["verify", "--plugin", f"raises_{plugin_dir}"]
    assert main(["--debug", *argv] if where == "before" else [*argv, "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: no licence" in err


def test_outputs_are_refused_before_the_suite_and_written_whole(tmp_path, monkeypatch, capsys):
    """An unwritable --json used to crash after the whole suite, losing the results."""
    monkeypatch.chdir(tmp_path)
    ran = []
    real = verify.cli_verify.run_suite
    monkeypatch.setattr(verify.cli_verify, "run_suite", lambda *a, **k: ran.append(1) or
                        real(*a, **k))
    assert main(["verify", "--ops", "add", "--json", "missing/r.json"]) == 2 and not ran
    assert main(["verify", "--ops", "add", "--dtype", "float64", "--json", "r.json",
                 "--junit", "r.xml"]) == 0 and ran
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["ok"] is True
    assert "<testsuite" in (tmp_path / "r.xml").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "r.xml"]  # no temp files


def test_duplicate_dtypes_and_ops_are_checked_once(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["verify", "--ops", "add", "--dtype", "float64", "--json", "once.json"]) == 0
    assert main(["verify", "--ops", "add,add", "--dtype", "float64,float64", "--json",
                 "twice.json"]) == 0
    once, twice = (json.loads((tmp_path / f).read_text()) for f in ("once.json", "twice.json"))
    assert [o["op"] for o in twice["ops"]] == ["add"]
    assert len(twice["ops"][0]["cases"]) == len(once["ops"][0]["cases"])


def test_jobs_are_capped_at_the_number_of_ops(monkeypatch, capsys):
    made = []

    class Pool(verify.suite.ProcessPoolExecutor):
        def __init__(self, workers, **kwargs):
            made.append(workers)
            super().__init__(workers, **kwargs)

    monkeypatch.setattr(verify.suite, "ProcessPoolExecutor", Pool)
    assert main(["verify", "--ops", "add,multiply", "--dtype", "float64", "--jobs", "100"]) == 0
    assert made == [2]
    assert "--jobs 100 capped at 2" in capsys.readouterr().err


def test_a_failing_check_exits_1_and_plugins_load_from_the_working_directory(tmp_path):
    """No PYTHONPATH entry for the plugin: the current directory is searched first, by
    derive and by verify (also in its worker processes)."""
    (tmp_path / "cli_ops.py").write_text(textwrap.dedent('''
        import numpy as np
        import numeric
        numeric.register(numeric.Op("cli_half_square", np.square,
                                    (lambda g, out, x: g * x,)))  # wrong: forgot the 2
        numeric.register(numeric.Op("cli_cube", lambda x: x ** 3,
                                    (lambda g, out, x: 3 * g * x * x,)))
    '''))
    derived = gradproof("derive", "cli_cube", "--plugin", "cli_ops", "--shapes", "3",
                        cwd=tmp_path)
    assert derived.returncode == 0 and "proved" in derived.stdout, derived.stderr
    refuted = gradproof("derive", "cli_half_square", "--plugin", "cli_ops", "--shapes", "3",
                        cwd=tmp_path)
    assert refuted.returncode == 1, refuted.stdout + refuted.stderr
    checked = gradproof("verify", "--plugin", "cli_ops", "--ops", "cli_half_square,cli_cube",
                        "--jobs", "2", "--json", "r.json", "--junit", "r.xml", cwd=tmp_path)
    assert checked.returncode == 1, checked.stderr
    assert "cli_half_square" in checked.stdout and "constant factor 0.5" in checked.stdout
    assert "FAIL" in checked.stdout
    # the failure is in the JSON document and the JUnit file as well
    d = json.loads((tmp_path / "r.json").read_text())
    assert d["summary"]["ok"] is False and d["summary"]["checks"]["fail"] > 0
    assert "<failure" in (tmp_path / "r.xml").read_text()
    # piped, progress comes as plain lines on stderr
    assert "2/2 ops checked" in checked.stderr and "\r" not in checked.stderr


def test_a_hung_rule_times_out_and_the_suite_goes_on(tmp_path):
    """A plugin op whose VJP sleeps a minute used to hang `gradproof verify` forever."""
    (tmp_path / "sleepy_ops.py").write_text(textwrap.dedent('''
        import time
        import numpy as np
        import numeric

        def slow(g, out, x):
            time.sleep(60)
            return 2 * g * x

        numeric.register(numeric.Op("sleepy_square", np.square, (slow,)))
    '''))
    start = time.monotonic()
    r = gradproof("verify", "--plugin", "sleepy_ops", "--ops", "sleepy_square,add,exp",
                  "--timeout", "1", "--json", "r.json", cwd=tmp_path, timeout=50)
    assert time.monotonic() - start < 20
    assert r.returncode == 1, r.stderr
    d = {o["op"]: o for o in json.loads((tmp_path / "r.json").read_text())["ops"]}
    sleepy = [c for case in d["sleepy_square"]["cases"] for c in case["checks"]]
    assert any(c["verdict"] == "fail" and "timed out" in c["detail"] and "within 1 s" in
               c["detail"] and "sleepy_square on case" in c["detail"] for c in sleepy)
    for name in ("add", "exp"):
        assert all(c["verdict"] != "fail" for case in d[name]["cases"]
                   for c in case["checks"]), name
    assert "sleepy_square" in r.stdout and "timed out" in r.stdout


def test_an_internal_error_is_one_line_and_exit_3(monkeypatch, capsys):
    """A bug must not look like "a check failed" (1) nor like a usage error (2)."""
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(verify.cli_verify, "run_suite", broken)
    assert main(["verify", "--ops", "add"]) == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "--debug" in err
    assert len(err.strip().splitlines()) == 1


def test_json_and_junit_get_a_plain_files_permissions(tmp_path, monkeypatch, capsys):
    """Written atomically through a temporary file, but not left 0600 (mkstemp's mode). In this
    process: the files' mode comes from the writer and the umask, not from the process."""
    monkeypatch.chdir(tmp_path)
    assert main(["verify", "--ops", "add", "--dtype", "float64", "--json", "r.json",
                 "--junit", "j.xml"]) == 0, capsys.readouterr()
    umask = os.umask(0)
    os.umask(umask)
    for name in ("r.json", "j.xml"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~umask, name
