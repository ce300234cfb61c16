"""Reductions: sum, mean, max, min, prod, var, std, logsumexp, softmax, log_softmax."""

from __future__ import annotations

import numpy as np

from numeric.kinds import (
    MOMENT,
    REDUCE,
    SOFTMAX,
)
from numeric.op import Kink, Op, register
from numeric.ops.common import (
    _axes,
    _axis,
    _case,
    _conj_if,
    _like,
    _mask,
    _sp,
    _unreduce,
    _unsupported,
)

__all__: list[str] = []

# ---------------------------------------------------------------------------------------------
# Reductions. n = entries reduced into each output; g is broadcast back along the reduced axes.
#   sum: g          mean: g / n
#   max/min: g goes to the entries equal to the result, split evenly among ties
#   prod:    d/dx_j = Π_{k≠j} x_k, formed without dividing, so zeros are exact
#   var:     2 (x - mean) / (n - ddof)        std: (x - mean) / ((n - ddof) std)
#            (complex x: var = mean |x - mean|² is real, so x - mean is conjugated, as for |z|²)
#   logsumexp: softmax of x; softmax / log_softmax along one axis (holomorphic: the same
#            formulas on complex x, principal log; the shift by the max changes no derivative)
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
    numpy=(np.sum,), methods=("sum",), complex=True, doc="out = Σ x along axis"))
register(Op("mean", lambda x, axis=None, keepdims=False: np.mean(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False:
        _unreduce(g, x, axis, keepdims) / _count(x, out),),
    kind=REDUCE, bind=lambda a, axis=None, dtype=None, out=None, keepdims=False, *, where=None:
        _bind_reduce(a, axis, keepdims, dtype=dtype, out=out, where=where),
    numpy=(np.mean,), methods=("mean",), complex=True, doc="out = Σ x / n along axis"))
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
    numpy=(np.prod,), methods=("prod",), complex=True, doc="out = Π x along axis"))
register(Op("var", lambda x, axis=None, keepdims=False, ddof=0:
            np.var(x, axis=axis, keepdims=keepdims, ddof=ddof), (
    lambda g, out, x, axis=None, keepdims=False, ddof=0:
        _unreduce(g, x, axis, keepdims) * 2 * _centered(x, axis) / (_count(x, out) - ddof),),
    complex=True, kind=MOMENT,
    bind=lambda a, axis=None, dtype=None, out=None, ddof=0, keepdims=False:
        _bind_moment(a, axis, dtype, out, ddof, keepdims),
    numpy=(np.var,), methods=("var",), doc="out = Σ (x - mean)² / (n - ddof) along axis"))
register(Op("std", lambda x, axis=None, keepdims=False, ddof=0:
            np.std(x, axis=axis, keepdims=keepdims, ddof=ddof), (
    lambda g, out, x, axis=None, keepdims=False, ddof=0:
        _unreduce(g, x, axis, keepdims) * _centered(x, axis)
        / ((_count(x, out) - ddof) * _unreduce(np.where(out == 0, 1.0, out), x, axis, keepdims)),),
    kink=Kink("std'(x) = 0 where all entries are equal (out = 0), as norm'(0) = 0",
              place=lambda x: (np.ones_like(x),), slope=(0.0,)),
    complex=True, kind=MOMENT,
    bind=lambda a, axis=None, dtype=None, out=None, ddof=0, keepdims=False:
        _bind_moment(a, axis, dtype, out, ddof, keepdims),
    numpy=(np.std,), methods=("std",), doc="out = var(x) ** 0.5 along axis"))
# derive's symbols cannot run the max-shifted forward exactly (log e^-Max(..) stays unexpanded,
# and a Max of complex symbols means nothing), so logsumexp, softmax and log_softmax declare
# SymPy forwards: log Σ e^x and e^x / Σ e^x, which is what the shift computes.
register(Op("logsumexp", lambda x, axis=None, keepdims=False: _logsumexp(x, axis, keepdims), (
    lambda g, out, x, axis=None, keepdims=False:
        _unreduce(g, x, axis, keepdims) * np.exp(x - _unreduce(out, x, axis, keepdims)),),
    kind=REDUCE, bind=lambda x, axis=None, keepdims=False: ((x,), {
        "axis": _axis(axis), "keepdims": bool(keepdims)}),
    methods=("logsumexp",), complex=True,
    sym=lambda x, axis=None, keepdims=False: _sym_logsumexp(x, axis, keepdims),
    doc="out = log Σ e^x along axis, shifted by the max so large inputs do not overflow"))
register(Op("softmax", lambda x, axis=-1: _softmax(x, axis), (
    lambda g, out, x, axis=-1: out * (g - np.sum(g * out, axis=axis, keepdims=True)),),
    kind=SOFTMAX, bind=lambda x, axis=-1: ((x,), {"axis": axis}), methods=("softmax",),
    complex=True, sym=lambda x, axis=-1: _sym_softmax(x, axis),
    doc="out = e^x / Σ e^x along axis (shifted by the max: stable)"))
register(Op("log_softmax", lambda x, axis=-1: x - _logsumexp(x, axis, True), (
    lambda g, out, x, axis=-1: g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),),
    kind=SOFTMAX, bind=lambda x, axis=-1: ((x,), {"axis": axis}), methods=("log_softmax",),
    complex=True,
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
    """x - mean, conjugated for complex x: the slope of the real |x - mean|² (autograd's
    convention gives 2 conj(z) for |z|²)."""
    c = x - np.mean(x, axis=axis, keepdims=True)
    return _conj_if(c, c)


def _logsumexp(x, axis, keepdims):
    # shift by the largest real part: a complex shift's imaginary part, added back outside the
    # log, would leave the result off the principal branch by 2πk (NumPy's and SciPy's log Σ e^x)
    m = np.max(np.real(x), axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    s = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return s if keepdims else np.squeeze(s, axis=_axes(axis, np.ndim(x)))


def _softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _sym_logsumexp(x, axis, keepdims):
    return _sym_reduce(x, axis, keepdims, lambda v: _sp().log(sum(_sp().exp(a) for a in v)))


def _sym_softmax(x, axis):
    x = np.asarray(x, dtype=object)
    e = np.vectorize(_sp().exp, otypes=[object])(x)
    return _like(e / np.sum(e, axis=axis, keepdims=True), x)


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


