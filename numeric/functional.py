"""autograd's differential operators, with its names and call shapes, on the numeric engine.

Each ``op(fun, argnum=0)`` returns a function taking ``fun``'s arguments (keywords forwarded);
``argnum`` is an int or a tuple, and an argument may be a tuple, list or dict of arrays, as in
``numeric.autodiff``. Forward mode (``make_jvp``, ``deriv``) is reverse-of-reverse: the VJP is
linear in its cotangent, so differentiating a recorded backward pass with respect to that
cotangent gives the exact Jacobian-vector product. Every operator nests (``hessian`` is
``jacobian`` of ``jacobian``) with the semantics of ``numeric.autodiff``.
"""

from __future__ import annotations

import functools
import inspect
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from numeric.autodiff import _ones_for_scalar, _plain, grad, make_vjp, nary, trace
from numeric.backprop import _float_dtype
from numeric.op import Op
from numeric.structure import flatten, is_container
from numeric.tensor import Tensor, apply

__all__ = ["elementwise_grad", "deriv", "jacobian", "hessian", "make_hvp",
           "hessian_tensor_product", "hessian_vector_product", "tensor_jacobian_product",
           "vector_jacobian_product", "make_jvp", "make_ggnvp", "grad_and_aux", "grad_named",
           "multigrad_dict", "checkpoint", "linear_combination_of_hessians", "holomorphic_grad"]


def _operator(unary_op: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ``unary_op(unary_fun, x)`` into ``op(fun, argnum=0)(*args, **kwargs)``."""
    @functools.wraps(unary_op)
    def op(fun: Callable[..., Any], argnum: Any = 0) -> Callable[..., Any]:
        bind = nary(fun, argnum)

        @functools.wraps(fun)
        def at(*args: Any, **kwargs: Any) -> Any:
            return unary_op(*bind(args, kwargs))
        return at
    return op


@_operator
def elementwise_grad(fun: Callable[[Any], Any], x: Any) -> Any:
    """The sum of the Jacobian's rows (its diagonal when ``fun`` acts elementwise)."""
    vjp_fn, ans, _ = trace(fun, x)
    leaves, rebuild = flatten(ans)
    return vjp_fn(rebuild([np.ones(np.shape(_plain(v)), dtype=_float_dtype(np.asarray(_plain(v))))
                           for v in leaves]))


@_operator
def jacobian(fun: Callable[[Any], Any], x: Any) -> Any:
    """d fun / d x, of shape ``fun(x).shape + x.shape``. For a container ``x`` (or output), one
    Jacobian per leaf, in its structure (``hessian(f, (0, 1))`` is ``((Hxx, Hxy), (Hyx, Hyy))``).
    """
    outs: list[Any] = []

    def flat(x: Any) -> Any:  # a container output becomes one vector of its raveled leaves
        out = fun(x)
        outs.append((*flatten(out), is_container(out)))
        if not is_container(out):
            return out
        return np.concatenate([np.reshape(v, (-1,)) for v in outs[-1][0]])

    vjp_fn, ans, _ = trace(flat, x)
    shape = np.shape(_plain(ans))
    size = int(np.prod(shape))
    dtype = _float_dtype(np.asarray(_plain(ans)))
    rows = []
    for i in range(size):  # one backward pass per output element, as autograd does
        e = np.zeros(size, dtype=dtype)
        e[i] = 1
        rows.append(flatten(vjp_fn(e.reshape(shape)))[0])
    leaves, rebuild = flatten(x)
    whole = [np.stack([r[j] for r in rows]) if rows else np.zeros((0,) + np.shape(leaf))
             for j, leaf in enumerate(leaves)]
    out_leaves, out_rebuild, many = outs[0]
    if not many:
        return rebuild([np.reshape(w, shape + np.shape(leaf)) for w, leaf in zip(whole, leaves)])
    blocks, start = [], 0
    for v in out_leaves:
        n = int(np.size(_plain(v)))
        blocks.append(rebuild([np.reshape(w[start:start + n], np.shape(v) + np.shape(leaf))
                               for w, leaf in zip(whole, leaves)]))
        start += n
    return out_rebuild(blocks)


@_operator
def hessian(fun: Callable[[Any], Any], x: Any) -> Any:
    """The exact Hessian: ``jacobian(jacobian(fun))``, of shape ``out + x.shape + x.shape``."""
    return jacobian(jacobian(fun))(x)


@_operator
def make_hvp(fun: Callable[[Any], Any], x: Any) -> tuple[Callable[[Any], Any], Any]:
    """``hvp, g = make_hvp(f)(x)``: ``hvp(v)`` is H v at x for many v (one forward pass)."""
    return make_vjp(grad(fun))(x)


def hessian_tensor_product(fun: Callable[..., Any], argnum: Any = 0) -> Callable[..., Any]:
    """``hessian_tensor_product(f)(*args, v, **kwargs)``: the Hessian contracted with ``v``."""
    fun_grad = grad(fun, argnum)

    def v_dot_grad(*args: Any, **kwargs: Any) -> Any:
        return _inner(fun_grad(*args[:-1], **kwargs), args[-1])

    return grad(v_dot_grad, argnum)


def tensor_jacobian_product(fun: Callable[..., Any], argnum: Any = 0) -> Callable[..., Any]:
    """``tensor_jacobian_product(f)(*args, v, **kwargs)``: ``v`` contracted with the leading
    axes of the Jacobian (``np.tensordot(v, J, v.ndim)``): a VJP when ``v`` has f's shape."""
    def v_dot_fun(*args: Any, **kwargs: Any) -> Any:
        v = args[-1]
        out = fun(*args[:-1], **kwargs)
        k = np.ndim(v)
        lead, rest = np.shape(out)[:k], np.shape(out)[k:]
        if lead != np.shape(v):
            raise ValueError(f"tensor_jacobian_product: the tensor has shape {np.shape(v)}, "
                             f"but f's output has shape {np.shape(out)}")
        flat = np.reshape(out, (int(np.prod(lead)), int(np.prod(rest))))
        return np.reshape(np.reshape(v, (-1,)) @ flat, rest)

    return jacobian(v_dot_fun, argnum)


@_operator
def make_jvp(fun: Callable[[Any], Any], x: Any) -> Callable[[Any], tuple[Any, Any]]:
    """``jvp = make_jvp(f)(x)``; ``jvp(v)`` is ``(f(x), J v)``, forward mode (exact)."""
    state: dict[str, Any] = {}

    def jvp(v: Any) -> tuple[Any, Any]:
        if not state:  # the forward and the recorded backward pass are built once, for every v
            state["ans"], state["pull"] = _linearize(fun, x)
        return state["ans"], state["pull"](v)

    return jvp


@_operator
def deriv(fun: Callable[[Any], Any], x: Any) -> Any:
    """``J 1``: for a scalar x, the derivative of every output; forward mode."""
    ones = flatten(x)[1]([np.ones(np.shape(_plain(v))) for v in flatten(x)[0]])
    return make_jvp(fun)(x)(ones)[1]


def linear_combination_of_hessians(fun: Callable[..., Any], argnum: Any = 0) -> Callable[..., Any]:
    """``(*args, v)``: Σᵢ vᵢ ∇² funᵢ, the Hessian of ``v · fun`` (SciPy's ``hess(x, v)`` for a
    ``NonlinearConstraint``), as in autograd's newer releases."""
    return hessian(lambda *args, **kwargs: _inner(fun(*args[:-1], **kwargs), args[-1]), argnum)


def make_ggnvp(f: Callable[..., Any], g: Callable[[Any], Any] | None = None,
               f_argnum: Any = 0) -> Callable[..., Callable[[Any], Any]]:
    """``ggnvp = make_ggnvp(f, g)(*args)``; ``ggnvp(v)`` is Jᵀ H_g J v, the generalized
    Gauss-Newton matrix of ``g(f(x))`` times ``v`` (``g`` defaults to ½ Σ y² on the last axis)."""
    g = _half_square if g is None else g
    bind = nary(f, f_argnum)

    def at(*args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        unary, x = bind(args, kwargs)
        f_vjp, f_x, _ = trace(unary, x)
        g_hvp, _ = make_vjp(grad(g))(f_x)
        f_jvp = make_jvp(unary)(x)
        return lambda v: f_vjp(g_hvp(f_jvp(v)[1]))

    return at


@_operator
def grad_and_aux(fun: Callable[[Any], Any], x: Any) -> tuple[Any, Any]:
    """For ``fun`` returning ``(value, aux)``: ``(d value / dx, aux)``."""
    aux: list[Any] = []

    def first(x: Any) -> Any:
        ans, extra = fun(x)
        aux.append(extra)
        return ans

    vjp_fn, ans, nested = trace(first, x)
    gx = vjp_fn(_ones_for_scalar(ans, "grad_and_aux"))
    if nested:
        return gx, aux[0]
    leaves, rebuild = flatten(aux[0])  # aux as values: the trace it was computed on is done
    return gx, rebuild([_plain(v) for v in leaves])


def grad_named(fun: Callable[..., Any], argname: str) -> Callable[..., Any]:
    """The gradient with respect to the argument named ``argname`` (not ``*args``/``**kw``)."""
    names = [p.name for p in inspect.signature(fun).parameters.values()
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if argname not in names:
        raise TypeError(f"grad_named: {getattr(fun, '__name__', fun)!r} has no positional "
                        f"argument {argname!r} (it has {', '.join(names) or 'none'})")
    return grad(fun, names.index(argname))


def holomorphic_grad(fun: Callable[..., Any], argnum: Any = 0) -> Callable[..., Any]:
    """f'(z) for a holomorphic scalar ``fun`` of complex z (autograd's ``holomorphic_grad``):
    with f = u + iv, grad's ∂u/∂x − i ∂u/∂y is u_x + i v_x = f'(z) by Cauchy–Riemann, so it is
    the gradient of Re f. ``holomorphic_grad(np.sin)(1 + 2j) == np.cos(1 + 2j)``."""
    return grad(lambda *args, **kwargs: np.real(fun(*args, **kwargs)), argnum)


def multigrad_dict(fun: Callable[..., Any]) -> Callable[..., OrderedDict]:
    """Gradients with respect to every argument at once: ``{argname: gradient}``, in order."""
    sig = inspect.signature(fun)

    def gradfun(*args: Any, **kwargs: Any) -> OrderedDict:
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)

        def by_name(values: dict[str, Any]) -> Any:
            again = inspect.BoundArguments(sig, OrderedDict(values))
            return fun(*again.args, **again.kwargs)

        grads = grad(by_name)(arguments)
        return OrderedDict((name, grads[name]) for name in arguments)

    return gradfun


def checkpoint(fun: Callable[..., Any]) -> Callable[..., Any]:
    """``fun`` recording one node: its intermediate values are not kept but recomputed in the
    backward pass (memory for time). Tensors that require grad must be positional arguments."""
    name = getattr(fun, "__name__", "fun")

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        tracked = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        if not tracked:
            return fun(*args, **kwargs)

        def at(values: tuple) -> Any:
            full = list(args)
            for i, v in zip(tracked, values):
                full[i] = v
            out = fun(*full, **kwargs)
            if is_container(out):
                raise TypeError(f"checkpoint({name}): the function must return one array, "
                                f"not a {type(out).__name__}")
            return out

        last: list[Any] = []  # (g, cotangents): the recomputation serves every input of one g

        def rule(k: int, g: Any, out: Any, *values: Any) -> Any:
            if not last or last[0] is not g:
                cotangents = make_vjp(lambda *v: at(v), tuple(range(len(values))))(*values)[0](g)
                last[:] = [g, cotangents]
            return last[1][k]

        op = Op(f"checkpoint({name})", lambda *values: at(values),
                tuple(functools.partial(rule, k) for k in range(len(tracked))),
                doc=f"{name}, recomputed in the backward pass")
        return apply(op, *(args[i] for i in tracked))

    return functools.wraps(fun)(wrapped)


hessian_vector_product = hessian_tensor_product
vector_jacobian_product = tensor_jacobian_product


def _linearize(fun: Callable[[Any], Any], x: Any) -> tuple[Any, Callable[[Any], Any]]:
    """``(fun(x), v -> J v)`` by reverse-of-reverse: vjp_fn(g) = Jᵀ g is linear in g, so the
    VJP of ``g -> Jᵀ g`` (at any g, here 0) applied to v is (Jᵀ)ᵀ v = J v, exactly."""
    vjp_fn, ans, _ = trace(fun, x)
    leaves, rebuild = flatten(x)
    shapes = [np.shape(_plain(v)) for v in leaves]

    def transposed(g: Any) -> Any:  # every leaf's cotangent, raveled into one vector if many
        parts = flatten(vjp_fn(g))[0]
        if len(parts) == 1:
            return parts[0]
        return np.concatenate([np.reshape(p, (-1,)) for p in parts])

    out_leaves, out_rebuild = flatten(ans)  # zeros shaped like f's output (any structure)
    zero = out_rebuild([np.zeros(np.shape(_plain(v)), dtype=_float_dtype(np.asarray(_plain(v))))
                        for v in out_leaves])
    pull, _ = make_vjp(transposed)(zero)

    def jvp(v: Any) -> Any:
        vs = flatten(v)[0]
        if [np.shape(_plain(u)) for u in vs] != shapes:
            raise ValueError(f"jvp: the tangent has shapes {[np.shape(u) for u in vs]}, but "
                             f"the input has shapes {shapes}")
        return pull(vs[0] if len(vs) == 1 else np.concatenate([np.reshape(u, (-1,)) for u in vs]))

    return ans, jvp


def _inner(a: Any, b: Any) -> Any:
    """The sum of elementwise products over every leaf of two same-shaped structures."""
    pairs = zip(flatten(a)[0], flatten(b)[0])
    return sum((np.sum(x * y) for x, y in pairs), start=0.0)


def _half_square(y: Any) -> Any:
    return 0.5 * np.sum(y * y, axis=-1)
