"""NumPy's reductions and scans that also take a (nested) list or tuple of Tensors, as autograd's
do: ``np.mean([t1, t2])`` stacks the Tensors, differentiably, then reduces. NumPy's own
functions cannot: its dispatch does not look inside a list (it would convert it to an array, which
a Tensor that requires grad refuses), so ``numeric.numpy`` exports these wrappers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as _np

__all__ = ["sum", "mean", "std", "var", "prod", "max", "min", "amax", "amin", "ptp", "nansum",
           "nanmean", "average", "cumsum", "cumprod", "norm"]


def _takes_lists(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapped(a: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(a, (list, tuple)):
            from numeric.numpy import array  # stacks lists that hold Tensors

            a = array(a)
        return func(a, *args, **kwargs)

    return wrapped


sum, mean, std, var, prod = (_takes_lists(f) for f in (_np.sum, _np.mean, _np.std, _np.var,
                                                         _np.prod))
max, min, amax, amin, ptp = (_takes_lists(f) for f in (_np.max, _np.min, _np.amax, _np.amin,
                                                         _np.ptp))
nansum, nanmean, average, cumsum, cumprod = (_takes_lists(f) for f in (
    _np.nansum, _np.nanmean, _np.average, _np.cumsum, _np.cumprod))
norm = _takes_lists(_np.linalg.norm)
