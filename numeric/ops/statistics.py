"""Statistics beyond the plain reductions: nansum and nanmean (NaN entries left out), ptp
(max - min) and average (weights, differentiable too)."""

from __future__ import annotations

import numpy as np

from numeric.kinds import AVERAGE, REDUCE
from numeric.op import POSITIVE, REALS, Op, register
from numeric.ops.common import _axis, _mask, _unreduce
from numeric.ops.reductions import _FEW_TIES, _TIED, _bind_reduce, _ties

__all__: list[str] = []

# NaN-skipping reductions: a NaN entry is left out of the sum, so it receives a zero cotangent
# (and nanmean divides by the entries present).
register(Op("nansum", lambda x, axis=None, keepdims=False:
            np.nansum(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False: _unreduce(g, x, axis, keepdims) * _present(x),),
    kind=REDUCE, bind=lambda a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
    where=None: _bind_reduce(a, axis, keepdims, dtype=dtype, out=out, initial=initial,
                             where=where),
    numpy=(np.nansum,), complex=True,
    doc="out = Σ x along axis, NaN entries left out"))
register(Op("nanmean", lambda x, axis=None, keepdims=False:
            np.nanmean(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False: _unreduce(g, x, axis, keepdims) * _present(x)
        / np.broadcast_to(np.maximum(np.sum(_present(x), axis=axis, keepdims=True), 1),
                          np.shape(x)),),
    kind=REDUCE, bind=lambda a, axis=None, dtype=None, out=None, keepdims=False, *, where=None:
        _bind_reduce(a, axis, keepdims, dtype=dtype, out=out, where=where),
    numpy=(np.nanmean,), complex=True,
    doc="out = mean of the entries along axis that are not NaN"))
register(Op("ptp", lambda x, axis=None, keepdims=False: np.ptp(x, axis=axis, keepdims=keepdims), (
    lambda g, out, x, axis=None, keepdims=False:
        _ties(g, np.max(x, axis=axis, keepdims=keepdims), x, axis, keepdims)
        - _ties(g, np.min(x, axis=axis, keepdims=keepdims), x, axis, keepdims),),
    kink=_TIED, kind=REDUCE, cases=_FEW_TIES,
    bind=lambda a, axis=None, out=None, keepdims=False: _bind_reduce(a, axis, keepdims, out=out),
    numpy=(np.ptp,), doc="out = max - min along axis (ties split evenly, as in max and min)"))
# average = Σ a w / Σ w. d/da = w / Σ w; d/dw = (a - out) / Σ w. w arrives with a's number of axes
# (_bind_average), broadcast along the others; unbroadcast sums its cotangent back.
register(Op("average", lambda a, w, axis=None, keepdims=False: _average(a, w, axis, keepdims), (
    lambda g, out, a, w, axis=None, keepdims=False:
        _unreduce(g, a, axis, keepdims) * np.broadcast_to(w, np.shape(a)) / _wsum(a, w, axis,
                                                                                    keepdims),
    lambda g, out, a, w, axis=None, keepdims=False:
        _unreduce(g, a, axis, keepdims) * (a - _unreduce(out, a, axis, keepdims))
        / _wsum(a, w, axis, keepdims)),
    domain=(REALS, POSITIVE), kind=AVERAGE,
    bind=lambda a, axis=None, weights=None, returned=False, *, keepdims=False:
        _bind_average(a, axis, weights, returned, keepdims),
    numpy=(np.average,), complex=True,
    doc="out = Σ a w / Σ w along axis (the mean without weights)"))


def _present(x):
    """1 where an entry is a number, 0 where it is NaN, in the rule's dtype."""
    return np.where(np.isnan(x), _mask(0, x), _mask(1, x))


def _average(a, w, axis, keepdims):
    total = np.sum(np.broadcast_to(w, np.shape(a)), axis=axis, keepdims=keepdims)
    if np.asarray(total).dtype != object and np.any(np.asarray(total) == 0):
        raise ZeroDivisionError("average: the weights sum to zero, so they cannot be normalised")
    return np.sum(a * w, axis=axis, keepdims=keepdims) / total


def _wsum(a, w, axis, keepdims):
    """Σ w along axis, broadcast back to a's shape."""
    total = np.sum(np.broadcast_to(w, np.shape(a)), axis=axis, keepdims=keepdims)
    return _unreduce(total, a, axis, keepdims)


def _bind_average(a, axis, weights, returned, keepdims):
    axis = _axis(axis)
    nd, shape = np.ndim(a), np.shape(a)
    if weights is None:
        w = 1.0  # a constant: the plain mean
    else:
        w = weights
        if np.shape(w) != shape and np.ndim(w):
            given = (axis,) if isinstance(axis, int) else axis
            if given is None:
                raise TypeError(f"the weights' shape {np.shape(w)} differs from a's {shape}: "
                                "give the axis they lie along")
            order = tuple(int(k) % nd for k in given)
            if np.shape(w) != tuple(shape[k] for k in order):
                raise ValueError(f"weights of shape {np.shape(w)} do not match a's shape "
                                 f"{shape} along axis {axis}")
            w = np.reshape(np.transpose(w, tuple(np.argsort(order).tolist())) if len(order) > 1
                           else w, tuple(n if k in order else 1 for k, n in enumerate(shape)))
    params = {"axis": axis, "keepdims": bool(keepdims)}
    if not returned:
        return (a, w), params
    return (a, w), params, lambda out: (out, np.broadcast_to(
        np.sum(np.broadcast_to(w, shape), axis=axis, keepdims=bool(keepdims)), np.shape(out)))
