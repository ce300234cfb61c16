"""Elementwise functions: their derivatives as trees, and their values on SymPy numbers.

The common ones are written the way a person does (``tanh'(a) = 1 − tanh(a)²``, ``σ' = σ(1 − σ)``);
any other one-input elementwise op of the table gets its derivative from SymPy, differentiating
the op's own forward run on a symbol, and converted back to a tree. Either way the exact check
judges the result.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from derive.expression import nodes as N
from derive.expression.nodes import ExprError, Node

__all__ = ["slope", "sym_apply", "EXTRA"]

# Functions derivatives use that are not ops of the table: name -> (SymPy, NumPy code).
# heaviside is relu's slope with the table's kink convention: 0 at x = 0.
EXTRA = {"heaviside": (lambda x: sp.Heaviside(x, 0), "_heaviside")}
_SYMPY_NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arcsinh",
                "acosh": "arccosh", "atanh": "arctanh", "Abs": "abs", "Heaviside": "heaviside"}


def _ew(fn: str, a: Node) -> Node:
    return N.call(fn, (a,), ew=True)


def _one_minus(x: Node) -> Node:
    return N.binary("sub", N.const(1), x)


_TABLE = {
    "exp": lambda a, out: out,
    "log": lambda a, out: N.binary("div", N.const(1), a),
    "sqrt": lambda a, out: N.binary("div", N.const(1), N.binary("mul", N.const(2), out)),
    "tanh": lambda a, out: _one_minus(N.power(out, Fraction(2))),
    "sigmoid": lambda a, out: N.binary("mul", out, _one_minus(out)),
    "softplus": lambda a, out: _ew("sigmoid", a),
    "square": lambda a, out: N.binary("mul", N.const(2), a),
    "reciprocal": lambda a, out: N.neg(N.power(out, Fraction(2))),
    "log1p": lambda a, out: N.binary("div", N.const(1), N.binary("add", N.const(1), a)),
    "expm1": lambda a, out: _ew("exp", a),
    "sin": lambda a, out: _ew("cos", a),
    "cos": lambda a, out: N.neg(_ew("sin", a)),
    "sinh": lambda a, out: _ew("cosh", a),
    "cosh": lambda a, out: _ew("sinh", a),
    "negative": lambda a, out: N.const(-1),
    "relu": lambda a, out: _ew("heaviside", a),
    "abs": lambda a, out: _ew("sign", a),
    # π and 2ᵗ: deg2rad' = π/180, rad2deg' = 180/π, exp2' = 2ᵗ log 2
    "deg2rad": lambda a, out: N.binary("div", N.pi(), N.const(180)),
    "rad2deg": lambda a, out: N.binary("div", N.const(180), N.pi()),
    "exp2": lambda a, out: N.binary("mul", out, _ew("log", N.const(2))),
    # sinc x = sin(πx)/(πx): sinc' x = (cos(πx) − sinc x)/x off 0 (the op's domain: x ≠ 0)
    "sinc": lambda a, out: N.binary("div", N.binary("sub", _ew("cos", N.binary(
        "mul", N.pi(), a)), out), a),
    # jumps, with the table's kink conventions: sign' = 0 everywhere (sign'(0) = 0: the jump has
    # no finite slope); clip' = 1 inside (-1, 1), 0 outside, 1/2 at a bound (ties split), which
    # is (sign(x + 1) + sign(1 − x)) / 2 at every x, the bounds included
    "sign": lambda a, out: N.const(0),
    "clip": lambda a, out: N.binary("div", N.binary(
        "add", _ew("sign", N.binary("add", a, N.const(1))),
        _ew("sign", N.binary("sub", N.const(1), a))), N.const(2)),
}


def slope(fn: str, a: Node, out: Node) -> Node:
    """``f'(a)`` as a tree (``out`` is the node ``f(a)``)."""
    if fn in _TABLE:
        return _TABLE[fn](a, out)
    t = sp.Symbol("t", real=True)
    d = sp.diff(_scalar_forward(fn)(t), t)
    if d.has(sp.Derivative) or d.has(sp.Piecewise) or d.has(sp.Max) or d.has(sp.Min):
        raise ExprError(f"{fn}: no elementwise derivative in closed form ({d})")
    return _from_sympy(fn, d, t, a)


def _scalar_forward(fn: str) -> Any:
    """The table op ``fn`` on one SymPy scalar, through its own NumPy forward."""
    from derive.expression.parse import elementwise_ops

    return _forward_of(elementwise_ops()[fn])


@functools.lru_cache(maxsize=256)
def _forward_of(op: Any) -> Any:  # keyed by the record itself: a re-registered op is new
    from derive.symbolic import as_sym, to_plain

    def f(v: Any) -> Any:
        out = op.sym(np.array([v], dtype=object)) if op.sym else op.fwd(
            as_sym(np.array([v], dtype=object)))
        return sp.sympify(np.asarray(to_plain(out), dtype=object).reshape(-1)[0])

    return f


def sym_apply(fn: str, arr: np.ndarray) -> np.ndarray:
    """``fn`` applied to each SymPy entry of ``arr`` (exactly, through the op's forward)."""
    if fn in EXTRA:
        f = EXTRA[fn][0]
    else:
        f = _scalar_forward(fn)
    out = np.empty(arr.shape, dtype=object)
    for k in np.ndindex(*arr.shape):
        out[k] = f(arr[k])
    return out


def _from_sympy(fn: str, e: sp.Expr, t: sp.Symbol, a: Node) -> Node:
    from derive.expression.parse import elementwise_ops

    if e == t:
        return a
    if e.is_Rational:
        return N.const(Fraction(int(e.p), int(e.q)))
    if e == sp.pi:
        return N.pi()
    if isinstance(e, sp.Pow) and e.base == 2 and not e.exp.is_Rational:  # 2ᵗ
        return _ew("exp2", _from_sympy(fn, e.exp, t, a))
    if isinstance(e, sp.Add):
        out = None
        for x in e.args:
            x = _from_sympy(fn, x, t, a)
            out = x if out is None else N.binary("add", out, x)
        return out
    if isinstance(e, sp.Mul):
        out = None
        for x in e.args:
            x = _from_sympy(fn, x, t, a)
            out = x if out is None else N.binary("mul", out, x)
        return out
    if isinstance(e, sp.Pow) and e.exp.is_Rational:
        base = _from_sympy(fn, e.base, t, a)
        if e.exp == sp.Rational(1, 2):
            return _ew("sqrt", base)
        return N.power(base, Fraction(int(e.exp.p), int(e.exp.q)))
    if isinstance(e, sp.exp):
        return _ew("exp", _from_sympy(fn, e.args[0], t, a))
    if isinstance(e, sp.Function) and len(e.args) == 1:
        name = _SYMPY_NAMES.get(type(e).__name__, type(e).__name__)
        if name in elementwise_ops() or name in EXTRA:
            return _ew(name, _from_sympy(fn, e.args[0], t, a))
    raise ExprError(f"{fn}: its derivative {e} has no closed form in the expression language")
