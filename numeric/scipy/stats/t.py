"""Student's t distribution with ``df`` degrees of freedom, location ``loc`` and scale
``scale``: ``pdf, logpdf`` (differentiable in x, df, loc, scale) and ``cdf, logcdf``
(differentiable in x, loc, scale; in df not implemented, as in autograd)."""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.scipy._common import value
from numeric.scipy.special import betaln, stdtr
from numeric.scipy.stats._standard import positive, standardize

__all__ = ["pdf", "logpdf", "cdf", "logcdf"]


def logpdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log Γ((df+1)/2) - log Γ(df/2) - log(df π)/2 - log scale - (df+1)/2 log(1 + z²/df)."""
    positive("t.logpdf", "df", df)
    z, log_scale = standardize("t.logpdf", x, loc, scale)
    # ln Γ((df+1)/2) - ln Γ(df/2) - ln(df π)/2 as -ln B(1/2, df/2) - ln(df)/2: the Γ form
    # cancels catastrophically for large df; df is capped where the density is the normal one
    # to every digit (df = inf included)
    df = np.minimum(df, 1e30 if np.asarray(value(df)).dtype == np.float32 else 1e300)
    return -betaln(0.5, df / 2) - 0.5 * np.log(df) - log_scale - (df + 1) / 2 * np.log1p(z * z / df)


def pdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """The t density."""
    return np.exp(logpdf(x, df, loc, scale))


def cdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """The t CDF at (x - loc)/scale (the stdtr record)."""
    positive("t.cdf", "df", df)
    return stdtr(df, standardize("t.cdf", x, loc, scale)[0])


def logcdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log of the t CDF."""
    return np.log(cdf(x, df, loc, scale))
