"""verify on complex inputs (``dtype="complex128"``): the ops declaring complex support pass; a
conjugated rule (PyTorch's convention in autograd's engine) fails on the imaginary direction, and
on derive's complex-symbol proof (the symbolic leg) where the op is holomorphic; ops without the
declaration are skipped, saying why; the CLI takes ``--dtype complex128``."""

import dataclasses

import numpy as np
import pytest

import numeric
from numeric import get_op
from numeric.cases import standard_cases
from verify import Options, check_op
from verify.cli import main

NUMERIC = Options(checks=("fd", "raw_shape"))  # without derive's proofs: fast on a cold store

COMPLEX = sorted(n for n, op in numeric.all_ops().items() if op.complex)


@pytest.mark.parametrize("name", ["multiply", "divide", "log", "abs", "angle", "imag", "conjugate",
                                  "matmul", "einsum", "sum", "getitem", "inv"])
def test_complex_ops_pass(name):
    r = check_op(name, dtype="complex128", seed=3, options=NUMERIC)
    assert r.ok, r.explain()
    fd = [c for case in r.cases for c in case.checks if c.check == "fd"]
    assert fd and all(c.verdict == "pass" for c in fd)


@pytest.mark.parametrize("name, status", [("exp", "proved"),
                                          ("square", "proved")])
def test_the_symbolic_leg_is_derives_complex_proof(name, status):
    r = check_op(name, dtype="complex128", seed=0)
    sym = [c for case in r.cases for c in case.checks if c.check == "symbolic"]
    assert r.ok and sym and all(c.verdict == "pass" for c in sym)
    assert all(f"derive --complex: {status}" in c.detail for c in sym), sym[0].detail


@pytest.mark.parametrize("name", ["abs", "conjugate", "imag"])
def test_the_symbolic_leg_says_why_it_cannot_prove(name):
    """Non-holomorphic ops: derive cannot run their complex branch on symbols; the check is
    skipped (never passed), saying so, and fd judges alone."""
    r = check_op(name, dtype="complex128", seed=0)
    sym = [c for case in r.cases for c in case.checks if c.check == "symbolic"]
    assert sym and all(c.verdict == "skipped" and "unavailable" in c.detail for c in sym)
    assert r.ok


# PyTorch's convention is the conjugate of autograd's: each mutant is a rule written for it.
# The last field: whether derive's complex proof can judge it (holomorphic forwards).
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
    r = check_op(mutant, dtype="complex128", seed=0, options=NUMERIC)
    assert not r.ok
    bad = [c for case in r.cases for c in case.checks if c.verdict == "fail"]
    assert bad and all(c.check == "fd" for c in bad)
    if imaginary_only:
        assert all("imaginary direction" in c.detail for c in bad), bad[0].detail
    # derive's proof on complex symbols, at the op's first case: it refutes a conjugated
    # holomorphic rule; a non-holomorphic op it cannot judge (skipped, saying so: fd catches it)
    case = standard_cases(op)[0]
    r = check_op(mutant, *case.shapes, params=dict(case.params), dtype="complex128",
                 options=Options(checks=("symbolic",)))
    (sym,) = r.cases[0].checks
    if imaginary_only:
        assert sym.verdict == "skipped" and "unavailable" in sym.detail, sym.detail
    else:
        assert not r.ok and sym.verdict == "fail" and "refuted" in sym.detail, sym.detail


def test_real_only_ops_are_skipped_saying_why():
    r = check_op("maximum", dtype="complex128")
    assert r.cases and all(c.verdict == "skipped" for case in r.cases for c in case.checks)
    assert "does not declare complex support" in r.cases[0].checks[0].detail


def test_given_complex_arrays_are_checked():
    z = np.array([0.5 + 1.0j, -1.5 + 0.25j])
    assert check_op("sqrt", z, dtype="complex128").ok


def test_cli_dtype_complex128(capsys):
    code = main(["verify", "--ops", "tanh,maximum", "--dtype", "complex128"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "tanh" in out and "maximum" in out


def test_every_declared_op_passes_at_complex128():
    bad = [n for n in COMPLEX if not check_op(n, dtype="complex128", seed=1, options=NUMERIC).ok]
    assert not bad, bad


@pytest.mark.parametrize("name, z", [("log", [-1.0 + 0j, 0.5 + 0.5j]), ("arctan", [2j]),
                                     ("arccosh", [0.5 + 0j, -2.0 + 0j])])
def test_an_input_on_a_branch_cut_is_reported_as_such(name, z):
    r = check_op(name, np.array(z), dtype="complex128", options=NUMERIC)
    (fd,) = [c for c in r.cases[0].checks if c.check == "fd"]
    assert fd.verdict in ("fail", "unreliable"), fd
    assert "branch cut" in fd.diagnosis["hint"] and "on a branch cut" in fd.detail, fd


def test_off_the_cut_nothing_is_said_of_cuts():
    r = check_op("log", np.array([-1.0 + 0.5j, 0.5 - 0.5j]), dtype="complex128", options=NUMERIC)
    assert r.ok and not any("branch cut" in c.detail for c in r.cases[0].checks)


def test_the_real_form_of_arccosh_rule_fails_off_the_right_half_plane():
    """1/sqrt(x² - 1) is arccosh' for real x > 1 and for Re x > 0, but flips sign at Re x < 0:
    samples that cover the plane off the cut (-∞, 1] catch it (autograd's rule has this form)."""
    op = get_op("arccosh")
    mutant = dataclasses.replace(op, name="arccosh_real_form",
                                 vjp=(lambda g, out, x: g / np.sqrt(x * x - 1),))
    r = check_op(mutant, dtype="complex128", seed=0, options=NUMERIC)
    assert not r.ok
    assert check_op(op, dtype="complex128", seed=0, options=NUMERIC).ok


def test_logsumexp_on_its_undeclared_cut_is_unreliable_not_passed():
    """Σ e^(x - max) = 1 + 2 e^-0.1 cos 3.1 < 0, real: on the principal log's cut."""
    x = np.array([0, -0.1 + 3.1j, -0.1 - 3.1j])
    r = check_op("logsumexp", x, dtype="complex128", options=Options(checks=("fd",)))
    assert r.cases[0].checks[0].verdict == "unreliable", r.cases[0].checks[0]


@pytest.mark.parametrize("bad", [lambda g, out, x: g * out * np.nan,
                                 lambda g, out, x: g * np.inf * out],
                         ids=["nan", "inf"])
def test_a_rule_giving_nan_or_inf_fails_the_fd_check(bad):
    """A NaN slope compared False with every tolerance, so a NaN gradient passed."""
    mutant = dataclasses.replace(get_op("exp"), name="exp_nan", vjp=(bad,))
    r = check_op(mutant, dtype="complex128", options=Options(checks=("fd",)))
    assert r.cases[0].checks[0].verdict == "fail", r.cases[0].checks[0]
    assert not r.ok


def test_an_unsure_direction_does_not_hide_a_wrong_slope_elsewhere():
    """log at -1 (on its cut: the imaginary direction is unsure) and a rule right there but
    twice too large at 1 + i: the check used to stop at the first unsure direction, and
    "unreliable" does not fail an op."""
    op = get_op("log")
    mutant = dataclasses.replace(op, name="log_half_wrong", vjp=(
        lambda g, out, x: g / x * np.where(np.real(x) > 0, 2.0, 1.0),))
    z = np.array([-1.0 + 0j, 1.0 + 1j])
    assert check_op(op, z, dtype="complex128", options=NUMERIC).cases[0].get("fd").verdict \
        == "unreliable"
    r = check_op(mutant, z, dtype="complex128", options=NUMERIC)
    assert r.cases[0].get("fd").verdict == "fail" and not r.ok, r.explain()
    detail = r.cases[0].get("fd").detail
    assert "entry (np.int64(1),)" in detail or "entry (1,)" in detail, detail  # the wrong one
