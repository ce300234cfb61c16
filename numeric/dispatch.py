"""NumPy calls and Tensor methods, derived from the op records.

Every op record says which NumPy callables mean it (``Op.numpy``), which Tensor methods it
provides (``Op.methods``) and how such a call binds to its inputs and parameters (``Op.bind``).
This module turns that into NumPy's dispatch protocols (``__array_ufunc__``,
``__array_function__``) and methods on :class:`numeric.tensor.Tensor`, rebuilt whenever an op is
registered, so a user op gets exactly what a built-in gets. Non-differentiable NumPy calls
(comparisons, ``argmax``, shape queries) run on the values and return plain results;
anything else raises a TypeError naming the NumPy function. A record called with no Tensor
argument (``numeric.logsumexp(ndarray)``) returns plain values too.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from numeric import op as _op_module
from numeric.op import Op, all_ops, bind_inputs
from numeric.tensor import Tensor, apply

__all__ = ["call"]

# NumPy callables that are not differentiable: evaluated on values, they give constants — their
# results are integers, booleans, indices, shapes or piecewise-constant values (floor, round),
# whose derivative is 0 wherever it exists. An op record for one of them takes precedence.
_CONSTANT_UFUNCS = frozenset({
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
    np.isfinite, np.isnan, np.isinf, np.signbit, np.floor, np.ceil, np.trunc, np.rint,
    np.heaviside,
    np.floor_divide, np.isnat, np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert,
    np.left_shift, np.right_shift, np.gcd, np.lcm,
})
_CONSTANT_FUNCTIONS = frozenset({
    np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj,
    np.ones_like, np.zeros_like, np.empty_like, np.full_like,
    np.allclose, np.isclose, np.array_equal, np.argmax, np.argmin, np.argsort,
    np.count_nonzero, np.nonzero, np.array_repr, np.array_str, np.array2string,
    np.round, np.around, np.fix, np.all, np.any, np.argpartition, np.argwhere, np.flatnonzero,
    np.searchsorted, np.digitize, np.histogram, np.histogram_bin_edges, np.histogram2d,
    np.histogramdd, np.bincount, np.unique, np.unique_values, np.unique_counts,
    np.unique_inverse, np.unique_all, np.isin, np.lexsort, np.unravel_index,
    np.ravel_multi_index, np.isneginf, np.isposinf, np.iscomplex, np.isreal, np.array_equiv,
    np.tril_indices_from, np.triu_indices_from, np.diag_indices_from, np.may_share_memory,
    np.shares_memory, np.min_scalar_type, np.can_cast,
})
# Arguments of constant functions whose values would reach the result (a fill value, histogram
# weights): a Tensor that requires grad there is refused rather than silently made a constant.
# function -> (position, keyword)
_VALUE_ARGUMENTS: dict[Any, tuple[int, str]] = {
    np.full_like: (1, "fill_value"), np.histogram: (4, "weights"),
    np.histogramdd: (4, "weights"), np.histogram2d: (5, "weights"), np.bincount: (1, "weights"),
}
# Call forms of differentiable functions that are constant: np.where(c) gives indices.
_CONSTANT_FORMS: dict[Any, Any] = {
    np.where: lambda args, kwargs: len(args) + len(kwargs) == 1,
}
_UFUNCS: dict[Any, tuple[Op, Any]] = {}
_FUNCTIONS: dict[Any, tuple[Op, Any]] = {}
_METHODS: dict[str, Any] = {}  # the Tensor methods this module added (name -> function)


def call(op: Op, binder: Any, args: tuple, kwargs: dict, where: str = "",
         traced: bool = False) -> Any:
    """Bind a NumPy-style call with ``binder`` and apply ``op`` to the bound inputs.

    With no Tensor among the arguments the result is plain (ndarrays, as NumPy's functions and
    autograd's give): ``numeric.logsumexp(ndarray)`` is an ndarray, a Tensor argument gives a
    Tensor. ``traced``: the caller knows a Tensor is among them (NumPy's dispatch, a method),
    so the search for one is skipped on the notebook's hot path."""
    try:
        bound = binder(*args, **kwargs)
    except TypeError as e:
        message = str(e).replace(f"{getattr(binder, '__name__', '')}()", "it")
        raise TypeError(f"{where or op.name}: {message}") from None
    inputs, params = bound[0], bound[1]
    for k, v in params.items():
        if isinstance(v, Tensor):
            raise TypeError(f"{op.name}: parameter {k!r} is a Tensor, but parameters such as "
                            "axes, shapes and bounds must be constants (they are not "
                            f"differentiated): pass {k}.value, or compute it with ops")
    out = apply(op, *inputs, **params)
    out = bound[2](out) if len(bound) > 2 else out
    if traced or any(isinstance(v, Tensor) for v in inputs) or _holds_tensor((args, kwargs)):
        return out
    return _plain(out)  # no Tensor argument: plain values, as NumPy's own functions give


def _array_ufunc(self: Tensor, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    entry = _UFUNCS.get(ufunc)
    if entry is None and ufunc in _CONSTANT_UFUNCS:  # any method, any keyword: on values
        return getattr(ufunc, method)(*_values(inputs), **{k: _values(v) for k, v in
                                                            kwargs.items()})
    if method != "__call__":
        raise TypeError(f"numpy.{ufunc.__name__}.{method} is not supported on Tensor")
    if kwargs and (entry is None or entry[1] is bind_inputs):
        raise TypeError(f"numpy.{ufunc.__name__} on Tensor takes no keyword arguments "
                        f"(got {', '.join(sorted(kwargs))})")
    if entry is not None:
        if entry[1] is bind_inputs:  # the usual ufunc record: its inputs are the call's
            return apply(entry[0], *inputs)
        # a gufunc record with its own binder (np.vecdot's axis=) takes keywords through it
        return call(entry[0], entry[1], inputs, kwargs, f"numpy.{ufunc.__name__} on Tensor",
                    True)
    raise TypeError(f"numpy.{ufunc.__name__} is not supported on Tensor: "
                    "register an Op for it (numeric.register)")


def _array_function(self: Tensor, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
    entry = _FUNCTIONS.get(func)
    form = _CONSTANT_FORMS.get(func)
    if form is not None and form(args, kwargs):
        entry = None
    if entry is not None:
        return call(entry[0], entry[1], args, kwargs, f"{_numpy_name(func)} on Tensor", True)
    if func in _CONSTANT_FUNCTIONS or form is not None:
        _refuse_tracked_values(func, args, kwargs)
        return func(*_values(args), **{k: _values(v) for k, v in kwargs.items()})
    raise TypeError(f"{_numpy_name(func)} is not supported on Tensor: "
                    "register an Op for it (numeric.register)")


def _method(op: Op, name: str, binder: Any) -> Any:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        if binder is bind_inputs and not kwargs:  # t.tanh(), t.maximum(y): inputs only, fast
            return apply(op, self, *args)
        return call(op, binder, (self, *args), kwargs, f"Tensor.{name}", True)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"The op {op.name!r}: {op.doc}" if op.doc else f"The op {op.name!r}."
    return method


def _rebuild(_: Op | None = None) -> None:
    """Derive the dispatch tables and Tensor methods from the registry (later records win).

    Everything is worked out before anything changes, so a bad record leaves the old tables.
    """
    ufuncs: dict[Any, tuple[Op, Any]] = {}
    functions: dict[Any, tuple[Op, Any]] = {}
    methods: dict[str, Any] = {}
    for op in all_ops().values():
        for target, binder in op.binders():
            if isinstance(target, str):
                if target not in _METHODS and hasattr(Tensor, target):
                    raise ValueError(f"op {op.name!r} declares the Tensor method {target!r}, "
                                     "which Tensor already has for its own use")
                methods[target] = _method(op, target, binder)
            elif isinstance(target, np.ufunc):
                ufuncs[target] = (op, binder)
            elif callable(target):
                functions[target] = (op, binder)
            else:
                raise TypeError(f"op {op.name!r}: {target!r} in numpy/methods is neither a "
                                "NumPy callable nor a method name")
    for name in _METHODS:
        delattr(Tensor, name)
    _UFUNCS.clear(), _FUNCTIONS.clear(), _METHODS.clear()
    _UFUNCS.update(ufuncs), _FUNCTIONS.update(functions), _METHODS.update(methods)
    for name, method in methods.items():
        setattr(Tensor, name, method)


@functools.cache  # read on every NumPy call on a Tensor (its error context)
def _numpy_name(func: Any) -> str:
    module = getattr(func, "__module__", None) or "numpy"
    module = "numpy" if module.startswith("numpy._core") or module == "numpy" else module
    return f"{module.replace('numpy.linalg._linalg', 'numpy.linalg')}.{func.__name__}"


def _refuse_tracked_values(func: Any, args: tuple, kwargs: dict) -> None:
    where = _VALUE_ARGUMENTS.get(func)
    if where is None:
        return
    pos, name = where
    v = args[pos] if len(args) > pos else kwargs.get(name)
    if isinstance(v, Tensor) and v.requires_grad:
        raise TypeError(f"{_numpy_name(func)} on Tensor: its result is a constant, so its "
                        f"argument {name!r} cannot be a Tensor that requires grad (its gradient "
                        f"would be lost): pass {name}.value if that is what you mean")


def _holds_tensor(x: Any) -> bool:
    """Whether a Tensor is among ``x``, its sequences' items or its dicts' values (iterative)."""
    todo = [x]
    while todo:
        v = todo.pop()
        if isinstance(v, Tensor):
            return True
        if isinstance(v, (tuple, list)):
            todo.extend(v)
        elif isinstance(v, dict):
            todo.extend(v.values())
    return False


def _plain(out: Any) -> Any:
    """``out`` with each Tensor replaced by its value (results may be tuples, named or not)."""
    if isinstance(out, Tensor):
        return out.value
    if isinstance(out, (tuple, list)):
        items = [_plain(v) for v in out]  # shallow results: (q, r), [first, ...], (x, res, ...)
        return type(out)(*items) if hasattr(type(out), "_fields") else type(out)(items)
    return out


def _values(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.value
    if isinstance(x, (tuple, list)):
        return type(x)(_values(v) for v in x)
    return x


Tensor.__array_ufunc__ = _array_ufunc
Tensor.__array_function__ = _array_function
_op_module._ENGINE["call"] = call
_op_module._ENGINE["registered"] = _rebuild
_rebuild()
