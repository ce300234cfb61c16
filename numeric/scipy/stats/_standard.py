"""What the location-scale distributions share: the standardised variable and its log-Jacobian,
and the check that a scale is positive."""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.scipy._common import value

__all__ = ["standardize", "positive"]


def positive(name: str, what: str, v: Any, zero: bool = False) -> None:
    """Refuse a parameter that is not positive (``zero``: negative), naming the distribution,
    value and shape."""
    a = np.asarray(value(v))
    if a.size and np.any(~(a >= 0) if zero else ~(a > 0)):
        raise ValueError(f"{name}: {what} must be {'non-negative' if zero else 'positive'}, got "
                         f"{a.ravel()[np.argmin(a.ravel())]} ({what} of shape {a.shape})")


def standardize(name: str, x: Any, loc: Any, scale: Any) -> tuple[Any, Any]:
    """``z = (x - loc) / scale`` and ``log scale``; a scale <= 0 is an error naming the value
    (SciPy returns nan there, which a gradient would carry silently). Lists are taken as arrays,
as SciPy takes them."""
    positive(name, "scale", scale)
    x, loc, scale = (np.asarray(v) if isinstance(v, (list, tuple)) else v
                     for v in (x, loc, scale))
    return (x - loc) / scale, np.log(scale)
