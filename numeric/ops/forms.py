"""NumPy's building, splitting and reordering functions that are an existing layout op called
another way: the binders the layout records (``numeric.ops.layout``) declare for them.

A binder turns NumPy's call into the op's ``(inputs, params)`` — or ``(inputs, params,
finish)`` when the call returns more than the op's one result: the pieces of ``split`` and
the several arrays of ``atleast_1d(a, b)`` are the first piece (the op's result) and the op
applied to the others. Argument checks follow NumPy's, with its messages; the engine's own
limits (``order='F'``, ``out=``) are refused by name.

- concatenate: ``hstack vstack dstack column_stack append`` (row_stack reaches vstack);
- getitem: ``take take_along_axis repeat split array_split hsplit vsplit dsplit``;
- reshape: ``ravel`` (``t.ravel()``, ``t.flatten()``), ``atleast_1d atleast_2d atleast_3d``;
- transpose: ``moveaxis rollaxis``;  flip: ``fliplr flipud``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from numeric.ops.common import _unsupported
from numeric.tensor import Tensor, apply

__all__: list[str] = []


# ---------------------------------------------------------------------------------------------
# concatenate
# ---------------------------------------------------------------------------------------------
def _same_kind(dtype, casting):
    """NumPy's defaults (row_stack passes them on to vstack); anything else is refused."""
    _unsupported(dtype=dtype, casting=None if casting == "same_kind" else casting)


def bind_hstack(tup, *, dtype=None, casting="same_kind"):
    _same_kind(dtype, casting)
    arrays = [np.atleast_1d(a) for a in tup]
    return tuple(arrays), {"axis": 0 if np.ndim(arrays[0]) == 1 else 1}


def bind_vstack(tup, *, dtype=None, casting="same_kind"):
    _same_kind(dtype, casting)
    return tuple(np.atleast_2d(a) for a in tup), {"axis": 0}


def bind_dstack(tup):
    return tuple(np.atleast_3d(a) for a in tup), {"axis": 2}


def bind_column_stack(tup):
    arrays = [np.reshape(a, (-1, 1)) if np.ndim(a) < 2 else a
              for a in tup]
    return tuple(arrays), {"axis": 1}


def bind_append(arr, values, axis=None):
    return (arr, values), {"axis": axis}


# ---------------------------------------------------------------------------------------------
# getitem: gathers along one axis (repeated indices accumulate in the VJP), and the pieces
# of split, each a slice (an unused piece contributes nothing, i.e. zero)
# ---------------------------------------------------------------------------------------------
def _along(axis, index):
    return (slice(None),) * axis + (index,)


def _plain(a):
    return a.value if isinstance(a, Tensor) else a


def bind_take(a, indices, axis=None, out=None, mode="raise"):
    _unsupported(out=out)
    if axis is None:
        a, axis = np.ravel(a), 0
    axis = normalize_axis_index(axis, np.ndim(a))
    n = np.shape(a)[axis]
    index = np.asarray(_plain(indices))
    if index.dtype.kind not in "iu":
        raise TypeError(f"indices must be integers, got dtype {index.dtype}")
    if mode == "wrap":
        index = np.mod(index, n)
    elif mode == "clip":
        index = np.clip(index, 0, n - 1)
    elif mode != "raise":
        raise ValueError(f"mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    elif index.size and (index.min() < -n or index.max() >= n):
        bad = index[(index < -n) | (index >= n)].flat[0]
        raise IndexError(f"index {bad} is out of bounds for axis {axis} with size {n}")
    return (a,), {"index": _along(axis, index)}


def bind_take_along_axis(arr, indices, axis=-1):
    index = np.asarray(_plain(indices))
    if index.dtype.kind not in "iu":
        raise IndexError(f"`indices` must be an integer array, got dtype {index.dtype}")
    if axis is None:
        if index.ndim != 1:
            raise ValueError(f"when axis=None, `indices` must have a single dimension, got "
                             f"shape {index.shape}")
        arr, axis = np.ravel(arr), 0
    nd = np.ndim(arr)
    axis = normalize_axis_index(axis, nd)
    if index.ndim != nd:
        raise ValueError(f"`indices` (shape {index.shape}) and `arr` (shape {np.shape(arr)}) "
                         "must have the same number of dimensions")
    fancy = tuple(index if d == axis else
                  np.arange(n).reshape((1,) * d + (n,) + (1,) * (nd - d - 1))
                  for d, n in enumerate(np.shape(arr)))
    return (arr,), {"index": fancy}


def bind_repeat(a, repeats, axis=None):
    if axis is None:
        a, axis = np.ravel(a), 0
    axis = normalize_axis_index(axis, np.ndim(a))
    n = np.shape(a)[axis]
    counts = np.asarray(_plain(repeats))
    if counts.dtype.kind not in "iub" or counts.ndim > 1 or counts.size not in (1, n):
        raise ValueError(f"repeats must be an integer or {n} integers (one per entry along "
                         f"axis {axis}), got {_plain(repeats)!r}")
    if np.any(counts < 0):
        raise ValueError(f"repeats may not contain negative values, got {_plain(repeats)!r}")
    index = np.repeat(np.arange(n), np.broadcast_to(counts.ravel(), (n,)))
    return (a,), {"index": _along(axis, index)}


def _pieces(ary, bounds, axis):
    """The first piece as the op's call, the others applied in ``finish``: a list, as NumPy."""
    slices = [_along(axis, slice(lo, hi)) for lo, hi in zip(bounds[:-1], bounds[1:])]
    return (ary,), {"index": slices[0]}, lambda first: [first] + [
        apply("getitem", ary, index=s) for s in slices[1:]]


def _bounds(name, ary, indices_or_sections, axis, equal):
    if np.ndim(ary) == 0:
        raise ValueError(f"{name}: a 0-d array cannot be split")
    axis = normalize_axis_index(axis, np.ndim(ary))
    n = np.shape(ary)[axis]
    split = _plain(indices_or_sections)
    if np.ndim(split) == 0:
        sections = int(split)
        if sections <= 0:
            raise ValueError(f"{name}: the number of sections must be larger than 0, got "
                             f"{sections}")
        if equal and n % sections:
            raise ValueError(f"{name}: array split does not result in an equal division "
                             f"({n} entries along axis {axis} into {sections} sections)")
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        return list(np.cumsum([0] + sizes).tolist()), axis
    return [0] + [int(i) for i in split] + [n], axis


def bind_array_split(ary, indices_or_sections, axis=0):
    bounds, axis = _bounds("array_split", ary, indices_or_sections, axis, equal=False)
    return _pieces(ary, bounds, axis)


def bind_split(ary, indices_or_sections, axis=0):
    bounds, axis = _bounds("split", ary, indices_or_sections, axis, equal=True)
    return _pieces(ary, bounds, axis)


def _bind_split_at(name, least, axis):
    def bind(ary, indices_or_sections):
        if np.ndim(ary) < least:
            raise ValueError(f"{name} only works on arrays of {least} or more dimensions, got "
                             f"shape {np.shape(ary)}")
        along = axis if axis is not None else (1 if np.ndim(ary) > 1 else 0)
        bounds, along = _bounds(name, ary, indices_or_sections, along, equal=True)
        return _pieces(ary, bounds, along)

    bind.__name__ = f"bind_{name}"
    return bind


bind_hsplit = _bind_split_at("hsplit", 1, None)
bind_vsplit = _bind_split_at("vsplit", 2, 0)
bind_dsplit = _bind_split_at("dsplit", 3, 2)


# ---------------------------------------------------------------------------------------------
# reshape
# ---------------------------------------------------------------------------------------------
def _order_c(order):
    if order != "C":
        raise TypeError(f"supports only order='C', got order={order!r}")


def bind_ravel(a, order="C"):
    _order_c(order)
    return (a,), {"shape": (-1,)}


def _least_shape(shape, n):
    if len(shape) >= n:
        return tuple(shape)
    if n == 3 and len(shape) == 2:
        return tuple(shape) + (1,)
    if n == 3 and len(shape) == 1:
        return (1,) + tuple(shape) + (1,)
    return (1,) * (n - len(shape)) + tuple(shape)


def _bind_atleast(n):
    """atleast_nd(a) is a reshape; with several arrays NumPy returns a tuple of them."""
    def bind(*arys):
        if not arys:
            raise TypeError("needs at least one array")
        first = (arys[0],), {"shape": _least_shape(np.shape(arys[0]), n)}
        if len(arys) == 1:
            return first
        return (*first, lambda out: (out, *(
            apply("reshape", a, shape=_least_shape(np.shape(a), n)) if isinstance(a, Tensor)
            else getattr(np, f"atleast_{n}d")(a) for a in arys[1:])))

    bind.__name__ = f"bind_atleast_{n}d"
    return bind


bind_atleast_1d, bind_atleast_2d, bind_atleast_3d = (_bind_atleast(n) for n in (1, 2, 3))


# ---------------------------------------------------------------------------------------------
# transpose and flip
# ---------------------------------------------------------------------------------------------
def bind_moveaxis(a, source, destination):
    nd = np.ndim(a)
    source = normalize_axis_tuple(source, nd, "source")
    destination = normalize_axis_tuple(destination, nd, "destination")
    if len(source) != len(destination):
        raise ValueError("`source` and `destination` arguments must have the same number of "
                         f"elements, got {len(source)} and {len(destination)}")
    order = [d for d in range(nd) if d not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return (a,), {"axes": tuple(order)}


def bind_rollaxis(a, axis, start=0):
    nd = np.ndim(a)
    axis = normalize_axis_index(axis, nd)
    start = start + nd if start < 0 else start
    if not 0 <= start < nd + 1:
        raise np.exceptions.AxisError(f"'start' arg requires {-nd} <= start < {nd + 1}, "
                                      f"but {start} was passed in")
    start -= axis < start
    order = [d for d in range(nd) if d != axis]
    order.insert(start, axis)
    return (a,), {"axes": tuple(order)}


def bind_fliplr(m):
    if np.ndim(m) < 2:
        raise ValueError(f"fliplr: input must be >= 2-d, got shape {np.shape(m)}")
    return (m,), {"axis": 1}


def bind_flipud(m):
    if np.ndim(m) < 1:
        raise ValueError("flipud: input must be >= 1-d, got a 0-d array")
    return (m,), {"axis": 0}
