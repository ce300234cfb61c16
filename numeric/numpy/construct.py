"""Building arrays in ``numeric.numpy``: ``array``/``asarray`` of lists holding Tensors, ``r_``,
``c_``, and the creation functions (``zeros``, ``arange``, ``full``, ...) given Tensors.

NumPy's own constructors do not dispatch on what a list holds, so ``numpy.array([t1, t2])`` must
refuse (it would drop the gradient); these build the same array by stacking, so the gradient
reaches every Tensor. Sizes, shapes and counts given as Tensors are read as their values: they
are not differentiated.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from numeric.dispatch import _holds_tensor
from numeric.tensor import Tensor

__all__ = ["array", "asarray", "asanyarray", "ascontiguousarray", "r_", "c_", "full", "zeros",
           "ones", "empty", "eye", "identity", "arange", "tri"]


def array(obj: Any, dtype: Any = None, *, copy: Any = True, order: Any = "K",
          subok: bool = False, ndmin: int = 0, like: Any = None) -> Any:
    """``numpy.array``; a Tensor, or a (nested) list or tuple holding Tensors, becomes one Tensor
    that is differentiable in each of them. Without Tensors it is ``numpy.array`` exactly.

    >>> x = Tensor(2.0)
    >>> array([[x, 1.0], [0.0, x * x]]).shape
    (2, 2)
    """
    if not _holds_tensor(obj):
        return np.array(obj, dtype, copy=copy, order=order, subok=subok, ndmin=ndmin, like=like)
    refused = [name for name, given in (("order", order not in ("K", "A", "C")),
                                        ("subok", subok), ("like", like is not None)) if given]
    if refused:
        raise TypeError(f"numeric.numpy.array of Tensors does not take {', '.join(refused)}")
    out = _build(obj, dtype)
    if ndmin > np.ndim(out):  # as NumPy: ones are prepended to the shape
        out = np.reshape(out, (1,) * (ndmin - np.ndim(out)) + np.shape(out))
    return out


def asarray(obj: Any, dtype: Any = None, order: Any = None, **kwargs: Any) -> Any:
    """``numpy.asarray``; a Tensor is returned as it is, a list holding Tensors stacked."""
    if not _holds_tensor(obj):
        return np.asarray(obj, dtype, order, **kwargs)
    if kwargs or order not in (None, "K", "A", "C"):
        given = ", ".join([*kwargs, *(["order"] if order not in (None, "K", "A", "C") else [])])
        raise TypeError(f"numeric.numpy.asarray of Tensors does not take {given}")
    return _build(obj, dtype)


asanyarray = asarray
ascontiguousarray = asarray  # a Tensor's value is already an array of its own


def _build(obj: Any, dtype: Any) -> Any:
    if isinstance(obj, Tensor):
        return _cast(obj, dtype)
    if not isinstance(obj, (list, tuple)):
        return np.asarray(obj, dtype)
    parts = [_build(o, dtype) if _holds_tensor(o) else np.asarray(o, dtype) for o in obj]
    if not parts:
        return np.asarray(obj, dtype)
    shapes = {np.shape(p) for p in parts}
    if len(shapes) > 1:
        raise ValueError(f"numeric.numpy.array: the entries have different shapes "
                         f"{sorted(shapes)}; NumPy would make a ragged object array")
    return np.stack(parts)


def _cast(t: Tensor, dtype: Any) -> Any:
    """``t`` in ``dtype`` by the astype record: differentiable, or refused where a cast would cut
    a gradient (to integers or booleans, for a Tensor that requires grad)."""
    if dtype is None or np.dtype(dtype) == t.dtype:
        return t
    return t.astype(dtype)


class _Concatenator:
    """``r_`` / ``c_`` on Tensors: NumPy's index-expression concatenation (slices, scalars,
    arrays, a leading ``'axis,ndmin,trans1d'`` directive), differentiable in the Tensors."""

    def __init__(self, numpy_twin: Any, axis: int, ndmin: int, trans1d: int) -> None:
        self._twin, self._axis, self._ndmin, self._trans1d = numpy_twin, axis, ndmin, trans1d

    def __getitem__(self, key: Any) -> Any:
        if not _holds_tensor(key):
            return self._twin[key]
        key = key if isinstance(key, tuple) else (key,)
        axis, ndmin, trans1d = self._axis, self._ndmin, self._trans1d
        parts, kinds = [], []
        for k, item in enumerate(key):
            if isinstance(item, str):
                if k != 0:
                    raise ValueError("special directives must be the first entry.")
                axis, ndmin, trans1d = _directive(item, axis, ndmin, trans1d)
                continue
            if isinstance(item, slice):
                item = np.r_[item]
            scalar = type(item) in (int, float, complex, bool)
            part = asarray(item)
            nd = np.ndim(part)
            if nd < ndmin:
                part = np.reshape(part, (1,) * (ndmin - nd) + np.shape(part))
                if trans1d != -1:  # where the original axes go, as NumPy places them
                    k1 = trans1d + (ndmin - nd) + 1 if trans1d < 0 else trans1d
                    axes = [*range(k1), *range(ndmin - nd, ndmin), *range(k1, ndmin - nd)]
                    part = np.transpose(part, axes)
            parts.append(part)
            kinds.append(item if scalar else part.dtype)
        final = np.result_type(*kinds)  # Python scalars weak, as in NumPy
        parts = [_cast(p, final) if isinstance(p, Tensor) else np.asarray(p, final)
                 for p in parts]
        return np.concatenate(parts, axis=axis)

    def __len__(self) -> int:
        return 0


def _directive(item: str, axis: int, ndmin: int, trans1d: int) -> tuple[int, int, int]:
    if item in ("r", "c"):
        raise TypeError("numeric.numpy.r_/c_ with Tensors: the 'r'/'c' (np.matrix) directives "
                        "are not supported")
    try:
        if "," in item:
            vec = [int(v) for v in item.split(",")]
            return vec[0], vec[1], vec[2] if len(vec) == 3 else trans1d
        return int(item), ndmin, trans1d
    except ValueError:
        raise ValueError(f"unknown special directive {item!r}") from None


r_ = _Concatenator(np.r_, 0, 1, -1)
c_ = _Concatenator(np.c_, -1, 2, 0)


def _values(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.value
    if isinstance(x, (list, tuple)):
        return type(x)(_values(v) for v in x)
    return x


def _constant(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with Tensor arguments read as their values (shapes, sizes: not differentiated)."""
    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        return func(*_values(args), **{k: _values(v) for k, v in kwargs.items()})
    return call


zeros, ones, empty, eye, identity, arange, tri = (
    _constant(f) for f in (np.zeros, np.ones, np.empty, np.eye, np.identity, np.arange, np.tri))


def full(shape: Any, fill_value: Any, dtype: Any = None, order: str = "C", **kwargs: Any) -> Any:
    """``numpy.full``; a fill value that is a Tensor gives a Tensor, differentiable in it."""
    if not isinstance(fill_value, Tensor) or not fill_value.requires_grad:
        return np.full(_values(shape), _values(fill_value), dtype, order, **kwargs)
    if kwargs or order != "C":
        raise TypeError(f"numeric.numpy.full with a Tensor fill value does not take "
                        f"{', '.join([*kwargs, *(['order'] if order != 'C' else [])])}")
    shape = _values(shape)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return np.broadcast_to(_cast(fill_value, dtype), shape)
