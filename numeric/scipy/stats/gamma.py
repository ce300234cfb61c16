"""The gamma distribution with shape ``a``: ``pdf, logpdf`` (differentiable in x, a, loc,
scale) and ``cdf`` (in x, loc, scale; in a not implemented, as in autograd)."""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.scipy._common import value
from numeric.scipy.special import gammainc, gammaln, xlogy
from numeric.scipy.stats._standard import positive, standardize

__all__ = ["pdf", "logpdf", "cdf"]


def logpdf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """(a - 1) log z - z - log Γ(a) - log scale, z = (x - loc)/scale > 0."""
    positive("gamma.logpdf", "a", a)
    z, log_scale = standardize("gamma.logpdf", x, loc, scale)
    inside = value(z) >= 0
    z = np.where(inside, z, 1.0)  # outside the support: -inf as SciPy, with no nan gradient
    return np.where(inside, xlogy(a - 1, z) - z - gammaln(a) - log_scale, -np.inf)


def pdf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """The gamma density."""
    return np.exp(logpdf(x, a, loc, scale))


def cdf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """P(a, z), the regularised lower incomplete gamma function (0 for z < 0, as SciPy)."""
    z = standardize("gamma.cdf", x, loc, scale)[0]
    inside = value(z) >= 0
    return np.where(inside, gammainc(a, np.where(inside, z, 1.0)), 0.0)
