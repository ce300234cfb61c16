"""NumPy functions whose own implementation cannot run on arrays of symbols, written with the
NumPy calls that can: ``derive.symbolic`` maps them in its ``__array_function__`` table.

- ``sort`` / ``partition``: NumPy compares entries, and symbols have no order. An odd-even
  transposition network of ``np.minimum`` / ``np.maximum`` (SymPy's Min and Max) sorts them
  instead; a full sort is a valid partition for every ``kth``.
- ``linspace``: NumPy takes float steps (0.5 x) and tests ``step == 0``; here each sample is
  ``start + i (stop - start) / d`` exactly.
- ``astype``: a cast is the identity on exact numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["sort", "partition", "linspace", "astype", "mapped"]


def sort(a: Any, axis: Any = -1, **_: Any) -> Any:
    """``a`` sorted along ``axis`` (None: flattened) by n rounds of compare-exchange."""
    a = np.ravel(a) if axis is None else np.moveaxis(a, axis, -1)
    n = np.shape(a)[-1]
    cols = [a[..., i] for i in range(n)]
    for r in range(n):
        for i in range(r % 2, n - 1, 2):
            cols[i], cols[i + 1] = (np.minimum(cols[i], cols[i + 1]),
                                    np.maximum(cols[i], cols[i + 1]))
    s = np.stack(cols, axis=-1) if cols else a
    return s if axis is None else np.moveaxis(s, -1, axis)


def partition(a: Any, kth: Any, axis: Any = -1, **_: Any) -> Any:
    return sort(a, axis)


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype: Any = None, axis: int = 0, **_: Any) -> Any:
    div = num - 1 if endpoint else num
    delta = np.subtract(stop, start)
    steps = np.reshape(np.arange(num), (-1,) + (1,) * np.ndim(delta))
    samples = np.moveaxis(start + (steps * delta / div if div > 0 else steps * delta * 0), 0, axis)
    return (samples, delta / div if div > 0 else np.nan) if retstep else samples


def astype(x: Any, dtype: Any, **_: Any) -> Any:
    return x


def mapped() -> dict[Any, Any]:
    """NumPy function -> its version for symbols (``np.astype`` exists from NumPy 2.1)."""
    table: dict[Any, Any] = {np.sort: sort, np.partition: partition, np.linspace: linspace}
    if hasattr(np, "astype"):
        table[np.astype] = astype
    return table
