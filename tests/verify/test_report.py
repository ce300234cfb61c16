"""verify.report: escaping, sanitizing, atomic writes, the sidecar, links and page content.

Documents come from ``test_report_fixture.make_document`` (the contract's schema, built from the
op table), so these tests run without the verification suite. Plots and graphs are tested in
``test_report_plots.py``, the command line in ``test_report_cli.py``, the document reader in
``test_report_reader.py``, the output directory in ``test_report_out.py``, the pages in a real
browser in ``test_report_browser.py``.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_report_fixture import EVIL, make_document, make_results

from verify.report import build_report, report_files
from verify.report.mathml import latex_to_mathml, sanitize
from verify.report.model import slug
from verify.report.reader import normalize


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    results = make_document()
    out = tmp_path_factory.mktemp("report") / "reports"
    index = build_report(results, out)
    return results, out, index


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(name for name, _ in attrs)
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key):
                self.hrefs.append(a[key])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# ---------------------------------------------------------------- safety ---------------------

def test_evil_op_name_is_text_everywhere(report):
    _, out, _ = report
    pages = list(out.rglob("*.html"))
    assert len(pages) == 3 + len(make_results()["ops"]) + 1  # index, claims, cookbook; --expr
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html.lower() and "<b>" not in html, page
        assert "<b>platform" not in html, page
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), f"event handler attribute in {page}"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index


def test_evil_op_page_has_escaped_title_and_safe_graph(report):
    results, out, _ = report
    page = out / "ops" / f"{slug(EVIL)}.html"
    assert page.is_file() and "<" not in page.name
    html = page.read_text(encoding="utf-8")
    assert "<title>gradproof — &lt;script&gt;alert(1)&lt;/script&gt;</title>" in html
    graph = html[html.index('<figure class="graph">'):]
    assert graph.startswith('<figure class="graph"><svg'), "the user op's graph is drawn"
    assert ">&lt;script&gt;alert(1)&lt;/script&gt;</text>" in graph, "its name as SVG text"


@pytest.mark.parametrize("markup, kind, as_text", [
    ("<math><mtext><script>alert(1)</script></mtext></math>", "mathml", True),
    ('<math><mi onclick="alert(1)">x</mi><mi href="javascript:alert(1)">y</mi></math>', "mathml",
     False),
    ('<svg onload="alert(1)"><text>a</text><foreignObject><img src=x onerror=alert(1)>'
     "</foreignObject></svg>", "svg", True),
])
def test_sanitize_keeps_no_live_script(markup, kind, as_text):
    clean = sanitize(markup, kind)
    live = _Links()
    live.feed(clean)
    assert set(live.tags) <= {"math", "mi", "mtext", "svg", "text"}, live.tags
    assert not any(re.match(r"on|href", name) for name in live.attrs), live.attrs
    assert ("alert(1)" in clean) == as_text, "text payloads are kept, as text"


PIECES = ["<", ">", "/", "=", '"', "'", " ", "&lt;", "&#60;", "script", "math", "svg", "mi", "b",
          "onload", "href", "javascript:alert(1)", "<!--", "-->", "<![CDATA[", "]]>", "x"]


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=40), kind=st.sampled_from(["mathml",
                                                                                     "svg"]))
def test_sanitized_markup_has_only_whitelisted_live_parts(pieces, kind):
    """Whatever the input, the output parses (as a browser would) into whitelisted elements
    with no event handler or link attributes."""
    from verify.report.mathml import _ATTRS, _MATHML, _SVG

    clean = sanitize("".join(pieces), kind)
    live = _Links()
    live.feed(clean)
    live.close()
    assert set(live.tags) <= {"mathml": _MATHML, "svg": _SVG}[kind], live.tags
    assert set(live.attrs) <= _ATTRS and not any(a.startswith("on") for a in live.attrs)


def test_latex_text_cannot_inject():
    mathml = latex_to_mathml(r"\text{<script>alert(1)</script>} + x")
    assert mathml.startswith("<math") and 'display="block"' in mathml
    assert "<script" not in mathml and "&lt;script&gt;" in mathml


# ---------------------------------------------------------------- atomic write, sidecar -------

def test_failed_run_leaves_previous_report(tmp_path, monkeypatch):
    out = tmp_path / "reports"
    out.mkdir()
    (out / ".gitkeep").write_text("")
    build_report(make_document(ops=("add",), evil=False), out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert (out / ".gitkeep").exists(), "files the report does not write are kept"

    import verify.report as report_mod

    def broken(*args, **kwargs):
        files = report_files(*args, **kwargs)
        files["ops/zzz.html"] = object()  # fails while writing, after other pages are written
        return files

    monkeypatch.setattr(report_mod, "report_files", broken)
    with pytest.raises(TypeError):
        build_report(make_document(ops=("multiply",), evil=False), out)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["reports"], "no temporary directory left"


@pytest.mark.parametrize("change, message", [
    (lambda d: [], "not a gradproof results document"),
    (lambda d: dict(d, schema="gradproof.verify/9"), "'gradproof.verify/9'"),
    (lambda d: dict(d, ops=[{"doc": "no name"}]), "op #0: missing 'op'"),
    (lambda d: dict(d, ops=[{"op": "add", "cases": ["2x3"]}]),
     "op 'add', case #0: expected an object, got str"),
])
def test_malformed_results_are_refused_before_writing(tmp_path, change, message):
    from verify.errors import UsageError

    with pytest.raises(UsageError, match=re.escape(message)):
        build_report(change(make_results(ops=("add",), evil=False)), tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_write_outside_directory_refused(tmp_path):
    from verify.report.atomic import write_tree

    with pytest.raises(ValueError, match="outside"):
        write_tree(tmp_path / "r", {"../evil.html": "x"})
    assert not (tmp_path / "evil.html").exists() and not (tmp_path / "r").exists()


def test_sidecar_is_strict_json_with_the_same_results(report):
    results, out, _ = report

    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    data = json.loads((out / "report.json").read_text(), parse_constant=refuse)
    assert data["schema"] == "gradproof.verify/2"
    assert data == json.loads(json.dumps(normalize(results))), "the document it rendered"
    assert [op["op"] for op in data["ops"]] == [op["op"] for op in results["ops"]]
    for op in data["ops"]:
        assert (out / "ops" / f"{slug(op['op'])}.html").is_file(), op["op"]
        assert {"derivation", "fd", "graph"} <= set(op)


# ---------------------------------------------------------------- content ---------------------

def test_every_internal_link_resolves(report):
    _, out, _ = report
    parsed = {p.resolve(): _parse(p) for p in out.rglob("*.html")}
    for page, links in parsed.items():
        for href in links.hrefs:
            assert "://" not in href and not href.startswith("//"), f"remote resource {href}"
            target, frag = urldefrag(href)
            path = (page.parent / target).resolve() if target else page
            assert path.is_file(), f"{page.name}: {href} is missing"
            if frag:
                assert frag in parsed[path].ids, f"{page.name}: #{frag} not in {path.name}"


def test_matrix_lists_failing_ops_first(report):
    results, out, _ = report
    html = (out / "index.html").read_text(encoding="utf-8")
    matrix = html[html.index('id="matrix"'):]
    order = re.findall(r'<th scope="row"><a href="ops/[^"]+">([^<]+)</a>', matrix)
    assert order[0] == "maximum"
    assert sorted(order) == sorted(op["op"].replace("<", "&lt;").replace(">", "&gt;")
                                   for op in results["ops"])


def test_index_lists_every_failure(report):
    results, out, _ = report
    html = (out / "index.html").read_text(encoding="utf-8")
    table = html[html.index('id="failures"'):html.index('id="matrix"')]
    rows = re.findall(r'<tr class="row-fail"><td><a href="ops/([^"#]+)\.html#([^"]+)"', table)
    want = {("maximum", f"check-{chk['check']}") for op in results["ops"]
            for case in op["cases"] for chk in case["checks"] if chk["verdict"] == "fail"}
    want |= {("maximum", "proof")}  # the fixture's refuted proof
    assert sorted(rows) == sorted(want), "one row per failing (op, check)"
    n = sum(1 for op in results["ops"] for case in op["cases"] for chk in case["checks"]
            if chk["verdict"] == "fail")
    assert f"Failures: {n} checks, 1 refuted rule proof<" in table


def test_failing_op_page_shows_failure_and_red_graph(report):
    _, out, _ = report
    html = (out / "ops" / "maximum.html").read_text(encoding="utf-8")
    assert 'id="failures"' in html and "the tie x == y sends g to both inputs" in html
    graph = html[html.index('id="graph"'):]
    assert 'stroke="red"' in graph
    assert "The op's node is drawn in red" in graph
    add = (out / "ops" / "add.html").read_text(encoding="utf-8")  # unreliable only, no failure
    assert 'stroke="red"' not in add and "drawn in red" not in add
    assert ">Unreliable checks</h2>" in add


def test_font_and_licence_are_shipped(report):
    _, out, _ = report
    font = out / "static" / "fonts" / "texgyredejavu-math.woff2"
    assert font.read_bytes()[:4] == b"wOF2"
    assert "GUST Font License" in (font.parent / "FONT-LICENSE.txt").read_text()
    css = (out / "static" / "report.css").read_text()
    assert "fonts/texgyredejavu-math.woff2" in css and "prefers-color-scheme: dark" in css
    assert "@media print" in css
