"""NumPy's namespace, Tensor-aware: ``import numeric.numpy as np`` in code written for autograd.

Skeleton (issue 11 fills it in): NumPy's own functions already dispatch to the engine on
Tensors (``__array_function__``), so they are re-exported as they are; ``array``/``asarray``
build a Tensor from nested lists that hold Tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as _np
from numpy import *  # noqa: F403  (NumPy's namespace; its functions dispatch on Tensors)

# The submodules themselves: "from numeric.numpy import linalg" finds the numpy.linalg that the
# star import above bound, and never loads numeric/numpy/linalg.py.
import numeric.numpy.linalg as linalg  # noqa: F401
import numeric.numpy.random as random  # noqa: F401
from numeric.tensor import Tensor


def _holds_tensor(obj: Any) -> bool:
    if isinstance(obj, Tensor):
        return True
    return isinstance(obj, (list, tuple)) and any(_holds_tensor(o) for o in obj)


def array(obj: Any, *args: Any, **kwargs: Any) -> Any:
    """``np.array``; a (nested) list holding Tensors becomes one Tensor, differentiably."""
    if not _holds_tensor(obj):
        return _np.array(obj, *args, **kwargs)
    if isinstance(obj, Tensor):
        return obj
    return _np.stack([array(o) if _holds_tensor(o) else _np.asarray(o) for o in obj])


def asarray(obj: Any, *args: Any, **kwargs: Any) -> Any:
    return array(obj, *args, **kwargs) if _holds_tensor(obj) else _np.asarray(obj, *args, **kwargs)


from numeric.numpy.lists import *  # noqa: E402, F403  (reductions of lists of Tensors)
