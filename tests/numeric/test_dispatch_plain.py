"""numeric/dispatch.py ``call``: an op record called with no Tensor argument returns plain
values, as NumPy's functions and autograd's do (``numeric.logsumexp(ndarray)`` is an ndarray),
equal to the Tensor path's values; one Tensor argument keeps the result a Tensor. Driven by the
op table at each op's first standard case; the ops whose NumPy call form is not the record's
(lists of inputs, subscripts, weights, special functions' orders) are called in their NumPy form."""

from __future__ import annotations

import numpy as np
import pytest

import numeric
from numeric import Tensor
from numeric.cases import sample_inputs, standard_cases

# Ops whose NumPy call form differs from (inputs..., **params): called as NumPy calls them.
A, B = np.arange(6.0).reshape(2, 3) - 2.5, np.linspace(-1, 1, 6).reshape(2, 3)
NUMPY_FORMS = {
    "concatenate": lambda wrap: numeric.concatenate([wrap(A), B], axis=1),
    "stack": lambda wrap: numeric.stack([wrap(A), B], axis=0),
    "select": lambda wrap: numeric.get_op("select")([A > 0, B > 0], [wrap(A), B], default=1.0),
    "average": lambda wrap: numeric.get_op("average")(wrap(A), axis=0, weights=np.ones(2)),
    "einsum": lambda wrap: numeric.einsum("ij,kj->ik", wrap(A), B),
}
# SciPy's special functions with an integer order first (or last), as scipy.special calls them
C = np.linspace(1.6, 3.0, 6).reshape(2, 3)
NUMPY_FORMS |= {name: (lambda wrap, name=name, n=n: numeric.get_op(name)(n, wrap(C)))
                for name, n in (("polygamma", 1), ("jn", 2), ("yn", 2), ("iv", 1), ("ive", 1))}
NUMPY_FORMS["multigammaln"] = lambda wrap: numeric.get_op("multigammaln")(wrap(C), 2)


def _leaves(out):
    """The arrays of a result: itself, or the items of a (named) tuple or list of them."""
    return [v for item in out for v in _leaves(item)] if isinstance(out, (tuple, list)) \
        else [out]


def _value(v):
    return v.value if isinstance(v, Tensor) else v


def _check(call, name):
    plain = call(lambda x: x)
    tracked = call(Tensor)
    assert not any(isinstance(v, Tensor) for v in _leaves(plain)), name
    if isinstance(tracked, Tensor):
        assert isinstance(plain, np.ndarray), (name, type(plain))
    else:  # a structure (slogdet's pair, qr's QRResult, split's list), a Tensor in it
        assert type(plain) is type(tracked), name
        assert any(isinstance(v, Tensor) for v in _leaves(tracked)), name
    for p, t in zip(_leaves(plain), _leaves(tracked), strict=True):
        np.testing.assert_array_equal(p, _value(t), err_msg=name)


@pytest.mark.parametrize("name", [n for n in numeric.all_ops() if n not in NUMPY_FORMS])
def test_records_on_plain_arrays_return_the_tensor_paths_values(name):
    op = numeric.get_op(name)
    case = standard_cases(op)[0]
    xs = sample_inputs(op, case, np.random.default_rng(3))
    _check(lambda wrap: op(wrap(xs[0]), *xs[1:], **case.params), name)


@pytest.mark.parametrize("name", sorted(NUMPY_FORMS))
def test_records_with_numpy_call_forms_return_plain_values_too(name):
    _check(NUMPY_FORMS[name], name)


def test_python_numbers_and_nested_tensors():
    assert isinstance(numeric.sigmoid(0.0), np.ndarray) and numeric.sigmoid(0.0) == 0.5
    # a Tensor inside a list argument keeps the Tensor path
    assert isinstance(numeric.stack([A, Tensor(B)]), Tensor)
    assert isinstance(numeric.stack([A, B]), np.ndarray)


def test_inside_grad_constants_stay_plain_and_inputs_stay_tensors():
    seen = []

    def f(t):
        c = numeric.logsumexp(A, axis=1)  # a constant: no Tensor argument
        seen.append(type(c))
        return (numeric.logsumexp(t, axis=1) * c).sum()

    g = numeric.grad(f)(B)
    assert seen == [np.ndarray]
    e = np.exp(B - numeric.logsumexp(B, axis=1)[:, None])  # softmax rows, times the constant
    np.testing.assert_allclose(g, e * numeric.logsumexp(A, axis=1)[:, None], rtol=1e-12)
