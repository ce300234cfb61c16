"""``SymArray``: an object ndarray of SymPy expressions on which plain NumPy code runs symbolically.

NumPy's add, multiply, matmul, sum, reshape and indexing already work on object arrays (they call
the elements' ``+`` and ``*``). The functions that do not — exp, log, tanh, maximum, comparisons,
``where``, ``np.linalg`` — are mapped to SymPy by the one table below, ``NUMPY_TO_SYMPY`` (ufuncs)
and ``_FUNCTIONS`` (``__array_function__`` overrides). Every result, 0-d included, stays a
``SymArray``, so an op's forward and the engine's VJP rules run unchanged on symbols. Python floats
entering a computation become exact rationals (``0.5`` is ``1/2``), so comparisons are exact. A
comparison is a condition, and a number with its tie value written out (``Heaviside(x - y, 0)``)
where NumPy casts it to one (:mod:`derive.conditions`).

Adding a mapping is one line in ``NUMPY_TO_SYMPY`` (:mod:`derive.ufuncs`); an op whose forward
still cannot run declares a SymPy forward ``Op.sym(*xs, **params)`` taking and returning object
arrays (a SymPy Matrix works).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import sympy as sp

from derive import symbolic_numpy
from derive.conditions import LOGICAL, as_number, numbers
from derive.ufuncs import NUMPY_TO_SYMPY, _where

__all__ = ["SymArray", "symbols", "as_sym", "as_number", "NUMPY_TO_SYMPY", "to_plain"]


_PYUFUNCS: dict[np.ufunc, np.ufunc] = {}


def _pyufunc(ufunc: np.ufunc) -> np.ufunc:
    if ufunc not in _PYUFUNCS:
        _PYUFUNCS[ufunc] = np.frompyfunc(NUMPY_TO_SYMPY[ufunc], ufunc.nin, 1)
    return _PYUFUNCS[ufunc]


class SymArray(np.ndarray):
    """An object ndarray of SymPy expressions; NumPy functions on it dispatch to SymPy."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if "out" in kwargs:
            kwargs["out"] = tuple(to_plain(o) for o in kwargs["out"])
        if method == "at":  # in-place scatter: leave the index argument alone
            args = [to_plain(inputs[0]), inputs[1], *(_exact(a) for a in inputs[2:])]
        else:
            args = [_exact(a) if ufunc in LOGICAL else numbers(_exact(a)) for a in inputs]
        if ufunc in NUMPY_TO_SYMPY:
            kwargs.pop("dtype", None)
            kwargs.pop("casting", None)
            if method == "reduce":
                result = _reduce(_pyufunc(ufunc), args[0], **kwargs)
            else:
                result = getattr(_pyufunc(ufunc), method)(*args, **kwargs)
        else:
            result = getattr(ufunc, method)(*args, **kwargs)
        if method == "at":
            return None
        return _wrap(result, force=True)

    def __array_function__(self, func: Any, types: Iterable[type], args: Any, kwargs: Any) -> Any:
        if func in _FUNCTIONS:
            return _wrap(_FUNCTIONS[func](*args, **kwargs), force=True)
        return _wrap(func._implementation(*args, **kwargs))

    def __getitem__(self, index: Any) -> Any:
        return _wrap(super().__getitem__(index), force=True)

    def astype(self, dtype: Any, *args: Any, **kwargs: Any) -> Any:
        """To a numeric dtype: the exact entries kept, conditions made 0/1 (``as_number``)."""
        if np.dtype(dtype).kind in "fiuc":
            return _wrap(numbers(self.view(np.ndarray)), force=True)
        return super().astype(dtype, *args, **kwargs)

    def __repr__(self) -> str:
        return "SymArray" + repr(self.view(np.ndarray))[5:]

    def __str__(self) -> str:
        return str(self.view(np.ndarray))


def _reduce(uf: np.ufunc, a: Any, axis: Any = 0, keepdims: bool = False, out: Any = None,
            **kwargs: Any) -> Any:
    """A SymPy function's reduction, one axis at a time (Max, Min are associative)."""
    if kwargs.get("where", True) is not True:
        raise TypeError(f"{uf.__name__}.reduce with a where= mask is not supported on symbols")
    a = np.asarray(a, dtype=object)
    axes = range(a.ndim) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    axes = sorted({ax % a.ndim for ax in axes}, reverse=True) if a.ndim else []
    r = a
    for ax in axes:
        r = uf.reduce(r, axis=ax, keepdims=True)
    if not keepdims:
        r = r.reshape([n for i, n in enumerate(r.shape) if i not in axes])
    if out is not None:
        out[0][...] = r
        return out[0]
    return r


def to_plain(a: Any) -> Any:
    """A SymArray as a plain object ndarray (anything else unchanged)."""
    return a.view(np.ndarray) if isinstance(a, SymArray) else a


def as_sym(a: Any) -> SymArray:
    """``a`` as a SymArray: floats become exact rationals, SymPy matrices become arrays."""
    if isinstance(a, sp.MatrixBase):
        a = np.array(a.tolist(), dtype=object).reshape(a.shape)
    a = _exact(a)
    if isinstance(a, SymArray):
        return a
    arr = np.empty((), dtype=object) if not isinstance(a, np.ndarray) else None
    if arr is not None:
        arr[()] = sp.sympify(a)
        return arr.view(SymArray)
    if a.dtype != object:
        a = _exact(a)
    a = np.asarray(a, dtype=object)
    if a.size and any(isinstance(v, np.ndarray) for v in a.flat):  # 0-d arrays stored as entries
        a = np.frompyfunc(lambda v: v[()] if isinstance(v, np.ndarray) else v, 1, 1)(a)
        a = np.asarray(a, dtype=object)
    return a.view(SymArray)


def _exact(a: Any) -> Any:
    """Numbers entering symbolic code become exact SymPy numbers; other values pass through."""
    if isinstance(a, SymArray):
        return a.view(np.ndarray)
    if isinstance(a, (bool, np.bool_)):
        return a
    if isinstance(a, (float, np.floating)):
        return sp.Rational(float(a))
    if isinstance(a, (int, np.integer)):
        return sp.Integer(int(a))
    if isinstance(a, np.ndarray) and a.dtype.kind in "fiu":
        out = np.empty(a.shape, dtype=object)
        for k, v in np.ndenumerate(a):
            out[k] = _exact(v.item())
        return out
    return a


def _wrap(result: Any, force: bool = False) -> Any:
    if isinstance(result, tuple) and force:
        return tuple(_wrap(r, force) for r in result)
    if isinstance(result, np.ndarray):
        if result.dtype == object:
            return result.view(SymArray)
        return result
    if isinstance(result, sp.Basic) or (force and isinstance(result, (int, float, np.number))):
        arr = np.empty((), dtype=object)
        arr[()] = sp.sympify(result)
        return arr.view(SymArray)
    return result


def symbols(name: str, shape: tuple[int, ...], **assumptions: Any) -> SymArray:
    """A SymArray of fresh symbols ``name_ij`` (``name`` alone for 0-d) with ``assumptions``."""
    arr = np.empty(shape, dtype=object)
    wide = any(n > 10 for n in shape)
    for k in np.ndindex(*shape):
        sub = ",".join(map(str, k)) if wide else "".join(map(str, k))
        arr[k] = sp.Symbol(f"{name}_{sub}" if k else name, **assumptions)
    return arr.view(SymArray)


# ---------------------------------------------------------------------------------------------
# __array_function__ overrides: functions whose NumPy implementation fails on object arrays
# ---------------------------------------------------------------------------------------------
def _np_where(c: Any, x: Any = None, y: Any = None) -> Any:
    if x is None and y is None:
        raise TypeError("np.where(c) without branches is not supported on symbolic arrays")
    c, x, y = (to_plain(v) for v in (c, x, y))
    if isinstance(c, np.ndarray) and c.dtype == bool:
        return np.where(c, _exact(x), _exact(y))
    return _PYWHERE(_exact(c), _exact(x), _exact(y))


_PYWHERE = np.frompyfunc(_where, 3, 1)


def _stacked(f: Callable[..., Any], nmat: int) -> Callable[..., Any]:
    """Apply a SymPy function of matrices to each matrix of a stack (the last two axes)."""

    @functools.wraps(f)
    def run(*args: Any) -> Any:
        arrs = [np.asarray(to_plain(_exact(a)), dtype=object) for a in args[:nmat]]
        batch = np.broadcast_shapes(*(a.shape[:-2] for a in arrs))
        arrs = [np.broadcast_to(a, batch + a.shape[-2:]) for a in arrs]  # size-1 axes stretch
        results = []
        for k in np.ndindex(*batch):
            mats = [sp.Matrix(a[k]) for a in arrs]
            r = f(*mats)
            results.append(np.array(r.tolist(), dtype=object).reshape(r.shape)
                           if isinstance(r, sp.MatrixBase) else r)
        if not batch:
            return _wrap(results[0], force=True)
        out = np.empty(len(results), dtype=object)
        if isinstance(results[0], np.ndarray):
            return np.stack(results).reshape(batch + results[0].shape)
        out[:] = results
        return out.reshape(batch)

    return run


def _solve(a: sp.Matrix, b: sp.Matrix) -> sp.Matrix:
    return a.LUsolve(b)


def _linalg_solve(a: Any, b: Any) -> Any:
    b = np.asarray(to_plain(_exact(b)), dtype=object)
    if b.ndim == 1:
        return _stacked(_solve, 2)(a, b[:, None])[..., 0]
    return _stacked(_solve, 2)(a, b)


def _np_clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **kw: Any) -> Any:
    lo = kw.pop("min", a_min)
    hi = kw.pop("max", a_max)
    if out is not None or kw:
        raise TypeError("np.clip with out= or other options is not supported on symbolic arrays")
    r = _exact(to_plain(a))
    if lo is not None:
        r = _pyufunc(np.maximum)(r, _exact(to_plain(lo)))
    if hi is not None:
        r = _pyufunc(np.minimum)(r, _exact(to_plain(hi)))
    return r


_PYSINC = np.frompyfunc(lambda v: sp.sin(sp.pi * v) / (sp.pi * v), 1, 1)


def _part(take: Callable[[Any], Any], same: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """np.real / np.imag: NumPy's own on an object array are the array itself and zeros, so at
    exact numbers (derive's constructed points: Gaussian rationals) a rule's np.real(g) did
    nothing and np.imag(g) was 0; numbers get their exact parts. Entries with symbols keep
    NumPy's (they are real symbols here: derive's complex proof runs x + I y apart)."""
    def part(e: Any) -> Any:
        e = sp.sympify(e)
        return same(e) if e.free_symbols else take(sp.expand(e))

    fn = np.frompyfunc(part, 1, 1)
    return lambda val: fn(_exact(to_plain(val)))


_FUNCTIONS: dict[Any, Callable[..., Any]] = {
    np.where: _np_where,
    np.clip: _np_clip,
    np.sinc: lambda x: _PYSINC(_exact(to_plain(x))),
    np.real: _part(sp.re, lambda e: e),
    np.imag: _part(sp.im, lambda e: sp.Integer(0)),
    np.nansum: lambda a, *args, **kw: np.sum(as_sym(a), *args, **kw),  # symbols are never NaN
    np.nanmean: lambda a, *args, **kw: np.mean(as_sym(a), *args, **kw),
    np.linalg.inv: _stacked(lambda a: a.inv(), 1),
    np.linalg.det: _stacked(lambda a: a.det(method="berkowitz"), 1),
    np.linalg.solve: _linalg_solve,
    np.linalg.cholesky: _stacked(lambda a: a.cholesky(hermitian=False), 1),
    **symbolic_numpy.mapped(),
}
