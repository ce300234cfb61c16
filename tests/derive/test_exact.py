"""exact_vjp: derived from the forward only; checked against central differences of the forward."""

import numpy as np
import pytest
from exact_forms_util import no_exact_form

import numeric
from derive import DeriveError, clear_cache, exact_vjp, prove_rule, store
from numeric import Op
from numeric.cases import Case, sample_inputs, standard_cases

CASES = [pytest.param(name, i, id=f"{name}-{i}")
         for name, op in numeric.all_ops().items() for i in range(len(standard_cases(op)))]


def _fd_vjp(op, case, xs, g, i, h=1e-6):
    """∂<g, f(x)>/∂x_i by central differences of the op's NumPy forward."""
    grad = np.zeros(np.shape(xs[i]))
    for k in np.ndindex(*np.shape(xs[i])):
        vals = []
        for step in (h, -h):
            moved = [np.array(x, dtype=float, copy=True) if j == i else x for j, x in enumerate(xs)]
            moved[i][k] += step
            vals.append(np.sum(g * op.fwd(*moved, **case.params)))
        grad[k] = (vals[0] - vals[1]) / (2 * h)
    return grad


def _another_branch(op, case, xs):
    """Why the op's SymPy forward is not its NumPy forward at ``xs`` (another sign choice of a
    decomposition's vectors: its exact VJP is of that branch), or None."""
    if op.sym is None:
        return None
    import sympy

    exact = [np.vectorize(sympy.Rational, otypes=[object])(x) for x in xs]
    sym = np.asarray(op.sym(*exact, **case.params), dtype=object)
    sym = np.vectorize(lambda e: complex(sympy.N(e, 20)))(sym)  # eig's may be complex
    if np.allclose(sym, op.fwd(*xs, **case.params), rtol=1e-8, atol=1e-10):
        return None
    return (f"{op.name} at {case}: its SymPy forward is another branch of the decomposition "
            "(the signs of its vectors, the order of its values); derive checks the rule on "
            "that branch")


@pytest.mark.parametrize("name, index", CASES)
def test_exact_vjp_matches_central_differences_of_the_forward(name, index):
    op = numeric.get_op(name)
    case = standard_cases(op)[index]
    if len(case.shapes) != op.nargs:
        op = op.arity(len(case.shapes))
    if (why := no_exact_form(op, case)) is not None:
        pytest.skip(why)
    rng = np.random.default_rng(20 + index)
    xs = sample_inputs(op, case, rng)
    if (why := _another_branch(op, case, xs)) is not None:
        pytest.skip(why)
    exact = exact_vjp(op, case)
    g = rng.standard_normal(exact.g.shape)
    values = exact.evaluate(xs, g)
    for i, (v, dom, rule) in enumerate(zip(values, op.domains(), op.vjp)):
        if dom.kind == "bool" or rule is None:
            assert v is None
            continue
        assert v.shape == np.shape(xs[i])
        np.testing.assert_allclose(v, _fd_vjp(op, case, xs, g, i), rtol=1e-5, atol=1e-6,
                                   err_msg=f"{name} input {i} at {case}")


def test_derivation_ignores_the_rules_and_proof_refutes_them():
    cube = Op("cube_for_test", lambda x: x * x * x, (lambda g, out, x: 0 * g,))
    case = Case(((3,),))
    exact = exact_vjp(cube, case)
    xs = [np.array([1.0, -2.0, 0.5])]
    (dx,) = exact.evaluate(xs, np.ones(3))
    np.testing.assert_allclose(dx, 3 * xs[0] ** 2)
    proof = prove_rule(cube, case)
    assert proof.status == "refuted" and "input 0" in proof.detail


def test_forward_that_cannot_run_on_symbols_raises_a_named_error():
    def numeric_only(x):
        return np.asarray(x, dtype=np.float64) ** 2

    broken = Op("float_only_for_test", numeric_only, (lambda g, out, x: 2 * g * x,))
    with pytest.raises(DeriveError, match="float_only_for_test.*Op.sym"):
        exact_vjp(broken, Case(((2,),)))
    assert prove_rule(broken, Case(((2,),))).status == "unavailable"


def test_disk_cache_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path))
    clear_cache()
    case = Case(((2, 3), (3,)))
    first = exact_vjp("multiply", case)
    files = list((store.root() / "exact").glob("??/*.json"))
    assert len(files) == 1
    assert not list(tmp_path.rglob("*.pkl"))
    clear_cache()  # memory only: the next call reads the disk
    second = exact_vjp("multiply", case)
    assert second is not first
    for a, b in zip(first.exprs, second.exprs):
        assert (a.view(np.ndarray) == b.view(np.ndarray)).all()
    exact_vjp("multiply", Case(((3,), (3,))))
    assert len(list((store.root() / "exact").glob("??/*.json"))) == 2  # keyed by shapes
    clear_cache(disk=True)
    assert not list((store.root() / "exact").glob("??/*.json"))


def test_evaluate_names_wrong_shapes():
    exact = exact_vjp("add", Case(((2, 3), (3,))))
    with pytest.raises(ValueError, match="add: input 1 has shape"):
        exact.evaluate([np.zeros((2, 3)), np.zeros(2)], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="cotangent"):
        exact.evaluate([np.zeros((2, 3)), np.zeros(3)], np.zeros(3))


def _shape_pairs():
    from hypothesis import strategies as st

    dims = st.lists(st.integers(1, 3), min_size=0, max_size=3)

    @st.composite
    def pair(draw):
        out = draw(dims)
        def side():
            keep = draw(st.integers(0, len(out)))
            return tuple(1 if draw(st.booleans()) else n for n in out[len(out) - keep:])
        return side(), side()

    return pair()


def _brute_sum_back(g, full, shape):
    """Σ of g over every output index that broadcasting maps onto each entry of ``shape``."""
    total = np.zeros(shape)
    lead = len(full) - len(shape)
    for k in np.ndindex(*full):
        src = tuple(0 if n == 1 else i for i, n in zip(k[lead:], shape))
        total[src] += g[k]
    return total


def test_broadcasting_sums_emerge_from_the_derivation():
    from hypothesis import given, settings

    @settings(derandomize=True, max_examples=25, deadline=None)
    @given(_shape_pairs())
    def check(shapes):
        x_shape, y_shape = shapes
        full = np.broadcast_shapes(x_shape, y_shape)
        rng = np.random.default_rng(len(full))
        x, y = rng.standard_normal(x_shape), rng.standard_normal(y_shape)
        g = rng.standard_normal(full)
        dx, dy = exact_vjp("multiply", Case((x_shape, y_shape))).evaluate([x, y], g)
        np.testing.assert_allclose(dx, _brute_sum_back(g * np.broadcast_to(y, full), full, x_shape))
        np.testing.assert_allclose(dy, _brute_sum_back(g * np.broadcast_to(x, full), full, y_shape))

    check()
