"""``scipy.stats`` distributions on Tensors, for code written against ``autograd.scipy.stats``:
``from numeric.scipy.stats import norm`` then ``norm.logpdf(x, loc, scale)``.

Each function is a composition of NumPy calls (dispatched to the engine on Tensors) and the
special-function records (:mod:`numeric.scipy.special`), so it is differentiable to any order in
every argument its formula is smooth in: ``x``, ``loc``, ``scale``, shapes such as ``df``,
``a``, ``b``, ``mu``, ``alpha``, ``mean`` and ``cov``. CDFs whose shape derivative has no closed
form (gamma.cdf, beta.cdf, chi2.cdf, t.cdf in ``a``/``b``/``df``) refuse a Tensor shape that
requires grad, as the incomplete gamma and beta records do.
"""

from numeric.scipy.stats import (  # noqa: F401
    beta,
    chi2,
    dirichlet,
    expon,
    gamma,
    multivariate_normal,
    norm,
    poisson,
    t,
)

__all__ = ["beta", "chi2", "dirichlet", "expon", "gamma", "multivariate_normal", "norm",
           "poisson", "t"]
