"""The chi-squared distribution with ``df`` degrees of freedom, the gamma distribution with
shape df/2 and scale 2: ``pdf, logpdf`` (differentiable in x, df, loc, scale) and ``cdf`` (in
x, loc, scale)."""

from __future__ import annotations

from typing import Any

from numeric.scipy.stats import gamma

__all__ = ["pdf", "logpdf", "cdf"]


def logpdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log of the chi-squared density: gamma.logpdf(x, df/2, loc, 2 scale)."""
    return gamma.logpdf(x, df / 2, loc, 2 * scale)


def pdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """The chi-squared density."""
    return gamma.pdf(x, df / 2, loc, 2 * scale)


def cdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """P(df/2, (x - loc)/(2 scale))."""
    return gamma.cdf(x, df / 2, loc, 2 * scale)
