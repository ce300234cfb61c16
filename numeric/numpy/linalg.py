"""``numpy.linalg``, Tensor-aware (its functions dispatch to the engine on Tensors)."""

from numpy.linalg import *  # noqa: F403
