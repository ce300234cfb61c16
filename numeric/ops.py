"""The op table: every op's NumPy forward beside one VJP rule per input.

Read it like the seed notebook's derivations, side by side with code. Each rule is
``vjp(g, out, *xs, **params)`` — ``g`` the incoming cotangent, ``out`` the forward result,
``xs`` the inputs — and returns the cotangent of one input *before* broadcasting is undone
(``numeric.op.unbroadcast`` does that, in one place). Rules are plain NumPy calls on their
arguments, so the same rule runs on ndarrays (fast path), on Tensors (higher order) and on
arrays of SymPy symbols (``derive`` proves it). Rules first; helpers below.
"""

from __future__ import annotations

import numpy as np

from numeric.op import BOOL, POSITIVE, REALS, Domain, Kink, Op, register

__all__ = ["scatter_add"]

NONZERO = Domain(-2.0, 2.0, avoid=(0.0,), margin=0.2)
NEAR_ONE = Domain(0.5, 2.0)
TIE = Kink("ties split evenly: at x == y each input receives g/2",
           place=lambda x, y: (x, x), slope=(0.5, 0.5))

# ---------------------------------------------------------------------------------------------
# Binary elementwise ops (NumPy broadcasting; unbroadcast sums the broadcast axes back)
# ---------------------------------------------------------------------------------------------
# name          forward         d/dx                                   d/dy
register(Op("add", np.add, (
    lambda g, out, x, y: g,
    lambda g, out, x, y: g),
    numpy=(np.add,), doc="out = x + y"))
register(Op("subtract", np.subtract, (
    lambda g, out, x, y: g,
    lambda g, out, x, y: -g),
    numpy=(np.subtract,), doc="out = x - y"))
register(Op("multiply", np.multiply, (
    lambda g, out, x, y: g * y,
    lambda g, out, x, y: g * x),
    numpy=(np.multiply,), doc="out = x * y (Hadamard)"))
register(Op("divide", np.divide, (
    lambda g, out, x, y: g / y,
    lambda g, out, x, y: -g * out / y),
    domain=(REALS, NONZERO), numpy=(np.divide,), doc="out = x / y"))
# d/dx x**y = y x**(y-1), with exponent 1 where y == 0 so that 0**-1 never appears;
# d/dy x**y = log(x) x**y, taken as 0 at x == 0 (its limit from x > 0 for y > 0).
register(Op("power", np.power, (
    lambda g, out, x, y: g * y * x ** np.where(y == 0, 1.0, y - 1),
    lambda g, out, x, y: g * out * np.log(np.where(x == 0, 1.0, x))),
    domain=(POSITIVE, REALS), numpy=(np.power,), doc="out = x ** y"))
register(Op("maximum", np.maximum, (
    lambda g, out, x, y: g * _share(x, y),
    lambda g, out, x, y: g * _share(y, x)),
    kink=TIE, numpy=(np.maximum,), doc="out = max(x, y) elementwise"))
register(Op("minimum", np.minimum, (
    lambda g, out, x, y: g * _share(y, x),
    lambda g, out, x, y: g * _share(x, y)),
    kink=TIE, numpy=(np.minimum,), doc="out = min(x, y) elementwise"))

# ---------------------------------------------------------------------------------------------
# Unary elementwise ops
# ---------------------------------------------------------------------------------------------
register(Op("negative", np.negative, (lambda g, out, x: -g,),
            numpy=(np.negative,), doc="out = -x"))
register(Op("exp", np.exp, (lambda g, out, x: g * out,),
            numpy=(np.exp,), doc="out = e ** x"))
register(Op("log", np.log, (lambda g, out, x: g / x,),
            domain=(POSITIVE,), numpy=(np.log,), doc="out = ln x"))
register(Op("sqrt", np.sqrt, (lambda g, out, x: g / (2 * out),),
            domain=(POSITIVE,), numpy=(np.sqrt,), doc="out = x ** 0.5"))
register(Op("abs", np.abs, (lambda g, out, x: g * np.sign(x),),
            kink=Kink("abs'(0) = 0 (sign(0) = 0, the midpoint of the one-sided slopes)",
                      place=lambda x: (np.zeros_like(x),), slope=(0.0,)),
            domain=(Domain(-2.0, 2.0, avoid=(0.0,)),), numpy=(np.absolute,), doc="out = |x|"))
register(Op("tanh", np.tanh, (lambda g, out, x: g * (1 - out * out),),
            numpy=(np.tanh,), doc="out = tanh x"))

# ---------------------------------------------------------------------------------------------
# Matrix product — the notebook's four cases plus stacks of matrices with broadcast batch axes.
#   2-D @ 2-D:  dA = G Bᵀ,  dB = Aᵀ G          1-D @ 1-D:  da = g b,  db = g a
#   N-D @ 1-D:  dA = G bᵀ (outer), db = Aᵀ G   1-D @ N-D:  da = B G, dB = a Gᵀ (outer)
# ---------------------------------------------------------------------------------------------
register(Op("matmul", np.matmul, (
    lambda g, out, x, y: _matmul_dx(g, x, y),
    lambda g, out, x, y: _matmul_dy(g, x, y)),
    signature="matmul", numpy=(np.matmul,), doc="out = x @ y"))

# ---------------------------------------------------------------------------------------------
# Reductions: the cotangent is broadcast back along the reduced axes
# ---------------------------------------------------------------------------------------------
register(Op("sum", lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False: _unreduce(g, x, axis, keepdims),),
    signature="reduce", numpy=(np.sum,), doc="out = Σ x along axis"))
register(Op("mean", lambda x, axis=None, keepdims=False: np.mean(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False:
        _unreduce(g, x, axis, keepdims) / (np.size(x) // max(np.size(out), 1)),),
    signature="reduce", numpy=(np.mean,), doc="out = Σ x / n along axis"))

# ---------------------------------------------------------------------------------------------
# Shape ops: the cotangent is moved back where each entry came from
# ---------------------------------------------------------------------------------------------
register(Op("reshape", lambda x, shape: np.reshape(x, shape), (
    lambda g, out, x, shape: np.reshape(g, np.shape(x)),),
    signature="reshape", numpy=(np.reshape,), doc="out = x with a new shape"))
register(Op("transpose", lambda x, axes=None: np.transpose(x, axes), (
    # Negative axes are normalised first: argsort((-1, 0)) is not the inverse of (1, 0).
    lambda g, out, x, axes=None:
        np.transpose(g, None if axes is None else np.argsort(np.mod(axes, np.ndim(x)))),),
    signature="transpose", numpy=(np.transpose,), doc="out = x with axes permuted"))
register(Op("swapaxes", lambda x, axis1, axis2: np.swapaxes(x, axis1, axis2), (
    lambda g, out, x, axis1, axis2: np.swapaxes(g, axis1, axis2),),
    signature="swapaxes", numpy=(np.swapaxes,), doc="out = x with two axes exchanged"))
register(Op("expand_dims", lambda x, axis: np.expand_dims(x, axis), (
    lambda g, out, x, axis: np.reshape(g, np.shape(x)),),
    signature="expand_dims", numpy=(np.expand_dims,), doc="out = x with new size-1 axes"))
register(Op("squeeze", lambda x, axis=None: np.squeeze(x, axis), (
    lambda g, out, x, axis=None: np.reshape(g, np.shape(x)),),
    signature="squeeze", numpy=(np.squeeze,), doc="out = x without size-1 axes"))
# The rule returns g as it is: unbroadcast's sum is exactly broadcast_to's VJP.
register(Op("broadcast_to", lambda x, shape: np.broadcast_to(x, shape), (
    lambda g, out, x, shape: g,),
    signature="broadcast_to", numpy=(np.broadcast_to,), doc="out = x broadcast to shape"))
# Repeated integer indices each receive their share: scatter_add accumulates.
register(Op("getitem", lambda x, index: x[index], (
    lambda g, out, x, index: scatter_add(g, index, np.shape(x)),),
    signature="index", doc="out = x[index]"))
register(Op("scatter_add", lambda g, index, shape: _scatter(g, index, shape), (
    lambda g2, out, g, index, shape: g2[index],),
    signature="scatter", doc="out = zeros(shape); out[index] += g (getitem's VJP)"))
# The condition is not differentiated; each branch receives g where it was chosen.
register(Op("where", np.where, (
    None,
    lambda g, out, c, x, y: np.where(c, g, 0.0),
    lambda g, out, c, x, y: np.where(c, 0.0, g)),
    domain=(BOOL, REALS, REALS), signature="where", numpy=(np.where,), doc="out = x where c else y"))


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _share(x, y):
    """d max(x, y)/dx: 1 where x wins, 0 where it loses, 1/2 at a tie (balanced)."""
    return np.where(x > y, 1.0, np.where(x == y, 0.5, 0.0))


def _matmul_dx(g, x, y):
    if np.ndim(x) == 1 and np.ndim(y) == 1:
        return g * y
    if np.ndim(y) == 1:
        return np.expand_dims(g, -1) * y
    if np.ndim(x) == 1:
        return np.matmul(y, np.expand_dims(g, -1))[..., 0]
    return np.matmul(g, np.swapaxes(y, -1, -2))


def _matmul_dy(g, x, y):
    if np.ndim(x) == 1 and np.ndim(y) == 1:
        return g * x
    if np.ndim(x) == 1:
        return np.expand_dims(x, -1) * np.expand_dims(g, -2)
    if np.ndim(y) == 1:
        return np.matmul(np.swapaxes(x, -1, -2), np.expand_dims(g, -1))[..., 0]
    return np.matmul(np.swapaxes(x, -1, -2), g)


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axes)) if ndim else ()


def _unreduce(g, x, axis, keepdims):
    """Broadcast a reduction's cotangent back to the input's shape."""
    if not keepdims and np.ndim(x):
        g = np.expand_dims(g, _axes(axis, np.ndim(x)))
    return np.broadcast_to(g, np.shape(x))


def _scatter(g, index, shape):
    full = np.zeros(shape, dtype=np.result_type(g))
    np.add.at(full, index, g)
    return full


def scatter_add(g, index, shape):
    """``zeros(shape)`` with ``g`` added at ``index`` (repeats accumulate); differentiable."""
    from numeric.tensor import Tensor, apply

    if isinstance(g, Tensor):
        return apply("scatter_add", g, index=index, shape=shape)
    return _scatter(g, index, shape)
