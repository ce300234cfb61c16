"""derive.serial: SymPy expressions as JSON trees, read back by a whitelist that only builds
expressions; hostile trees are refused with SerialError, never run, never crash the reader."""

import json

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric
from derive import exact_vjp, serial
from numeric.cases import standard_cases

x = sp.Symbol("x_00", real=True, positive=True)
y = sp.Symbol("y", real=True)


@pytest.mark.parametrize("expr", [
    x + 2 * y**2, sp.Piecewise((x, x > y), (y, True)), sp.Max(x, y, 0) * sp.Heaviside(x - y),
    sp.Rational(1, 3) * sp.exp(x) / sp.log(1 + y), sp.sign(y) * sp.Abs(y), sp.oo, sp.true,
    sp.sqrt(x), sp.And(x > 1, y < 2), sp.atan2(y, x), sp.DiracDelta(y)])
def test_round_trip_through_json(expr):
    assert serial.decode(json.loads(json.dumps(serial.encode(expr)))) == expr


def test_every_standard_derivation_round_trips():
    for name in ("maximum", "softmax", "inv", "where", "clip", "std"):
        op = numeric.get_op(name)
        for case in standard_cases(op)[:3]:
            exact = exact_vjp(op, case)
            for a in [exact.out] + [e for e in exact.exprs if e is not None]:
                back = serial.decode_array(json.loads(json.dumps(serial.encode_array(a))))
                assert (back == np.asarray(a, dtype=object)).all(), (name, case)


@pytest.mark.parametrize("tree", [
    [], {}, ["Add"], ["eval", "__import__('os')"], ["Symbol", "../x", []],
    ["Symbol", "x", ["evil"]], ["Integer", "1" * 5000], ["Rational", "1", "0"],
    ["Pow", ["Integer", "10"], ["Integer", "99999999"]], ["Piecewise", ["Integer", "1"]],
    ["Atom", "__class__"], ["Float", "0.5"], ["Add", ["Integer", "1"], "x"]])
def test_hostile_trees_are_refused(tree):
    with pytest.raises(serial.SerialError):
        serial.decode(tree)


def test_deep_nesting_is_refused_without_recursion():
    tree = ["Integer", "1"]
    for _ in range(100_000):
        tree = ["exp", tree]
    with pytest.raises(serial.SerialError, match="deeper"):
        serial.decode(tree)


_NODE = st.sampled_from(list(serial.NODES) + ["Symbol", "Integer", "Rational", "Atom", "x"])
_TREE = st.recursive(
    st.none() | st.integers() | st.text(max_size=8) | st.lists(st.text(max_size=4), max_size=3),
    lambda inner: st.tuples(_NODE, st.lists(inner, max_size=3)).map(
        lambda t: [t[0], *t[1]]), max_leaves=25)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_TREE)
def test_fuzzed_trees_decode_or_raise_serial_error(tree):
    try:
        out = serial.decode(tree)
    except serial.SerialError:
        return
    assert isinstance(out, sp.Basic)


def test_a_power_of_a_power_of_a_number_is_refused():
    """Each exponent within the cap, but stacked: a number of astronomical size, hours of
    arithmetic for whoever evaluates it. The reader refuses it instead."""
    big = ["Integer", "9" * 400]
    tree = ["Mul", ["Symbol", "x_00", ["real"]],
            ["Pow", ["Pow", big, ["Integer", "4096"]], ["Integer", "4096"]]]
    with pytest.raises(serial.SerialError, match="raised again"):
        serial.decode(tree)
