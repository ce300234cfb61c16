"""verify on complex inputs (``dtype="complex128"``): the ops declaring complex support pass; a
conjugated rule (PyTorch's convention in autograd's engine) fails on the imaginary direction; ops
without the declaration are skipped, saying why; the CLI takes ``--dtype complex128``."""

import dataclasses

import numpy as np
import pytest

import numeric
from numeric import get_op
from verify import check_op
from verify.cli import main

COMPLEX = sorted(n for n, op in numeric.all_ops().items() if op.complex)


@pytest.mark.parametrize("name", ["multiply", "divide", "log", "abs", "angle", "imag", "conjugate",
                                  "matmul", "einsum", "sum", "getitem", "inv"])
def test_complex_ops_pass(name):
    r = check_op(name, dtype="complex128", seed=3)
    assert r.ok, r.explain()
    fd = [c for case in r.cases for c in case.checks if c.check == "fd"]
    assert fd and all(c.verdict == "pass" for c in fd)


# PyTorch's convention is the conjugate of autograd's: each mutant is a rule written for it.
CONJUGATED = [
    ("multiply", 0, lambda g, out, x, y: g * np.conj(y), False),
    ("exp", 0, lambda g, out, x: g * np.conj(out), False),
    # Real outputs (G real): these have the right slope along the real direction, so only the
    # imaginary direction can catch them.
    ("abs", 0, lambda g, out, x: g * x / out, True),
    ("imag", 0, lambda g, out, x: 1j * g, True),
    ("angle", 0, lambda g, out, x, **p: np.conj(get_op("angle").vjp[0](g, out, x, **p)), True),
]


@pytest.mark.parametrize("name, which, rule, imaginary_only", CONJUGATED,
                         ids=[c[0] for c in CONJUGATED])
def test_a_conjugated_rule_is_caught(name, which, rule, imaginary_only):
    op = get_op(name)
    vjp = list(op.vjp)
    vjp[which] = rule
    mutant = dataclasses.replace(op, name=f"{name}_conjugated", vjp=tuple(vjp))
    r = check_op(mutant, dtype="complex128", seed=0)
    assert not r.ok
    bad = [c for case in r.cases for c in case.checks if c.verdict == "fail"]
    assert bad and all(c.check == "fd" for c in bad)
    if imaginary_only:
        assert all("imaginary direction" in c.detail for c in bad), bad[0].detail


def test_real_only_ops_are_skipped_saying_why():
    r = check_op("maximum", dtype="complex128")
    assert r.cases and all(c.verdict == "skipped" for case in r.cases for c in case.checks)
    assert "does not declare complex support" in r.cases[0].checks[0].detail


def test_given_complex_arrays_are_checked():
    z = np.array([0.5 + 1.0j, -1.5 + 0.25j])
    assert check_op("sqrt", z, dtype="complex128").ok


def test_cli_dtype_complex128(capsys):
    code = main(["verify", "--ops", "multiply,tanh,maximum", "--dtype", "complex128"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "multiply" in out and "maximum" in out


def test_every_declared_op_passes_at_complex128():
    bad = [n for n in COMPLEX if not check_op(n, dtype="complex128", seed=1).ok]
    assert not bad, bad
