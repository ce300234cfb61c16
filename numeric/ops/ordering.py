"""Ordering: sort and partition (their values; argsort and argpartition are constants).

Both rearrange x along an axis, so each entry of x receives g at the position its value went
to. The rule finds that position from ``out`` itself (matching x's and out's values in order),
so it holds for any arrangement partition chooses. Where values tie, the tied entries share
their positions' cotangents evenly — the convention of max and min, which is sort's last entry.

derive cannot run the rule on symbols (it compares entries, and symbols have no order): derive
sorts symbols with a network of Min/Max (``derive.symbolic_numpy``) and spot-checks the rule at
exact rational points.
"""

from __future__ import annotations

import numpy as np

from numeric.kinds import PARTITION, SORT
from numeric.op import Kink, Op, register
from numeric.ops.common import _mask, _unsupported

__all__: list[str] = []

# A two-way tie's even split lies between the one-sided derivatives; a tie of three or more
# has no value that does for every g (even split is one element of its generalized gradient),
# so place() makes pairs.
_TIES = Kink("ties split evenly: entries of equal value share the cotangents of the positions "
             "their value fills; place() makes pairs of equal entries (in flattened order)",
             place=lambda x: (_pairs(x),), slope=())

register(Op("sort", lambda x, axis=-1: np.sort(x, axis=axis), (
    lambda g, out, x, axis=-1: _unpermute(g, out, x, axis),),
    kink=_TIES, kind=SORT, bind=lambda a, axis=-1, kind=None, order=None, *, stable=None:
        _bind_sort(a, axis, kind, order),
    numpy=(np.sort,),
    doc="out = x's values in ascending order along axis (None: flattened)"))
register(Op("partition", lambda x, kth, axis=-1: np.partition(x, kth, axis=axis), (
    lambda g, out, x, kth, axis=-1: _unpermute(g, out, x, axis),),
    kink=_TIES, kind=PARTITION, bind=lambda a, kth, axis=-1, kind="introselect", order=None:
        _bind_partition(a, kth, axis, kind, order),
    numpy=(np.partition,),
    doc="out = x rearranged along axis with out[kth] in its sorted place, smaller values "
        "before it and larger after (None: flattened)"))


def _unpermute(g, out, x, axis):
    """Each entry of x receives g at the position of out its value went to."""
    xv, ov = _numbers(x), _numbers(out)
    if axis is None:
        xv, ax = np.ravel(xv), 0
    else:
        ax = axis % np.ndim(xv)
    try:  # x's k-th smallest entry went to out's k-th smallest position (stable: ties in order)
        by_x = np.argsort(xv, axis=ax, kind="stable")
        by_out = np.argsort(ov, axis=ax, kind="stable")
        ties = np.any(np.diff(np.take_along_axis(xv, by_x, axis=ax), axis=ax) == 0)
    except TypeError as e:
        raise TypeError("the rule of sort and partition orders the entries of x, and symbols "
                        f"have no order ({e}): check it at exact rational points") from None
    went = np.take_along_axis(by_out, np.argsort(by_x, axis=ax, kind="stable"), axis=ax)
    got = np.take_along_axis(_shared(g, ov, ax) if ties else g, went, axis=ax)
    return np.reshape(got, np.shape(x)) if axis is None else got


def _shared(g, out, ax):
    """g averaged over the positions of out holding equal values (along axis ``ax``)."""
    o = np.moveaxis(out, ax, -1)
    same = o[..., :, None] == o[..., None, :]
    gm = np.moveaxis(g, ax, -1)
    total = np.sum(np.expand_dims(gm, -2) * _mask(same, g), axis=-1)
    return np.moveaxis(total / _mask(np.sum(same, axis=-1), g), -1, ax)


def _pairs(x):
    """x with each odd entry (flattened) set equal to the entry before it."""
    flat = np.array(x, dtype=np.result_type(x)).ravel()
    half = flat.size // 2
    flat[1:2 * half:2] = flat[0:2 * half:2]
    return flat.reshape(np.shape(x))


def _numbers(a):
    """The values of a Tensor, or the array itself (a plain ndarray for derive's arrays)."""
    return np.asarray(getattr(a, "value", a))


def _bind_sort(a, axis, kind, order):
    _unsupported(order=order)
    if kind not in (None, "quicksort", "mergesort", "heapsort", "stable"):
        raise ValueError(f"sort kind must be one of 'quicksort', 'mergesort', 'heapsort', "
                         f"'stable', got {kind!r}")
    return (a,), {"axis": axis}


def _bind_partition(a, kth, axis, kind, order):
    _unsupported(order=order)
    if kind != "introselect":
        raise ValueError(f"partition kind must be 'introselect', got {kind!r}")
    kth = getattr(kth, "value", kth)
    return (a,), {"kth": int(kth) if np.ndim(kth) == 0 else tuple(int(k) for k in np.ravel(kth)),
                  "axis": axis}
