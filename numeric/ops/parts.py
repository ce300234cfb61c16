"""The parts of a number — ``real``, ``imag``, ``conjugate`` (``np.conj``), ``angle`` — on real
inputs: real(x) = conj(x) = x; imag(x) = 0; angle(x) = 0 for x > 0 and π for x < 0, piecewise
constant with a jump at 0. Complex Tensors are a later phase: these refuse them by name.
"""

from __future__ import annotations

import numpy as np

from numeric.kinds.broadcasting import UNARY
from numeric.op import Kink, Op, register
from numeric.ops.common import NONZERO, _case

__all__: list[str] = []

# name         forward        d/dx
register(Op("real", np.real, (lambda g, out, x: g,),
            bind=lambda val: _real_only("real", val), numpy=(np.real,),
            doc="out = x (the real part of a real number)"))
register(Op("imag", np.imag, (lambda g, out, x: 0 * g,),
            bind=lambda val: _real_only("imag", val), numpy=(np.imag,),
            doc="out = 0 (the imaginary part of a real number); its gradient is 0"))
register(Op("conjugate", np.conjugate, (lambda g, out, x: g,),
            bind=lambda x: _real_only("conjugate", x), numpy=(np.conjugate,),
            methods=("conj", "conjugate"), doc="out = x (np.conj: a real number is its own "
                                               "conjugate)"))
register(Op("angle", lambda x, deg=False: np.angle(x, deg=deg), (
    lambda g, out, x, deg=False: 0 * g,),
    kink=Kink("angle jumps from π to 0 at x = 0; its slope is 0 on both sides and there",
              place=lambda x: (np.zeros_like(x),), slope=(0.0,)),
    domain=(NONZERO,), bind=lambda z, deg=False: _real_only("angle", z, deg=bool(deg)),
    numpy=(np.angle,), cases=UNARY + (_case((2, 3), deg=True, label="deg=True"),),
    doc="out = 0 for x > 0, π (180 with deg=True) for x < 0"))


def _real_only(name, x, **params):
    if np.iscomplexobj(x):
        raise TypeError(f"{name}: complex inputs (dtype {np.result_type(x)}, shape "
                        f"{np.shape(x)}) are not supported yet; only real inputs are, for now")
    return (x,), params
