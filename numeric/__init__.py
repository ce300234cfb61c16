"""numeric — a small reverse-mode autodiff engine on NumPy.

``Tensor`` records the ops applied to it; ``backward`` walks the graph once, in reverse
topological order, calling each op's VJP rule from the one op table (``numeric.ops``).
``grad``, ``value_and_grad`` and ``vjp`` are the functional API; NumPy functions called on
Tensors dispatch to the engine. Only NumPy is needed (graphviz when drawing).
Model-building ops have friendly functions too: ``relu``, ``sigmoid``, ``softplus``, ``softmax``,
``log_softmax``, ``logsumexp``, ``clip``, ``concatenate``, ``stack``, ``einsum``, ``slogdet``,
``norm`` (``numeric.functions``).
"""

from numeric import ops as _ops  # noqa: F401  (fills the op table)
from numeric.autodiff import backward, grad, toposort, value_and_grad, vjp
from numeric.functions import (
    clip,
    concatenate,
    einsum,
    log_softmax,
    logsumexp,
    norm,
    relu,
    sigmoid,
    slogdet,
    softmax,
    softplus,
    stack,
)
from numeric.op import Domain, Kink, Op, all_ops, get_op, unbroadcast
from numeric.op import register as _register
from numeric.ops import scatter_add
from numeric.tensor import Tensor, _dispatch_table, apply, is_grad_enabled, no_grad

__version__ = "0.1.0"

__all__ = [
    "Tensor", "apply", "no_grad", "is_grad_enabled", "backward", "toposort",
    "grad", "value_and_grad", "vjp", "Op", "Domain", "Kink", "register", "get_op", "all_ops",
    "unbroadcast", "scatter_add", "draw_dot", "__version__",
    "sigmoid", "relu", "softplus", "softmax", "log_softmax", "logsumexp", "clip", "concatenate",
    "stack", "einsum", "slogdet", "norm",
]


def register(op: Op, *, replace: bool = False):
    """Add a user op to the table and return a function applying it to Tensors or arrays.

    The op then behaves like a built-in: NumPy callables listed in ``op.numpy`` dispatch to it,
    and ``verify`` and ``derive`` see it.
    """
    _register(op, replace=replace)
    _dispatch_table()
    return lambda *inputs, **params: apply(op, *inputs, **params)


def draw_dot(root, format="svg", rankdir="LR", highlight=()):
    """See :func:`numeric.draw.draw_dot` (imports graphviz on first use)."""
    from numeric.draw import draw_dot as _draw

    return _draw(root, format=format, rankdir=rankdir, highlight=highlight)


_dispatch_table()
