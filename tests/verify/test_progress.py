"""``verify.progress``: a bar redrawn in place on a terminal, plain lines at a modest rate when
piped, and a ticker for one long call."""

import io
import time

from verify.progress import Bar, ticker


def test_piped_progress_is_plain_lines_at_a_modest_rate():
    out = io.StringIO()
    bar = Bar("ops checked", stream=out, tty=False, every=3600)
    for k in range(1, 62):
        bar(k, 61, f"op{k}")
    bar.done()
    assert out.getvalue().splitlines() == ["1/61 ops checked", "61/61 ops checked"]
    out = io.StringIO()
    bar = Bar("ops checked", stream=out, tty=False, every=0)
    for k in range(1, 4):
        bar(k, 3)
    assert out.getvalue().splitlines() == ["1/3 ops checked", "2/3 ops checked",
                                           "3/3 ops checked"]


def test_a_terminal_gets_one_line_redrawn_and_erased():
    out = io.StringIO()
    bar = Bar(stream=out, tty=True)
    bar(1, 4, "add")
    bar(4, 4, "matmul")
    bar.done()
    text = out.getvalue()
    assert "\n" not in text and text.count("\r") == 4  # two draws, one erase
    assert "[" + "#" * 30 + "] 4/4" in text and text.endswith("\r")


def test_the_ticker_is_silent_for_quick_calls_and_shows_slow_ones():
    out = io.StringIO()
    with ticker("deriving add", stream=out, tty=False, after=1.0):
        pass
    assert out.getvalue() == ""
    with ticker("deriving inv at 4x4", stream=out, tty=False, after=0.05, every=0.05):
        time.sleep(0.3)
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2 and all(line.startswith("deriving inv at 4x4 ... ") for line in lines)
