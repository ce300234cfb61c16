"""The sizes derive.expression checks at: where the expression is defined (no inverse or
log-determinant of a matrix singular whatever its entries), all letters unequal, one set ≥ 3;
and a clear "not checked" where no such sizes exist (derive/expression/shapes.py, defined.py)."""

from __future__ import annotations

import numpy as np
import pytest

import derive
from derive.expression import check_closed_form
from derive.expression.defined import rank_bound
from derive.expression.parse import parse
from derive.expression.shapes import parse_shapes


def _central(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(x)
    for k in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[k] += h
        down[k] -= h
        grad[k] = (f(up) - f(down)) / (2 * h)
    return grad


@pytest.mark.parametrize("expr, tall", [("logdet(X.T @ X)", True), ("logdet(X @ X.T)", False)])
def test_logdet_of_a_gram_matrix_is_derived_where_it_is_defined(expr, tall):
    r = derive.expression(expr, "X", "X=m,n")
    assert r.ok, r.exact["X"].status
    sets = r.exact["X"].sizes
    assert len(sets) == 2 and all(s["m"] != s["n"] for s in sets)
    assert min(sets[0].values()) >= 3
    assert all((s["m"] > s["n"]) == tall for s in sets)  # the Gram matrix has full rank there
    # the derived code against central differences, at a size derive did not choose
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, (6, 4) if tall else (4, 6))
    f = (lambda a: np.linalg.slogdet(a.T @ a)[1]) if tall else (
        lambda a: np.linalg.slogdet(a @ a.T)[1])
    np.testing.assert_allclose(r.numpy_function(X=x), _central(f, x), rtol=1e-6, atol=1e-8)


def test_a_stated_form_of_cookbook_55_is_checked_and_a_wrong_one_refuted():
    right = check_closed_form("logdet(X.T @ X)", "X", "X=m,n", "2 * X @ inv(X.T @ X)")
    assert right.ok, right.status
    wrong = check_closed_form("logdet(X.T @ X)", "X", "X=m,n", "X @ inv(X.T @ X)")
    assert not wrong.ok and wrong.status.startswith("refuted")


@pytest.mark.parametrize("expr, shapes, says", [
    ("trace(inv(X.T @ X)) + trace(inv(X @ X.T))", "X=m,n", "every letter a different size"),
    ("logdet(X.T @ X)", "X=2,3", "at the declared sizes"),
])
def test_no_admissible_sizes_is_said_not_refuted(expr, shapes, says):
    r = derive.expression(expr, "X", shapes)
    status = r.exact["X"].status
    assert not r.ok
    assert status.startswith("not checked: no sizes to check at") and says in status, status
    assert "rank at most" in status and "refuted" not in status


@pytest.mark.parametrize("expr, shapes", [
    ("X.T @ X", "X=m,n"), ("X @ X.T + A", "X=m,n A=m,m"), ("X.T @ X + Y.T @ Y", "X=m,n Y=p,n"),
    ("outer(a, b) * 3", "a=m b=n"), ("inv(A) @ X", "A=m,m X=m,n"),
    ("(X @ B) * (Y @ C)", "X=m,n B=n,p Y=m,q C=q,p"),  # rank(A ∘ B) ≤ rank A · rank B
])
@pytest.mark.parametrize("seed", [0, 1])
def test_rank_bound_is_the_rank_of_generic_entries(expr, shapes, seed):
    rng = np.random.default_rng(seed)
    declared = parse_shapes(shapes)
    node = parse(expr, declared, allow_internal=True)
    letters = sorted({d for s in declared.values() for d in s})
    sizes = dict(zip(letters, (int(v) for v in rng.permutation(np.arange(1, 7))[:len(letters)])))
    xs = {k: rng.standard_normal(tuple(sizes[d] for d in s)) for k, s in declared.items()}
    value = eval(expr, {"inv": np.linalg.inv, "outer": np.outer}, xs)  # noqa: S307 - test text
    assert rank_bound(node, sizes) == np.linalg.matrix_rank(value)
