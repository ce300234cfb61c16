"""Remainders: ``remainder`` (``np.mod`` and the ``%`` operator) and ``fmod``.

Both are x - y q with an integer quotient q (floor(x / y) for remainder, trunc(x / y) for fmod),
so their slopes are 1 for x and -q for y, and they jump where q does: where x / y is an integer
(a nonzero one for fmod). The domains keep samples away from the jumps while q takes several
values (-2 to 1), so a wrong rule for y cannot hide behind q = 0: x in [-1.9, 1.9] stays 0.2 away
from ±1.05 (and 0 for remainder), y in [1, 1.1], so x / y stays at least 0.1 from every integer.
"""

from __future__ import annotations

import numpy as np

from numeric.op import Domain, Kink, Op, register

__all__: list[str] = []

_DIVISOR = Domain(1.0, 1.1)
_JUMP = ("jumps where x / y is an integer{}; there the slopes are those of the side "
         "x / y >= that integer: 1 for x, -{}(x / y) for y. place() puts x := y (x / y = 1, "
         "slopes 1 and -1)")

# name          forward         d/dx              d/dy
register(Op("remainder", np.remainder, (
    lambda g, out, x, y: g,
    lambda g, out, x, y: -g * np.floor(x / y)),
    domain=(Domain(-1.9, 1.9, avoid=(-1.05, 0.0, 1.05), margin=0.2), _DIVISOR),
    kink=Kink(_JUMP.format("", "floor"), place=lambda x, y: (y + 0 * x, y), slope=(1.0, -1.0)),
    numpy=(np.remainder,), methods=("__mod__", ("__rmod__", lambda x, y: ((y, x), {}))),
    doc="out = x - y floor(x / y), the sign of y (np.mod, x % y)"))
register(Op("fmod", np.fmod, (
    lambda g, out, x, y: g,
    lambda g, out, x, y: -g * np.trunc(x / y)),
    domain=(Domain(-1.9, 1.9, avoid=(-1.05, 1.05), margin=0.2), _DIVISOR),
    kink=Kink(_JUMP.format(" other than 0", "trunc"), place=lambda x, y: (y + 0 * x, y),
              slope=(1.0, -1.0)),
    numpy=(np.fmod,),
    doc="out = x - y trunc(x / y), the sign of x (C's fmod)"))
