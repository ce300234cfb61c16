"""derive.expression refuses what it must: hostile text, unknown names, shape mismatches (with
the column), and planted wrong closed forms that hold at n = 2 but not at n = 3."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import derive
from derive.expression import ExprError, check_closed_form
from verify.cli import main

SH = "X=n,n A=n,n b=m x=n"


@pytest.mark.parametrize("text, says", [
    ("__import__('os')", "unknown function '__import__'"),
    ("X.__class__", "attribute '.__class__' is not allowed"),
    ("X.shape", "only .T"),
    ("(lambda: X)()", "only calls of the listed functions"),
    ("lambda: 1", "lambda not allowed"),
    ("X[0]", "subscripts not allowed"),
    ("X ** 10**6", "exponent of ** must be a number"),
    ("X ** 1000", "too large"),
    ("X ** A", "must be a number"),
    ("'a' + X", "only numbers"),
    ("trace(X); 1", "one line"),
    ("sum(" * 50 + "X" + ")" * 50, "nested too deeply"),
    ("X + " * 600 + "X", "too long"),
    ("X" + ".T" * 300, "nested too deeply"),
    ("-" * 500 + "X", "nested too deeply"),
    ("+".join(["X"] * 300), "nested too deeply"),
    ("trace(X, A)", "takes 1 argument"),
    ("trace(X=A)", "keyword"),
    ("_secret + X", "may not start with '_'"),
    ("X if X else A", "if/else not allowed"),
])
def test_hostile_expressions_are_refused_clearly(text, says):
    with pytest.raises(ExprError, match=None) as e:
        derive.expression(text, "X", SH)
    assert says in str(e.value)


@pytest.mark.parametrize("text, says, col", [
    ("trace(A @ b)", "inner dimensions n and m differ", 9),
    ("X @ x + b", "(n,) + (m,)", 7),
    ("trace(Y @ X)", "unknown name 'Y'", 7),
    ("foo(X)", "unknown function 'foo'", 1),
    ("det(A @ x)", "det needs a square matrix", 1),
])
def test_errors_point_at_the_column(text, says, col):
    with pytest.raises(ExprError) as e:
        derive.expression(text, "X", SH)
    assert says in e.value.msg and e.value.col == col
    assert f"at column {col}" in str(e.value) and "^" in str(e.value)


def test_too_large_to_check_is_said_not_hung():
    r = derive.expression("det(X)", "X", "X=30,30")
    assert not r.ok and r.exact["X"].status.startswith("failed: too large to check exactly")


def test_bad_shapes_and_wrt():
    for shapes, says in [("X=n,n,n", "dimensions"), ("X=0,2", "outside"), ("np=2", "reserved"),
                         ("X", "NAME=DIMS")]:
        with pytest.raises(ExprError, match=says):
            derive.expression("sum(X)", "X", shapes)
    with pytest.raises(ExprError, match="does not occur"):
        derive.expression("trace(A)", "X", SH)


def test_planted_cofactor_form_passes_at_n2_and_is_refused_at_n3():
    planted = "trace(X) * eye(n) - X.T"  # = cofactor matrix of X only when n = 2
    assert check_closed_form("det(X)", "X", "X=2,2", planted.replace("(n)", "(2)")).ok  # trap
    got = check_closed_form("det(X)", "X", "X=n,n", planted)
    assert not got.ok and got.status.startswith("refuted: at n=3")
    assert check_closed_form("det(X)", "X", "X=n,n", "det(X) * inv(X).T").ok


def test_planted_forms_of_matrix_valued_expressions_are_refused():
    right = "-X @ inv(X.T @ X) @ (G + G.T) @ inv(X.T @ X)"
    assert check_closed_form("inv(X.T @ X)", "X", "X=m,n", right).ok
    wrong = "-2 * X @ inv(X.T @ X) @ G @ inv(X.T @ X)"  # right only for a symmetric G
    assert not check_closed_form("inv(X.T @ X)", "X", "X=m,n", wrong).ok
    # trace(X.T A X): A X + A.T X, planted A X twice (right only for a symmetric A)
    assert not check_closed_form("trace(X.T @ A @ X)", "X", SH, "2 * A @ X").ok


def test_generic_op_rules_refuse_the_planted_form_at_n3():
    import sympy as sp

    from derive.generic import GENERIC, _steps, n

    det = next(r for r in GENERIC if r.title == "determinant")
    planted = type(det)(det.op, det.title, det.inputs, det.forward, det.f_latex,
                        ((r"g (\operatorname{tr} S\, I - S)^{T}",
                          lambda g, s: g * (sp.Trace(s) * sp.Identity(n) - s).T),), scalar=True)
    closed = [s for s in _steps(planted) if s.title.startswith("closed form")]
    assert closed and closed[0].status.startswith("refuted")
    right = [s for s in _steps(det) if s.title.startswith("closed form")]
    assert "n=3" in right[0].status and not right[0].status.startswith("refuted")


def test_cli_outputs(capsys):
    args = ["derive", "--expr", "trace(A @ X)", "--wrt", "X", "--shapes", "X=n,n A=n,n"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "∂l/∂X = A.T" in out and "verified exactly at n=3" in out
    assert main(args + ["--numpy"]) == 0
    src = capsys.readouterr().out
    assert "def gradient(*, A, X):" in src and "return A.T" in src
    assert main(args + ["--json"]) == 0
    import json

    assert json.loads(capsys.readouterr().out)["gradients"]["X"]["text"] == "A.T"
    assert main(args + ["--latex"]) == 0 and "A^{T}" in capsys.readouterr().out
    assert main(args + ["--mathml"]) == 0 and "<math" in capsys.readouterr().out
    assert main(["derive", "--expr", "trace(A @ b)", "--wrt", "A", "--shapes", SH]) == 2
    assert "column 9" in capsys.readouterr().err
    assert main(["derive", "--expr", "trace(A @ X)", "--shapes", SH]) == 2  # no --wrt


def test_a_user_elementwise_op_is_a_function_of_expressions():
    import numpy as np

    import numeric

    op = numeric.Op("cube_test_op", lambda x: x ** 3, (lambda g, out, x: 3 * g * x * x,))
    numeric.register(op)
    try:
        r = derive.expression("sum(cube_test_op(X))", "X", "X=m,n")
        assert r.ok and r.text == {"X": "3 * X**2"}  # derived by SymPy from the forward
        X = np.arange(6.0).reshape(2, 3)
        np.testing.assert_allclose(r.numpy_function(X=X), 3 * X ** 2)
        np.testing.assert_allclose(r.forward_function(X=X), np.sum(X ** 3))
    finally:
        numeric.unregister("cube_test_op")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet="XAbx()@*+-/.T_ 0123456789,=[]:'\"\\sumtracedinvlogp", max_size=60))
def test_any_text_parses_or_is_refused_clearly(text):
    from derive.expression.parse import parse
    from derive.expression.shapes import parse_shapes

    try:
        parse(text, parse_shapes(SH))
    except ExprError as e:
        assert e.msg and "Traceback" not in str(e)
