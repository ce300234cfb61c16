"""Screenshot a report page with Debian's Chromium through Playwright (never a browser download).

    python -m verify.report.screenshot reports/index.html assets/report.png
    python -m verify.report.screenshot reports/ops/matmul.html op.png --section derivation

Made the README's pictures. Needs ``pip install playwright`` and ``/usr/bin/chromium``
(``apt-get install chromium``); ``--chromium`` points elsewhere.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["LAUNCH_ARGS", "screenshot", "main"]

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def screenshot(page: str | Path, png: str | Path, *, width: int = 1100, height: int = 1150,
               scheme: str = "light", section: str | None = None, full: bool = False,
               chromium: str = "/usr/bin/chromium") -> Path:
    """Save ``png``: the page's first screen (``full``: all of it; ``section``: that element)."""
    from playwright.sync_api import sync_playwright

    url = Path(page).absolute().as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        try:
            tab = browser.new_page(viewport={"width": width, "height": height},
                                   color_scheme=scheme)
            tab.goto(url, wait_until="load")
            tab.evaluate("document.fonts.ready.then(() => true)")
            if section:
                box = tab.locator(f"#{section}").bounding_box()
                if box is None:
                    raise ValueError(f"{page}: no element with id {section!r}")
                clip = {"x": 0, "y": max(0, box["y"] - 10), "width": width, "height": height}
                tab.screenshot(path=str(png), clip=clip, full_page=True)
            else:
                tab.screenshot(path=str(png), full_page=full)
        finally:
            browser.close()
    return Path(png)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verify.report.screenshot",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("page", help="an HTML file of the report")
    parser.add_argument("png", help="where to save the screenshot")
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=1150)
    parser.add_argument("--dark", action="store_true", help="dark colour scheme")
    parser.add_argument("--section", help="start at the element with this id")
    parser.add_argument("--full", action="store_true", help="the whole page")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    out = screenshot(args.page, args.png, width=args.width, height=args.height,
                     scheme="dark" if args.dark else "light", section=args.section,
                     full=args.full, chromium=args.chromium)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
