"""The parts of a number — ``real``, ``imag``, ``conjugate`` (``np.conj``), ``angle`` — on real
and complex inputs, with autograd's convention for a complex input z = x + iy: the cotangent of
z is ∂l/∂x − i ∂l/∂y for a real-valued l (docs/numeric.md, "Complex numbers").

On a real input: real(x) = conj(x) = x; imag(x) = 0; angle(x) = 0 for x > 0 and π for x < 0,
piecewise constant with a jump at 0. On a complex input: real(z) = x has cotangent g; imag(z) = y
has −i g; conj(z) has conj(g); angle(z) = atan2(y, x) has −i conj(z) g / |z|² (its x-slope is
−y/|z|², its y-slope x/|z|²). A real output's cotangent for a complex input is made complex, so a
gradient has its input's dtype.
"""

from __future__ import annotations

import math

import numpy as np

from numeric.kinds.broadcasting import UNARY
from numeric.op import Cut, Domain, Kink, Op, register
from numeric.ops.common import _case

__all__: list[str] = []

# name         forward        d/dx (real x | complex z)
register(Op("real", np.real, (lambda g, out, x: _complex_of(x, g, g),),
            bind=lambda val: ((val,), {}), numpy=(np.real,), complex=True,
            doc="out = x, the real part (a real number is its own real part)"))
register(Op("imag", np.imag, (lambda g, out, x: 0 * g if not np.iscomplexobj(x) else -1j * g,),
            bind=lambda val: ((val,), {}), numpy=(np.imag,), complex=True,
            doc="out = y, the imaginary part (0 for a real number; its gradient is then 0)"))
register(Op("conjugate", np.conjugate, (
    lambda g, out, x: g if not np.iscomplexobj(x) else np.conjugate(g),),
    bind=lambda x: ((x,), {}), numpy=(np.conjugate,), methods=("conj", "conjugate"),
    complex=True,
    doc="out = x − iy (np.conj: a real number is its own conjugate)"))
register(Op("angle", lambda x, deg=False: np.angle(x, deg=deg), (
    lambda g, out, x, deg=False:
        0 * g if not np.iscomplexobj(x) else _angle_vjp(g, x, deg),),
    kink=Kink("on real inputs angle jumps from π to 0 at x = 0; its slope is 0 on both sides "
              "and there", place=lambda x: (np.zeros_like(x),), slope=(0.0,)),
    domain=(Domain(-2.0, 2.0, avoid=(0.0,), margin=0.2, cuts=(Cut(-math.inf, 0.0),)),),
    bind=lambda z, deg=False: ((z,), {"deg": bool(deg)}),
    numpy=(np.angle,), cases=UNARY + (_case((2, 3), deg=True, label="deg=True"),),
    complex=True, doc="out = atan2(y, x); 0 for x > 0, π (180 with deg=True) for x < 0"))


def _complex_of(x, g, value):
    """``value`` as a complex cotangent when ``x`` is complex (autograd's ``match_complex``)."""
    return value + 0j if np.iscomplexobj(x) and not np.iscomplexobj(value) else value


def _angle_vjp(g, z, deg):
    # d angle = (x dy − y dx) / |z|²: cotangent −y/|z|² − i x/|z|² = −i conj(z) / |z|².
    scale = 180 / np.pi if deg else 1.0
    return g * (-1j * scale) * np.conjugate(z) / (np.real(z) ** 2 + np.imag(z) ** 2)
