"""verify.check_expression: the generated gradient checked three ways, with check_op's verdicts.

(A planted derivation has no derive record, so its results are judged by ``verified``, the
generated code's checks; ``ok`` also needs derive's own verdict.)

Meta-tests first, on planted derivations (a correct forward in plain NumPy, a deliberately wrong
gradient): each wrong gradient is caught with a diagnosis that names it, including one that is
right at n = 2 and wrong from n = 3 on; then the size sets, ill-posed sizes, reproducibility and
the record's JSON form. derive's own results are checked in test_expression_derive.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from verify.cookbook import identity
from verify.expression import assert_expression, check_expression
from verify.expression_inputs import size_candidates
from verify.expression_result import ExpressionResult


class Planted:
    """What check_expression reads of derive's result: the forward and the generated gradient."""

    def __init__(self, forward, gradient):
        self.forward_function, self.numpy_function = forward, gradient


def _planted(expr: str, gradient) -> Planted:
    return Planted(identity(expr).forward, gradient)


def _check(expr: str, gradient, **kw) -> ExpressionResult:
    ident = identity(expr)
    return check_expression(expr, list(ident.wrt), ident.shapes,
                            derivation=_planted(expr, gradient), **kw)


def test_a_right_gradient_passes_every_check_at_two_size_sets():
    r = _check("trace(X.T @ A @ X)", lambda X, A: A @ X + A.T @ X)
    assert r.verified and len(r.cases) == 2
    for case in r.cases:
        assert [c.check for c in case.checks] == ["symbolic", "fd", "raw_shape"]
        assert all(c.verdict == "pass" for c in case.checks), case.checks
        assert case.agreement()["odd"] is None


@pytest.mark.parametrize("expr, wrong, hint", [
    ("trace(X.T @ A @ X)", lambda X, A: (A @ X + A.T @ X).T, "transposed gradient: shape"),
    ("logdet(X)", lambda X: np.linalg.inv(X), "gives the reference's transpose"),
    ("a @ X @ b", lambda a, X, b: -np.outer(a, b), "sign flip"),
    ("logdet(X)", lambda X: 2 * np.linalg.inv(X).T, "constant factor 2"),
    ("trace(X.T @ A @ X)", lambda X, A: 2 * A @ X, ""),  # the symmetric-A shortcut
])
def test_a_planted_wrong_gradient_is_caught_and_diagnosed(expr, wrong, hint):
    r = _check(expr, wrong)
    assert not r.ok
    case, chk = r.failures()[0]
    assert chk.check == "symbolic" and chk.diagnosis["name"] == "X"
    assert hint in chk.diagnosis["hint"]
    assert chk.diagnosis["worst"] or "shape" in hint  # both values of the worst entries
    assert chk.diagnosis["reference"] == "finite differences"
    assert case.agreement()["odd"] == "symbolic"  # the generated code is the odd one out
    assert "generated" in r.explain() and "X" in r.explain()
    with pytest.raises(AssertionError, match="symbolic failed"):
        assert_expression(expr, list(identity(expr).wrt), identity(expr).shapes,
                          derivation=_planted(expr, wrong))


def test_a_gradient_right_only_at_n_2_is_caught_from_n_3():
    """∂det S/∂S = adj(S)ᵀ, and adj(S) = tr(S)·I − S holds for 2×2 matrices only."""
    def adjugate_n2(X):
        return (np.trace(X) * np.eye(len(X)) - X).T

    assert _check("det(X)", adjugate_n2, sizes=[{"n": 2}]).verified  # the false identity holds
    r = _check("det(X)", adjugate_n2)
    assert not r.ok and r.cases[0].label.startswith("n = ") and int(r.cases[0].label[4:]) >= 3
    assert r.failures()[0][1].diagnosis["sizes"]["n"] >= 3


def test_a_wrong_shape_or_a_raising_gradient_is_a_finding():
    r = _check("a @ X @ b", lambda a, X, b: np.outer(b, a))  # (n, m) for an (m, n) input
    assert not r.ok and r.cases[0].get("raw_shape").verdict == "fail"
    assert "transposed" in r.cases[0].get("raw_shape").diagnosis["hint"]

    def broken(X):
        raise RuntimeError("no such helper")

    r = _check("logdet(X)", broken)
    assert not r.ok and "raised RuntimeError" in r.cases[0].get("symbolic").detail


def test_a_matrix_valued_expression_gets_a_cotangent_and_both_names_are_checked():
    ident = identity("inv(X.T @ X)")
    r = _check("inv(X.T @ X)", lambda X, G: ident.published(X=X, G=G)["X"])
    assert r.verified, r.explain()
    def symmetric_g(X, G):  # assumes G = Gᵀ: wrong for a general cotangent
        M = np.linalg.inv(X.T @ X)
        return -2 * X @ M @ G @ M

    assert not _check("inv(X.T @ X)", symmetric_g).ok
    gauss = identity("0.5 * logdet(S) + 0.5 * x @ inv(S) @ x")
    assert _check(gauss.expr, lambda S, x: gauss.published(S=S, x=x)).verified
    half_wrong = lambda S, x: dict(gauss.published(S=S, x=x), x=np.linalg.inv(S) @ x)  # noqa: E731
    r = _check(gauss.expr, half_wrong)
    assert not r.ok and r.failures()[0][1].diagnosis["name"] == "x"


def test_sizes_are_seeded_and_the_first_set_is_large_and_unequal():
    shapes = {"A": ("p", "m"), "X": ("m", "n"), "B": ("n", "p")}
    first = next(size_candidates(shapes, 0, "trace(A @ X @ B)", big=True))
    assert min(first.values()) >= 3 and len(set(first.values())) == 3
    again = next(size_candidates(shapes, 0, "trace(A @ X @ B)", big=True))
    assert first == again
    r1 = _check("trace(A @ X @ B)", lambda A, X, B: A.T @ B.T, seed=3)
    r2 = _check("trace(A @ X @ B)", lambda A, X, B: A.T @ B.T, seed=3)
    assert [c.to_dict() for c in r1.cases] == [c.to_dict() for c in r2.cases]
    assert r1.cases[0].label != r1.cases[1].label


def test_sizes_without_well_posed_inputs_are_replaced():
    """inv(X.T @ X) needs X with at least as many rows as columns: random sizes that break it
    are drawn again; given ones are reported as unreliable, never as a pass."""
    ident = identity("inv(X.T @ X)")
    grad = lambda X, G: ident.published(X=X, G=G)["X"]  # noqa: E731
    r = _check("inv(X.T @ X)", grad, seed=5)
    assert r.verified and all(s[0] >= s[1] for c in r.cases for s in c.shapes)
    r = _check("inv(X.T @ X)", grad, sizes=[{"m": 2, "n": 4}])
    assert {c.verdict for c in r.cases[0].checks} == {"unreliable"}


def test_the_record_reads_back_from_json():
    r = _check("trace(X.T @ A @ X)", lambda X, A: (A @ X + A.T @ X).T)
    d = r.to_dict()
    back = ExpressionResult.from_dict(d)
    assert back.to_dict() == d and not back.ok
    with pytest.raises(ValueError, match="group"):
        ExpressionResult.from_dict(dict(d, group="elsewhere"))


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="wrt 'Y' has no shape"):
        check_expression("trace(X)", "Y", "X=n,n", derivation=_planted("trace(X)", None))
    with pytest.raises(ValueError, match="not NAME=DIMS"):
        check_expression("trace(X)", "X", "X", derivation=_planted("trace(X)", None))
