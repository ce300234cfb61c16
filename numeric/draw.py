"""``draw_dot``: a computation graph as a graphviz ``Digraph`` — a record ``{ value | grad }``
per Tensor and a node per op, as in micrograd. The DOT source needs no renderer; rendering uses
the ``graphviz-pure`` executable (a PyPI build of Graphviz), falling back to a system ``dot``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from numeric.backprop import toposort
from numeric.tensor import Tensor

__all__ = ["draw_dot", "render_svg", "find_renderer"]


def find_renderer() -> str | None:
    """Path of a Graphviz executable: graphviz-pure (beside this Python first), else dot."""
    beside = os.path.join(os.path.dirname(sys.executable), "graphviz-pure")
    if os.path.exists(beside):
        return beside
    return shutil.which("graphviz-pure") or shutil.which("dot")


def render_svg(source: str) -> str:
    """Lay out DOT ``source`` and return the SVG text."""
    exe = find_renderer()
    if exe is None:
        raise RuntimeError("no Graphviz renderer found: pip install graphviz-pure "
                           "(or install the system graphviz package)")
    done = subprocess.run([exe, "-Tsvg"], input=source.encode(), capture_output=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"{exe} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode()


def _digraph_class() -> type:
    import graphviz

    class Digraph(graphviz.Digraph):
        """A graphviz.Digraph that renders with graphviz-pure when no system dot exists."""

        def pipe(self, format: str | None = None, *args: Any, encoding: str | None = None,
                 **kw: Any) -> Any:
            if (format or self.format) == "svg" and not kw and not args:
                svg = render_svg(self.source)
                return svg if encoding else svg.encode()
            return super().pipe(format, *args, encoding=encoding, **kw)

    return Digraph


def _nohtml(text: str) -> Any:
    import graphviz

    return graphviz.nohtml(text)


def _label_text(a: Any) -> str:
    if a is None:
        return "None"
    if isinstance(a, Tensor):  # a gradient recorded with create_graph
        a = a.value
    text = np.array2string(np.asarray(a), precision=4, threshold=12, edgeitems=2)
    # Record labels give {, }, |, < and > a meaning of their own.
    text = re.sub(r"([{}|<>\\\"])", r"\\\1", text)
    return text.replace("\n", "\\l")


def draw_dot(root: Tensor, format: str = "svg", rankdir: str = "LR",
             highlight: Iterable[Tensor] = ()) -> Any:
    """The graph that produced ``root`` as a ``graphviz.Digraph`` (``.source`` is its DOT).

    ``highlight`` marks nodes (e.g. where a check failed) in red.
    """
    if rankdir not in ("LR", "TB"):
        raise ValueError(f"draw_dot: rankdir must be 'LR' or 'TB', got {rankdir!r}")
    if root.op is not None and root.args is None:
        warnings.warn("draw_dot: backward() freed the graph behind this Tensor, so only the "
                      "Tensor itself is drawn; call backward(retain_graph=True) to draw the "
                      "graph afterwards", stacklevel=2)
    marked = {id(t) for t in highlight}
    dot = _digraph_class()(format=format, graph_attr={"rankdir": rankdir})
    for node in toposort(root):
        name = str(id(node))
        style = {"color": "red", "penwidth": "2"} if id(node) in marked else {}
        label = f"{{ v={_label_text(node.value)} | g={_label_text(node.grad)} }}"
        dot.node(name, label=label, shape="record", **style)
        if node.op is not None:
            # nohtml: a user op named "<...>" is text, not a Graphviz HTML-like label.
            dot.node(name + "op", label=_nohtml(node.op.name), shape="ellipse", **style)
            dot.edge(name + "op", name)
            for p in node.parents:
                if p is not None:
                    dot.edge(str(id(p)), name + "op")
    return dot
