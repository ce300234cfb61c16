"""Exact checks at constructed rational points (derive.constructed): the table's decompositions
pass at 3x3 and non-square shapes; planted wrong rules are refuted; a wrong point is no pass."""

import dataclasses

import numpy as np
import pytest

import numeric
from derive import Limits, prove_rule
from derive.constructed import constructed_check, constructed_point
from derive.derivation import derivation
from numeric.cases import Case
from numeric.ops.decompositions import _unpack
from numeric.ops.eig import _unpack as eig_unpack
from numeric.ops.exact_points import ExactPoint

CASES = [("svd", (3, 3), {}), ("svd", (3, 2), {"full_matrices": False}),
         ("svd", (2, 4), {"full_matrices": False}), ("svd", (4, 2), {}),
         ("svd", (3, 3), {"compute_uv": False}), ("eigh", (3, 3), {}),
         ("eigh", (2, 3, 3), {"UPLO": "U"}), ("eigh", (3, 3), {"vectors": False}),
         ("qr", (3, 3), {}), ("qr", (2, 4), {}), ("qr", (4, 3), {"mode": "r"}),
         ("qr", (3, 2), {"mode": "complete"}), ("eig", (3, 3), {}), ("eig", (4, 4), {}),
         ("eig", (2, 3, 3), {}), ("eigvals", (3, 3), {}), ("eigvals", (2, 4, 4), {})]


@pytest.mark.parametrize("name, shape, params", CASES, ids=lambda v: str(v))
def test_rules_are_exact_at_constructed_points(name, shape, params):
    op = numeric.get_op(name)
    status, method, detail = constructed_check(op, op.vjp, Case((shape,), params), 1,
                                               np.random.default_rng(7))
    assert status == "spot-checked", detail
    assert method.startswith("exact at 1 constructed rational point")


def test_the_exact_vjp_is_central_differences_of_numpys_forward():
    """The solved VJP against an independent float reference: NumPy's forward differenced."""
    op, case = numeric.get_op("svd"), Case(((3, 2),), {"full_matrices": False})
    p = constructed_point(op, case, np.random.default_rng(3))
    x, g = np.array(p.xs[0], dtype=float), np.array(p.g, dtype=float)
    fd = np.zeros_like(x)
    for k in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[k] = 1e-6
        fd[k] = np.sum(g * (op.fwd(x + e, False) - op.fwd(x - e, False))) / 2e-6
    np.testing.assert_allclose(np.array(p.want[0], dtype=float), fd, rtol=1e-6, atol=1e-6)


# --- planted wrong rules --------------------------------------------------------------------------
def _svd_no_projection(g, out, x, full_matrices=True, compute_uv=True):
    """svd's rule with (I − UUᵀ)Ū S⁻¹ Vᵀ written Ū S⁻¹ Vᵀ: adds U (UᵀŪ) S⁻¹ Vᵀ."""
    good = numeric.get_op("svd").vjp[0](g, out, x, full_matrices, compute_uv)
    m, n = np.shape(x)
    u, s, vh = _unpack(out, (), (m, n), (n,), (n, n))
    gu = _unpack(g, (), (m, n), (n,), (n, n))[0]
    return good + np.matmul(np.matmul(u, np.matmul(u.T, gu)) / s, vh)


def _eigh_f_transposed(g, out, x, UPLO="L", vectors=True):
    """eigh's rule with Fᵀ for F (Fᵀ = −F): the same as the right rule with V̄ negated."""
    n = np.shape(x)[-1]
    gw, gv = _unpack(g, (), (n,), (n, n))
    flipped = np.concatenate([gw, -np.reshape(gv, (-1,))])
    return numeric.get_op("eigh").vjp[0](flipped, out, x, UPLO, vectors)


def _qr_upper_mirror(g, out, x, mode="reduced"):
    """qr's rule with sym(M) mirrored from M's upper triangle instead of its lower one: adds
    Q (T + Tᵀ) R⁻ᵀ, T the strict upper triangle of M − Mᵀ, M = R R̄ᵀ − Q̄ᵀ Q."""
    good = numeric.get_op("qr").vjp[0](g, out, x, mode)
    n = np.shape(x)[-1]
    (q, r), (gq, gr) = (_unpack(a, (), (n, n), (n, n)) for a in (out, g))
    m_ = np.matmul(r, gr.T) - np.matmul(gq.T, q)
    tri = np.triu(np.ones((n, n), dtype=int), 1)
    t = (m_ - m_.T) * (tri.astype(object) if np.asarray(x).dtype == object else tri)
    return good + np.linalg.solve(r, np.matmul(q, t + t.T).T).T


def _eig_rule(g, out, x, unit=True, transposed=False, real_gauge=False):
    """eig's rule written out: Ā = V⁻ᵀ (ḡ_w I + F∘K) Vᵀ, K = VᵀG − Vᵀ conj(V) diag(diag(VᵀG))
    (G the cotangent of V), F_ij = 1/(w_j − w_i); ``unit=False`` drops K's second term,
    ``transposed`` uses Fᵀ, ``real_gauge`` keeps only the real part of diag(VᵀG) (autograd's
    gauge: the same gradient for phase-independent losses only)."""
    n = np.shape(x)[-1]
    (w, v), (gw, gv) = (eig_unpack(a, (), n) for a in (out, g))
    k = np.matmul(v.T, gv)
    if unit:
        d = np.diagonal(k)
        d = (d + np.conj(d)) / 2 if real_gauge else d
        k = k - np.matmul(v.T, np.conj(v)) * d[None, :]
    eye = np.eye(n, dtype=int)
    f = (1 - eye) / (np.expand_dims(w, -2) - np.expand_dims(w, -1) + eye)
    inner = eye * np.expand_dims(gw, -1) + (f.T if transposed else f) * k
    return np.linalg.solve(v.T, np.matmul(inner, v.T))


def _eig_no_unit_norm(g, out, x):
    return _eig_rule(g, out, x, unit=False)


def _eig_f_transposed(g, out, x):
    return _eig_rule(g, out, x, transposed=True)


def _eig_real_gauge(g, out, x):
    return _eig_rule(g, out, x, real_gauge=True)


def _with_pairs(name, pairs):
    """The op, its constructed points with ``pairs`` conjugate pairs of eigenvalues."""
    from numeric.ops.eig_points import eig_point

    def hook(shapes, params, rng):
        return eig_point(shapes, params, rng, name == "eig", pairs=pairs)

    return dataclasses.replace(numeric.get_op(name), exact_point=hook)


@pytest.mark.parametrize("name, shape, pairs", [
    ("eig", (2, 2), 1), ("eig", (3, 3), 1), ("eig", (2, 3, 3), 1),
    ("eigvals", (3, 3), 1), ("eigvals", (4, 4), 2)], ids=lambda v: str(v))
def test_eig_rules_are_exact_at_complex_pairs(name, shape, pairs):
    """Complex eigenvalues of a real x: LAPACK's phases at the point, the rule's gauge
    (Im vᴴ dv = 0, as verify's align hook) in the equations; Gaussian rationals throughout."""
    op = _with_pairs(name, pairs)
    p = constructed_point(op, Case((shape,)), np.random.default_rng(5))
    assert np.iscomplexobj(op.fwd(np.array(p.xs[0], dtype=float)))
    status, _, detail = constructed_check(op, op.vjp, Case((shape,)), 1,
                                          np.random.default_rng(5))
    assert status == "spot-checked", detail


@pytest.mark.parametrize("mutant", [_eig_rule, _eig_real_gauge, _eig_no_unit_norm],
                         ids=["written-out", "autograd-gauge", "unit-norm-dropped"])
def test_wrong_eig_rules_are_refuted_at_complex_pairs(mutant):
    op = _with_pairs("eig", 1)
    status, _, detail = constructed_check(op, (mutant,), Case(((3, 3),)), 1,
                                          np.random.default_rng(6))
    assert status == ("spot-checked" if mutant is _eig_rule else "refuted"), detail


@pytest.mark.parametrize("name, shape, params, mutant", [
    ("eig", (3, 3), {}, _eig_rule),
    ("svd", (3, 2), {"full_matrices": False}, _svd_no_projection),
    ("eigh", (3, 3), {}, _eigh_f_transposed),
    ("eigh", (3, 3), {"UPLO": "U"}, _eigh_f_transposed),
    ("qr", (3, 3), {}, _qr_upper_mirror),
    ("eig", (3, 3), {}, _eig_no_unit_norm),
    ("eig", (3, 3), {}, _eig_f_transposed),
], ids=["eig-written-out", "svd-projection-dropped", "eigh-F-transposed", "eigh-F-transposed-U",
        "qr-upper-mirror", "eig-unit-norm-dropped", "eig-F-transposed"])
def test_planted_wrong_rules_are_refuted(name, shape, params, mutant):
    proof = prove_rule(name, Case((shape,), params), rule=(mutant,))
    if mutant is _eig_rule:  # the rule written out again is right: the mutants' control
        assert proof.status == "spot-checked", (proof.method, proof.detail)
        return
    assert proof.status == "refuted", (proof.method, proof.detail)
    assert "input 0 (x)" in proof.detail and "constructed" in proof.method


def test_mutants_change_the_gradient_in_floats():
    """The planted rules really are wrong (not a quirk of exact arithmetic)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 3))
    s = np.eye(3) + 0.3 * x
    real = s @ np.diag([1.0, 2, 3]) @ np.linalg.inv(s)  # eigenvalues 1, 2, 3: eig's domain
    for name, mutant, a in (("eigh", _eigh_f_transposed, x + x.T), ("qr", _qr_upper_mirror, x),
                            ("eig", _eig_no_unit_norm, real), ("eig", _eig_f_transposed, real)):
        op = numeric.get_op(name)
        out = op.fwd(a)
        g = rng.standard_normal(out.shape)
        assert not np.allclose(mutant(g, out, a), op.vjp[0](g, out, a), atol=1e-6), name


# --- a wrong exact point is no pass -------------------------------------------------------------
def _hooked(change):
    svd = numeric.get_op("svd")

    def hook(shapes, params, rng):
        return change(svd.exact_point(shapes, params, rng))

    return dataclasses.replace(svd, name="svd_hooked_for_test", exact_point=hook)


def _drop_orthogonality(p):
    return p._replace(residual=lambda xs, u, s, v: p.residual(xs, u, s, v)[:-3])


def _flip_a_sign(p):
    u, s, v = p.factors
    d = np.array([-1, 1], dtype=object)
    return p._replace(factors=(u * d, s, v * d))


def _other_function(p):  # 0 at the point and square, but ∂F/∂x has the wrong sign
    x0 = p.xs[0]
    return p._replace(residual=lambda xs, u, s, v: p.residual([3 * x0 - 2 * xs[0]], u, s, v))


@pytest.mark.parametrize("change, why", [
    (_drop_orthogonality, "defining equations for"),
    (_flip_a_sign, "not NumPy's"),
    (_other_function, "central differences"),
])
def test_a_wrong_exact_point_cannot_judge_the_rule(change, why):
    op = _hooked(change)
    status, _, detail = constructed_check(op, op.vjp, Case(((3, 2),), {"full_matrices": False}),
                                          1, np.random.default_rng(1))
    assert status == "unavailable" and why in detail, detail
    assert isinstance(op.exact_point(((3, 2),), {"full_matrices": False},
                                     np.random.default_rng(1)), ExactPoint)


def test_derivation_at_a_constructed_point_reads_and_passes():
    d = derivation("eigh", Case(((3, 3),), {"UPLO": "U"}, "test"))
    assert d.ok and len(d.steps) == 4
    assert "constructed rational point" in d.steps[-1].status
    assert "= ∂l/∂x" in d.steps[-1].text


# --- the closed form's budget where constructed points take over ----------------------------------
def test_an_op_with_exact_points_gets_the_short_closed_form_budget():
    """eig's 2x2 closed form (nested roots) cannot be decided in 0.05 s: the constructed points
    judge the rule instead of waiting out the full symbolic budget."""
    limits = Limits(symbolic_seconds=60.0, spot_seconds=120.0, closed_form_seconds=0.05)
    proof = prove_rule("eig", Case(((2, 2),)), rule=numeric.get_op("eig").vjp, limits=limits)
    assert proof.status == "spot-checked" and "constructed" in proof.method, proof
    assert proof.detail == "symbolic proof exceeded 0.05 s"


def test_an_op_without_exact_points_keeps_the_full_symbolic_budget():
    limits = Limits(symbolic_seconds=60.0, closed_form_seconds=1e-4)
    proof = prove_rule("matmul", Case(((2, 3), (3, 2))), rule=numeric.get_op("matmul").vjp,
                       limits=limits)
    assert proof.status == "proved", proof


def test_a_rule_dropping_the_imaginary_part_of_g_is_refuted_at_a_pair():
    """np.real and np.imag on derive's object arrays were NumPy's own (the array itself, zeros):
    at a constructed point with a conjugate pair, a rule taking np.real(g) ran as the right
    rule and was spot-checked, though it drops Im w's cotangent on real matrices."""
    from numeric.ops.eig import _eig_part, _eigvals_part

    for name, part in (("eigvals", _eigvals_part), ("eig", _eig_part)):
        op = numeric.get_op(name)
        p = prove_rule(op, Case(((3, 3),)), rule=(lambda g, out, x, f=part: f(np.real(g), out,
                                                                              x),), seed=0)
        assert p.status == "refuted", p
        x = np.array([[1.0, -2.0], [2.0, 1.0]])  # eigenvalues 1 ± 2i: what the rule misses
        loss = lambda t: np.sum(np.imag(np.linalg.eigvals(t)) * np.array([1.0, 0.0]))  # noqa: E731
        assert np.any(numeric.grad(loss)(x) != 0)
