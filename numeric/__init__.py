"""numeric — a small reverse-mode autodiff engine on NumPy.

``Tensor`` records the ops applied to it; ``backward`` walks the graph once, in reverse
topological order, calling each op's VJP rule from the one op table (``numeric.ops``).
``grad``, ``value_and_grad`` and ``vjp`` are the functional API, with the rest of HIPS
autograd's (``jacobian``, ``hessian``, ``make_jvp``, ... — ``numeric.functional``); ``import
numeric.numpy as np`` is NumPy's namespace for code written for autograd. NumPy functions called on
Tensors dispatch to the engine. Every op record is callable with its NumPy-style call form, so
the ops without a NumPy twin are functions here too: ``numeric.relu(x)``, ``numeric.softmax(x,
axis=-1)``, ``numeric.logsumexp(x)``, ``numeric.einsum("ij,jk->ik", x, y)``. Only NumPy is
needed (graphviz when drawing).
"""

from numeric import dispatch as _dispatch  # noqa: F401  (derives NumPy dispatch and methods)
from numeric import ops as _ops  # noqa: F401  (fills the op table)
from numeric.autodiff import grad, make_vjp, value_and_grad, vjp
from numeric.backprop import backward, toposort
from numeric.functional import (
    checkpoint,
    deriv,
    elementwise_grad,
    grad_and_aux,
    grad_named,
    hessian,
    hessian_tensor_product,
    hessian_vector_product,
    holomorphic_grad,
    jacobian,
    linear_combination_of_hessians,
    make_ggnvp,
    make_hvp,
    make_jvp,
    multigrad_dict,
    tensor_jacobian_product,
    vector_jacobian_product,
)
from numeric.kind import Case, Kind
from numeric.op import Cut, Domain, Kink, Op, all_ops, get_op, register, unbroadcast, unregister
from numeric.tensor import Tensor, apply, is_grad_enabled, no_grad

__version__ = "0.1.0"

_table = all_ops()
sigmoid, relu, softplus = _table["sigmoid"], _table["relu"], _table["softplus"]
softmax, log_softmax, logsumexp = _table["softmax"], _table["log_softmax"], _table["logsumexp"]
clip, concatenate, stack, einsum = (_table["clip"], _table["concatenate"], _table["stack"],
                                    _table["einsum"])
slogdet, norm, scatter_add = _table["slogdet"], _table["norm"], _table["scatter_add"]
del _table

__all__ = [
    "Tensor", "apply", "no_grad", "is_grad_enabled", "backward", "toposort",
    "grad", "value_and_grad", "vjp", "Op", "Kind", "Case", "Domain", "Cut", "Kink", "register",
    "unregister", "get_op", "all_ops", "unbroadcast", "scatter_add", "draw_dot", "__version__",
    "sigmoid", "relu", "softplus", "softmax", "log_softmax", "logsumexp", "clip", "concatenate",
    "stack", "einsum", "slogdet", "norm",
    "make_vjp", "make_jvp", "elementwise_grad", "deriv", "jacobian", "hessian", "make_hvp",
    "hessian_tensor_product", "hessian_vector_product", "tensor_jacobian_product",
    "vector_jacobian_product", "make_ggnvp", "grad_and_aux", "grad_named", "multigrad_dict",
    "checkpoint", "linear_combination_of_hessians", "holomorphic_grad",
]


def draw_dot(root, format="svg", rankdir="LR", highlight=()):
    """See :func:`numeric.draw.draw_dot` (imports graphviz on first use)."""
    from numeric.draw import draw_dot as _draw

    return _draw(root, format=format, rankdir=rankdir, highlight=highlight)
