"""``derivation(op)``: an op's VJP derivation as readable steps.

Where a dimension-generic matrix-calculus derivation exists (:mod:`derive.generic`) and no shapes
are asked for, that is shown; otherwise the derivation at concrete shapes: the forward on symbols,
``l = Σ g ⊙ f``, each input's exact VJP, and the proof of the engine's rule at those shapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from derive.exact import exact_vjp, resolve
from derive.generic import generic_derivation
from derive.proof import prove_rule
from derive.render import Derivation, array_latex, make_step

__all__ = ["derivation", "concrete_derivation", "default_case"]


def derivation(op: Any, case: Any = None) -> Derivation:
    """The derivation of ``op``'s VJP: ``derivation("matmul")``, or at ``case`` (a Case)."""
    name = op if isinstance(op, str) else op.name
    if case is None:
        found = generic_derivation(name)
        if found is not None:
            return found
        case = default_case(resolve(op))
    return concrete_derivation(op, case)


def default_case(op: Any) -> Any:
    """The op's first standard case with no 0-d input and at most 12 entries per input."""
    from numeric.cases import standard_cases

    cases = standard_cases(op)
    for c in cases:
        if all(s and int(np.prod(s)) <= 12 for s in c.shapes):
            return c
    return cases[0]


def concrete_derivation(op: Any, case: Any) -> Derivation:
    """Steps of the exact derivation at concrete shapes, ending with the rule's proof."""
    op = resolve(op)
    exact = exact_vjp(op, case)
    args = ", ".join(exact.names)
    shapes = ",\\ ".join(rf"{n} \in \mathbb{{R}}^{{{_dims(x.shape)}}}"
                         for n, x in zip(exact.names, exact.xs))
    d = Derivation(op.name, f"VJP of {op.name} at shapes {case}", "concrete")
    d.steps.append(make_step(
        "forward on symbols",
        rf"f({args}) = {array_latex(exact.out)},\quad {shapes}",
        "statement: the op's own forward run on arrays of symbols"))
    d.steps.append(make_step(
        "the scalar whose gradient is the VJP",
        rf"l = \sum_k g_k f_k({args}),\quad g = {array_latex(exact.g)}", "statement"))
    for i, e in enumerate(exact.exprs):
        name = exact.names[i]
        if e is None:
            d.steps.append(make_step(f"∂l/∂{name}", rf"\text{{{name} is not differentiated}}",
                                     "statement"))
            continue
        d.steps.append(make_step(
            f"∂l/∂{name}, entry by entry", rf"\frac{{\partial l}}{{\partial {name}}} = "
            f"{array_latex(e)}", "derived exactly by SymPy from the forward (sparse accumulation)",
            sp.Matrix(np.asarray(e).reshape(1, -1).tolist()) if e.ndim <= 1 else
            sp.Matrix(np.asarray(e).reshape(e.shape[0], -1).tolist())))
    proof = prove_rule(op, case)
    text = proof.method + (f"; {proof.detail}" if proof.detail else "")
    if proof.kink:
        text += f"; kink: {proof.kink}"
    d.steps.append(make_step("the engine's rule, run on the same symbols",
                             rf"\text{{{_esc(op.name)}.vjp}} = \frac{{\partial l}}{{\partial "
                             rf"({args})}}", f"{proof.status}: {text}"))
    return d


def _dims(shape: tuple[int, ...]) -> str:
    return r" \times ".join(map(str, shape)) if shape else "1"


def _esc(s: str) -> str:
    return s.replace("_", r"\_")
