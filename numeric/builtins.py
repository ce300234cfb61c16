"""autograd's ``builtins`` counterpart: ``tuple``, ``list``, ``dict``, ``isinstance``, ``type``.

autograd traces values one box at a time, so a container built from traced values (``odeint``'s
``args=tuple((params,))``) needs its ``autograd.builtins.tuple``. The numeric engine takes
gradients through Python's own containers (:mod:`numeric.structure`), so here they are Python's
own: ``from autograd.builtins import tuple`` becomes ``from numeric.builtins import tuple``.
``isinstance`` and ``type`` look through a Tensor to its value, as autograd's look through a
box: inside a traced function ``isinstance(x, np.ndarray)`` is true and ``type(x)`` is
``numpy.ndarray``, as they are on the plain call.
"""

from __future__ import annotations

import builtins as _builtins
from typing import Any

from numeric.tensor import Tensor

__all__ = ["tuple", "list", "dict", "isinstance", "type"]

tuple = _builtins.tuple  # noqa: A001  (the point of the module: the names autograd exports)
list = _builtins.list  # noqa: A001
dict = _builtins.dict  # noqa: A001


def isinstance(obj: Any, classinfo: Any) -> bool:  # noqa: A001
    """``builtins.isinstance``, also true when ``obj`` is a Tensor whose value is a ``classinfo``.

    >>> import numpy
    >>> isinstance(Tensor([1.0, 2.0]), numpy.ndarray)
    True
    """
    if _builtins.isinstance(obj, classinfo):
        return True
    return _builtins.isinstance(obj, Tensor) and _builtins.isinstance(obj.value, classinfo)


def type(obj: Any, *rest: Any) -> Any:  # noqa: A001
    """``builtins.type``; of a Tensor, the type of its value (``numpy.ndarray``)."""
    if rest:  # type(name, bases, namespace) makes a class, as Python's does
        return _builtins.type(obj, *rest)
    return _builtins.type(obj.value) if _builtins.isinstance(obj, Tensor) else _builtins.type(obj)
