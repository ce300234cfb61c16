"""verify.report's pictures: the hand-written SVG line plot, FD error-vs-step curves and
graph SVGs (``verify.artefacts``) — data-driven over the whole op table."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import numeric
from numeric.kind import Case
from verify.artefacts import fd_curve, graph_svg
from verify.report.mathml import sanitize
from verify.report.svgplot import Mark, Series, line_plot_svg

OPS = numeric.all_ops()


def test_line_plot_is_valid_svg_and_drops_nonpositive_points():
    pts = [(1e-8, 1e-7), (1e-6, 1e-9), (1e-4, 0.0), (1e-2, 1e-5), (1e-1, float("nan"))]
    svg = line_plot_svg([Series("a <b>", pts)], title="t & t", xlabel="h", ylabel="err",
                        marks=[Mark(1e-6, "chosen", [(1e-6, 1e-9)])])
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}circle")) == 3 + 1  # three kept points + the mark
    legend = [t.text for t in root.iter(f"{ns}text") if "legend" in t.get("class", "")]
    assert legend == ["a <b>"]
    line = root.find(f"{ns}polyline").get("points").split()
    ys = [float(p.split(",")[1]) for p in line]
    assert ys[1] > ys[0] and ys[1] > ys[2], "the smallest error is drawn lowest"


@pytest.mark.parametrize("name", list(OPS))
def test_fd_curve_has_a_bottom_near_the_reference(name):
    curve = fd_curve(OPS[name], seed=0, exact=False)  # the engine's VJP: derive is tested apart
    assert curve["status"] == "ok", curve.get("why")
    errs = [e for _, e in curve["points"] if e is not None]
    scale = max(1.0, abs(curve["exact"]))
    assert min(errs) <= 1e-7 * scale
    ridders = curve["ridders"]  # the FD check's own estimate lies within its error bar
    if curve["chosen"] > 0:
        assert ridders["error"] <= 10 * ridders["bar"] + 1e-14 * scale


@pytest.mark.parametrize("name", ["exp", "tanh", "log", "power", "divide"])
def test_fd_curve_is_a_v_for_smooth_nonlinear_ops(name):
    curve = fd_curve(OPS[name], seed=0, exact=name == "exp")
    assert curve["reference"] == ("exact (derive)" if name == "exp" else "engine")
    errs = [e for _, e in curve["points"]]
    k = int(np.argmin(errs))
    assert 0 < k < len(errs) - 1, "round-off at small h and truncation at large h"
    assert errs[0] > 100 * errs[k] and errs[-1] > 100 * errs[k]
    forward = [e for _, e in curve["forward"]]
    assert min(forward) > 10 * errs[k], "forward differences bottom out higher (O(h) truncation)"


@pytest.mark.parametrize("name", list(OPS))
def test_graph_svg_for_every_op(name):
    graph = graph_svg(OPS[name], failing=True, seed=0)
    assert graph["status"] == "ok", graph.get("why")
    root = ET.fromstring(sanitize(graph["svg"], "svg").replace("viewbox", "viewBox"))
    assert root.tag.endswith("svg")
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert name in texts or OPS[name].name in texts


@pytest.mark.parametrize("titles_statuses, want", [
    ([("statement", "statement"), ("SymPy's generic dl/dA", "verified"),
      ("closed form for dl/dA", "verified"), ("closed form for dl/dB", "verified")], [2, 3]),
    ([("forward on symbols", "statement"), ("dl/dx, entry by entry", "derived exactly"),
      ("the engine's rule", "proved")], [1]),
    ([("only", "statement")], [0]),
    ([], []),
])
def test_closed_form_picks_the_result_steps(titles_statuses, want):
    from verify.report.render import _closed_form

    steps = [{"title": t, "status": s} for t, s in titles_statuses]
    assert _closed_form(steps) == [steps[k] for k in want]


def test_a_variadic_ops_pictures_take_every_input_of_a_three_input_case():
    # concatenate's record has two rules and `each`: a three-input case binds it to three inputs
    three = dataclasses.replace(OPS["concatenate"], cases=(
        Case(((2, 3), (1, 3), (2, 3)), {"axis": 0}, "three inputs"),))
    curve = fd_curve(three, seed=0, exact=False)
    assert curve["status"] == "ok", curve.get("why")
    assert curve["inputs"] == [0, 1, 2] and curve["case"] == "2x3 ; 1x3 ; 2x3 [axis=0]"
    errs = [e for _, e in curve["points"] if e is not None]
    assert min(errs) <= 1e-7 * max(1.0, abs(curve["exact"]))
    graph = graph_svg(three, failing=False, seed=0)
    assert graph["status"] == "ok", graph.get("why")
