"""numeric.scipy.signal.convolve (numeric/ops/scipy_signal.py): the forward against
scipy.signal.convolve and autograd.scipy.signal.convolve, gradients against autograd's to first
and second order on hypothesis-drawn layouts (convolved, summed and kept axes in any order,
modes full/valid/same), and the errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric
from numeric import Tensor
from numeric.kinds import CONVOLVE
from numeric.scipy.signal import convolve

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")
asig = pytest.importorskip("autograd.scipy.signal")

OP = numeric.get_op("convolve")


@settings(max_examples=15)
@given(shapes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
       mode=st.sampled_from(["full", "valid", "same"]), seed=st.integers(0, 2 ** 16))
def test_plain_convolution_is_scipys(shapes, mode, seed):
    rng = np.random.default_rng(seed)
    nd = len(shapes) // 2
    a, b = rng.normal(size=shapes[:nd]), rng.normal(size=shapes[nd:2 * nd])
    if mode == "valid":  # one operand must cover the other
        b = b[tuple(slice(0, min(m, n)) for m, n in zip(a.shape, b.shape))]
    want = ss.convolve(a, b, mode=mode, method="direct")
    np.testing.assert_allclose(convolve(a, b, mode=mode), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(convolve(Tensor(a), b, mode=mode).value, want, rtol=1e-12,
                               atol=1e-12)


def _case_is_autograds(case):
    """autograd recurses forever in full mode where neither operand is the larger along every
    convolved axis and both have as many entries (each call swaps them back); such cases are
    checked against central differences only (tests/numeric/test_ops.py)."""
    (sa, sb), p = case.shapes, case.params
    sizes = [(sa[i], sb[j]) for i, j in zip(*p["axes"])]
    mixed = not (all(n >= m for n, m in sizes) or all(m >= n for n, m in sizes))
    return not (p["mode"] == "full" and mixed and np.prod(sa) == np.prod(sb))


@settings(max_examples=20)
@given(data=st.data(), seed=st.integers(0, 2 ** 16))
def test_gradients_match_autograd_to_second_order(data, seed):
    case = data.draw(CONVOLVE.strategy(OP, 3, 3).filter(_case_is_autograds), label="case")
    rng = np.random.default_rng(seed)
    a, b = (rng.normal(size=s) for s in case.shapes)
    kw = {k: [list(v) for v in p] if k != "mode" else p for k, p in case.params.items()}
    want = asig.convolve(a, b, **kw)
    out = convolve(Tensor(a), Tensor(b), **kw)
    np.testing.assert_allclose(out.value, want, rtol=1e-12, atol=1e-12)
    w = rng.normal(size=want.shape)

    def loss(f, m):
        return lambda a, b: m.sum(m.sin(f(a, b, **kw)) * w)

    g = numeric.grad(loss(convolve, np), (0, 1))(a, b)
    ga = autograd.grad(loss(asig.convolve, anp), (0, 1))(a, b)
    for mine, ref in zip(g, ga):
        np.testing.assert_allclose(mine, ref, rtol=1e-10, atol=1e-12)
    h = numeric.grad(lambda a, b: np.sum(numeric.grad(loss(convolve, np), 1)(a, b) ** 2),
                     (0, 1))(a, b)
    ha = autograd.grad(lambda a, b: anp.sum(autograd.grad(loss(asig.convolve, anp), 1)(
        a, b) ** 2), (0, 1))(a, b)
    for mine, ref in zip(h, ha):
        np.testing.assert_allclose(mine, ref, rtol=1e-9, atol=1e-11)


def test_axes_summed_and_kept_are_placed_as_autograds():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(4, 2, 5)), rng.normal(size=(3, 2, 6))
    kw = {"axes": ([2], [0]), "dot_axes": ([1], [1])}
    out = convolve(Tensor(a), b, **kw)
    assert out.shape == (4, 6, 7)  # a's kept axis, b's kept axis, then the convolution
    np.testing.assert_allclose(out.value, asig.convolve(a, b, **kw), rtol=1e-12)


@pytest.mark.parametrize("call, error, match", [
    (lambda a, b: convolve(a, b, mode="circular"), ValueError, "mode must be"),
    (lambda a, b: convolve(a, b[:, :1], mode="valid"), ValueError, "mode 'valid' needs"),
    (lambda a, b: convolve(a, b, axes=([0], [0, 1])), ValueError, "as many convolved"),
    (lambda a, b: convolve(a, b, axes=([0], [0]), dot_axes=([1], [1])), ValueError,
     "summed axes differ in size"),
    (lambda a, b: convolve(a, b, axes=([2], [0])), ValueError, r"of shape \(2, 3\)"),
])
def test_bad_layouts_raise_errors_naming_the_op_and_shapes(call, error, match):
    a, b = np.ones((2, 3)), np.ones((3, 2))  # valid with mixed sizes: refused
    with pytest.raises(error, match=match):
        call(Tensor(a), Tensor(b))
    with pytest.raises(error, match=match):
        call(a, b)


def test_other_scipy_signal_names_are_scipys_and_refuse_tensors():
    import numeric.scipy.signal as nss

    np.testing.assert_allclose(nss.correlate(np.arange(3.0), np.ones(2)),
                               ss.correlate(np.arange(3.0), np.ones(2)))
    with pytest.raises(TypeError, match=r"scipy\.signal\.correlate is not supported on Tensor"):
        nss.correlate(Tensor(np.arange(3.0)), np.ones(2))


@settings(max_examples=25)
@given(sizes=st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(-6, 10),
                                st.integers(1, 6)), min_size=1, max_size=2),
       seed=st.integers(0, 2 ** 16))
def test_any_window_of_entries_is_the_full_convolutions(sizes, seed):
    """The core computes entries [s, s + size) of the full convolution, s < 0 or past its end
    included (zeros there), choosing per axis which operand is windowed: x larger along one
    axis and y along the other."""
    from numeric.ops.scipy_signal import _entries, _roles

    rng = np.random.default_rng(seed)
    a = rng.normal(size=[n for n, _, _, _ in sizes])
    b = rng.normal(size=[m for _, m, _, _ in sizes])
    full = np.pad(ss.convolve(a, b, mode="full", method="direct"), [(20, 20)] * a.ndim)
    want = full[tuple(slice(20 + s, 20 + s + k) for _, _, s, k in sizes)]
    got = _entries(a, b, _roles(a.shape, b.shape, None, ((), ()), "full"),
                   [s for _, _, s, _ in sizes], [k for _, _, _, k in sizes])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@settings(max_examples=20)
@given(data=st.data(), mode=st.sampled_from(["full", "same"]), seed=st.integers(0, 2 ** 16))
def test_rules_on_arrays_equal_the_recorded_rules(data, mode, seed):
    """On arrays the rules take the needed entries of g's convolution directly; on Tensors
    they pad g and call the op (checked against autograd to second order above). Sizes drawn
    apart: y up to 4 times x's ('same' then starts ȳ's entries before the full output's)."""
    nd = data.draw(st.integers(1, 2), label="axes")
    sa = data.draw(st.lists(st.integers(1, 3), min_size=nd, max_size=nd), label="x shape")
    sb = data.draw(st.lists(st.integers(1, 9), min_size=nd, max_size=nd), label="y shape")
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=sa), rng.normal(size=sb)
    out = convolve(a, b, mode=mode)
    g = rng.normal(size=out.shape)
    for i, rule in enumerate(OP.vjp):
        plain = rule(g, out, a, b, mode=mode)
        recorded = rule(Tensor(g), Tensor(out), Tensor(a), Tensor(b), mode=mode)
        assert isinstance(recorded, Tensor)
        np.testing.assert_allclose(plain, recorded.value, rtol=1e-12, atol=1e-12,
                                   err_msg=f"input {i}")


@pytest.mark.parametrize("sa, sb, kw", [
    # many summed entries against a small kernel: the summed axes are contracted first, then
    # one shifted add per kernel entry (the convnet's x̄ has this shape)
    ((3, 6, 4, 4), (2, 6, 2, 2), {"axes": ([2, 3], [2, 3]), "dot_axes": ([1], [1])}),
    ((4, 7), (4, 3), {"axes": ([1], [1]), "dot_axes": ([0], [0])}),
    ((3, 5, 6), (5, 2), {"axes": ([2], [1]), "dot_axes": ([1], [0]), "mode": "same"}),
    ((2, 5, 9), (5, 3), {"axes": ([2], [1]), "dot_axes": ([1], [0]), "mode": "valid"}),
])
def test_summed_axes_first_gives_autograds_values_and_gradients(sa, sb, kw):
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=sa), rng.normal(size=sb)
    want = asig.convolve(a, b, **kw)
    np.testing.assert_allclose(convolve(a, b, **kw), want, rtol=1e-12, atol=1e-12)
    w = rng.normal(size=want.shape)
    g = numeric.grad(lambda a, b: np.sum(convolve(a, b, **kw) * w), (0, 1))(a, b)
    ga = autograd.grad(lambda a, b: anp.sum(asig.convolve(a, b, **kw) * w), (0, 1))(a, b)
    for mine, ref in zip(g, ga):
        np.testing.assert_allclose(mine, ref, rtol=1e-11, atol=1e-12)
