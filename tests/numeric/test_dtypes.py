"""Gradient dtypes: float32 stays float32 through power's rules (guards included), integer and
bool inputs get float64 gradients, and object arrays (derive's symbols) stay exact.
"""

import numpy as np
import pytest

import numeric
from numeric import grad

F32 = np.float32


POWER_F32 = {
    "t ** 2": lambda t: t ** 2,
    "t ** 0.5": lambda t: t ** 0.5,
    "2 ** t": lambda t: 2 ** t,
    "2.5 ** t": lambda t: 2.5 ** t,
    "t ** t": lambda t: t ** t,
    "t ** float32 array": lambda t: t ** np.array([2.0, 3.0], dtype=F32),
    "float32 array ** t": lambda t: np.array([2.0, 3.0], dtype=F32) ** t,
    "np.power(t, 3)": lambda t: np.power(t, 3),
}


@pytest.mark.parametrize("name", POWER_F32)
def test_power_keeps_float32(name):
    x = np.array([0.5, 1.5], dtype=F32)
    g = grad(lambda t: POWER_F32[name](t).sum())(x)
    assert g.dtype == F32, f"{name}: gradient is {g.dtype}, the input float32"
    np.testing.assert_allclose(g, grad(lambda t: POWER_F32[name](t).sum())(x.astype(float)),
                               rtol=1e-6)


@pytest.mark.parametrize("x, y", [(np.array([0.0, 2.0], dtype=F32), 2), (0, np.ones(2, F32))])
def test_power_rules_keep_float32_at_the_guarded_zeros(x, y):
    op = numeric.get_op("power")
    out = np.power(x, y)
    g = np.ones_like(out)
    for i, rule in enumerate(op.vjp):
        assert np.result_type(rule(g, out, x, y)) == F32, f"power rule {i}"


INTEGER_REDUCTIONS = [
    ("max", np.array([1, 3, 3, 2])), ("min", np.array([[1, 1], [4, 0]])),
    ("prod", np.array([2, 0, 3])), ("prod", np.array([[1, 2], [3, 4]])),
    ("max", np.array([True, False, True])), ("prod", np.array([True, True])),
]


@pytest.mark.parametrize("name, x", INTEGER_REDUCTIONS)
def test_integer_inputs_get_float64_gradients(name, x):
    got = grad(lambda t: getattr(np, name)(t))(x)
    assert got.dtype == np.float64, f"{name} of {x.dtype}: gradient is {got.dtype}"
    want = grad(lambda t: getattr(np, name)(t))(x.astype(float))
    np.testing.assert_array_equal(got, want)


def test_object_arrays_stay_exact_in_the_tie_rule():
    import sympy

    op = numeric.get_op("max")
    x = np.array([sympy.Integer(2), sympy.Integer(2), sympy.Integer(1)], dtype=object)
    got = op.vjp[0](sympy.Integer(1), op.fwd(x), x)
    assert got.dtype == object
    assert list(got) == [sympy.Rational(1, 2), sympy.Rational(1, 2), 0]
