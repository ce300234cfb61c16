"""Rendering (LaTeX, MathML, HTML, text) and the `gradproof derive` command."""

import json

import pytest

from derive import derivation, latex_to_mathml
from derive.cli import parse_param, parse_shapes
from derive.render import array_latex
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
    assert "[confirmed]" in out and "[refuted] maximum (code), at ties" in out


@pytest.mark.parametrize("argv, message", [
    (["derive", "no_such_op"], "no op named"),
    (["derive", "add", "--shapes", "2;3;4"], "takes 2 inputs"),
    (["derive", "matmul", "--shapes", "2,3;4"], "matmul"),
])
def test_cli_bad_arguments_exit_2_with_a_message(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
