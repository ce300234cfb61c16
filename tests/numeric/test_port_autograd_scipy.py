"""Porting autograd programs that use ``autograd.scipy.special`` and ``autograd.scipy.stats``
by changing only their imports (issue 11), checked literally: each program below, written for
autograd, runs as it is and again with every ``autograd`` in its import lines (and nowhere
else) changed to ``numeric``; what it computed must agree."""

from __future__ import annotations

import textwrap

import pytest
from test_port_autograd import run, same

pytest.importorskip("autograd")
pytest.importorskip("scipy")

PROGRAMS = {
    "normal and gamma MLE by gradient ascent": """
        import autograd.numpy as np
        from autograd import grad
        from autograd.scipy.stats import norm, gamma

        data = np.array([0.3, 1.9, 1.1, 2.4, 0.8, 1.5])

        def log_lik(params):
            loc, log_scale, log_shape = params
            return (np.sum(norm.logpdf(data, loc, np.exp(log_scale)))
                    + np.sum(gamma.logpdf(data, np.exp(log_shape))))

        params = np.array([0.0, 0.0, 0.0])
        step = grad(log_lik)
        for _ in range(30):
            params = params + 0.05 * step(params)
        result = (params, log_lik(params))
    """,
    "Gaussian mixture: logsumexp, Hessian in the means": """
        import autograd.numpy as np
        from autograd import grad, hessian
        from autograd.scipy.special import logsumexp
        import autograd.scipy.stats.norm as norm

        x = np.linspace(-2.0, 3.0, 7)
        weights = np.log(np.array([0.3, 0.7]))

        def mixture_ll(means):
            comp = norm.logpdf(x[:, None], means[None, :], 0.8) + weights
            return np.sum(logsumexp(comp, axis=1))

        means = np.array([-0.5, 1.2])
        result = (mixture_ll(means), grad(mixture_ll)(means), hessian(mixture_ll)(means))
    """,
    "special functions: beta-binomial and t likelihoods, derivatives in the shapes": """
        import autograd.numpy as np
        from autograd import grad, elementwise_grad
        from autograd.scipy.special import betaln, gammaln, digamma, erf
        from autograd.scipy import stats

        k, n = np.array([3.0, 5.0, 1.0]), np.array([8.0, 9.0, 4.0])

        def beta_binomial(ab):
            a, b = ab
            return np.sum(gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
                          + betaln(k + a, n - k + b) - betaln(a, b))

        def t_ll(df):
            return np.sum(stats.t.logpdf(np.array([-1.2, 0.4, 2.2]), df, 0.1, 1.3))

        x = np.array([0.5, 1.0, 2.0])
        result = [grad(beta_binomial)(np.array([2.0, 3.0])), grad(t_ll)(4.0),
                  elementwise_grad(digamma)(x), elementwise_grad(elementwise_grad(erf))(x)]
    """,
    "multivariate normal: gradients in the mean and the covariance": """
        import autograd.numpy as np
        from autograd import grad
        from autograd.scipy.stats import multivariate_normal as mvn
        from autograd.scipy.stats import dirichlet

        pts = np.array([[0.2, -0.4], [1.1, 0.3], [-0.6, 0.9]])
        cov = np.array([[1.5, 0.3], [0.3, 0.8]])

        def ll(mean):
            return np.sum(mvn.logpdf(pts, mean, cov))

        def ll_cov(c):
            return np.sum(mvn.logpdf(pts, np.zeros(2), c))

        g = grad(ll_cov)(cov)
        alpha = np.array([1.5, 2.0, 3.0])
        result = [grad(ll)(np.array([0.1, 0.2])), 0.5 * (g + g.T),
                  grad(lambda a: dirichlet.logpdf(np.array([0.2, 0.3, 0.5]), a))(alpha)]
    """,
}


def port(source: str) -> str:
    """``autograd`` changed to ``numeric`` in the import lines, and nowhere else."""
    lines = source.splitlines(keepends=True)
    ported = [line.replace("autograd", "numeric", 1)
              if line.startswith(("import autograd", "from autograd")) else line
              for line in lines]
    result = "".join(ported)
    assert "autograd" not in result
    return result


@pytest.mark.parametrize("name", PROGRAMS)
def test_an_autograd_scipy_program_runs_after_changing_its_imports(name):
    source = textwrap.dedent(PROGRAMS[name])
    same(run(port(source)), run(source))


def test_the_rewrite_leaves_everything_but_import_lines():
    source = "import autograd.numpy as np\nx = 'autograd.scipy'\n"
    with pytest.raises(AssertionError):
        port(source)
    assert port("from autograd.scipy.stats import norm\n") == \
        "from numeric.scipy.stats import norm\n"
