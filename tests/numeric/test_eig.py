"""eig and eigvals (numeric/ops/eig.py): NumPy's EigResult and call forms, gradients against
autograd's at first and second order (real matrices with real and complex-pair eigenvalues,
complex matrices, stacks), the refusal at repeated eigenvalues, the kinds' align hook, and the
2x2 closed form derive checks the rules on. verify on eig: tests/verify/test_eig_checks.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric
import numeric.numpy as nnp
from numeric import Tensor
from numeric.kinds.eig import align_packed, align_values, separated_eigenvalues
from verify.checks import Options

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")

NUMERIC = Options(checks=("fd", "adjoint", "raw_shape", "kink", "taylor"))


def _matrix(blocks, seed=0, complex_=False):
    """S Λ S⁻¹ with Λ block diagonal (numbers, or 2x2 blocks [[a, b], [-b, a]] given as
    (a, b): eigenvalues a ± ib); S = I + 0.3 Z, not orthogonal."""
    n = sum(1 if np.isscalar(b) else 2 for b in blocks)
    lam = np.zeros((n, n), dtype=complex if complex_ else float)
    j = 0
    for b in blocks:
        if np.isscalar(b):
            lam[j, j], j = b, j + 1
        else:
            lam[j:j + 2, j:j + 2], j = [[b[0], b[1]], [-b[1], b[0]]], j + 2
    rng = np.random.default_rng(seed)
    s = np.eye(n) + 0.3 * rng.uniform(-1, 1, (n, n))
    if complex_:
        s = s + 0.3j * rng.uniform(-1, 1, (n, n))
    return s @ lam @ np.linalg.inv(s)


PAIR = _matrix([2.0, (-0.5, 1.2)], seed=1)              # 3x3 real: one real, a complex pair
REAL = _matrix([-2.0, -0.5, 1.0, 2.5], seed=2)          # 4x4 real, real eigenvalues
STACK = np.stack([PAIR, _matrix([(0.5, 0.8), -1.5], seed=3)])
COMPLEX = _matrix([1.0 + 0.5j, -1.0, 0.3 - 1.0j], seed=4, complex_=True)
POINTS = {"pair": PAIR, "real": REAL, "stack": STACK, "complex": COMPLEX}


def _herm(np_, v):
    return np_.conj(np_.swapaxes(v, -1, -2))


# Losses that do not depend on the eigenvectors' phases (gauge-invariant).
LOSSES = {
    "sum |w|^2": lambda np_, x: np_.sum(np_.abs(np_.linalg.eig(x)[0]) ** 2),
    "Re sum w^3": lambda np_, x: np_.real(np_.sum(np_.linalg.eig(x)[0] ** 3)),
    "sum |v|^4": lambda np_, x: np_.sum(np_.abs(np_.linalg.eig(x)[1]) ** 4),
    "sum |vi^H vj|^2": lambda np_, x: np_.sum(
        np_.abs(np_.matmul(_herm(np_, np_.linalg.eig(x)[1]), np_.linalg.eig(x)[1])) ** 2),
    "w and v": lambda np_, x: np_.sum(np_.abs(np_.linalg.eig(x)[1][..., 0, :]) ** 2
                                      * np_.real(np_.linalg.eig(x)[0])),
}


def _ours(loss):
    return lambda x: loss(np, x)


def _theirs(loss):
    return lambda x: loss(anp, x)


# --- NumPy's results and call forms ----------------------------------------------------------
@pytest.mark.parametrize("point", list(POINTS))
def test_eig_returns_numpys_named_tuple_of_tensors(point):
    x = POINTS[point]
    res, want = np.linalg.eig(Tensor(x)), np.linalg.eig(x)
    assert type(res) is type(want) and res._fields == ("eigenvalues", "eigenvectors")
    for got, w in zip(res, want):
        assert isinstance(got, Tensor) and got.dtype == w.dtype and got.shape == w.shape
        np.testing.assert_array_equal(got.value, w)
    np.testing.assert_array_equal(res.eigenvectors.value, want.eigenvectors)


def test_every_call_form_reaches_the_records():
    w, v = nnp.linalg.eig(Tensor(PAIR))
    np.testing.assert_array_equal(w.value, np.linalg.eig(PAIR)[0])
    vals = nnp.linalg.eigvals(Tensor(STACK))
    assert vals.op.name == "eigvals"
    np.testing.assert_array_equal(vals.value, np.linalg.eigvals(STACK))
    real = np.linalg.eigvals(Tensor(REAL))  # every eigenvalue real: NumPy's real dtype
    assert real.dtype == np.float64 and np.linalg.eig(Tensor(REAL))[1].dtype == np.float64


# --- gradients against autograd --------------------------------------------------------------
@pytest.mark.parametrize("point", list(POINTS))
@pytest.mark.parametrize("name", list(LOSSES))
def test_eig_gradient_matches_autograd(name, point):
    x = POINTS[point]
    got = numeric.grad(_ours(LOSSES[name]))(x)
    want = autograd.grad(_theirs(LOSSES[name]))(x)
    assert got.dtype == x.dtype  # a real input's gradient is real
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("point", ["pair", "real", "stack"])
@pytest.mark.parametrize("name", ["Re sum w^3", "sum |v|^4", "sum |vi^H vj|^2"])
def test_eig_hessian_matches_autograd(name, point):
    x = POINTS[point]
    got = numeric.hessian(_ours(LOSSES[name]))(x)
    want = autograd.hessian(_theirs(LOSSES[name]))(x)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name", ["sum |w|^2", "sum |v|^4", "sum |vi^H vj|^2"])
def test_eig_second_order_on_complex_input_matches_autograd(name):
    # d/dx Re Σ u · grad l(x): a Hessian-vector product in autograd's complex convention
    u = np.random.default_rng(5).normal(size=(3, 3, 2)) @ np.array([1.0, 1.0j])
    loss = LOSSES[name]
    got = numeric.grad(lambda x: np.real(np.sum(numeric.grad(_ours(loss))(x) * u)))(COMPLEX)
    want = autograd.grad(lambda x: anp.real(anp.sum(autograd.grad(_theirs(loss))(x) * u)))(
        COMPLEX)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("point", list(POINTS))
def test_eigvals_matches_autograds_eig_to_second_order(point):
    x = POINTS[point]

    def ours(x):
        return np.real(np.sum(np.linalg.eigvals(x) ** 3)) + np.sum(np.abs(np.linalg.eigvals(x)))

    def theirs(x):
        w = anp.linalg.eig(x)[0]
        return anp.real(anp.sum(w ** 3)) + anp.sum(anp.abs(w))

    np.testing.assert_allclose(numeric.grad(ours)(x), autograd.grad(theirs)(x), rtol=1e-10,
                               atol=1e-11)
    if not np.iscomplexobj(x) and x.ndim == 2:
        np.testing.assert_allclose(numeric.hessian(ours)(x), autograd.hessian(theirs)(x),
                                   rtol=1e-9, atol=1e-10)


@settings(max_examples=8, deadline=None)
@given(batch=st.lists(st.integers(1, 2), max_size=2), n=st.integers(1, 4),
       seed=st.integers(0, 2 ** 16), complex_=st.booleans())
def test_random_stacks_match_autograd(batch, n, seed, complex_):
    x = separated_eigenvalues(tuple(batch) + (n, n), np.random.default_rng(seed), complex_)
    loss = LOSSES["sum |vi^H vj|^2"] if n > 1 else LOSSES["Re sum w^3"]
    np.testing.assert_allclose(numeric.grad(_ours(loss))(x), autograd.grad(_theirs(loss))(x),
                               rtol=1e-9, atol=1e-10)


# --- degenerate points -----------------------------------------------------------------------
def test_repeated_eigenvalues_refuse_an_eigenvector_cotangent_naming_them():
    x = np.diag([2.0, 2.0, 1.0]) + np.triu(np.ones((3, 3)), 1) * [[0, 0, 1], [0, 0, 1], [0, 0, 0]]
    with pytest.raises(ValueError, match=r"eig: repeated eigenvalues \[2\.0, 2\.0, 1\.0\].*"
                                         "separated eigenvalues"):
        numeric.grad(_ours(LOSSES["sum |v|^4"]))(x)
    # the eigenvalues alone still have their gradient there (no 1/(w_j - w_i) is taken)
    got = numeric.grad(_ours(LOSSES["sum |w|^2"]))(x)
    np.testing.assert_allclose(got, autograd.grad(_theirs(LOSSES["sum |w|^2"]))(x), atol=1e-12)


def test_a_jordan_block_refuses_even_an_eigenvalue_cotangent():
    # sum w² = tr(x²) is smooth there (gradient 2xᵀ), but V⁻ᵀ diag(w̄) Vᵀ has no meaning with
    # V singular: refused rather than a wrong number
    jordan = np.array([[1.0, 1.0], [0.0, 1.0]])
    for call in (lambda a: np.linalg.eig(a)[0], np.linalg.eigvals):
        with pytest.raises(ValueError, match=r"repeated eigenvalues \[1\.0, 1\.0\] of a matrix "
                                             "that is not diagonalizable"):
            numeric.grad(lambda a, call=call: np.sum(call(a) ** 2))(jordan)


# --- the align hook --------------------------------------------------------------------------
def test_align_undoes_a_permutation_and_phases():
    w, v = np.linalg.eig(np.stack([PAIR, PAIR.T]))
    base = np.concatenate([w, v.reshape(2, 9)], axis=-1)
    p = np.array([2, 0, 1])
    phase = np.exp(1j * np.array([0.3, -2.0, 3.0]))
    moved = np.concatenate([w[..., p], (v[..., p] * phase).reshape(2, 9)], axis=-1)
    np.testing.assert_allclose(align_packed(base, moved), base, atol=1e-14)
    np.testing.assert_allclose(align_values(w, w[..., p]), w, atol=0)



# --- derive's closed form --------------------------------------------------
def test_the_closed_form_is_lapacks_decomposition_up_to_order_and_signs():
    # derive proves the rules on this branch; it must be the same decomposition as LAPACK's
    import sympy

    x = np.array([[0.3, 0.9], [0.5, 0.7]])  # positive entries: real, distinct eigenvalues
    exact = np.vectorize(sympy.Rational, otypes=[object])(x)
    op = numeric.get_op("eig")
    sym = np.vectorize(lambda e: float(sympy.N(e, 20)))(np.asarray(op.sym(exact), dtype=object))
    lapack = op.fwd(x)
    np.testing.assert_allclose(align_packed(lapack, sym), lapack, atol=1e-14)
    sym_w = np.vectorize(lambda e: float(sympy.N(e, 20)))(
        np.asarray(numeric.get_op("eigvals").sym(exact), dtype=object))
    np.testing.assert_allclose(align_values(np.linalg.eigvals(x), sym_w), np.linalg.eigvals(x))


# --- derive's constructed exact points (numeric/ops/eig_points.py) ----------------------------
@pytest.mark.parametrize("shape, seed, pairs", [((1, 1), 0, 0), ((3, 3), 1, 0), ((4, 4), 2, 0),
                                               ((2, 3, 3), 3, 0), ((2, 2), 4, 1), ((3, 3), 5, 1),
                                               ((2, 4, 4), 6, 2)])
def test_the_constructed_point_is_lapacks_eig_at_float_x(shape, seed, pairs):
    """x V = V diag(w) exactly, with unit columns (Gaussian rationals for pairs); float(x)'s
    LAPACK eig is (w, V) in the same order, signs and phases, and the exact vectors found for
    w are parallel to V's columns (eigvals' rule is indifferent to their scale)."""
    import sympy

    from numeric.ops.eig_points import eig_point, eig_vectors

    p = eig_point((shape,), {}, np.random.default_rng(seed), pairs=pairs)
    (x,), n = p.xs, shape[-1]
    packed = p.out(*p.factors)
    w, v = packed[..., :n], packed[..., n:].reshape(shape)
    for k in np.ndindex(*shape[:-2]):
        xm, vm = sympy.Matrix(x[k].tolist()), sympy.Matrix(v[k].tolist())
        assert (xm * vm - vm * sympy.diag(*w[k])).expand() == sympy.zeros(n, n)
        assert all(sympy.expand(sum(c * sympy.conjugate(c) for c in vm[:, j])) == 1
                   for j in range(n))
        u = sympy.Matrix(eig_vectors(x[k], w[k]).tolist())
        for j in range(n):  # parallel: |vᴴu|² = |v|²|u|² (Cauchy–Schwarz's equality)
            d, uu = (vm[:, j].H * u[:, j])[0], (u[:, j].H * u[:, j])[0]
            assert sympy.expand(d * sympy.conjugate(d) - uu) == 0
    wl, vl = np.linalg.eig(np.array(x, dtype=float))
    assert np.iscomplexobj(wl) == (pairs > 0)
    np.testing.assert_allclose(np.array(w, dtype=complex), wl, atol=1e-12)
    np.testing.assert_allclose(np.array(v, dtype=complex), vl, atol=1e-10)
    assert (eig_point((shape,), {}, np.random.default_rng(seed), False, pairs).out(*p.factors)
            == w).all()


def test_exact_vectors_need_rational_eigenvalues():
    from numeric.ops.eig_points import eig_vectors

    x = np.array([[1, 1], [1, 0]], dtype=object)  # eigenvalues (1 ± √5)/2
    with pytest.raises(NotImplementedError, match="rational eigenvalues"):
        eig_vectors(x, np.array([0.5, 1.5], dtype=object))
