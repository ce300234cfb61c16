"""The normal distribution N(loc, scale²): ``pdf, logpdf, cdf, logcdf, sf, logsf``, each
differentiable in ``x``, ``loc`` and ``scale`` (log Φ through the log_ndtr record, accurate far
in the tails)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from numeric.scipy.special import log_ndtr, ndtr
from numeric.scipy.stats._standard import standardize

__all__ = ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"]

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log N(x; loc, scale²) = -z²/2 - log scale - log(2π)/2, z = (x - loc)/scale."""
    z, log_scale = standardize("norm.logpdf", x, loc, scale)
    return -0.5 * z * z - log_scale - _HALF_LOG_2PI


def pdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """N(x; loc, scale²)."""
    return np.exp(logpdf(x, loc, scale))


def cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """Φ((x - loc)/scale)."""
    return ndtr(standardize("norm.cdf", x, loc, scale)[0])


def logcdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log Φ((x - loc)/scale)."""
    return log_ndtr(standardize("norm.logcdf", x, loc, scale)[0])


def sf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """1 - Φ((x - loc)/scale) = Φ(-(x - loc)/scale), without cancellation."""
    return ndtr(-standardize("norm.sf", x, loc, scale)[0])


def logsf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log(1 - Φ((x - loc)/scale))."""
    return log_ndtr(-standardize("norm.logsf", x, loc, scale)[0])
