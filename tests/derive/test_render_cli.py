"""Rendering (LaTeX, MathML, HTML, text) and the `gradproof derive` command."""

import importlib
import json
import re

import pytest

from derive import derivation, latex_to_mathml
from derive.cli import parse_param, parse_shapes
from derive.generic import generic_ops
from derive.render import array_latex, latex_text
from numeric.cases import Case
from verify.cli import main


def test_latex_to_mathml_wraps_in_math():
    out = latex_to_mathml(r"\frac{\partial l}{\partial A} = G B^{T}")
    assert out.startswith("<math") and "<mfrac>" in out


def test_concrete_derivation_renders_everywhere():
    d = derivation("maximum", Case(((2,), (2,))))
    assert d.kind == "concrete"
    assert d._repr_latex_().startswith("$$") and d._repr_html_().count("<math") == len(d.steps)
    assert "proved" in d.steps[-1].status
    assert "max" in d.to_text() and "<math" in d.to_text("mathml")
    json.dumps(d.to_dict())


def test_array_latex_lists_entries_of_three_d_arrays():
    import numpy as np

    tex = array_latex(np.arange(8, dtype=object).reshape(2, 2, 2))
    assert "[1,1,1]: 7" in tex


@pytest.mark.parametrize("text, shapes", [
    ("2,3;3,4", ((2, 3), (3, 4))), ("();2x3", ((), (2, 3))), (" 3 ", ((3,),)), (";", ((), ())),
])
def test_parse_shapes(text, shapes):
    assert parse_shapes(text) == shapes


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "2,-3", "2.5", "a"])
def test_parse_shapes_never_evaluates(text):
    with pytest.raises(ValueError, match="--shapes"):
        parse_shapes(text)


def test_parse_param():
    assert parse_param("axis=1") == ("axis", 1)
    assert parse_param("axis=0,2") == ("axis", (0, 2))
    assert parse_param("keepdims=true") == ("keepdims", True)
    assert parse_param("ord=fro") == ("ord", "fro")
    with pytest.raises(ValueError, match="NAME=VALUE"):
        parse_param("1=2")
    with pytest.raises(ValueError, match="integers"):
        parse_param("axis=0,a")


def test_cli_prints_a_proved_derivation(capsys):
    assert main(["derive", "matmul", "--shapes", "2,3;3"]) == 0
    out = capsys.readouterr().out
    assert "VJP of matmul at shapes 2x3 ; 3" in out and "proved" in out


def test_cli_generic_latex_and_mathml(capsys):
    assert main(["derive", "matmul", "--latex"]) == 0
    assert r"G B^{T}" in capsys.readouterr().out
    assert main(["derive", "sum", "--shapes", "2,3", "--param", "axis=1", "--mathml"]) == 0
    assert "<math" in capsys.readouterr().out


def test_cli_claims_table(capsys):
    assert main(["derive", "claims"]) == 0
    out = capsys.readouterr().out
    assert "[confirmed]" in out and "[subgradient] maximum (code), at ties" in out
    assert "[refuted] matmul code: a 1-D operand against a stack" in out


@pytest.mark.parametrize("argv, message", [
    (["derive", "no_such_op"], "no op named"),
    (["derive", "add", "--shapes", "2;3;4"], "takes 2 inputs"),
    (["derive", "matmul", "--shapes", "2,3;4"], "matmul"),
])
def test_cli_bad_arguments_exit_2_with_a_message(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


# --- terminal text: pretty-printed or plain, never raw LaTeX (review item 23) ---------------------
RAW_LATEX = re.compile(r"\\[A-Za-z,;:! ]|[\^_]\{")


@pytest.mark.parametrize("argv", [
    ["derive", "maximum", "--shapes", "2,3;3"],
    ["derive", "matmul"],
    ["derive", "sum", "--shapes", "2,3,4", "--param", "axis=0,2"],
    ["derive", "where", "--shapes", "2;2;2"],
    ["derive", "abs"],
    ["derive", "det"],
    ["derive", "claims"],
], ids=lambda argv: " ".join(argv[1:]))
def test_cli_text_has_no_raw_latex(argv, capsys):
    main(argv)
    out = capsys.readouterr().out
    found = RAW_LATEX.search(out)
    where = out[max(0, found.start() - 80):][:160] if found else ""
    assert found is None, f"raw LaTeX {found.group()!r} in: {where}"


@pytest.mark.parametrize("tex, text", [
    (r"dF = dA\, b + A\, db", "dF = dA·b + A·db"),                 # the notebook's differential
    (r"dF = da^{T} b + a^{T} db", "dF = daᵀ·b + aᵀ·db"),
    (r"\left(b\, g^{T}\right)^{T}", "(b·gᵀ)ᵀ"),
    (r"g \det(S)\, S^{-T}", "g·det(S)·S⁻ᵀ"),
    (r"dF = \operatorname{tr}\left(S^{-1} dS\right)", "dF = tr(S⁻¹·dS)"),
    (r"\log \det S", "log det S"),
    (r"\frac{\partial l}{\partial \mathbf{a}} = \frac{\partial l}{\partial f}\mathbf{b}^\top",
     "∂l/∂a = ∂l/∂f·bᵀ"),
    (r"x \in \mathbb{R}^{2 \times 3},\ y \in \mathbb{R}^{3}", "x ∈ ℝ^(2 × 3), y ∈ ℝ³"),
    (r"\begin{bmatrix} a \\ b \end{bmatrix} \text{ (row } i)", "[a; b] (row i)"),
    (r"\text{x is not differentiated}", "x is not differentiated"),
])
def test_latex_text(tex, text):
    assert latex_text(tex) == text


@pytest.mark.parametrize("op", [*generic_ops(), "maximum", "relu", "where", "einsum"])
def test_every_step_has_text_without_latex(op):
    d = derivation(op)
    for s in d.steps:
        assert s.text and RAW_LATEX.search(s.text) is None, (op, s.title, s.text)
        assert RAW_LATEX.search(s.title) is None, (op, s.title)
        assert s.to_dict()["text"] == s.text


def test_rule_step_shows_what_the_rule_produced():
    d = derivation("maximum", Case(((2, 3), (3,))))
    rule = d.steps[-1]
    assert rule.status.startswith("proved: exact symbolic proof")
    assert r"\frac{\partial l}{\partial (x, y)}" not in rule.latex  # the old placeholder
    for form in (rule.text, rule.latex, rule.mathml):
        assert "maximum.vjp" in form and "sign" in form and "(proved)" in form
    assert "by cases" in rule.text and "for x₀₀ > y₀" in rule.text  # the kink, case by case
    assert "= ∂l/∂x  (proved)" in rule.text and "= ∂l/∂y  (proved)" in rule.text


def test_rule_step_of_a_refuted_rule_says_so(monkeypatch):
    from derive.proof import Proof

    module = importlib.import_module("derive.derivation")  # the package exports a function

    monkeypatch.setattr(module, "prove_rule", lambda op, case, limits=None: Proof(
        "maximum", str(case), "", "refuted", "exact symbolic proof", "input 0: differs"))
    d = module.concrete_derivation("maximum", Case(((2,), (2,))))
    assert not d.ok and d.steps[-1].status == "refuted: exact symbolic proof; input 0: differs"
    assert "≠ ∂l/∂x  (refuted)" in d.steps[-1].text and r"\neq" in d.steps[-1].latex


def test_cli_shows_that_a_slow_derivation_is_running(monkeypatch, capsys):
    """`gradproof derive` prints its elapsed time on stderr while a derivation takes long."""
    import functools
    import time

    import verify.progress

    module = importlib.import_module("derive.derivation")  # the package's name is the function
    real = module.derivation

    def slow(*args, **kwargs):
        time.sleep(0.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "derivation", slow)
    monkeypatch.setattr(verify.progress, "ticker",
                        functools.partial(verify.progress.ticker, after=0.1, every=0.1))
    assert main(["derive", "add", "--shapes", "2;2"]) == 0
    err = capsys.readouterr().err
    assert "deriving add at 2 ; 2 ... " in err


def test_max_entries_raises_or_lowers_the_size_guard(capsys):
    assert main(["derive", "matmul", "--shapes", "2,3;3,4", "--max-entries", "10"]) == 2
    err = capsys.readouterr().err
    assert "limit of 10" in err and "--max-entries" in err
    assert main(["derive", "matmul", "--shapes", "2,3;3,4", "--max-entries", "100"]) == 0
    assert main(["derive", "matmul", "--shapes", "2,3;3,4", "--max-entries", "0"]) == 2


def test_shapes_that_do_not_fit_are_named_not_blamed_on_symbols(capsys):
    assert main(["derive", "matmul", "--shapes", "2,3;4"]) == 2
    err = capsys.readouterr().err
    assert "shapes 2x3 ; 4 do not fit the op" in err and "size 4 is different from 3" in err
    assert "Op.sym" not in err


def test_seconds_is_the_budget_of_every_symbolic_attempt(monkeypatch, capsys):
    # --seconds also lifts the 1 s cap on the closed forms of ops with constructed points (eig)
    module = importlib.import_module("derive.derivation")  # derive.derivation: the function
    seen = []

    def record(op, case, limits):
        seen.append(limits)
        raise RuntimeError("stop here")

    monkeypatch.setattr(module, "derivation", record)  # derive.cli imports it when it runs
    main(["derive", "eig", "--seconds", "30"])
    op = importlib.import_module("numeric").get_op("eig")
    assert [limits.symbolic(op) for limits in seen] == [30.0]
