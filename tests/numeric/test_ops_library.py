"""The model-building ops (issue 6): conventions, stability, variadic inputs, SymPy forwards.

The generic table-driven checks (VJP vs central differences on standard and generated cases,
float32, raw shapes, kinks) run over every op in tests/numeric/test_ops.py; this file checks
what is particular to these ops, with values worked out by hand or by independent code.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from numdiff_util import assert_vjp_matches_fd, central_diff

import numeric
from numeric import Tensor
from numeric.cases import sample_inputs, standard_cases

LIBRARY = (
    "sin cos tan sinh cosh sigmoid softplus log1p expm1 square sign relu clip "
    "max min prod var std logsumexp softmax log_softmax "
    "swapaxes expand_dims squeeze broadcast_to concatenate stack flip pad where "
    "dot outer einsum trace diagonal inv det slogdet solve norm cholesky"
).split()
LINALG = ("inv", "det", "slogdet", "solve", "norm", "cholesky")


def _grad(f, *xs):
    return numeric.grad(f, argnum=tuple(range(len(xs))))(*xs)


def test_every_op_the_issue_lists_is_a_full_row_of_the_table():
    table = numeric.all_ops()
    for name in LIBRARY:
        op = table[name]
        assert op.doc and standard_cases(op), name
        assert len(op.domains()) == op.nargs, name
    for name in LINALG:
        assert table[name].numpy, name
    # derive runs every other forward on symbols itself: only these need a SymPy forward
    # (the decompositions' sym forwards only say why they have no exact form)
    special = {n for n, op in table.items() if op.fwd.__module__ == "numeric.ops.special"}
    assert {n for n, op in table.items() if op.sym is not None} - special <= {
        "slogdet", "cholesky", "logsumexp", "log_softmax", "softmax",  # the max shift: complex
        "pinv", "svd", "eigh", "qr", "lstsq",
        "eig", "eigvals",  # closed forms up to 2x2 (NumPy's eig cannot run on symbols)
        "gradient",  # np.gradient allocates a float64 output, which cannot hold symbols
        "solve_triangular", "sqrtm", "solve_sylvester"}  # SciPy's forwards cannot run on symbols
    assert all(table[n].sym is not None for n in special)  # SciPy's compiled special functions


# --- conventions at kinks, worked out by hand -------------------------------------------------
@pytest.mark.parametrize("f, x, want", [
    (numeric.relu, [-1.0, 0.0, 2.0], [0.0, 0.0, 1.0]),
    (lambda x: numeric.clip(x, -1.0, 1.0), [-1.0, 0.0, 1.0, 3.0], [0.5, 1.0, 0.5, 0.0]),
    (lambda x: numeric.clip(x, -0.5, 1.5), [-0.5, 1.0, 1.5, -3.0], [0.5, 1.0, 0.5, 0.0]),
    (lambda x: np.sign(x), [-2.0, 0.0, 2.0], [0.0, 0.0, 0.0]),
    (lambda x: np.linalg.norm(x), [0.0, 0.0], [0.0, 0.0]),
    (lambda x: np.std(x), [3.0, 3.0, 3.0], [0.0, 0.0, 0.0]),
])
def test_declared_value_at_the_kink(f, x, want):
    got = _grad(lambda t: f(t).sum(), np.array(x))[0]
    np.testing.assert_array_equal(got, want)


def test_max_and_min_split_ties_evenly_along_an_axis():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 0.0]])
    np.testing.assert_array_equal(_grad(lambda t: np.max(t, axis=1).sum(), x)[0],
                                  [[0, 0.5, 0.5], [1, 0, 0]])
    np.testing.assert_array_equal(_grad(lambda t: np.min(t, axis=1).sum(), x)[0],
                                  [[1, 0, 0], [0, 0.5, 0.5]])
    third = _grad(lambda t: t.max(), np.full((3,), 7.0))[0]
    np.testing.assert_allclose(third, [1 / 3] * 3)


@pytest.mark.parametrize("x, want", [
    ([0.0, 2.0, 3.0], [6.0, 0.0, 0.0]),   # one zero: only its own slope survives
    ([0.0, 0.0, 3.0], [0.0, 0.0, 0.0]),   # two zeros: every product of the others has a zero
    ([2.0, 3.0, 4.0], [12.0, 8.0, 6.0]),
])
def test_prod_gradient_is_exact_with_zeros(x, want):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0/0 anywhere
        np.testing.assert_array_equal(_grad(lambda t: np.prod(t), np.array(x))[0], want)


# --- numerical stability at large inputs -----------------------------------------------------
def test_softmax_family_is_stable_at_large_inputs():
    x = np.array([[0.0, 1e4, -1e4], [1e3, 1e3, 1e3]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(numeric.softmax(x), [[0, 1, 0], [1 / 3] * 3], atol=1e-12)
        np.testing.assert_allclose(numeric.logsumexp(x, axis=1), [1e4, 1e3 + np.log(3)])
        np.testing.assert_allclose(numeric.log_softmax(x)[0], [-1e4, 0, -2e4])
        g = _grad(lambda t: numeric.logsumexp(t, axis=1).sum(), x)[0]
        np.testing.assert_allclose(g, [[0, 1, 0], [1 / 3] * 3], atol=1e-12)
        g = _grad(lambda t: (numeric.log_softmax(t) * np.eye(3)[:2]).sum(), x)[0]
        assert np.all(np.isfinite(g))


def test_sigmoid_and_softplus_do_not_overflow():
    x = np.array([-1000.0, 0.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(numeric.sigmoid(x), [0.0, 0.5, 1.0])
        np.testing.assert_allclose(numeric.softplus(x), [0.0, np.log(2), 1000.0])
        np.testing.assert_allclose(_grad(lambda t: numeric.softplus(t).sum(), x)[0],
                                   [0.0, 0.5, 1.0])
        np.testing.assert_allclose(_grad(lambda t: numeric.sigmoid(t).sum(), x)[0],
                                   [0.0, 0.25, 0.0])


# --- variadic ops: any number of inputs ------------------------------------------------------
@pytest.mark.parametrize("name, shapes, params", [
    ("concatenate", [(2, 3)], {"axis": 0}),
    ("concatenate", [(1, 3), (2, 3), (3, 3)], {"axis": 0}),
    ("concatenate", [(2,), (2, 2), (1,)], {"axis": None}),
    ("stack", [(2, 3), (2, 3), (2, 3)], {"axis": 1}),
    ("einsum", [(2, 3), (3, 4), (4,)], {"subscripts": "ij,jk,k->i"}),
    ("einsum", [(3, 3)], {"subscripts": "ii->"}),
    ("einsum", [(2, 3, 3), (3,), (2,)], {"subscripts": "bii,i,c->bc"}),
])
def test_variadic_ops_take_any_number_of_inputs(name, shapes, params):
    op = numeric.get_op(name)
    rng = np.random.default_rng(7)
    xs = [rng.uniform(-2, 2, size=s) for s in shapes]
    assert op.arity(len(xs)).nargs == len(xs)
    assert_vjp_matches_fd(op, xs, params, seed=3, where=str(shapes))


def test_a_fixed_arity_op_refuses_extra_inputs_by_name():
    with pytest.raises(TypeError, match="add takes 2 inputs, got 3"):
        numeric.apply("add", 1.0, 2.0, 3.0)


# --- NumPy dispatch reaches the new ops ------------------------------------------------------
def test_numpy_calls_on_tensors_dispatch_to_the_new_ops():
    rng = np.random.default_rng(0)
    a = Tensor(rng.normal(size=(3, 3)) + 3 * np.eye(3))
    b = Tensor(rng.normal(size=(3,)))
    calls = {
        "inv": np.linalg.inv(a), "det": np.linalg.det(a), "solve": np.linalg.solve(a, b),
        "slogdet": np.linalg.slogdet(a)[1], "norm": np.linalg.norm(b),
        "cholesky": np.linalg.cholesky(a @ a.T), "concatenate": np.concatenate([a, a], axis=1),
        "stack": np.stack([b, b]), "einsum": np.einsum("ij,j->i", a, b), "trace": np.trace(a),
        "diagonal": np.diagonal(a), "flip": np.flip(b, 0), "pad": np.pad(b, 1),
        "clip": np.clip(b, -0.5, 0.5), "max": np.max(a, axis=0), "prod": np.prod(b),
        "var": np.var(a, ddof=1), "std": np.std(a, axis=1), "dot": np.dot(a, b),
        "outer": np.outer(b, b), "sin": np.sin(b), "log1p": np.log1p(b * b), "square": b.square(),
    }
    for name, t in calls.items():
        assert isinstance(t, Tensor) and t.op.name == name, name
    np.testing.assert_allclose(np.linalg.solve(a, b).value, np.linalg.solve(a.value, b.value))
    np.testing.assert_allclose(np.var(a, ddof=1).value, np.var(a.value, ddof=1))


def test_slogdet_returns_the_sign_as_a_constant():
    x = np.array([[0.0, 2.0], [1.0, 0.0]])  # det = -2
    sign, logdet = numeric.slogdet(Tensor(x))
    assert sign == -1.0
    np.testing.assert_allclose(logdet.value, np.log(2.0))
    np.testing.assert_allclose(_grad(lambda t: numeric.slogdet(t)[1], x)[0], np.linalg.inv(x).T)


# --- clear errors ----------------------------------------------------------------------------
@pytest.mark.parametrize("call, match", [
    (lambda: numeric.einsum("ij,jk->ik", np.ones((2, 3)), np.ones(3)), r"input 1 has shape \(3,\)"),
    (lambda: numeric.einsum("...i->i", np.ones((2, 3))), r"the output names no \.\.\."),
    (lambda: numeric.norm(np.ones(3), ord="fro"), "'fro' is a matrix norm"),
    (lambda: numeric.apply("dot", np.ones(2), np.ones((2, 3, 2))), r"\(2,\) and \(2,3,2\)"),
    (lambda: np.pad(Tensor(np.ones(2)), 1, mode="edge"), "mode='constant'"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# --- higher order: the rules run on Tensors --------------------------------------------------
@pytest.mark.parametrize("name", ["sin", "tan", "sigmoid", "softplus", "logsumexp", "softmax",
                                  "var", "std", "prod", "inv", "det", "slogdet", "cholesky",
                                  "einsum", "solve", "norm"])
def test_hessian_vector_products_match_differences_of_the_gradient(name):
    op = numeric.get_op(name)
    case = standard_cases(op)[1]
    rng = np.random.default_rng(11)
    xs = sample_inputs(op, case, rng)
    g = rng.uniform(-1, 1, size=np.shape(op.fwd(*xs, **case.params)))
    v = rng.uniform(-1, 1, size=np.shape(xs[0]))

    def grad0(x0):
        return numeric.grad(lambda t: (numeric.apply(op, t, *xs[1:], **case.params) * g).sum())(x0)

    hvp = numeric.grad(lambda t: (grad0(t) * v).sum())(xs[0])
    want = central_diff(lambda x0: float(np.sum(grad0(x0) * v)), xs[0], eps=1e-5)
    np.testing.assert_allclose(hvp, want, rtol=1e-5, atol=1e-6)


# --- SymPy forwards agree with the NumPy forwards --------------------------------------------
@pytest.mark.parametrize("name", [n for n in LIBRARY if numeric.get_op(n).sym is not None])
def test_sym_forward_equals_numpy_forward_at_rational_points(name):
    op = numeric.get_op(name)
    rng = np.random.default_rng(5)
    for case in standard_cases(op):
        xs = [np.round(x * 8) / 8 for x in sample_inputs(op, case, rng)]
        exact = [np.vectorize(lambda a: sympy.Rational(a), otypes=[object])(x) for x in xs]
        sym = np.asarray(op.sym(*[np.asarray(e, dtype=object) for e in exact], **case.params),
                         dtype=object)
        got = np.array([float(sympy.re(sympy.N(e, 30))) for e in sym.ravel()]).reshape(sym.shape)
        np.testing.assert_allclose(got, op.fwd(*xs, **case.params), rtol=1e-12, atol=1e-12,
                                   err_msg=f"{name} at {case}")


# --- hypothesis: reductions along random axes ------------------------------------------------
@settings(derandomize=True, max_examples=15)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=3), st.data())
def test_logsumexp_softmax_and_std_along_random_axes(shape, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.default_rng(len(shape) * 10 + axis).uniform(-3, 3, size=shape)
    for name, params in (("logsumexp", {"axis": axis, "keepdims": data.draw(st.booleans())}),
                         ("softmax", {"axis": axis}), ("log_softmax", {"axis": axis}),
                         ("max", {"axis": axis})):
        assert_vjp_matches_fd(numeric.get_op(name), [x], params, seed=1, where=f"{shape}")


# --- meta-test: a wrong rule is caught ---------------------------------------------------------
@pytest.mark.parametrize("name, wrong", [
    ("inv", lambda g, out, x: -np.matmul(np.matmul(out, g), out)),             # transposes lost
    ("softmax", lambda g, out, x, axis=-1: out * g),                           # no centring
    ("std", lambda g, out, x, axis=None, keepdims=False, ddof=0:
        g * (x - np.mean(x)) / out),                                           # 1/n lost
    ("cholesky", lambda g, out, x: np.matmul(np.swapaxes(out, -1, -2), g)),    # Φ and L⁻¹ lost
])
def test_a_wrong_rule_fails_the_finite_difference_check(name, wrong):
    op = dataclasses.replace(numeric.get_op(name), vjp=(wrong,))
    case = standard_cases(op)[0]
    xs = sample_inputs(op, case, np.random.default_rng(0))
    with pytest.raises(AssertionError):
        assert_vjp_matches_fd(op, xs, case.params, seed=0)


# --- Tensor methods are the ops ----------------------------------------------------------------
@pytest.mark.parametrize("method, args, reference", [
    ("sin", (), np.sin), ("cos", (), np.cos), ("tan", (), np.tan), ("sinh", (), np.sinh),
    ("cosh", (), np.cosh), ("log1p", (), np.log1p), ("expm1", (), np.expm1),
    ("square", (), np.square), ("relu", (), lambda x: np.where(x > 0, x, 0.0)),
    ("sigmoid", (), lambda x: 1 / (1 + np.exp(-x))),
    ("softplus", (), lambda x: np.log1p(np.exp(x))),
    ("clip", (-0.5, 0.5), lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi)),
    ("max", (1,), lambda x, a: x.max(a)), ("min", (0,), lambda x, a: x.min(a)),
    ("prod", (1,), lambda x, a: x.prod(a)), ("var", (1,), lambda x, a: x.var(a)),
    ("std", (None, None, None, 1), lambda x, a, t, o, d: x.std(ddof=d)),
    ("logsumexp", (1,), lambda x, a: np.log(np.exp(x).sum(a))),
    ("softmax", (0,), lambda x, a: np.exp(x) / np.exp(x).sum(a, keepdims=True)),
    ("log_softmax", (), lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
    ("flip", (1,), lambda x, a: x[:, ::-1]), ("trace", (), np.trace),
    ("diagonal", (1,), lambda x, o: x.diagonal(o)),
])
def test_tensor_methods_apply_the_ops(method, args, reference):
    x = np.random.default_rng(4).uniform(-1, 1, size=(3, 3))
    t = getattr(Tensor(x), method)(*args)
    assert isinstance(t, Tensor) and t.op.name == method
    np.testing.assert_allclose(t.value, reference(x, *args), rtol=1e-12)
