"""numeric.scipy.stats against scipy.stats' values and HIPS autograd's gradients, first and
second order (mixed included), in every argument autograd differentiates: x, loc, scale, the
shapes (df, a, b, mu, alpha) and the multivariate normal's mean and cov."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric
import numeric.scipy.stats as S
from numeric import grad

scipy_stats = pytest.importorskip("scipy.stats")
autograd = pytest.importorskip("autograd")
A = pytest.importorskip("autograd.scipy.stats")
anp = autograd.numpy


def _spd(rng, d):
    m = rng.normal(size=(d, d))
    return m @ m.T + d * np.eye(d)


def _simplex(rng, k, n=None):
    p = rng.uniform(0.2, 1.0, size=(k,) if n is None else (k, n))
    return p / p.sum(axis=0)


# label -> (distribution, function, argument maker(rng, n), argnums autograd differentiates)
CASES = {
    "norm.pdf": ("norm", "pdf", lambda r, n: [r.normal(size=n), r.normal(size=n),
                                              r.uniform(0.5, 2, n)], (0, 1, 2)),
    "norm.logpdf": ("norm", "logpdf", lambda r, n: [r.normal(size=n), 0.3, r.uniform(0.5, 2, n)],
                    (0, 2)),
    "norm.cdf": ("norm", "cdf", lambda r, n: [r.normal(size=n), r.normal(size=n), 1.5], (0, 1)),
    "norm.logcdf": ("norm", "logcdf", lambda r, n: [r.normal(size=n), r.normal(size=n),
                                                    r.uniform(0.5, 2, n)], (0, 1, 2)),
    "norm.sf": ("norm", "sf", lambda r, n: [r.normal(size=n), r.normal(size=n),
                                            r.uniform(0.5, 2, n)], (0, 1, 2)),
    "norm.logsf": ("norm", "logsf", lambda r, n: [r.normal(size=n), r.normal(size=n),
                                                  r.uniform(0.5, 2, n)], (0, 1, 2)),
    "t.pdf": ("t", "pdf", lambda r, n: [r.normal(size=n), r.uniform(1, 6, n), r.normal(size=n),
                                        r.uniform(0.5, 2, n)], (0, 1, 2, 3)),
    "t.logpdf": ("t", "logpdf", lambda r, n: [r.normal(size=n), r.uniform(1, 6, n), 0.2, 1.3],
                 (0, 1)),
    "t.cdf": ("t", "cdf", lambda r, n: [r.normal(size=n), 4.5, r.normal(size=n), 1.5], (0, 2)),
    "t.logcdf": ("t", "logcdf", lambda r, n: [r.normal(size=n), 2.5, r.normal(size=n), 0.7],
                 (0, 2)),
    "gamma.pdf": ("gamma", "pdf", lambda r, n: [r.uniform(0.3, 4, n), r.uniform(0.5, 4, n)],
                  (0, 1)),
    "gamma.logpdf": ("gamma", "logpdf", lambda r, n: [r.uniform(0.3, 4, n), r.uniform(0.5, 4, n)],
                     (0, 1)),
    "gamma.cdf": ("gamma", "cdf", lambda r, n: [r.uniform(0.3, 4, n), 1.7], (0,)),
    "beta.pdf": ("beta", "pdf", lambda r, n: [r.uniform(0.1, 0.9, n), r.uniform(0.5, 4, n),
                                              r.uniform(0.5, 4, n)], (0, 1, 2)),
    "beta.logpdf": ("beta", "logpdf", lambda r, n: [r.uniform(0.1, 0.9, n), r.uniform(0.5, 4, n),
                                                    r.uniform(0.5, 4, n)], (0, 1, 2)),
    "beta.cdf": ("beta", "cdf", lambda r, n: [r.uniform(0.1, 0.9, n), 2.5, 1.5], (0,)),
    "chi2.pdf": ("chi2", "pdf", lambda r, n: [r.uniform(0.3, 5, n), 3.0], (0,)),
    "chi2.logpdf": ("chi2", "logpdf", lambda r, n: [r.uniform(0.3, 5, n), 4.0], (0,)),
    "chi2.cdf": ("chi2", "cdf", lambda r, n: [r.uniform(0.3, 5, n), 3.0], (0,)),
    "poisson.pmf": ("poisson", "pmf", lambda r, n: [r.integers(0, 6, n), r.uniform(0.5, 5, n)],
                    (1,)),
    "poisson.logpmf": ("poisson", "logpmf", lambda r, n: [r.integers(0, 6, n),
                                                          r.uniform(0.5, 5, n)], (1,)),
    "poisson.cdf": ("poisson", "cdf", lambda r, n: [r.integers(0, 6, n), r.uniform(0.5, 5, n)],
                    (1,)),
    "dirichlet.pdf": ("dirichlet", "pdf", lambda r, n: [_simplex(r, n), r.uniform(0.5, 3, n)],
                      (0, 1)),
    "dirichlet.logpdf": ("dirichlet", "logpdf", lambda r, n: [_simplex(r, n),
                                                              r.uniform(0.5, 3, n)], (0, 1)),
    "multivariate_normal.logpdf": ("multivariate_normal", "logpdf", lambda r, n: [
        r.normal(size=(4, n)), r.normal(size=n), _spd(r, n)], (0, 1, 2)),
    "multivariate_normal.pdf": ("multivariate_normal", "pdf", lambda r, n: [
        r.normal(size=n), r.normal(size=n), _spd(r, n)], (0, 1, 2)),
    "multivariate_normal.entropy": ("multivariate_normal", "entropy", lambda r, n: [
        r.normal(size=n), _spd(r, n)], (1,)),
}


def _tangent(label, i, g):
    """A covariance's gradient as a tangent to symmetric matrices, (G + Gᵀ)/2: cov is
    symmetric, and off that set the two engines extend the formula differently (autograd's x
    rule solves with cov, ours differentiates xᵀ cov⁻¹ x), so only the symmetric part is the
    derivative of the distribution."""
    cov_at = {"multivariate_normal.entropy": 1}.get(label, 2)
    if label.startswith("multivariate_normal") and i == cov_at:
        return (g + np.swapaxes(g, -1, -2)) / 2
    return g


def _ours(label):
    dist, fn, _, _ = CASES[label]
    return getattr(getattr(S, dist), fn)


def _theirs(label):
    dist, fn, _, _ = CASES[label]
    return getattr(getattr(A, dist), fn)


@pytest.mark.parametrize("label", CASES)
@settings(max_examples=2)
@given(n=st.integers(2, 3), seed=st.integers(0, 2**16))
def test_values_and_gradients_match_scipy_and_autograd(label, n, seed):
    args = CASES[label][2](np.random.default_rng(seed), n)
    ours, theirs = _ours(label), _theirs(label)
    dist, fn = CASES[label][:2]
    want = getattr(getattr(scipy_stats, dist), fn)(*args)
    np.testing.assert_allclose(ours(*args), want, rtol=1e-10, atol=1e-300)

    def total(*a):
        return np.sum(ours(*a))

    def total_ag(*a):
        return anp.sum(theirs(*a))

    argnums = CASES[label][3]
    for i in argnums:
        first, first_ag = grad(total, i), autograd.grad(total_ag, i)
        np.testing.assert_allclose(_tangent(label, i, first(*args)),
                                   _tangent(label, i, first_ag(*args)), rtol=1e-9, atol=1e-12,
                                   err_msg=f"{label} d{i}")
        for j in argnums:  # second order, mixed included
            second = grad(lambda *a, f=first: np.sum(f(*a)), j)
            second_ag = autograd.grad(lambda *a, f=first_ag: anp.sum(f(*a)), j)
            np.testing.assert_allclose(_tangent(label, j, second(*args)),
                                       _tangent(label, j, second_ag(*args)), rtol=1e-7,
                                       atol=1e-10, err_msg=f"{label} d{j} d{i}")


def test_gradients_autograd_lacks_match_central_differences():
    """cdf in scale (t), and the location-scale forms of gamma and beta."""
    rng = np.random.default_rng(11)
    checks = [
        (lambda s: S.t.cdf(0.4, 3.0, 0.1, s), lambda s: scipy_stats.t.cdf(0.4, 3.0, 0.1, s), 1.3),
        (lambda s: S.gamma.logpdf(2.0, 1.5, 0.2, s),
         lambda s: scipy_stats.gamma.logpdf(2.0, 1.5, 0.2, s), 0.8),
        (lambda m: S.beta.logpdf(0.7, 2.0, 3.0, m, 1.5),
         lambda m: scipy_stats.beta.logpdf(0.7, 2.0, 3.0, m, 1.5), 0.1),
        (lambda s: S.expon.logcdf(1.2, 0.3, s), lambda s: scipy_stats.expon.logcdf(1.2, 0.3, s),
         0.9),
        (lambda d: S.chi2.logpdf(2.2, d), lambda d: scipy_stats.chi2.logpdf(2.2, d), 3.3),
    ]
    h = 1e-5
    for ours, theirs, at in checks:
        at = at + 0.01 * rng.uniform()
        np.testing.assert_allclose(ours(at), theirs(at), rtol=1e-12)
        np.testing.assert_allclose(grad(ours)(at), (theirs(at + h) - theirs(at - h)) / (2 * h),
                                   rtol=1e-6)


def test_expon_matches_scipy_on_both_sides_of_loc():
    x = np.array([-1.0, 0.2, 0.5, 3.0])
    for fn in ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"):
        with np.errstate(divide="ignore"):
            np.testing.assert_allclose(getattr(S.expon, fn)(x, 0.1, 1.5),
                                       getattr(scipy_stats.expon, fn)(x, 0.1, 1.5), rtol=1e-12)


def test_bad_parameters_are_refused_with_the_value():
    with pytest.raises(ValueError, match="norm.logpdf: scale must be positive, got -1"):
        S.norm.logpdf(0.0, 0.0, np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match="symmetric positive-definite"):
        S.multivariate_normal.logpdf(np.zeros(2), np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(TypeError, match="allow_singular=True is not supported"):
        S.multivariate_normal.logpdf(np.zeros(2), np.zeros(2), np.eye(2), allow_singular=True)
    with pytest.raises(ValueError, match="must sum to 1"):
        S.dirichlet.logpdf(np.array([0.5, 0.6]), np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="derivative with respect to a is not implemented"):
        grad(lambda a: S.gamma.cdf(1.0, a))(2.0)
    with pytest.raises(TypeError, match="derivative with respect to df is not implemented"):
        grad(lambda df: S.t.cdf(1.0, df))(2.0)


def test_poisson_with_mean_zero_puts_all_mass_at_zero_as_scipy_does():
    k = np.array([0, 1, 3])
    for name in ("logpmf", "pmf", "cdf"):
        with np.errstate(divide="ignore"):
            want = getattr(scipy_stats.poisson, name)(k, 0.0)
        np.testing.assert_array_equal(getattr(S.poisson, name)(k, 0.0), want, err_msg=name)
    # at mu = 0 the slope of log P(K = 0) = -mu is -1 (xlogy(0, mu) is flat in mu)
    np.testing.assert_allclose(grad(lambda mu: S.poisson.logpmf(0, mu))(0.0), -1.0)
    with pytest.raises(ValueError, match="mu must be non-negative, got -1"):
        S.poisson.logpmf(k, -1.0)


def test_multivariate_normal_batch_and_scalar_cov_match_scipy():
    rng = np.random.default_rng(2)
    x, mean = rng.normal(size=(2, 3, 2)), rng.normal(size=2)
    np.testing.assert_allclose(S.multivariate_normal.logpdf(x, mean, 2.0),
                               scipy_stats.multivariate_normal.logpdf(x, mean, 2.0), rtol=1e-12)
    cov = _spd(rng, 2)
    got = S.multivariate_normal.logpdf(numeric.Tensor(x), mean, cov)
    np.testing.assert_allclose(got.value, scipy_stats.multivariate_normal.logpdf(x, mean, cov),
                               rtol=1e-12)


# Outside the support SciPy returns -inf (logpdf) and 0 or 1 (cdf); the formulas alone give
# nan there (log of a negative), which a sum of log-likelihoods would carry silently.
OUTSIDE = [
    ("gamma", "logpdf", (np.array([-1.0, 0.5, 2.0]), 2.0, 0.0, 1.5)),
    ("gamma", "cdf", (np.array([-1.0, 0.5, 2.0]), 2.0, 0.0, 1.5)),
    ("chi2", "logpdf", (np.array([-1.0, 0.5, 2.0]), 3.0)),
    ("chi2", "cdf", (np.array([-1.0, 0.5, 2.0]), 3.0)),
    ("beta", "logpdf", (np.array([-0.5, 0.3, 1.5]), 2.0, 3.0)),
    ("beta", "cdf", (np.array([-0.5, 0.3, 1.5]), 2.0, 3.0)),
    ("beta", "logpdf", (np.array([0.05, 0.3, 1.4]), 2.0, 3.0, 0.1, 1.2)),
]


@pytest.mark.parametrize("dist, fn, args", OUTSIDE, ids=[f"{d}.{f}" for d, f, _ in OUTSIDE])
def test_values_outside_the_support_match_scipy_with_finite_gradients(dist, fn, args):
    want = getattr(getattr(scipy_stats, dist), fn)(*args)
    got = getattr(getattr(S, dist), fn)(*args)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # the gradient in x and in the shape is finite everywhere, 0 outside the support
    gx = grad(lambda x: np.sum(getattr(getattr(S, dist), fn)(x, *args[1:])))(args[0])
    assert np.all(np.isfinite(gx)) and gx[0] == 0
    if fn == "logpdf":
        ga = grad(lambda a: np.sum(getattr(getattr(S, dist), fn)(args[0], a, *args[2:])))(args[1])
        assert np.isfinite(ga)


def test_lists_are_taken_as_arrays_as_scipy_takes_them():
    x = [0.3, 1.2]
    for dist, fn, rest in [("norm", "logpdf", ()), ("norm", "cdf", (0.5, 2.0)),
                           ("t", "logpdf", (3.0,)), ("t", "cdf", (3.0,)),
                           ("gamma", "logpdf", (2.0,)), ("expon", "cdf", ())]:
        want = getattr(getattr(scipy_stats, dist), fn)(x, *rest)
        np.testing.assert_allclose(getattr(getattr(S, dist), fn)(x, *rest), want, rtol=1e-12)


def test_multivariate_normal_takes_scipy_s_one_dimensional_and_diagonal_forms():
    mvn, ref = S.multivariate_normal, scipy_stats.multivariate_normal
    # points of dimension 1: a scalar x, or a vector of such points
    np.testing.assert_allclose(mvn.logpdf(0.5, 0.1, 2.0), ref.logpdf(0.5, 0.1, 2.0), rtol=1e-12)
    np.testing.assert_allclose(mvn.logpdf(np.array([0.5, -0.2]), 0.1, 2.0),
                               ref.logpdf(np.array([0.5, -0.2]), 0.1, 2.0), rtol=1e-12)
    # a vector cov is its diagonal; the gradient in it is the diagonal's
    x, diag = np.array([[0.3, -0.1, 1.0], [0.2, 0.4, -0.5]]), np.array([1.0, 2.0, 0.5])
    np.testing.assert_allclose(mvn.logpdf(x, np.zeros(3), diag),
                               ref.logpdf(x, np.zeros(3), diag), rtol=1e-12)
    g = grad(lambda c: np.sum(mvn.logpdf(x, None, c)))(diag)
    np.testing.assert_allclose(g, np.sum(0.5 * (x ** 2 / diag ** 2 - 1 / diag), axis=0),
                               rtol=1e-12)


def test_multivariate_normal_finds_the_dimension_from_mean_or_cov_as_scipy_does():
    mvn, ref = S.multivariate_normal, scipy_stats.multivariate_normal
    x = np.array([0.1, 0.2, -0.4])
    # no mean and a scalar (default) cov: dimension 1, so x is three points, not one point
    np.testing.assert_allclose(mvn.logpdf(x), ref.logpdf(x), rtol=1e-12)
    np.testing.assert_allclose(mvn.logpdf(x, cov=2.0), ref.logpdf(x, cov=2.0), rtol=1e-12)
    # no mean: the dimension is cov's (entropy has no x to take it from)
    cov = np.array([[2.0, 0.3], [0.3, 1.0]])
    np.testing.assert_allclose(mvn.entropy(cov=cov), ref.entropy(cov=cov), rtol=1e-12)
    np.testing.assert_allclose(grad(lambda c: mvn.entropy(cov=c))(cov),
                               0.5 * np.linalg.inv(cov), rtol=1e-12)


@pytest.mark.parametrize("df", [1e10, 1e15, 1e300, np.inf])
def test_t_at_large_and_infinite_df_is_the_normal_limit_as_in_scipy(df):
    # ln Γ((df+1)/2) - ln Γ(df/2) loses every digit by df = 1e15, and df = inf gave nan (logpdf)
    # and 1/2 (cdf): silently wrong where SciPy gives the normal distribution's values
    x = np.array([-2.0, -0.3, 0.5, 1.7])
    np.testing.assert_allclose(S.t.logpdf(x, df), scipy_stats.t.logpdf(x, df), rtol=1e-12)
    np.testing.assert_allclose(S.t.cdf(x, df), scipy_stats.t.cdf(x, df), rtol=1e-12)
    np.testing.assert_allclose(grad(lambda v: np.sum(S.t.cdf(v, df)))(x),
                               scipy_stats.t.pdf(x, df), rtol=1e-12)
    np.testing.assert_allclose(grad(lambda v: np.sum(S.t.logpdf(v, df)))(x),
                               -(df + 1) * x / (df + x * x) if np.isfinite(df) else -x,
                               rtol=1e-12)
    assert np.isfinite(grad(lambda d: np.sum(S.t.logpdf(x, d)))(df))
