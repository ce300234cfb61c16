"""``numpy.linalg``, Tensor-aware (its functions dispatch to the engine on Tensors)."""

from typing import Any

import numpy.linalg as _linalg
from numpy.linalg import *  # noqa: F403


def __getattr__(name: str) -> Any:
    return getattr(_linalg, name)
