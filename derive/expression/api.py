"""``derive.expression(expr, wrt, shapes)``: a whole expression's gradient, checked, as code.

The result (:class:`Expression`) holds per ``wrt`` name the closed form (``.text`` as NumPy,
``.latex``, ``.mathml``), its exact check and SymPy's answer beside it; the notebook's steps;
the generated NumPy (``numpy_source`` / ``numpy_function``) and the expression's forward
(``forward_source`` / ``forward_function``). ``to_dict()`` is its JSON contract (see
docs/derive.md, "Expressions").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from derive.expression import cache as stored
from derive.expression import nodes as N
from derive.expression.check import Check, check_closed_forms
from derive.expression.codegen import compile_source, forward_source, gradient_source
from derive.expression.nodes import ExprError, Node, fmt_shape
from derive.expression.parse import parse
from derive.expression.render import to_latex, to_text
from derive.expression.rules import adjoints, fuse
from derive.expression.shapes import NoSizes, parse_shapes, size_sets
from derive.expression.sympy_answer import SympyAnswer, sympy_answer
from derive.render import Step, make_step

__all__ = ["expression", "Expression", "Gradient", "check_closed_form", "ExprError"]


@dataclass
class Gradient:
    """∂l/∂name: the closed form (text, LaTeX, MathML), its exact check, SymPy's answer."""

    name: str
    text: str
    latex: str
    mathml: str
    exact: Check
    sympy: SympyAnswer
    node: Node = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "text": self.text, "latex": self.latex, "mathml": self.mathml,
                "exact": self.exact.to_dict(), "sympy": self.sympy.to_dict()}


@dataclass
class Expression:
    """The derivation of one expression; ``ok`` when every closed form is verified exactly."""

    expr: str
    wrt: list[str]
    shapes: dict[str, tuple]
    shape: tuple                       # the expression's own shape; () for a scalar l
    cotangent: str | None              # "G" for an array-valued expression, else None
    gradients: dict[str, Gradient]
    steps: list[Step]
    numpy_source: str
    forward_source: str
    seconds: float
    timings: dict[str, float]          # rules, check, sympy (answer and steps), code
    numpy_function: Callable[..., Any] = field(repr=False, compare=False)
    forward_function: Callable[..., Any] = field(repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return all(g.exact.ok for g in self.gradients.values())

    @property
    def text(self) -> dict[str, str]:
        return {w: g.text for w, g in self.gradients.items()}

    @property
    def latex(self) -> dict[str, str]:
        return {w: g.latex for w, g in self.gradients.items()}

    @property
    def exact(self) -> dict[str, Check]:
        return {w: g.exact for w, g in self.gradients.items()}

    @property
    def sympy(self) -> dict[str, SympyAnswer]:
        return {w: g.sympy for w, g in self.gradients.items()}

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: expr, wrt, shapes, shape, cotangent, ok, seconds, timings (rules, check,
        sympy: SymPy's answer and the steps, code), gradients{name: {text, latex, mathml, exact,
        sympy}}, steps[{title, latex, mathml, status, text}], numpy_source, forward_source."""
        return {"expr": self.expr, "wrt": list(self.wrt),
                "shapes": {k: list(v) for k, v in self.shapes.items()},
                "shape": list(self.shape), "cotangent": self.cotangent, "ok": self.ok,
                "seconds": round(self.seconds, 4),
                "timings": {k: round(v, 4) for k, v in self.timings.items()},
                "gradients": {w: g.to_dict() for w, g in self.gradients.items()},
                "steps": [s.to_dict() for s in self.steps],
                "numpy_source": self.numpy_source, "forward_source": self.forward_source}

    def to_text(self, fmt: str = "text") -> str:
        """Steps then closed forms, for a terminal (``fmt``: text, latex or mathml)."""
        title = f"∂l/∂{', ∂l/∂'.join(self.wrt)} of {self.expr}"
        lines = [title, "=" * min(len(title), 100)]
        for i, s in enumerate(self.steps, 1):
            lines.append(f"{i}. {s.title}  [{s.status}]")
            body = {"latex": s.latex, "mathml": s.mathml}.get(fmt, s.text)
            lines.extend("   " + line for line in body.splitlines())
            lines.append("")
        return "\n".join(lines)


def _split_wrt(wrt: str | list[str] | tuple[str, ...]) -> list[str]:
    names = [w.strip() for w in wrt.split(",")] if isinstance(wrt, str) else list(wrt)
    if not names or not all(isinstance(w, str) and w for w in names):
        raise ExprError("wrt: give one or more names, e.g. 'X' or 'A,x'")
    if len(set(names)) != len(names):
        raise ExprError(f"wrt: a name is repeated in {names}")
    return names


def expression(expr: str, wrt: str | list[str], shapes: str | dict[str, Any], *,
               sympy: bool = True, seed: int = 0, cache: bool = True) -> Expression:
    """Derive, check and generate code: ``expression("trace(A @ X)", "X", "X=n,n A=n,n")``.

    ``wrt``: a name or names (``"A,x"``); ``shapes``: ``"X=n,n A=n,n b=m"`` or a dict of
    tuples. ``cache``: serve the exact checks and SymPy's answers from derive's store when
    filed for the same trees (re-checked at a fresh point; :mod:`derive.expression.cache`).
    Raises :class:`ExprError` (a ValueError naming the column) on a bad expression.
    """
    start = time.perf_counter()
    declared = parse_shapes(shapes)
    names = _split_wrt(wrt)
    tree = parse(expr, declared)
    for w in names:
        if w not in declared:
            raise ExprError(f"wrt: {w!r} is not declared in the shapes")
        if w not in N.names_in(tree):
            raise ExprError(f"wrt: {w!r} does not occur in {expr!r}")
    fused = fuse(tree)
    seed_node = N.const(1) if not tree.shape else N.name("G", tree.shape)
    grads, rule_steps, raw = adjoints(fused, names, seed_node)
    marks = [time.perf_counter()]
    digest = stored.key(fused, grads, declared, seed, sympy) if cache else ""
    found = stored.load(digest, grads, fused) if cache else None
    checks = found[0] if found else check_closed_forms(fused, grads, declared, seed)
    marks.append(time.perf_counter())
    try:
        big = size_sets([fused, *grads.values()], declared)[0]
    except NoSizes:  # each check says why; SymPy is then not asked
        big = {}
    answers = found[1] if found else {w: _sympy(fused, w, g, checks[w], big, seed) if sympy else
                                      SympyAnswer("not asked", "", "", "sympy=False")
                                      for w, g in grads.items()}
    if cache and not found:
        stored.save(digest, checks, answers)
    steps = _opening(expr, tree, fused, declared)
    for r in rule_steps:
        status = (f"applied: the differential behind op {r.op!r}, whose VJP rule gradproof "
                  f"derive {r.op} proves" if r.op else "applied")
        steps.append(_step(r.rule, r.latex, status, r.text))
    gradients = {}
    for w, g in grads.items():
        ans = answers[w]
        more, more_l = (" + …", r" + \dots") if len(names) > 1 else ("", "")
        summed = "" if raw[w] == g else f"{to_text(raw[w])}\n   = "
        text = (f"dl = tr({w}̄ᵀ d{w}){more},  {w}̄ = {summed}{to_text(g)}\n"
                f"∂l/∂{w} = {to_text(g)}")
        latex = (rf"\mathrm{{d}}l = \operatorname{{tr}}\left(\bar{{{w}}}^{{T}} \mathrm{{d}}{w}"
                 rf"\right){more_l},\quad \frac{{\partial l}}{{\partial {w}}} = {to_latex(g)}")
        steps.append(_step(f"rearranged as Σ tr(X̄ᵀ dX): ∂l/∂{w}", latex, checks[w].status,
                           text))
        steps.append(_step(f"SymPy's answer for ∂l/∂{w}", ans.latex or r"\text{(none)}",
                           f"{ans.verdict}: {ans.detail}", ans.text or "(none)"))
        gradients[w] = Gradient(w, to_text(g), to_latex(g), _mathml(to_latex(g)), checks[w], ans,
                                g)
    marks.append(time.perf_counter())
    gsrc = gradient_source(expr, fused, grads, declared)
    fsrc = forward_source(expr, tree, declared)
    functions = compile_source(gsrc, "gradient"), compile_source(fsrc, "forward")
    end = time.perf_counter()
    timings = {"rules": marks[0] - start, "check": marks[1] - marks[0],
               "sympy": marks[2] - marks[1], "code": end - marks[2]}
    return Expression(expr, names, declared, tree.shape, "G" if tree.shape else None, gradients,
                      steps, gsrc, fsrc, end - start, timings, *functions)


def check_closed_form(expr: str, wrt: str, shapes: str | dict[str, Any], closed: str,
                      seed: int = 0) -> Check:
    """Check a stated closed form of ∂l/∂wrt exactly (``G`` the cotangent, ``eye(n)``,
    ``ones(m, n)`` and ``outer`` allowed): ``check_closed_form("det(X)", "X", "X=n,n",
    "trace(X) * eye(n) - X.T")`` is refuted at n = 3."""
    declared = parse_shapes(shapes)
    tree = fuse(parse(expr, declared))
    env = dict(declared) | ({"G": tree.shape} if tree.shape else {})
    form = parse(closed, env, allow_internal=True)
    if form.shape != declared[wrt]:
        raise ExprError(f"the closed form has shape {fmt_shape(form.shape)}, {wrt} has "
                        f"{fmt_shape(declared[wrt])}")
    return check_closed_forms(tree, {wrt: form}, declared, seed)[wrt]


def _sympy(tree: Node, w: str, g: Node, check: Check, sizes: dict[str, int], seed: int
           ) -> SympyAnswer:
    if not check.ok:
        return SympyAnswer("not compared", "", "", "our closed form is not verified")
    try:
        return sympy_answer(tree, w, g, check.sizes[0] if check.sizes else sizes, seed)
    except (ZeroDivisionError, ValueError) as e:
        return SympyAnswer("no answer", "", "", f"{type(e).__name__}: {e}")


def _opening(expr: str, tree: Node, fused: Node, shapes: dict[str, tuple]) -> list[Step]:
    decl = ", ".join(f"{k} {fmt_shape(v)}" for k, v in shapes.items())
    times = r" \times "
    decl_l = r",\quad ".join(rf"{k} \in \mathbb{{R}}^{{{times.join(map(str, v)) or 1}}}"
                             for k, v in shapes.items())
    if tree.shape:
        st = (f"F = {to_text(tree)},  l = ⟨G, F⟩ = sum(G * F) = tr(Gᵀ F),  "
              f"G {fmt_shape(tree.shape)}\n{decl}")
        sl = (rf"F = {to_latex(tree)},\quad l = \operatorname{{tr}}\left(G^{{T}} F\right),"
              rf"\quad {decl_l}")
        dt = "dl = tr(Gᵀ dF)"
        dl = r"\mathrm{d}l = \operatorname{tr}\left(G^{T} \mathrm{d}F\right)"
    else:
        st, sl = f"l = {to_text(tree)}\n{decl}", rf"l = {to_latex(tree)},\quad {decl_l}"
        dt = f"dl = d({to_text(tree)})"
        dl = rf"\mathrm{{d}}l = \mathrm{{d}}\left({to_latex(tree)}\right)"
    steps = [_step("statement", sl, "statement", st),
             _step("differential (the notebook's way: each rule, then Σ tr(X̄ᵀ dX))", dl,
                   "statement", dt)]
    if fused != tree:
        steps.append(_step("log ∘ softmax read as log_softmax", to_latex(fused), "identity",
                           f"{to_text(tree)} = {to_text(fused)}"))
    return steps


def _mathml(latex: str) -> str:
    from derive.render import latex_to_mathml

    try:
        return latex_to_mathml(latex)
    except Exception:  # noqa: BLE001 - latex2mathml misses a construct: say so, keep going
        return "<math><mtext>(no MathML for this formula)</mtext></math>"


def _step(title: str, latex: str, status: str, text: str) -> Step:
    try:
        return make_step(title, latex, status, text=text)
    except Exception:  # noqa: BLE001
        return Step(title, latex, _mathml(latex), status, text)
