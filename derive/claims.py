"""The seed notebook's claims, each confirmed or refuted by the exact derivation.

SymPy's LaTeX parser cannot read the notebook's matrix notation, so the table is explicit: each
claim has the section it comes from, the formula as the notebook writes it (LaTeX), its meaning as
NumPy code on symbolic arrays (``formulas``: one per input, or an identity ``lhs == rhs``), and the
layout convention. The notebook writes the gradient of a vector as a *row* (numerator layout);
the engine's cotangents have the input's shape, so a row 1×n and a vector of n are compared
entry by entry. Implicit claims are included: the broadcasting rule behind ``unbroadcast`` and
the maximum's tie rule (the notebook gives the whole gradient to b). The claims about the code and
the worked example are in :mod:`derive.claims_code`.

Verdicts: "confirmed" (equal to the exact derivation), "refuted" (differs, or the code raises),
"subgradient" (at a kink: a valid subgradient, other than the engine's convention) and
"undecided" (SymPy could not decide).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from derive.compare import compare
from derive.exact import exact_vjp
from derive.oprun import resolve
from derive.symbolic import as_sym, symbols
from numeric.cases import Case

__all__ = ["Claim", "claims", "check_claim", "claim_table", "VERDICTS"]

VERDICTS = ("confirmed", "refuted", "subgradient", "undecided")

ROW = "notebook: ∂l/∂f and ∂l/∂x as rows (numerator layout); compared entrywise with 1-D arrays"
MATRIX = "∂l/∂X has the shape of X (denominator layout for matrices, as the notebook writes them)"


@dataclass
class Claim:
    """One stated result: where, as written, what it means in SymPy, and the verdict."""

    section: str
    latex: str
    meaning: str
    layout: str
    op: str | None
    case: Case | None = None
    formulas: tuple[Callable[..., Any] | None, ...] = ()   # per input: f(g, *xs) -> array
    identity: Callable[[], tuple[Any, Any]] | None = None   # () -> (lhs, rhs) arrays
    custom: Callable[[], tuple[str, str]] | None = None     # () -> (verdict, detail)
    verdict: str = ""
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "latex": self.latex, "sympy": self.meaning,
                "layout": self.layout, "verdict": self.verdict, "detail": self.detail,
                "op": self.op, "case": None if self.case is None else str(self.case)}


def check_claim(claim: Claim) -> Claim:
    """Decide ``claim`` against the exact derivation; sets and returns its verdict and detail."""
    if claim.custom is not None:
        claim.verdict, claim.detail = claim.custom()
        return claim
    if claim.identity is not None:
        lhs, rhs = (np.asarray(as_sym(v)) for v in claim.identity())
        claim.verdict, claim.detail = _entries(lhs, rhs, "identity")
        return claim
    exact = exact_vjp(resolve(claim.op), claim.case)
    for i, f in enumerate(claim.formulas):
        if f is None or exact.exprs[i] is None:
            continue
        want = exact.exprs[i].view(np.ndarray)
        try:
            got = np.asarray(as_sym(f(exact.g, *exact.xs)).view(np.ndarray))
        except (ValueError, TypeError, IndexError) as e:  # the code cannot run at these shapes
            claim.verdict = "refuted"
            claim.detail = (f"input {i} ({exact.names[i]}) at shapes {claim.case}: the formula "
                            f"raises {type(e).__name__}: {e}")
            return claim
        if got.size != want.size:
            claim.verdict = "refuted"
            claim.detail = f"input {i}: the formula has shape {got.shape}, the input {want.shape}"
            return claim
        verdict, detail = _entries(got.reshape(want.shape), want, f"input {i} ({exact.names[i]})")
        if verdict != "confirmed":
            claim.verdict, claim.detail = verdict, detail
            return claim
    claim.verdict = "confirmed"
    claim.detail = f"equals the exact derivation from the forward at shapes {claim.case}"
    return claim


def claims() -> list[Claim]:
    """The notebook's claims table, every claim decided."""
    return [check_claim(c) for c in claim_table()]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _entries(got: Any, want: Any, where: str) -> tuple[str, str]:
    for k in np.ndindex(*want.shape):
        ok, _, witness = compare(got[k], want[k])
        if ok is False:
            at = f" (they differ at {witness})" if witness else ""
            return "refuted", f"{where}, entry {k}: claimed {got[k]}, derived {want[k]}{at}"
        if ok is None:
            return "undecided", f"{where}, entry {k}: not decided exactly"
    return "confirmed", f"{where}: equal entry by entry"


def _case(*shapes: tuple[int, ...], **params: Any) -> Case:
    return Case(tuple(shapes), params)


def _row(v: Any) -> Any:
    return np.reshape(v, (1, -1))


def _col(v: Any) -> Any:
    return np.reshape(v, (-1, 1))


def _seed_unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """The notebook's rule, restated: sum leading axes away, then size-1 axes with keepdims."""
    while np.ndim(g) > len(shape):
        g = np.sum(g, axis=0)
    for axis, size in enumerate(shape):
        if size == 1:
            g = np.sum(g, axis=axis, keepdims=True)
    return g


def _outer_sum() -> tuple[Any, Any]:
    b, g = symbols("b", (3, 2), real=True), symbols("g", (4, 2), real=True)
    lhs = sum(_col(b[:, i]) @ _row(g[:, i]) for i in range(2))
    return lhs, b @ np.transpose(g)


def _row_claim() -> tuple[Any, Any]:
    a, b = symbols("a", (3, 2), real=True), symbols("b", (2,), real=True)
    f = (a @ b).view(np.ndarray)
    plain_a = a.view(np.ndarray)
    lhs = np.array([[[sp.diff(f[i], plain_a[r, c]) for c in range(2)] for r in range(3)]
                    for i in range(3)], dtype=object)
    rhs = np.zeros((3, 3, 2), dtype=object)
    for i in range(3):
        rhs[i, i, :] = b.view(np.ndarray)
    return lhs, rhs


def _tie() -> tuple[str, str]:
    """At a tie, is the notebook's (∂/∂a, ∂/∂b) = (0, 1) the derivative of max(a, b), a valid
    subgradient (each share between the one-sided derivatives, summing to 1), or neither?"""
    a, h = sp.Symbol("a", real=True), sp.Symbol("h", positive=True)
    right = sp.limit((sp.Max(a + h, a) - a) / h, h, 0)
    left = sp.limit((sp.Max(a - h, a) - a) / (-h), h, 0)
    engine = resolve("maximum").kink
    claimed = (sp.Integer(0), sp.Integer(1))  # by symmetry b's one-sided slopes are a's
    if right == left:
        return ("confirmed" if claimed[0] == right else "refuted",
                f"both one-sided derivatives are {right}")
    lo, hi = sorted((left, right))
    if not (all(lo <= s <= hi for s in claimed) and sum(claimed) == 1):
        return "refuted", f"(0, 1) is not a subgradient: shares must lie in [{lo}, {hi}]"
    same = engine is not None and tuple(map(sp.Rational, engine.slope)) == claimed
    return ("confirmed" if same else "subgradient"), (
        f"at a == b max is not differentiable: ∂max/∂a from the right is {right}, from the "
        f"left {left}. The notebook's (0, 1) is a valid subgradient (shares in [{lo}, {hi}] "
        f"summing to 1)" + ("" if same or engine is None else
                            f"; the engine's convention is another ({engine.text})"))


def _cross_terms() -> tuple[Any, Any]:
    """For i != j the output column f_j = A b_j does not involve b_i: ∂f_j/∂b_i is m×n zeros."""
    A, B = symbols("A", (2, 3), real=True), symbols("B", (3, 3), real=True)
    F = (A @ B).view(np.ndarray)
    plain = B.view(np.ndarray)
    pairs = [(i, j) for i in range(3) for j in range(3) if i != j]
    lhs = np.array([[[sp.diff(F[r, j], plain[c, i]) for c in range(3)] for r in range(2)]
                    for i, j in pairs], dtype=object)
    return lhs, np.zeros(lhs.shape, dtype=int)


def claim_table() -> list[Claim]:  # built on demand: every call gives fresh, undecided claims
    from derive.claims_code import code_claims  # it builds Claims: imported here, not at the top

    c = Claim
    return [
        c("VJP for addition", r"\frac{\partial l}{\partial \mathbf{a}} = \frac{\partial l}"
          r"{\partial \mathbf{f}},\ \frac{\partial l}{\partial \mathbf{b}} = \frac{\partial l}"
          r"{\partial \mathbf{f}}", "da == g, db == g", ROW, "add", _case((3,), (3,)),
          (lambda g, a, b: g, lambda g, a, b: g)),
        c("VJP for element-wise multiplication", r"\frac{\partial l}{\partial \alpha} = "
          r"\frac{\partial l}{\partial f}\beta,\ \frac{\partial l}{\partial \beta} = "
          r"\frac{\partial l}{\partial f}\alpha", "dα == g*β, dβ == g*α (scalars)", "scalars",
          "multiply", _case((), ()), (lambda g, a, b: g * b, lambda g, a, b: g * a)),
        c("matmul case 1: vector-vector", r"\frac{\partial l}{\partial \mathbf{a}} = "
          r"\frac{\partial l}{\partial f}\mathbf{b}^\top,\ \frac{\partial l}{\partial \mathbf{b}}"
          r" = \frac{\partial l}{\partial f}\mathbf{a}^\top", "da == g*b.T, db == g*a.T", ROW,
          "matmul", _case((3,), (3,)), (lambda g, a, b: g * _row(b), lambda g, a, b: g * _row(a))),
        c("matmul case 2: matrix-vector", r"\frac{\partial l}{\partial \mathbf{A}} = \left("
          r"\mathbf{b}\frac{\partial l}{\partial \mathbf{f}}\right)^\top,\ \frac{\partial l}"
          r"{\partial \mathbf{b}} = \frac{\partial l}{\partial \mathbf{f}}\mathbf{A}",
          "dA == (b_col @ g_row).T, db == g_row @ A", ROW, "matmul", _case((2, 3), (3,)),
          (lambda g, A, b: np.transpose(_col(b) @ _row(g)), lambda g, A, b: _row(g) @ A)),
        c("matmul case 2: one row at a time", r"\frac{\partial}{\partial \mathbf{A}} "
          r"\mathbf{a}_i^\top \mathbf{b} = \begin{bmatrix} \mathbf{0}^\top \\ \mathbf{b}^\top "
          r"\\ \mathbf{0}^\top \end{bmatrix} \text{ (row } i)", "d(A @ b)[i]/dA == b in row i, "
          "zeros elsewhere (A 3×2, every i)", MATRIX, None, identity=_row_claim),
        c("matmul case 3: the transposition trick", r"\frac{\partial l}{\partial \mathbf{B}} = "
          r"\left(\frac{\partial l}{\partial \mathbf{F}_2}\mathbf{A}\right)^\top,\ "
          r"\mathbf{F}_2 = \mathbf{F}^\top = \mathbf{B}^\top\mathbf{A}^\top",
          "dB == (G.T @ A).T (case 3's dA rule applied to F.T = B.T A.T)", MATRIX, "matmul",
          _case((2, 3), (3, 4)), (None, lambda g, A, B: (g.T @ A).T)),
        c("matmul case 3: sum of outer products", r"\sum_i \mathbf{b}_i \frac{\partial l}"
          r"{\partial \mathbf{f}_i} = \mathbf{B}\left(\frac{\partial l}{\partial \mathbf{F}}"
          r"\right)^\top", "sum_i b[:, i] ⊗ G[:, i] == B @ G.T (B 3×2, G 4×2)", MATRIX, None,
          identity=_outer_sum),
        c("matmul case 3: cross terms i ≠ j", r"i \neq j:\ \frac{\partial l}{\partial "
          r"\mathbf{f}_j} \frac{\partial}{\partial \mathbf{A}} (\mathbf{A}\mathbf{b}_i) = "
          r"\mathbf{0}_{m \times n}", "∂F[:, j]/∂B[:, i] == 0 (2×3) for every i != j (A 2×3, "
          "B 3×3): column j of F never sees b_i, so only the terms i = j stay in the chain rule",
          MATRIX, None, identity=_cross_terms),
        c("matmul case 3: the chain-rule sum", r"\frac{\partial l}{\partial \mathbf{A}} = "
          r"\sum_i \left(\mathbf{b}_i \frac{\partial l}{\partial \mathbf{f}_i}\right)^\top",
          "dA == sum_i (B[:, i] ⊗ G[:, i]).T", MATRIX, "matmul", _case((2, 3), (3, 4)),
          (lambda g, A, B: sum(np.transpose(_col(B[:, i]) @ _row(g[:, i])) for i in range(4)),
           None)),
        c("matmul case 3: matrix-matrix", r"\frac{\partial l}{\partial \mathbf{A}} = "
          r"\frac{\partial l}{\partial \mathbf{F}}\mathbf{B}^\top,\ \frac{\partial l}"
          r"{\partial \mathbf{B}} = \mathbf{A}^\top\frac{\partial l}{\partial \mathbf{F}}",
          "dA == G @ B.T, dB == A.T @ G", MATRIX, "matmul", _case((2, 3), (3, 4)),
          (lambda g, A, B: g @ B.T, lambda g, A, B: A.T @ g)),
        c("matmul code: stacks of matrices broadcast", r"\frac{\partial l}{\partial \mathbf{A}}"
          r" = \operatorname{unbroadcast}(G B^\top)", "dB == unbroadcast(A.T @ G) over the batch",
          MATRIX, "matmul", _case((2, 2, 3), (3, 4)),
          (lambda g, A, B: g @ B.T,
           lambda g, A, B: _seed_unbroadcast(np.swapaxes(A, -1, -2) @ g, (3, 4)))),
        c("exp (code)", r"\frac{\partial l}{\partial x} = \frac{\partial l}{\partial f} e^{x}",
          "dx == g * exp(x)", "elementwise", "exp", _case((2, 3)),
          (lambda g, x: g * np.exp(x),)),
        c("log (code)", r"\frac{\partial l}{\partial x} = \frac{\partial l}{\partial f} / x",
          "dx == g / x", "elementwise", "log", _case((2, 3)), (lambda g, x: g / x,)),
        c("sum (code)", r"\frac{\partial l}{\partial x} = \operatorname{expand\_dims}"
          r"(\frac{\partial l}{\partial f}, \text{axis}) \cdot \mathbf{1}",
          "dx == expand_dims(g, axis) * ones_like(x)", MATRIX, "sum", _case((2, 3), axis=1),
          (lambda g, x: np.expand_dims(g, 1) * np.ones_like(x),)),
        c("maximum (code), away from ties", r"\frac{\partial l}{\partial a} = \frac{\partial l}"
          r"{\partial f}[a > b],\ \frac{\partial l}{\partial b} = \frac{\partial l}{\partial f}"
          r"[a \le b]", "da == g*where(a > b, 1, 0), db == g*where(a > b, 0, 1), for a != b",
          "elementwise", "maximum", _case((3,), (3,)),
          (lambda g, a, b: g * np.where(a > b, 1, 0), lambda g, a, b: g * np.where(a > b, 0, 1))),
        c("maximum (code), at ties", r"a = b:\ \frac{\partial l}{\partial a} = 0,\ "
          r"\frac{\partial l}{\partial b} = \frac{\partial l}{\partial f}",
          "one-sided limits of (max(a ± h, a) - a) / ±h as h -> 0+", "scalars", "maximum",
          custom=_tie),
        c("unbroadcast (implicit)", r"\frac{\partial l}{\partial \mathbf{y}} = \sum_{\text{"
          r"broadcast axes}} \frac{\partial l}{\partial \mathbf{f}}",
          "dy == sum of g over leading axes, then size-1 axes (keepdims), for x + y",
          "y's shape", "add", _case((1, 3), (2, 2, 1)),
          (lambda g, x, y: _seed_unbroadcast(g, (1, 3)),
           lambda g, x, y: _seed_unbroadcast(g, (2, 2, 1)))),
        *code_claims(),
    ]
