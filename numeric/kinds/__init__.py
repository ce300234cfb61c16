"""Every kind of op (see :class:`numeric.kind.Kind`), one object each, grouped by module:

- ``broadcasting``: ``ELEMENTWISE`` (the default), ``BROADCAST_TO``, ``MATMUL``, ``SOLVE``;
- ``reduction``: ``REDUCE``, ``MOMENT``, ``SOFTMAX``, ``NORM``, ``AVERAGE``;
- ``layout``: ``RESHAPE``, ``TRANSPOSE``, ``SWAPAXES``, ``EXPAND_DIMS``, ``SQUEEZE``,
  ``INDEX``, ``SCATTER``, ``FLIP``, ``PAD``, ``CONCATENATE``, ``STACK``;
- ``building``: ``TILE``, ``ROT90``, ``ROLL``, ``DIAG``, ``TRI``, ``SELECT``, ``SORT``,
  ``PARTITION``, ``LINSPACE``, ``ASTYPE``;
- ``linalg``: ``SQUARE``, ``DIAGONAL``, ``DOT``, ``OUTER``, ``EINSUM``, and ``OTHER`` for a
  user op that declares its own cases;
- ``scan``: ``SCAN``, ``DIFF``, ``GRADIENT``;
- ``products``: ``INNER``, ``TENSORDOT``, ``VDOT``, ``KRON``, ``CROSS``, ``VECDOT``,
  ``MATVEC``, ``VECMAT``;
- ``decomposition``: ``SVD_KIND``, ``SYMMETRIC``, ``QR_KIND``, ``PINV``, ``LSTSQ``,
  ``MATRIX_POWER``;
- ``eig``: ``EIG``, ``EIGVALS`` (general eigendecomposition: an ``align`` hook for FD).

A new kind is one ``Kind(...)`` beside its relatives and the op rows that use it.
"""

from numeric.kinds.broadcasting import BROADCAST_TO, ELEMENTWISE, MATMUL, SOLVE
from numeric.kinds.building import (
    ASTYPE,
    DIAG,
    LINSPACE,
    PARTITION,
    ROLL,
    ROT90,
    SELECT,
    SORT,
    TILE,
    TRI,
)
from numeric.kinds.decomposition import LSTSQ, MATRIX_POWER, PINV, QR_KIND, SVD_KIND, SYMMETRIC
from numeric.kinds.eig import EIG, EIGVALS
from numeric.kinds.layout import (
    CONCATENATE,
    EXPAND_DIMS,
    FLIP,
    INDEX,
    PAD,
    RESHAPE,
    SCATTER,
    SQUEEZE,
    STACK,
    SWAPAXES,
    TRANSPOSE,
)
from numeric.kinds.linalg import DIAGONAL, DOT, EINSUM, OTHER, OUTER, SQUARE
from numeric.kinds.products import CROSS, INNER, KRON, MATVEC, TENSORDOT, VDOT, VECDOT, VECMAT
from numeric.kinds.reduction import AVERAGE, MOMENT, NORM, REDUCE, SOFTMAX
from numeric.kinds.scan import DIFF, GRADIENT, SCAN

__all__ = [
    "ELEMENTWISE", "BROADCAST_TO", "MATMUL", "SOLVE", "REDUCE", "MOMENT", "SOFTMAX", "NORM",
    "RESHAPE", "TRANSPOSE", "SWAPAXES", "EXPAND_DIMS", "SQUEEZE", "INDEX", "SCATTER", "FLIP",
    "PAD", "CONCATENATE", "STACK", "SQUARE", "DIAGONAL", "DOT", "OUTER", "EINSUM", "OTHER",
    "TILE", "ROT90", "ROLL", "DIAG", "TRI", "SELECT", "SORT", "PARTITION", "LINSPACE", "ASTYPE",
    "SCAN", "DIFF", "GRADIENT", "AVERAGE",
]
__all__ += ["SVD_KIND", "SYMMETRIC", "QR_KIND", "PINV", "LSTSQ", "MATRIX_POWER"]
__all__ += ["INNER", "TENSORDOT", "VDOT", "KRON", "CROSS", "VECDOT", "MATVEC", "VECMAT"]
__all__ += ["EIG", "EIGVALS"]
