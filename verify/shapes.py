"""The raw-rule shape model behind check (d): which shapes a raw VJP rule may return.

A raw rule runs before ``unbroadcast``; its result may be the input's shape or the shape the
forward broadcast the input to (unbroadcast then sums), or anything between, axis by axis —
nothing else: a larger shape that happens to sum down hides a wrong rule. For matmul and solve
only the batch axes broadcast (the matrix axes are the input's). Signatures without a model
here (user ops with their own signature) accept any shape that ``unbroadcast`` accepts.
"""

from __future__ import annotations

import numpy as np

from numeric import Op

__all__ = ["broadcast_target", "fits", "EXACT_SHAPE", "BROADCASTING"]

# Signatures whose raw rule must return exactly the input's shape (nothing is broadcast).
EXACT_SHAPE = ("reduce", "reshape", "transpose", "swapaxes", "expand_dims", "squeeze", "index",
               "scatter", "moment", "softmax", "concatenate", "stack", "flip", "pad", "dot",
               "outer", "einsum", "diagonal", "square", "norm")
BROADCASTING = ("elementwise", "where", "clip")


def broadcast_target(op: Op, xs: list[np.ndarray], out: np.ndarray, i: int
                      ) -> tuple[int, ...] | None:
    """The largest shape the forward stretches input ``i`` to (the raw rule may return it).

    None for a signature without a broadcast model here: then any shape unbroadcast accepts.
    """
    x = xs[i].shape
    sig = op.signature
    if sig == "broadcast_to":
        return out.shape
    if sig == "matmul":
        other = xs[1 - i].shape
        if len(x) == 1:
            return out.shape[:-1] + x if len(other) >= 2 else x
        batch = out.shape[:-2] if len(other) >= 2 else out.shape[:-1]
        return tuple(batch) + x[-2:]
    if sig == "solve":  # a stack of matrices a, b a vector (1-d) or a stack of matrices
        batch = out.shape[:-1] if len(xs[1].shape) == 1 else out.shape[:-2]
        return tuple(batch) + x[-2:]
    if sig in BROADCASTING:
        try:
            return tuple(np.broadcast_shapes(x, out.shape))
        except ValueError:
            return x
    if sig in EXACT_SHAPE:
        return x
    return None


def fits(raw: tuple[int, ...], x: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether ``raw`` lies between ``x`` and its broadcast ``target``, axis by axis."""
    if tuple(raw) == tuple(x):
        return True
    if len(raw) > len(target) or len(x) > len(raw):
        return False
    xp = (1,) * (len(raw) - len(x)) + tuple(x)
    tp = tuple(target[len(target) - len(raw):])
    return all(r == a or (a == 1 and r == t) for r, a, t in zip(raw, xp, tp))


