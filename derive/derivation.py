"""``derivation(op)``: an op's VJP derivation as readable steps.

Where a dimension-generic matrix-calculus derivation exists (:mod:`derive.generic`) and no shapes
are asked for, that is shown; otherwise the derivation at concrete shapes: the forward on symbols,
``l = Σ g ⊙ f``, each input's exact VJP, and the proof of the engine's rule at those shapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from derive import store
from derive.constructed import constructed_derivation
from derive.exact import ExactVJP, exact_vjp
from derive.exact import store_key as exact_key
from derive.generic import generic_derivation, generic_ops
from derive.oprun import ALIASES, DeriveError, SizeError, for_case, own_digest, resolve, run_rules
from derive.proof import Limits, prove_rule
from derive.render import (
    Derivation,
    Step,
    _tex_text,
    array_latex,
    array_text,
    latex_text,
    make_step,
)
from numeric import Op
from numeric.cases import Case, standard_cases

__all__ = ["derivation", "concrete_derivation", "default_case", "GENERIC_NAME"]

GENERIC_NAME = {"slogdet": "logdet"}  # a table op whose generic derivation has another name


def derivation(op: Op | str, case: Case | None = None, limits: Limits | None = None
               ) -> Derivation:
    """The derivation of ``op``'s VJP: ``derivation("matmul")``, or at ``case`` (a Case).

    Served from :mod:`derive.store` when it can be: a concrete derivation only while the rule's
    proof (itself re-checked against what the rule computes) still has the stored status.
    ``limits`` (:class:`derive.Limits`) sets the proof's time budgets and the size limit.
    """
    name = op if isinstance(op, str) else op.name
    name = ALIASES.get(name, name)  # logdet is slogdet: one op, one derivation
    generic = GENERIC_NAME.get(name, name)
    if case is None and generic in generic_ops():
        key = store.key("derivation", "generic", name, generic, own_digest(), sp.__version__)
        try:
            return Derivation.from_dict(store.load("derivation", key))
        except ValueError:
            found = generic_derivation(generic)
            if generic != name:
                found.op = name
                found.title = found.title.replace(f"of {generic} ", f"of {name} ({generic}) ", 1)
            store.save("derivation", key, found.to_dict())
            return found
    op = resolve(op)
    case = default_case(op) if case is None else case
    key = store.key("derivation", exact_key(for_case(op, case), case), repr(case.label))
    proof = prove_rule(op, case, limits=limits).to_dict()
    doc = store.load("derivation", key)
    if isinstance(doc, dict) and set(doc) == {"proof", "derivation"} and isinstance(
            doc["proof"], dict) and all(doc["proof"].get(k) == proof[k] for k in (
            "status", "method", "detail", "kink")):
        try:
            return Derivation.from_dict(doc["derivation"])
        except ValueError:
            pass
    found = concrete_derivation(op, case, limits)
    store.save("derivation", key, {"proof": proof, "derivation": found.to_dict()})
    return found


def default_case(op: Op) -> Case:
    """The op's first standard case with no 0-d input and at most 12 entries per input."""
    cases = standard_cases(op)
    for c in cases:
        if all(s and int(np.prod(s)) <= 12 for s in c.shapes):
            return c
    return cases[0]


def concrete_derivation(op: Op | str, case: Case, limits: Limits | None = None) -> Derivation:
    """Steps of the exact derivation at concrete shapes, ending with the rule's proof."""
    op = resolve(op)
    try:
        exact = exact_vjp(op, case, (limits or Limits()).max_entries)
    except SizeError:
        raise
    except DeriveError:  # no exact form: the steps at a constructed point, if the op has them
        if op.exact_point is None:
            raise
        return constructed_derivation(op, case, prove_rule(op, case, limits=limits))
    args = ", ".join(exact.names)
    shapes = ",\\ ".join(rf"{n} \in \mathbb{{R}}^{{{_dims(x.shape)}}}"
                         for n, x in zip(exact.names, exact.xs))
    d = Derivation(op.name, f"VJP of {op.name} at shapes {case}", "concrete")
    d.steps.append(make_step(
        "forward on symbols", rf"f({args}) = {array_latex(exact.out)},\quad {shapes}",
        "statement: the op's own forward run on arrays of symbols",
        text=_labelled(f"f({args}) =", array_text(exact.out)) + "\n" + latex_text(shapes)))
    d.steps.append(make_step(
        "the scalar whose gradient is the VJP",
        rf"l = \sum_k g_k f_k({args}),\quad g = {array_latex(exact.g)}", "statement",
        text=f"l = Σₖ gₖ·fₖ({args})\n" + _labelled("g =", array_text(exact.g))))
    for i, e in enumerate(exact.exprs):
        name = exact.names[i]
        if e is None:
            d.steps.append(make_step(f"∂l/∂{name}", rf"\text{{{name} is not differentiated}}",
                                     "statement"))
            continue
        d.steps.append(make_step(
            f"∂l/∂{name}, entry by entry",
            rf"\frac{{\partial l}}{{\partial {name}}} = {array_latex(e)}",
            "derived exactly by SymPy from the forward (sparse accumulation)",
            text=_labelled(f"∂l/∂{name} =", array_text(e))))
    d.steps.append(_rule_step(op, case, exact, limits))
    return d


def _rule_step(op: Op, case: Case, exact: ExactVJP, limits: Limits | None) -> Step:
    """What the engine's rule returns on the symbols (after unbroadcast) and its proof."""
    proof = prove_rule(op, case, limits=limits)
    how = proof.method + (f"; {proof.detail}" if proof.detail else "")
    if proof.kink:
        how += f"; kink: {proof.kink}"
    status = f"{proof.status}: {how}"
    # the rule's output against the derivation: equal (proved or spot-checked), not, or undecided
    rel, rel_text = ("=", "=") if proof.ok else (r"\neq", "≠") if proof.status == "refuted" \
        else (r"\overset{?}{=}", "≟")
    try:
        rop = for_case(op, case)
        got = run_rules(rop, rop.vjp, exact.names, exact.exprs, exact.xs, exact.out, exact.g,
                        dict(case.params))
    except Exception as e:  # noqa: BLE001 - e.g. a NumPy call with no SymPy mapping
        why = f"the rule cannot run on symbols ({type(e).__name__}: {e})"
        return make_step("the engine's rule, run on the same symbols",
                         rf"\text{{{_tex_text(why)}}}", status, text=why)
    tex, text = [], []
    for name, r in zip(exact.names, got):
        if r is None:
            continue
        lhs = rf"\text{{{_esc(op.name)}.vjp}}_{{{name}}}"
        tex.append(rf"{lhs} = {array_latex(r)} {rel} \frac{{\partial l}}{{\partial {name}}}"
                   rf"\quad \text{{({proof.status})}}")
        text.append(_labelled(f"{op.name}.vjp → {name}:", array_text(r)))
        cases = _by_cases(np.asarray(r, dtype=object))
        if cases is not None:
            k, pw = cases
            at = f"entry [{','.join(map(str, k))}] by cases:" if k else "by cases:"
            tex.append(rf"\text{{{at} }} {sp.latex(pw)}")
            text.append(_labelled(f"  {at}", array_text(pw)))
        text.append(f"  {rel_text} ∂l/∂{name}  ({proof.status})")
    return make_step("the engine's rule, run on the same symbols",
                     r"\begin{gathered}" + r" \\ ".join(tex) + r"\end{gathered}", status,
                     text="\n".join(text))


def _by_cases(a: np.ndarray) -> tuple[tuple[int, ...], Any] | None:
    """The first entry of ``a`` that turns on one kink ``d`` (the argument of sign, Heaviside or
    Abs, or a - b of Max(a, b) / Min(a, b)), as a Piecewise over d > 0, d = 0, d < 0; None if no
    entry has exactly one. Each case is decided by moving one symbol v of d so that d is t, 0 or
    -t for a positive t, then moving it back."""
    t = sp.Symbol("t", positive=True)
    for k in np.ndindex(*a.shape):
        e = sp.sympify(a[k])
        kinks = {f.args[0] for f in e.atoms(sp.sign, sp.Heaviside, sp.Abs)}
        kinks |= {f.args[0] - f.args[1] for f in e.atoms(sp.Max, sp.Min) if len(f.args) == 2}
        basic = {-d if d.could_extract_minus_sign() else d for d in kinks
                 if not d.has(sp.Max, sp.Min, sp.sign, sp.Heaviside, sp.Abs)}
        if len(basic) != 1:
            continue
        (d,) = basic
        v = min(d.free_symbols, key=str, default=None)
        c = d.diff(v) if v is not None else 0
        if v is None or not c.is_number or c == 0:
            continue
        pieces = []
        for s, rel in ((1, sp.Gt), (0, sp.Eq), (-1, sp.Lt)):
            moved = sp.simplify(e.xreplace({v: v + (s * t - d) / c}))
            pieces.append((sp.simplify(moved.xreplace({t: s * d})), _relation(rel, d)))
        return k, sp.Piecewise(*pieces[:2], (pieces[2][0], True), evaluate=False)
    return None


def _relation(rel: Any, d: Any) -> Any:
    """``d > 0`` written as ``x > y`` when d is the difference x - y."""
    terms = sp.Add.make_args(d)
    if len(terms) == 2:
        pos = [t for t in terms if not t.could_extract_minus_sign()]
        neg = [-t for t in terms if t.could_extract_minus_sign()]
        if len(pos) == 1 and len(neg) == 1:
            return rel(pos[0], neg[0], evaluate=False)
    return rel(d, 0, evaluate=False)


def _labelled(label: str, block: str) -> str:
    """``label`` before a (possibly multi-line) block, on its middle line."""
    lines = block.splitlines() or [""]
    if len(lines) == 1:
        return f"{label} {lines[0]}"
    if lines[0].startswith("[") or ":,:] = " in block:  # entries or matrices: under the label
        return label + "\n" + "\n".join("  " + line for line in lines)
    mid = (len(lines) - 1) // 2
    pad = " " * (len(label) + 1)
    return "\n".join((label + " " if j == mid else pad) + line for j, line in enumerate(lines))


def _dims(shape: tuple[int, ...]) -> str:
    return r" \times ".join(map(str, shape)) if shape else "1"


def _esc(s: str) -> str:
    return s.replace("_", r"\_")

