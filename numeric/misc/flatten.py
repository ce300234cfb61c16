"""``flatten(value) -> (vector, unflatten)`` for tuples, lists and dicts of arrays (autograd's).

The vector is the leaves raveled and concatenated, dict entries in sorted key order; a leaf may
be a Tensor, and then the vector is one (``flatten`` is differentiable). ``unflatten(v)`` cuts
``v`` back into the same structure, every leaf an array of its shape (a number becomes a 0-d
array), and is differentiable in ``v`` too: both are index, reshape and concatenate ops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from numeric import structure
from numeric.tensor import Tensor

__all__ = ["flatten", "flatten_func"]


def flatten(value: Any) -> tuple[Any, Callable[[Any], Any]]:
    """``vector, unflatten = flatten({"w": w, "b": [b1, b2]})``; ``unflatten(vector)`` is the
    structure again (dict keys must be sortable, as in autograd)."""
    leaves, rebuild = structure.flatten(value, sort_keys=True)
    shapes = [np.shape(leaf) for leaf in leaves]
    dtypes = [np.asarray(leaf.value if isinstance(leaf, Tensor) else leaf).dtype
              for leaf in leaves]
    vector = np.concatenate([np.ravel(leaf) for leaf in leaves]) if leaves else np.zeros(0)
    size = sum(int(np.prod(s)) for s in shapes)

    def unflatten(v: Any) -> Any:
        if np.shape(v) != (size,):
            raise ValueError(f"unflatten: expected a vector of shape ({size},), got shape "
                             f"{np.shape(v)}")
        pieces, start = [], 0
        for shape, dtype in zip(shapes, dtypes):
            n = int(np.prod(shape))
            piece = np.reshape(v[start:start + n], shape)
            if dtype.kind == "f" and dtype != _dtype(piece):  # float32 leaves stay float32
                piece = piece.astype(dtype)
            pieces.append(piece)
            start += n
        return rebuild(pieces)

    return vector, unflatten


def _dtype(x: Any) -> Any:
    return np.asarray(x.value if isinstance(x, Tensor) else x).dtype


def flatten_func(func: Callable[..., Any], example: Any) -> tuple[Callable[..., Any],
                                                                   Callable[[Any], Any], Any]:
    """``(flat_func, unflatten, flat_example)``: ``func`` of a structure like ``example`` as a
    function of one vector, returning its result flattened."""
    flat_example, unflatten = flatten(example)
    return (lambda v, *args: flatten(func(unflatten(v), *args))[0]), unflatten, flat_example
