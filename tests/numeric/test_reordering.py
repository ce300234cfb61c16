"""Reordering with NumPy's functions on Tensors: moveaxis and rollaxis (call forms of transpose),
fliplr and flipud (of flip), rot90, roll, sort and partition. Values as NumPy's; gradients
against central differences and autograd at first and second order; ties of sort and
partition split the cotangent evenly (their declared kink).
"""

import numpy as np
import pytest
from callform_util import check_call

import numeric
from numeric import Tensor

RNG = np.random.default_rng(1103)
A, U = RNG.normal(size=(3, 4)), RNG.normal(size=5)
C = RNG.normal(size=(2, 3, 4))

CALLS = {
    "moveaxis": (lambda k, c: k.moveaxis(c, 0, -1), (C,)),
    "moveaxis, several": (lambda k, c: k.moveaxis(c, [0, 1], [-1, 0]), (C,)),
    "rollaxis": (lambda k, c: k.rollaxis(c, 2), (C,)),
    "rollaxis, start": (lambda k, c: k.rollaxis(c, 0, 3), (C,)),
    "rollaxis, negative": (lambda k, c: k.rollaxis(c, -1, 1), (C,)),
    "fliplr": (lambda k, a: k.fliplr(a), (A,)),
    "flipud": (lambda k, u: k.flipud(u), (U,)),
    "flipud, 3-d": (lambda k, c: k.flipud(c), (C,)),
    "rot90": (lambda k, a: k.rot90(a), (A,)),
    "rot90, k=3, axes": (lambda k, c: k.rot90(c, 3, axes=(0, 2)), (C,)),
    "rot90, k=-2": (lambda k, a: k.rot90(a, -2), (A,)),
    "roll, flattened": (lambda k, a: k.roll(a, 5), (A,)),
    "roll, one axis": (lambda k, a: k.roll(a, -1, axis=1), (A,)),
    "roll, tuple": (lambda k, c: k.roll(c, (1, -2), axis=(0, 2)), (C,)),
    "roll, one shift on two axes": (lambda k, c: k.roll(c, 2, axis=(1, 2)), (C,)),
    "sort, vector": (lambda k, u: k.sort(u), (U,)),
    "sort": (lambda k, a: k.sort(a), (A,)),
    "sort, axis 0": (lambda k, a: k.sort(a, axis=0), (A,)),
    "sort, axis=None": (lambda k, c: k.sort(c, axis=None), (C,)),
    "partition": (lambda k, u: k.partition(u, 2), (U,)),
    "partition, several kth, axis 0": (lambda k, a: k.partition(a, (0, 2), axis=0), (A,)),
    "partition, axis=None": (lambda k, c: k.partition(c, -3, axis=None), (C,)),
}
# autograd's roll takes one shift, its rot90 no axes, its rollaxis no negative axis; its sort
# and partition of more than a vector raise in its own VJP: central differences only.
NO_AUTOGRAD = {"roll, tuple", "sort, axis=None", "sort",
               "sort, axis 0", "rot90, k=3, axes",
               "partition, several kth, axis 0", "partition, axis=None", "rollaxis, negative"}


@pytest.mark.parametrize("name", CALLS)
def test_call_form_matches_numpy_and_its_gradients_match(name):
    f, xs = CALLS[name]
    check_call(f, *xs, autograd=name not in NO_AUTOGRAD)


REFUSALS = {
    "fliplr of a vector": (lambda t: np.fliplr(t[0]), ValueError, ">= 2-d"),
    "flipud of a 0-d": (lambda t: np.flipud(t[0, 0]), ValueError, ">= 1-d"),
    "moveaxis, unequal lengths": (lambda t: np.moveaxis(t, [0, 1], [0]), ValueError,
                                  "same number of elements"),
    "moveaxis, out of range": (lambda t: np.moveaxis(t, 2, 0), np.exceptions.AxisError,
                               "source"),
    "rollaxis, bad start": (lambda t: np.rollaxis(t, 0, 4), np.exceptions.AxisError, "start"),
    "rot90, equal axes": (lambda t: np.rot90(t, axes=(0, 0)), ValueError, "rot90"),
    "sort with order=": (lambda t: np.sort(t, order="f"), TypeError, "numpy.sort.*order="),
    "sort, unknown kind": (lambda t: np.sort(t, kind="bogo"), ValueError, "sort kind"),
    "partition, kth out of range": (lambda t: np.partition(t, 9), ValueError, "partition"),
    "partition, another kind": (lambda t: np.partition(t, 1, kind="quick"), ValueError,
                                "introselect"),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_bad_arguments_are_refused_naming_the_function(name):
    f, kind, match = REFUSALS[name]
    with pytest.raises(kind, match=match):
        f(Tensor(A))


def test_sort_ties_share_the_cotangent_of_the_positions_they_fill():
    x = Tensor([1.0, 3.0, 1.0, 2.0])
    out = np.sort(x)  # [1, 1, 2, 3]: x0 and x2 fill positions 0 and 1
    out.backward(np.array([1.0, 10.0, 100.0, 1000.0]))
    np.testing.assert_array_equal(x.grad, [5.5, 1000.0, 5.5, 100.0])


def test_sort_of_all_equal_entries_gives_each_the_mean():
    x = Tensor(np.full((2, 3), 0.5))
    np.sort(x, axis=1).backward(np.array([[3.0, 0.0, 0.0], [1.0, 2.0, 6.0]]))
    np.testing.assert_array_equal(x.grad, [[1.0, 1.0, 1.0], [3.0, 3.0, 3.0]])


def test_partition_ties_split_evenly_wherever_numpy_puts_them():
    values = np.array([2.0, 0.0, 2.0, 1.0, 5.0])
    x = Tensor(values)
    out = np.partition(x, 3)
    np.testing.assert_array_equal(out.value, np.partition(values, 3))
    g = np.arange(1.0, 6.0)
    out.backward(g)
    twos = np.flatnonzero(np.partition(values, 3) == 2.0)
    np.testing.assert_allclose(x.grad[[0, 2]], [g[twos].mean()] * 2)
    assert x.grad.sum() == g.sum()  # the cotangent is moved, none lost or made


def test_sort_kinds_and_stable_are_accepted_they_give_the_same_values():
    for kind in ("quicksort", "mergesort", "heapsort", "stable"):
        np.testing.assert_array_equal(np.sort(Tensor(A), kind=kind).value, np.sort(A))
    np.testing.assert_array_equal(np.sort(Tensor(A), stable=True).value, np.sort(A))


def test_sort_and_partition_have_no_in_place_methods():
    t = Tensor(A)
    assert not hasattr(t, "sort") and not hasattr(t, "partition")  # NumPy's sort in place


def test_second_order_through_a_tie_uses_the_same_split():
    """l = (c · sort(x))²: ∇l = 2 l' s and ∇(∇l · v) = 2 (s · v) s, s the split of c."""
    x, c, v = np.array([1.0, 3.0, 1.0, 2.0]), np.array([1.0, 10.0, 100.0, 1000.0]), np.ones(4)
    split = np.array([5.5, 1000.0, 5.5, 100.0])
    loss = lambda t: np.sum(c * np.sort(t)) ** 2  # noqa: E731
    np.testing.assert_allclose(numeric.grad(loss)(x), 2 * 3211.0 * split)
    hvp = numeric.grad(lambda t: np.sum(numeric.grad(loss)(t) * v))(x)
    np.testing.assert_allclose(hvp, 2 * split.sum() * split)
