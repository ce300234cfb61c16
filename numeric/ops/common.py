"""What the op table's groups share: sampling domains, the case helper, and the helpers
their rules and binders call (axes, masks in the rule's dtype, refusing NumPy arguments)."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from numeric.kind import Case
from numeric.op import Domain, Kink

__all__ = [
    "NONZERO", "INVERTIBLE", "SPD", "TIE", "_case", "_axes", "_axis", "_unreduce", "_unsupported",
    "_sp", "_scipy", "_like", "_dtype", "_mask", "_bind_out", "_mT", "_conj_if",
]

NONZERO = Domain(-2.0, 2.0, avoid=(0.0,), margin=0.2)
INVERTIBLE = Domain(-1.0, 1.0, kind="invertible")  # diagonally dominant, random row signs
SPD = Domain(-1.0, 1.0, kind="spd")  # u uᵀ + n I
TIE = Kink("ties split evenly: at x == y each input receives g/2",
           place=lambda x, y: (x, x), slope=(0.5, 0.5))


def _case(*shapes, label="", **params):
    return Case(tuple(tuple(s) for s in shapes), params, label)


def _bind_out(inputs, out, **params):
    _unsupported(out=out)
    return tuple(inputs), params



def _mT(x):
    return np.swapaxes(x, -1, -2)



def _conj_if(x, v):
    """conj(v) when x is complex, v itself otherwise: autograd's convention conjugates where
    the forward does (vdot, vecdot) or where it squares |x| (var, norm); real numbers and
    derive's symbols (which do not carry a complex dtype) are left alone."""
    return np.conjugate(v) if np.iscomplexobj(x) else v


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


def _scipy(module: str) -> Any:
    """``scipy.<module>``, imported on first use (the table loads with NumPy alone); without
    SciPy an ImportError naming the extra to install."""
    try:
        return importlib.import_module(f"scipy.{module}")
    except ImportError:
        raise ImportError(f"numeric.scipy.{module} needs SciPy: pip install "
                          "'gradproof[scipy]'") from None
