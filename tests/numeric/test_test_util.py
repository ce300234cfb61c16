"""numeric.test_util.check_grads: autograd's quick check, which must pass right rules and catch
wrong ones (a wrong first derivative, and a rule right in value but wrong in its own derivative).
"""

from __future__ import annotations

import numpy as onp
import pytest

import numeric
import numeric.numpy as np
from numeric.extend import defvjp, primitive
from numeric.test_util import check_grads


@pytest.mark.parametrize("modes", [["rev"], ["fwd"], ["fwd", "rev"]])
def test_right_rules_pass_to_order_two_with_containers_in_and_out(modes):
    def f(x, y):
        return {"a": np.tanh(x) * y, "b": (np.exp(x[:1]), np.sum(x ** 2) / y)}

    check_grads(f, argnum=(0, 1), modes=modes)(onp.array([0.3, -1.2, 0.5]), 2.0)
    check_grads(lambda x: np.linalg.slogdet(x)[1], modes=modes, order=1)(onp.eye(2) + 0.1)


def _wrong(first_order: bool):
    @primitive
    def cube(x):
        return x ** 3

    if first_order:  # 2x^2 instead of 3x^2
        defvjp(cube, lambda ans, x: lambda g: g * 2 * x ** 2)
    else:  # the right value, computed from a constant: its own derivative is lost
        defvjp(cube, lambda ans, x: lambda g: g * 3 * getattr(x, "value", x) ** 2)
    return cube


def test_a_wrong_vjp_is_caught_and_named():
    cube = _wrong(first_order=True)
    try:
        with pytest.raises(AssertionError, match=r"VJP of <lambda> disagrees"):
            check_grads(lambda x: np.sum(cube(x)), modes=["rev"], order=1)(onp.array([0.4, 1.3]))
    finally:
        numeric.unregister(cube.op.name)


def test_a_rule_right_in_value_but_not_differentiable_fails_only_at_order_two():
    cube = _wrong(first_order=False)
    try:
        check_grads(lambda x: np.sum(cube(x)), modes=["rev"], order=1)(onp.array([0.4, 1.3]))
        with pytest.raises(AssertionError, match=r"vjp_<lambda>"):
            check_grads(lambda x: np.sum(cube(x)), modes=["rev"], order=2)(onp.array([0.4, 1.3]))
    finally:
        numeric.unregister(cube.op.name)


def test_integer_input_is_checked_as_floats_and_bad_arguments_are_refused():
    check_grads(np.sqrt)(2)
    with pytest.raises(ValueError, match="modes must be"):
        check_grads(np.sin, modes=["both"])
    with pytest.raises(TypeError, match="complex input of shape"):
        check_grads(np.sin)(onp.array([1.0 + 1.0j]))
