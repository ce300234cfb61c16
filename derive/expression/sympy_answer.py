"""SymPy's own answer, beside ours: the expression as MatrixSymbols, ``.diff``, then judged.

Vectors are n×1 MatrixSymbols; a 1×1 result is wrapped in ``Trace`` (SymPy 1.14 otherwise
returns an unusable 4-D array expression). SymPy's answer is evaluated at the exact rational
point of the check (concrete sizes, explicit matrices) and compared with ours, which the exact
check has verified there: ``agreed``, ``refused`` with the counterexample (SymPy 1.14 returns 0
for ``d logdet``), or ``no answer`` (it leaves ``Derivative(Determinant(X), X)`` unevaluated,
or has no matrix form for the function).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from derive.expression.evaluate import evaluate
from derive.expression.nodes import Node, walk
from derive.expression.shapes import concrete, describe

__all__ = ["SympyAnswer", "sympy_answer"]


@dataclass
class SympyAnswer:
    """``verdict`` (agreed / refused / no answer), SymPy's form (text, LaTeX), the detail."""

    verdict: str
    text: str
    latex: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"verdict": self.verdict, "text": self.text, "latex": self.latex,
                "detail": self.detail}


class _NoForm(Exception):
    pass


def _dim(d: Any, sizes: dict[str, int] | None) -> Any:
    if isinstance(d, int):
        return d
    return sizes[d] if sizes else sp.Symbol(d, integer=True, positive=True)


def to_matrix_expr(n: Node, sizes: dict[str, int] | None) -> Any:
    """``n`` as a SymPy matrix expression (generic sizes when ``sizes`` is None)."""
    memo: dict[int, Any] = {}
    for k in reversed(walk(n)):
        memo[id(k)] = _one(k, [memo[id(a)] for a in k.args], sizes)
    return memo[id(n)]


def _one(n: Node, xs: list[Any], sizes: dict[str, int] | None) -> Any:
    op = n.op
    if op == "name":
        shape = [_dim(d, sizes) for d in n.shape]
        if not shape:
            return sp.Symbol(n.value)
        return sp.MatrixSymbol(n.value, shape[0], shape[1] if len(shape) == 2 else 1)
    if op == "const":
        return sp.Rational(n.value.numerator, n.value.denominator)
    if op == "pi":
        return sp.pi
    if op in ("add", "sub"):
        return xs[0] + xs[1] if op == "add" else xs[0] - xs[1]
    if op == "neg":
        return -xs[0]
    if op == "mul":
        if not n.args[0].shape or not n.args[1].shape:
            return xs[0] * xs[1]
        return sp.hadamard_product(xs[0], xs[1])
    if op == "T":
        return xs[0].T if n.args[0].ndim == 2 else xs[0]
    if op == "matmul":
        a, b = n.args
        if a.ndim == 1 and b.ndim == 1:
            return sp.Trace(xs[0].T * xs[1])
        if a.ndim == 1:
            return xs[1].T * xs[0]  # a vector is a column: (aᵀ B)ᵀ = Bᵀ a
        return xs[0] * xs[1]
    if op == "pow" and not n.shape:
        return xs[0] ** sp.Rational(n.value.numerator, n.value.denominator)
    if op == "call":
        fn, a = n.value, xs[0]
        if fn == "trace":
            return sp.Trace(a)
        if fn == "det":
            return sp.Determinant(a)
        if fn == "logdet":
            return sp.log(sp.Determinant(a))
        if fn == "inv":
            return sp.Inverse(a)
        if fn == "sum":
            r, c = a.shape
            return sp.Trace(sp.OneMatrix(1, r) * a * sp.OneMatrix(c, 1))
        if fn in ("exp", "log", "tanh", "sqrt") and n.shape:
            return a.applyfunc(getattr(sp, fn))
    raise _NoForm(f"SymPy has no matrix form for {n.value if op == 'call' else op!r}")


def _explicit(e: Any, env: dict[str, Any]) -> sp.Matrix:
    rep: dict[Any, Any] = {s: sp.ImmutableMatrix(env[s.name].reshape(s.shape).tolist())
                           for s in e.atoms(sp.MatrixSymbol)}
    rep.update({s: env[s.name][()] for s in e.atoms(sp.Symbol)
                if s.name in env and env[s.name].ndim == 0})
    out = e.xreplace(rep).doit()
    if isinstance(out, sp.MatrixBase) or hasattr(out, "as_explicit"):
        return sp.Matrix(out.as_explicit() if hasattr(out, "as_explicit") else out)
    return sp.Matrix([[out]])


def sympy_answer(expr: Node, w: str, ours: Node, sizes: dict[str, int], seed: int = 0
                 ) -> SympyAnswer:
    """SymPy's ∂l/∂w beside ``ours`` (already verified exactly at ``sizes``)."""
    from derive.expression.check import is_zero, rational_point

    try:
        generic = _diff(expr, w, None)
    except _NoForm as e:
        return SympyAnswer("no answer", "", "", str(e))
    except Exception as e:  # noqa: BLE001 - SymPy's own failure is the answer
        return SympyAnswer("no answer", "", "", f"SymPy fails: {type(e).__name__}: {e}")
    text, latex = str(generic), sp.latex(generic)
    if generic.has(sp.Derivative):
        return SympyAnswer("no answer", text, latex, "SymPy leaves the derivative unevaluated")
    rng = random.Random(seed)
    names = {k.value: k.shape for k in walk(expr) if k.op == "name"}
    if expr.shape:
        names["G"] = expr.shape
    env = {k: rational_point(concrete(s, sizes), rng, k != "G") for k, s in names.items()}
    try:
        dims = {sp.Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}
        theirs = _explicit(generic.subs(dims), env)
    except Exception as e:  # noqa: BLE001
        return SympyAnswer("no answer", text, latex,
                           f"SymPy's answer cannot be evaluated: {type(e).__name__}: {e}")
    mine = evaluate(ours, env, sizes, True)
    mine = np.asarray(mine, dtype=object).reshape(theirs.shape)
    for k in np.ndindex(*theirs.shape):
        if is_zero(theirs[k] - mine[k]) is not True:
            at = "; ".join(f"{name} = {_show(v)}" for name, v in env.items())
            return SympyAnswer("refused", text, latex,
                               f"at {describe(sizes)}, {at}: entry {list(k)} of SymPy's answer "
                               f"is {theirs[k]}, the exact derivative is {mine[k]}")
    return SympyAnswer("agreed", text, latex, f"equal entry by entry at {describe(sizes)}")


def _show(v: np.ndarray) -> str:
    """An exact value for a message: a number, or rows of numbers."""
    if v.ndim == 0:
        return str(v[()])
    rows = v.reshape(1, -1) if v.ndim == 1 else v
    text = "[" + "; ".join(" ".join(str(x) for x in row) for row in rows.tolist()) + "]"
    return text if v.ndim == 2 else text + "ᵀ"


def _diff(expr: Node, w: str, sizes: dict[str, int] | None) -> Any:
    e = to_matrix_expr(expr, sizes)
    target = next(s for s in (e.atoms(sp.MatrixSymbol) | e.atoms(sp.Symbol))
                  if getattr(s, "name", None) == w)
    if expr.shape:
        rows = _dim(expr.shape[0], sizes)
        cols = _dim(expr.shape[1], sizes) if len(expr.shape) == 2 else 1
        e = sp.Trace(sp.MatrixSymbol("G", rows, cols).T * e)
    return e.diff(target)
