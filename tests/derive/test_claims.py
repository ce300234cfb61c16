"""The notebook's claims table: every claim the issue lists is present and has the verdict the
mathematics gives; numbers are checked against closed forms derived here by hand."""

import re

import numpy as np
import pytest

from derive import claims
from derive.claims import VERDICTS, check_claim
from derive.claims_code import FD_POINT, PRINTED_GRADIENT
from derive.oprun import ALIASES, resolve
from verify.cli import main
from verify.cli_args import op_names


@pytest.fixture(scope="module")
def table():
    return {c.section: c for c in claims()}


@pytest.mark.parametrize("section, verdict", [
    ("matmul case 3: cross terms i ≠ j", "confirmed"),
    ("matmul case 3: the chain-rule sum", "confirmed"),
    ("matmul code: a 1-D operand against a stack", "refuted"),
    ("sum (code), axis=None", "confirmed"),
    ("sum (code), axis=None, keepdims", "confirmed"),
    ("sum (code), axis=1, keepdims", "refuted"),
    ("pow (code): x ** y = exp(y log x), x > 0", "confirmed"),
    ("pow (code), x <= 0", "refuted"),
    ("sub (code): x + y·(-1)", "confirmed"),
    ("neg (code): x·(-1)", "confirmed"),
    ("div (code): x·y⁻¹, y > 0", "confirmed"),
    ("worked example: the printed gradient", "confirmed"),
    ("worked example: forward differences, h = 1e-10", "confirmed"),
    ("maximum (code), at ties", "subgradient"),
])
def test_each_claim_has_the_verdict_of_the_mathematics(table, section, verdict):
    assert table[section].verdict == verdict, table[section].detail


def test_every_verdict_is_one_of_the_four(table):
    assert {c.verdict for c in table.values()} <= set(VERDICTS)


def test_the_batched_vector_branch_is_refuted_by_the_error_the_notebook_hits(table):
    detail = table["matmul code: a 1-D operand against a stack"].detail
    assert "ValueError" in detail and "2x3x4 ; 4" in detail


def test_the_keepdims_sum_is_refuted_with_a_witness(table):
    detail = table["sum (code), axis=1, keepdims"].detail
    assert "claimed g_00 + g_10" in detail and "derived g_00" in detail


def test_pow_at_nonpositive_x_is_nan_as_measured(table):
    detail = table["pow (code), x <= 0"].detail
    with np.errstate(all="ignore"):
        assert np.isnan(np.exp(2.0 * np.log(-1.5)))  # the code's forward, independently
    assert "gives nan where x ** y = 2.25" in detail


def test_the_printed_gradient_is_e_to_the_minus_5_times_minus_1_minus_4(table):
    # closed form by hand: f = x0 exp(-(x0² + x1²)); ∂0 = e^{-r²}(1 - 2x0²), ∂1 = -2 x0 x1 e^{-r²}
    x0, x1 = 1.0, 2.0
    by_hand = np.exp(-(x0 ** 2 + x1 ** 2)) * np.array([1 - 2 * x0 ** 2, -2 * x0 * x1])
    np.testing.assert_allclose(by_hand, np.exp(-5.0) * np.array([-1.0, -4.0]))
    assert np.max(np.abs(by_hand - PRINTED_GRADIENT)) < 5e-9  # the 8 decimals printed
    assert "e^-5·[-1, -4]" in table["worked example: the printed gradient"].detail


def test_the_forward_difference_error_is_measured_and_is_rounding(table):
    x = np.array(FD_POINT)

    def f(v):
        return v[0] * np.exp(-np.sum(v * v))

    by_hand = np.exp(-np.sum(x * x)) * np.array([1 - 2 * x[0] ** 2, -2 * x[0] * x[1]])
    h = 1e-10
    err = np.max(np.abs([(f(x + h * e) - f(x)) / h - d for e, d in zip(np.eye(2), by_hand)]))
    detail = table["worked example: forward differences, h = 1e-10"].detail
    shown = float(re.search(r"h = 1e-10 differ from the exact gradient by (\S+) ", detail)[1])
    assert shown == pytest.approx(err, rel=0.06)  # printed to two digits
    assert 1e-9 < err < 1e-5  # inside allclose's tolerance, far above the error at h = 1e-8
    assert "rounding" in detail


def test_a_claim_whose_formula_raises_is_refuted_not_an_error():
    from derive.claims import Claim, _case

    def broken(g, a, b):
        return g @ np.ones((5, 5))

    claim = check_claim(Claim("planted", "x", "planted", "matrix", "matmul",
                              _case((2, 3), (3, 4)), (broken, None)))
    assert claim.verdict == "refuted" and "raises ValueError" in claim.detail


def test_logdet_is_an_alias_of_slogdet_everywhere(capsys):
    assert ALIASES["logdet"] == "slogdet" and resolve("logdet").name == "slogdet"
    assert op_names(["logdet", "slogdet", "det"]) == ["slogdet", "det"]
    assert main(["derive", "logdet"]) == 0
    out = capsys.readouterr().out
    assert "logdet is the op slogdet" in out and "VJP of slogdet (logdet)" in out
    assert "the engine's rule at shapes" in out and ": proved" in out
    assert main(["derive", "logdet", "--shapes", "3,3"]) == 0
    assert "VJP of slogdet at shapes 3x3" in capsys.readouterr().out
