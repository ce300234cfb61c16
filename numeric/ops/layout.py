"""Shape ops: reshape, transpose, indexing, joining, flipping, padding.

NumPy's functions that are one of these ops called another way (hstack, split, take, ravel,
moveaxis, fliplr, ...) are call forms of its record; their binders are in ``numeric.ops.forms``.
"""

from __future__ import annotations

import numpy as np

from numeric.kinds import (
    BROADCAST_TO,
    CONCATENATE,
    EXPAND_DIMS,
    FLIP,
    INDEX,
    PAD,
    RESHAPE,
    SCATTER,
    SQUEEZE,
    STACK,
    SWAPAXES,
    TRANSPOSE,
)
from numeric.op import Op, register
from numeric.ops import forms as f
from numeric.ops.common import (
    _axis,
    _unsupported,
)

__all__: list[str] = []

# ---------------------------------------------------------------------------------------------
# Shape ops: the cotangent is moved back where each entry came from. concatenate and stack take
# any number of inputs (``Op.each``, bound per arity by ``Op.arity``); each input gets back the
# block of g it filled.
# ---------------------------------------------------------------------------------------------
register(Op("reshape", lambda x, shape: np.reshape(x, shape), (
    lambda g, out, x, shape: np.reshape(g, np.shape(x)),),
    kind=RESHAPE, bind=lambda a, shape=None, order="C", *, newshape=None, copy=None:
        _bind_reshape(a, shape if shape is not None else newshape, order, copy),
    numpy=(np.reshape, (np.ravel, f.bind_ravel), (np.atleast_1d, f.bind_atleast_1d),
           (np.atleast_2d, f.bind_atleast_2d), (np.atleast_3d, f.bind_atleast_3d)),
    methods=(("reshape", lambda a, *shape, order="C":
              _bind_reshape(a, _shape_arg(shape), order, None)),
             ("ravel", f.bind_ravel), ("flatten", f.bind_ravel)),
    complex=True, doc="out = x with a new shape"))
register(Op("transpose", lambda x, axes=None: np.transpose(x, axes), (
    # Negative axes are normalised first: argsort((-1, 0)) is not the inverse of (1, 0).
    lambda g, out, x, axes=None:
        np.transpose(g, None if axes is None else np.argsort(np.mod(axes, np.ndim(x)))),),
    kind=TRANSPOSE, bind=lambda a, axes=None: ((a,), {
        "axes": None if axes is None else tuple(axes)}),
    numpy=(np.transpose, (np.moveaxis, f.bind_moveaxis), (np.rollaxis, f.bind_rollaxis)),
    methods=(("transpose", lambda a, *axes: ((a,), {
        "axes": _shape_arg(axes) or None})),),
    complex=True, doc="out = x with axes permuted"))
register(Op("swapaxes", lambda x, axis1, axis2: np.swapaxes(x, axis1, axis2), (
    lambda g, out, x, axis1, axis2: np.swapaxes(g, axis1, axis2),),
    kind=SWAPAXES, bind=lambda a, axis1, axis2: ((a,), {"axis1": axis1, "axis2": axis2}),
    complex=True,
    numpy=(np.swapaxes,), methods=("swapaxes",), doc="out = x with two axes exchanged"))
register(Op("expand_dims", lambda x, axis: np.expand_dims(x, axis), (
    lambda g, out, x, axis: np.reshape(g, np.shape(x)),),
    kind=EXPAND_DIMS, bind=lambda a, axis: ((a,), {"axis": _axis(axis)}),
    numpy=(np.expand_dims,), complex=True, doc="out = x with new size-1 axes"))
register(Op("squeeze", lambda x, axis=None: np.squeeze(x, axis), (
    lambda g, out, x, axis=None: np.reshape(g, np.shape(x)),),
    kind=SQUEEZE, bind=lambda a, axis=None: ((a,), {"axis": _axis(axis)}),
    numpy=(np.squeeze,), methods=("squeeze",), complex=True, doc="out = x without size-1 axes"))
# The rule returns g as it is: unbroadcast's sum is exactly broadcast_to's VJP.
register(Op("broadcast_to", lambda x, shape: np.broadcast_to(x, shape), (
    lambda g, out, x, shape: g,),
    kind=BROADCAST_TO, bind=lambda array, shape, subok=False: ((array,), {
        "shape": tuple(np.atleast_1d(shape).tolist())}),
    numpy=(np.broadcast_to,), complex=True, doc="out = x broadcast to shape"))
# Repeated integer indices each receive their share: scatter_add accumulates.
register(Op("getitem", lambda x, index: x[index], (
    lambda g, out, x, index: _scatter_add(g, index, np.shape(x)),),
    kind=INDEX, numpy=(
        (np.take, f.bind_take), (np.take_along_axis, f.bind_take_along_axis),
        (np.repeat, f.bind_repeat), (np.split, f.bind_split), (np.array_split, f.bind_array_split),
        (np.hsplit, f.bind_hsplit), (np.vsplit, f.bind_vsplit), (np.dsplit, f.bind_dsplit)),
    methods=(("take", f.bind_take), ("repeat", f.bind_repeat)), complex=True, doc="out = x[index]"))
_SCATTER_ADD = register(Op("scatter_add", lambda g, index, shape: _scatter(g, index, shape), (
    lambda g2, out, g, index, shape: g2[index],),
    kind=SCATTER, bind=lambda g, index, shape: ((g,), {"index": index, "shape": tuple(shape)}),
    complex=True, doc="out = zeros(shape); out[index] += g (getitem's VJP)"))
register(Op("concatenate", lambda *xs, axis=0: np.concatenate(xs, axis=axis), (
    lambda g, out, *xs, axis=0: _concat_part(0, g, xs, axis),
    lambda g, out, *xs, axis=0: _concat_part(1, g, xs, axis)),
    each=lambda i, g, out, *xs, axis=0: _concat_part(i, g, xs, axis),
    kind=CONCATENATE, bind=lambda arrays, axis=0, out=None, *, dtype=None, casting=None:
        _bind_join(arrays, axis, out=out, dtype=dtype, casting=casting),
    numpy=(np.concatenate, (np.hstack, f.bind_hstack), (np.vstack, f.bind_vstack),
           (np.dstack, f.bind_dstack), (np.column_stack, f.bind_column_stack),
           (np.append, f.bind_append)),
    complex=True, doc="out = the inputs joined along an existing axis"))
register(Op("stack", lambda *xs, axis=0: np.stack(xs, axis=axis), (
    lambda g, out, *xs, axis=0: _take(g, 0, axis % np.ndim(out)),
    lambda g, out, *xs, axis=0: _take(g, 1, axis % np.ndim(out))),
    each=lambda i, g, out, *xs, axis=0: _take(g, i, axis % np.ndim(out)),
    kind=STACK, bind=lambda arrays, axis=0, out=None, *, dtype=None, casting=None:
        _bind_join(arrays, axis, out=out, dtype=dtype, casting=casting),
    numpy=(np.stack,), complex=True, doc="out = the inputs joined along a new axis"))
register(Op("flip", lambda x, axis=None: np.flip(x, axis), (
    lambda g, out, x, axis=None: np.flip(g, axis),),
    kind=FLIP, bind=lambda m, axis=None: ((m,), {"axis": _axis(axis)}),
    numpy=(np.flip, (np.fliplr, f.bind_fliplr), (np.flipud, f.bind_flipud)), methods=("flip",),
    complex=True, doc="out = x reversed along axis"))
# Only mode="constant": the padding is a constant, so g's padded border is dropped.
register(Op("pad", lambda x, pad_width, constant_values=0:
            np.pad(x, pad_width, constant_values=constant_values), (
    lambda g, out, x, pad_width, constant_values=0: g[_unpad(pad_width, np.shape(x))],),
    kind=PAD, bind=lambda array, pad_width, mode="constant", constant_values=0:
        _bind_pad(array, pad_width, mode, constant_values),
    numpy=(np.pad,), complex=True, doc="out = x surrounded by constant_values (mode='constant')"))


def _bind_reshape(a, shape, order, copy):
    if order != "C":
        raise TypeError(f"supports only order='C', got order={order!r}")
    _unsupported(copy=copy)
    if shape is None:
        raise TypeError("needs the new shape")
    return (a,), {"shape": (shape,) if isinstance(shape, int)
                  else tuple(np.atleast_1d(shape).tolist())}


def _bind_join(arrays, axis, **unsupported):
    _unsupported(**unsupported)
    return tuple(arrays), {"axis": axis}


def _bind_pad(array, pad_width, mode, constant_values):
    if mode != "constant":
        raise TypeError(f"supports only mode='constant', got {mode!r}")
    return (array,), {"pad_width": pad_width, "constant_values": constant_values}


def _scatter(g, index, shape):
    full = np.zeros(shape, dtype=np.result_type(g))
    np.add.at(full, index, g)
    return full


def _scatter_add(g, index, shape):
    """getitem's VJP: on arrays NumPy's own scatter, on Tensors (higher order) the op itself."""
    if isinstance(g, (np.ndarray, np.generic)):  # a scalar element's cotangent is np.generic
        return _scatter(g, index, shape)
    return _SCATTER_ADD(g, index, shape)


def _concat_part(i, g, xs, axis):
    if axis is None:
        start = sum(np.size(x) for x in xs[:i])
        return np.reshape(g[start:start + np.size(xs[i])], np.shape(xs[i]))
    ax = axis % np.ndim(xs[i])
    start = sum(np.shape(x)[ax] for x in xs[:i])
    return g[(slice(None),) * ax + (slice(start, start + np.shape(xs[i])[ax]),)]


def _take(g, i, axis):
    return g[(slice(None),) * axis + (i,)]


def _unpad(pad_width, shape):
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (len(shape), 2))
    return tuple(slice(int(lo), int(lo) + n) for (lo, _), n in zip(widths, shape))


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


