"""The report in a real browser: Debian's Chromium, driven by Playwright (no browser download).

Opens every page of a generated report from disk (``file://``, as a user would, offline) and
checks: no console errors, every MathML formula laid out with nonzero size in the embedded math
font (stretched brackets taller than a plain one), every internal link resolving to a page and
an anchor, the graph SVGs present, no horizontal overflow at phone width (390 px), where the graph
keeps legible labels (it scrolls instead of shrinking) and no number wraps mid-number, light /
dark / print rendering. Screenshots go to ``$GRADPROOF_SCREENSHOTS`` (default: the test's temporary
directory). Skipped, with the reason, where Playwright or ``/usr/bin/chromium`` is missing — unless
``GRADPROOF_REQUIRE_BROWSER`` is set, as ``.ci/run`` (which installs both) does.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest
from test_report_fixture import make_document

from verify.report.screenshot import LAUNCH_ARGS

CHROMIUM = os.environ.get("GRADPROOF_CHROMIUM", "/usr/bin/chromium")

try:
    from playwright import sync_api
except ImportError:
    sync_api = None
_MISSING = ("Playwright for Python is not installed (pip install playwright)" if sync_api is None
            else f"no Chromium at {CHROMIUM}: apt-get install chromium (Debian)"
            if not os.path.exists(CHROMIUM) else "")
if _MISSING and os.environ.get("GRADPROOF_REQUIRE_BROWSER"):
    raise RuntimeError(f"GRADPROOF_REQUIRE_BROWSER is set but {_MISSING}")
if _MISSING:
    pytest.skip(f"real-browser report test skipped: {_MISSING}", allow_module_level=True)

# A derivation with the shapes that need an OpenType MATH font: a big fraction in stretched
# brackets, a sum with limits, a matrix. Added to the fixture so the test does not depend on
# how far derive reaches.
MATH_STEPS = [
    {"title": "chain rule", "status": "verified",
     "latex": r"\frac{\partial l}{\partial \mathbf{A}} = \left(\frac{\partial l}{\partial "
              r"\mathbf{f}}\right) \frac{\partial \mathbf{f}}{\partial \mathbf{A}}"},
    {"title": "entries", "status": "verified",
     "latex": r"\frac{\partial l}{\partial a_{ij}} = \sum_{k=1}^{m} g_{k} "
              r"\frac{\partial f_k}{\partial a_{ij}} = g_i b_j"},
    {"title": "closed form", "status": "verified",
     "latex": r"\bar{\mathbf{A}} = \mathbf{g}\,\mathbf{b}^\top = \begin{bmatrix} g_1 b_1 & "
              r"\dots & g_1 b_n \\ \vdots & \ddots & \vdots \\ g_m b_1 & \dots & g_m b_n "
              r"\end{bmatrix}"},
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from verify.report import build_report

    document = make_document()
    matmul = next(op for op in document["ops"] if op["op"] == "matmul")
    matmul["derivation"] = {"status": "ok", "steps": MATH_STEPS}
    out = tmp_path_factory.mktemp("browser") / "reports"
    index = build_report(document, out)
    shots = Path(os.environ.get("GRADPROOF_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    shots.mkdir(parents=True, exist_ok=True)
    return out, index, shots


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


def _open(browser, url: str, width: int = 1200, scheme: str = "light"):
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url}"))
    page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page, problems


def test_every_page_renders_without_errors_and_links_resolve(site, browser):
    out, index, shots = site
    pages = sorted(out.rglob("*.html"))
    ids: dict[Path, set[str]] = {}
    links: list[tuple[Path, str]] = []
    for path in pages:
        page, problems = _open(browser, path.as_uri())
        assert problems == [], f"{path.name}: {problems}"
        boxes = page.eval_on_selector_all(
            "math", "els => els.map(e => { const r = e.getBoundingClientRect();"
                    " return [r.width, r.height, e.textContent.slice(0, 40)]; })")
        empty = [b for b in boxes if not (b[0] > 0 and b[1] > 0)]
        assert not empty, f"{path.name}: formulas laid out with zero size: {empty}"
        ids[path.resolve()] = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        links += [(path, href) for href in page.eval_on_selector_all(
            "a[href]", "els => els.map(e => e.href)")]
        page.close()
    assert links
    for source, href in links:
        url, frag = urldefrag(href)
        parsed = urlparse(url)
        assert parsed.scheme == "file", f"{source.name}: non-local link {href}"
        target = Path(unquote(parsed.path)).resolve()
        assert target.is_file(), f"{source.name}: broken link {href}"
        if frag and target.suffix == ".html":
            assert frag in ids[target], f"{source.name}: no #{frag} in {target.name}"


def test_math_uses_the_embedded_font_and_stretches(site, browser):
    out, _, shots = site
    page, problems = _open(browser, (out / "ops" / "matmul.html").as_uri())
    assert page.evaluate("document.fonts.check('16px \"DejaVu Math TeX Gyre\"')")
    loaded = page.evaluate("[...document.fonts].filter(f => f.status == 'loaded')"
                           ".map(f => f.family)")
    assert any("DejaVu Math TeX Gyre" in f for f in loaded), loaded
    assert page.locator("#derivation math").count() == len(MATH_STEPS)
    # A stretchy fence around a fraction must grow past a plain parenthesis.
    fence, plain = page.evaluate("""() => {
        const fences = [...document.querySelectorAll('#derivation mo[stretchy="true"]')];
        const probe = document.createElement('span');
        probe.style.font = getComputedStyle(fences[0]).font;
        probe.textContent = '(';
        document.body.appendChild(probe);
        return [fences[0].getBoundingClientRect().height, probe.getBoundingClientRect().height];
    }""")
    assert fence > 1.3 * plain, (fence, plain)
    page.locator("#derivation").screenshot(path=str(shots / "derivation-matmul.png"))
    assert problems == []
    page.close()


def test_graphs_and_plots_present_with_failing_node_red(site, browser):
    out, _, shots = site
    page, _ = _open(browser, (out / "ops" / "maximum.html").as_uri())
    for sel in ("figure.graph svg", "figure.plot svg"):
        box = page.locator(sel).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, sel
    assert page.locator('figure.graph svg [stroke="red"]').count() >= 2
    page.screenshot(path=str(shots / "op-maximum.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("width, scheme, media", [
    (1200, "light", "screen"), (1200, "dark", "screen"), (390, "light", "screen"),
    (390, "dark", "screen"), (1000, "light", "print")])
def test_layouts(site, browser, width, scheme, media):
    out, _, shots = site
    shown = ("index.html", "ops/maximum.html", "claims.html", "cookbook.html")
    for name in sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")):
        page, problems = _open(browser, (out / name).as_uri(), width, scheme)
        page.emulate_media(media=media, color_scheme=scheme)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} is {overflow}px wider than a {width}px screen"
        fg, bg = page.evaluate("[getComputedStyle(document.body).color,"
                               " getComputedStyle(document.body).backgroundColor]")
        dark_bg = bg not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
        assert dark_bg == (scheme == "dark" and media == "screen"), (name, fg, bg)
        assert fg != bg
        if media == "print" and name.startswith("ops/"):
            assert not page.locator(".toc").is_visible(), "navigation is not printed"
        if name in shown:
            stem = name.replace("/", "-").removesuffix(".html")
            page.screenshot(path=str(shots / f"{stem}-{width}-{scheme}-{media}.png"),
                            full_page=width > 1000)
        assert problems == []
        page.close()


# Every number in scientific notation in the page's text: its characters must lie on one line.
SPLIT_NUMBERS = """() => {
    const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
    const split = [];
    let n = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of node.textContent.matchAll(/-?\\d\\.\\d+e[-+]\\d+/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                  .map(r => Math.round(r.top)));
            n += 1;
            if (lines.size > 1) split.push(m[0]);
        }
    }
    return [n, split];
}"""


def test_phone_width_keeps_graph_legible_and_numbers_whole(site, browser):
    """At 390 px the graph's labels keep their size (the figure scrolls instead of shrinking
    the picture) and no number breaks across lines ("1.95e-" / "01")."""
    out, _, shots = site
    page, problems = _open(browser, (out / "ops" / "maximum.html").as_uri(), width=390)
    sizes = page.eval_on_selector_all(
        "figure.graph svg text", "els => els.map(e => e.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 10, f"graph labels shrunk to {min(sizes):.1f}px"
    fig = page.evaluate("""() => { const f = document.querySelector('figure.graph');
        return [f.scrollWidth, f.clientWidth, getComputedStyle(f).overflowX]; }""")
    assert fig[2] in ("auto", "scroll") and fig[1] <= 390, fig
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.locator("#graph").screenshot(path=str(shots / "graph-maximum-390.png"))
    page.close()
    for path in sorted(out.rglob("*.html")):
        page, _ = _open(browser, path.as_uri(), width=390)
        n, split = page.evaluate(SPLIT_NUMBERS)
        assert not split, f"{path.name}: numbers broken across lines at 390 px: {split[:5]}"
        if path.name in ("maximum.html", "index.html", "cookbook.html"):
            assert n > 0, f"{path.name}: no numbers found to check"
        page.close()
    assert problems == []
