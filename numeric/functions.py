"""Friendly functions for the model-building ops, and the NumPy dispatch entries they need.

Each function applies one op of the table (``numeric.ops``) to Tensors or plain arrays and
returns a Tensor: ``numeric.relu(x)``, ``numeric.softmax(x, axis=-1)``, ``numeric.logsumexp(x)``,
``numeric.concatenate([x, y])``, ``numeric.einsum("ij,jk->ik", x, y)``, ``numeric.slogdet(x)``.
:data:`DISPATCH` maps NumPy callables whose arguments are not simply "inputs, then keyword
parameters" (``np.concatenate([x, y])``, ``np.einsum(subscripts, ...)``, ``np.clip(x, lo, hi)``,
...) to the op they mean, so plain NumPy code on Tensors is differentiated too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from numeric.tensor import Tensor, _axis, _reduction, apply

__all__ = [
    "sigmoid", "relu", "softplus", "softmax", "log_softmax", "logsumexp", "clip",
    "concatenate", "stack", "einsum", "slogdet", "norm", "DISPATCH",
]


def sigmoid(x: Any) -> Tensor:
    """``1 / (1 + e^-x)``, stable at large ``|x|``."""
    return apply("sigmoid", x)


def relu(x: Any) -> Tensor:
    """``max(x, 0)`` with slope 0 at 0."""
    return apply("relu", x)


def softplus(x: Any) -> Tensor:
    """``log(1 + e^x)``, stable at large ``|x|``."""
    return apply("softplus", x)


def softmax(x: Any, axis: int = -1) -> Tensor:
    """``e^x / Σ e^x`` along ``axis``. ``softmax(np.array([0.0, 1e4]))`` is ``[0, 1]``."""
    return apply("softmax", x, axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """``x - logsumexp(x)`` along ``axis``: log-probabilities without overflow."""
    return apply("log_softmax", x, axis=axis)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``log Σ e^x`` along ``axis``, stable at large inputs."""
    return apply("logsumexp", x, axis=_axis(axis), keepdims=bool(keepdims))


def clip(x: Any, a_min: float, a_max: float) -> Tensor:
    """``x`` limited to ``[a_min, a_max]``, constant bounds (slope 1/2 exactly at a bound)."""
    return apply("clip", x, a_min=a_min, a_max=a_max)


def concatenate(xs: Sequence[Any], axis: int | None = 0) -> Tensor:
    """The inputs joined along an existing axis (``axis=None`` flattens them first)."""
    return apply("concatenate", *xs, axis=axis)


def stack(xs: Sequence[Any], axis: int = 0) -> Tensor:
    """The inputs (all of one shape) joined along a new axis."""
    return apply("stack", *xs, axis=axis)


def einsum(subscripts: str, *xs: Any) -> Tensor:
    """``np.einsum(subscripts, *xs)``, differentiable in every input; no ellipsis.

    >>> einsum("ij,j->i", np.eye(2), Tensor([1.0, 2.0])).value
    array([1., 2.])
    """
    return apply("einsum", *xs, subscripts=subscripts)


def slogdet(x: Any) -> tuple[np.ndarray, Tensor]:
    """``(sign, log|det x|)`` as ``np.linalg.slogdet``; only the second is differentiable."""
    sign = np.linalg.slogdet(x.value if isinstance(x, Tensor) else np.asarray(x))[0]
    return sign, apply("slogdet", x)


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:
    """The vector 2-norm or the Frobenius norm, as ``np.linalg.norm`` (gradient 0 at 0)."""
    return apply("norm", x, ord=ord, axis=_axis(axis), keepdims=bool(keepdims))


def _moment(name: str):
    """np.var / np.std on a Tensor: numeric.tensor's reductions plus ddof, NumPy's 5th argument."""
    def call(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **rest):
        if dtype is not None or out is not None or rest:
            raise TypeError(f"numpy.{name} on Tensor supports only axis, ddof and keepdims")
        return apply(name, a, axis=_axis(axis), keepdims=bool(keepdims), ddof=ddof)
    return call


def _pad(array, pad_width, mode="constant", constant_values=0):
    if mode != "constant":
        raise TypeError(f"numpy.pad on Tensor supports only mode='constant', got {mode!r}")
    return apply("pad", array, pad_width=pad_width, constant_values=constant_values)


def _clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None):
    lo, hi = a_min if a_min is not None else min, a_max if a_max is not None else max
    lo = -np.inf if lo is None else lo
    hi = np.inf if hi is None else hi
    return apply("clip", a, a_min=lo, a_max=hi)


def _einsum(subscripts, *operands, optimize=False):
    return apply("einsum", *operands, subscripts=subscripts)


DISPATCH = {
    np.max: _reduction("max"), np.amax: _reduction("max"),
    np.min: _reduction("min"), np.amin: _reduction("min"),
    np.prod: _reduction("prod"),
    np.var: _moment("var"), np.std: _moment("std"),
    np.concatenate: lambda arrays, axis=0: apply("concatenate", *arrays, axis=axis),
    np.stack: lambda arrays, axis=0: apply("stack", *arrays, axis=axis),
    np.einsum: _einsum,
    np.flip: lambda m, axis=None: apply("flip", m, axis=_axis(axis)),
    np.pad: _pad,
    np.clip: _clip,
    np.trace: lambda a, offset=0, axis1=0, axis2=1:
        apply("trace", a, offset=offset, axis1=axis1, axis2=axis2),
    np.diagonal: lambda a, offset=0, axis1=0, axis2=1:
        apply("diagonal", a, offset=offset, axis1=axis1, axis2=axis2),
    np.linalg.norm: lambda x, ord=None, axis=None, keepdims=False: norm(x, ord, axis, keepdims),
    np.linalg.slogdet: slogdet,
}
