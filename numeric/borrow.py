"""How the engine holds arrays it is given, so a write by their owner cannot change a gradient.

A small array is copied. A large float64 array is *lent*: the engine keeps a read-only view and
a checksum, and backward checks the checksum before a rule reads the array, raising an error
that names the op — copying a large array on every step would cost an allocation (and, with
glibc's heap trimming, page faults) that two reads of it do not.

The checksum is a position-weighted sum per block of 4096 elements (one BLAS matrix-vector
product): any write changes it unless the change is below rounding (about 1e-14 of the block's
weighted sum). Arrays holding NaN or inf, whose sums would hide later writes, are copied.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["take", "check"]

_LEND_BYTES = 1 << 16  # smaller arrays are copied: a copy is cheaper than a checksum there
_BLOCK = 4096
_WEIGHTS = np.random.default_rng(20261202).uniform(1.0, 2.0, _BLOCK)

Lent = tuple  # ((view, checksum), ...): caller arrays a node holds, with their checksums


def take(a: Any) -> tuple[np.ndarray, Lent | None]:
    """The engine's hold on a caller's array: ``(array, lent)``, lent ``None`` for a copy."""
    if (type(a) is not np.ndarray or a.dtype != np.float64 or a.nbytes < _LEND_BYTES
            or not a.flags.c_contiguous):
        return np.array(a), None
    view = a.view()
    view.flags.writeable = False
    sums = _checksum(view)
    if not np.isfinite(sums).all():
        return np.array(a), None
    return view, ((view, sums.tobytes()),)


def check(op_name: str, lent: Lent) -> None:
    """Raise if an array in ``lent`` was written since ``op_name`` recorded it."""
    for view, sums in lent:
        if _checksum(view).tobytes() != sums:
            raise RuntimeError(
                f"{op_name}: an input array of shape {view.shape} that it saved for backward was "
                "written after the forward pass, so its gradient would be wrong; copy the array "
                "before changing it, or change it after backward")


def _checksum(a: np.ndarray) -> np.ndarray:
    flat = a.reshape(-1)
    whole = flat.size - flat.size % _BLOCK
    head = flat[:whole].reshape(-1, _BLOCK) @ _WEIGHTS
    return np.append(head, flat[whole:] @ _WEIGHTS[:flat.size - whole])
