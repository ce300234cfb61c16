"""What numeric.scipy's modules share: plain values of an argument, the refusal of a Tensor
argument whose derivative is not implemented, and SciPy's other names passed through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from numeric.ops.common import _scipy
from numeric.tensor import Tensor

__all__ = ["value", "refuse", "passthrough"]


def value(x: Any) -> Any:
    """The plain values of ``x`` (a Tensor's, or ``x`` itself)."""
    return x.value if isinstance(x, Tensor) else x


def refuse(name: str, **constants: Any) -> None:
    """Raise a TypeError when one of ``constants`` is a Tensor that requires grad: the function
    has no derivative in it (treating it as a constant would give a silently wrong gradient)."""
    for k, v in constants.items():
        if isinstance(v, Tensor) and v.requires_grad:
            raise TypeError(f"{name}: the derivative with respect to {k} is not implemented "
                            f"(autograd has none either); {k} is a Tensor that requires grad: "
                            f"pass {k}.value to differentiate with respect to the others only")


def passthrough(module: str) -> Callable[[str], Any]:
    """A module ``__getattr__``: any other name of ``scipy.<module>`` is SciPy's function, which
    refuses Tensors (it has no differentiable counterpart in ``numeric.scipy.<module>``)."""

    def __getattr__(name: str) -> Any:
        function = getattr(_scipy(module), name)
        if not callable(function) or isinstance(function, type):
            return function

        def refusing(*args: Any, **kwargs: Any) -> Any:
            if any(isinstance(v, Tensor) for v in (*args, *kwargs.values())):
                raise TypeError(f"scipy.{module}.{name} is not supported on Tensor: it has no "
                                f"differentiable counterpart in numeric.scipy.{module}")
            return function(*args, **kwargs)

        refusing.__name__ = refusing.__qualname__ = name
        refusing.__doc__ = function.__doc__
        return refusing

    return __getattr__
