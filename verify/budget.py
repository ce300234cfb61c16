"""Time budgets for running an op's code: :func:`budget` and the :class:`TimedOut` it raises.

A user's forward or rule may hang (a ``time.sleep``, a loop that never ends). Python threads
cannot be stopped, so the budget is a POSIX interval timer (``signal.setitimer``) armed around
the work: when it fires, :class:`TimedOut` is raised in the running code and the caller records
a "timed out" result and goes on. Arming and disarming costs microseconds, and nothing is
spawned per check. ``TimedOut`` derives from ``BaseException`` so that the checks' own
``except Exception`` (a rule that raises is a finding) does not swallow it.

The timer exists only in the main thread (the CLI's, and each worker process of ``run_suite``
runs its tasks there); called from another thread, or on a platform without ``setitimer``,
:func:`budget` runs the work without a limit. An outer timer due sooner (pytest-timeout, say)
is left to govern, and any outer timer is re-armed afterwards. derive's proof budgets
(``derive.budget``) nest inside it the same way; verify keeps its own so that it runs a user's
rules within budget even where derive cannot be imported (the symbolic check left out).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator

__all__ = ["budget", "TimedOut"]


class TimedOut(BaseException):
    """The work ran past its budget of ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"did not finish within {seconds:g} s")
        self.seconds = seconds


@contextlib.contextmanager
def budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`TimedOut` in the body if it runs longer than ``seconds`` (None: no limit)."""
    if (not seconds or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    outer_delay, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if outer_delay and outer_delay <= seconds:
        yield  # an outer timer fires first: it governs
        return
    live = [True]

    def expire(signum: int, frame: object) -> None:
        if live[0]:
            live[0] = False
            raise TimedOut(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        live[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
        if outer_delay:
            left = max(outer_delay - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)
