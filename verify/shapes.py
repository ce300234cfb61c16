"""The raw-rule shape check behind check (d): which shapes a raw VJP rule may return.

A raw rule runs before ``unbroadcast``; its result may be the input's shape or the shape the
forward broadcast the input to (unbroadcast then sums), or anything between, axis by axis —
nothing else: a larger shape that happens to sum down hides a wrong rule. The largest shape
allowed is the op kind's model (``Kind.raw_shape``); a kind without one (a user op's own kind)
accepts any shape that ``unbroadcast`` accepts.
"""

from __future__ import annotations

import numpy as np

from numeric import Op

__all__ = ["broadcast_target", "fits"]


def broadcast_target(op: Op, xs: list[np.ndarray], out: np.ndarray, i: int
                     ) -> tuple[int, ...] | None:
    """The largest shape input ``i``'s raw rule may return, or None when the kind has no model."""
    model = op.kind.raw_shape
    return None if model is None else tuple(model(op, xs, out, i))


def fits(raw: tuple[int, ...], x: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether ``raw`` lies between ``x`` and its broadcast ``target``, axis by axis."""
    if tuple(raw) == tuple(x):
        return True
    if len(raw) > len(target) or len(x) > len(raw):
        return False
    xp = (1,) * (len(raw) - len(x)) + tuple(x)
    tp = tuple(target[len(target) - len(raw):])
    return all(r == a or (a == 1 and r == t) for r, a, t in zip(raw, xp, tp))
