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


def _fd_vjp(op, case, xs, g, i, h=1e-6, fwd=None):
    """∂<g, f(x)>/∂x_i by central differences of the op's NumPy forward (or ``fwd``)."""
    fwd = fwd or op.fwd
    grad = np.zeros(np.shape(xs[i]))
    for k in np.ndindex(*np.shape(xs[i])):
        vals = []
        for step in (h, -h):
            moved = [np.array(x, dtype=float, copy=True) if j == i else x for j, x in enumerate(xs)]
            moved[i][k] += step
            vals.append(np.real(np.sum(g * fwd(*moved, **case.params))))  # Re: eig's
        grad[k] = (vals[0] - vals[1]) / (2 * h)
    return grad


def _branch(op, case, xs):
    """(σ, forward): NumPy's forward near ``xs`` on the SymPy forward's branch, σ ⊙ forward.

    A decomposition's SymPy forward may pick other signs of its vectors than LAPACK (Q D and
    D R for QR, V D for eigh): σ (one per output entry) is constant near ``xs``, so NumPy's VJP
    for ``g`` is the exact VJP for ``σ ⊙ g``. eig's closed form may also list the eigenvalues
    (and their vectors) in another order: for a kind with an ``align`` hook the forward is
    NumPy's put into the SymPy forward's order and signs at ``xs`` by that hook (constant near
    ``xs``, so its derivative is that branch's). None when the forwards differ by more."""
    if op.sym is None:
        return 1.0, op.fwd
    import sympy

    exact = [np.vectorize(sympy.Rational, otypes=[object])(x) for x in xs]
    sym = np.asarray(op.sym(*exact, **case.params), dtype=object)
    sym = np.vectorize(lambda e: complex(sympy.N(e, 20)))(sym)
    ref = op.fwd(*xs, **case.params)
    if op.kind.align is not None:
        sym = sym.real if not np.iscomplexobj(ref) and not np.any(sym.imag) else sym
        if not np.allclose(op.kind.align(sym, ref), sym, rtol=1e-8, atol=1e-10):
            return None
        return 1.0, lambda *x, **params: op.kind.align(sym, op.fwd(*x, **params))
    if np.iscomplexobj(ref) or np.any(sym.imag != 0):
        return None
    sym = sym.real
    sigma = np.where(np.abs(ref) > 1e-9, np.sign(ref) * np.sign(sym), 1.0)
    return (sigma, op.fwd) if np.allclose(sigma * sym, ref, rtol=1e-8, atol=1e-10) else None


@pytest.mark.parametrize("name, index", CASES)
def test_exact_vjp_matches_central_differences_of_the_forward(name, index):
    op = numeric.get_op(name)
    case = standard_cases(op)[index]
    if len(case.shapes) != op.nargs:
        op = op.arity(len(case.shapes))
    rng = np.random.default_rng(20 + index)
    if (why := no_exact_form(op, case)) is not None:
        if op.exact_point is None:
            pytest.skip(why)
        _constructed_matches_central_differences(op, case, rng)  # its exact VJP is there
        return
    if op.kind.align is not None:  # eig: its closed form is real on derive's box (real spectra)
        xs = [rng.uniform(d.low, d.high, s) for s, d in zip(case.shapes, op.domains())]
    else:
        xs = sample_inputs(op, case, rng)
    branch = _branch(op, case, xs)
    assert branch is not None, (f"{name} at {case}: the SymPy forward is not NumPy's up to "
                                "signs (and, with an align hook, order)")
    sigma, fwd = branch
    exact = exact_vjp(op, case)
    g = rng.standard_normal(exact.g.shape)
    values = exact.evaluate(xs, sigma * g)
    for i, (v, dom, rule) in enumerate(zip(values, op.domains(), op.vjp)):
        if dom.kind == "bool" or rule is None:
            assert v is None
            continue
        assert v.shape == np.shape(xs[i])
        np.testing.assert_allclose(v, _fd_vjp(op, case, xs, g, i, fwd=fwd), rtol=1e-5,
                                   atol=1e-6, err_msg=f"{name} input {i} at {case}")


def _constructed_matches_central_differences(op, case, rng):
    """At a constructed point (derive.constructed) the exact VJP is NumPy's, differenced."""
    from derive.constructed import constructed_point

    p = constructed_point(op, case, rng)
    xs = [np.array(x, dtype=float) for x in p.xs]
    g = np.array(p.g, dtype=complex if np.iscomplexobj(op.fwd(*xs)) else float)
    fwd = op.fwd
    if op.kind.align is not None:  # eig: NumPy's forward in the rule's gauge, as verify's
        base = op.fwd(*xs, **case.params)
        fwd = lambda *x, **params: op.kind.align(base, op.fwd(*x, **params))  # noqa: E731
    want = _fd_vjp(op, case, xs, g, 0, fwd=fwd)
    np.testing.assert_allclose(np.array(p.want[0], dtype=float), want, rtol=1e-5, atol=1e-6,
                               err_msg=f"{op.name} at {case}")


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
