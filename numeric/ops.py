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

from numeric.cases import Case
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
# d/dx x**y = y x**(y-1), with exponent 1 where x == y == 0 so that 0**-1 never appears
# (guarding y == 0 alone would cut the rule's own dependence on y: grad-of-grad d/dy at y = 0
# must see y x**(y-1), whose y-derivative there is 1/x);
# d/dy x**y = log(x) x**y, taken as 0 at x == 0 (its limit from x > 0 for y > 0).
# The guards' 1 is made in the forward's dtype (_where1), so float32 stays float32.
register(Op("power", np.power, (
    lambda g, out, x, y: g * y * x ** _where1((y == 0) & (x == 0), y - 1, x, y),
    lambda g, out, x, y: g * out * np.log(_where1(x == 0, x, x, y))),
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
        _unreduce(g, x, axis, keepdims) / _count(x, out),),
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
    domain=(BOOL, REALS, REALS), signature="where", numpy=(np.where,),
    doc="out = x where c else y"))


# ---------------------------------------------------------------------------------------------
# Conventions shared by the model-building ops below (issue 6)
# ---------------------------------------------------------------------------------------------
INVERTIBLE = Domain(-1.0, 1.0, kind="invertible")  # diagonally dominant, random row signs
SPD = Domain(-1.0, 1.0, kind="spd")  # u uᵀ + n I
_TIED = Kink("ties split evenly: each of k entries equal to the max (min) receives g/k; "
             "place() rounds x to integers, which makes ties",
             place=lambda x: (np.round(x).astype(np.result_type(x)),), slope=())


def _case(*shapes, label="", **params):
    return Case(tuple(tuple(s) for s in shapes), params, label)


# The reduce signature's cases with at most 4 entries per max/min: derive compares a max of
# n symbols by cases, and its cost grows steeply with n.
_FEW_TIES = (
    _case((), label="0-d, all axes"), _case((2, 2), label="all axes"),
    _case((2, 3), axis=0, label="axis 0"), _case((2, 3, 2), axis=-1, label="negative axis"),
    _case((2, 2, 2), axis=(0, 2), label="tuple of axes"),
    _case((2, 3), axis=1, keepdims=True, label="keepdims"),
    _case((2, 2, 2), axis=(0, -1), keepdims=True, label="tuple of axes, keepdims"),
    _case((2, 2), keepdims=True, label="all axes, keepdims"),
)


# ---------------------------------------------------------------------------------------------
# Model-building unary ops (issue 6). Smooth ones first, then those with a kink.
# ---------------------------------------------------------------------------------------------
# name           forward                            d/dx
register(Op("sin", np.sin, (lambda g, out, x: g * np.cos(x),),
            numpy=(np.sin,), doc="out = sin x"))
register(Op("cos", np.cos, (lambda g, out, x: -g * np.sin(x),),
            numpy=(np.cos,), doc="out = cos x"))
register(Op("tan", np.tan, (lambda g, out, x: g * (1 + out * out),),
            domain=(Domain(-1.2, 1.2),), numpy=(np.tan,), doc="out = tan x"))
register(Op("sinh", np.sinh, (lambda g, out, x: g * np.cosh(x),),
            numpy=(np.sinh,), doc="out = sinh x"))
register(Op("cosh", np.cosh, (lambda g, out, x: g * np.sinh(x),),
            numpy=(np.cosh,), doc="out = cosh x"))
# sigmoid x = (1 + tanh(x/2)) / 2 exactly: no exp to overflow at large |x|.
register(Op("sigmoid", lambda x: _sigmoid(x), (lambda g, out, x: g * out * (1 - out),),
            doc="out = 1 / (1 + e^-x)"))
# softplus x = log(1 + e^x) = logaddexp(0, x); its slope sigmoid x = e^(x - out) never overflows.
register(Op("softplus", lambda x: np.logaddexp(0, x), (lambda g, out, x: g * np.exp(x - out),),
            sym=lambda x: _sym_each(x, lambda a: sp().log(1 + sp().exp(a))),
            doc="out = log(1 + e^x)"))
register(Op("log1p", np.log1p, (lambda g, out, x: g / (1 + x),),
            domain=(Domain(-0.5, 2.0),), numpy=(np.log1p,),
            sym=lambda x: _sym_each(x, lambda a: sp().log(1 + a)), doc="out = log(1 + x)"))
register(Op("expm1", np.expm1, (lambda g, out, x: g * (out + 1),),
            numpy=(np.expm1,), sym=lambda x: _sym_each(x, lambda a: sp().exp(a) - 1),
            doc="out = e^x - 1"))
register(Op("square", np.square, (lambda g, out, x: g * 2 * x,),
            numpy=(np.square,), doc="out = x * x"))
register(Op("sign", np.sign, (lambda g, out, x: 0 * g,),
            kink=Kink("sign'(0) = 0, like everywhere else (the jump has no finite slope)",
                      place=lambda x: (np.zeros_like(x),), slope=(0.0,)),
            domain=(NONZERO,), numpy=(np.sign,), sym=lambda x: _sym_each(x, lambda a: sp().sign(a)),
            doc="out = -1, 0 or 1"))
# relu' = sign(out): 1 where x > 0, and 0 for x <= 0 (out is 0 there). np.heaviside(x, 0) says the
# same but costs 6x as much (2.4 ms against 0.4 ms on a 512x256 batch).
register(Op("relu", lambda x: np.maximum(x, 0), (lambda g, out, x: g * np.sign(out),),
            kink=Kink("relu'(0) = 0: the kink counts as the flat side",
                      place=lambda x: (np.zeros_like(x),), slope=(0.0,)),
            domain=(NONZERO,), sym=lambda x: _sym_each(x, lambda a: sp().Max(a, 0)),
            doc="out = max(x, 0)"))
# clip = min(max(x, a_min), a_max), so at a bound the slope is 1/2, as for maximum's ties.
# The bounds are parameters, not inputs: a Tensor bound is refused (_clip) rather than dropped.
register(Op("clip", lambda x, a_min=-1.0, a_max=1.0: _clip(x, a_min, a_max), (
    lambda g, out, x, a_min=-1.0, a_max=1.0:
        g * np.heaviside(x - a_min, 0.5) * np.heaviside(a_max - x, 0.5),),
    kink=Kink("clip'(x) = 1/2 at x == a_min or a_max (ties split, as in maximum); "
              "place() puts x on the default bounds -1, 1",
              place=lambda x: (np.where(x < 0, -1.0, 1.0).astype(np.result_type(x)),),
              slope=(0.5,)),
    domain=(Domain(-2.0, 2.0, avoid=(-1.0, 1.0), margin=0.1),), signature="clip", numpy=(np.clip,),
    sym=lambda x, a_min=-1.0, a_max=1.0:
        _sym_each(x, lambda a: sp().Min(sp().Max(a, a_min), a_max)),
    cases=(_case((3,), label="default bounds"), _case((2, 3), label="matrix")),
    doc="out = x limited to [a_min, a_max]"))

# ---------------------------------------------------------------------------------------------
# More reductions. n = entries reduced into each output; g is broadcast back as for sum.
#   max/min: g goes to the entries equal to the result, split evenly among ties
#   prod:    d/dx_j = Π_{k≠j} x_k, formed without dividing, so zeros are exact
#   var:     2 (x - mean) / (n - ddof)        std: (x - mean) / ((n - ddof) std)
#   logsumexp: softmax of x; softmax / log_softmax along one axis
# ---------------------------------------------------------------------------------------------
register(Op("max", lambda x, axis=None, keepdims=False: np.max(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False: _ties(g, out, x, axis, keepdims),),
    kink=_TIED, signature="reduce", numpy=(np.max, np.amax), cases=_FEW_TIES,
    sym=lambda x, axis=None, keepdims=False: _sym_reduce(x, axis, keepdims, lambda v: sp().Max(*v)),
    doc="out = max of x along axis (ties split evenly)"))
register(Op("min", lambda x, axis=None, keepdims=False: np.min(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False: _ties(g, out, x, axis, keepdims),),
    kink=_TIED, signature="reduce", numpy=(np.min, np.amin), cases=_FEW_TIES,
    sym=lambda x, axis=None, keepdims=False: _sym_reduce(x, axis, keepdims, lambda v: sp().Min(*v)),
    doc="out = min of x along axis (ties split evenly)"))
register(Op("prod", lambda x, axis=None, keepdims=False: np.prod(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False:
        _unreduce(g, x, axis, keepdims) * _prod_others(x, axis),),
    kink=Kink("no kink; zeros are exact: d/dx_j = product of the other entries",
              place=lambda x: (np.where(np.arange(np.size(x)).reshape(np.shape(x)) % 2 == 0,
                                        0.0, x).astype(np.result_type(x)),),
              slope=()),
    signature="reduce", numpy=(np.prod,), doc="out = Π x along axis"))
register(Op("var", lambda x, axis=None, keepdims=False, ddof=0:
            np.var(x, axis=axis, keepdims=keepdims, ddof=ddof), (
    lambda g, out, x, axis=None, keepdims=False, ddof=0:
        _unreduce(g, x, axis, keepdims) * 2 * _centered(x, axis) / (_count(x, out) - ddof),),
    signature="moment", numpy=(np.var,),
    sym=lambda x, axis=None, keepdims=False, ddof=0: _sym_moment(x, axis, keepdims, ddof, False),
    doc="out = Σ (x - mean)² / (n - ddof) along axis"))
register(Op("std", lambda x, axis=None, keepdims=False, ddof=0:
            np.std(x, axis=axis, keepdims=keepdims, ddof=ddof), (
    lambda g, out, x, axis=None, keepdims=False, ddof=0:
        _unreduce(g, x, axis, keepdims) * _centered(x, axis)
        / ((_count(x, out) - ddof) * _unreduce(np.where(out == 0, 1.0, out), x, axis, keepdims)),),
    kink=Kink("std'(x) = 0 where all entries are equal (out = 0), as norm'(0) = 0",
              place=lambda x: (np.ones_like(x),), slope=(0.0,)),
    signature="moment", numpy=(np.std,),
    sym=lambda x, axis=None, keepdims=False, ddof=0: _sym_moment(x, axis, keepdims, ddof, True),
    doc="out = var(x) ** 0.5 along axis"))
register(Op("logsumexp", lambda x, axis=None, keepdims=False: _logsumexp(x, axis, keepdims), (
    lambda g, out, x, axis=None, keepdims=False:
        _unreduce(g, x, axis, keepdims) * np.exp(x - _unreduce(out, x, axis, keepdims)),),
    signature="reduce",
    sym=lambda x, axis=None, keepdims=False: _sym_reduce(
        x, axis, keepdims, lambda v: sp().log(sum(sp().exp(a) for a in v))),
    doc="out = log Σ e^x along axis, shifted by the max so large inputs do not overflow"))
register(Op("softmax", lambda x, axis=-1: _softmax(x, axis), (
    lambda g, out, x, axis=-1: out * (g - np.sum(g * out, axis=axis, keepdims=True)),),
    signature="softmax", sym=lambda x, axis=-1: _sym_softmax(x, axis, log=False),
    doc="out = e^x / Σ e^x along axis (shifted by the max: stable)"))
register(Op("log_softmax", lambda x, axis=-1: x - _logsumexp(x, axis, True), (
    lambda g, out, x, axis=-1: g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),),
    signature="softmax", sym=lambda x, axis=-1: _sym_softmax(x, axis, log=True),
    doc="out = x - logsumexp(x) along axis (stable)"))

# ---------------------------------------------------------------------------------------------
# More shape ops. concatenate and stack take any number of inputs (``Op.each``, bound per
# arity by ``Op.arity``); each input gets back the block of g it filled.
# ---------------------------------------------------------------------------------------------
register(Op("concatenate", lambda *xs, axis=0: np.concatenate(xs, axis=axis), (
    lambda g, out, *xs, axis=0: _concat_part(0, g, xs, axis),
    lambda g, out, *xs, axis=0: _concat_part(1, g, xs, axis)),
    signature="concatenate", numpy=(np.concatenate,),
    each=lambda i, g, out, *xs, axis=0: _concat_part(i, g, xs, axis),
    cases=(_case((2, 3), (1, 3), axis=0, label="rows"),
           _case((2, 3), (2, 2), axis=1, label="columns"),
           _case((2, 1, 2), (2, 3, 2), axis=-2, label="negative axis, 3-d"),
           _case((2, 2), (3,), axis=None, label="axis=None flattens")),
    doc="out = the inputs joined along an existing axis"))
register(Op("stack", lambda *xs, axis=0: np.stack(xs, axis=axis), (
    lambda g, out, *xs, axis=0: _take(g, 0, axis % np.ndim(out)),
    lambda g, out, *xs, axis=0: _take(g, 1, axis % np.ndim(out))),
    signature="stack", numpy=(np.stack,),
    each=lambda i, g, out, *xs, axis=0: _take(g, i, axis % np.ndim(out)),
    cases=(_case((3,), (3,), axis=0, label="vectors"),
           _case((2, 3), (2, 3), axis=-1, label="last axis"),
           _case((2, 3), (2, 3), axis=1, label="middle axis"),
           _case((), (), axis=0, label="0-d")),
    doc="out = the inputs joined along a new axis"))
register(Op("flip", lambda x, axis=None: np.flip(x, axis), (
    lambda g, out, x, axis=None: np.flip(g, axis),),
    signature="flip", numpy=(np.flip,),
    cases=(_case((3,), label="all axes"), _case((2, 3), axis=0, label="axis 0"),
           _case((2, 3, 4), axis=(0, 2), label="tuple of axes"),
           _case((2, 3), axis=-1, label="negative axis")),
    doc="out = x reversed along axis"))
# Only mode="constant": the padding is a constant, so g's padded border is dropped.
register(Op("pad", lambda x, pad_width, constant_values=0:
            np.pad(x, pad_width, constant_values=constant_values), (
    lambda g, out, x, pad_width, constant_values=0: g[_unpad(pad_width, np.shape(x))],),
    signature="pad", numpy=(np.pad,),
    cases=(_case((3,), pad_width=1, label="same on every side"),
           _case((2, 3), pad_width=((1, 0), (0, 2)), label="per axis and side"),
           _case((2, 2), pad_width=(2, 1), constant_values=1.5, label="before/after, constant")),
    doc="out = x surrounded by constant_values (mode='constant')"))

# ---------------------------------------------------------------------------------------------
# Linear algebra. With out = f(x):
#   dot, outer:  as matmul (dot on a 0-d input is multiply)
#   einsum:      the VJP of an input is an einsum of g with the other inputs
#   trace:       g on the diagonal                     diagonal: g scattered onto the diagonal
#   inv:         -outᵀ G outᵀ                          det: G det(x) x⁻ᵀ
#   slogdet:     G x⁻ᵀ (the log|det| output)           solve(a, b): db = a⁻ᵀ G, da = -db outᵀ
#   norm:        G x / out (0 at x = 0)                cholesky L: Φ(S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ G) L⁻¹
# np.linalg can't run on arrays of SymPy symbols, so these ops carry ``sym`` forwards on
# sympy.Matrix, and their rules call _inv/_solve, which use SymPy on object arrays.
# ---------------------------------------------------------------------------------------------
register(Op("dot", lambda x, y: _dot(x, y), (
    lambda g, out, x, y: _dot_dx(g, x, y),
    lambda g, out, x, y: _dot_dy(g, x, y)),
    signature="dot", numpy=(np.dot,),
    cases=(_case((3,), (3,), label="vector-vector"), _case((2, 3), (3,), label="matrix-vector"),
           _case((3,), (3, 2), label="vector-matrix"), _case((2, 3), (3, 2), label="matrix-matrix"),
           _case((), (2, 3), label="0-d x"), _case((2, 2, 3), (3, 2), label="3-d x, 2-d y")),
    doc="out = np.dot(x, y) (y at most 2-d)"))
register(Op("outer", np.outer, (
    lambda g, out, x, y: np.reshape(np.matmul(g, np.reshape(y, (-1,))), np.shape(x)),
    lambda g, out, x, y: np.reshape(np.matmul(np.reshape(x, (-1,)), g), np.shape(y))),
    signature="outer", numpy=(np.outer,),
    cases=(_case((3,), (2,), label="vectors"), _case((2, 2), (3,), label="x flattened"),
           _case((), (2,), label="0-d x")),
    doc="out[i, j] = x.flat[i] y.flat[j]"))
register(Op("einsum", lambda *xs, subscripts: np.einsum(_checked(subscripts, xs), *xs), (
    lambda g, out, *xs, subscripts: _einsum_part(0, g, xs, subscripts),
    lambda g, out, *xs, subscripts: _einsum_part(1, g, xs, subscripts)),
    signature="einsum", numpy=(np.einsum,),
    each=lambda i, g, out, *xs, subscripts: _einsum_part(i, g, xs, subscripts),
    cases=(_case((2, 3), (3, 4), subscripts="ij,jk->ik", label="matrix product"),
           _case((2, 2, 3), (2, 3, 2), subscripts="bij,bjk->bik", label="batched"),
           _case((3, 3), (3,), subscripts="ii,i->i", label="repeated index (diagonal)"),
           _case((2, 3), (2,), subscripts="ij,k->ijk", label="outer"),
           _case((2, 3), (2, 3), subscripts="ij,ij", label="implicit output"),
           _case((2, 3), (4,), subscripts="ij,k->i", label="summed-out indices")),
    doc="out = np.einsum(subscripts, *xs) (no ellipsis)"))
register(Op("trace", lambda x, offset=0, axis1=0, axis2=1: np.trace(x, offset, axis1, axis2), (
    lambda g, out, x, offset=0, axis1=0, axis2=1: _trace_part(g, x, offset, axis1, axis2),),
    signature="diagonal", numpy=(np.trace,), doc="out = Σ of x's diagonal"))
register(Op("diagonal", lambda x, offset=0, axis1=0, axis2=1:
            np.diagonal(x, offset, axis1, axis2), (
    lambda g, out, x, offset=0, axis1=0, axis2=1: _diagonal_part(g, x, offset, axis1, axis2),),
    signature="diagonal", numpy=(np.diagonal,), doc="out = x's diagonal (last axis)"))
register(Op("inv", np.linalg.inv, (
    lambda g, out, x: -np.matmul(np.matmul(_mT(out), g), _mT(out)),),
    domain=(INVERTIBLE,), signature="square", numpy=(np.linalg.inv,),
    sym=lambda x: _sym_matrix(x, lambda m: m.inv()), doc="out = x⁻¹"))
register(Op("det", np.linalg.det, (
    lambda g, out, x: np.expand_dims(g * out, (-2, -1)) * _mT(_inv(x)),),
    domain=(INVERTIBLE,), signature="square", numpy=(np.linalg.det,),
    sym=lambda x: _sym_matrix(x, lambda m: m.det()), doc="out = det x"))
register(Op("slogdet", lambda x: np.linalg.slogdet(x)[1], (
    lambda g, out, x: np.expand_dims(g, (-2, -1)) * _mT(_inv(x)),),
    domain=(INVERTIBLE,), signature="square", numpy=(np.linalg.slogdet,),
    sym=lambda x: _sym_matrix(x, lambda m: sp().log(sp().Abs(m.det()))),
    doc="out = log |det x| (np.linalg.slogdet's second output; its sign is a constant)"))
register(Op("solve", np.linalg.solve, (
    lambda g, out, a, b: -_outer_last(_solve_db(g, a, b), out, b),
    lambda g, out, a, b: _solve_db(g, a, b)),
    domain=(INVERTIBLE, REALS), signature="solve", numpy=(np.linalg.solve,),
    sym=lambda a, b: _sym_solve(a, b),
    cases=(_case((2, 2), (2,), label="vector b"), _case((2, 2), (2, 3), label="matrix b"),
           _case((2, 2, 2), (2,), label="stack of a, one vector b"),
           _case((2, 2, 2), (2, 2, 1), label="stacks of a and b"),
           _case((2, 1, 2, 2), (3, 1, 2, 2, 1), label="stretched size-1 batch axes")),
    doc="out = a⁻¹ b"))
register(Op("norm", lambda x, ord=None, axis=None, keepdims=False: _norm(x, ord, axis, keepdims), (
    lambda g, out, x, ord=None, axis=None, keepdims=False:
        _unreduce(g, x, axis, keepdims) * x
        / _unreduce(np.where(out == 0, 1.0, out), x, axis, keepdims),),
    kink=Kink("norm'(0) = 0 (the smallest subgradient)", place=lambda x: (np.zeros_like(x),),
              slope=(0.0,)),
    signature="norm", numpy=(np.linalg.norm,),
    sym=lambda x, ord=None, axis=None, keepdims=False: _sym_reduce(
        x, axis, keepdims, lambda v: sp().sqrt(sum(a * a for a in v))),
    cases=(_case((3,), label="vector"), _case((2, 3), label="Frobenius"),
           _case((2, 3), axis=1, label="rows"), _case((2, 3), ord="fro", label="ord='fro'"),
           _case((2, 3, 4), axis=(1, 2), keepdims=True, label="matrices in a stack")),
    doc="out = (Σ x²) ** 0.5: vector 2-norm or Frobenius norm"))
# NumPy's function exactly: LAPACK reads x's lower triangle and ignores the upper one, whose
# entries therefore get a zero gradient; the sym forward reads the same triangle.
register(Op("cholesky", np.linalg.cholesky, (
    lambda g, out, x: _cholesky_part(g, out),),
    domain=(SPD,), signature="square", numpy=(np.linalg.cholesky,),
    cases=(_case((2, 2), label="2x2"), _case((2, 2, 2), label="stack of matrices")),
    sym=lambda x: _sym_matrix(x, lambda m: sp().Matrix(
        *m.shape, lambda i, j: m[max(i, j), min(i, j)]).cholesky(hermitian=False)),
    doc="out = L, lower triangular with L Lᵀ = x, read from x's lower triangle (as NumPy)"))


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _clip(x, a_min, a_max):
    from numeric.tensor import Tensor

    if isinstance(a_min, Tensor) or isinstance(a_max, Tensor):
        raise TypeError("clip: the bounds must be constants (numbers or arrays), got a Tensor: "
                        "pass its .value, or write np.minimum(np.maximum(x, lo), hi) for bounds "
                        "that are differentiated")
    return np.clip(x, a_min, a_max)


def _share(x, y):
    """d max(x, y)/dx = (1 + sign(x - y)) / 2: 1 where x wins, 0 where it loses, 1/2 at a tie.

    This is SymPy's Heaviside(x - y) with Heaviside(0) = 1/2 — the derivation's own convention,
    and what central differences see at a tie. (np.heaviside says the same but is 3x slower.)
    """
    return (np.sign(x - y) + 1) * 0.5


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
    if axis is not None and not keepdims and np.ndim(x):
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


# ---------------------------------------------------------------------------------------------
# Helpers of the model-building ops (issue 6)
# ---------------------------------------------------------------------------------------------
def sp():
    """SymPy, imported on first use: only the ``sym`` forwards and symbolic rules need it."""
    import sympy

    return sympy


def _is_symbolic(x):
    return isinstance(x, np.ndarray) and x.dtype == object


def _like(result, x):
    """An object array of results, of the same ndarray subclass as ``x`` (derive's arrays)."""
    result = np.asarray(result, dtype=object)
    return result.view(type(x)) if isinstance(x, np.ndarray) and type(x) is not np.ndarray \
        else result


def _dtype(*xs):
    """The dtype a rule computes in: the inputs' own (float32 stays float32), float64 for
    integers and bools (their gradients are real numbers), object for arrays of symbols."""
    dtype = np.result_type(*xs)
    return dtype if dtype.kind == "O" or np.issubdtype(dtype, np.inexact) else np.dtype(float)


def _mask(m, like):
    """A constant 0/1 (or 1/2) array in the dtype of ``like``: exact integers for symbols."""
    dtype = _dtype(like)
    if dtype.kind != "O":
        return np.asarray(m, dtype=dtype)
    m = np.asarray(m)
    m = m.astype(int) if m.dtype == bool else m
    if np.all(np.asarray(m) == np.round(m)):
        return np.asarray(m).astype(int).astype(object)
    return np.vectorize(lambda v: sp().Rational(v), otypes=[object])(m)


def _where1(c, v, *xs):
    """``v`` with 1 where ``c``, the 1 made in the dtype of ``xs``: np.where(c, 1.0, v) is a
    float64 array (0-d for scalars), which NumPy does not take as a weak scalar — it would
    turn a float32 result float64."""
    return np.where(c, np.asarray(1, dtype=_dtype(*xs)), v)


def _sigmoid(x):
    return (1 + np.tanh(x / 2)) / 2


def _sym_each(x, f):
    return _like(np.vectorize(f, otypes=[object])(np.asarray(x, dtype=object)), x)


def _rows(x, axis):
    """x with the reduced axes moved last and merged: (kept..., n), and the kept shape."""
    axes = _axes(axis, np.ndim(x))
    kept = tuple(a for a in range(np.ndim(x)) if a not in axes)
    shape = tuple(np.shape(x)[a] for a in kept)
    n = int(np.prod([np.shape(x)[a] for a in axes], dtype=int))
    return np.reshape(np.transpose(x, kept + axes), shape + (n,)), kept, axes


def _sym_reduce(x, axis, keepdims, f):
    """Reduce an object array with ``f(list of entries) -> entry`` along ``axis``."""
    x = np.asarray(x, dtype=object)
    rows, kept, axes = _rows(x, axis)
    flat = np.reshape(rows, (-1, rows.shape[-1]))
    out = np.empty(len(flat), dtype=object)
    for k, row in enumerate(flat):
        out[k] = f(list(row))
    out = np.reshape(out, rows.shape[:-1])
    if keepdims:
        out = np.expand_dims(out, axes) if axes else out
    return _like(out, x)


def _sym_moment(x, axis, keepdims, ddof, root):
    def moment(v):
        mean = sum(v) / len(v)
        var = sum((a - mean) ** 2 for a in v) / (len(v) - ddof)
        return sp().sqrt(var) if root else var
    return _sym_reduce(x, axis, keepdims, moment)


def _sym_softmax(x, axis, log):
    e = _sym_each(x, lambda a: sp().exp(a))
    total = np.sum(np.asarray(e), axis=axis, keepdims=True)
    if log:
        return _like(np.asarray(x, dtype=object) - _sym_each(total, lambda a: sp().log(a)), x)
    return _like(np.asarray(e) / total, x)


def _sym_matrix(x, f):
    """Apply ``f`` (sympy.Matrix -> Matrix or expression) to each matrix of a stack."""
    if isinstance(x, sp().MatrixBase):
        x = np.array(x.tolist(), dtype=object)
    arr = np.asarray(x, dtype=object)
    results = []
    for m in np.reshape(arr, (-1,) + arr.shape[-2:]):
        r = f(sp().Matrix(m))
        results.append(np.array(r.tolist(), dtype=object) if isinstance(r, sp().MatrixBase)
                       else r)
    out = np.empty(len(results), dtype=object) if np.ndim(results[0]) == 0 \
        else np.empty((len(results),) + np.shape(results[0]), dtype=object)
    for k, r in enumerate(results):
        out[k] = r
    return _like(np.reshape(out, arr.shape[:-2] + np.shape(results[0])), x)


def _sym_solve(a, b):
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    vector = b.ndim == 1
    bm = b[:, None] if vector else b
    batch = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    bm = np.broadcast_to(bm, batch + bm.shape[-2:])
    out = np.empty(batch + bm.shape[-2:], dtype=object)
    for k in np.ndindex(*batch):
        out[k] = np.array(sp().Matrix(a[k]).LUsolve(sp().Matrix(bm[k])).tolist(), dtype=object)
    return _like(out[..., 0] if vector else out, b)


def _inv(x):
    return _sym_matrix(x, lambda m: m.inv()) if _is_symbolic(x) else np.linalg.inv(x)


def _solve(a, b):
    return _sym_solve(a, b) if _is_symbolic(a) or _is_symbolic(b) else np.linalg.solve(a, b)


def _mT(x):
    return np.swapaxes(x, -1, -2)


def _solve_db(g, a, b):
    """a⁻ᵀ g at every entry of the broadcast batch (a vector b makes g a stack of vectors).

    Both of solve's raw rules keep the full batch; unbroadcast sums it into a's and b's shapes.
    """
    if np.ndim(b) == 1:
        return _solve(_mT(a), np.expand_dims(g, -1))[..., 0]
    return _solve(_mT(a), g)


def _outer_last(db, out, b):
    """db outᵀ over the last two axes (outer product of vectors when b is 1-d)."""
    if np.ndim(b) == 1:
        return np.expand_dims(db, -1) * np.expand_dims(out, -2)
    return np.matmul(db, _mT(out))


def _cholesky_part(g, out):
    """Ā = Φ(S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ Ḡ) L⁻¹, Φ keeping the lower triangle with its diagonal halved.

    sym(S) is the gradient with respect to the symmetric matrix A = L Lᵀ. An entry x_ij
    below the diagonal stands for both A_ij and A_ji, so it receives S_ij + S_ji; a diagonal
    entry receives S_ii; an entry above the diagonal is never read and receives 0.
    """
    n = np.shape(out)[-1]
    phi = _mask(np.tril(np.ones((n, n))) - np.eye(n) / 2, out)
    linv = _inv(out)
    s = np.matmul(np.matmul(_mT(linv), np.matmul(_mT(out), g) * phi), linv)
    return (s + _mT(s)) * phi


def _ties(g, out, x, axis, keepdims):
    hit = np.where(x == _unreduce(out, x, axis, keepdims), _mask(1, x), _mask(0, x))
    count = np.broadcast_to(np.sum(hit, axis=axis, keepdims=True), np.shape(x))
    return _unreduce(g, x, axis, keepdims) * hit / count


def _prod_others(x, axis):
    """Π_{k≠j} x_k for every entry j along the reduced axes: the product of the entries before
    j times the product of those after it — no division, so zeros are exact, in O(n) memory."""
    rows, kept, axes = _rows(x, axis)
    if np.shape(rows)[-1] > 1:
        one = _mask(np.ones(np.shape(rows)[:-1] + (1,)), x)
        before = _cumprod(np.concatenate([one, rows[..., :-1]], axis=-1))
        after = np.flip(_cumprod(np.flip(np.concatenate([rows[..., 1:], one], axis=-1), -1)), -1)
        others = before * after
    else:  # one entry (or none): the empty product
        others = _mask(np.ones(np.shape(rows)), x)
    shape = tuple(np.shape(x)[a] for a in kept + axes)
    return np.transpose(np.reshape(others, shape), tuple(np.argsort(kept + axes).tolist()))


def _cumprod(v):
    """Running products along the last axis, by doubling: log2(n) products of v with a copy of
    itself shifted right by 1, 2, 4, ... entries (ones shifted in). Unlike np.cumprod these are
    the table's own ops, so the same code runs on arrays, on arrays of symbols and on Tensors
    (grad of grad); cumprod's own VJP, exact at zeros, would need this very scan."""
    n = np.shape(v)[-1]
    step = 1
    while step < n:
        ones = _mask(np.ones(np.shape(v)[:-1] + (step,)), v)
        v = v * np.concatenate([ones, v[..., :-step]], axis=-1)
        step *= 2
    return v


def _count(x, out):
    return np.size(x) // max(np.size(out), 1)


def _centered(x, axis):
    return x - np.mean(x, axis=axis, keepdims=True)


def _logsumexp(x, axis, keepdims):
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    s = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return s if keepdims else np.squeeze(s, axis=_axes(axis, np.ndim(x)))


def _softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


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


def _dot_dx(g, x, y):
    if np.ndim(x) == 0:
        return np.sum(g * y)
    if np.ndim(y) == 0:
        return g * y
    if np.ndim(y) == 1:
        return np.expand_dims(g, -1) * y
    return np.matmul(g, _mT(y))


def _dot_dy(g, x, y):
    """xᵀ g with every leading axis of x contracted (dot has no batch axes)."""
    if np.ndim(y) == 0:
        return np.sum(g * x)
    if np.ndim(x) == 0:
        return g * x
    k = np.shape(x)[-1]
    gm = np.reshape(g, (-1,)) if np.ndim(y) == 1 else np.reshape(g, (-1, np.shape(y)[-1]))
    return np.matmul(_mT(np.reshape(x, (-1, k))), gm)


def _dot(x, y):
    if np.ndim(y) > 2:
        raise ValueError(f"dot: y of shape {np.shape(y)} has more than 2 axes; "
                         "use matmul or einsum for stacks")
    return np.dot(x, y)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse(subscripts, n):
    """einsum subscripts -> (input terms, output term); implicit output as NumPy forms it."""
    s = subscripts.replace(" ", "")
    if "." in s:
        raise ValueError(f"einsum {subscripts!r}: ellipsis is not supported; name every axis")
    ins, arrow, out = s.partition("->")
    terms = ins.split(",")
    if len(terms) != n:
        raise ValueError(f"einsum {subscripts!r} names {len(terms)} inputs, got {n}")
    if not arrow:
        letters = "".join(terms)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return terms, out


def _checked(subscripts, xs):
    terms, _ = _parse(subscripts, len(xs))
    for k, (t, x) in enumerate(zip(terms, xs)):
        if len(t) != np.ndim(x):
            raise ValueError(f"einsum {subscripts!r}: input {k} has shape {np.shape(x)}, "
                             f"but its term {t!r} names {len(t)} axes")
    return subscripts


def _einsum_part(i, g, xs, subscripts):
    """d out / d xs[i], contracted with g: one einsum of g with the other inputs.

    A letter repeated in xs[i]'s term (a diagonal) gets a fresh letter tied to it by an
    identity matrix; a letter found only in xs[i]'s term (summed out) gets a vector of ones.
    """
    terms, out = _parse(subscripts, len(xs))
    term = terms[i]
    used = set("".join(terms) + out)
    fresh = iter(c for c in _LETTERS if c not in used)
    subs = [out] + [t for k, t in enumerate(terms) if k != i]
    ops = [g] + [x for k, x in enumerate(xs) if k != i]
    target = ""
    for pos, c in enumerate(term):
        n = np.shape(xs[i])[pos]
        if c in term[:pos]:
            c2 = next(fresh)
            subs.append(c + c2)
            ops.append(_mask(np.eye(n), g))
            c = c2
        elif c not in "".join(subs):
            subs.append(c)
            ops.append(_mask(np.ones(n), g))
        target += c
    return np.einsum(",".join(subs) + "->" + target, *ops)


def _trace_part(g, x, offset, axis1, axis2):
    a1, a2 = axis1 % np.ndim(x), axis2 % np.ndim(x)
    eye = np.eye(np.shape(x)[a1], np.shape(x)[a2], k=offset)
    shape = [1] * np.ndim(x)
    shape[a1], shape[a2] = np.shape(x)[a1], np.shape(x)[a2]
    eye = np.reshape(eye.T if a1 > a2 else eye, shape)
    return np.expand_dims(g, tuple(sorted((a1, a2)))) * _mask(eye, g)


def _diagonal_part(g, x, offset, axis1, axis2):
    """Scatter g (..., k) onto the diagonal: (g ⊙ P) Qᵀ, P and Q selecting rows and columns."""
    a1, a2 = axis1 % np.ndim(x), axis2 % np.ndim(x)
    n, m, k = np.shape(x)[a1], np.shape(x)[a2], np.shape(g)[-1]
    rows = np.eye(n, k, k=-max(-offset, 0))
    cols = np.eye(m, k, k=-max(offset, 0))
    full = np.matmul(np.expand_dims(g, -2) * _mask(rows, g), _mask(cols.T, g))
    order = tuple(a for a in range(np.ndim(x)) if a not in (a1, a2)) + (a1, a2)
    return np.transpose(full, tuple(np.argsort(order).tolist()))


def _norm(x, ord, axis, keepdims):
    vector = axis is None and np.ndim(x) <= 1 or isinstance(axis, int)
    if not (ord is None or ord == "fro" and not vector or ord == 2 and vector):
        raise ValueError(f"norm: ord={ord!r} is not supported for x of shape {np.shape(x)} "
                         f"and axis={axis!r}; use the 2-norm of vectors or 'fro' of matrices")
    return np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))
