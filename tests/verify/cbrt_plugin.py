"""A user op written outside gradproof: the cube root, one record and nothing else.

``tests/verify/test_user_op.py`` registers it from here (``--plugin cbrt_plugin``) and shows it
gets everything a built-in gets.
"""

import numpy as np

from numeric import Domain, Op, register

register(Op("cbrt", np.cbrt, (lambda g, out, x: g / (3 * out * out),),
            domain=(Domain(0.3, 2.0),), numpy=(np.cbrt,), methods=("cbrt",),
            doc="out = x ** (1/3)"))
