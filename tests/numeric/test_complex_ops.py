"""The ops declared complex this round, ``holomorphic_grad``, ``t.real``/``t.imag``, and the
refusal by every op defined on real numbers only.

Reference values are autograd's (test-only), at first and second order; where autograd has no
counterpart (numeric.softmax, matrix norms) it is given the op written out from its definition
(softmax = e^z / Σ e^z, ‖z‖ = (Σ |z|^p)^(1/p)). test_complex.py checks every declared op against
central differences along the real and the imaginary directions.
"""

import re
import warnings
from pathlib import Path

import autograd
import autograd.numpy as anp
import autograd.scipy.special as asp
import numpy as np
import pytest

import numeric
from numeric import Tensor
from numeric import numpy as nnp
from numeric.cases import sample_inputs, standard_cases

W = np.array([0.7 - 0.2j, -0.4 + 1.1j, 1.3 + 0.5j])
Z = np.array([0.8 + 0.6j, 1.2 + 0.3j, 0.5 + 1.4j])
U = np.array([0.3 - 0.5j, 1.1 + 0.2j, -0.7 + 0.4j])


def _norm(p):
    def ref(np_, v):
        return np_.sum(np_.abs(v) ** p) ** (1 / p)
    return ref


# name: (ours on numeric.numpy, autograd's on autograd.numpy); a real-valued l of complex z.
PAIRS = {
    "var": (lambda z: nnp.var(z * W), lambda z: anp.var(z * W)),
    "std ddof=1": (lambda z: nnp.std(z * W, ddof=1), lambda z: anp.std(z * W, ddof=1)),
    "var axis": (lambda z: nnp.sum(nnp.var(nnp.outer(z, W), axis=0)),
                 lambda z: anp.sum(anp.var(anp.outer(z, W), axis=0))),
    "logsumexp": (lambda z: nnp.abs(numeric.logsumexp(z * W)),
                  lambda z: anp.abs(asp.logsumexp(z * W))),
    "softmax": (lambda z: nnp.real(nnp.sum(numeric.softmax(z) * W)),
                lambda z: anp.real(anp.sum(anp.exp(z) / anp.sum(anp.exp(z)) * W))),
    "log_softmax": (lambda z: nnp.imag(nnp.sum(numeric.log_softmax(z * W) * z)),
                    lambda z: anp.imag(anp.sum((z * W - asp.logsumexp(z * W)) * z))),
    "sigmoid": (lambda z: nnp.abs(nnp.sum(numeric.sigmoid(z) * W)),
                lambda z: anp.abs(anp.sum(W / (1 + anp.exp(-z))))),
    "norm 2": (lambda z: nnp.linalg.norm(z * W), lambda z: anp.linalg.norm(z * W)),
    "norm 1": (lambda z: nnp.linalg.norm(z * W, 1), lambda z: _norm(1)(anp, z * W)),
    "norm 3": (lambda z: nnp.linalg.norm(z - W, 3), lambda z: _norm(3)(anp, z - W)),
    "norm inf": (lambda z: nnp.linalg.norm(z * W, np.inf), lambda z: anp.max(anp.abs(z * W))),
    "norm fro": (lambda z: nnp.linalg.norm(nnp.outer(z, W) + 1j),
                 lambda z: anp.linalg.norm(anp.outer(z, W) + 1j)),
    "norm matrix 1": (lambda z: nnp.linalg.norm(nnp.outer(z, W) + 1j, 1),
                      lambda z: anp.max(anp.sum(anp.abs(anp.outer(z, W) + 1j), axis=0))),
    "vdot": (lambda z: nnp.real(nnp.vdot(z, W * z)),
             lambda z: anp.real(anp.sum(anp.conj(z) * W * z))),
    "vecdot": (lambda z: nnp.imag(nnp.vecdot(z * W, z + 1)),
               lambda z: anp.imag(anp.sum(anp.conj(z * W) * (z + 1)))),
    "astype complex to real": (lambda z: nnp.sum(z.astype(np.float64) ** 2 * W.real),
                               lambda z: anp.sum(anp.real(z) ** 2 * W.real)),
    "real imag attributes": (lambda z: nnp.sum(z.real ** 2 * z.imag), lambda z: anp.sum(
        anp.real(z) ** 2 * anp.imag(z))),
}
FIRST_ONLY = {  # second order would differentiate the SVD, which is real-only
    "norm nuc": (lambda z: nnp.linalg.norm(nnp.outer(z, W) + np.eye(3), "nuc"),
                 lambda z: anp.linalg.norm(anp.outer(z, W) + np.eye(3), "nuc")),
    "norm 2 matrix": (lambda z: nnp.linalg.norm(nnp.outer(z, W) + np.eye(3), 2),
                      lambda z: anp.linalg.svd(anp.outer(z, W) + np.eye(3), compute_uv=False)[0]),
    "norm -2 matrix": (lambda z: nnp.linalg.norm(nnp.outer(z, W) + np.diag(W), -2),
                       lambda z: anp.linalg.svd(anp.outer(z, W) + np.diag(W),
                                                compute_uv=False)[-1]),
}


@pytest.mark.parametrize("name", sorted(PAIRS) + sorted(FIRST_ONLY))
def test_gradient_matches_autograd(name):
    ours, theirs = {**PAIRS, **FIRST_ONLY}[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        got = numeric.grad(ours)(Z)
        want = autograd.grad(theirs)(Z)
    assert np.asarray(got).dtype == np.complex128
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_second_order_matches_autograd(name):
    ours, theirs = PAIRS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        got = numeric.grad(lambda z: nnp.real(nnp.sum(numeric.grad(ours)(z) * U)))(Z)
        want = autograd.grad(lambda z: anp.real(anp.sum(autograd.grad(theirs)(z) * U)))(Z)
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10)


def test_astype_real_to_complex_keeps_the_real_part():
    """A real input cast to complex gets the real part of its complex cotangent (autograd)."""
    x = np.array([0.5, -1.0, 2.0])
    got = numeric.grad(lambda x: nnp.abs(nnp.sum(x.astype(np.complex128) * W)))(x)
    want = autograd.grad(lambda x: anp.abs(anp.sum(x.astype(np.complex128) * W)))(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-12)


HOLOMORPHIC = {
    "sin": (lambda np_, z: np_.sin(z), lambda z: np.cos(z)),
    "exp z²": (lambda np_, z: np_.exp(z * z), lambda z: 2 * z * np.exp(z * z)),
    "log (1 + z) / z": (lambda np_, z: np_.log(1 + z) / z,
                        lambda z: (z / (1 + z) - np.log(1 + z)) / z ** 2),
    "tanh of a sum": (lambda np_, z: np_.tanh(np_.sum(np_.array([z, 2 * z]))),
                      lambda z: 3 / np.cosh(3 * z) ** 2),
}


@pytest.mark.parametrize("name", sorted(HOLOMORPHIC))
def test_holomorphic_grad_is_the_complex_derivative(name):
    f, df = HOLOMORPHIC[name]
    z = 0.4 + 0.7j
    got = numeric.holomorphic_grad(lambda z: f(nnp, z))(z)
    np.testing.assert_allclose(got, df(z), rtol=1e-12)
    np.testing.assert_allclose(got, autograd.holomorphic_grad(lambda z: f(anp, z))(z),
                               rtol=1e-12)
    # grad of the real |f|²/2 is f' conj(f) (2 ∂l/∂z), not f'
    np.testing.assert_allclose(numeric.grad(lambda z: nnp.abs(f(nnp, z)) ** 2 / 2)(z),
                               df(z) * np.conj(f(np, z)), rtol=1e-10)


def test_holomorphic_grad_nests_and_takes_argnum():
    def f(np_, z, w):
        return np_.exp(z * w) / (1 + z)

    z, w = 0.3 + 0.2j, 1.0 - 0.5j
    for k in (0, 1):
        got = numeric.holomorphic_grad(lambda z, w: f(nnp, z, w), k)(z, w)
        want = autograd.holomorphic_grad(lambda z, w: f(anp, z, w), k)(z, w)
        np.testing.assert_allclose(got, want, rtol=1e-12)
    second = numeric.holomorphic_grad(numeric.holomorphic_grad(nnp.tan))(z)
    np.testing.assert_allclose(second, 2 * np.tan(z) / np.cos(z) ** 2, rtol=1e-12)


def test_real_imag_conj_are_tensor_attributes():
    t = Tensor(Z)
    assert t.real.op.name == "real" and t.imag.op.name == "imag" and t.conj().op.name \
        == "conjugate"
    np.testing.assert_array_equal(t.real.value, Z.real)
    np.testing.assert_array_equal(np.imag(t).value, Z.imag)
    np.testing.assert_array_equal(Tensor(np.ones(2)).imag.value, np.zeros(2))


REAL_ONLY = sorted(n for n, op in numeric.all_ops().items() if not op.complex)


@pytest.mark.parametrize("name", REAL_ONLY)
def test_every_real_only_op_refuses_complex_inputs(name):
    """Either NumPy has no complex loop (the forward raises) or backward refuses, naming the op,
    the dtype and the shape."""
    op = numeric.get_op(name)
    case = standard_cases(op)[0]
    op = op if len(case.shapes) == op.nargs else op.arity(len(case.shapes))
    xs = sample_inputs(op, case, np.random.default_rng(5), dtype=np.complex128)
    ts = [Tensor(x) if x.dtype != bool and r is not None else x for x, r in zip(xs, op.vjp)]
    with pytest.raises(TypeError) as e, warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        out = numeric.apply(op, *ts, **case.params)
        np.real(np.sum(np.abs(out) if not np.iscomplexobj(out) else out)).backward()
    msg = str(e.value)
    assert msg.startswith(f"{name}: ") and ("is complex (dtype complex128" in msg
                                            or "not supported for the input types" in msg), msg


def test_the_docs_say_why_each_real_only_op_is_real_only():
    text = (Path(__file__).parents[2] / "docs" / "numeric.md").read_text()
    section = text[text.index("## Complex numbers"):]
    table = section[section.index("| real-only op"):]
    listed = set(re.findall(r"`([a-z_0-9]+)`", table[:table.index("\n\n")]))
    assert set(REAL_ONLY) <= listed, sorted(set(REAL_ONLY) - listed)


CUTS = [(name, i, dom) for name, op in numeric.all_ops().items()
        for i, dom in enumerate(op.domains()) if dom.cuts]


def test_the_ops_with_branch_cuts_declare_them():
    assert {n for n, _, _ in CUTS} >= {"log", "log2", "log10", "log1p", "sqrt", "power", "arcsin",
                                       "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "angle"}


@pytest.mark.parametrize("name, i, dom", CUTS, ids=[f"{n}[{i}]" for n, i, _ in CUTS])
def test_each_declared_cut_is_where_the_forward_jumps(name, i, dom):
    """Across the middle of a declared cut the forward jumps (NumPy's principal branch), and
    beside it, along the cut, it does not: the declaration is NumPy's cut, not a guess."""
    op = numeric.get_op(name)
    for cut in dom.cuts:
        u = (cut.high - 0.5 if np.isinf(cut.low) else cut.low + 0.5 if np.isinf(cut.high)
             else (cut.low + cut.high) / 2)
        along, across = (1.0, 1j) if cut.along == "real" else (1j, 1.0)
        p = u * along + cut.at * across

        def f(z):
            args = [0.5 + 0.3j] * op.nargs
            args[i] = z
            return complex(np.asarray(op.fwd(*args)).reshape(-1)[0])

        assert abs(f(p + 1e-9 * across) - f(p - 1e-9 * across)) > 1e-2, (name, str(cut))
        assert abs(f(p + 1e-9 * across) - f(p + 1e-9 * across + 1e-9 * along)) < 1e-6


@pytest.mark.parametrize("name, i, dom", CUTS, ids=[f"{n}[{i}]" for n, i, _ in CUTS])
def test_complex_samples_keep_away_from_cuts_and_cover_the_plane(name, i, dom):
    op = numeric.get_op(name)
    case = standard_cases(op)[0]
    zs = np.concatenate([sample_inputs(op, case, np.random.default_rng(s), dtype=np.complex128)[
        i].reshape(-1) for s in range(60)])
    assert min(float(np.min(c.distance(zs))) for c in dom.cuts) >= 2 * dom.margin
    assert not np.any(dom.on_cut(zs))
    quadrants = {(bool(z.real > 0), bool(z.imag > 0)) for z in zs}
    assert len(quadrants) == 4, quadrants  # the whole square, both sides of every cut
