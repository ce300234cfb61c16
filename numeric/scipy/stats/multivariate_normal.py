"""The multivariate normal distribution N(mean, cov): ``pdf, logpdf`` of points ``x`` (d,) or
(..., d) and ``entropy``, differentiable in x, mean and cov (cov symmetric positive-definite;
its gradient is the full-matrix one, which for a symmetric cov is autograd's). A singular cov
(``allow_singular=True``) is refused: the density has no derivative there."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from numeric.scipy._common import value
from numeric.tensor import Tensor

__all__ = ["pdf", "logpdf", "entropy"]

_LOG_2PI = math.log(2 * math.pi)


def logpdf(x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
    """-(d log 2π + log det cov + (x - mean)ᵀ cov⁻¹ (x - mean)) / 2, size-1 axes squeezed."""
    cov, d = _checked("logpdf", x, mean, cov, allow_singular)
    x = x if isinstance(x, Tensor) else np.asarray(x)
    if np.ndim(x) == 0 or (d == 1 and np.ndim(x) == 1):  # SciPy: points of dimension 1
        x = np.reshape(x, (-1, 1))
    diff = x if mean is None else x - mean
    quad = np.sum(diff * np.linalg.solve(cov, diff[..., None])[..., 0], axis=-1)
    out = -0.5 * (d * _LOG_2PI + _logdet(cov) + quad)
    return np.squeeze(out) if np.ndim(out) else out


def pdf(x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
    """The multivariate normal density."""
    return np.exp(logpdf(x, mean, cov, allow_singular))


def entropy(mean: Any = None, cov: Any = 1) -> Any:
    """(d (1 + log 2π) + log det cov) / 2 (it does not depend on the mean)."""
    cov, d = _checked("entropy", None, mean, cov, False)
    return 0.5 * (d * (1 + _LOG_2PI) + _logdet(cov))


def _logdet(cov: Any) -> Any:
    return np.linalg.slogdet(cov)[1]


def _dimension(x: Any, mean: Any, c: Any) -> int:
    """The points' dimension as SciPy finds it: from mean, else from cov (a scalar cov: 1, so
    a vector x is that many points of dimension 1); points (..., d) with a scalar cov, which
    SciPy refuses, have dimension d."""
    if mean is not None:
        return np.shape(value(mean))[-1] if np.ndim(value(mean)) else 1
    if c.ndim:
        return c.shape[0]
    return np.shape(value(x))[-1] if x is not None and np.ndim(value(x)) >= 2 else 1


def _checked(name: str, x: Any, mean: Any, cov: Any, allow_singular: bool) -> tuple[Any, int]:
    if allow_singular:
        raise TypeError(f"multivariate_normal.{name}: allow_singular=True is not supported (the "
                        "density is not differentiable with respect to a singular covariance; "
                        "autograd refuses it too)")
    c = np.asarray(value(cov))
    d = _dimension(x, mean, c)
    if c.ndim == 0:
        cov = cov * np.eye(d)
        c = c * np.eye(d)
    elif c.ndim == 1 and c.shape == (d,):  # SciPy: a vector is the diagonal of cov
        cov, c = np.diag(cov), np.diag(c)
    if c.shape != (d, d):
        raise ValueError(f"multivariate_normal.{name}: cov must be ({d}, {d}) for points of "
                         f"dimension {d}, got shape {c.shape}")
    if not np.allclose(c, c.T) or np.any(np.linalg.eigvalsh(c) <= 0):
        raise ValueError(f"multivariate_normal.{name}: cov must be symmetric positive-definite "
                         f"(smallest eigenvalue {np.linalg.eigvalsh((c + c.T) / 2).min():.3g}); "
                         "allow_singular=True is not supported")
    return cov, d
