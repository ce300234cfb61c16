"""Time budgets for SymPy work, which cannot be interrupted cooperatively.

``with budget(5.0) as b: ...`` raises :class:`OutOfTime` inside the block once 5 s have passed,
through ``signal.setitimer`` (``ITIMER_REAL``) and a SIGALRM handler. That works in any process's
main thread — the CLI, pytest, and ``ProcessPoolExecutor`` workers, which run their tasks in
their main thread. Budgets nest: an inner budget never outlives an outer one, and on exit the
outer timer and handler are restored, so a caught timeout leaves no state behind. In other
threads (signals only reach the main thread) and where SIGALRM does not exist, :meth:`check`
is the fallback: code calls it between units of work and it raises once the budget is spent.
``OutOfTime`` derives from BaseException so that ``except Exception`` in rule code or in SymPy
cannot swallow it.
"""

from __future__ import annotations

import signal
import threading
import time
from types import TracebackType
from typing import Any

__all__ = ["OutOfTime", "budget", "preemptive"]


class OutOfTime(BaseException):  # noqa: N818 - it is not an error but an expired budget
    """A budget ran out; ``owner`` is the budget that expired."""

    def __init__(self, owner: budget) -> None:
        super().__init__(f"time budget of {owner.seconds:g} s exceeded")
        self.owner = owner


def preemptive() -> bool:
    """Whether budgets here can interrupt running code (main thread with SIGALRM)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class budget:  # noqa: N801 - used as a context manager, like a function
    """A wall-clock budget of ``seconds`` (None or <= 0: unlimited) for the block it guards."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds if seconds and seconds > 0 else None
        self.deadline = float("inf")
        self._saved: Any = None

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def check(self) -> None:
        """Raise OutOfTime if this budget (or an enclosing one) is spent."""
        for b in reversed(_active()):
            if b.expired:
                raise OutOfTime(b)

    def __enter__(self) -> budget:
        now = time.monotonic()
        if self.seconds is not None:
            self.deadline = now + self.seconds
        _active().append(self)
        try:
            if preemptive() and self.seconds is not None:
                old_handler = signal.signal(signal.SIGALRM, _on_alarm)
                old_left, _ = signal.getitimer(signal.ITIMER_REAL)
                self._saved = (old_handler, old_left, now)
                left = self.seconds if not old_left else min(self.seconds, old_left)
                signal.setitimer(signal.ITIMER_REAL, max(left, 1e-4))
        except BaseException:  # an outer budget ran out right here: leave nothing behind
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None,
                 tb: TracebackType | None) -> bool:
        # try/finally throughout: an alarm landing in here (this budget's own, a hair late)
        # may raise, but the handler, the outer timer and the stack are restored regardless.
        saved = None
        try:
            saved, self._saved = self._saved, None
            if saved is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            if saved is None:  # an alarm before the swap above
                saved, self._saved = self._saved, None
            try:
                if saved is not None:
                    old_handler, old_left, start = saved
                    signal.signal(signal.SIGALRM, old_handler)
                    if old_left:  # the outer budget's timer, minus the time spent here
                        signal.setitimer(signal.ITIMER_REAL,
                                         max(old_left - (time.monotonic() - start), 1e-4))
            finally:
                if self in _active():
                    _active().remove(self)
        return False


_LOCAL = threading.local()


def _active() -> list[budget]:
    if not hasattr(_LOCAL, "stack"):
        _LOCAL.stack = []
    return _LOCAL.stack


def _on_alarm(signum: int, frame: Any) -> None:
    # the earliest expired budget owns the timeout; one not yet expired means a stray alarm
    for b in _active():
        if b.expired:
            raise OutOfTime(b)
    # A timer armed before the outermost budget (a caller's own budget, pytest-timeout) that
    # has fallen due: its handler runs now, as it would have without us.
    owner = next((b for b in _active() if b._saved is not None), None)
    if owner is not None:
        handler, left, start = owner._saved
        if left and time.monotonic() >= start + left - 1e-3 and callable(handler):
            owner._saved = (handler, 0.0, start)  # delivered: not to be re-armed on exit
            handler(signum, frame)
    live = [b.deadline for b in _active() if b.seconds is not None]
    if live:
        signal.setitimer(signal.ITIMER_REAL, max(min(live) - time.monotonic(), 1e-4))
