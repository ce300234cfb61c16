"""numeric.scipy — SciPy's differentiable functions on Tensors, for code written against
``autograd.scipy``: change ``import autograd.scipy.special`` to ``import numeric.scipy.special``.
Needs SciPy (``pip install 'gradproof[scipy]'``); the op records themselves import it only when
called, so the table loads with NumPy alone.
"""

from numeric.scipy import special, stats  # noqa: F401  (neither imports SciPy itself)
