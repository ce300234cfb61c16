"""The beta distribution with shapes ``a, b`` on [loc, loc + scale]: ``pdf, logpdf``
(differentiable in x, a, b, loc, scale) and ``cdf`` (in x, loc, scale; in a, b not
implemented, as in autograd)."""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.scipy._common import value
from numeric.scipy.special import betainc, betaln, xlog1py, xlogy
from numeric.scipy.stats._standard import positive, standardize

__all__ = ["pdf", "logpdf", "cdf"]


def logpdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """(a - 1) log z + (b - 1) log(1 - z) - log B(a, b) - log scale, z in (0, 1)."""
    positive("beta.logpdf", "a", a)
    positive("beta.logpdf", "b", b)
    z, log_scale = standardize("beta.logpdf", x, loc, scale)
    inside = (value(z) >= 0) & (value(z) <= 1)
    z = np.where(inside, z, 0.5)  # outside the support: -inf as SciPy, with no nan gradient
    return np.where(inside, xlogy(a - 1, z) + xlog1py(b - 1, -z) - betaln(a, b) - log_scale,
                    -np.inf)


def pdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """The beta density."""
    return np.exp(logpdf(x, a, b, loc, scale))


def cdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """I_z(a, b), the regularised incomplete beta function (0 below the support, 1 above, as
    SciPy)."""
    z = standardize("beta.cdf", x, loc, scale)[0]
    zv = value(z)
    inside = (zv >= 0) & (zv <= 1)
    return np.where(inside, betainc(a, b, np.where(inside, z, 0.5)), np.where(zv > 1, 1.0, 0.0))
