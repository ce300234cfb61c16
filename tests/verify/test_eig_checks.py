"""verify on eig and eigvals: finite differences need the kind's align hook (order, phases),
every numeric check passes past derive's 2x2 closed forms, wrong rules are caught (a conjugated
rule, the dropped normalization term of verify.mutants), and the domain is eig's matrices.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import numeric
import verify
from numeric.cases import Case, sample_inputs
from verify.checks import Options
from verify.domain import outside
from verify.mutants import mutants

NUMERIC = Options(checks=("fd", "adjoint", "raw_shape", "kink", "taylor"))


def test_finite_differences_need_the_align_hook():
    op = numeric.get_op("eig")
    bare = dataclasses.replace(op, kind=dataclasses.replace(op.kind, align=None))
    with_hook = verify.check_op(op, (3, 3), dtype="complex128", options=NUMERIC)
    without = verify.check_op(bare, (3, 3), dtype="complex128", options=NUMERIC)
    assert with_hook.ok, with_hook.explain()
    assert without.cases[0].get("fd").verdict != "pass"  # LAPACK's phases are not the rule's


@pytest.mark.parametrize("shape", [(3, 3), (4, 4), (2, 3, 3)])
def test_verify_passes_past_derives_closed_forms(shape):
    for name in ("eig", "eigvals"):
        for dtype in ("float64", "float32"):
            r = verify.check_op(name, shape, dtype=dtype, options=NUMERIC, seed=3)
            assert r.ok, r.explain()


# --- wrong rules caught ----------------------------------------------------------------------
def _conjugated(g, out, x):
    """eig's rule with Vᴴ where Vᵀ belongs (PyTorch's convention mixed in): a conjugation error."""
    n = np.shape(x)[-1]
    w, v = out[..., :n], np.reshape(out[..., n:], np.shape(x))
    gw, gv = g[..., :n], np.reshape(g[..., n:], np.shape(x))
    vt, vh = np.swapaxes(v, -1, -2), np.conj(np.swapaxes(v, -1, -2))
    k = vh @ gv - (vt @ np.conj(v)) * np.diagonal(vh @ gv, 0, -2, -1)[..., None, :]
    eye = np.eye(n)
    f = (1 - eye) / (w[..., None, :] - w[..., :, None] + eye)
    r = np.linalg.solve(vt, (eye * gw[..., :, None] + f * k) @ vt)
    return r if np.iscomplexobj(x) else np.real(r)


def _with_a_complex_pair(seed=0):
    """A real 3x3 S Λ S⁻¹ with eigenvalues 1.5 and -0.5 ± 1.2i (complex eigenvectors)."""
    s = np.eye(3) + 0.3 * np.random.default_rng(seed).uniform(-1, 1, (3, 3))
    lam = np.array([[1.5, 0, 0], [0, -0.5, 1.2], [0, -1.2, -0.5]])
    return s @ lam @ np.linalg.inv(s)


def test_a_conjugation_error_is_caught():
    op = numeric.get_op("eig")
    bad = dataclasses.replace(op, vjp=(_conjugated,))
    x = _with_a_complex_pair()
    assert verify.check_op(op, x, options=NUMERIC).ok
    assert "fd" in verify.check_op(bad, x, options=NUMERIC).caught_by()  # a real input
    r = verify.check_op(bad, (2, 3, 3), dtype="complex128", options=NUMERIC, seed=1)
    assert "fd" in r.caught_by(), r.explain()
    real = np.diag([1.0, 2.0, 3.5]) + np.triu(np.full((3, 3), 0.4), 1)  # real V: conj(V) = V
    assert verify.check_op(bad, real, options=NUMERIC).ok


def test_dropping_the_normalization_term_is_caught_by_every_numeric_check():
    m = next(m for m in mutants("eig") if m.kind == "dropped_term")
    r = verify.check_op(m.op, (3, 3), options=NUMERIC)
    assert {"fd", "adjoint", "taylor"} <= set(r.caught_by()), r.explain()


# --- the domain ------------------------------------------------------------------------------
def test_the_domain_is_matrices_with_distinct_eigenvalues():
    op = numeric.get_op("eig")
    x = sample_inputs(op, Case(((2, 3, 3),)), np.random.default_rng(0))[0]
    assert outside(op, [x]) == []  # sampled entries lie outside [0.2, 1]: only the kind counts
    found = outside(op, [np.stack([np.diag([2.0, 2.0, 1.0]), np.diag([1.0, 2.0, 3.0])])])
    assert found[0]["entries"] == [[0]] and "repeated eigenvalues" in found[0]["values"][0]


def test_a_rule_dropping_im_w_cotangents_is_caught_at_every_seed():
    """np.real(g) in the rule is wrong only at conjugate pairs; with pairs drawn at random in
    every case, seed 2 drew none and verify passed it: a sampled stack now always holds one."""
    from numeric.ops.eig import _eig_part

    bad = dataclasses.replace(numeric.get_op("eig"), vjp=(
        lambda g, out, x: _eig_part(np.real(g), out, x),))
    for seed in (2, 5):
        assert not verify.check_op(bad, seed=seed, options=NUMERIC).ok
    stack = sample_inputs(bad, Case(((3, 2, 2),)), np.random.default_rng(2))[0]
    assert any(np.iscomplexobj(np.linalg.eigvals(m)) for m in stack)
