"""Render the report's pages with Jinja2 (autoescape on): index, one page per op, claims, the
cookbook and one page per checked expression (``gradproof report --expr``).

Only markup this module has sanitized (MathML, SVG) is marked safe; every other value — op
names, docs, details, environment strings — is escaped by the template engine.
"""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from verify.report.expressions import cookbook_model, user_expressions
from verify.report.mathml import latex_to_mathml, sanitize
from verify.report.model import index_model, op_model, slug
from verify.report.svgplot import Mark, Series, line_plot_svg

__all__ = ["render_pages", "STATIC"]

HERE = Path(__file__).parent
STATIC = HERE / "static"


def _sci(x: Any) -> Markup:
    """A number in scientific notation, in a span that never wraps ("1.95e-" / "01")."""
    if x is None:
        return Markup("—")
    try:
        text = f"{float(x):.2e}" if math.isfinite(float(x)) else str(float(x))
    except (TypeError, ValueError, OverflowError):
        text = str(x)
    return Markup('<span class="sci">{}</span>').format(text)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?e[-+]?\d+")


def _prose(text: Any) -> Markup:
    """Free text (a check's detail) escaped, its scientific numbers kept whole on one line."""
    return Markup(_NUMBER.sub(lambda m: f'<span class="sci">{m.group()}</span>',
                              str(Markup.escape("" if text is None else text))))


def _shape(shapes: Any) -> str:
    return " ; ".join("×".join(map(str, s)) if s else "()" for s in shapes or [])


_CLAIM_CLASS = {"confirmed": "pass", "refuted": "fail", "subgradient": "subgradient"}


def _step_verdict(status: str) -> str:
    """A derivation step's status ("verified exactly at sizes ...", "refuted: ...") as a colour."""
    status = (status or "").lower()
    if status.startswith(("refuted", "fail", "wrong")):
        return "fail"
    if status.startswith(("unavailable", "timed-out")):  # no proof: not a pass either
        return "unavailable"
    if status.startswith(("verified", "proved", "confirmed", "checked", "derived", "agree")):
        return "pass"
    return "skipped"


@functools.lru_cache(maxsize=1)
def _env() -> Environment:
    """The templates' environment, made once per process: Jinja compiles each template on first
    use and keeps it (recompiling them for every report cost most of a small report's time)."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["sci"] = _sci
    env.filters["shapes"] = _shape
    env.filters["prose"] = _prose
    env.filters["slug"] = slug
    env.filters["step_verdict"] = _step_verdict
    env.filters["claim_class"] = lambda v: _CLAIM_CLASS.get(v, "skipped")
    env.filters["math"] = lambda latex: Markup(latex_to_mathml(latex or ""))
    env.filters["inline_math"] = lambda latex: Markup(latex_to_mathml(latex or "", "inline"))
    env.filters["formula"] = _formula
    return env


def _formula(item: dict[str, Any]) -> Markup:
    """A step's or claim's formula: the document's MathML, sanitized; else its LaTeX converted."""
    if item.get("mathml"):
        return Markup(sanitize(item["mathml"], "mathml"))
    return Markup(latex_to_mathml(item.get("latex", "")))


def _closed_form(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps that state the result: "closed form ..." steps, else the derived ones, else
    the last step."""
    title = [st for st in steps if str(st.get("title", "")).lower().startswith("closed form")]
    derived = [st for st in steps if str(st.get("status", "")).lower().startswith("derived")]
    return title or derived or steps[-1:]


def _fd_plot(fd: dict[str, Any], name: str) -> Markup | None:
    if fd.get("status") != "ok":
        return None
    def points(curve: list[list[Any]]) -> list[tuple[float, float]]:
        return [(h, e) for h, e in curve if h is not None and e is not None]

    series = [Series("central difference", points(fd["points"])),
              Series("forward difference (the notebook's)", points(fd["forward"]))]
    marks = []
    ridders, chosen = fd.get("ridders"), fd.get("chosen")
    if ridders and chosen is not None:
        err = ridders.get("error")
        marks.append(Mark(chosen, f"FD check: Ridders from h = {chosen:.2g}",
                          [(chosen, err)] if err else []))
    svg = line_plot_svg(series, marks=marks,
                        title=f"{name}: finite-difference error against step size",
                        xlabel="step size h", ylabel="absolute error")
    return Markup(svg)


def _graph(graph: dict[str, Any]) -> Markup | None:
    if graph.get("status") != "ok":
        return None
    return Markup(sanitize(graph["svg"], "svg"))


def render_pages(results: dict[str, Any]) -> dict[str, str]:
    """Relative path -> HTML for every page of a normalized document (``reader.normalize``)."""
    env = _env()
    claims = results["claims"]
    index = index_model(results)
    common = {"meta": index["meta"], "ok": index["ok"]}
    cookbook, own = cookbook_model(results), user_expressions(results)
    pages = {"index.html": env.get_template("index.html").render(
        root="", page="index", cookbook=cookbook, expressions=own, **index)}
    op_template = env.get_template("op.html")
    for op in results.get("ops", []):
        view = op_model(op, results)
        view["closed_form"] = _closed_form(view["derivation"].get("steps", []))
        view["fd_svg"] = _fd_plot(view["fd"], op["op"])
        view["graph_svg"] = _graph(view["graph"])
        pages[f"ops/{view['slug']}.html"] = op_template.render(
            root="../", page="op", op=view, **common)
    known = {op["op"] for op in results.get("ops", [])}
    pages["claims.html"] = env.get_template("claims.html").render(
        root="", page="claims", claims=claims, known=known, **common)
    pages["cookbook.html"] = env.get_template("cookbook.html").render(
        root="", page="cookbook", cookbook=cookbook, **common)
    expression = env.get_template("expression.html")
    for view in own:
        pages[f"expressions/{view['slug']}.html"] = expression.render(
            root="../", page="expression", e=view, **common)
    return pages
