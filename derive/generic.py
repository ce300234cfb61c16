"""Dimension-generic matrix calculus: the notebook's derivations with MatrixSymbols of size m×n.

Each VJP is derived as ``∂l/∂X`` of ``l = tr(Gᵀ F)`` (``l = g·F`` for a scalar F). SymPy 1.14
fails silently on some of these (the derivative of a determinant or log-determinant comes back as
0), so no generic result is trusted alone: every closed form — SymPy's and the formula the
notebook states — is checked exactly against an independent derivation at concrete sizes (explicit
matrices, entry by entry), and each step's status says what was verified where. Two more SymPy
1.14 traps are avoided by construction: a 1×1 expression is always wrapped in ``Trace`` (without
it the derivative is an unusable 4-D array expression), and no MatrixSymbol expression is
lambdified (elementwise functions print as invalid code); numbers come from :mod:`derive.exact`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp

from derive.generic_check import differential_holds_at, holds_at, square_sizes
from derive.render import Derivation, latex_text, make_step, pretty

__all__ = ["GenericRule", "GENERIC", "generic_derivation", "generic_ops"]

m, n, p = sp.symbols("m n p", integer=True, positive=True)
SIZES = {m: 2, n: 3, p: 2}
SQUARE_SIZES = {n: 2, p: 3}  # symbolic; n = 3 at an exact point (derive.generic_check)


@dataclass(frozen=True)
class GenericRule:
    """One matrix-calculus derivation: inputs with symbolic sizes, a forward, stated formulas."""

    op: str
    title: str
    inputs: tuple[tuple[str, Any, Any], ...]    # (name, rows, cols)
    forward: Callable[..., Any]                  # on MatrixSymbols and on explicit matrices
    f_latex: str                                 # F = ... as the notebook writes it
    stated: tuple[tuple[str, Callable[..., Any]], ...]  # per input: (LaTeX, formula(G, *xs))
    scalar: bool = False                         # F is a scalar: l = g F

    @property
    def sizes(self) -> dict[Any, int]:
        """The concrete sizes every closed form is checked at."""
        square = any(r == c for _, r, c in self.inputs)
        return SQUARE_SIZES if square else SIZES


def _had(a: Any, b: Any) -> Any:
    return a.multiply_elementwise(b) if isinstance(a, sp.MatrixBase) else sp.hadamard_product(a, b)


def _ew(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda a: a.applyfunc(f)


def _tr(a: Any) -> Any:
    return a.trace() if isinstance(a, sp.MatrixBase) else sp.Trace(a)


def _det(a: Any) -> Any:
    return a.det() if isinstance(a, sp.MatrixBase) else sp.Determinant(a)


_1 = sp.OneMatrix
# op          title                       inputs                  forward        F as written
GENERIC: tuple[GenericRule, ...] = (
    GenericRule("add", "addition", (("A", m, n), ("B", m, n)), lambda a, b: a + b, "A + B",
                (("G", lambda g, a, b: g), ("G", lambda g, a, b: g))),
    GenericRule("multiply", "elementwise (Hadamard) product", (("A", m, n), ("B", m, n)), _had,
                r"A \circ B", ((r"G \circ B", lambda g, a, b: _had(g, b)),
                               (r"G \circ A", lambda g, a, b: _had(g, a)))),
    GenericRule("matmul", "vector-vector (case 1)", (("a", n, 1), ("b", n, 1)),
                lambda a, b: a.T * b, r"a^{T} b",
                ((r"g\, b", lambda g, a, b: b * g), (r"g\, a", lambda g, a, b: a * g))),
    GenericRule("matmul", "matrix-vector (case 2)", (("A", m, n), ("b", n, 1)),
                lambda a, b: a * b, r"A b",
                ((r"\left(b\, g^{T}\right)^{T}", lambda g, a, b: (b * g.T).T),
                 (r"\left(g^{T} A\right)^{T}", lambda g, a, b: (g.T * a).T))),
    GenericRule("matmul", "matrix-matrix (case 3)", (("A", m, n), ("B", n, p)),
                lambda a, b: a * b, "A B",
                ((r"G B^{T}", lambda g, a, b: g * b.T), (r"A^{T} G", lambda g, a, b: a.T * g))),
    GenericRule("matmul", "vector-matrix (case 4)", (("a", n, 1), ("B", n, p)),
                lambda a, b: a.T * b, r"a^{T} B",
                ((r"B g^{T}", lambda g, a, b: b * g.T), (r"a\, g", lambda g, a, b: a * g))),
    GenericRule("exp", "elementwise exp", (("A", m, n),), _ew(sp.exp), r"\exp(A)",
                ((r"G \circ \exp(A)", lambda g, a: _had(g, a.applyfunc(sp.exp))),)),
    GenericRule("log", "elementwise log", (("A", m, n),), _ew(sp.log), r"\log(A)",
                ((r"G \circ A^{\circ -1}", lambda g, a: _had(g, a.applyfunc(lambda t: 1 / t))),)),
    GenericRule("sum", "sum of all entries", (("A", m, n),),
                lambda a: _1(1, a.shape[0]) * a * _1(a.shape[1], 1), r"\mathbf{1}^{T} A \mathbf{1}",
                ((r"\mathbf{1}\, g\, \mathbf{1}^{T}", lambda g, a: _1(m, 1) * g * _1(1, n)),)),
    GenericRule("sum", "sum along axis 0", (("A", m, n),), lambda a: _1(1, a.shape[0]) * a,
                r"\mathbf{1}^{T} A", ((r"\mathbf{1}\, g", lambda g, a: _1(m, 1) * g),)),
    GenericRule("sum", "sum along axis 1", (("A", m, n),), lambda a: a * _1(a.shape[1], 1),
                r"A \mathbf{1}", ((r"g\, \mathbf{1}^{T}", lambda g, a: g * _1(1, n)),)),
    GenericRule("transpose", "transpose", (("A", m, n),), lambda a: a.T, r"A^{T}",
                ((r"G^{T}", lambda g, a: g.T),)),
    GenericRule("trace", "trace", (("S", n, n),), _tr, r"\operatorname{tr} S",
                ((r"g\, I", lambda g, s: g * sp.Identity(n)),), scalar=True),
    GenericRule("inv", "inverse", (("S", n, n),), lambda s: s.inv(), r"S^{-1}",
                ((r"-S^{-T} G S^{-T}", lambda g, s: -s.T.inv() * g * s.T.inv()),)),
    GenericRule("solve", "solve (F = S⁻¹ B)", (("S", n, n), ("B", n, p)),
                lambda s, b: s.inv() * b, r"S^{-1} B",
                ((r"-S^{-T} G F^{T}", lambda g, s, b: -s.T.inv() * g * (s.inv() * b).T),
                 (r"S^{-T} G", lambda g, s, b: s.T.inv() * g))),
    GenericRule("det", "determinant", (("S", n, n),), _det, r"\det S",
                ((r"g \det(S)\, S^{-T}", lambda g, s: g * _det(s) * s.T.inv()),), scalar=True),
    GenericRule("logdet", "log-determinant", (("S", n, n),), lambda s: sp.log(_det(s)),
                r"\log \det S", ((r"g\, S^{-T}", lambda g, s: g * s.T.inv()),), scalar=True),
)


# The intermediate identity of each derivation: the differential dF in the inputs' differentials.
# tr(Gᵀ dF) rearranged as Σ tr(Xᵢᵀ dInputᵢ) reads off each ∂l/∂Inputᵢ = Xᵢ.
_IN = r"\operatorname{tr}"
DIFFERENTIALS: dict[str, tuple[str, Callable[..., Any]]] = {
    "addition": ("dF = dA + dB", lambda x, d: d[0] + d[1]),
    "elementwise (Hadamard) product": (r"dF = dA \circ B + A \circ dB",
                                       lambda x, d: _had(d[0], x[1]) + _had(x[0], d[1])),
    "vector-vector (case 1)": (r"dF = da^{T} b + a^{T} db",
                               lambda x, d: d[0].T * x[1] + x[0].T * d[1]),
    "matrix-vector (case 2)": (r"dF = dA\, b + A\, db", lambda x, d: d[0] * x[1] + x[0] * d[1]),
    "matrix-matrix (case 3)": (r"dF = dA\, B + A\, dB", lambda x, d: d[0] * x[1] + x[0] * d[1]),
    "vector-matrix (case 4)": (r"dF = da^{T} B + a^{T} dB",
                               lambda x, d: d[0].T * x[1] + x[0].T * d[1]),
    "elementwise exp": (r"dF = \exp(A) \circ dA",
                        lambda x, d: _had(x[0].applyfunc(sp.exp), d[0])),
    "elementwise log": (r"dF = A^{\circ -1} \circ dA",
                        lambda x, d: _had(x[0].applyfunc(lambda t: 1 / t), d[0])),
    "sum of all entries": (r"dF = \mathbf{1}^{T} dA\, \mathbf{1}",
                           lambda x, d: _1(1, d[0].shape[0]) * d[0] * _1(d[0].shape[1], 1)),
    "sum along axis 0": (r"dF = \mathbf{1}^{T} dA", lambda x, d: _1(1, d[0].shape[0]) * d[0]),
    "sum along axis 1": (r"dF = dA\, \mathbf{1}", lambda x, d: d[0] * _1(d[0].shape[1], 1)),
    "transpose": (r"dF = dA^{T}", lambda x, d: d[0].T),
    "trace": (rf"dF = {_IN}\, dS", lambda x, d: _tr(d[0])),
    "inverse": (r"dF = -S^{-1} dS\, S^{-1}", lambda x, d: -x[0].inv() * d[0] * x[0].inv()),
    "solve (F = S⁻¹ B)": (r"dF = -S^{-1} dS\, S^{-1} B + S^{-1} dB",
                             lambda x, d: -x[0].inv() * d[0] * x[0].inv() * x[1]
                             + x[0].inv() * d[1]),
    "determinant": (rf"dF = \det(S)\, {_IN}\left(S^{{-1}} dS\right)",
                    lambda x, d: _det(x[0]) * _tr(x[0].inv() * d[0])),
    "log-determinant": (rf"dF = {_IN}\left(S^{{-1}} dS\right)",
                        lambda x, d: _tr(x[0].inv() * d[0])),
}


def generic_ops() -> list[str]:
    """Op names with a dimension-generic derivation."""
    return sorted({r.op for r in GENERIC})


@functools.cache
def generic_derivation(op: str) -> Derivation | None:
    """The matrix-calculus derivation of ``op`` (all its cases), or None if there is none."""
    rules = [r for r in GENERIC if r.op == op]
    if not rules:
        return None
    d = Derivation(op, f"VJP of {op} by matrix calculus (sizes m, n, p symbolic)", "generic")
    for rule in rules:
        d.steps.extend(_steps(rule))
    return d


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _steps(rule: GenericRule) -> list[Any]:
    xs = [sp.MatrixSymbol(name, r, c) for name, r, c in rule.inputs]
    out = rule.forward(*xs)
    if rule.scalar:
        g = sp.Symbol("g")
        loss = g * out
        l_tex = rf"l = g\, {rule.f_latex}"
    else:
        g = sp.MatrixSymbol("G" if out.shape[1] != 1 and out.shape[0] != 1 else "g", *out.shape)
        loss = sp.Trace(g.T * out)
        l_tex = rf"l = \operatorname{{tr}}\left({sp.latex(g)}^{{T}} F\right)"
    used = set().union(*(set(x.shape) for x in xs)) & set(rule.sizes)
    three = " and n=3 (exact rational point)" if rule.sizes is SQUARE_SIZES else ""
    at = ", ".join(f"{k}={v}" for k, v in rule.sizes.items() if k in used) + three
    shapes = ", ".join(rf"{x.name} \in \mathbb{{R}}^{{{sp.latex(x.shape[0])} \times "
                       rf"{sp.latex(x.shape[1])}}}" for x in xs)
    statement = rf"F = {rule.f_latex},\quad {shapes},\quad {l_tex}"
    steps = [make_step(f"{rule.title}: statement", statement, "statement",
                       text=latex_text(rf"F = {rule.f_latex},\quad {shapes}") + "\n"
                       + pretty(sp.Eq(sp.Symbol("l"), loss, evaluate=False)))]
    if rule.title in DIFFERENTIALS:
        tex, dif = DIFFERENTIALS[rule.title]
        ok = _differential_holds(rule) and (not three or differential_holds_at(rule, dif))
        steps.append(make_step(
            "differential (then dl = tr(Gᵀ dF), rearranged as Σ tr(Xᵀ dInput))", tex,
            f"verified exactly at sizes {at} (directional derivative of F)" if ok else
            f"refuted: differs from the directional derivative of F at sizes {at}"))
    for i, x in enumerate(xs):
        stated_tex, stated = rule.stated[i]
        want = stated(g, *xs)
        try:
            got = loss.diff(x)
            got_err = ""
        except Exception as e:  # noqa: BLE001 - SymPy cannot differentiate this form
            got, got_err = None, f"{type(e).__name__}: {e}"
        ok_stated = _concrete_equal(rule, want, x, i, g) and (not three or holds_at(
            rule, want, i, g, square_sizes({"n": n, "p": p})))
        ok_sympy = got is not None and _concrete_equal(rule, got, x, i, g)
        generic_same = got is not None and _generic_equal(got, want)
        lhs = rf"\frac{{\partial l}}{{\partial {x.name}}}"
        if got is None:
            steps.append(make_step(f"SymPy's generic ∂l/∂{x.name}", rf"{lhs} = \text{{(failed)}}",
                                   f"failed: SymPy cannot derive it ({got_err})"))
        elif ok_sympy:
            steps.append(make_step(f"SymPy's generic ∂l/∂{x.name}", rf"{lhs} = {sp.latex(got)}",
                                   f"verified exactly at sizes {at}", sp.Eq(sp.Symbol(
                                       f"dl/d{x.name}"), got, evaluate=False)))
        else:
            steps.append(make_step(
                f"SymPy's generic ∂l/∂{x.name} (refused)", rf"{lhs} = {sp.latex(got)}",
                f"refused: SymPy 1.14 returns this, but the concrete derivation at sizes {at} "
                "disagrees; not used", sp.Eq(sp.Symbol(f"dl/d{x.name}"), got, evaluate=False)))
        if ok_stated and generic_same and ok_sympy:
            status = f"verified by SymPy at generic size, and exactly at sizes {at}"
        elif ok_stated:
            status = f"verified exactly at sizes {at} (SymPy cannot confirm it at generic size)"
        else:
            status = f"refuted: differs from the concrete derivation at sizes {at}"
        steps.append(make_step(f"closed form for ∂l/∂{x.name}", rf"{lhs} = {stated_tex}", status,
                               sp.Eq(sp.Symbol(f"dl/d{x.name}"), want, evaluate=False)))
    return steps


def _generic_equal(a: Any, b: Any) -> bool:
    try:
        if a == b or sp.simplify(a.doit() - b.doit()) in (0, sp.ZeroMatrix(*a.shape)):
            return True
        return sp.simplify(a - b).is_ZeroMatrix is True
    except Exception:  # noqa: BLE001
        return False


def _explicit(e: Any, shape: tuple[int, int], sizes: dict[Any, int]) -> sp.Matrix:
    e = e.subs(sizes) if hasattr(e, "subs") else e
    if isinstance(e, sp.Basic):  # scalar factors such as det(S) of a now-concrete S
        e = e.replace(lambda t: isinstance(t, (sp.Determinant, sp.Trace)),
                      lambda t: t.func(sp.Matrix(t.arg.as_explicit())).doit())
    if not isinstance(e, (sp.MatrixBase, sp.MatrixExpr)):
        return sp.Matrix(*shape, lambda i, j: e)
    return sp.Matrix(e.as_explicit()).applyfunc(lambda v: v.doit())


def _concrete_equal(rule: GenericRule, formula: Any, x: Any, i: int, g: Any) -> bool:
    """``formula`` equals ∂l/∂x derived entry by entry from explicit matrices at ``SIZES``."""
    sizes = rule.sizes
    xs = [sp.MatrixSymbol(name, int(sp.sympify(r).subs(sizes)), int(sp.sympify(c).subs(sizes)))
          for name, r, c in rule.inputs]
    explicit = [sp.Matrix(v.as_explicit()) for v in xs]
    out = rule.forward(*explicit)
    if rule.scalar:
        loss = g * sp.sympify(out).doit()
    else:
        out = sp.Matrix(out).applyfunc(lambda v: v.doit())
        gc = sp.Matrix(sp.MatrixSymbol(g.name, *out.shape).as_explicit())
        loss = sum((gc[k] * out[k] for k in range(len(out))), sp.Integer(0))
    target = xs[i]
    try:
        want = _explicit(formula, target.shape, sizes)
    except Exception:  # noqa: BLE001
        return False
    if want.shape != target.shape:
        return False
    for r in range(target.shape[0]):
        for c in range(target.shape[1]):
            d = sp.diff(loss, target[r, c]) - want[r, c]
            if sp.cancel(sp.together(sp.expand(d))) != 0:
                return False
    return True


def _differential_holds(rule: GenericRule) -> bool:
    """dF(X; dX) equals d/dt F(X + t dX) at t = 0, entry by entry, at the concrete sizes."""
    sizes = rule.sizes
    dims = [(int(sp.sympify(r).subs(sizes)), int(sp.sympify(c).subs(sizes)))
            for _, r, c in rule.inputs]
    xs = [sp.Matrix(sp.MatrixSymbol(name, *d).as_explicit())
          for (name, _, _), d in zip(rule.inputs, dims)]
    dxs = [sp.Matrix(sp.MatrixSymbol(f"d{name}", *d).as_explicit())
           for (name, _, _), d in zip(rule.inputs, dims)]
    t = sp.Symbol("t")
    moved = rule.forward(*[x + t * dx for x, dx in zip(xs, dxs)])
    claimed = DIFFERENTIALS[rule.title][1](xs, dxs)
    moved = sp.Matrix([[sp.sympify(moved).doit()]]) if rule.scalar else sp.Matrix(moved)
    claimed = sp.Matrix([[sp.sympify(claimed).doit()]]) if rule.scalar else sp.Matrix(claimed)
    if moved.shape != claimed.shape:
        return False
    for k in range(len(moved)):
        d = sp.diff(moved[k].doit(), t).subs(t, 0) - claimed[k].doit()
        if sp.expand(sp.fraction(sp.together(sp.expand(d)))[0]) != 0:
            return False
    return True
