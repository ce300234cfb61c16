"""LaTeX to MathML for the report, and a whitelist sanitizer for MathML and SVG markup.

The report inlines markup it did not write itself (MathML from ``latex2mathml``, SVG from
Graphviz). ``latex2mathml`` copies ``\\text{...}`` verbatim, so a user op whose LaTeX holds
``<script>`` would become a live element; :func:`sanitize` rebuilds such markup keeping only
known MathML / SVG elements and presentational attributes, and shows anything else as text.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

__all__ = ["latex_to_mathml", "sanitize"]

_MATHML = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
    "mfrac", "msqrt", "mroot", "mstyle", "merror", "mpadded", "mphantom", "munder", "mover",
    "munderover", "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd", "menclose",
    "semantics", "annotation", "mfenced",
}
_SVG = {
    "svg", "g", "path", "polygon", "polyline", "ellipse", "circle", "line", "rect", "text",
    "tspan", "title", "desc", "defs", "lineargradient", "stop",
}
_ATTRS = {
    "xmlns", "display", "mathvariant", "stretchy", "fence", "form", "separator", "lspace",
    "rspace", "accent", "accentunder", "columnalign", "rowalign", "columnspacing", "rowspacing",
    "columnlines", "rowlines", "frame", "movablelimits", "largeop", "symmetric", "minsize",
    "maxsize", "width", "height", "depth", "voffset", "linethickness", "notation", "displaystyle",
    "scriptlevel", "open", "close", "separators", "mathsize", "align", "class", "id",
    # SVG presentation
    "viewbox", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d", "points",
    "fill", "stroke", "stroke-width", "stroke-dasharray", "font-family", "font-size",
    "font-weight", "font-style", "text-anchor", "transform", "role", "aria-label",
    "dominant-baseline", "opacity", "fill-opacity", "stroke-opacity", "offset", "stop-color",
    "preserveaspectratio",
}
_PRESERVE_CASE = {"viewbox": "viewBox", "preserveaspectratio": "preserveAspectRatio",
                  "lineargradient": "linearGradient"}


class _Sanitizer(HTMLParser):
    def __init__(self, allowed: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.parts: list[str] = []

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> None:
        if tag not in self.allowed:
            self.parts.append(escape(self.get_starttag_text() or f"<{tag}>"))
            return
        kept = "".join(
            f' {_PRESERVE_CASE.get(k, k)}="{escape(v or "", quote=True)}"' for k, v in attrs
            if k in _ATTRS and not (v or "").lstrip().lower().startswith(("javascript:", "data:"))
        )
        self.parts.append(f"<{_PRESERVE_CASE.get(tag, tag)}{kept}{close}>")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, "/")

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(f"</{_PRESERVE_CASE.get(tag, tag)}>" if tag in self.allowed
                          else escape(f"</{tag}>"))

    def handle_data(self, data: str) -> None:
        self.parts.append(escape(data, quote=False))


def sanitize(markup: str, kind: str = "mathml") -> str:
    """``markup`` with only MathML (``kind="mathml"``) or SVG (``"svg"``) elements kept live.

    >>> sanitize('<math><mtext><b>x</b></mtext></math>')
    '<math><mtext>&lt;b&gt;x&lt;/b&gt;</mtext></math>'
    """
    allowed = {"mathml": _MATHML, "svg": _SVG}[kind]
    markup = re.sub(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", "", markup, flags=re.S)
    parser = _Sanitizer(allowed)
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts).strip()


def latex_to_mathml(latex: str, display: str = "block") -> str:
    """Sanitized MathML for ``latex`` by latex2mathml — for a formula a document carries only as
    LaTeX (the document's own MathML is preferred; see ``render``).

    On LaTeX the converter cannot read, returns the LaTeX source as an ``<mtext>``.
    """
    try:
        from latex2mathml.converter import convert

        mathml = convert(latex, display=display)
    except Exception:  # noqa: BLE001 - an unreadable formula must not stop the report
        mathml = None
    if not mathml:
        return (f'<math display="{display}"><mtext>{escape(latex, quote=False)}</mtext></math>')
    if display == "block" and 'display="block"' not in mathml:
        mathml = mathml.replace("<math", '<math display="block"', 1).replace(
            'display="inline"', "", 1)
    return sanitize(mathml, "mathml")
