"""Private copies of the arrays the engine is given, so a write by their owner cannot change a
gradient: ``Tensor(a)``, a plain array passed to an op, and an array in an op's parameters.

A large copy goes into a buffer from a small pool, reused once no view of it is alive (its
reference count says so): allocating megabytes afresh on every training step costs page faults
each time glibc has handed the freed block back to the system, which made a step up to 2.5x
slower on the benchmark machine (a checksum instead of a copy reads the array twice: slower
still). The pool keeps at most 8 buffers per size, none over 32 MiB, 128 MiB in all.
"""

from __future__ import annotations

import copy
import sys
import threading
from typing import Any

import numpy as np

__all__ = ["private", "saved_params", "unshared"]

_POOL_FROM = 1 << 17  # bytes: smaller blocks are recycled by malloc itself
_POOL_UPTO = 1 << 25  # bytes: larger copies are not pooled
_PER_SIZE = 8  # buffers kept per block size
_POOL_CAP = 1 << 27  # bytes the pool may hold in all
_pool: dict[int, list[np.ndarray]] = {}
_held = 0
_lock = threading.Lock()


def private(a: Any) -> np.ndarray:
    """An array equal to ``a`` that nothing outside the engine can write to."""
    if type(a) is np.ndarray and 0 in a.strides and a.size > 1:
        # A broadcast view (np.broadcast_to): copy the block it repeats, not every repeat.
        block = a[tuple(slice(0, 1) if s == 0 else slice(None) for s in a.strides)]
        return np.broadcast_to(np.array(block), a.shape)
    if (type(a) is not np.ndarray or not _POOL_FROM <= a.nbytes <= _POOL_UPTO
            or a.dtype.hasobject):
        return np.array(a)
    buf = _claim(a.nbytes)
    if buf is None:
        return np.array(a)
    out = buf.view(a.dtype).reshape(a.shape)
    np.copyto(out, a)
    return out


def _claim(nbytes: int) -> np.ndarray | None:
    """A free pooled buffer of ``nbytes`` (a new one while the pool has room), else None."""
    global _held
    with _lock:
        bufs = _pool.setdefault(nbytes, [])
        for buf in bufs:
            if sys.getrefcount(buf) <= _FREE:  # held by the pool only: no view is alive
                return buf
        if len(bufs) >= _PER_SIZE or _held + nbytes > _POOL_CAP:
            return None
        buf = np.empty(nbytes, np.uint8)
        bufs.append(buf)
        _held += nbytes
        return buf


def _free_count() -> int:
    """The reference count ``_claim`` sees for a buffer only the pool holds (list, loop, arg)."""
    for buf in [np.empty(1, np.uint8)]:
        return sys.getrefcount(buf)
    raise AssertionError


_FREE = _free_count()


def unshared(out: Any, inputs: Any) -> Any:
    """An unrecorded result that may alias a caller's array (a view of it) is copied: a later
    recorded op saving it would otherwise see the caller's writes."""
    if type(out) is np.ndarray and any(
            out is a or out.base is not None and np.may_share_memory(out, a)
            for a in inputs if type(a) is np.ndarray):
        return out.copy()
    return out


def saved_params(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters a recorded op keeps for backward, with private copies of any arrays in them
    (an index, clip bounds), which the caller could otherwise change before backward."""
    if any(type(v) in _MUTABLE for v in params.values()):
        return {k: _private_param(v) for k, v in params.items()}
    return params


_MUTABLE = (np.ndarray, tuple, list)  # a tuple may hold arrays or lists (an index, pad widths)


def _private_param(v: Any) -> Any:
    if type(v) is np.ndarray:
        return v.copy()
    if type(v) is list:  # clip bounds, pad widths given as (nested) lists: the caller's objects
        return copy.deepcopy(v)
    if type(v) is tuple and any(type(i) in _MUTABLE for i in v):
        return tuple(_private_param(i) for i in v)
    return v
