"""NumPy's namespace, Tensor-aware: ``import numeric.numpy as np`` in code written for autograd.

NumPy's functions already dispatch to the engine on Tensors (``__array_ufunc__``,
``__array_function__``, derived from the op table), so they are NumPy's own, re-exported: an op
registered later is picked up with no edit here. What NumPy cannot dispatch is defined in
``numeric.numpy.construct``: ``array``/``asarray`` of lists holding Tensors, ``r_``, ``c_``, and
creation functions given Tensors; in ``numeric.numpy.lists``, reductions and scans of lists of
Tensors. ``linalg``, ``random`` and ``fft`` are NumPy's submodules; any other name is NumPy's.
"""

import numpy as _np
from numpy import *  # noqa: F403  (NumPy's namespace; its functions dispatch on Tensors)

# The submodules themselves: "from numeric.numpy import linalg" would find the numpy.linalg that
# the star import above bound, and never load numeric/numpy/linalg.py.
import numeric.numpy.fft as fft  # noqa: F401
import numeric.numpy.linalg as linalg  # noqa: F401
import numeric.numpy.random as random  # noqa: F401
from numeric.numpy.construct import (  # noqa: F401
    arange,
    array,
    asanyarray,
    asarray,
    ascontiguousarray,
    c_,
    empty,
    eye,
    full,
    identity,
    ones,
    r_,
    tri,
    zeros,
)
from numeric.numpy.lists import *  # noqa: F403  (reductions of lists of Tensors)

__version__ = _np.__version__


def __getattr__(name: str) -> object:
    """Any other attribute of NumPy's namespace (names its ``__all__`` does not list)."""
    try:
        return getattr(_np, name)
    except AttributeError:
        raise AttributeError(f"module 'numeric.numpy' has no attribute {name!r}") from None
