"""The op table: every op's NumPy forward beside one VJP rule per input — the one declaration
of every op (forward, rules, kink convention, domain, kind and cases, NumPy call forms).

Read it like the seed notebook's derivations, side by side with code. Each rule is
``vjp(g, out, *xs, **params)`` — ``g`` the incoming cotangent, ``out`` the forward result,
``xs`` the inputs — and returns the cotangent of one input *before* broadcasting is undone
(``numeric.op.unbroadcast`` does that, in one place). Rules are plain NumPy calls on their
arguments, so the same rule runs on ndarrays (fast path), on Tensors (higher order) and on
arrays of SymPy symbols (``derive`` proves it). Each group's helpers and call binders (how
``np.var(x, axis, dtype, out, ddof)`` or ``t.reshape(2, 3)`` maps onto the op) follow it;
helpers shared by several groups come last. Nothing here imports SymPy: the three ``sym``
forwards import it when derive calls them.
"""

from __future__ import annotations

import numpy as np

from numeric.kind import Case
from numeric.kinds import (
    BROADCAST_TO,
    CONCATENATE,
    DIAGONAL,
    DOT,
    EINSUM,
    EXPAND_DIMS,
    FLIP,
    INDEX,
    MATMUL,
    MOMENT,
    NORM,
    OUTER,
    PAD,
    REDUCE,
    RESHAPE,
    SCATTER,
    SOFTMAX,
    SOLVE,
    SQUARE,
    SQUEEZE,
    STACK,
    SWAPAXES,
    TRANSPOSE,
)
from numeric.op import BOOL, POSITIVE, REALS, Domain, Kink, Op, register

__all__: list[str] = []

NONZERO = Domain(-2.0, 2.0, avoid=(0.0,), margin=0.2)
INVERTIBLE = Domain(-1.0, 1.0, kind="invertible")  # diagonally dominant, random row signs
SPD = Domain(-1.0, 1.0, kind="spd")  # u uᵀ + n I
TIE = Kink("ties split evenly: at x == y each input receives g/2",
           place=lambda x, y: (x, x), slope=(0.5, 0.5))


def _case(*shapes, label="", **params):
    return Case(tuple(tuple(s) for s in shapes), params, label)


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
    kink=TIE, numpy=(np.maximum,), methods=("maximum",), doc="out = max(x, y) elementwise"))
register(Op("minimum", np.minimum, (
    lambda g, out, x, y: g * _share(y, x),
    lambda g, out, x, y: g * _share(x, y)),
    kink=TIE, numpy=(np.minimum,), methods=("minimum",), doc="out = min(x, y) elementwise"))
# fmax / fmin: maximum / minimum that skip a NaN; on numbers the same rules and tie convention.
register(Op("fmax", np.fmax, (
    lambda g, out, x, y: g * _share(x, y),
    lambda g, out, x, y: g * _share(y, x)),
    kink=TIE, numpy=(np.fmax,), doc="out = max(x, y) elementwise, ignoring a NaN"))
register(Op("fmin", np.fmin, (
    lambda g, out, x, y: g * _share(y, x),
    lambda g, out, x, y: g * _share(x, y)),
    kink=TIE, numpy=(np.fmin,), doc="out = min(x, y) elementwise, ignoring a NaN"))
register(Op("hypot", np.hypot, (
    lambda g, out, x, y: g * x / out,
    lambda g, out, x, y: g * y / out),
    domain=(NONZERO, NONZERO), numpy=(np.hypot,), doc="out = (x² + y²) ** 0.5"))
# arctan2(y, x) = the angle of the point (x, y): d/dy = x / r², d/dx = -y / r².
register(Op("arctan2", np.arctan2, (
    lambda g, out, y, x: g * x / (x * x + y * y),
    lambda g, out, y, x: -g * y / (x * x + y * y)),
    domain=(NONZERO, NONZERO), numpy=(np.arctan2,), doc="out = the angle of (x, y), y first"))
# logaddexp: the slopes are softmax weights e^(x - out), e^(y - out): they never overflow.
register(Op("logaddexp", np.logaddexp, (
    lambda g, out, x, y: g * np.exp(x - out),
    lambda g, out, x, y: g * np.exp(y - out)),
    numpy=(np.logaddexp,), doc="out = log(e^x + e^y), without overflow"))
# The condition is not differentiated; each branch receives g where it was chosen.
register(Op("where", np.where, (
    None,
    lambda g, out, c, x, y: np.where(c, g, 0.0),
    lambda g, out, c, x, y: np.where(c, 0.0, g)),
    domain=(BOOL, REALS, REALS), numpy=(np.where,),
    bind=lambda condition, x=None, y=None: _bind_where(condition, x, y),
    cases=(_case((2, 3), (2, 3), (2, 3), label="same shape"),
           _case((2, 3), (), (3,), label="broadcast branches"),
           _case((2, 1), (1, 3), (), label="size-1 axes")),
    doc="out = x where c else y"))


def _share(x, y):
    """d max(x, y)/dx = (1 + sign(x - y)) / 2: 1 where x wins, 0 where it loses, 1/2 at a tie.

    This is SymPy's Heaviside(x - y) with Heaviside(0) = 1/2 — the derivation's own convention,
    and what central differences see at a tie. (np.heaviside says the same but is 3x slower.)
    """
    return (np.sign(x - y) + 1) * 0.5


def _where1(c, v, *xs):
    """``v`` with 1 where ``c``, the 1 made in the dtype of ``xs``: np.where(c, 1.0, v) is a
    float64 array (0-d for scalars), which NumPy does not take as a weak scalar — it would
    turn a float32 result float64."""
    return np.where(c, np.asarray(1, dtype=_dtype(*xs)), v)


def _bind_where(condition, x, y):
    if x is None or y is None:
        raise TypeError("needs both branches, np.where(c, x, y); np.where(c) alone gives "
                        "indices: call it on t.value")
    # the condition is a constant: a Tensor condition contributes its values
    return (getattr(condition, "value", condition), x, y), {}


# ---------------------------------------------------------------------------------------------
# Unary elementwise ops. Smooth ones first, then those with a kink.
# ---------------------------------------------------------------------------------------------
# name           forward                            d/dx
register(Op("negative", np.negative, (lambda g, out, x: -g,),
            numpy=(np.negative,), doc="out = -x"))
register(Op("exp", np.exp, (lambda g, out, x: g * out,),
            numpy=(np.exp,), methods=("exp",), doc="out = e ** x"))
register(Op("log", np.log, (lambda g, out, x: g / x,),
            domain=(POSITIVE,), numpy=(np.log,), methods=("log",), doc="out = ln x"))
register(Op("sqrt", np.sqrt, (lambda g, out, x: g / (2 * out),),
            domain=(POSITIVE,), numpy=(np.sqrt,), methods=("sqrt",), doc="out = x ** 0.5"))
register(Op("tanh", np.tanh, (lambda g, out, x: g * (1 - out * out),),
            numpy=(np.tanh,), methods=("tanh",), doc="out = tanh x"))
register(Op("sin", np.sin, (lambda g, out, x: g * np.cos(x),),
            numpy=(np.sin,), methods=("sin",), doc="out = sin x"))
register(Op("cos", np.cos, (lambda g, out, x: -g * np.sin(x),),
            numpy=(np.cos,), methods=("cos",), doc="out = cos x"))
register(Op("tan", np.tan, (lambda g, out, x: g * (1 + out * out),),
            domain=(Domain(-1.2, 1.2),), numpy=(np.tan,), methods=("tan",), doc="out = tan x"))
register(Op("sinh", np.sinh, (lambda g, out, x: g * np.cosh(x),),
            numpy=(np.sinh,), methods=("sinh",), doc="out = sinh x"))
register(Op("cosh", np.cosh, (lambda g, out, x: g * np.sinh(x),),
            numpy=(np.cosh,), methods=("cosh",), doc="out = cosh x"))
# Inverse trigonometric and hyperbolic functions: each slope from the identity it inverts.
register(Op("arcsin", np.arcsin, (lambda g, out, x: g / np.sqrt(1 - x * x),),
            domain=(Domain(-0.9, 0.9),), numpy=(np.arcsin,), doc="out = sin⁻¹ x"))
register(Op("arccos", np.arccos, (lambda g, out, x: -g / np.sqrt(1 - x * x),),
            domain=(Domain(-0.9, 0.9),), numpy=(np.arccos,), doc="out = cos⁻¹ x"))
register(Op("arctan", np.arctan, (lambda g, out, x: g / (1 + x * x),),
            numpy=(np.arctan,), doc="out = tan⁻¹ x"))
register(Op("arcsinh", np.arcsinh, (lambda g, out, x: g / np.sqrt(x * x + 1),),
            numpy=(np.arcsinh,), doc="out = sinh⁻¹ x"))
register(Op("arccosh", np.arccosh, (lambda g, out, x: g / np.sqrt(x * x - 1),),
            domain=(Domain(1.2, 3.0),), numpy=(np.arccosh,), doc="out = cosh⁻¹ x"))
register(Op("arctanh", np.arctanh, (lambda g, out, x: g / (1 - x * x),),
            domain=(Domain(-0.9, 0.9),), numpy=(np.arctanh,), doc="out = tanh⁻¹ x"))
register(Op("reciprocal", np.reciprocal, (lambda g, out, x: -g * out * out,),
            domain=(NONZERO,), numpy=(np.reciprocal,), doc="out = 1 / x"))
# sigmoid x = (1 + tanh(x/2)) / 2 exactly: no exp to overflow at large |x|.
register(Op("sigmoid", lambda x: (1 + np.tanh(x / 2)) / 2, (
    lambda g, out, x: g * out * (1 - out),),
    methods=("sigmoid",), doc="out = 1 / (1 + e^-x)"))
# softplus x = log(1 + e^x) = logaddexp(0, x); its slope sigmoid x = e^(x - out) never overflows.
register(Op("softplus", lambda x: np.logaddexp(0, x), (lambda g, out, x: g * np.exp(x - out),),
            methods=("softplus",), doc="out = log(1 + e^x)"))
register(Op("log1p", np.log1p, (lambda g, out, x: g / (1 + x),),
            domain=(Domain(-0.5, 2.0),), numpy=(np.log1p,), methods=("log1p",),
            doc="out = log(1 + x)"))
register(Op("expm1", np.expm1, (lambda g, out, x: g * (out + 1),),
            numpy=(np.expm1,), methods=("expm1",), doc="out = e^x - 1"))
register(Op("square", np.square, (lambda g, out, x: g * 2 * x,),
            numpy=(np.square,), methods=("square",), doc="out = x * x"))
register(Op("abs", np.abs, (lambda g, out, x: g * np.sign(x),),
            kink=Kink("abs'(0) = 0 (sign(0) = 0, the midpoint of the one-sided slopes)",
                      place=lambda x: (np.zeros_like(x),), slope=(0.0,)),
            domain=(Domain(-2.0, 2.0, avoid=(0.0,)),), numpy=(np.absolute,), methods=("abs",),
            doc="out = |x|"))
register(Op("sign", np.sign, (lambda g, out, x: 0 * g,),
            kink=Kink("sign'(0) = 0, like everywhere else (the jump has no finite slope)",
                      place=lambda x: (np.zeros_like(x),), slope=(0.0,)),
            domain=(NONZERO,), numpy=(np.sign,), doc="out = -1, 0 or 1"))
# relu' = sign(out): 1 where x > 0, and 0 for x <= 0 (out is 0 there). np.heaviside(x, 0) says the
# same but costs 6x as much (2.4 ms against 0.4 ms on a 512x256 batch).
register(Op("relu", lambda x: np.maximum(x, 0), (lambda g, out, x: g * np.sign(out),),
            kink=Kink("relu'(0) = 0: the kink counts as the flat side",
                      place=lambda x: (np.zeros_like(x),), slope=(0.0,)),
            domain=(NONZERO,), methods=("relu",), doc="out = max(x, 0)"))
# clip = min(max(x, a_min), a_max) (NumPy's definition, written so that derive's symbols run
# it), so at a bound the slope is 1/2, as for maximum's ties. The bounds are parameters, not
# inputs: a Tensor bound is refused rather than dropped.
register(Op("clip", lambda x, a_min=-1.0, a_max=1.0: np.minimum(np.maximum(x, a_min), a_max), (
    lambda g, out, x, a_min=-1.0, a_max=1.0:
        g * np.heaviside(x - a_min, 0.5) * np.heaviside(a_max - x, 0.5),),
    kink=Kink("clip'(x) = 1/2 at x == a_min or a_max (ties split, as in maximum); "
              "place() puts x on the default bounds -1, 1",
              place=lambda x: (np.where(x < 0, -1.0, 1.0).astype(np.result_type(x)),),
              slope=(0.5,)),
    domain=(Domain(-2.0, 2.0, avoid=(-1.0, 1.0), margin=0.1),),
    bind=lambda a, a_min=None, a_max=None, out=None, *, min=None, max=None:
        _bind_clip(a, a_min, a_max, out, min, max),
    numpy=(np.clip,), methods=("clip",),
    cases=(_case((3,), label="default bounds"), _case((2, 3), label="matrix")),
    doc="out = x limited to [a_min, a_max]"))


def _bind_clip(a, a_min, a_max, out, lo, hi):
    _unsupported(out=out)
    lo = a_min if a_min is not None else lo
    hi = a_max if a_max is not None else hi
    return (a,), {"a_min": -np.inf if lo is None else lo, "a_max": np.inf if hi is None else hi}


# ---------------------------------------------------------------------------------------------
# Matrix product — the notebook's four cases plus stacks of matrices with broadcast batch axes.
#   2-D @ 2-D:  dA = G Bᵀ,  dB = Aᵀ G          1-D @ 1-D:  da = g b,  db = g a
#   N-D @ 1-D:  dA = G bᵀ (outer), db = Aᵀ G   1-D @ N-D:  da = B G, dB = a Gᵀ (outer)
# ---------------------------------------------------------------------------------------------
register(Op("matmul", np.matmul, (
    lambda g, out, x, y: _matmul_dx(g, x, y),
    lambda g, out, x, y: _matmul_dy(g, x, y)),
    kind=MATMUL, numpy=(np.matmul,), doc="out = x @ y"))


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


# ---------------------------------------------------------------------------------------------
# Reductions. n = entries reduced into each output; g is broadcast back along the reduced axes.
#   sum: g          mean: g / n
#   max/min: g goes to the entries equal to the result, split evenly among ties
#   prod:    d/dx_j = Π_{k≠j} x_k, formed without dividing, so zeros are exact
#   var:     2 (x - mean) / (n - ddof)        std: (x - mean) / ((n - ddof) std)
#   logsumexp: softmax of x; softmax / log_softmax along one axis
# ---------------------------------------------------------------------------------------------
# max/min keep at most 4 entries per reduction: derive compares a max of n symbols by cases,
# and its cost grows steeply with n.
_FEW_TIES = (
    _case((), label="0-d, all axes"), _case((2, 2), label="all axes"),
    _case((2, 3), axis=0, label="axis 0"), _case((2, 3, 2), axis=-1, label="negative axis"),
    _case((2, 2, 2), axis=(0, 2), label="tuple of axes"),
    _case((2, 3), axis=1, keepdims=True, label="keepdims"),
    _case((2, 2, 2), axis=(0, -1), keepdims=True, label="tuple of axes, keepdims"),
    _case((2, 2), keepdims=True, label="all axes, keepdims"),
)
_TIED = Kink("ties split evenly: each of k entries equal to the max (min) receives g/k; "
             "place() rounds x to integers, which makes ties",
             place=lambda x: (np.round(x).astype(np.result_type(x)),), slope=())

register(Op("sum", lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False: _unreduce(g, x, axis, keepdims),),
    kind=REDUCE, bind=lambda a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
    where=None: _bind_reduce(a, axis, keepdims, dtype=dtype, out=out, initial=initial,
                             where=where),
    numpy=(np.sum,), methods=("sum",), doc="out = Σ x along axis"))
register(Op("mean", lambda x, axis=None, keepdims=False: np.mean(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False:
        _unreduce(g, x, axis, keepdims) / _count(x, out),),
    kind=REDUCE, bind=lambda a, axis=None, dtype=None, out=None, keepdims=False, *, where=None:
        _bind_reduce(a, axis, keepdims, dtype=dtype, out=out, where=where),
    numpy=(np.mean,), methods=("mean",), doc="out = Σ x / n along axis"))
register(Op("max", lambda x, axis=None, keepdims=False: np.max(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False: _ties(g, out, x, axis, keepdims),),
    kink=_TIED, kind=REDUCE, cases=_FEW_TIES,
    bind=lambda a, axis=None, out=None, keepdims=False, initial=None, where=None:
        _bind_reduce(a, axis, keepdims, out=out, initial=initial, where=where),
    numpy=(np.max, np.amax), methods=("max",), doc="out = max of x along axis (ties split evenly)"))
register(Op("min", lambda x, axis=None, keepdims=False: np.min(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False: _ties(g, out, x, axis, keepdims),),
    kink=_TIED, kind=REDUCE, cases=_FEW_TIES,
    bind=lambda a, axis=None, out=None, keepdims=False, initial=None, where=None:
        _bind_reduce(a, axis, keepdims, out=out, initial=initial, where=where),
    numpy=(np.min, np.amin), methods=("min",), doc="out = min of x along axis (ties split evenly)"))
register(Op("prod", lambda x, axis=None, keepdims=False: np.prod(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False:
        _unreduce(g, x, axis, keepdims) * _prod_others(x, axis),),
    kink=Kink("no kink; zeros are exact: d/dx_j = product of the other entries",
              place=lambda x: (np.where(np.arange(np.size(x)).reshape(np.shape(x)) % 2 == 0,
                                        0.0, x).astype(np.result_type(x)),),
              slope=()),
    kind=REDUCE, bind=lambda a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
    where=None: _bind_reduce(a, axis, keepdims, dtype=dtype, out=out, initial=initial,
                             where=where),
    numpy=(np.prod,), methods=("prod",), doc="out = Π x along axis"))
register(Op("var", lambda x, axis=None, keepdims=False, ddof=0:
            np.var(x, axis=axis, keepdims=keepdims, ddof=ddof), (
    lambda g, out, x, axis=None, keepdims=False, ddof=0:
        _unreduce(g, x, axis, keepdims) * 2 * _centered(x, axis) / (_count(x, out) - ddof),),
    kind=MOMENT, bind=lambda a, axis=None, dtype=None, out=None, ddof=0, keepdims=False:
        _bind_moment(a, axis, dtype, out, ddof, keepdims),
    numpy=(np.var,), methods=("var",), doc="out = Σ (x - mean)² / (n - ddof) along axis"))
register(Op("std", lambda x, axis=None, keepdims=False, ddof=0:
            np.std(x, axis=axis, keepdims=keepdims, ddof=ddof), (
    lambda g, out, x, axis=None, keepdims=False, ddof=0:
        _unreduce(g, x, axis, keepdims) * _centered(x, axis)
        / ((_count(x, out) - ddof) * _unreduce(np.where(out == 0, 1.0, out), x, axis, keepdims)),),
    kink=Kink("std'(x) = 0 where all entries are equal (out = 0), as norm'(0) = 0",
              place=lambda x: (np.ones_like(x),), slope=(0.0,)),
    kind=MOMENT, bind=lambda a, axis=None, dtype=None, out=None, ddof=0, keepdims=False:
        _bind_moment(a, axis, dtype, out, ddof, keepdims),
    numpy=(np.std,), methods=("std",), doc="out = var(x) ** 0.5 along axis"))
# derive's symbols cannot run the max-shifted forward exactly (log e^-Max(..) stays unexpanded),
# so logsumexp and log_softmax declare SymPy forwards: log Σ e^x, which is what the shift computes.
register(Op("logsumexp", lambda x, axis=None, keepdims=False: _logsumexp(x, axis, keepdims), (
    lambda g, out, x, axis=None, keepdims=False:
        _unreduce(g, x, axis, keepdims) * np.exp(x - _unreduce(out, x, axis, keepdims)),),
    kind=REDUCE, bind=lambda x, axis=None, keepdims=False: ((x,), {
        "axis": _axis(axis), "keepdims": bool(keepdims)}),
    methods=("logsumexp",),
    sym=lambda x, axis=None, keepdims=False: _sym_logsumexp(x, axis, keepdims),
    doc="out = log Σ e^x along axis, shifted by the max so large inputs do not overflow"))
register(Op("softmax", lambda x, axis=-1: _softmax(x, axis), (
    lambda g, out, x, axis=-1: out * (g - np.sum(g * out, axis=axis, keepdims=True)),),
    kind=SOFTMAX, bind=lambda x, axis=-1: ((x,), {"axis": axis}), methods=("softmax",),
    doc="out = e^x / Σ e^x along axis (shifted by the max: stable)"))
register(Op("log_softmax", lambda x, axis=-1: x - _logsumexp(x, axis, True), (
    lambda g, out, x, axis=-1: g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),),
    kind=SOFTMAX, bind=lambda x, axis=-1: ((x,), {"axis": axis}), methods=("log_softmax",),
    sym=lambda x, axis=-1: x - _sym_logsumexp(x, axis, True),
    doc="out = x - logsumexp(x) along axis (stable)"))


def _bind_reduce(a, axis, keepdims, **unsupported):
    _unsupported(**unsupported)
    return (a,), {"axis": _axis(axis), "keepdims": bool(keepdims)}


def _bind_moment(a, axis, dtype, out, ddof, keepdims):
    _unsupported(dtype=dtype, out=out)
    return (a,), {"axis": _axis(axis), "keepdims": bool(keepdims), "ddof": ddof}


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


def _rows(x, axis):
    """x with the reduced axes moved last and merged: (kept..., n), and the kept shape."""
    axes = _axes(axis, np.ndim(x))
    kept = tuple(a for a in range(np.ndim(x)) if a not in axes)
    shape = tuple(np.shape(x)[a] for a in kept)
    n = int(np.prod([np.shape(x)[a] for a in axes], dtype=int))
    return np.reshape(np.transpose(x, kept + axes), shape + (n,)), kept, axes


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


def _sym_logsumexp(x, axis, keepdims):
    return _sym_reduce(x, axis, keepdims, lambda v: _sp().log(sum(_sp().exp(a) for a in v)))


def _sym_reduce(x, axis, keepdims, f):
    """Reduce an object array of SymPy expressions with ``f(list of entries) -> entry``."""
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


# ---------------------------------------------------------------------------------------------
# Shape ops: the cotangent is moved back where each entry came from. concatenate and stack take
# any number of inputs (``Op.each``, bound per arity by ``Op.arity``); each input gets back the
# block of g it filled.
# ---------------------------------------------------------------------------------------------
register(Op("reshape", lambda x, shape: np.reshape(x, shape), (
    lambda g, out, x, shape: np.reshape(g, np.shape(x)),),
    kind=RESHAPE, bind=lambda a, shape=None, order="C", *, newshape=None, copy=None:
        _bind_reshape(a, shape if shape is not None else newshape, order, copy),
    numpy=(np.reshape,), methods=(("reshape", lambda a, *shape, order="C":
                                   _bind_reshape(a, _shape_arg(shape), order, None)),),
    doc="out = x with a new shape"))
register(Op("transpose", lambda x, axes=None: np.transpose(x, axes), (
    # Negative axes are normalised first: argsort((-1, 0)) is not the inverse of (1, 0).
    lambda g, out, x, axes=None:
        np.transpose(g, None if axes is None else np.argsort(np.mod(axes, np.ndim(x)))),),
    kind=TRANSPOSE, bind=lambda a, axes=None: ((a,), {
        "axes": None if axes is None else tuple(axes)}),
    numpy=(np.transpose,), methods=(("transpose", lambda a, *axes: ((a,), {
        "axes": _shape_arg(axes) or None})),),
    doc="out = x with axes permuted"))
register(Op("swapaxes", lambda x, axis1, axis2: np.swapaxes(x, axis1, axis2), (
    lambda g, out, x, axis1, axis2: np.swapaxes(g, axis1, axis2),),
    kind=SWAPAXES, bind=lambda a, axis1, axis2: ((a,), {"axis1": axis1, "axis2": axis2}),
    numpy=(np.swapaxes,), methods=("swapaxes",), doc="out = x with two axes exchanged"))
register(Op("expand_dims", lambda x, axis: np.expand_dims(x, axis), (
    lambda g, out, x, axis: np.reshape(g, np.shape(x)),),
    kind=EXPAND_DIMS, bind=lambda a, axis: ((a,), {"axis": _axis(axis)}),
    numpy=(np.expand_dims,), doc="out = x with new size-1 axes"))
register(Op("squeeze", lambda x, axis=None: np.squeeze(x, axis), (
    lambda g, out, x, axis=None: np.reshape(g, np.shape(x)),),
    kind=SQUEEZE, bind=lambda a, axis=None: ((a,), {"axis": _axis(axis)}),
    numpy=(np.squeeze,), methods=("squeeze",), doc="out = x without size-1 axes"))
# The rule returns g as it is: unbroadcast's sum is exactly broadcast_to's VJP.
register(Op("broadcast_to", lambda x, shape: np.broadcast_to(x, shape), (
    lambda g, out, x, shape: g,),
    kind=BROADCAST_TO, bind=lambda array, shape, subok=False: ((array,), {
        "shape": tuple(np.atleast_1d(shape).tolist())}),
    numpy=(np.broadcast_to,), doc="out = x broadcast to shape"))
# Repeated integer indices each receive their share: scatter_add accumulates.
register(Op("getitem", lambda x, index: x[index], (
    lambda g, out, x, index: _scatter_add(g, index, np.shape(x)),),
    kind=INDEX, doc="out = x[index]"))
_SCATTER_ADD = register(Op("scatter_add", lambda g, index, shape: _scatter(g, index, shape), (
    lambda g2, out, g, index, shape: g2[index],),
    kind=SCATTER, bind=lambda g, index, shape: ((g,), {"index": index, "shape": tuple(shape)}),
    doc="out = zeros(shape); out[index] += g (getitem's VJP)"))
register(Op("concatenate", lambda *xs, axis=0: np.concatenate(xs, axis=axis), (
    lambda g, out, *xs, axis=0: _concat_part(0, g, xs, axis),
    lambda g, out, *xs, axis=0: _concat_part(1, g, xs, axis)),
    each=lambda i, g, out, *xs, axis=0: _concat_part(i, g, xs, axis),
    kind=CONCATENATE, bind=lambda arrays, axis=0, out=None, *, dtype=None, casting=None:
        _bind_join(arrays, axis, out=out, dtype=dtype, casting=casting),
    numpy=(np.concatenate,), doc="out = the inputs joined along an existing axis"))
register(Op("stack", lambda *xs, axis=0: np.stack(xs, axis=axis), (
    lambda g, out, *xs, axis=0: _take(g, 0, axis % np.ndim(out)),
    lambda g, out, *xs, axis=0: _take(g, 1, axis % np.ndim(out))),
    each=lambda i, g, out, *xs, axis=0: _take(g, i, axis % np.ndim(out)),
    kind=STACK, bind=lambda arrays, axis=0, out=None, *, dtype=None, casting=None:
        _bind_join(arrays, axis, out=out, dtype=dtype, casting=casting),
    numpy=(np.stack,), doc="out = the inputs joined along a new axis"))
register(Op("flip", lambda x, axis=None: np.flip(x, axis), (
    lambda g, out, x, axis=None: np.flip(g, axis),),
    kind=FLIP, bind=lambda m, axis=None: ((m,), {"axis": _axis(axis)}),
    numpy=(np.flip,), methods=("flip",), doc="out = x reversed along axis"))
# Only mode="constant": the padding is a constant, so g's padded border is dropped.
register(Op("pad", lambda x, pad_width, constant_values=0:
            np.pad(x, pad_width, constant_values=constant_values), (
    lambda g, out, x, pad_width, constant_values=0: g[_unpad(pad_width, np.shape(x))],),
    kind=PAD, bind=lambda array, pad_width, mode="constant", constant_values=0:
        _bind_pad(array, pad_width, mode, constant_values),
    numpy=(np.pad,), doc="out = x surrounded by constant_values (mode='constant')"))


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
    if isinstance(g, np.ndarray):
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


# ---------------------------------------------------------------------------------------------
# Linear algebra. With out = f(x):
#   dot, outer:  as matmul (dot on a 0-d input is multiply)
#   einsum:      the VJP of an input is an einsum of g with the other inputs
#   trace:       g on the diagonal                     diagonal: g scattered onto the diagonal
#   inv:         -outᵀ G outᵀ                          det: G det(x) x⁻ᵀ
#   slogdet:     G x⁻ᵀ (the log|det| output)           solve(a, b): db = a⁻ᵀ G, da = -db outᵀ
#   norm:        G x / out (0 at x = 0)                cholesky L: Φ(S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ G) L⁻¹
# derive runs np.linalg's inv, det and solve on symbols itself; slogdet and cholesky declare
# SymPy forwards (log|det| and NumPy's lower-triangle Cholesky have no one-call SymPy twin).
# ---------------------------------------------------------------------------------------------
register(Op("dot", lambda x, y: _dot(x, y), (
    lambda g, out, x, y: _dot_dx(g, x, y),
    lambda g, out, x, y: _dot_dy(g, x, y)),
    kind=DOT, bind=lambda a, b, out=None: _bind_out((a, b), out),
    numpy=(np.dot,), methods=("dot",), doc="out = np.dot(x, y) (y at most 2-d)"))
register(Op("outer", np.outer, (
    lambda g, out, x, y: np.reshape(np.matmul(g, np.reshape(y, (-1,))), np.shape(x)),
    lambda g, out, x, y: np.reshape(np.matmul(np.reshape(x, (-1,)), g), np.shape(y))),
    kind=OUTER, bind=lambda a, b, out=None: _bind_out((a, b), out),
    numpy=(np.outer,), doc="out[i, j] = x.flat[i] y.flat[j]"))
register(Op("einsum", lambda *xs, subscripts: np.einsum(_checked(subscripts, xs), *xs), (
    lambda g, out, *xs, subscripts: _einsum_part(0, g, xs, subscripts),
    lambda g, out, *xs, subscripts: _einsum_part(1, g, xs, subscripts)),
    each=lambda i, g, out, *xs, subscripts: _einsum_part(i, g, xs, subscripts),
    kind=EINSUM, bind=lambda subscripts, *operands, out=None, optimize=False:
        _bind_out(operands, out, subscripts=subscripts),
    numpy=(np.einsum,), doc="out = np.einsum(subscripts, *xs) (no ellipsis)"))
register(Op("trace", lambda x, offset=0, axis1=0, axis2=1: np.trace(x, offset, axis1, axis2), (
    lambda g, out, x, offset=0, axis1=0, axis2=1: _trace_part(g, x, offset, axis1, axis2),),
    kind=DIAGONAL, bind=lambda a, offset=0, axis1=0, axis2=1, dtype=None, out=None:
        _bind_diagonal(a, offset, axis1, axis2, dtype=dtype, out=out),
    numpy=(np.trace,), methods=("trace",), doc="out = Σ of x's diagonal"))
register(Op("diagonal", lambda x, offset=0, axis1=0, axis2=1:
            np.diagonal(x, offset, axis1, axis2), (
    lambda g, out, x, offset=0, axis1=0, axis2=1: _diagonal_part(g, x, offset, axis1, axis2),),
    kind=DIAGONAL, bind=lambda a, offset=0, axis1=0, axis2=1:
        _bind_diagonal(a, offset, axis1, axis2),
    numpy=(np.diagonal,), methods=("diagonal",), doc="out = x's diagonal (last axis)"))
register(Op("inv", np.linalg.inv, (
    lambda g, out, x: -np.matmul(np.matmul(_mT(out), g), _mT(out)),),
    domain=(INVERTIBLE,), kind=SQUARE, numpy=(np.linalg.inv,), doc="out = x⁻¹"))
register(Op("det", np.linalg.det, (
    lambda g, out, x: np.expand_dims(g * out, (-2, -1)) * _mT(np.linalg.inv(x)),),
    domain=(INVERTIBLE,), kind=SQUARE, numpy=(np.linalg.det,), doc="out = det x"))
register(Op("slogdet", lambda x: np.linalg.slogdet(x)[1], (
    lambda g, out, x: np.expand_dims(g, (-2, -1)) * _mT(np.linalg.inv(x)),),
    domain=(INVERTIBLE,), kind=SQUARE,
    bind=lambda a: ((a,), {}, lambda logdet: (np.linalg.slogdet(getattr(a, "value", a))[0],
                                             logdet)),
    numpy=(np.linalg.slogdet,),
    sym=lambda x: _sym_matrix(x, lambda m: _sp().log(_sp().Abs(m.det()))),
    doc="out = log |det x| (np.linalg.slogdet's second output; its sign is a constant)"))
register(Op("solve", np.linalg.solve, (
    lambda g, out, a, b: -_outer_last(_solve_db(g, a, b), out, b),
    lambda g, out, a, b: _solve_db(g, a, b)),
    domain=(INVERTIBLE, REALS), kind=SOLVE, numpy=(np.linalg.solve,),
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
    kind=NORM, bind=lambda x, ord=None, axis=None, keepdims=False: ((x,), {
        "ord": ord, "axis": _axis(axis), "keepdims": bool(keepdims)}),
    numpy=(np.linalg.norm,), doc="out = (Σ x²) ** 0.5: vector 2-norm or Frobenius norm"))
# NumPy's function exactly: LAPACK reads x's lower triangle and ignores the upper one, whose
# entries therefore get a zero gradient; the sym forward reads the same triangle.
register(Op("cholesky", np.linalg.cholesky, (
    lambda g, out, x: _cholesky_part(g, out),),
    domain=(SPD,), kind=SQUARE, bind=lambda a, *, upper=False: _bind_cholesky(a, upper),
    numpy=(np.linalg.cholesky,),
    cases=(_case((2, 2), label="2x2"), _case((2, 2, 2), label="stack of matrices")),
    sym=lambda x: _sym_matrix(x, lambda m: _sp().Matrix(
        *m.shape, lambda i, j: m[max(i, j), min(i, j)]).cholesky(hermitian=False)),
    doc="out = L, lower triangular with L Lᵀ = x, read from x's lower triangle (as NumPy)"))


def _bind_out(inputs, out, **params):
    _unsupported(out=out)
    return tuple(inputs), params


def _bind_diagonal(a, offset, axis1, axis2, **unsupported):
    _unsupported(**unsupported)
    return (a,), {"offset": offset, "axis1": axis1, "axis2": axis2}


def _bind_cholesky(a, upper):
    if upper:
        raise TypeError("supports only upper=False (the lower factor, NumPy's default)")
    return (a,), {}


def _mT(x):
    return np.swapaxes(x, -1, -2)


def _dot(x, y):
    if np.ndim(y) > 2:
        raise ValueError(f"dot: y of shape {np.shape(y)} has more than 2 axes; "
                         "use matmul or einsum for stacks")
    return np.dot(x, y)


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


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse(subscripts, n):
    """einsum subscripts -> (input terms, output term); implicit output as NumPy forms it."""
    if not isinstance(subscripts, str):
        raise ValueError(f"einsum: subscripts must be a string like 'ij,jk->ik', got "
                         f"{type(subscripts).__name__} (the sublist form is not supported)")
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


def _solve_db(g, a, b):
    """a⁻ᵀ g at every entry of the broadcast batch (a vector b makes g a stack of vectors).

    Both of solve's raw rules keep the full batch; unbroadcast sums it into a's and b's shapes.
    """
    if np.ndim(b) == 1:
        return np.linalg.solve(_mT(a), np.expand_dims(g, -1))[..., 0]
    return np.linalg.solve(_mT(a), g)


def _outer_last(db, out, b):
    """db outᵀ over the last two axes (outer product of vectors when b is 1-d)."""
    if np.ndim(b) == 1:
        return np.expand_dims(db, -1) * np.expand_dims(out, -2)
    return np.matmul(db, _mT(out))


def _norm(x, ord, axis, keepdims):
    vector = axis is None and np.ndim(x) <= 1 or isinstance(axis, int)
    if not (ord is None or ord == "fro" and not vector or ord == 2 and vector):
        raise ValueError(f"norm: ord={ord!r} is not supported for x of shape {np.shape(x)} "
                         f"and axis={axis!r}; use the 2-norm of vectors or 'fro' of matrices")
    return np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))


def _cholesky_part(g, out):
    """Ā = Φ(S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ Ḡ) L⁻¹, Φ keeping the lower triangle with its diagonal halved.

    sym(S) is the gradient with respect to the symmetric matrix A = L Lᵀ. An entry x_ij
    below the diagonal stands for both A_ij and A_ji, so it receives S_ij + S_ji; a diagonal
    entry receives S_ii; an entry above the diagonal is never read and receives 0.
    """
    n = np.shape(out)[-1]
    phi = _mask(np.tril(np.ones((n, n))) - np.eye(n) / 2, out)
    linv = np.linalg.inv(out)
    s = np.matmul(np.matmul(_mT(linv), np.matmul(_mT(out), g) * phi), linv)
    return (s + _mT(s)) * phi


def _sym_matrix(x, f):
    """Apply ``f`` (sympy.Matrix -> Matrix or expression) to each matrix of a stack."""
    sp = _sp()
    if isinstance(x, sp.MatrixBase):
        x = np.array(x.tolist(), dtype=object)
    arr = np.asarray(x, dtype=object)
    results = []
    for m in np.reshape(arr, (-1,) + arr.shape[-2:]):
        r = f(sp.Matrix(m))
        results.append(np.array(r.tolist(), dtype=object) if isinstance(r, sp.MatrixBase) else r)
    out = np.empty(len(results), dtype=object) if np.ndim(results[0]) == 0 \
        else np.empty((len(results),) + np.shape(results[0]), dtype=object)
    for k, r in enumerate(results):
        out[k] = r
    return _like(np.reshape(out, arr.shape[:-2] + np.shape(results[0])), x)


# ---------------------------------------------------------------------------------------------
# Helpers shared by several groups
# ---------------------------------------------------------------------------------------------
def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axes)) if ndim else ()


def _axis(axis):
    """An axis argument as the ops take it: a list of axes becomes a tuple."""
    return tuple(axis) if isinstance(axis, list) else axis


def _unreduce(g, x, axis, keepdims):
    """Broadcast a reduction's cotangent back to the input's shape."""
    if axis is not None and not keepdims and np.ndim(x):
        g = np.expand_dims(g, _axes(axis, np.ndim(x)))
    return np.broadcast_to(g, np.shape(x))


def _unsupported(**arguments):
    """Refuse NumPy arguments the engine does not take (out=, dtype=, where=, ...) by name."""
    given = [k for k, v in arguments.items() if v is not None]
    if given:
        raise TypeError(f"does not support {', '.join(f'{k}=' for k in given)} on Tensors "
                        "(the result is a new Tensor; cast with .value.astype if needed)")


def _sp():
    """SymPy, imported on first use: only the ``sym`` forwards and rules on symbols need it."""
    import sympy

    return sympy


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
    return np.vectorize(lambda v: _sp().Rational(v), otypes=[object])(m)
