"""What numeric.scipy's modules share: plain values of an argument, and the refusal of a
Tensor argument whose derivative is not implemented."""

from __future__ import annotations

from typing import Any

from numeric.tensor import Tensor

__all__ = ["value", "refuse"]


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
