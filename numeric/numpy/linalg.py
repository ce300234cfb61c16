"""``numpy.linalg``, Tensor-aware (its functions dispatch to the engine on Tensors)."""

import numpy.linalg as _linalg
from numpy.linalg import *  # noqa: F403

from numeric.numpy.lists import norm as norm  # (norm of a list of Tensors)


def __getattr__(name: str) -> object:
    return getattr(_linalg, name)
