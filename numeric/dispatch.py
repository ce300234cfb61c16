"""NumPy calls and Tensor methods, derived from the op records.

Every op record says which NumPy callables mean it (``Op.numpy``), which Tensor methods it
provides (``Op.methods``) and how such a call binds to its inputs and parameters (``Op.bind``).
This module turns that into NumPy's dispatch protocols (``__array_ufunc__``,
``__array_function__``) and methods on :class:`numeric.tensor.Tensor`, rebuilt whenever an op is
registered, so a user op gets exactly what a built-in gets. Non-differentiable NumPy calls
(comparisons, ``argmax``, shape queries) run on the values and return plain results;
anything else raises a TypeError naming the NumPy function.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric import op as _op_module
from numeric.op import Op, all_ops, bind_inputs
from numeric.tensor import Tensor, apply

__all__ = ["call"]

# NumPy callables that are not differentiable: evaluated on values, they give constants.
_CONSTANT_UFUNCS = frozenset({
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
    np.isfinite, np.isnan, np.isinf, np.signbit, np.floor, np.ceil, np.trunc, np.rint,
    np.heaviside,
})
_CONSTANT_FUNCTIONS = frozenset({
    np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj,
    np.ones_like, np.zeros_like, np.empty_like, np.full_like,
    np.allclose, np.isclose, np.array_equal, np.argmax, np.argmin, np.argsort,
    np.count_nonzero, np.nonzero, np.array_repr, np.array_str, np.array2string,
})
_UFUNCS: dict[Any, tuple[Op, Any]] = {}
_FUNCTIONS: dict[Any, tuple[Op, Any]] = {}
_METHODS: dict[str, Any] = {}  # the Tensor methods this module added (name -> function)


def call(op: Op, binder: Any, args: tuple, kwargs: dict, where: str = "") -> Any:
    """Bind a NumPy-style call with ``binder`` and apply ``op`` to the bound inputs."""
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
    return bound[2](out) if len(bound) > 2 else out


def _array_ufunc(self: Tensor, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    if method != "__call__":
        raise TypeError(f"numpy.{ufunc.__name__}.{method} is not supported on Tensor")
    entry = _UFUNCS.get(ufunc)
    if kwargs and (entry is None or entry[1] is bind_inputs):
        raise TypeError(f"numpy.{ufunc.__name__} on Tensor takes no keyword arguments "
                        f"(got {', '.join(sorted(kwargs))})")
    if entry is not None:
        if entry[1] is bind_inputs:  # the usual ufunc record: its inputs are the call's
            return apply(entry[0], *inputs)
        # a gufunc record with its own binder (np.vecdot's axis=) takes keywords through it
        return call(entry[0], entry[1], inputs, kwargs, f"numpy.{ufunc.__name__} on Tensor")
    if ufunc in _CONSTANT_UFUNCS:
        return ufunc(*(_value(x) for x in inputs))
    raise TypeError(f"numpy.{ufunc.__name__} is not supported on Tensor: "
                    "register an Op for it (numeric.register)")


def _array_function(self: Tensor, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
    entry = _FUNCTIONS.get(func)
    if entry is not None:
        return call(entry[0], entry[1], args, kwargs, f"{_numpy_name(func)} on Tensor")
    if func in _CONSTANT_FUNCTIONS:
        return func(*_values(args), **{k: _values(v) for k, v in kwargs.items()})
    raise TypeError(f"{_numpy_name(func)} is not supported on Tensor: "
                    "register an Op for it (numeric.register)")


def _method(op: Op, name: str, binder: Any) -> Any:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        if binder is bind_inputs and not kwargs:  # t.tanh(), t.maximum(y): inputs only, fast
            return apply(op, self, *args)
        return call(op, binder, (self, *args), kwargs, f"Tensor.{name}")

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


def _numpy_name(func: Any) -> str:
    module = getattr(func, "__module__", None) or "numpy"
    module = "numpy" if module.startswith("numpy._core") or module == "numpy" else module
    return f"{module.replace('numpy.linalg._linalg', 'numpy.linalg')}.{func.__name__}"


def _value(x: Any) -> Any:
    return x.value if isinstance(x, Tensor) else x


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
