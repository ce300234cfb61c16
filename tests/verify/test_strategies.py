"""verify.strategies: generated cases fit each op (its forward runs), shapes broadcast and cover
0-d, size-1 and missing leading axes, values stay in the domain, and grids make exact ties.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric
from numeric import Domain
from numeric.kinds import OTHER
from verify import strategies as vs

NAMES = sorted(numeric.all_ops())


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=15)
@given(data=st.data())
def test_generated_cases_fit_the_op_and_inputs_stay_in_its_domains(name, data):
    op = numeric.get_op(name)
    dtype = data.draw(st.sampled_from([np.float64, np.float32]), label="dtype")
    case, xs = data.draw(vs.op_inputs(op, dtype), label="case, inputs")
    bound = op if len(xs) == op.nargs else op.arity(len(xs))
    assert [x.shape for x in xs] == [tuple(s) for s in case.shapes]
    with np.errstate(all="ignore"):
        bound.fwd(*xs, **case.params)
    for x, dom in zip(xs, bound.domains()):
        if dom.kind == "bool":
            assert x.dtype == bool
            continue
        assert x.dtype == dtype
        if dom.kind == "real":
            assert np.all((x >= dom.low) & (x <= dom.high)), (x, dom)
            for a in dom.avoid:
                assert np.all(np.abs(x.astype(np.float64) - a) >= dom.margin * (1 - 1e-6))


@settings(max_examples=200)
@given(vs.broadcastable_shapes(3))
def test_broadcastable_shapes_broadcast(shapes):
    # Three shapes within the bounds asked for (default 3 axes of at most 3), and each one
    # stretches to the broadcast shape: every axis it has is the result's, or size 1.
    out = np.broadcast_shapes(*shapes)
    assert len(shapes) == 3
    assert all(len(s) <= 3 and all(1 <= n <= 3 for n in s) for s in shapes), shapes
    assert len(out) == max(len(s) for s in shapes)
    for s in shapes:
        assert np.broadcast_to(np.empty(s), out).shape == out
        assert all(n in (1, m) for n, m in zip(s, out[len(out) - len(s):])), (s, out)


def test_broadcastable_shapes_cover_the_broadcasting_kinds():
    seen = set()

    @settings(max_examples=200)
    @given(vs.broadcastable_shapes(2))
    def collect(shapes):
        out = np.broadcast_shapes(*shapes)
        for s in shapes:
            if s == ():
                seen.add("0-d")
            elif len(s) < len(out):
                seen.add("missing leading axes")
            if any(n == 1 and m != 1 for n, m in zip(s, out[len(out) - len(s):])):
                seen.add("size-1 axis stretched")

    collect()
    assert seen == {"0-d", "missing leading axes", "size-1 axis stretched"}


def test_matmul_cases_cover_the_four_notebook_cases_and_batches():
    seen = set()

    @settings(max_examples=150)
    @given(vs.cases("matmul"))
    def collect(case):
        x, y = case.shapes
        np.matmul(np.ones(x), np.ones(y))
        seen.add((min(len(x), 3), min(len(y), 3)))

    collect()
    assert {(1, 1), (2, 1), (1, 2), (2, 2)} <= seen and any(3 in s for s in seen), seen


def test_reduce_params_cover_axis_kinds_and_keepdims():
    seen = set()

    @settings(max_examples=150)
    @given(vs.cases("sum"))
    def collect(case):
        axis = case.params.get("axis")
        kind = ("none" if axis is None else "tuple" if isinstance(axis, tuple)
                else "negative" if axis < 0 else "int")
        seen.add((kind, case.params.get("keepdims", False)))

    collect()
    assert {k for k, _ in seen} == {"none", "int", "negative", "tuple"}
    assert {kd for _, kd in seen} == {False, True}


def test_index_cases_include_repeated_integer_indices():
    seen = []

    @settings(max_examples=150)
    @given(vs.cases("getitem"))
    def collect(case):
        index = case.params["index"]
        if isinstance(index, np.ndarray) and len(np.unique(index)) < index.size:
            seen.append(index)

    collect()
    assert seen


@settings(max_examples=100)
@given(vs.values(Domain(-1.0, 1.0, avoid=(0.0, 0.5), margin=0.1), (4,), resolution=1 / 16))
def test_grid_values_avoid_points_and_sit_on_the_grid(x):
    assert np.all(np.abs(x) >= 0.1) and np.all(np.abs(x - 0.5) >= 0.1)
    np.testing.assert_array_equal(x * 16, np.round(x * 16))


@settings(max_examples=50)
@given(vs.values(Domain(0.2, 3.0), (3, 3), np.float32))
def test_float32_values_respect_the_bounds(x):
    assert x.dtype == np.float32 and np.all((x >= 0.2) & (x <= 3.0))


def test_an_empty_domain_is_a_clear_error():
    with pytest.raises(ValueError, match="no values"):
        vs.values(Domain(-0.1, 0.1, avoid=(0.0,), margin=0.5), (2,))


def test_a_kind_without_a_strategy_falls_back_to_standard_cases():
    op = numeric.Op("user_odd", np.exp, (lambda g, out, x: g * out,), kind=OTHER,
                    cases=(numeric.Case(((2, 2),)),))

    @settings(max_examples=3)
    @given(vs.cases(op))
    def check(case):
        assert case.shapes == ((2, 2),)

    check()


def test_a_new_kind_brings_its_own_strategy_with_no_edit_in_verify():
    fixed = numeric.Case(((5,),), {}, "fixed")
    kind = numeric.Kind("user_sq", cases=lambda op: (fixed,),
                        strategy=lambda op, max_dims, max_side: st.just(fixed))
    op = numeric.Op("user_sq", np.square, (lambda g, out, x: 2 * g * x,), kind=kind)

    @settings(max_examples=3)
    @given(vs.op_inputs(op))
    def check(case_inputs):
        case, (x,) = case_inputs
        assert case.label == "fixed" and x.shape == (5,)

    check()
