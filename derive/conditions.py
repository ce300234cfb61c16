"""Conditions as numbers: where NumPy casts a boolean to 0/1, a SymPy condition becomes a step.

A comparison on symbols is a SymPy relational (``x > y``), right for ``np.where`` and logic. Where
NumPy would cast the boolean to a number — arithmetic such as ``g * (x > y)``, the relu/maximum
mask idiom, or ``astype`` — :func:`as_number` makes it ``Heaviside(x - y, 0)``: 1 where ``x > y``,
0 where ``x < y`` and, written out, 0 at the tie ``x == y`` (``x >= y`` has 1 there). Any other
condition (``Eq``, ``And`` ...) becomes ``Piecewise((1, c), (0, True))``. :mod:`derive.compare`
decides such expressions by regions, and the proof checks the tie against the op's ``Kink``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from sympy.core.relational import Relational

__all__ = ["as_number", "numbers", "LOGICAL"]


_CONDITION = (sp.logic.boolalg.BooleanAtom, sp.logic.boolalg.BooleanFunction, Relational)
# A strict comparison is 0 at the tie, a non-strict one 1: Heaviside's second argument says so.
_STEP = {sp.StrictGreaterThan: (1, 0), sp.GreaterThan: (1, 1), sp.StrictLessThan: (-1, 0),
         sp.LessThan: (-1, 1)}


def as_number(c: Any) -> Any:
    """A condition as the 0/1 number NumPy casts a boolean to, its tie value explicit:
    ``x > y`` is ``Heaviside(x - y, 0)``, ``x <= y`` is ``Heaviside(y - x, 1)``, ``Eq(x, y)`` and
    logic are ``Piecewise((1, c), (0, True))``. Anything but a condition is returned unchanged."""
    if not isinstance(c, _CONDITION):
        return c
    if c is sp.true or c is sp.false:
        return sp.Integer(int(c is sp.true))
    if type(c) in _STEP:
        sign, tie = _STEP[type(c)]
        return sp.Heaviside(sign * (c.lhs - c.rhs), tie)
    return sp.Piecewise((1, c), (0, True))


_AS_NUMBER = np.frompyfunc(as_number, 1, 1)
# Ufuncs that take conditions as conditions; every other ufunc sees conditions as numbers.
LOGICAL = {np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.bitwise_and,
           np.bitwise_or, np.bitwise_xor, np.invert, np.equal, np.not_equal}


def numbers(a: Any) -> Any:
    """``a`` with each condition in it made a number (:func:`as_number`)."""
    if isinstance(a, np.ndarray) and a.dtype == object:
        if any(isinstance(v, _CONDITION) for v in a.flat):
            return np.asarray(_AS_NUMBER(a), dtype=object)
        return a
    return as_number(a)
