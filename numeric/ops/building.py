"""NumPy's building and reordering functions with a rule of their own: tile, rot90, roll, diag
(and diagflat), tril, triu, select, nan_to_num, astype and linspace."""

from __future__ import annotations

import operator

import numpy as np

from numeric.kinds import ASTYPE, DIAG, LINSPACE, ROLL, ROT90, SELECT, TILE, TRI
from numeric.op import Op, register
from numeric.ops.common import _axis, _dtype, _mask, _unsupported
from numeric.ops.linalg import _diagonal_part
from numeric.tensor import Tensor, is_grad_enabled

__all__: list[str] = []

_NP_ASTYPE = hasattr(np, "astype")  # NumPy >= 2.1; derive maps it to the identity on symbols

# ---------------------------------------------------------------------------------------------
# Building and reordering. Each output entry is one input entry (or a constant), so each rule
# moves g back to where the entry came from:
#   tile:  g folded to (reps, x) blocks, summed over the reps      rot90 / roll: turned back
#   diag:  vector -> matrix: g's k-th diagonal; matrix -> vector: g put on the k-th diagonal
#   tril / triu: the same triangle of g      select: g where a choice (or the default) was taken
#   nan_to_num: g where x is finite, 0 where it was replaced       astype: g in x's dtype
#   linspace: out_i = start + i/d (stop - start), so start gets Σ g (d - i)/d, stop Σ g i/d
# ---------------------------------------------------------------------------------------------
register(Op("tile", lambda x, reps: np.tile(x, reps), (
    lambda g, out, x, reps: _untile(g, x, reps),),
    kind=TILE, bind=lambda A, reps: ((A,), {"reps": _ints(reps)}), numpy=(np.tile,),
    complex=True, doc="out = x repeated as a block reps times along each axis"))
register(Op("rot90", lambda x, k=1, axes=(0, 1): np.rot90(x, k, axes), (
    lambda g, out, x, k=1, axes=(0, 1): np.rot90(g, -k, axes),),
    kind=ROT90, bind=lambda m, k=1, axes=(0, 1): ((m,), {"k": k, "axes": _ints(axes)}),
    complex=True,
    numpy=(np.rot90,), doc="out = x turned k quarter turns from axes[0] towards axes[1]"))
register(Op("roll", lambda x, shift, axis=None: np.roll(x, shift, axis), (
    lambda g, out, x, shift, axis=None: np.roll(g, _negated(shift), axis),),
    kind=ROLL, bind=lambda a, shift, axis=None: ((a,), {"shift": _ints(shift),
                                                        "axis": _axis(axis)}),
    complex=True,
    numpy=(np.roll,), doc="out = x shifted cyclically by shift along axis (None: flattened)"))
register(Op("diag", lambda x, k=0: np.diag(x, k), (
    lambda g, out, x, k=0:
        np.diagonal(g, k) if np.ndim(x) == 1 else _diagonal_part(g, x, k, 0, 1),),
    kind=DIAG, bind=lambda v, k=0: ((v,), {"k": k}),
    numpy=(np.diag, (np.diagflat, lambda v, k=0: ((np.ravel(v),), {"k": k}))),
    complex=True,
    doc="out = a matrix with the vector x on its k-th diagonal, or the k-th diagonal of the "
        "matrix x (np.diagflat: of x flattened)"))
register(Op("tril", lambda x, k=0: np.tril(x, k), (
    lambda g, out, x, k=0: np.tril(g, k),),
    kind=TRI, bind=lambda m, k=0: ((m,), {"k": k}), numpy=(np.tril,),
    complex=True, doc="out = x with the entries above its k-th diagonal zeroed (last two axes)"))
register(Op("triu", lambda x, k=0: np.triu(x, k), (
    lambda g, out, x, k=0: np.triu(g, k),),
    kind=TRI, bind=lambda m, k=0: ((m,), {"k": k}), numpy=(np.triu,),
    complex=True, doc="out = x with the entries below its k-th diagonal zeroed (last two axes)"))
# Inputs: the choices, then the default; the conditions are constants (a parameter).
register(Op("select", lambda *xs, condlist: np.select(condlist, xs[:-1], xs[-1]), (
    lambda g, out, *xs, condlist: _chosen(0, g, len(xs) - 1, condlist),
    lambda g, out, *xs, condlist: _chosen(1, g, len(xs) - 1, condlist)),
    each=lambda i, g, out, *xs, condlist: _chosen(i, g, len(xs) - 1, condlist),
    kind=SELECT, bind=lambda condlist, choicelist, default=0:
        _bind_select(condlist, choicelist, default),
    numpy=(np.select,), complex=True,
    doc="out = the first choice whose condition holds, else the default (np.select)"))
register(Op("nan_to_num", lambda x, nan=0.0, posinf=None, neginf=None:
            np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf), (
    lambda g, out, x, nan=0.0, posinf=None, neginf=None: np.where(np.isfinite(x), g, 0.0),),
    bind=lambda x, copy=True, nan=0.0, posinf=None, neginf=None:
        _bind_nan_to_num(x, copy, nan, posinf, neginf),
    numpy=(np.nan_to_num,), complex=True,
    doc="out = x with nan, inf and -inf replaced by constants (those entries get no gradient)"))
register(Op("astype", lambda x, dtype: _astype(x, dtype), (
    lambda g, out, x, dtype: g.astype(_cast_back(g, x)),),
    kind=ASTYPE, bind=lambda a, dtype, order="K", casting="unsafe", subok=True, copy=True:
        _bind_astype(a, dtype, order, casting),
    numpy=((np.astype, lambda x, dtype, /, *, copy=True, device=None:
            _bind_astype(x, dtype, "K", "unsafe", device=device)),) if _NP_ASTYPE else (),
    methods=("astype",), complex=True,
    doc="out = x cast to a floating or complex dtype; the gradient is cast back to x's dtype "
        "(complex to real keeps the real part; a Tensor that requires grad cannot be cast to "
        "an integer or bool dtype)"))
register(Op("linspace", lambda start, stop, num=50, endpoint=True, axis=0:
            np.linspace(start, stop, num, endpoint, axis=axis), (
    lambda g, out, start, stop, num=50, endpoint=True, axis=0:
        _ends(g, out, num, endpoint, axis, start=True),
    lambda g, out, start, stop, num=50, endpoint=True, axis=0:
        _ends(g, out, num, endpoint, axis, start=False)),
    kind=LINSPACE, bind=lambda start, stop, num=50, endpoint=True, retstep=False, dtype=None,
    axis=0, *, device=None: _bind_linspace(start, stop, num, endpoint, retstep, axis,
                                           dtype=dtype, device=device),
    numpy=(np.linspace,), complex=True,
    doc="out = num evenly spaced samples from start to stop along a new axis"))


def _ints(v):
    """An int or a tuple of ints (lists and arrays of ints become tuples)."""
    return v if np.ndim(v) == 0 else tuple(int(i) for i in np.ravel(v))


def _negated(shift):
    return tuple(-s for s in shift) if isinstance(shift, tuple) else -shift


def _untile(g, x, reps):
    """Fold g (a block of copies of x per axis) into (reps, x) pairs of axes and sum the reps."""
    reps = tuple(np.atleast_1d(reps).tolist())
    shape = np.shape(x)
    d = max(len(reps), len(shape))
    reps = (1,) * (d - len(reps)) + reps
    sides = (1,) * (d - len(shape)) + shape
    pairs = tuple(n for pair in zip(reps, sides) for n in pair)
    return np.reshape(np.sum(np.reshape(g, pairs), axis=tuple(range(0, 2 * d, 2))), shape)


def _astype(x, dtype):
    return np.astype(x, dtype) if _NP_ASTYPE else x.astype(dtype)


def _cast_back(g, x):
    """x's float dtype (float64 for integers), complex of that precision for a complex g."""
    dtype = _dtype(x)
    return np.result_type(dtype, np.complex64) if np.iscomplexobj(g) else dtype


def _chosen(i, g, n, condlist):
    """g where input i was chosen: choice i where its condition is the first to hold, the
    default (input n) where none holds."""
    taken = np.zeros((), dtype=bool)
    for cond in condlist[:i]:
        taken = taken | cond
    mask = ~taken & condlist[i] if i < n else ~taken
    return np.where(mask, g, 0.0)


def _bind_select(condlist, choicelist, default):
    conds = tuple(np.asarray(getattr(c, "value", c)) for c in condlist)
    choices = list(choicelist)
    if len(conds) != len(choices):
        raise ValueError(f"select: list of cases ({len(choices)}) must be the same length as "
                         f"the list of conditions ({len(conds)})")
    if not choices:
        raise ValueError("select with an empty condition list is not possible")
    return (*choices, default), {"condlist": conds}


def _bind_nan_to_num(x, copy, nan, posinf, neginf):
    if not copy:
        raise TypeError("does not support copy=False (in place) on Tensors: the result is a "
                        "new Tensor")
    return (x,), {"nan": nan, "posinf": posinf, "neginf": neginf}


def _bind_astype(a, dtype, order, casting, **unsupported):
    _unsupported(**unsupported)
    if order != "K":
        raise TypeError(f"supports only order='K', got order={order!r}")
    to = np.dtype(dtype)
    if not np.issubdtype(to, np.inexact) and isinstance(a, Tensor) and a.requires_grad \
            and is_grad_enabled():
        raise TypeError(f"casting a Tensor that requires grad to {to} is refused: it is not "
                        "differentiable (the result is piecewise constant, so the gradient would "
                        f"be cut); cast the numbers instead, t.value.astype({to.name!r}) or "
                        "t.detach().astype(...), or keep a floating or complex dtype")
    dtype_of = getattr(a, "dtype", np.result_type(a))
    if not np.can_cast(dtype_of, to, casting):
        raise TypeError(f"cannot cast from {dtype_of} to {to} with casting={casting!r}")
    return (a,), {"dtype": to.name}


def _bind_linspace(start, stop, num, endpoint, retstep, axis, **unsupported):
    _unsupported(**unsupported)
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"linspace: the number of samples, {num}, must be non-negative")
    bound = (start, stop), {"num": num, "endpoint": bool(endpoint), "axis": axis}
    if not retstep:
        return bound
    div = num - 1 if endpoint else num
    return (*bound, lambda out: (out, (stop - start) / div if div > 0 else np.nan))


def _ends(g, out, num, endpoint, axis, start):
    """Σ over the samples' axis of g times each sample's weight on start (or stop)."""
    ax = axis % np.ndim(out)
    div = num - 1 if endpoint else num
    total = np.sum(g, axis=ax)
    if div <= 0:  # one sample (endpoint=True) is start itself; no samples weigh nothing
        return total if start else total * 0
    steps = np.reshape(np.arange(num), [num if d == ax else 1 for d in range(np.ndim(out))])
    weights = div - steps if start else steps
    return np.sum(g * _mask(weights, g), axis=ax) / div
