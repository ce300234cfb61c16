"""Finite differences worth trusting: accuracy targets, honest error bars, complex step limits.

References are closed-form derivatives written here (cookbook identities), never the code
under test.
"""

import numpy as np
import pytest

from verify import fd

SMOOTH = [
    # label, f, f' (elementwise), domain
    ("exp(sin x) x", lambda x: np.exp(np.sin(x)) * x,
     lambda x: np.exp(np.sin(x)) * (np.cos(x) * x + 1), (-1.0, 1.0)),
    ("log x / x", lambda x: np.log(x) / x, lambda x: (1 - np.log(x)) / x**2, (0.5, 2.0)),
    ("tanh x³", lambda x: np.tanh(x**3), lambda x: 3 * x**2 / np.cosh(x**3) ** 2, (-1.0, 1.0)),
]


def _point(seed, lo, hi, n=50):
    rng = np.random.default_rng(seed)
    return rng.uniform(lo, hi, n), rng.standard_normal(n)


@pytest.mark.parametrize(("label", "f", "df", "dom"), SMOOTH, ids=[s[0] for s in SMOOTH])
def test_ridders_reaches_1e_12_and_its_error_bar_covers_the_error(label, f, df, dom):
    x, v = _point(1, *dom)
    est, err = fd.ridders(fd.along(f, [x], [v]))
    exact = df(x) * v
    rel = np.max(np.abs(est - exact)) / np.max(np.abs(exact))
    assert rel <= 1e-12, label
    assert np.all(np.abs(est - exact) <= 10 * err + 1e-15), label


@pytest.mark.parametrize(("label", "f", "df", "dom"), SMOOTH, ids=[s[0] for s in SMOOTH])
def test_complex_step_reaches_1e_15(label, f, df, dom):
    x, v = _point(2, *dom)
    jv, err, method = fd.jvp(f, [x], [v])
    exact = df(x) * v
    assert method == "complex step"
    assert np.max(np.abs(jv - exact)) / np.max(np.abs(exact)) <= 1e-15
    assert np.all(np.abs(jv - exact) <= err + 1e-300)


def test_complex_step_is_refused_where_it_does_not_apply():
    # |x| drops the imaginary part: the estimate falls back to Ridders.
    x, v = _point(3, 0.5, 2.0)
    jv, _, method = fd.jvp(np.abs, [x], [v])
    assert method == "Ridders"
    np.testing.assert_allclose(jv, v, rtol=1e-12)
    with pytest.raises(ValueError, match="imaginary"):
        fd.complex_step(lambda t: np.abs(x + t * v))


def test_plain_formulas_have_the_textbook_errors():
    f, df = SMOOTH[0][1], SMOOTH[0][2]
    x, v = _point(4, -1.0, 1.0)
    exact = df(x) * v
    phi = fd.along(f, [x], [v])
    fwd = np.max(np.abs(fd.forward_difference(phi, 1e-6) - exact)) / np.max(np.abs(exact))
    cen = np.max(np.abs(fd.central(phi, 1e-5) - exact)) / np.max(np.abs(exact))
    assert 1e-9 < fwd < 1e-4   # O(h): the seed notebook's 1e-4 .. 1e-5 regime at larger h
    assert cen < fwd


def test_gradient_entrywise_matches_a_projection():
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    g = rng.standard_normal((2, 4))
    est, err = fd.gradient(np.matmul, [x, y], 0, g)
    np.testing.assert_allclose(est, g @ y.T, rtol=1e-10, atol=1e-12)   # dA = G Bᵀ
    assert np.all(err < 1e-10)
    est, _ = fd.gradient(np.matmul, [x, y], 1, g, use_complex=True)
    np.testing.assert_allclose(est, x.T @ g, rtol=1e-14, atol=1e-15)    # dB = Aᵀ G


def test_error_vs_step_shows_the_v_curve():
    x, v = _point(6, -1.0, 1.0)
    steps = [1e-1, 1e-3, 1e-5, 1e-7, 1e-9, 1e-11]
    curve = fd.error_vs_step(SMOOTH[0][1], x, v, steps, "central")
    errs = [e for _, e in curve]
    best = int(np.argmin(errs))
    assert 0 < best < len(steps) - 1        # truncation on the left, rounding on the right
    assert errs[0] > 1e-5 and errs[-1] > 1e-8
    cs = fd.error_vs_step(SMOOTH[0][1], x, v, [1e-20, 1e-100], "complex")
    assert all(e <= 1e-15 for _, e in cs)
