"""verify asks derive for proofs (one store, derive's) and refuses to run without it."""

import dataclasses
import subprocess
import sys

import pytest

import derive
import derive.proof
import numeric
import verify
from verify.proofs import DeriveUnavailable, prove


def test_derive_unimportable_is_a_clear_error_not_a_skipped_check(monkeypatch):
    monkeypatch.setitem(sys.modules, "derive", None)
    with pytest.raises(DeriveUnavailable, match="symbolic check needs derive, which cannot be "
                                                 "imported"):
        verify.check_op("exp", (3,))


def test_derive_unimportable_in_a_fresh_process_exits_with_the_message():
    code = ("import sys; sys.modules['derive'] = None\n"
            "import verify\n"
            "try:\n    verify.check_op('exp', (3,))\n"
            "except Exception as e:\n    print(type(e).__name__, e); sys.exit(3)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 3, run.stderr
    assert run.stdout.startswith("DeriveUnavailable") and "cannot be imported" in run.stdout


def test_verify_keeps_no_proof_cache_of_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path))
    derive.clear_cache()  # memory too: this process may have proved exp before
    derive.proof._PROOFS.clear()
    proof = prove(numeric.get_op("exp"), numeric.cases.Case(((3,),)))
    assert proof["status"] == "proved"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exact", "proof"]


def test_a_replacement_rule_is_judged_against_the_table_forward(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path))
    base = numeric.get_op("exp")
    mutant = dataclasses.replace(base, vjp=(lambda g, out, x: 2 * g * out,))
    assert prove(mutant, numeric.cases.Case(((3,),)))["status"] == "refuted"
    assert prove(base, numeric.cases.Case(((3,),)))["status"] == "proved"
