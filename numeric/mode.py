"""Grad mode: whether ops record, per thread (or asyncio task).

A ContextVar, so one thread's ``no_grad()`` or backward pass never switches recording off for
another; a new thread starts with recording on, whatever the thread that started it was doing.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

__all__ = ["no_grad", "is_grad_enabled", "recording", "enabled"]

_grad_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("numeric_grad_enabled",
                                                                     default=True)
enabled = _grad_enabled.get  # bound once: read on every op


@contextlib.contextmanager
def recording(on: bool) -> Iterator[None]:
    """Within this block ops record (``on``) or not, in this thread only."""
    token = _grad_enabled.set(on)
    try:
        yield
    finally:
        _grad_enabled.reset(token)


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Within this block ops record nothing: results are constants (this thread only)."""
    return recording(False)


def is_grad_enabled() -> bool:
    """Whether ops record in this thread / context now."""
    return enabled()
