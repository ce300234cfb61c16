"""A primitive's tuple or list result, packed into one array (one node) and split again.

The forward packs into a :class:`_Layout` and leaves ``(packed, layout)`` in ``_packed`` for
the call running it, which takes it back by identity (so one left by a forward run outside a
call, by verify, is never taken), splits the result and saves the layout for the rules.
"""

from __future__ import annotations

import contextvars
from typing import Any

import numpy as np

from numeric.tensor import Tensor

_packed: contextvars.ContextVar[tuple | None] = contextvars.ContextVar(
    "numeric_extend_packed", default=None)


class _Layout:
    """How a tuple or list result was packed into one array: its type and pieces' shapes."""

    __slots__ = ("kind", "shapes", "dtypes")

    def __init__(self) -> None:  # kept minimal (no dataclass machinery)
        self.kind: type | None = None
        self.shapes: list[tuple[int, ...]] = []
        self.dtypes: list[np.dtype] = []

    def pack(self, out: Any) -> Any:
        if not isinstance(out, (tuple, list)):
            return out
        self.kind, self.shapes = type(out), [np.shape(o) for o in out]
        self.dtypes = [np.asarray(_value(o)).dtype for o in out]
        return np.concatenate([np.ravel(o) for o in out]) if out else np.zeros(0)

    def split(self, packed: Any, restore: bool = False) -> Any:
        """The pieces again, taken from ``packed`` with index and reshape ops (differentiable);
        ``restore``: integer and boolean pieces (indices, flags: no gradient) as the plain
        arrays of their own dtype that the function returned, not floats of the packing."""
        if not self.kind:
            return packed
        pieces, start = [], 0
        for i, shape in enumerate(self.shapes):
            size = int(np.prod(shape))
            piece = np.reshape(packed[start:start + size], shape)
            if restore and self.dtypes and self.dtypes[i].kind in "biu":
                piece = np.asarray(_value(piece)).astype(self.dtypes[i])[()]
            pieces.append(piece)
            start += size
        return self.kind(*pieces) if hasattr(self.kind, "_fields") else self.kind(pieces)


def _value(x: Any) -> Any:
    return x.value if isinstance(x, Tensor) else x
