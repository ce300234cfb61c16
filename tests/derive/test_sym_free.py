"""derive proves ops from their NumPy forwards alone (issue 10, item 3): with ``Op.sym`` removed,
every op but slogdet, cholesky and logsumexp still proves at its standard cases, and rules that
call ``np.linalg.inv`` / ``det`` / ``solve`` directly run on symbols."""

import dataclasses

import numpy as np
import pytest

import numeric
from derive import prove_rule
from numeric.cases import Case, standard_cases

KEEP_SYM = {"slogdet", "cholesky", "logsumexp", "pinv"}  # still need their own SymPy forward
KEEP_SYM |= {"svd", "eigh", "qr", "lstsq"}  # LAPACK's factorings: exact_forms' closed forms
KEEP_SYM |= {"gradient"}  # np.gradient allocates a float64 output, which cannot hold symbols
KEEP_SYM |= {"solve_triangular", "sqrtm", "solve_sylvester"}  # SciPy forwards: no symbols
KEEP_SYM |= {"eig", "eigvals"}  # closed forms up to 2x2: NumPy's eig cannot run on symbols
# SciPy's special functions: their forwards are SciPy's compiled ufuncs, which symbols cannot run
KEEP_SYM |= {name for name, op in numeric.all_ops().items()
             if getattr(op.fwd, "__module__", None) == "numeric.ops.special"}


def _no_exact_form(op, case):
    """Whether ``op``'s sym declares (by raising NotImplementedError) that it has no exact form
    at ``case``: it proves neither with nor without it."""
    from derive.symbolic import symbols

    try:
        op.sym(*(symbols(f"x{i}", s) for i, s in enumerate(case.shapes)), **case.params)
    except NotImplementedError:
        return True
    except Exception:  # noqa: BLE001 - any other failure is derive's to report
        return False
    return False


SYM_FREE = [pytest.param(name, i, id=f"{name}-{i}")
            for name, op in numeric.all_ops().items() if op.sym is not None
            and name not in KEEP_SYM for i, case in enumerate(standard_cases(op))
            if not _no_exact_form(op, case)]


@pytest.mark.parametrize("name, index", SYM_FREE)
def test_op_proves_without_its_sym(name, index):
    op = dataclasses.replace(numeric.get_op(name), sym=None)
    case = standard_cases(op)[index]
    proof = prove_rule(op, case, rule=op.vjp)
    assert proof.ok, (proof.status, proof.method, proof.detail)


def _t(a):
    return np.swapaxes(a, -1, -2)


def _inv_rule(g, out, x):
    a = _t(np.linalg.inv(x))
    return -(a @ g @ a)


def _det_rule(g, out, x):
    return (g * out)[..., None, None] * _t(np.linalg.inv(x))


def _solve_b(g, out, a, b):
    if np.ndim(b) == 1:
        return np.linalg.solve(_t(a), g[..., None])[..., 0]
    return np.linalg.solve(_t(a), g)


def _solve_a(g, out, a, b):
    db = _solve_b(g, out, a, b)
    if np.ndim(b) == 1:
        return -(db[..., :, None] * out[..., None, :])
    return -(db @ _t(out))


def _doubled(rule):
    return lambda *a: 2 * rule(*a)


LINALG = [("inv", np.linalg.inv, (_inv_rule,), [(2, 2), (3, 3), (2, 2, 2)]),
          ("det", np.linalg.det, (_det_rule,), [(2, 2), (3, 3), (2, 2, 2)]),
          ("solve", np.linalg.solve, (_solve_a, _solve_b), [((2, 2), (2,)), ((2, 2), (2, 3)),
                                                             ((2, 2, 2), (2, 2, 1))])]


@pytest.mark.parametrize("name, fwd, rules, shapes", LINALG, ids=[r[0] for r in LINALG])
def test_rules_calling_np_linalg_directly_prove(name, fwd, rules, shapes):
    op = dataclasses.replace(numeric.get_op(name), sym=None, fwd=fwd, vjp=rules)
    for s in shapes:
        case = Case(s if isinstance(s[0], tuple) else (s,))
        proof = prove_rule(op, case)
        assert proof.ok, (case, proof.status, proof.detail)
        wrong = tuple(_doubled(r) for r in rules)
        assert prove_rule(op, case, rule=wrong).status == "refuted", case
