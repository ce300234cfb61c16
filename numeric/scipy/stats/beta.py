"""The beta distribution with shapes ``a, b`` on [loc, loc + scale]: ``pdf, logpdf``
(differentiable in x, a, b, loc, scale) and ``cdf`` (in x, loc, scale; in a, b not
implemented, as in autograd)."""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.scipy.special import betainc, betaln, xlog1py, xlogy
from numeric.scipy.stats._standard import positive, standardize

__all__ = ["pdf", "logpdf", "cdf"]


def logpdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """(a - 1) log z + (b - 1) log(1 - z) - log B(a, b) - log scale, z in (0, 1)."""
    positive("beta.logpdf", "a", a)
    positive("beta.logpdf", "b", b)
    z, log_scale = standardize("beta.logpdf", x, loc, scale)
    return xlogy(a - 1, z) + xlog1py(b - 1, -z) - betaln(a, b) - log_scale


def pdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """The beta density."""
    return np.exp(logpdf(x, a, b, loc, scale))


def cdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """I_z(a, b), the regularised incomplete beta function."""
    return betainc(a, b, standardize("beta.cdf", x, loc, scale)[0])
