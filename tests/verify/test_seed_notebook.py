"""The seed notebook's engine as a subject: the verifier finds each of its defects, by name.

Its VJPs (``tests/seed_notebook.py``, transcribed as written) are wrapped as ``numeric.Op``
records with the forward they claim to differentiate; ``verify.check_op`` must fail exactly
where the notebook is wrong — and pass where it is right, so the findings are not noise.
"""

import numpy as np
import pytest
import seed_notebook as sn

import verify
from numeric import Op, get_op
from numeric.kinds import MATMUL, REDUCE
from verify.checks import Options

NO_SYMBOLIC = Options(checks=("fd", "adjoint", "raw_shape", "kink", "taylor"))


def _rule(seed_vjp, i):
    """Input ``i``'s cotangent from a seed VJP (which returns all inputs', unbroadcast)."""
    return lambda g, out, *xs, **params: seed_vjp(g, *xs, **params)[i]


def _pow_rule(i):
    """The seed's ``x ** y``: its Tensor builds exp(y log x) and backpropagates through it."""
    def rule(g, out, x, y):
        tx, ty = sn.Tensor(x), sn.Tensor(y)
        z = tx ** ty
        with np.errstate(all="ignore"):
            z.backward(g)
        return (tx.grad, ty.grad)[i]
    return rule


def _seed_op(name, vjp, nargs=2, **kw):
    return Op(name, get_op(name).fwd, tuple(_rule(vjp, i) for i in range(nargs)), **kw)


SEED = {
    "add": _seed_op("add", sn.add_vjp),
    "multiply": _seed_op("multiply", sn.mul_vjp),
    "matmul": _seed_op("matmul", sn.matmul_vjp, kind=MATMUL),
    "exp": _seed_op("exp", sn.exp_vjp, 1),
    "log": _seed_op("log", sn.log_vjp, 1, domain=get_op("log").domain),
    "sum": _seed_op("sum", sn.sum_vjp, 1, kind=REDUCE),
    "maximum": _seed_op("maximum", sn.maximum_vjp, kink=get_op("maximum").kink),
    "power": Op("power", np.power, (_pow_rule(0), _pow_rule(1))),
}


def _failed(result, checks=("fd", "raw_shape", "taylor")):
    """Labels of the cases where a real-cotangent check failed (the complex branch aside)."""
    return {c.label for c in result.cases if any(c.get(k).verdict == "fail" for k in checks)}


def test_pow_at_a_negative_base_is_found():
    # (-1.5) ** 2 is 2.25, but the seed computes exp(2 log(-1.5)): nan, and so is its gradient.
    x, y = np.array([-1.5, -0.7, 2.0]), np.array([2.0, 3.0, 2.0])
    r = verify.check_op(SEED["power"], x, y, options=NO_SYMBOLIC)
    fd = r.cases[0].get("fd")
    assert fd.verdict == "fail"
    assert "non-finite" in fd.diagnosis["hint"] and "negative" in fd.diagnosis["hint"]
    assert fd.diagnosis["input"] == 0
    # At a positive base the same rules are right (for a real cotangent).
    ok = verify.check_op(SEED["power"], np.array([1.5, 0.7]), np.array([2.0, -1.3]),
                         options=NO_SYMBOLIC)
    assert all(ok.cases[0].get(c).verdict == "pass" for c in ("fd", "taylor")), ok.explain()


def test_sum_with_keepdims_is_found():
    r = verify.check_op(SEED["sum"], options=NO_SYMBOLIC)
    failed = _failed(r)
    # axis given and keepdims: the seed expands g's kept axis again. Without keepdims, or with
    # axis=None (where keepdims changes nothing for it), the seed is right.
    assert failed == {"keepdims", "tuple of axes, keepdims"}, r.explain()
    assert all(c.get("fd").verdict == "fail" for c in r.cases if c.label in failed)


def test_batched_matmul_against_a_1d_operand_is_found():
    r = verify.check_op(SEED["matmul"], options=NO_SYMBOLIC)
    failed = _failed(r)
    assert failed == {"batched x, 1-d y", "1-d x, batched y"}, r.explain()
    for c in r.cases:
        if c.label in failed:
            assert "raised" in c.get("raw_shape").detail


def test_the_complex_branch_of_unbroadcast_is_found():
    # A complex cotangent reaches `not np.iscomplex(target)` (ambiguous for arrays) and
    # `g.real()` (an array is not callable): the adjoint check feeds one in float64.
    for name in ("add", "multiply", "exp", "log"):
        r = verify.check_op(SEED[name], options=NO_SYMBOLIC)
        adj = [c.get("adjoint") for c in r.cases]
        assert all(a.verdict == "fail" and "complex cotangent" in a.detail for a in adj), name
        # ... and only there: the real-cotangent checks pass.
        assert all(c.get("fd").verdict == "pass" for c in r.cases), r.explain()


def test_its_tie_convention_is_found():
    r = verify.check_op(SEED["maximum"], options=NO_SYMBOLIC)
    kinks = [c.get("kink") for c in r.cases]
    assert all(k.verdict == "fail" for k in kinks)
    assert all("wrong tie convention" in k.diagnosis["hint"] for k in kinks)
    # Away from ties its maximum is right.
    assert all(c.get("fd").verdict == "pass" for c in r.cases)


@pytest.mark.parametrize("name", ["add", "multiply", "exp", "log", "sum", "matmul", "maximum"])
def test_numeric_has_none_of_these_defects(name):
    r = verify.check_op(name, options=NO_SYMBOLIC)
    assert r.ok, r.explain()


def test_the_symbolic_check_refutes_the_seed_tie_convention():
    import derive  # noqa: F401  (the symbolic check needs derive)

    r = verify.check_op(SEED["maximum"], (3,), (3,), options=Options(checks=("symbolic",)))
    sym = r.cases[0].get("symbolic")
    assert sym.verdict == "fail", sym  # derive runs the seed's rule on symbols: no skip
    assert "refuted" in sym.detail and "kink" in sym.detail, sym.detail
    assert sym.diagnosis["hint"] == "wrong tie convention (refuted at the declared kink)"


def test_domain_is_respected():
    # Sanity of the fixture: the seed's log sees only positive inputs.
    domain = SEED["log"].domains()[0]  # (its branch cut on complex inputs aside)
    assert (domain.low, domain.high) == (0.2, 3.0)
