"""Splitting and gathering with NumPy's functions on Tensors: split, array_split, hsplit, vsplit,
dsplit (lists of pieces), take, take_along_axis and repeat — call forms of getitem. Values as
NumPy's; gradients against central differences and autograd at first and second order; a
piece that is not used contributes zero; repeated indices accumulate.
"""

import numpy as np
import pytest
from callform_util import check_call

from numeric import Tensor

RNG = np.random.default_rng(1102)
A, U = RNG.normal(size=(4, 6)), RNG.normal(size=5)
C = RNG.normal(size=(2, 4, 4))

CALLS = {
    "split into sections": (lambda k, a: k.split(a, 2), (A,)),
    "split at indices, axis=1": (lambda k, a: k.split(a, [1, 4], axis=1), (A,)),
    "split, negative axis": (lambda k, c: k.split(c, 2, axis=-1), (C,)),
    "split at negative and out-of-range indices": (lambda k, u: k.split(u, [-2, 9]), (U,)),
    "array_split, unequal": (lambda k, u: k.array_split(u, 3), (U,)),
    "array_split, more sections than entries": (lambda k, u: k.array_split(u, 7), (U,)),
    "array_split at decreasing indices (an empty piece)": (
        lambda k, a: k.array_split(a, [3, 1], axis=1), (A,)),
    "hsplit of a matrix": (lambda k, a: k.hsplit(a, 3), (A,)),
    "hsplit of a vector": (lambda k, u: k.hsplit(u, [2]), (U,)),
    "vsplit": (lambda k, a: k.vsplit(a, [1]), (A,)),
    "dsplit": (lambda k, c: k.dsplit(c, 2), (C,)),
    "take, flattened": (lambda k, a: k.take(a, [0, 7, 7, -1]), (A,)),
    "take, axis=1, repeated": (lambda k, a: k.take(a, [[1, 1], [5, 0]], axis=1), (A,)),
    "take, a scalar index": (lambda k, c: k.take(c, 2, axis=-2), (C,)),
    "take, mode='wrap'": (lambda k, u: k.take(u, [6, -7, 2], mode="wrap"), (U,)),
    "take, mode='clip'": (lambda k, u: k.take(u, [9, -3, 1], mode="clip"), (U,)),
    "take, positional axis, out and mode": (lambda k, a: k.take(a, [7, 1], 1, None, "wrap"),
                                            (A,)),
    "take_along_axis, argsort order": (
        lambda k, a: k.take_along_axis(a, np.argsort(A, axis=0), axis=0), (A,)),
    "take_along_axis, repeated, last axis": (
        lambda k, a: k.take_along_axis(a, np.array([[0, 0, 5]] * 4), axis=-1), (A,)),
    "take_along_axis, broadcast index": (
        lambda k, c: k.take_along_axis(c, np.array([[[3], [1], [1], [0]]]), axis=2), (C,)),
    "take_along_axis, axis=None": (
        lambda k, a: k.take_along_axis(a, np.array([23, 0, 0]), axis=None), (A,)),
    "repeat, flattened": (lambda k, a: k.repeat(a, 2), (A,)),
    "repeat, counts per entry": (lambda k, a: k.repeat(a, [0, 2, 1, 3], axis=0), (A,)),
    "repeat, negative axis": (lambda k, c: k.repeat(c, 3, axis=-1), (C,)),
}
# Where autograd has no gradient (take, take_along_axis), takes no list of counts (repeat),
# raises in its own VJP (hsplit of a vector, split at decreasing indices), or gives a gradient
# that central differences refute (repeat along a negative axis): central differences only.
NO_AUTOGRAD = {"take, flattened", "take, positional axis, out and mode",
               "take, axis=1, repeated", "take, a scalar index",
               "take, mode='wrap'", "take, mode='clip'", "take_along_axis, broadcast index",
               "take_along_axis, axis=None", "take_along_axis, argsort order",
               "take_along_axis, repeated, last axis",
               "array_split at decreasing indices (an empty piece)",
               "repeat, counts per entry", "repeat, negative axis", "hsplit of a vector"}


@pytest.mark.parametrize("name", CALLS)
def test_call_form_matches_numpy_and_its_gradients_match(name):
    f, xs = CALLS[name]
    check_call(f, *xs, autograd=name not in NO_AUTOGRAD)


def test_split_returns_a_list_of_tensors_and_unused_pieces_get_zero():
    a = Tensor(A)
    pieces = np.split(a, 3, axis=1)
    assert type(pieces) is list and len(pieces) == 3
    assert all(isinstance(p, Tensor) for p in pieces)
    (pieces[2] * 5.0).sum().backward()
    want = np.zeros_like(A)
    want[:, 4:] = 5.0
    np.testing.assert_array_equal(a.grad, want)


def test_gradient_flows_from_every_piece_used():
    check_call(lambda k, a: k.array_split(a, 4, axis=1), A, use=(0, 3))
    check_call(lambda k, a: k.split(a, [2], axis=1)[::-1], A)


def test_array_split_empty_pieces_have_numpys_shapes():
    pieces = np.array_split(Tensor(U), 7)
    assert [p.shape for p in pieces] == [p.shape for p in np.array_split(U, 7)]
    assert [p.shape for p in pieces][-2:] == [(0,), (0,)]


SPLIT_REFUSALS = {
    "unequal split": (lambda a: np.split(a, 5), ValueError, "equal division"),
    "zero sections": (lambda a: np.array_split(a, 0), ValueError, "larger than 0"),
    "vsplit of a vector": (lambda a: np.vsplit(a[0], 2), ValueError, "vsplit only works on "
                                                                     "arrays of 2 or more"),
    "dsplit of a matrix": (lambda a: np.dsplit(a, 2), ValueError, "dsplit only works on arrays "
                                                                  "of 3 or more"),
    "hsplit of a 0-d": (lambda a: np.hsplit(a[0, 0], 2), ValueError, "hsplit only works"),
    "axis out of range": (lambda a: np.split(a, 2, axis=2), np.exceptions.AxisError, "axis 2"),
    "take out of bounds": (lambda a: np.take(a, [0, 24]), IndexError,
                           "index 24 is out of bounds for axis 0 with size 24"),
    "take with out=": (lambda a: np.take(a, [0], out=np.empty(1)), TypeError,
                       "numpy.take.*out="),
    "take with float indices": (lambda a: a.take(np.array([0.5])), TypeError, "integers"),
    "take with an unknown mode": (lambda a: np.take(a, [0], mode="fold"), ValueError, "mode"),
    "take_along_axis, wrong ndim": (lambda a: np.take_along_axis(a, np.array([0]), axis=0),
                                    ValueError, "same number of dimensions"),
    "repeat, negative count": (lambda a: np.repeat(a, -1), ValueError, "negative"),
    "repeat, wrong number of counts": (lambda a: np.repeat(a, [1, 2], axis=0), ValueError,
                                       "one per entry"),
}


@pytest.mark.parametrize("name", SPLIT_REFUSALS)
def test_bad_arguments_are_refused_with_numpys_reason(name):
    f, kind, match = SPLIT_REFUSALS[name]
    with pytest.raises(kind, match=match):
        f(Tensor(A))


def test_repeat_and_take_methods_and_repeated_indices_accumulate():
    u = Tensor(U)
    np.testing.assert_array_equal(u.repeat(2).value, U.repeat(2))
    (u.take([1, 1, 1, 4]) * np.array([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(u.grad, [0.0, 6.0, 0.0, 0.0, 4.0])
    u.zero_grad()
    np.repeat(u, [0, 1, 2, 3, 0]).sum().backward()
    np.testing.assert_array_equal(u.grad, [0.0, 1.0, 2.0, 3.0, 0.0])


def test_a_tensor_of_indices_is_a_constant():
    u = Tensor(U)
    out = np.take(u, Tensor(np.array([4, 0]), requires_grad=False))
    np.testing.assert_array_equal(out.value, U[[4, 0]])
