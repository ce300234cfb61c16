"""draw_dot: DOT source with `{ value | grad }` record nodes and a node per op (no renderer
needed), and SVG rendering through the graphviz-pure executable.
"""

import re

import graphviz
import numpy as np
import pytest
import seed_notebook as seed

import numeric
import numeric.draw as draw
from numeric import Tensor

has_renderer = pytest.mark.skipif(draw.find_renderer() is None,
                                  reason="no graphviz-pure or dot executable")


def _graph():
    x = Tensor([1.0, -2.0])
    w = Tensor([0.5, 3.0])
    y = np.maximum(x * w, 0.0).sum()
    return x, w, y


def _records(source):
    return [ln for ln in source.splitlines() if "shape=record" in ln]


def test_dot_source_has_a_record_per_tensor_and_a_node_per_op():
    x, w, y = _graph()
    dot = numeric.draw_dot(y)
    src = dot.source
    assert isinstance(dot, graphviz.Digraph)
    # Tensors: x, w, the constant 0.0 is not a Tensor; x*w, maximum, sum -> 5 records
    assert len(_records(src)) == 5, src
    ops = re.findall(r'label=(\w+) shape=ellipse', src)
    assert sorted(ops) == ["maximum", "multiply", "sum"], src
    assert "rankdir=LR" in src
    for ln in _records(src):
        assert re.search(r"label=\"\{ v=.* \| g=.* \}\"", ln), ln
    assert "g=None" in src  # nothing backpropagated yet


def test_dot_source_shows_gradients_after_backward_with_the_graph_kept():
    x, w, y = _graph()
    y.backward(retain_graph=True)  # without it, backward frees the graph it walked
    src = numeric.draw_dot(y, rankdir="TB").source
    assert "rankdir=TB" in src and "g=None" not in src
    assert "g=[0.5 0. ]" in src  # x's gradient: w where x*w > 0


def test_edges_go_from_inputs_to_the_op_node_to_the_result():
    x = Tensor(2.0)
    y = x * 3.0
    src = numeric.draw_dot(y).source
    xid, yid = str(id(x)), str(id(y))
    assert re.search(rf'"?{xid}"? -> "{yid}op"', src), src
    assert re.search(rf'"{yid}op" -> "?{yid}"?', src), src


def test_bad_rankdir_is_a_clear_error():
    with pytest.raises(ValueError, match="rankdir"):
        numeric.draw_dot(Tensor(1.0) * 2, rankdir="RL")


def test_highlight_marks_nodes_red():
    x, w, y = _graph()
    src = numeric.draw_dot(y, highlight=[x]).source
    marked = [ln for ln in src.splitlines() if "color=red" in ln]
    assert len(marked) == 1 and str(id(x)) in marked[0]


def test_a_long_chain_draws_without_recursion():
    x = Tensor(1.0)
    y = x
    for _ in range(3000):
        y = y + 1.0
    assert len(_records(numeric.draw_dot(y).source)) == 3001


def test_source_needs_no_renderer_and_rendering_without_one_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(draw, "find_renderer", lambda: None)
    src = numeric.draw_dot(_graph()[2]).source
    assert src.startswith("digraph")
    with pytest.raises(RuntimeError, match="graphviz-pure"):
        draw.render_svg(src)


@has_renderer
def test_svg_rendering_splits_record_fields():
    x, w, y = _graph()
    y.backward(retain_graph=True)
    svg = numeric.draw_dot(y).pipe(format="svg").decode()
    assert "<svg" in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert any(t.startswith("v=") for t in texts) and any(t.startswith("g=") for t in texts)
    assert not any("{" in t or "|" in t for t in texts), "record fields rendered literally"
    assert {"multiply", "maximum", "sum"} <= set(texts)


def test_after_backward_the_freed_graph_draws_as_its_root_only():
    x, w, y = _graph()
    y.backward()
    assert len(_records(numeric.draw_dot(y).source)) == 1
    assert "g=[0.5 0. ]" in numeric.draw_dot(x).source


@has_renderer
def test_the_seeds_rect_shape_renders_the_record_syntax_literally():
    s = seed.Tensor([1.0, 2.0])
    svg = draw.render_svg(seed.draw_dot_source((s * s).sum()))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert any("{v=" in t and "|" in t for t in texts), texts


@has_renderer
def test_render_svg_uses_graphviz_pure_when_installed():
    exe = draw.find_renderer()
    assert exe.endswith("graphviz-pure") or exe.endswith("dot")
    assert "<svg" in draw.render_svg("digraph { a -> b }")


@has_renderer
def test_matrix_values_and_create_graph_gradients_render():
    x = Tensor(np.array([[1.0, -2.0], [3.0, 4.0]]))
    y = (x @ x.T).sum()
    y.backward(create_graph=True)  # x.grad is a Tensor: its value is drawn
    svg = numeric.draw_dot(y, highlight=[x]).pipe(format="svg").decode()
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "matmul" in texts and "transpose" in texts
    assert sum(t.startswith("v=[[") for t in texts) >= 2, texts
