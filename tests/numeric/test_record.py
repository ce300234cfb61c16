"""The op record is the only declaration of an op: NumPy dispatch, Tensor methods and the
callable record all come from it, a user op gets them by ``register`` alone and loses them by
``unregister``, and each NumPy call form binds the way NumPy's own signature says.
"""

import numpy as np
import pytest
from numdiff_util import central_diff

import numeric
from numeric import Domain, Op, Tensor

X = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])


def _cbrt(name="user_cbrt2", **kw):
    return Op(name, np.cbrt, (lambda g, out, x: g / (3 * out * out),),
              domain=(Domain(0.3, 2.0),), doc="out = x ** (1/3)", **kw)


@pytest.fixture
def unregister():
    names = []
    yield names.append
    for name in names:
        if name in numeric.all_ops():
            numeric.unregister(name)


def test_a_registered_op_gets_numpy_dispatch_a_method_and_a_callable(unregister):
    op = numeric.register(_cbrt(numpy=(np.cbrt,), methods=("cbrt",)))
    unregister(op.name)
    x = Tensor([1.0, 8.0])
    for out in (np.cbrt(x), x.cbrt(), op(x), numeric.get_op("user_cbrt2")(x)):
        assert isinstance(out, Tensor) and out.op is op
    assert "x ** (1/3)" in Tensor.cbrt.__doc__
    x.cbrt().sum().backward()
    np.testing.assert_allclose(x.grad, central_diff(lambda v: np.cbrt(v).sum(), x.value))


def test_unregister_removes_dispatch_and_methods(unregister):
    numeric.register(_cbrt(numpy=(np.cbrt,), methods=("cbrt",)))
    numeric.unregister("user_cbrt2")
    assert not hasattr(Tensor, "cbrt")
    with pytest.raises(TypeError, match="numpy.cbrt is not supported on Tensor"):
        np.cbrt(Tensor([1.0]))


def test_a_later_record_wins_a_numpy_callable_and_unregistering_restores_the_first(unregister):
    twice = numeric.register(Op("user_exp", np.exp, (lambda g, out, x: 2 * g * out,),
                                numpy=(np.exp,)))
    unregister(twice.name)
    assert np.exp(Tensor([0.0])).op is twice
    numeric.unregister("user_exp")
    assert np.exp(Tensor([0.0])).op is numeric.get_op("exp")


def test_a_method_name_tensor_uses_itself_is_refused_and_nothing_is_registered():
    with pytest.raises(ValueError, match="'backward'.*Tensor already has"):
        numeric.register(_cbrt(methods=("backward",)))
    assert "user_cbrt2" not in numeric.all_ops()
    assert Tensor.backward.__name__ == "backward" and hasattr(Tensor, "maximum")


# NumPy's own signatures: each call on a Tensor must mean what it means on an array.
CALL_FORMS = {
    "np.max(x, 0, None, True): out is 3rd, keepdims 4th": lambda m, t: m.max(t, 0, None, True),
    "np.sum(x, 1, None, None, True)": lambda m, t: m.sum(t, 1, None, None, True),
    "np.var(x, 0, None, None, 1): ddof 5th": lambda m, t: m.var(t, 0, None, None, 1),
    "np.std(x, axis=(0, 1))": lambda m, t: m.std(t, axis=(0, 1)),
    "np.reshape(x, (3, 2))": lambda m, t: m.reshape(t, (3, 2)),
    "np.reshape(x, -1)": lambda m, t: m.reshape(t, -1),
    "np.transpose(x, (1, 0))": lambda m, t: m.transpose(t, (1, 0)),
    "np.swapaxes(x, 0, 1)": lambda m, t: m.swapaxes(t, 0, 1),
    "np.expand_dims(x, [0, 2])": lambda m, t: m.expand_dims(t, [0, 2]),
    "np.clip(x, -1, 1)": lambda m, t: m.clip(t, -1, 1),
    "np.clip(x, max=1.0)": lambda m, t: m.clip(t, max=1.0),
    "np.concatenate([x, x], 1)": lambda m, t: m.concatenate([t, t], 1),
    "np.stack((x, x), axis=-1)": lambda m, t: m.stack((t, t), axis=-1),
    "np.einsum('ij,kj->ik', x, x)": lambda m, t: m.einsum("ij,kj->ik", t, t),
    "np.trace(x, 1)": lambda m, t: m.trace(t, 1),
    "np.pad(x, 1, constant_values=2.0)": lambda m, t: m.pad(t, 1, constant_values=2.0),
    "np.linalg.norm(x, 'fro')": lambda m, t: m.linalg.norm(t, "fro"),
}


@pytest.mark.parametrize("name", CALL_FORMS)
def test_numpy_call_forms_bind_as_numpy_does(name):
    got = CALL_FORMS[name](np, Tensor(X))
    assert isinstance(got, Tensor), name
    np.testing.assert_array_equal(got.value, CALL_FORMS[name](np, X))


METHOD_FORMS = {
    "t.reshape(3, 2)": lambda t: t.reshape(3, 2),
    "t.reshape((3, 2))": lambda t: t.reshape((3, 2)),
    "t.transpose(1, 0)": lambda t: t.transpose(1, 0),
    "t.transpose()": lambda t: t.transpose(),
    "t.sum(1, keepdims=True)": lambda t: t.sum(1, keepdims=True),
    "t.max(axis=0)": lambda t: t.max(axis=0),
    "t.std(0, None, None, 1)": lambda t: t.std(0, None, None, 1),
    "t.clip(-1, 1)": lambda t: t.clip(-1, 1),
    "t.trace()": lambda t: t[:, :2].trace(),
}


@pytest.mark.parametrize("name", METHOD_FORMS)
def test_tensor_methods_bind_as_ndarray_methods_do(name):
    got = METHOD_FORMS[name](Tensor(X))
    np.testing.assert_array_equal(got.value, METHOD_FORMS[name](X))


REFUSED = {
    "np.sum(x, out=...)": (lambda t: np.sum(t, out=np.empty(())), r"numpy.sum on Tensor.*out="),
    "np.mean(x, dtype=float32)": (lambda t: np.mean(t, dtype=np.float32), r"numpy.mean.*dtype="),
    "np.max(x, initial=0)": (lambda t: np.max(t, initial=0.0), r"numpy.max.*initial="),
    "np.reshape(x, 6, order='F')": (lambda t: np.reshape(t, 6, order="F"), r"order='C'"),
    "np.pad(x, 1, mode='edge')": (lambda t: np.pad(t, 1, mode="edge"), r"mode='constant'"),
    "np.linalg.cholesky(x, upper=True)": (
        lambda t: np.linalg.cholesky(t[:, :2], upper=True), r"cholesky.*upper=False"),
    "np.dot(x, y, out=...)": (lambda t: np.dot(t, t.T, out=np.empty((2, 2))), r"numpy.dot.*out="),
    "t.sum(bogus=1)": (lambda t: t.sum(bogus=1), r"Tensor.sum: .*bogus"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_arguments_the_engine_does_not_take_are_refused_by_name(name):
    f, message = REFUSED[name]
    with pytest.raises(TypeError, match=message):
        f(Tensor(X))


def test_slogdet_returns_numpys_sign_beside_the_differentiable_log():
    a = np.array([[0.0, 2.0], [1.5, 0.5]])  # det = -3
    sign, logdet = np.linalg.slogdet(Tensor(a))
    assert sign == -1.0 and isinstance(logdet, Tensor)
    np.testing.assert_allclose(logdet.value, np.log(3.0))
