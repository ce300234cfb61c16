"""The op reference, generated from the op table: ``python -m numeric.reference > docs/ops.md``.

One row per op of ``numeric.ops``: what it computes, its VJP rules as written in the table (the
source of each rule, read with ``ast``), its convention at kinks, its domain, its kind and the
NumPy callables and Tensor methods that reach it. ``tests/numeric/test_reference.py`` keeps the
committed file equal to what this prints.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
from typing import Any

import numeric
from numeric import ops as _ops
from numeric.op import REALS, Domain, Op

__all__ = ["rule_sources", "markdown"]


def rule_sources() -> dict[str, list[str]]:
    """Each built-in op's rules as source text, read from the ``register(Op(...))`` calls."""
    found: dict[str, list[str]] = {}
    for module in _modules():
        found.update(_rules_in(inspect.getsource(module)))
    return found


def _modules() -> list[Any]:
    """The op table's modules: the ``numeric.ops`` package's group modules."""
    return [m for name, m in sorted(sys.modules.items())
            if name.startswith(_ops.__name__ + ".") and name != _ops.__name__ + ".common"]


def _rules_in(source: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Op"):
            continue
        name, rules = node.args[0], node.args[2]
        if not (isinstance(name, ast.Constant) and isinstance(rules, ast.Tuple)):
            continue
        texts = []
        for rule in rules.elts:
            body = rule.body if isinstance(rule, ast.Lambda) else rule
            texts.append(" ".join(ast.get_source_segment(source, body).split()))
        found[name.value] = texts
    return found


def _domain(d: Domain) -> str:
    if d.kind == "bool":
        return "bool (not differentiated)"
    if d.kind != "real":
        return f"{d.kind} matrices"
    text = "reals" if dataclasses.replace(d, cuts=()) == REALS else f"[{d.low:g}, {d.high:g}]"
    if d.avoid:
        text += " away from " + ", ".join(f"{a:g}" for a in d.avoid)
    if d.cuts:
        text += "; complex: branch cuts " + ", ".join(map(str, d.cuts))
    return text


def _calls(op: Op) -> str:
    names = []
    for target, _ in op.binders():
        if isinstance(target, str):
            names.append(f"`t.{target}()`")
        else:
            module = getattr(target, "__module__", "numpy") or "numpy"
            prefix = "np.linalg." if "linalg" in module else "np."
            names.append(f"`{prefix}{target.__name__}`")
    return ", ".join(names) or "—"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    """The reference page for every op of the table, in table order."""
    rules = rule_sources()
    lines = [
        "# Op reference",
        "",
        "Generated from the op table (`numeric/ops/`) by `python -m numeric.reference`; do not",
        "edit by hand. A rule is `vjp(g, out, *xs, **params)`: `g` the incoming cotangent, `out`",
        "the forward result, `x, y, …` the inputs; it returns the input's cotangent before",
        "`unbroadcast` sums broadcast axes. Domains are where `verify` samples inputs.",
        "",
        "| op | computes | VJP rules | kink convention | domain | kind | reached by |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, op in numeric.all_ops().items():
        texts = rules.get(name, [])
        shown = "; ".join(f"`{t}`" if t != "None" else "— (not differentiated)" for t in texts)
        domains = op.domains()
        domain = "reals" if all(d == REALS for d in domains) else "; ".join(
            _domain(d) for d in domains)
        kink = op.kink.text if op.kink else "—"
        lines.append("| " + " | ".join(_cell(c) for c in (
            f"`{name}`", op.doc, shown or "—", kink, domain, op.kind.name, _calls(op))) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
