"""Evaluating a tree on object arrays of SymPy values (symbols or exact rationals).

This is the index-level reading of an expression: every matrix operation written out entry by
entry (``(A @ X)[i, j] = Σₖ A[i, k] X[k, j]``), determinants and inverses by cofactors, so that
SymPy's ``diff`` of the result with respect to one entry is plain scalar calculus.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from derive.expression.nodes import ExprError, Node
from derive.expression.shapes import concrete

__all__ = ["evaluate", "symbol_array"]


def symbol_array(name: str, shape: tuple[int, ...], **assumptions: Any) -> np.ndarray:
    """Symbols ``name_ij`` in an object array of ``shape``."""
    arr = np.empty(shape, dtype=object)
    for k in np.ndindex(*shape):
        arr[k] = sp.Symbol(f"{name}_{'_'.join(map(str, k))}" if k else name, **assumptions)
    return arr


def _obj(v: Any) -> np.ndarray:
    return np.asarray(v, dtype=object) if isinstance(v, np.ndarray) else np.array(v, dtype=object)


def _map(f: Any, a: np.ndarray) -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    for k in np.ndindex(*a.shape):
        out[k] = f(a[k])
    return out


def _det(a: np.ndarray, exact: bool) -> Any:
    m = sp.Matrix(a.tolist())
    return m.det(method="bareiss") if exact else m.det(method="berkowitz")


def _inv(a: np.ndarray, exact: bool) -> np.ndarray:
    m = sp.Matrix(a.tolist())
    if exact:
        if m.det() == 0:
            raise ZeroDivisionError("singular matrix")
        return np.array(m.inv().tolist(), dtype=object)
    # symbols: cofactors over the determinant, unexpanded (diff works on the tree as it is)
    return np.array((m.adjugate(method="berkowitz") / m.det(method="berkowitz")).tolist(),
                    dtype=object)


def evaluate(n: Node, env: dict[str, np.ndarray], sizes: dict[str, int], exact: bool) -> Any:
    """``n`` at ``env`` (name -> object array); ``exact``: entries are numbers, not symbols."""
    memo: dict[int, np.ndarray] = {}
    order = []
    todo = [n]
    while todo:  # post-order, iteratively
        k = todo.pop()
        order.append(k)
        todo.extend(k.args)
    for k in reversed(order):
        memo[id(k)] = _obj(_one(k, [memo[id(a)] for a in k.args], env, sizes, exact))
    return memo[id(n)]


def _one(n: Node, xs: list[np.ndarray], env: dict, sizes: dict, exact: bool) -> Any:
    op = n.op
    if op == "name":
        return env[n.value]
    if op == "const":
        return sp.Rational(n.value.numerator, n.value.denominator)
    if op == "pi":
        return sp.pi
    if op == "eye":
        d = concrete((n.value,), sizes)[0]
        return np.array(sp.eye(d).tolist(), dtype=object)
    if op in ("ones", "zeros"):
        return np.full(concrete(n.shape, sizes), sp.Integer(int(op == "ones")), dtype=object)
    if op == "add":
        return xs[0] + xs[1]
    if op == "sub":
        return xs[0] - xs[1]
    if op == "mul":
        return xs[0] * xs[1]
    if op == "div":
        return xs[0] / xs[1]
    if op == "neg":
        return -xs[0]
    if op == "pow":
        p = sp.Rational(n.value.numerator, n.value.denominator)
        return _map(lambda v: v ** p, xs[0])
    if op == "T":
        return xs[0].T
    if op == "matmul":
        return np.dot(xs[0], xs[1])
    if op == "call":
        return _call(n.value, xs, exact)
    raise ExprError(f"cannot evaluate {op!r}")


def _call(fn: str, xs: list[np.ndarray], exact: bool) -> Any:
    a = xs[0]
    if fn == "trace":
        return sum((a[i, i] for i in range(a.shape[0])), sp.Integer(0))
    if fn == "det":
        return _det(a, exact)
    if fn == "logdet":
        return sp.log(_det(a, exact))
    if fn == "inv":
        return _inv(a, exact)
    if fn == "sum":
        return sum(a.reshape(-1).tolist(), sp.Integer(0))
    if fn == "norm":
        return sp.sqrt(sum((v ** 2 for v in a.reshape(-1)), sp.Integer(0)))
    if fn in ("logsumexp", "softmax", "log_softmax"):
        e = _map(sp.exp, a)
        total = sum(e.reshape(-1).tolist(), sp.Integer(0))
        return {"logsumexp": sp.log(total), "softmax": e / total,
                "log_softmax": a - sp.log(total)}[fn]
    if fn == "diag":
        return np.diag(a) if a.ndim == 2 else np.array(sp.diag(*a.tolist()).tolist(), dtype=object)
    if fn == "outer":
        return np.outer(a, xs[1])
    from derive.expression.elementwise import sym_apply

    return sym_apply(fn, a)
