"""Rendering derivations: ``Step`` and ``Derivation`` records in LaTeX, MathML, HTML and text.

MathML comes from ``latex2mathml`` applied to ``sympy.latex(...)``: SymPy's own MathML printer
has gaps (no ``<math>`` wrapper; Trace and Piecewise printed as words). A ``Derivation`` shows in
Jupyter through ``_repr_latex_`` / ``_repr_html_`` and in a terminal through :meth:`to_text`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

__all__ = ["Step", "Derivation", "latex_to_mathml", "array_latex", "make_step"]


def latex_to_mathml(latex: str, display: str = "block") -> str:
    """A ``<math>`` element for ``latex``: ``latex_to_mathml(r"G B^{T}")``."""
    from latex2mathml.converter import convert

    return convert(latex, display=display)


@dataclass
class Step:
    """One step of a derivation: a title, its formula (LaTeX and MathML), and its status."""

    title: str
    latex: str
    mathml: str
    status: str  # e.g. "statement", "verified by SymPy at generic size", "refuted: ..."
    text: str = ""  # a plain-text rendering for terminals

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "latex": self.latex, "mathml": self.mathml,
                "status": self.status}


def make_step(title: str, latex: str, status: str, expr: Any = None) -> Step:
    """A Step with its MathML rendering (and a pretty-printed text form when ``expr`` is given)."""
    text = sp.pretty(expr, use_unicode=True) if expr is not None else latex
    return Step(title, latex, latex_to_mathml(latex), status, text)


@dataclass
class Derivation:
    """The steps deriving one op's VJP; renders in Jupyter and in terminals."""

    op: str
    title: str
    kind: str  # "generic" (matrix calculus, symbolic sizes) or "concrete" (given shapes)
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(s.status.startswith(("refuted", "failed")) for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "title": self.title, "kind": self.kind,
                "steps": [s.to_dict() for s in self.steps]}

    def to_latex(self) -> str:
        parts = [rf"\textbf{{{_tex_text(self.title)}}}"]
        for s in self.steps:
            parts.append(rf"\text{{{_tex_text(s.title)} — {_tex_text(s.status)}}}")
            parts.append(s.latex)
        return "$$\\begin{gathered}" + r" \\ ".join(parts) + r"\end{gathered}$$"

    def _repr_latex_(self) -> str:
        return self.to_latex()

    def _repr_html_(self) -> str:
        rows = [f"<h3>{html.escape(self.title)}</h3>", "<ol>"]
        for s in self.steps:
            rows.append(f"<li><p><b>{html.escape(s.title)}</b> "
                        f"<small>[{html.escape(s.status)}]</small></p>{s.mathml}</li>")
        rows.append("</ol>")
        return "\n".join(rows)

    def to_text(self, fmt: str = "text") -> str:
        """The derivation for a terminal: pretty-printed, or as LaTeX or MathML (``fmt``)."""
        lines = [self.title, "=" * min(len(self.title), 100)]
        for i, s in enumerate(self.steps, 1):
            lines.append(f"{i}. {s.title}  [{s.status}]")
            body = {"latex": s.latex, "mathml": s.mathml}.get(fmt, s.text)
            lines.extend("   " + line for line in body.splitlines())
            lines.append("")
        return "\n".join(lines)


def array_latex(a: Any, limit: int = 24) -> str:
    """LaTeX for an object array of expressions: a scalar, a row, a matrix, or a list of entries."""
    a = np.asarray(a, dtype=object)
    if a.ndim == 0:
        return sp.latex(sp.sympify(a[()]))
    if a.ndim <= 2 and a.size <= limit:
        rows = a.reshape(1, -1) if a.ndim == 1 else a
        return sp.latex(sp.Matrix(rows.tolist()))
    entries = [rf"[{','.join(map(str, k))}]: {sp.latex(sp.sympify(a[k]))}"
               for k in list(np.ndindex(*a.shape))[:limit]]
    more = rf",\ \dots\ ({a.size} \text{{ entries}})" if a.size > limit else ""
    return r"\left\{" + r",\ ".join(entries) + more + r"\right\}"


def _tex_text(s: str) -> str:
    return "".join("\\" + c if c in "{}_#%&$" else c for c in s)
