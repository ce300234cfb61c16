"""The Dirichlet distribution with concentrations ``alpha`` (K,): ``pdf, logpdf`` of points
``x`` whose first axis holds the K components (SciPy's layout: (K,) or (K, N)),
differentiable in x and alpha."""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.scipy._common import value
from numeric.scipy.special import gammaln, xlogy

__all__ = ["pdf", "logpdf"]


def logpdf(x: Any, alpha: Any) -> Any:
    """Σ_k (alpha_k - 1) log x_k - (Σ_k log Γ(alpha_k) - log Γ(Σ_k alpha_k))."""
    _check(x, alpha)
    a = np.reshape(alpha, (-1,) + (1,) * (np.ndim(x) - 1))
    return (np.sum(xlogy(a - 1, x), axis=0)
            - np.sum(gammaln(alpha)) + gammaln(np.sum(alpha)))


def pdf(x: Any, alpha: Any) -> Any:
    """The Dirichlet density."""
    return np.exp(logpdf(x, alpha))


def _check(x: Any, alpha: Any) -> None:
    xv, av = np.asarray(value(x)), np.asarray(value(alpha))
    if av.ndim != 1 or xv.ndim not in (1, 2) or xv.shape[0] != av.shape[0]:
        raise ValueError(f"dirichlet: alpha must be a vector (K,) and x (K,) or (K, N) with its "
                         f"first axis the components; got alpha {av.shape}, x {xv.shape}")
    if np.any(av <= 0):
        raise ValueError(f"dirichlet: alpha must be positive, got {av.min()}")
    if np.any((xv < 0) | (xv > 1)):
        raise ValueError(f"dirichlet: x must lie in [0, 1], got values in [{xv.min()}, {xv.max()}]")
    total = np.sum(xv, axis=0)
    tol = 1e-9 if xv.dtype == np.float64 else 1e-5
    if np.any(np.abs(total - 1) > tol):
        raise ValueError(f"dirichlet: each point x must sum to 1 over its components, got sums "
                         f"{total} (tolerance {tol})")
