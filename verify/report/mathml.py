"""LaTeX to MathML for the report, and a whitelist sanitizer for MathML and SVG markup.

The report inlines markup it did not write itself (MathML from ``latex2mathml``, SVG from
Graphviz). ``latex2mathml`` copies ``\\text{...}`` verbatim, so a user op whose LaTeX holds
``<script>`` would become a live element; :func:`sanitize` rebuilds such markup keeping only
known MathML / SVG elements and presentational attributes, and shows anything else as text.
"""

from __future__ import annotations

import re
from html import escape, unescape

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


# A start or end tag whose attributes are all quoted; anything else that starts with "<" is text.
_TAG = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9:_-]*)((?:\s+[A-Za-z_:][-A-Za-z0-9_:.]*"""
                  r"""(?:\s*=\s*(?:"[^"<]*"|'[^'<]*'))?)*)\s*(/?)>""")
_ATTR = re.compile(r"""([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:"([^"<]*)"|'([^'<]*)'))?""")


def _text(data: str) -> str:
    return escape(unescape(data), quote=False)


def _tag(m: re.Match[str], allowed: set[str]) -> str:
    end, tag, attrs, close = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
    if tag not in allowed:
        return escape(m.group(0))
    if end:
        return f"</{_PRESERVE_CASE.get(tag, tag)}>"
    kept = []
    for a in _ATTR.finditer(attrs):
        name, value = a.group(1).lower(), unescape(a.group(2) or a.group(3) or "")
        if name in _ATTRS and not value.lstrip().lower().startswith(("javascript:", "data:")):
            kept.append(f' {_PRESERVE_CASE.get(name, name)}="{escape(value, quote=True)}"')
    return f"<{_PRESERVE_CASE.get(tag, tag)}{''.join(kept)}{close}>"


def sanitize(markup: str, kind: str = "mathml") -> str:
    """``markup`` with only MathML (``kind="mathml"``) or SVG (``"svg"``) elements kept live.

    Tags are rebuilt from the whitelists, attribute values and text re-escaped; a tag that is
    not on the list, or not well formed, is shown as text.

    >>> sanitize('<math><mtext><b>x</b></mtext></math>')
    '<math><mtext>&lt;b&gt;x&lt;/b&gt;</mtext></math>'
    """
    allowed = {"mathml": _MATHML, "svg": _SVG}[kind]
    markup = re.sub(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", "", markup, flags=re.S)
    parts, pos = [], 0
    for m in _TAG.finditer(markup):
        parts.append(_text(markup[pos:m.start()]))
        parts.append(_tag(m, allowed))
        pos = m.end()
    parts.append(_text(markup[pos:]))
    return "".join(parts).strip()


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
