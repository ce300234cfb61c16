"""The engine's VJP of one op, as a user's gradient gets it: :func:`engine_vjp`.

Every check that compares the engine with a reference (``verify.checks``, ``verify.kinks``)
takes the engine's cotangents from here, so they all go through ``numeric.vjp``: seed, NumPy
dispatch, backward and its one ``unbroadcast``.
"""

from __future__ import annotations

from typing import Any

import numeric
from numeric import Op

__all__ = ["engine_vjp"]


def engine_vjp(op: Op, xs: list[Any], idx: list[int], params: dict[str, Any]) -> Any:
    """The engine's ``vjp_fn`` for ``op`` at ``xs``: cotangents of the inputs ``idx`` (in order).

    Built by ``numeric.vjp`` on ``numeric.apply``, so a gradient goes through everything a user's
    does; the other inputs (masks, indices) enter as constants.
    """
    def f(*ts: Any) -> Any:
        args = list(xs)
        for i, t in zip(idx, ts):
            args[i] = t
        return numeric.apply(op, *args, **params)

    return numeric.vjp(f, *(xs[i] for i in idx))[1]
