"""The time budget of one case of an op: :func:`budget` and the :class:`TimedOut` it raises.

A user's forward or rule may hang (a ``time.sleep``, a loop that never ends). This is derive's
budget (``derive.budget``: a POSIX interval timer in the main thread, nesting with derive's own
proof budgets, restoring any outer timer) seen from verify: :class:`TimedOut` is raised only
when *this* budget runs out, so the caller records a "timed out" result and goes on, while an
inner proof budget that expires stays derive's business. Outside the main thread, or without
``setitimer``, the work runs without a limit. ``TimedOut`` derives from ``BaseException`` so
that a rule's own ``except Exception`` does not swallow it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from derive.budget import OutOfTime
from derive.budget import budget as _budget

__all__ = ["budget", "TimedOut"]


class TimedOut(BaseException):
    """The work ran past its budget of ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"did not finish within {seconds:g} s")
        self.seconds = seconds


@contextlib.contextmanager
def budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`TimedOut` in the body if it runs longer than ``seconds`` (None: no limit)."""
    guard = _budget(seconds)
    try:
        with guard:
            yield
    except OutOfTime as e:
        if e.owner is not guard:
            raise
        raise TimedOut(guard.seconds) from None
