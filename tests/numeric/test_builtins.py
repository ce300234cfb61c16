"""numeric.builtins: autograd.builtins' names, so ``from autograd.builtins import tuple`` ports."""

from __future__ import annotations

import builtins

import numpy as onp

import numeric
from numeric import Tensor
from numeric.builtins import dict, isinstance, list, tuple, type


def test_the_containers_are_pythons_and_gradients_go_through_them():
    assert (tuple, list, dict) == (builtins.tuple, builtins.list, builtins.dict)

    def f(args):
        (w,) = args
        return onp.sum(w ** 3)

    w = onp.array([1.0, -2.0])
    g = numeric.grad(lambda w: f(tuple((w,))))(w)
    onp.testing.assert_allclose(g, 3 * w ** 2)


def test_isinstance_and_type_see_a_traced_array_as_its_value():
    seen = []

    def f(x):
        seen.append((isinstance(x, onp.ndarray), type(x), isinstance(x, Tensor)))
        return onp.sum(x * x)

    numeric.grad(f)(onp.array([1.0, 2.0]))
    f(onp.array([1.0, 2.0]))
    assert seen == [(True, onp.ndarray, True), (True, onp.ndarray, False)]
    assert not isinstance(Tensor([1.0]), (str, builtins.dict))
    assert type("C", (), {}).__name__ == "C"
