"""``gradproof train-digits`` / ``attention``: the examples are modules of the distribution
(``verify.examples``), imported by name — not files of a source checkout loaded by path."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from verify.cli import main
from verify.cli_examples import load_example

ROOT = Path(__file__).resolve().parents[2]


def test_examples_are_modules_of_a_listed_package():
    for name in ("digits_mlp", "attention"):
        module = load_example(name)
        assert module.__name__ == f"verify.examples.{name}"
        assert Path(module.__file__).parent == ROOT / "verify" / "examples"
    with pytest.raises(KeyError, match="no example 'nope'"):
        load_example("nope")


def test_every_package_ships_in_the_distribution():
    """A package missing from pyproject's list is missing from the wheel (as examples/ was)."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for top in ("derive", "numeric", "verify") for p in (ROOT / top).rglob("__init__.py")}
    assert found == listed
    assert not (ROOT / "examples").exists() or not list((ROOT / "examples").glob("*.py"))


def test_the_examples_run_from_any_directory(tmp_path):
    r = subprocess.run([sys.executable, "-m", "verify.cli", "attention", "--seq", "2", "--dim",
                        "2"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert "all gradients verified" in r.stdout


@pytest.mark.parametrize("argv, message", [
    (["train-digits", "--epochs", "0"], "must be at least 1, got 0"),
    (["train-digits", "--lr", "-1"], "must be a positive number"),
    (["attention", "--seq", "0"], "must be at least 1"),
    (["attention", "--seed", "-3"], "non-negative"),
])
def test_example_arguments_are_checked(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
