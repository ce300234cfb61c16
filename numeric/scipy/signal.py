"""scipy.signal on Tensors, for code written against ``autograd.scipy.signal``: ``convolve``
is autograd's general N-d convolution (an op record, ``numeric/ops/scipy_signal.py``), with
autograd's signature ``convolve(A, B, axes=None, dot_axes=[(), ()], mode='full')`` — not
SciPy's ``convolve(in1, in2, mode, method)``. For plain arrays of the same number of
dimensions and the default axes it computes what ``scipy.signal.convolve(A, B, mode)`` does.
Any other name of ``scipy.signal`` is SciPy's function, refusing Tensors.

Example::

    import numpy as np
    from numeric import grad
    from numeric.scipy.signal import convolve
    grad(lambda k: np.sum(convolve(np.arange(4.0), k, mode="valid") ** 2))(np.ones(2))
"""

from __future__ import annotations

from typing import Any

from numeric.op import get_op
from numeric.ops.scipy_signal import _convolve, _roles
from numeric.scipy._common import passthrough

__all__ = ["convolve"]


def convolve(A: Any, B: Any, axes: Any = None, dot_axes: Any = ((), ()),
             mode: str = "full") -> Any:
    """A's ``axes[0]`` convolved with B's ``axes[1]`` (default: every axis of A with B's
    same-numbered axis), A's ``dot_axes[0]`` summed against B's ``dot_axes[1]``; the output's
    axes are A's other axes, then B's, then the convolved ones. ``mode``: 'full', 'valid'
    (one operand covers the other along every convolved axis) or 'same' (A's sizes)."""
    from numeric.tensor import Tensor

    if isinstance(A, Tensor) or isinstance(B, Tensor):
        return get_op("convolve")(A, B, axes=axes, dot_axes=dot_axes, mode=mode)
    import numpy as np

    A, B = np.asarray(A), np.asarray(B)
    _roles(A.shape, B.shape, axes, dot_axes, mode)
    return _convolve(A, B, axes, dot_axes, mode)


__getattr__ = passthrough("signal")
