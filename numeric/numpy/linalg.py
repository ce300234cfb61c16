"""``numpy.linalg``, Tensor-aware (its functions dispatch to the engine on Tensors)."""

import numpy.linalg as _linalg
from numpy.linalg import *  # noqa: F403


def __getattr__(name: str) -> object:
    return getattr(_linalg, name)
