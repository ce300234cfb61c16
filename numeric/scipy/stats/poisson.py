"""The Poisson distribution with mean ``mu``: ``pmf, logpmf, cdf``, differentiable in mu (the
count k is an integer, a constant)."""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.scipy._common import refuse, value
from numeric.scipy.special import gammaincc, gammaln, xlogy
from numeric.scipy.stats._standard import positive

__all__ = ["pmf", "logpmf", "cdf"]


def logpmf(k: Any, mu: Any, loc: Any = 0) -> Any:
    """k log mu - log k! - mu at integer k >= loc, -inf elsewhere."""
    refuse("poisson.logpmf", k=k)
    positive("poisson.logpmf", "mu", mu, zero=True)  # mu = 0: all mass at k = 0, as SciPy
    k = np.asarray(value(k)) - value(loc)
    whole = (k >= 0) & (k == np.floor(k))
    kk = np.where(whole, k, 0)
    return np.where(whole, xlogy(kk, mu) - gammaln(kk + 1.0) - mu, -np.inf)


def pmf(k: Any, mu: Any, loc: Any = 0) -> Any:
    """mu^k e^-mu / k!."""
    return np.exp(logpmf(k, mu, loc))


def cdf(k: Any, mu: Any, loc: Any = 0) -> Any:
    """P(K <= k) = Q(floor(k) + 1, mu), the regularised upper incomplete gamma function."""
    refuse("poisson.cdf", k=k)
    positive("poisson.cdf", "mu", mu, zero=True)
    k = np.floor(np.asarray(value(k)) - value(loc))
    return np.where(k >= 0, gammaincc(np.maximum(k, 0) + 1.0, mu), 0.0)
