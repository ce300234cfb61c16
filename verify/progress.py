"""Progress of long command-line work on stderr: :class:`Bar` for counted work, :func:`ticker`.

On a terminal, a one-line bar (or an elapsed-time line) is redrawn in place and erased at the
end; when stderr is piped (CI logs), plain lines such as ``12/61 ops checked`` are written at a
modest rate — at most one per ``every`` seconds, plus the last — so a log stays readable.

    bar = Bar("ops checked")
    for k, name in enumerate(names, 1):
        ...
        bar(k, len(names), name)
    bar.done()

    with ticker("deriving matmul at 64x64 ; 64x64"):   # one long call of unknown length
        derivation(op, case)
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from typing import TextIO

__all__ = ["Bar", "ticker"]

WIDTH = 30


class Bar:
    """``bar(done, total, label)`` after each unit of work; ``bar.done()`` at the end."""

    def __init__(self, what: str = "done", stream: TextIO | None = None,
                 tty: bool | None = None, every: float = 5.0) -> None:
        self.what, self.stream, self.every = what, stream or sys.stderr, every
        self.tty = self.stream.isatty() if tty is None else tty
        self.start = time.perf_counter()
        self.last = -float("inf")  # when the last plain line was written
        self.drawn = False

    def __call__(self, done: int, total: int, label: str = "") -> None:
        now = time.perf_counter()
        if self.tty:
            fill = int(WIDTH * done / max(total, 1))
            rate = done / max(now - self.start, 1e-9)
            self.stream.write(f"\r[{'#' * fill}{'.' * (WIDTH - fill)}] {done}/{total} "
                              f"{rate:4.1f}/s {label[:30]:<30}")
            self.drawn = True
        elif done >= total or now - self.last >= self.every:
            self.stream.write(f"{done}/{total} {self.what}\n")
            self.last = now
        else:
            return
        self.stream.flush()

    def done(self) -> None:
        """Erase the bar (a terminal); plain lines stay."""
        if self.tty and self.drawn:
            self.stream.write("\r" + " " * (WIDTH + 50) + "\r")
            self.stream.flush()


@contextlib.contextmanager
def ticker(label: str, stream: TextIO | None = None, tty: bool | None = None,
           after: float = 2.0, every: float = 10.0) -> Iterator[None]:
    """Show that one long call is still running: elapsed seconds, from ``after`` seconds on.

    A terminal gets a line redrawn each second; a pipe gets ``label ... N s`` every ``every``
    seconds. Quick calls (under ``after``) print nothing.
    """
    stream = stream or sys.stderr
    tty = stream.isatty() if tty is None else tty
    stop = threading.Event()
    start = time.perf_counter()
    shown = [False]

    def tick() -> None:
        wait = after
        while not stop.wait(wait):
            seconds = time.perf_counter() - start
            if tty:
                stream.write(f"\r{label[:60]} ... {seconds:.0f} s")
                wait = 1.0
            else:
                stream.write(f"{label} ... {seconds:.0f} s\n")
                wait = every
            stream.flush()
            shown[0] = True

    thread = threading.Thread(target=tick, name="gradproof-ticker", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        if tty and shown[0]:
            stream.write("\r" + " " * (len(label[:60]) + 16) + "\r")
            stream.flush()
