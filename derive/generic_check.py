"""The generic closed forms and differentials of square-matrix ops checked at n = 3 as well, at
an exact point.

:mod:`derive.generic` compares closed forms symbolically at n = 2, where some false identities
hold: by Cayley–Hamilton the adjugate of a 2×2 matrix is tr(S)·I − S, so a stated form
``g (tr S·I − S)ᵀ`` for the gradient of det S passes at n = 2. Here the same formula is compared
at n = 3 (p = 2), entry by entry with the derivative of ``l`` taken through the rule's own
forward, one entry a symbol at a time and every other entry an exact rational (symbolic 3×3
inverses would take minutes). The stated differential dF(X; dX) likewise
(:func:`differential_holds_at`): against d/dt F(X + t dX) at t = 0, at a rational X, for each dX
of the standard basis — both sides are linear in dX, so that is every direction.
"""

from __future__ import annotations

import random
from typing import Any

import sympy as sp

__all__ = ["holds_at", "differential_holds_at", "square_sizes"]


def square_sizes(symbols: dict[str, Any]) -> dict[Any, int]:
    """The second set of sizes for rules with a square input: n = 3 and p = 2."""
    return {symbols["n"]: 3, symbols["p"]: 2}


class _Cofactor(sp.MutableDenseMatrix):
    """A matrix whose inverse is its adjugate over its determinant, unsimplified: with one
    symbol among rationals that is instant, where SymPy's default elimination takes seconds."""

    def inv(self, *args: Any, **kwargs: Any) -> sp.Matrix:
        return self.adjugate(method="berkowitz") / self.det(method="berkowitz")


def _rational_matrix(rows: int, cols: int, rng: random.Random, shift: bool) -> sp.Matrix:
    m = sp.Matrix(rows, cols, lambda i, j: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)))
    return m + 2 * rows * sp.eye(rows) if shift and rows == cols else m


def holds_at(rule: Any, formula: Any, i: int, g: Any, sizes: dict[Any, int], seed: int = 0
             ) -> bool:
    """``formula`` equals ∂l/∂(input i) at one exact rational point at ``sizes``."""
    from derive.expression.check import is_zero

    rng = random.Random(seed)
    dims = [(int(sp.sympify(r).subs(sizes)), int(sp.sympify(c).subs(sizes)))
            for _, r, c in rule.inputs]
    vals = [_rational_matrix(r, c, rng, True) for r, c in dims]
    out = rule.forward(*vals)
    if rule.scalar:
        gv = sp.Rational(rng.randint(1, 9), rng.randint(1, 9))
    else:
        out = sp.Matrix(out)
        gv = _rational_matrix(*out.shape, rng, False)
    names = {name: sp.ImmutableMatrix(v) for (name, _, _), v in zip(rule.inputs, vals)}
    if isinstance(g, sp.MatrixSymbol):
        names[g.name] = sp.ImmutableMatrix(gv)
    f = formula.subs(sizes) if hasattr(formula, "subs") else formula
    f = f.xreplace({s: names[s.name] for s in f.atoms(sp.MatrixSymbol) if s.name in names})
    if isinstance(g, sp.Symbol):
        f = f.xreplace({g: gv})
    f = f.doit()
    want = sp.Matrix(f.as_explicit() if hasattr(f, "as_explicit") else f)
    rows, cols = dims[i]
    if want.shape != (rows, cols):
        return False
    s = sp.Symbol("s")
    for r in range(rows):
        for c in range(cols):
            moved = [_Cofactor(v) for v in vals]
            moved[i][r, c] = s
            out = rule.forward(*moved)
            if rule.scalar:
                loss = gv * sp.sympify(out).doit()
            else:
                out = sp.Matrix(out)
                loss = sum((gv[k] * out[k] for k in range(len(out))), sp.Integer(0))
            d = sp.diff(loss, s).subs(s, vals[i][r, c])
            if is_zero(d - want[r, c]) is not True:
                return False
    return True


def differential_holds_at(rule: Any, differential: Any, sizes: dict[Any, int] | None = None,
                          seed: int = 0) -> bool:
    """``differential(xs, dxs)`` equals d/dt F(X + t dX) at t = 0, at one exact rational point
    at ``sizes`` (default :func:`square_sizes`: n = 3, p = 2), for every dX of the standard
    basis (one entry of one input 1, the rest 0)."""
    from derive.expression.check import is_zero

    if sizes is None:  # the symbols derive.generic sizes its rules with
        sizes = square_sizes(dict(zip("np", sp.symbols("n p", integer=True, positive=True))))
    rng = random.Random(seed)
    dims = [(int(sp.sympify(r).subs(sizes)), int(sp.sympify(c).subs(sizes)))
            for _, r, c in rule.inputs]
    vals = [_rational_matrix(r, c, rng, True) for r, c in dims]
    t = sp.Symbol("t")

    def one(v: Any) -> sp.Matrix:  # a scalar F as a 1×1 matrix
        return sp.Matrix([[sp.sympify(v).doit()]]) if rule.scalar else sp.Matrix(v)

    for i, (rows, cols) in enumerate(dims):
        for k in range(rows * cols):
            dxs = [sp.zeros(r, c) for r, c in dims]
            dxs[i][k // cols, k % cols] = 1
            moved = one(rule.forward(*[_Cofactor(v + t * d) for v, d in zip(vals, dxs)]))
            claimed = one(differential([_Cofactor(v) for v in vals], dxs))
            if moved.shape != claimed.shape:
                return False
            for e in range(len(moved)):
                if is_zero(sp.diff(moved[e], t).subs(t, 0) - claimed[e]) is not True:
                    return False
    return True
