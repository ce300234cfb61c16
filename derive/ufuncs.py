"""``NUMPY_TO_SYMPY``: the auditable mapping from NumPy ufuncs to the SymPy function applied to
each element of an array of symbols (:class:`derive.symbolic.SymArray` uses it).

Ufuncs not listed (add, subtract, multiply, divide, power, negative, matmul, ...) use NumPy's own
object-dtype loops, which call the elements' Python operators.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

__all__ = ["NUMPY_TO_SYMPY"]


def _where(c: Any, x: Any, y: Any) -> Any:
    if c is True or c == sp.true:
        return x
    if c is False or c == sp.false:
        return y
    return sp.Piecewise((x, c), (y, True))


def _bool(f: Callable[..., Any]) -> Callable[..., Any]:
    """Comparisons give SymPy relationals; Python bools become SymPy's true/false."""
    return lambda *a: f(*(sp.sympify(v) for v in a))


def _truthy(v: Any) -> Any:
    """A logical operand: conditions stay, numbers and real expressions mean ``v != 0``."""
    v = sp.sympify(v)
    if isinstance(v, (sp.logic.boolalg.BooleanAtom, sp.logic.boolalg.BooleanFunction)) or \
            v.is_Relational or (v.is_Symbol and v.is_real is None):
        return v
    return sp.Ne(v, 0)


def _known(fact: bool | None, name: str, v: Any) -> Any:
    """A test SymPy can decide from the assumptions (real symbols are finite), else an error."""
    if fact is None:
        raise TypeError(f"np.{name}({v}) is not decided by the symbols' assumptions")
    return sp.true if fact else sp.false


def _logic(f: Callable[..., Any]) -> Callable[..., Any]:
    return lambda *a: f(*(_truthy(v) for v in a))


# The auditable mapping: NumPy ufunc -> the SymPy function applied to each element.
# Ufuncs not listed (add, subtract, multiply, divide, power, negative, matmul, ...) use
# NumPy's own object-dtype loops, which call the elements' Python operators.
NUMPY_TO_SYMPY: dict[np.ufunc, Callable[..., Any]] = {
    np.exp: sp.exp, np.log: sp.log, np.sqrt: sp.sqrt, np.tanh: sp.tanh,
    np.sinh: sp.sinh, np.cosh: sp.cosh, np.sin: sp.sin, np.cos: sp.cos, np.tan: sp.tan,
    np.arcsin: sp.asin, np.arccos: sp.acos, np.arctan: sp.atan, np.arctanh: sp.atanh,
    np.arcsinh: sp.asinh, np.arccosh: sp.acosh, np.arctan2: sp.atan2,
    np.exp2: lambda x: 2**x, np.log2: lambda x: sp.log(x, 2), np.log10: lambda x: sp.log(x, 10),
    np.expm1: lambda x: sp.exp(x) - 1, np.log1p: lambda x: sp.log(1 + x),
    np.square: lambda x: x**2, np.cbrt: sp.cbrt, np.reciprocal: lambda x: 1 / x,
    np.absolute: sp.Abs, np.sign: sp.sign, np.heaviside: sp.Heaviside,
    np.maximum: sp.Max, np.minimum: sp.Min, np.fmax: sp.Max, np.fmin: sp.Min,
    np.logaddexp: lambda x, y: sp.log(sp.exp(x) + sp.exp(y)),
    np.hypot: lambda x, y: sp.sqrt(x**2 + y**2),
    np.floor: sp.floor, np.ceil: sp.ceiling, np.conjugate: sp.conjugate,
    np.trunc: lambda v: sp.Piecewise((sp.floor(v), v >= 0), (sp.ceiling(v), True)),
    np.fabs: sp.Abs, np.deg2rad: lambda x: x * sp.pi / 180, np.rad2deg: lambda x: x * 180 / sp.pi,
    np.logaddexp2: lambda x, y: sp.log(2**x + 2**y, 2),
    np.remainder: lambda x, y: x - y * sp.floor(x / y),  # np.mod; Mod(x, y) has no derivative
    np.fmod: lambda x, y: x - y * sp.Piecewise((sp.floor(x / y), x / y >= 0),
                                               (sp.ceiling(x / y), True)),
    np.greater: _bool(sp.Gt), np.greater_equal: _bool(sp.Ge), np.less: _bool(sp.Lt),
    np.less_equal: _bool(sp.Le), np.equal: _bool(sp.Eq), np.not_equal: _bool(sp.Ne),
    np.logical_and: _logic(sp.And), np.logical_or: _logic(sp.Or), np.logical_not: _logic(sp.Not),
    np.logical_xor: _logic(sp.Xor),
    np.isfinite: lambda v: _known(sp.sympify(v).is_finite, "isfinite", v),
    np.isinf: lambda v: _known(sp.sympify(v).is_infinite, "isinf", v),
    np.isnan: lambda v: _known(True if sp.sympify(v) is sp.nan else
                               False if sp.sympify(v).is_finite else None, "isnan", v),
}
