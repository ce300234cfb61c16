"""numeric.scipy.linalg (numeric/ops/scipy_linalg.py and numeric/scipy/linalg.py).

The records solve_triangular, sqrtm and solve_sylvester against autograd.scipy.linalg to first
and second order on hypothesis-drawn sizes and flags (and against central differences where
autograd's rule is wrong: solve_triangular's unit_diagonal), SciPy's semantics of the names
mapped onto engine ops (cholesky's upper default, cho_factor/cho_solve, solve's assume_a,
solve_banded, svd's full matrices, qr's modes), and the errors: bad input, no SciPy.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.linalg as sl
from hypothesis import given, settings
from hypothesis import strategies as st
from numdiff_util import central_diff

import numeric
import numeric.scipy.linalg as nsl
from numeric import Tensor

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")
asl = pytest.importorskip("autograd.scipy.linalg")

FAST = settings(max_examples=8)


def _stable(rng, n):
    """A non-symmetric matrix whose eigenvalues have positive real parts (and are off the
    negative real axis): a dominant positive diagonal."""
    return np.eye(n) * (n + 1.0) + rng.uniform(-1, 1, size=(n, n))


def _first_and_second(ours, theirs, xs, rng):
    """Gradients of sum(sin(f) * w), and the gradient of their squared norm (second order)."""
    w = rng.normal(size=np.shape(theirs(*xs)))
    idx = tuple(range(len(xs)))

    def loss(f, m):
        return lambda *a: m.sum(m.sin(f(*a)) * w)

    g = numeric.grad(loss(ours, np), idx)(*xs)
    ga = autograd.grad(loss(theirs, anp), idx)(*xs)
    for mine, ref in zip(g, ga):
        np.testing.assert_allclose(mine, ref, rtol=1e-8, atol=1e-10)
    h = numeric.grad(lambda *a: sum(np.sum(v ** 2) for v in numeric.grad(
        loss(ours, np), idx)(*a)), idx)(*xs)
    ha = autograd.grad(lambda *a: sum(anp.sum(v ** 2) for v in autograd.grad(
        loss(theirs, anp), idx)(*a)), idx)(*xs)
    for mine, ref in zip(h, ha):
        np.testing.assert_allclose(mine, ref, rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------------------------------------
# The records against autograd, first and second order
# ---------------------------------------------------------------------------------------------
@FAST
@given(n=st.integers(1, 4), k=st.integers(0, 2), trans=st.sampled_from([0, 1, "N", "T"]),
       lower=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_solve_triangular_matches_autograd(n, k, trans, lower, seed):
    rng = np.random.default_rng(seed)
    a = _stable(rng, n)
    b = rng.normal(size=(n, k) if k else (n,))
    _first_and_second(
        lambda a, b: nsl.solve_triangular(a, b, trans=trans, lower=lower),
        lambda a, b: asl.solve_triangular(a, b, trans=trans, lower=lower), [a, b], rng)


@pytest.mark.parametrize("trans", [0, 1])
@pytest.mark.parametrize("lower", [False, True])
def test_solve_triangular_unit_diagonal_matches_central_differences(trans, lower):
    # autograd's rule drops unit_diagonal (it solves with a's own diagonal): differences only
    rng = np.random.default_rng(3)
    a, b, w = _stable(rng, 3), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))

    def loss(a, b, m=np, solve=nsl.solve_triangular):
        return m.sum(m.sin(solve(a, b, trans=trans, lower=lower, unit_diagonal=True)) * w)

    ga, gb = numeric.grad(loss, (0, 1))(a, b)
    ref = lambda a, b: loss(a, b, solve=sl.solve_triangular)  # noqa: E731
    np.testing.assert_allclose(ga, central_diff(lambda v: ref(v, b), a), atol=1e-8)
    np.testing.assert_allclose(gb, central_diff(lambda v: ref(a, v), b), atol=1e-8)
    assert np.all(ga[np.diag_indices(3)] == 0)  # the unit diagonal is not read
    bad = autograd.grad(lambda a: loss(a, b, anp, asl.solve_triangular))(a)
    assert not np.allclose(bad, ga, atol=1e-3)  # why this case is not compared with autograd


@pytest.mark.parametrize("bshape", [(3,), (2, 3, 2), (3, 1)],
                         ids=["one vector", "stack of matrices", "one matrix"])
def test_solve_triangular_batches_as_scipy_does(bshape):
    rng = np.random.default_rng(4)
    a = np.stack([_stable(rng, 3) for _ in range(2)])
    b = rng.normal(size=bshape)
    out = nsl.solve_triangular(Tensor(a), b, lower=True)
    np.testing.assert_allclose(out.value, sl.solve_triangular(a, b, lower=True))
    w = rng.normal(size=out.shape)
    ga, gb = numeric.grad(lambda a, b: np.sum(nsl.solve_triangular(a, b, lower=True) * w),
                          (0, 1))(a, b)
    fd = central_diff(lambda v: np.sum(sl.solve_triangular(v, b, lower=True) * w), a)
    np.testing.assert_allclose(ga, fd, atol=1e-7)
    fd = central_diff(lambda v: np.sum(sl.solve_triangular(a, v, lower=True) * w), b)
    np.testing.assert_allclose(gb, fd, atol=1e-7)


@FAST
@given(n=st.integers(1, 4), symmetric=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_sqrtm_matches_autograd(n, symmetric, seed):
    rng = np.random.default_rng(seed)
    x = _stable(rng, n)
    x = x @ x.T if symmetric else x
    _first_and_second(nsl.sqrtm, asl.sqrtm, [x], rng)


@FAST
@given(m=st.integers(1, 3), n=st.integers(1, 3), seed=st.integers(0, 2 ** 16))
def test_solve_sylvester_matches_autograd(m, n, seed):
    rng = np.random.default_rng(seed)
    a, b, q = _stable(rng, m), _stable(rng, n), rng.normal(size=(m, n))
    _first_and_second(nsl.solve_sylvester, asl.solve_sylvester, [a, b, q], rng)


def test_solve_sylvester_with_complex_eigenvalues_and_a_complex_cotangent():
    # SciPy's solve_sylvester gives a wrong X for real a, b with complex eigenvalue pairs and a
    # complex q; the records split such a q into its real and imaginary parts
    a = np.array([[1.5, 0.8, 0.0], [-0.8, 1.5, 0.1], [0.0, 0.2, 2.0]])  # eigenvalues 1.5 ± .8i
    rng = np.random.default_rng(5)
    q = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    x = numeric.get_op("solve_sylvester").fwd(a, a, q)
    np.testing.assert_allclose(a @ x + x @ a, q, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# Names mapped onto engine ops, with SciPy's semantics
# ---------------------------------------------------------------------------------------------
RNG = np.random.default_rng(6)
A = _stable(RNG, 3)
SPD = A @ A.T
B = RNG.normal(size=(3, 2))
MAPPED = {
    "cholesky upper (SciPy's default)": lambda a, b: nsl.cholesky(SPD + np.triu(a)),
    "cholesky lower": lambda a, b: nsl.cholesky(SPD + np.tril(a), lower=True),
    "cho_solve upper": lambda a, b: nsl.cho_solve(nsl.cho_factor(SPD + np.triu(a)), b),
    "cho_solve lower": lambda a, b: nsl.cho_solve(nsl.cho_factor(SPD + a, lower=True), b),
    "solve": lambda a, b: nsl.solve(a, b),
    "solve transposed": lambda a, b: nsl.solve(a, b, transposed=True),
    "solve assume_a='pos'": lambda a, b: nsl.solve(SPD + a, b, assume_a="pos"),
    "solve assume_a='sym', lower": lambda a, b: nsl.solve(SPD + a, b, assume_a="sym",
                                                          lower=True),
    "solve upper triangular": lambda a, b: nsl.solve(a, b, assume_a="upper triangular"),
    "inv": lambda a, b: nsl.inv(a),
    "inv assume_a='pos'": lambda a, b: nsl.inv(SPD + a, assume_a="pos"),
    "det": lambda a, b: nsl.det(a),
    "svd full matrices (singular values)": lambda a, b: nsl.svd(a)[1],
    "svdvals": lambda a, b: nsl.svdvals(a),
    "eigvalsh upper": lambda a, b: nsl.eigvalsh(SPD + a, lower=False),
    "eigh eigvals_only": lambda a, b: nsl.eigh(SPD + a, eigvals_only=True),
    "qr economic (R)": lambda a, b: np.abs(nsl.qr(a[:, :2], mode="economic")[1]),
    "qr mode='r' of a tall matrix (complete R)": lambda a, b: np.abs(nsl.qr(a[:, :2],
                                                                            mode="r")[0]),
    "pinv": lambda a, b: nsl.pinv(a),
    "norm": lambda a, b: nsl.norm(a, 2),
}


@pytest.mark.parametrize("name", MAPPED)
def test_mapped_names_match_scipy_and_central_differences(name):
    call = MAPPED[name]
    want = call(A, B)  # plain arrays: SciPy's own function
    got = call(Tensor(A), Tensor(B))
    np.testing.assert_allclose(got.value, want, rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(7).normal(size=np.shape(want))
    ga, gb = numeric.grad(lambda a, b: np.sum(call(a, b) * w), (0, 1))(A, B)
    np.testing.assert_allclose(ga, central_diff(lambda v: np.sum(call(v, B) * w), A),
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gb, central_diff(lambda v: np.sum(call(A, v) * w), B),
                               rtol=1e-6, atol=1e-7)


def test_shapes_follow_scipy():
    assert nsl.svd(Tensor(A[:, :2]))[0].shape == sl.svd(A[:, :2])[0].shape == (3, 3)
    assert nsl.qr(Tensor(A[:, :2]))[0].shape == (3, 3)
    (r,) = nsl.qr(Tensor(A), mode="r")
    np.testing.assert_allclose(np.abs(r.value), np.abs(sl.qr(A, mode="r")[0]), atol=1e-12)
    w, v = nsl.eigh(Tensor(SPD))
    np.testing.assert_allclose(w.value, sl.eigh(SPD)[0], rtol=1e-12)


def test_solve_banded_matches_scipy_and_autograd():
    rng = np.random.default_rng(8)
    ab, b = rng.normal(size=(4, 5)), rng.normal(size=5)
    ab[2] += 5.0  # (l, u) = (1, 2): the main diagonal is row u
    out = nsl.solve_banded((1, 2), Tensor(ab), b)
    np.testing.assert_allclose(out.value, sl.solve_banded((1, 2), ab, b), rtol=1e-12)
    _first_and_second(lambda ab, b: nsl.solve_banded((1, 2), ab, b),
                      lambda ab, b: asl.solve_banded((1, 2), ab, b), [ab, b], rng)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------
def test_sqrtm_refuses_a_matrix_with_a_negative_eigenvalue():
    with pytest.raises(ValueError, match=r"sqrtm.*negative real axis"):
        nsl.sqrtm(Tensor(np.diag([1.0, -2.0])))


def test_unsupported_arguments_and_names_raise_type_errors_naming_them():
    with pytest.raises(TypeError, match="sqrtm.*disp"):
        nsl.sqrtm(Tensor(SPD), disp=False)
    with pytest.raises(TypeError, match="eigh.*b=None"):
        nsl.eigh(Tensor(SPD), np.eye(3))
    with pytest.raises(TypeError, match="assume_a='banded'"):
        nsl.solve(Tensor(A), B, assume_a="banded")
    with pytest.raises(TypeError, match=r"scipy\.linalg\.expm is not supported on Tensor"):
        nsl.expm(Tensor(A))
    np.testing.assert_allclose(nsl.expm(A), sl.expm(A))  # plain arrays: SciPy's own
    with pytest.raises(ValueError, match="solve_triangular: trans"):
        nsl.solve_triangular(Tensor(A), B, trans="X")


def test_the_table_loads_without_scipy_and_calling_names_the_extra():
    code = ("import sys; sys.modules['scipy'] = None\n"
            "import numeric, numpy as np\n"
            "op = numeric.get_op('sqrtm')\n"
            "try:\n"
            "    op(numeric.Tensor(np.eye(2)))\n"
            "except ImportError as e:\n"
            "    print(e)\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True, env={**os.environ, "PYTHONPATH": root})
    assert "pip install 'gradproof[scipy]'" in res.stdout


# ---------------------------------------------------------------------------------------------
# Meta-test: the sampling domain is what lets the verifier see a transpose
# ---------------------------------------------------------------------------------------------
def test_a_rule_missing_its_transposes_is_caught_on_the_declared_domain_only():
    import dataclasses

    import verify
    from numeric.ops.common import SPD as SPD_DOMAIN
    from numeric.ops.scipy_linalg import _sylvester
    from verify.checks import Options

    numeric_checks = Options(checks=("fd", "adjoint", "taylor"))
    op = numeric.get_op("sqrtm")
    wrong = dataclasses.replace(op, name="sqrtm_untransposed",
                                vjp=(lambda g, out, x: _sylvester(out, out, g),))
    assert verify.check_op(op, (3, 3), options=numeric_checks).ok
    assert not verify.check_op(wrong, (3, 3), options=numeric_checks).ok
    # sampled on symmetric matrices, as SPD inputs would be, the same wrong rule passes
    on_spd = dataclasses.replace(wrong, domain=(SPD_DOMAIN,))
    assert verify.check_op(on_spd, (3, 3), options=numeric_checks).ok
