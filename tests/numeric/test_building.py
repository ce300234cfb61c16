"""Building arrays from Tensors with NumPy's functions: hstack, vstack, row_stack, dstack,
column_stack, append (call forms of concatenate), atleast_1d/2d/3d and ravel (of reshape),
tile, diag and diagflat, tril and triu, select and linspace — values as NumPy's, gradients
against central differences and autograd at first and second order, refusals by name.
"""

import dataclasses

import numpy as np
import pytest
from callform_util import check_call

import numeric
from numeric import Tensor

RNG = np.random.default_rng(1101)
A, B = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 2))
U, V, S = RNG.normal(size=3), RNG.normal(size=2), np.array(RNG.normal())
C3 = RNG.normal(size=(2, 3, 2))

JOINS = {
    "hstack, 2-d": (lambda k, a, b: k.hstack([a, b]), (A, B)),
    "hstack, 1-d and 0-d": (lambda k, u, s: k.hstack((u, s, u)), (U, S)),
    "vstack, 1-d rows": (lambda k, u, a: k.vstack([u, a, u]), (U, A)),
    "vstack, 0-d": (lambda k, s: k.vstack([s, s]), (S,)),
    "dstack, 1-d and 2-d": (lambda k, u, a: k.dstack([u, a[:1]]), (U, A)),
    "dstack, 3-d": (lambda k, c: k.dstack([c, c[:, :, :1]]), (C3,)),
    "column_stack, 1-d and 2-d": (lambda k, v, b: k.column_stack([v, b, v]), (V, B)),
    "append, axis=None flattens": (lambda k, a, u: k.append(a, u), (A, U)),
    "append, axis=0": (lambda k, a, u: k.append(a, k.reshape(u, (1, 3)), axis=0), (A, U)),
    "atleast_1d of a 0-d": (lambda k, s: k.atleast_1d(s), (S,)),
    "atleast_2d of a vector": (lambda k, u: k.atleast_2d(u), (U,)),
    "atleast_3d of a vector": (lambda k, u: k.atleast_3d(u), (U,)),
    "atleast_3d of a matrix": (lambda k, a: k.atleast_3d(a), (A,)),
    "atleast_2d of three": (lambda k, s, u, a: k.atleast_2d(s, u, a), (S, U, A)),
    "ravel": (lambda k, c: k.ravel(c), (C3,)),
    "tile, int reps": (lambda k, u: k.tile(u, 2), (U,)),
    "tile, more reps than axes": (lambda k, a: k.tile(a, (2, 1, 2)), (A,)),
    "tile, fewer reps than axes": (lambda k, c: k.tile(c, (3,)), (C3,)),
    "diag, vector to matrix, k=1": (lambda k, u: k.diag(u, 1), (U,)),
    "diag, vector to matrix, k=-2": (lambda k, u: k.diag(u, k=-2), (U,)),
    "diag, square matrix to diagonal": (lambda k, b: k.diag(b, 1), (B,)),
    "diag, matrix to diagonal": (lambda k, a: k.diag(a), (A,)),
    "diag, matrix to diagonal, k=1": (lambda k, a: k.diag(a, 1), (A,)),
    "diag, matrix to diagonal, k=-1": (lambda k, a: k.diag(a.T, -1), (A,)),
    "diagflat, matrix": (lambda k, b: k.diagflat(b, -1), (B,)),
    "tril": (lambda k, a: k.tril(a), (A,)),
    "tril, k=-1, stack": (lambda k, c: k.tril(c, -1), (C3,)),
    "triu, k=1": (lambda k, a: k.triu(a, k=1), (A,)),
    "triu of a vector: rows of copies": (lambda k, u: k.triu(u), (U,)),
    "linspace, scalar ends": (lambda k, s, t: k.linspace(s, t, 5), (S, S + 1.5)),
    "linspace, endpoint=False, axis=-1": (
        lambda k, u, a: k.linspace(u, a, 4, endpoint=False, axis=-1), (U, A)),
    "linspace, num=1": (lambda k, u, s: k.linspace(u, s, 1), (U, S)),
    "linspace, positional": (lambda k, u, a: k.linspace(u, a, 3, False, False, None, 1), (U, A)),
    "linspace, num=2, axis=1": (lambda k, v, b: k.linspace(v, b, num=2, axis=1), (V, B)),
}
# Where autograd's own gradient raises (checked against central differences only): its VJPs of
# dstack, of tile with fewer reps than axes, of diag of a non-square matrix, of triu of a
# vector, of diagflat; its linspace takes no endpoint or axis and fails for one sample; its
# atleast_2d takes one array.
NO_AUTOGRAD = {"dstack, 1-d and 2-d", "dstack, 3-d", "tile, fewer reps than axes",
               "diag, matrix to diagonal", "diag, matrix to diagonal, k=1",
               "diag, matrix to diagonal, k=-1", "triu of a vector: rows of copies",
               "diagflat, matrix", "linspace, num=2, axis=1", "linspace, num=1",
               "linspace, positional",
               "linspace, endpoint=False, axis=-1", "atleast_2d of three"}


@pytest.mark.parametrize("name", JOINS)
def test_call_form_matches_numpy_and_its_gradients_match(name):
    f, xs = JOINS[name]
    check_call(f, *xs, autograd=name not in NO_AUTOGRAD)


def test_row_stack_reaches_vstack_with_numpys_deprecation_warning():
    a = Tensor(A)
    with pytest.warns(DeprecationWarning, match="row_stack"):
        out = np.row_stack([a, a[0]])  # noqa: NPY201 - NumPy 2.4 still has it, deprecated
    np.testing.assert_array_equal(out.value, np.vstack([A, A[0]]))
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, [[2.0, 2.0, 2.0], [1.0, 1.0, 1.0]])


def test_atleast_nd_of_several_returns_a_tuple_as_numpy_does():
    s, u = Tensor(S), Tensor(U)
    out = np.atleast_1d(s, u, np.ones(2))
    assert type(out) is type(np.atleast_1d(S, U)) is tuple
    assert [np.shape(o) for o in out] == [(1,), (3,), (2,)]
    assert isinstance(out[2], np.ndarray)  # a plain array stays plain, as in NumPy
    (out[0].sum() * 3 + out[1].sum()).backward()
    assert float(s.grad) == 3.0
    np.testing.assert_array_equal(u.grad, np.ones(3))


def test_flatten_and_ravel_methods():
    c = Tensor(C3)
    np.testing.assert_array_equal(c.flatten().value, C3.flatten())
    np.testing.assert_array_equal(c.ravel().value, C3.ravel())
    (c.flatten() * np.arange(12.0)).sum().backward()
    np.testing.assert_array_equal(c.grad, np.arange(12.0).reshape(2, 3, 2))
    with pytest.raises(TypeError, match="order='C'.*order='F'"):
        c.ravel("F")
    with pytest.raises(TypeError, match="numpy.ravel.*order='C'"):
        np.ravel(c, order="K")


def test_select_takes_the_first_condition_that_holds_and_the_default_elsewhere():
    x, y = Tensor(A), Tensor(2 * A)
    c1, c2 = A > 0, A > -0.5  # overlapping: where both hold, the first choice wins
    out = np.select([c1, c2], [x, y], default=-1.0)
    np.testing.assert_array_equal(out.value, np.select([c1, c2], [A, 2 * A], -1.0))
    out.backward(np.ones_like(A))
    np.testing.assert_array_equal(x.grad, c1.astype(float))
    np.testing.assert_array_equal(y.grad, (~c1 & c2).astype(float))
    d = Tensor(0.0)
    np.select([c1], [x], d).sum().backward()
    assert float(d.grad) == np.sum(~c1)  # a broadcast default sums its entries' cotangents


def test_select_with_broadcasting_matches_central_differences():
    cond = (np.array([True, False, True]), np.array([[False], [True]]))
    f = lambda k, a, u, s: k.select(cond, [a, u], s)  # noqa: E731
    check_call(f, A, U, S, autograd=False)


def test_select_refusals_name_the_problem():
    x = Tensor(A)
    with pytest.raises(ValueError, match="same length"):
        np.select([A > 0], [x, x])
    with pytest.raises(ValueError, match="empty condition list"):
        numeric.get_op("select")([], [])
    with pytest.raises(TypeError, match="select.*condlist"):
        np.select([np.ones((2, 3))], [x])  # conditions must be boolean, as in NumPy


def test_linspace_retstep_and_its_gradient():
    start, stop = Tensor(np.array([0.0, 1.0])), Tensor(np.array(2.0))
    out, step = np.linspace(start, stop, 5, retstep=True)
    want, want_step = np.linspace([0.0, 1.0], 2.0, 5, retstep=True)
    np.testing.assert_allclose(out.value, want)
    np.testing.assert_allclose(step.value, want_step)
    (out.sum() + 10 * step.sum()).backward()
    # Σ_i (1 - i/4) = 2.5 per start entry, Σ_i i/4 = 2.5 per column for stop; step = (stop-start)/4
    np.testing.assert_allclose(start.grad, [2.5 - 2.5, 2.5 - 2.5])
    np.testing.assert_allclose(stop.grad, 2 * 2.5 + 2 * 2.5)
    assert np.isnan(np.linspace(start, stop, 1, retstep=True)[1])  # NumPy's step of one sample


def test_linspace_refusals():
    t = Tensor(1.0)
    with pytest.raises(TypeError, match="numpy.linspace.*dtype="):
        np.linspace(0.0, t, 3, dtype=np.float32)
    with pytest.raises(ValueError, match="-1, must be non-negative"):
        np.linspace(0.0, t, -1)
    with pytest.raises(TypeError, match="num"):
        np.linspace(0.0, t, 2.5)


def test_joins_refuse_what_numpy_refuses_and_what_the_engine_does_not_take():
    x = Tensor(A)
    with pytest.raises(TypeError, match="numpy.vstack.*dtype="):
        np.vstack([x, x], dtype=np.float32)
    with pytest.raises(ValueError, match="concatenate"):
        np.hstack([x, np.ones((3, 1))])  # the shapes do not fit: the op says so


def test_diag_and_tri_refuse_other_dimensions_naming_the_op():
    with pytest.raises(ValueError, match="diag: inputs of shapes \\(2, 3, 2\\)"):
        np.diag(Tensor(C3))
    with pytest.raises(TypeError, match="tril: inputs of shapes \\(\\)"):
        np.tril(Tensor(S))


def test_tile_with_zero_reps_gives_an_empty_result_and_a_zero_gradient():
    u = Tensor(U)
    out = np.tile(u, (2, 0))
    assert out.shape == np.tile(U, (2, 0)).shape == (2, 0)
    (out.sum() + u.sum()).backward()
    np.testing.assert_array_equal(u.grad, np.ones(3))


@pytest.mark.parametrize("name, call", [("tile", "tile, int reps"), ("concatenate", "hstack, 2-d"),
                                        ("reshape", "atleast_3d of a vector")])
def test_a_doubled_rule_behind_a_call_form_fails_the_check(name, call):
    """Meta-test: check_call can fail — the call forms reach the record's rule."""
    op = numeric.get_op(name)
    doubled = tuple(lambda *a, rule=rule, **k: 2 * rule(*a, **k) for rule in op.vjp)
    each = None if op.each is None else lambda *a, **k: 2 * op.each(*a, **k)
    numeric.register(dataclasses.replace(op, vjp=doubled, each=each), replace=True)
    try:
        with pytest.raises(AssertionError, match="central differences"):
            check_call(JOINS[call][0], *JOINS[call][1], autograd=False)
    finally:
        numeric.register(op, replace=True)
