"""``numpy.linalg``, Tensor-aware (its functions dispatch to the engine on Tensors)."""

from numpy.linalg import *  # noqa: F403

from numeric.numpy.lists import norm as norm  # (norm of a list of Tensors)
