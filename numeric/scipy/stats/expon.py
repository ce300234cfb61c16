"""The exponential distribution (rate 1/scale): ``pdf, logpdf, cdf, logcdf, sf, logsf``,
differentiable in x, loc and scale (zero density left of loc)."""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.scipy.stats._standard import standardize

__all__ = ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"]


def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """-z - log scale for z = (x - loc)/scale >= 0, -inf below."""
    z, log_scale = standardize("expon.logpdf", x, loc, scale)
    return np.where(z >= 0, -z - log_scale, -np.inf)


def pdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """The exponential density."""
    return np.exp(logpdf(x, loc, scale))


def logsf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log(1 - CDF) = -z for z >= 0, 0 below."""
    z, _ = standardize("expon.logsf", x, loc, scale)
    return np.where(z >= 0, -z, 0.0)


def sf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """1 - CDF = e^-z for z >= 0, 1 below."""
    return np.exp(logsf(x, loc, scale))


def cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """1 - e^-z for z >= 0, 0 below (written with expm1: accurate near loc)."""
    return -np.expm1(logsf(x, loc, scale))


def logcdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log(1 - e^-z)."""
    return np.log(cdf(x, loc, scale))
