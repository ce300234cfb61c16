"""derive/generic_check.py: the differentials of square-matrix rules checked at n = 3 as well,
where a form true only at n = 2 (the adjugate of a 2×2 matrix is tr S·I − S) is refuted."""

from __future__ import annotations

import sympy as sp

from derive import generic
from derive.generic import GENERIC
from derive.generic_check import differential_holds_at

SQUARE = [r for r in GENERIC if r.sizes is generic.SQUARE_SIZES]


def _cayley_hamilton(x, d):
    """d det S = tr(adj(S) dS), adj S written tr(S)·I − S: true at n = 2 only."""
    s = x[0]
    return (s.trace() * sp.eye(s.rows) - s).multiply(d[0]).trace()


def test_every_square_differential_holds_at_n3():
    assert {r.title for r in SQUARE} >= {"determinant", "log-determinant", "inverse", "trace"}
    for rule in SQUARE:
        assert differential_holds_at(rule, generic.DIFFERENTIALS[rule.title][1]), rule.title


def test_a_differential_true_only_at_n2_is_refuted_at_n3(monkeypatch):
    (det,) = [r for r in GENERIC if r.title == "determinant"]
    monkeypatch.setitem(generic.DIFFERENTIALS, det.title,
                        (r"dF = \operatorname{tr}((\operatorname{tr} S\, I - S) dS)",
                         _cayley_hamilton))
    assert generic._differential_holds(det), "at n = 2 the planted form holds"
    assert not differential_holds_at(det, _cayley_hamilton)
    (step,) = [s for s in generic._steps(det) if s.title.startswith("differential")]
    assert step.status.startswith("refuted") and "n=3" in step.status, step.status


def test_the_step_says_where_the_differential_was_checked():
    (inv,) = [r for r in GENERIC if r.title == "inverse"]
    (step,) = [s for s in generic._steps(inv) if s.title.startswith("differential")]
    assert step.status.startswith("verified exactly") and "n=3" in step.status
