"""Decompositions and least squares (numeric/ops/decompositions.py, inverses.py, norms.py):
NumPy's named tuples and call forms, gradients against autograd (where it has them) and central
differences, and what happens at the degenerate points each op declares as its domain boundary.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from numdiff_util import central_diff

import numeric
from numeric import Tensor
from numeric.cases import sample_inputs, standard_cases

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")


def _r(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def _spread(m, n, seed=0, values=(3.0, 2.0, 1.0, 0.5)):
    """A matrix with singular values ``values`` (distinct, away from 0)."""
    rng = np.random.default_rng(seed)
    k = min(m, n)
    u = np.linalg.qr(rng.normal(size=(m, k)))[0]
    v = np.linalg.qr(rng.normal(size=(n, k)))[0]
    return (u * np.array(values[:k])) @ v.T


def _grad(f, x):
    return numeric.grad(lambda t: f(np, t))(x)


def _fd(f, x):
    return central_diff(lambda a: float(f(np, a)), x)


def _ag(f, x):
    return autograd.grad(lambda t: f(anp, t))(x)


# --- named tuples and call forms -------------------------------------------------------------
def test_svd_returns_numpys_named_tuple_of_tensors():
    x = _spread(3, 2)
    res = np.linalg.svd(Tensor(x), full_matrices=False)
    want = np.linalg.svd(x, full_matrices=False)
    assert type(res) is type(want) and res._fields == ("U", "S", "Vh")
    for got, w in zip(res, want):
        assert isinstance(got, Tensor)
        np.testing.assert_allclose(got.value, w, atol=1e-12)
    np.testing.assert_allclose(res.U.value, want.U, atol=1e-12)
    full = np.linalg.svd(Tensor(x))  # NumPy's default: full_matrices=True
    assert full.U.shape == (3, 3) and full.Vh.shape == (2, 2)
    s = np.linalg.svd(Tensor(x), compute_uv=False)
    assert isinstance(s, Tensor) and s.shape == (2,)
    np.testing.assert_allclose(np.linalg.svdvals(Tensor(x)).value, want.S, atol=1e-12)


def test_eigh_qr_and_lstsq_return_numpys_outputs():
    a = _spread(3, 3, values=(3.0, 2.0, 1.0))
    a = a + a.T
    res = np.linalg.eigh(Tensor(a), UPLO="U")
    assert res._fields == ("eigenvalues", "eigenvectors")
    np.testing.assert_allclose(res.eigenvalues.value, np.linalg.eigvalsh(a), atol=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(Tensor(a)).value, np.linalg.eigvalsh(a))
    x = _spread(3, 2)
    for mode in ("reduced", "complete"):
        q, r = np.linalg.qr(Tensor(x), mode=mode)
        wq, wr = np.linalg.qr(x, mode=mode)
        np.testing.assert_allclose(q.value, wq, atol=1e-12)
        np.testing.assert_allclose(r.value, wr, atol=1e-12)
    np.testing.assert_allclose(np.linalg.qr(Tensor(x), mode="r").value, np.linalg.qr(x, "r"))
    b = _r(3, seed=1)
    sol, res_, rank, s = np.linalg.lstsq(Tensor(x), Tensor(b), rcond=None)
    want = np.linalg.lstsq(x, b, rcond=None)
    for got, w in zip((sol, res_, s), (want[0], want[1], want[3])):
        np.testing.assert_allclose(got.value, w, atol=1e-12)
    assert rank == want[2] and isinstance(rank, int)
    square = np.linalg.lstsq(Tensor(_spread(2, 2)), Tensor(_r(2)), rcond=None)
    assert square[1].shape == (0,)  # no residuals unless overdetermined, as NumPy


def test_every_norm_order_and_call_form_gives_numpys_value():
    x, v = _r(3, 4, seed=2), _r(5, seed=3)
    for ord in (None, 2, 1, 0, 3, 0.5, -1, -2.5, np.inf, -np.inf):
        np.testing.assert_allclose(np.linalg.norm(Tensor(v), ord).value,
                                   np.linalg.norm(v, ord), rtol=1e-12)
        np.testing.assert_allclose(np.linalg.norm(Tensor(x), ord, axis=0, keepdims=True).value,
                                   np.linalg.norm(x, ord, axis=0, keepdims=True), rtol=1e-12)
    for ord in (None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf):
        np.testing.assert_allclose(np.linalg.norm(Tensor(x), ord).value,
                                   np.linalg.norm(x, ord), rtol=1e-12)
        np.testing.assert_allclose(
            np.linalg.norm(Tensor(x[None]), ord, axis=(2, 1), keepdims=True).value,
            np.linalg.norm(x[None], ord, axis=(2, 1), keepdims=True), rtol=1e-12)
        np.testing.assert_allclose(np.linalg.matrix_norm(Tensor(x), ord=ord or "fro").value,
                                   np.linalg.matrix_norm(x, ord=ord or "fro"), rtol=1e-12)
    for ord, axis in ((2, None), (1, (0, 1)), (np.inf, 1), (3, None)):
        np.testing.assert_allclose(np.linalg.vector_norm(Tensor(x), ord=ord, axis=axis).value,
                                   np.linalg.vector_norm(x, ord=ord, axis=axis), rtol=1e-12)


def test_matrix_power_and_pinv_call_forms():
    a = _spread(3, 3, values=(2.0, 1.5, 0.7))
    for n in (-3, -1, 0, 1, 4):
        np.testing.assert_allclose(np.linalg.matrix_power(Tensor(a), n).value,
                                   np.linalg.matrix_power(a, n), rtol=1e-10)
    x = _spread(3, 2)
    np.testing.assert_allclose(np.linalg.pinv(Tensor(x)).value, np.linalg.pinv(x))
    np.testing.assert_allclose(np.linalg.pinv(Tensor(x), rtol=1e-3).value,
                               np.linalg.pinv(x, rtol=1e-3))


# --- gradients against autograd ----------------------------------------------------------------
def _sym(m, x):
    return m.dot(x, x.T) + 0.5 * m.eye(x.shape[0])


AUTOGRAD = {
    # eigh through a symmetric construction: autograd differentiates the full matrix, numeric
    # the triangle eigh reads; through X Xᵀ both are the gradient with respect to X
    "eigh values": (lambda m, x: m.sum(m.linalg.eigh(_sym(m, x))[0] * m.arange(3.0)), (3, 3)),
    "eigh vectors (sign-free)": (lambda m, x: m.sum(m.linalg.eigh(_sym(m, x))[1] ** 2
                                                    * m.arange(9.0).reshape(3, 3)), (3, 3)),
    "eigh, UPLO='U'": (lambda m, x: m.sum(m.linalg.eigh(_sym(m, x), UPLO="U")[1] ** 4), (3, 2)),
    "svd values": (lambda m, x: m.sum(m.linalg.svd(x, full_matrices=False)[1] ** 3), (4, 3)),
    "svd vectors (sign-free)": (lambda m, x: m.sum(m.linalg.svd(x, full_matrices=False)[0] ** 2
                                                   * m.arange(6.0).reshape(3, 2)), (3, 2)),
    "svd Vh (wide)": (lambda m, x: m.sum(m.linalg.svd(x, full_matrices=False)[2] ** 2
                                         * m.arange(6.0).reshape(2, 3)), (2, 3)),
    "pinv": (lambda m, x: m.sum(m.sin(m.linalg.pinv(x))), (3, 2)),
    "norm nuc": (lambda m, x: m.linalg.norm(x, "nuc"), (3, 2)),
    "norm p=3 rows": (lambda m, x: m.sum(m.linalg.norm(x, 3, axis=1)), (2, 3)),
    "norm of rows": (lambda m, x: m.sum(m.linalg.norm(x, axis=1) * m.arange(2.0)), (2, 3)),
}


@pytest.mark.parametrize("name", sorted(AUTOGRAD))
def test_gradient_agrees_with_autograd_and_differences(name):
    f, shape = AUTOGRAD[name]
    x = _spread(*shape, seed=4) if len(shape) == 2 else _r(*shape, seed=4)
    got = _grad(f, x)
    np.testing.assert_allclose(got, _ag(f, x), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(got, _fd(f, x), rtol=1e-5, atol=1e-7)


SECOND = {
    "svd values": lambda m, x: m.sum(m.linalg.svd(x, compute_uv=False) ** 3),
    "eigh values": lambda m, x: m.sum(m.linalg.eigh(_sym(m, x))[0] ** 2 * m.arange(3.0)),
    "pinv": lambda m, x: m.sum(m.linalg.pinv(x) ** 2),
}


@pytest.mark.parametrize("name", sorted(SECOND))
def test_hessian_vector_products_agree_with_autograd(name):
    f, x, v = SECOND[name], _spread(3, 3, seed=5, values=(2.5, 1.5, 0.6)), _r(3, 3, seed=6)

    def hvp(m, grad):
        return grad(lambda t: m.sum(grad(lambda s: f(m, s))(t) * v))(x)

    np.testing.assert_allclose(hvp(np, numeric.grad), hvp(anp, autograd.grad), rtol=1e-7,
                               atol=1e-9)


DIFFERENCES = {  # autograd has no VJP for these: central differences are the reference
    "qr tall": (lambda m, x: m.sum(m.linalg.qr(x)[0] * m.arange(6.0).reshape(3, 2))
                + m.sum(m.linalg.qr(x)[1] ** 2), (3, 2)),
    "qr wide": (lambda m, x: m.sum(m.sin(m.linalg.qr(x)[1])) + m.sum(m.linalg.qr(x)[0]), (2, 3)),
    "qr mode r": (lambda m, x: m.sum(m.linalg.qr(x, mode="r") ** 3), (3, 2)),
    "matrix_power n=3": (lambda m, x: m.sum(m.sin(m.linalg.matrix_power(x, 3))), (3, 3)),
    "matrix_power n=-2": (lambda m, x: m.sum(m.sin(m.linalg.matrix_power(x, -2))), (3, 3)),
    "lstsq solution and residuals": (
        lambda m, x: m.sum(m.linalg.lstsq(x, m.arange(4.0), rcond=None)[0] ** 2)
        + 3 * m.sum(m.linalg.lstsq(x, m.arange(4.0), rcond=None)[1]), (4, 2)),
    "lstsq singular values": (
        lambda m, x: m.sum(m.linalg.lstsq(x, m.ones((3, 2)), rcond=None)[3] ** 2), (3, 2)),
    "norm matrix ord=1": (lambda m, x: m.linalg.norm(x, 1), (3, 2)),
    "norm matrix ord=-inf": (lambda m, x: m.linalg.norm(x, -np.inf), (3, 2)),
    "norm matrix ord=2": (lambda m, x: m.linalg.norm(x, 2), (3, 2)),
    "norm matrix ord=-2": (lambda m, x: m.linalg.norm(x, -2), (3, 2)),
    "vector_norm over two axes": (lambda m, x: m.linalg.vector_norm(x, ord=3, axis=(0, 1)),
                                  (3, 2)),
    "vdot": (lambda m, x: m.vdot(x, m.arange(6.0)), (3, 2)),
    "norm p=-1.5 (autograd: not implemented)": (lambda m, x: m.linalg.norm(x, -1.5), (4,)),
    "norm inf vector (autograd: nan)": (lambda m, x: m.linalg.norm(x, np.inf), (4,)),
}


@pytest.mark.parametrize("name", sorted(DIFFERENCES))
def test_gradient_matches_central_differences(name):
    f, shape = DIFFERENCES[name]
    x = _spread(*shape, seed=7) if len(shape) == 2 else _r(*shape, seed=7)
    np.testing.assert_allclose(_grad(f, x), _fd(f, x), rtol=1e-5, atol=1e-7)


def test_eigh_gradient_lives_on_the_triangle_numpy_reads():
    a = _spread(3, 3, values=(3.0, 2.0, 1.0))
    a = a + a.T + np.triu(_r(3, 3, seed=8), 1)  # the upper triangle is noise eigh ignores
    for uplo, zero in (("L", np.triu_indices(3, 1)), ("U", np.tril_indices(3, -1))):
        def f(m, x, uplo=uplo):
            return m.sum(m.linalg.eigh(x, UPLO=uplo)[0] * m.arange(3.0))
        g = _grad(f, a)
        np.testing.assert_array_equal(g[zero], 0.0)
        np.testing.assert_allclose(g, _fd(f, a), rtol=1e-6, atol=1e-8)


# --- degenerate points: refused (vectors) or documented (values) ---------------------------
def test_repeated_eigenvalues_refuse_a_gradient_through_the_eigenvectors():
    with pytest.raises(ValueError, match="eigh: repeated eigenvalues"):
        _grad(lambda m, x: m.sum(m.linalg.eigh(x)[1] ** 4), np.eye(3))
    # the eigenvalues alone keep a gradient there: the sum of eigenvalues is the trace
    g = _grad(lambda m, x: m.sum(m.linalg.eigvalsh(x)), np.eye(3))
    np.testing.assert_allclose(g, np.eye(3), atol=1e-12)


def test_repeated_singular_values_refuse_a_gradient_through_the_singular_vectors():
    x = np.diag([2.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="svd: repeated singular values"):
        _grad(lambda m, t: m.sum(m.linalg.svd(t)[0] ** 4), x)
    with pytest.raises(ValueError, match="extreme singular value is repeated"):
        _grad(lambda m, t: m.linalg.norm(t, 2), x)
    g = _grad(lambda m, t: m.linalg.norm(t, "nuc"), x)  # U Vᵀ: defined at repeated values
    np.testing.assert_allclose(g, np.eye(3), atol=1e-12)


def test_completed_vectors_have_no_gradient_but_the_first_k_do():
    x = _spread(3, 2)
    with pytest.raises(ValueError, match="full_matrices=True completes U"):
        _grad(lambda m, t: m.sum(m.linalg.svd(t)[0]), x)
    f = lambda m, t: m.sum(m.linalg.svd(t)[0][:, :2] ** 2 * m.arange(6.0).reshape(3, 2))  # noqa
    np.testing.assert_allclose(_grad(f, x), _fd(f, x), rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="mode='complete' completes Q"):
        _grad(lambda m, t: m.sum(m.linalg.qr(t, mode="complete")[0]), x)


@pytest.mark.parametrize("name, f", [
    ("pinv", lambda m, t: m.sum(m.linalg.pinv(t))),
    ("lstsq", lambda m, t: m.sum(m.linalg.lstsq(t, m.ones(3), rcond=None)[0])),
    ("qr", lambda m, t: m.sum(m.linalg.qr(t)[0])),
])
def test_rank_deficiency_is_refused(name, f):
    x = np.array([[1.0, 2.0], [2.0, 4.0], [0.5, 1.0]])  # rank 1
    with pytest.raises(ValueError, match=f"{name}: .*rank deficient"):
        _grad(f, x)


def test_a_singular_value_cut_by_rcond_or_rtol_is_refused():
    x = _spread(3, 2, values=(2.0, 1e-3))  # full rank, but rcond=0.01 cuts its second value
    for kw in ({"rcond": 1e-2}, {"rtol": 1e-2}):
        np.testing.assert_allclose(np.linalg.pinv(Tensor(x), **kw).value,
                                   np.linalg.pinv(x, **kw))
        with pytest.raises(ValueError, match="pinv: .*rank deficient at rcond=0.01"):
            _grad(lambda m, t, kw=kw: m.sum(m.linalg.pinv(t, **kw)), x)
    with pytest.raises(ValueError, match=r"lstsq: .*rank 1 < 2"):
        _grad(lambda m, t: m.sum(m.linalg.lstsq(t, m.ones(3), rcond=1e-2)[0]), x)
    f = lambda m, t: m.sum(m.linalg.pinv(t, rtol=None) ** 2)  # noqa: E731 - NumPy's default
    np.testing.assert_allclose(_grad(f, x), _fd(f, x), rtol=1e-4)


@pytest.mark.parametrize("call, match", [
    (lambda t: np.linalg.svd(t, hermitian=True), "hermitian=False"),
    (lambda t: np.linalg.qr(t, mode="raw"), "mode='raw' is not supported"),
    (lambda t: np.linalg.eigh(t, UPLO="X"), "UPLO must be 'L' or 'U'"),
    (lambda t: np.linalg.matrix_power(t, 1.5), "n must be an integer"),
    (lambda t: np.linalg.pinv(t, rcond=1e-3, rtol=1e-3), "rcond or rtol, not both"),
    (lambda t: np.linalg.norm(t, "fro", axis=0), "'fro' is a matrix norm"),
    (lambda t: np.linalg.norm(t, 3), "not a matrix norm order"),
    (lambda t: np.linalg.norm(t, axis=(0, 1, 0)), "names more than 2 axes"),
    (lambda t: np.linalg.norm(t[0, 0], 1, axis=(0, 1)), "out of range"),
])
def test_bad_input_is_refused_by_name(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call(Tensor(np.ones((2, 2))))


def test_pinv_sym_forward_is_numpys_pseudo_inverse_at_full_rank():
    op = numeric.get_op("pinv")
    rng = np.random.default_rng(5)
    for case in standard_cases(op):
        x = np.round(sample_inputs(op, case, rng)[0] * 8) / 8
        exact = np.vectorize(lambda a: sympy.Rational(a), otypes=[object])(x)
        got = np.asarray(op.sym(exact), dtype=object).astype(float)
        np.testing.assert_allclose(got, np.linalg.pinv(x), rtol=1e-10, atol=1e-12)


def test_decompositions_say_why_derive_has_no_exact_form_past_two_values():
    for name, shape, params in (("svd", (3, 3), {}), ("svd", (2, 2), {"compute_uv": True}),
                                ("eigh", (3, 3), {}), ("qr", (3, 2), {"mode": "complete"}),
                                ("lstsq", (3, 3), {})):
        shapes = [shape] + ([(shape[0],)] if name == "lstsq" else [])
        with pytest.raises(NotImplementedError, match="SymPy|closed form|budget|basis"):
            numeric.get_op(name).sym(*(np.ones(s, dtype=object) for s in shapes), **params)


@pytest.mark.parametrize("name, params", [
    ("eigh", {}), ("eigh", {"UPLO": "U", "vectors": False}), ("svd", {"compute_uv": False}),
    ("qr", {"mode": "r"}), ("lstsq", {}),
])
def test_exact_forms_agree_with_lapack_up_to_the_signs_of_vectors(name, params):
    op, rng = numeric.get_op(name), np.random.default_rng(12)
    checked = 0
    for case in standard_cases(op):  # each case with ``params`` put over its own
        xs = [np.round(x * 8) / 8 for x in sample_inputs(op, case, rng)]
        exact = [np.vectorize(lambda a: sympy.Rational(a), otypes=[object])(x) for x in xs]
        try:
            got = np.asarray(op.sym(*exact, **{**case.params, **params}), dtype=object)
        except NotImplementedError:
            continue
        got = np.vectorize(lambda e: float(sympy.N(e, 30)))(got)
        want = op.fwd(*xs, **{**case.params, **params})
        np.testing.assert_allclose(np.abs(got), np.abs(want), rtol=1e-10, atol=1e-12,
                                   err_msg=f"{name} at {case}")
        checked += 1
    assert checked


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.data())
def test_generated_norm_calls_give_numpys_value(data):
    from numeric.kinds import NORM

    case = data.draw(NORM.strategy(numeric.get_op("norm"), 3, 3))
    x = _r(*case.shapes[0], seed=11)
    ord, axis, keepdims = (case.params.get(k) for k in ("ord", "axis", "keepdims"))
    with np.errstate(divide="ignore"):
        want = np.linalg.norm(x, ord, axis, bool(keepdims))
    np.testing.assert_allclose(np.linalg.norm(Tensor(x), ord, axis, bool(keepdims)).value,
                               want, rtol=1e-12, atol=1e-12)
