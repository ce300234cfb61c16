"""The op table, data-driven: every op's VJP against central differences, and its kink convention.

Each op in ``numeric.all_ops()`` is checked on hypothesis-generated cases (broadcast-compatible
shapes with 0-d, size-1 and missing leading axes; params fitting its kind; values in its
domain) and on its ``standard_cases``. Finite differences use only the op's NumPy forward.
"""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numdiff_util import (
    assert_vjp_matches_fd,
    bound,
    differentiated,
    engine_vjp,
    standard_items,
)

import numeric
from numeric import Kink, Op, Tensor, get_op, unbroadcast
from numeric.cases import sample_inputs, standard_cases
from verify import strategies as vs
from verify.shapes import broadcast_target, fits

OPS = numeric.all_ops()
NAMES = sorted(OPS)
STANDARD = standard_items(OPS)
# Ops whose kink declares one slope per input: the engine must use exactly that slope there.
SLOPED = [name for name in NAMES
          if OPS[name].kink is not None and len(OPS[name].kink.slope) == OPS[name].nargs]
# The conventions chosen to be what central differences see at the kink.
FD_CONSISTENT = ["maximum", "minimum", "abs"]


def _id(item):
    name, case = item
    return f"{name}[{case}]"


# ---------------------------------------------------------------------------------------------
# Gradients against central differences
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=50)
@given(data=st.data())
def test_vjp_matches_central_differences_on_generated_cases(name, data):
    op = get_op(name)
    case, xs = data.draw(vs.op_inputs(op), label="case, inputs")
    assert_vjp_matches_fd(op, xs, case.params, seed=1, where=str(case))


@pytest.mark.parametrize("item", STANDARD, ids=[_id(i) for i in STANDARD])
def test_vjp_matches_central_differences_on_standard_cases(item):
    name, case = item
    op = bound(get_op(name), len(case.shapes))
    xs = sample_inputs(op, case, np.random.default_rng(7))
    assert_vjp_matches_fd(op, xs, case.params, seed=2, where=str(case))


@pytest.mark.parametrize("item", STANDARD, ids=[_id(i) for i in STANDARD])
def test_raw_rule_shape_lies_between_the_input_and_its_broadcast(item):
    """The raw rule (before the one unbroadcast) is callable, and its shape is bounded: at least
    the input's, at most the shape the forward broadcast the input to, axis by axis."""
    name, case = item
    op = bound(get_op(name), len(case.shapes))
    xs = sample_inputs(op, case, np.random.default_rng(3))
    out = np.asarray(op.fwd(*xs, **case.params))
    g = np.random.default_rng(4).normal(size=out.shape)
    for i in differentiated(op):
        raw = np.shape(op.vjp[i](g, out, *xs, **case.params))
        target = broadcast_target(op, xs, out, i)
        where = f"{name} [{case}] input {i}: raw shape {raw}"
        assert target is not None, f"{where}: no raw-shape model for kind {op.kind.name!r}"
        assert fits(raw, xs[i].shape, target), \
            f"{where} is not between the input's {xs[i].shape} and its broadcast {target}"


@pytest.mark.parametrize("item", STANDARD, ids=[_id(i) for i in STANDARD])
def test_float32_gradients_are_float32_and_agree_with_float64(item):
    name, case = item
    op = bound(get_op(name), len(case.shapes))
    xs = sample_inputs(op, case, np.random.default_rng(5), dtype=np.float32)
    out = np.asarray(op.fwd(*xs, **case.params))
    g = np.random.default_rng(6).uniform(-1.0, 1.0, size=out.shape)
    _, grads32 = engine_vjp(op, xs, case.params, g.astype(np.float32))
    wide = [x if x.dtype == bool else x.astype(np.float64) for x in xs]
    _, grads64 = engine_vjp(op, wide, case.params, g)
    for i in differentiated(op):
        assert grads32[i].dtype == np.float32, f"{name} [{case}] input {i}: {grads32[i].dtype}"
        np.testing.assert_allclose(grads32[i], grads64[i], rtol=1e-3, atol=1e-4,
                                   err_msg=f"{name} [{case}] input {i}")


# ---------------------------------------------------------------------------------------------
# Kink conventions, tested at the kink
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SLOPED)
def test_declared_kink_slope_is_what_the_engine_uses_at_the_kink(name):
    op = get_op(name)
    rng = np.random.default_rng(11)
    for case in standard_cases(op):
        if case.params:  # Kink.place sees only the inputs: it places them for default params
            continue
        op = bound(op, len(case.shapes))
        shape = np.broadcast_shapes(*case.shapes)
        xs = op.kink.place(*sample_inputs(op, _broadcast_case(case, shape), rng))
        out = np.asarray(op.fwd(*xs, **case.params))
        g = rng.uniform(-1.0, 1.0, size=out.shape)
        _, grads = engine_vjp(op, xs, case.params, g)
        for i in differentiated(op):
            slope = op.kink.slope[i]
            if slope == 0:
                want = np.zeros(np.shape(xs[i]))
            else:
                assert out.shape == np.shape(xs[i]), f"{name}: slope {slope}, not elementwise"
                want = g * slope
            np.testing.assert_allclose(grads[i], want, atol=1e-15,
                                       err_msg=f"{name} [{case}] at its kink, input {i}")


@pytest.mark.parametrize("name", FD_CONSISTENT)
def test_kink_convention_is_what_central_differences_see(name):
    op = get_op(name)
    rng = np.random.default_rng(12)
    for case in standard_cases(op):
        xs = op.kink.place(*sample_inputs(op, case, rng))
        assert_vjp_matches_fd(op, xs, case.params, seed=13, where=f"at the kink, {case}")


def _broadcast_case(case, shape):
    """The case with every input at the broadcast shape (so a kink can be placed anywhere)."""
    return type(case)(tuple(shape for _ in case.shapes), case.params, case.label)


def test_maximum_and_minimum_ties_split_the_gradient_evenly():
    x = Tensor([1.0, 2.0, 3.0, -1.0])
    y = Tensor([1.0, 0.0, 5.0, -1.0])
    g = np.array([2.0, 4.0, 8.0, 16.0])
    np.maximum(x, y).backward(g)
    np.testing.assert_array_equal(x.grad, [1.0, 4.0, 0.0, 8.0])
    np.testing.assert_array_equal(y.grad, [1.0, 0.0, 8.0, 8.0])
    x.zero_grad(), y.zero_grad()
    np.minimum(x, y).backward(g)
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 8.0, 8.0])
    np.testing.assert_array_equal(y.grad, [1.0, 4.0, 0.0, 8.0])


def test_relu_at_zero_gets_half():
    x = Tensor([-1.0, 0.0, 2.0])
    np.maximum(x, 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 1.0])


def test_tie_with_a_broadcast_scalar_sums_the_halves():
    x = Tensor([0.0, 0.0, 1.0])
    s = Tensor(0.0)
    x.maximum(s).sum().backward()
    assert float(s.grad) == 1.0  # two ties give 1/2 each, the loss gives 0
    np.testing.assert_array_equal(x.grad, [0.5, 0.5, 1.0])


def test_abs_derivative_at_zero_is_zero():
    x = Tensor([-2.0, 0.0, 3.0, -0.0])
    abs(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0, 0.0])
    t = Tensor(0.0)
    np.abs(t).backward()
    assert float(t.grad) == 0.0


# ---------------------------------------------------------------------------------------------
# Meta-tests: a deliberately wrong rule must fail the checks above
# ---------------------------------------------------------------------------------------------
WRONG = [
    Op("wrong_exp", np.exp, (lambda g, out, x: g * x,), doc="exp with d/dx = x (wrong)"),
    Op("wrong_mul", np.multiply, (lambda g, out, x, y: g * y, lambda g, out, x, y: g * y),
       doc="multiply with d/dy = y (wrong)"),
    Op("wrong_tanh", np.tanh, (lambda g, out, x: g * (1 + out * out),), doc="sign error"),
    Op("wrong_max", np.maximum,
       (lambda g, out, x, y: g * (x >= y), lambda g, out, x, y: g * (y > x)),
       kink=Kink("ties go to x", place=lambda x, y: (x, x), slope=(1.0, 0.0)),
       doc="max with the seed's tie rule: all of g to x at a tie"),
]


@pytest.mark.parametrize("op", WRONG, ids=[op.name for op in WRONG])
def test_a_wrong_rule_fails_the_central_difference_check(op):
    rng = np.random.default_rng(21)
    xs = [rng.uniform(0.5, 1.5, size=(2, 3)) for _ in op.vjp]
    if op.kink is not None:
        xs = list(op.kink.place(*xs))
    with pytest.raises(AssertionError, match=op.name):
        assert_vjp_matches_fd(op, xs, {}, seed=22)


def _mutants(op):
    """For each differentiated input, the op with that input's rule scaled by 1.1 and shifted."""
    for i in differentiated(op):
        wrong = _scaled_and_shifted(op.vjp[i])
        yield i, dataclasses.replace(op, name=f"{op.name}_mutant{i}",
                                     vjp=op.vjp[:i] + (wrong,) + op.vjp[i + 1:], each=None)


def _scaled_and_shifted(rule):
    return lambda g, out, *xs, **kw: rule(g, out, *xs, **kw) * 1.1 + 0.01


FIRST_CASES = {name: case for name, case in reversed(STANDARD)}


@pytest.mark.parametrize("name", sorted(FIRST_CASES))
def test_every_ops_check_catches_a_mutated_rule(name):
    case = FIRST_CASES[name]
    op = bound(get_op(name), len(case.shapes))
    xs = sample_inputs(op, case, np.random.default_rng(8))
    for i, mutant in _mutants(op):
        with pytest.raises(AssertionError, match=f"input {i}"):
            assert_vjp_matches_fd(mutant, xs, case.params, seed=9, where=str(case))


def test_a_raw_rule_of_the_wrong_shape_is_reported_naming_the_op_and_input():
    op = Op("bad_shape", np.sin, (lambda g, out, x: np.ones((4, 4)),))
    with pytest.raises(ValueError, match=r"bad_shape input 0.*\(4, 4\).*\(2, 3\)"):
        engine_vjp(op, [np.zeros((2, 3))], {}, np.ones((2, 3)))


def test_unbroadcast_sums_broadcast_axes_and_keeps_real_part():
    rng = np.random.default_rng(0)
    g = rng.normal(size=(4, 2, 3)) + 1j * rng.normal(size=(4, 2, 3))
    got = unbroadcast(g, (2, 1), np.float64)
    want = np.real(g).sum(axis=0).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert not np.iscomplexobj(got)
    assert np.iscomplexobj(unbroadcast(g, (2, 1), np.complex128))
