"""Rendering derivations: ``Step`` and ``Derivation`` records in LaTeX, MathML, HTML and text.

MathML comes from ``latex2mathml`` applied to ``sympy.latex(...)``: SymPy's own MathML printer
has gaps (no ``<math>`` wrapper; Trace and Piecewise printed as words). A ``Derivation`` shows in
Jupyter through ``_repr_latex_`` / ``_repr_html_`` and in a terminal through :meth:`to_text`.
A step's terminal text is SymPy's unicode pretty print of the expression it came from; a step
that only has LaTeX (a formula as the notebook writes it) goes through :func:`latex_text`, a
plain-text reading of the LaTeX subset this package writes — never raw LaTeX.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from derive.latex_text import latex_text

__all__ = [
    "Step", "Derivation", "latex_to_mathml", "latex_text", "array_latex", "array_text", "make_step",
    "pretty",
]

NOT_PASSING = ("refuted", "failed", "unavailable", "timed-out")  # step statuses that fail
WIDTH = 100  # terminal columns a pretty-printed formula may take before it is listed by entry


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
    text: str = ""  # the formula for a terminal: unicode pretty print or plain text, no LaTeX

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "latex": self.latex, "mathml": self.mathml,
                "status": self.status, "text": self.text}

    @classmethod
    def from_dict(cls, doc: Any) -> Step:
        """A Step from :meth:`to_dict`; its MathML is made again from the LaTeX (stored markup
        is never trusted). ValueError on a wrong field."""
        if not isinstance(doc, dict) or set(doc) != set(_STEP_FIELDS) or not all(
                isinstance(doc[k], str) for k in _STEP_FIELDS):
            raise ValueError(f"a step is {{{', '.join(_STEP_FIELDS)}}}, all text")
        return cls(doc["title"], doc["latex"], latex_to_mathml(doc["latex"]), doc["status"],
                   doc["text"])


_STEP_FIELDS = ("title", "latex", "mathml", "status", "text")


def make_step(title: str, latex: str, status: str, expr: Any = None, text: str | None = None
              ) -> Step:
    """A Step with its MathML and terminal text: ``text``, else ``expr`` pretty-printed, else
    ``latex`` read as plain text (:func:`latex_text`)."""
    if text is None:
        text = pretty(expr) if expr is not None else latex_text(latex)
    return Step(title, latex, latex_to_mathml(latex), status, text)


def pretty(expr: Any) -> str:
    """SymPy's unicode pretty print of ``expr``, unwrapped (a terminal wraps long lines itself)."""
    return sp.pretty(expr, use_unicode=True, wrap_line=False)


@dataclass
class Derivation:
    """The steps deriving one op's VJP; renders in Jupyter and in terminals."""

    op: str
    title: str
    kind: str  # "generic" (matrix calculus, symbolic sizes) or "concrete" (given shapes)
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No step refuted, failed, or left unproved (a rule derive could not check is no pass)."""
        return not any(s.status.startswith(NOT_PASSING) for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "title": self.title, "kind": self.kind,
                "steps": [s.to_dict() for s in self.steps]}

    @classmethod
    def from_dict(cls, doc: Any) -> Derivation:
        """The Derivation :meth:`to_dict` wrote; ValueError naming what is wrong."""
        if not isinstance(doc, dict) or set(doc) != {"op", "title", "kind", "steps"}:
            raise ValueError("a derivation is {op, title, kind, steps}")
        if not (isinstance(doc["op"], str) and isinstance(doc["title"], str)
                and doc["kind"] in ("generic", "concrete") and isinstance(doc["steps"], list)):
            raise ValueError("a derivation's op and title are text, kind generic or concrete, "
                             "steps a list")
        return cls(doc["op"], doc["title"], doc["kind"], [Step.from_dict(s) for s in doc["steps"]])

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
            body = {"latex": s.latex, "mathml": s.mathml}.get(fmt, s.text or latex_text(s.latex))
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


def array_text(a: Any, limit: int = 24) -> str:
    """Terminal text for an object array of expressions: pretty-printed as a scalar or matrix,
    else (3-D or more, too many entries, or wider than ``WIDTH``) listed entry by entry."""
    a = np.asarray(a, dtype=object)
    if a.ndim == 0:
        return pretty(sp.sympify(a[()]))
    if a.ndim <= 2 and a.size <= limit:
        text = pretty(sp.Matrix((a.reshape(1, -1) if a.ndim == 1 else a).tolist()))
        if max(map(len, text.splitlines()), default=0) <= WIDTH:
            return text
    lines = []
    if a.ndim > 2 and a.shape[-1] * a.shape[-2] <= limit:  # matrices, one per leading index
        heads = list(np.ndindex(*a.shape[:-2]))
        for k in heads[:limit // 2]:
            label = f"[{','.join(map(str, k))},:,:] = "
            body = pretty(sp.Matrix(a[k].tolist())).splitlines()
            if max(map(len, body)) + len(label) > WIDTH:
                break
            mid = (len(body) - 1) // 2
            lines.extend((label if j == mid else " " * len(label)) + line
                         for j, line in enumerate(body))
        else:
            if len(heads) > limit // 2:
                lines.append(f"… ({len(heads)} matrices)")
            return "\n".join(lines)
        lines = []
    for k in list(np.ndindex(*a.shape))[:limit]:
        label = f"[{','.join(map(str, k))}]: "
        body = pretty(sp.sympify(a[k])).splitlines() or [""]
        lines.append(label + body[0])
        lines.extend(" " * len(label) + line for line in body[1:])
    if a.size > limit:
        lines.append(f"… ({a.size} entries)")
    return "\n".join(lines)


def _tex_text(s: str) -> str:
    return "".join("\\" + c if c in "{}_#%&$" else c for c in s)
