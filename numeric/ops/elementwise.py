"""Elementwise ops, binary then unary: NumPy broadcasting, and ``unbroadcast`` sums the
broadcast axes back."""

from __future__ import annotations

import math

import numpy as np

from numeric.op import BOOL, REALS, Cut, Domain, Kink, Op, register
from numeric.ops.common import (
    NONZERO,
    TIE,
    _case,
    _dtype,
    _like,
    _sp,
    _unsupported,
)

__all__: list[str] = []

# Branch cuts of the principal branches on complex inputs (docs/numeric.md, "Complex numbers"):
# complex samples keep away from them, and verify reports a given input on one.
_NEGATIVE = (Cut(-math.inf, 0.0),)                             # log, sqrt, power's base
_OUTER = (Cut(-math.inf, -1.0), Cut(1.0, math.inf))            # arcsin, arccos, arctanh
_IMAGINARY = (Cut(-math.inf, -1.0, "imag"), Cut(1.0, math.inf, "imag"))  # arctan, arcsinh
CUT_POSITIVE = Domain(0.2, 3.0, cuts=_NEGATIVE)

# ---------------------------------------------------------------------------------------------
# Binary elementwise ops (NumPy broadcasting; unbroadcast sums the broadcast axes back)
# ---------------------------------------------------------------------------------------------
# name          forward         d/dx                                   d/dy
register(Op("add", np.add, (
    lambda g, out, x, y: g,
    lambda g, out, x, y: g),
    numpy=(np.add,), complex=True, doc="out = x + y"))
register(Op("subtract", np.subtract, (
    lambda g, out, x, y: g,
    lambda g, out, x, y: -g),
    numpy=(np.subtract,), complex=True, doc="out = x - y"))
register(Op("multiply", np.multiply, (
    lambda g, out, x, y: g * y,
    lambda g, out, x, y: g * x),
    numpy=(np.multiply,), complex=True, doc="out = x * y (Hadamard)"))
register(Op("divide", np.divide, (
    lambda g, out, x, y: g / y,
    lambda g, out, x, y: -g * out / y),
    domain=(REALS, NONZERO), numpy=(np.divide,), complex=True, doc="out = x / y"))
# d/dx x**y = y x**(y-1), with exponent 1 where x == y == 0 so that 0**-1 never appears
# (guarding y == 0 alone would cut the rule's own dependence on y: grad-of-grad d/dy at y = 0
# must see y x**(y-1), whose y-derivative there is 1/x);
# d/dy x**y = log(x) x**y, taken as 0 at x == 0 (its limit from x > 0 for y > 0).
# The guards' 1 is made in the forward's dtype (_where1), so float32 stays float32.
register(Op("power", np.power, (
    lambda g, out, x, y: g * y * x ** _where1((y == 0) & (x == 0), y - 1, x, y),
    lambda g, out, x, y: g * out * np.log(_where1(x == 0, x, x, y))),
    domain=(CUT_POSITIVE, REALS), numpy=(np.power,), complex=True, doc="out = x ** y"))
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
# logaddexp2: the slopes are the base-2 softmax weights 2^(x - out), 2^(y - out).
register(Op("logaddexp2", np.logaddexp2, (
    lambda g, out, x, y: g * np.exp2(x - out),
    lambda g, out, x, y: g * np.exp2(y - out)),
    numpy=(np.logaddexp2,), doc="out = log2(2^x + 2^y), without overflow"))
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
    complex=True, doc="out = x where c else y"))


def _abs_complex(g, out, z):
    """g conj(z) / |z|, and 0 at z = 0: written without np.sign, whose rule (slope 0) holds on
    real numbers only, so that the rule's own derivative is right at higher order."""
    return g * np.conjugate(z) / np.where(out == 0, 1.0, out)


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
            numpy=(np.negative,), complex=True, doc="out = -x"))
register(Op("exp", np.exp, (lambda g, out, x: g * out,),
            numpy=(np.exp,), methods=("exp",), complex=True, doc="out = e ** x"))
register(Op("log", np.log, (lambda g, out, x: g / x,),
            domain=(CUT_POSITIVE,), numpy=(np.log,), methods=("log",), complex=True,
            doc="out = ln x"))
register(Op("sqrt", np.sqrt, (lambda g, out, x: g / (2 * out),),
            complex=True,
            domain=(CUT_POSITIVE,), numpy=(np.sqrt,), methods=("sqrt",), doc="out = x ** 0.5"))
register(Op("tanh", np.tanh, (lambda g, out, x: g * (1 - out * out),),
            numpy=(np.tanh,), methods=("tanh",), complex=True, doc="out = tanh x"))
register(Op("sin", np.sin, (lambda g, out, x: g * np.cos(x),),
            numpy=(np.sin,), methods=("sin",), complex=True, doc="out = sin x"))
register(Op("cos", np.cos, (lambda g, out, x: -g * np.sin(x),),
            numpy=(np.cos,), methods=("cos",), complex=True, doc="out = cos x"))
register(Op("tan", np.tan, (lambda g, out, x: g * (1 + out * out),),
            complex=True,
            domain=(Domain(-1.2, 1.2),), numpy=(np.tan,), methods=("tan",), doc="out = tan x"))
register(Op("sinh", np.sinh, (lambda g, out, x: g * np.cosh(x),),
            numpy=(np.sinh,), methods=("sinh",), complex=True, doc="out = sinh x"))
register(Op("cosh", np.cosh, (lambda g, out, x: g * np.sinh(x),),
            numpy=(np.cosh,), methods=("cosh",), complex=True, doc="out = cosh x"))
# Inverse trigonometric and hyperbolic functions: each slope from the identity it inverts.
register(Op("arcsin", np.arcsin, (lambda g, out, x: g / np.sqrt(1 - x * x),),
            domain=(Domain(-0.9, 0.9, cuts=_OUTER),), numpy=(np.arcsin,), complex=True,
            doc="out = sin⁻¹ x"))
register(Op("arccos", np.arccos, (lambda g, out, x: -g / np.sqrt(1 - x * x),),
            domain=(Domain(-0.9, 0.9, cuts=_OUTER),), numpy=(np.arccos,), complex=True,
            doc="out = cos⁻¹ x"))
register(Op("arctan", np.arctan, (lambda g, out, x: g / (1 + x * x),),
            domain=(Domain(cuts=_IMAGINARY),), numpy=(np.arctan,), complex=True,
            doc="out = tan⁻¹ x"))
register(Op("arcsinh", np.arcsinh, (lambda g, out, x: g / np.sqrt(x * x + 1),),
            domain=(Domain(cuts=_IMAGINARY),), numpy=(np.arcsinh,), complex=True,
            doc="out = sinh⁻¹ x"))
# arccosh' = 1 / (sqrt(x - 1) sqrt(x + 1)): analytic off its cut (-∞, 1]; 1 / sqrt(x² - 1) is
# the same for real x > 1 but flips sign at complex x with Re x < 0 (sqrt(x² - 1) has its own
# cuts on [-1, 1] and the imaginary axis).
register(Op("arccosh", np.arccosh, (lambda g, out, x: g / (np.sqrt(x - 1) * np.sqrt(x + 1)),),
            domain=(Domain(1.2, 3.0, cuts=(Cut(-math.inf, 1.0),)),), numpy=(np.arccosh,),
            complex=True, doc="out = cosh⁻¹ x"))
register(Op("arctanh", np.arctanh, (lambda g, out, x: g / (1 - x * x),),
            domain=(Domain(-0.9, 0.9, cuts=_OUTER),), numpy=(np.arctanh,), complex=True,
            doc="out = tanh⁻¹ x"))
# Other bases: ln 2 and ln 10 are exact constants on derive's symbols (_ln), Python floats
# (NumPy's weak scalars: float32 stays float32) elsewhere.
register(Op("log2", np.log2, (lambda g, out, x: g / (x * _ln(2, x)),),
            domain=(CUT_POSITIVE,), numpy=(np.log2,), complex=True, doc="out = log₂ x"))
register(Op("log10", np.log10, (lambda g, out, x: g / (x * _ln(10, x)),),
            domain=(CUT_POSITIVE,), numpy=(np.log10,), complex=True, doc="out = log₁₀ x"))
register(Op("exp2", np.exp2, (lambda g, out, x: g * out * _ln(2, x),),
            numpy=(np.exp2,), complex=True, doc="out = 2 ** x"))
# Linear maps: the cotangent is scaled by the same factor (π exact on symbols; written as a product,
# not np.deg2rad(g), which has no complex loop for the adjoint test's complex cotangents).
register(Op("deg2rad", np.deg2rad, (lambda g, out, x: g * (_pi(x) / 180),),
            numpy=(np.deg2rad, np.radians), doc="out = x π / 180 (np.radians too)"))
register(Op("rad2deg", np.rad2deg, (lambda g, out, x: g * (180 / _pi(x)),),
            numpy=(np.rad2deg, np.degrees), doc="out = x 180 / π (np.degrees too)"))
# sinc x = sin(πx) / (πx), 1 at 0; sinc' x = (cos(πx) - sinc x) / x, 0 at 0. At x == 0 exactly
# the rule uses x (π⁴x²/30 - π²/3), the start of sinc's Taylor series: 0 there, and its
# derivatives there are sinc's (grad of grad at 0 is -π²/3, not the 0 of a constant branch).
register(Op("sinc", np.sinc, (lambda g, out, x: g * _sinc_slope(out, x),),
            domain=(NONZERO,), numpy=(np.sinc,), complex=True,
            doc="out = sin(πx) / (πx), normalised sinc"))
register(Op("reciprocal", np.reciprocal, (lambda g, out, x: -g * out * out,),
            domain=(NONZERO,), numpy=(np.reciprocal,), complex=True, doc="out = 1 / x"))
# sigmoid x = (1 + tanh(x/2)) / 2 exactly: no exp to overflow at large |x|.
register(Op("sigmoid", lambda x: (1 + np.tanh(x / 2)) / 2, (
    lambda g, out, x: g * out * (1 - out),),
    methods=("sigmoid",), complex=True, doc="out = 1 / (1 + e^-x)"))
# softplus x = log(1 + e^x) = logaddexp(0, x); its slope sigmoid x = e^(x - out) never overflows.
register(Op("softplus", lambda x: np.logaddexp(0, x), (lambda g, out, x: g * np.exp(x - out),),
            methods=("softplus",), doc="out = log(1 + e^x)"))
register(Op("log1p", np.log1p, (lambda g, out, x: g / (1 + x),),
            domain=(Domain(-0.5, 2.0, cuts=(Cut(-math.inf, -1.0),)),), numpy=(np.log1p,),
            methods=("log1p",),
            complex=True, doc="out = log(1 + x)"))
register(Op("expm1", np.expm1, (lambda g, out, x: g * (out + 1),),
            numpy=(np.expm1,), methods=("expm1",), complex=True, doc="out = e^x - 1"))
register(Op("square", np.square, (lambda g, out, x: g * 2 * x,),
            numpy=(np.square,), methods=("square",), complex=True, doc="out = x * x"))
# On a complex z: d|z| = (x dx + y dy) / |z|, so its cotangent is g conj(z) / |z| (0 at z = 0).
register(Op("abs", np.abs, (
    lambda g, out, x: g * np.sign(x) if not np.iscomplexobj(x) else _abs_complex(g, out, x),),
            kink=Kink("abs'(0) = 0 (sign(0) = 0, the midpoint of the one-sided slopes)",
                      place=lambda x: (np.zeros_like(x),), slope=(0.0,)),
            domain=(Domain(-2.0, 2.0, avoid=(0.0,)),), numpy=(np.absolute,), methods=("abs",),
            complex=True, doc="out = |x|"))
register(Op("fabs", np.fabs, (lambda g, out, x: g * np.sign(x),),
            kink=Kink("fabs'(0) = 0 (sign(0) = 0, as for abs)",
                      place=lambda x: (np.zeros_like(x),), slope=(0.0,)),
            domain=(Domain(-2.0, 2.0, avoid=(0.0,)),), numpy=(np.fabs,),
            doc="out = |x| (floats only)"))
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




def _ln(base, x):
    """ln(base) in the dtype ``x`` computes in: exact (SymPy's log) on arrays of symbols."""
    if _dtype(x).kind == "O":
        return _like(np.asarray(_sp().log(base), dtype=object), x)
    return math.log(base)


def _pi(x):
    """π for a rule on ``x``: SymPy's exact π on arrays of symbols, a Python float otherwise."""
    if _dtype(x).kind == "O":
        return _like(np.asarray(_sp().pi, dtype=object), x)
    return math.pi


def _sinc_slope(out, x):
    pi = _pi(x)
    at0 = x == 0
    safe = _where1(at0, x, x)
    return np.where(at0, x * (pi ** 4 * x * x / 30 - pi * pi / 3),
                    (np.cos(pi * x) - out) / safe)

