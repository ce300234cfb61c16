"""Tensor: Python operators (reflected forms included), indexing, NumPy dispatch to the op table,
clear errors for unsupported NumPy calls and for shapes that do not fit, and array-like behaviour.
Expected gradients are closed forms or central differences.
"""

import numpy as np
import pytest
from numdiff_util import central_diff

import numeric
from numeric import Tensor

X = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])
Y = np.array([1.1, 0.6, 1.7])


def grads(f, *arrays):
    """Leaf gradients of sum(f(*tensors))."""
    ts = [Tensor(a) for a in arrays]
    f(*ts).sum().backward()
    return [t.grad for t in ts]


def fd(f, arrays, i):
    """Central differences of sum(f(*arrays)) in argument i."""
    def fi(v):
        args = list(arrays)
        args[i] = v
        return float(np.sum(f(*args)))
    return central_diff(fi, arrays[i])


# ---------------------------------------------------------------------------------------------
# Operators
# ---------------------------------------------------------------------------------------------
BINARY = {
    "x + y": lambda x, y: x + y,
    "x - y": lambda x, y: x - y,
    "x * y": lambda x, y: x * y,
    "x / y": lambda x, y: x / y,
    "x ** y (Tensor exponent)": lambda x, y: abs(x) ** y,
    "x @ y": lambda x, y: x @ y,
    "-x * y": lambda x, y: -x * y,
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_operators_match_central_differences(name):
    f = BINARY[name]
    got = grads(f, X, Y)
    for i in range(2):
        np.testing.assert_allclose(got[i], fd(f, [X, Y], i), rtol=1e-6, atol=1e-8,
                                   err_msg=f"{name}: input {i}")


REFLECTED = {
    "2 + t": (lambda t: 2 + t, lambda v: np.ones_like(v)),
    "2 - t": (lambda t: 2 - t, lambda v: -np.ones_like(v)),
    "2 * t": (lambda t: 2 * t, lambda v: np.full_like(v, 2.0)),
    "2 / t": (lambda t: 2 / t, lambda v: -2 / v ** 2),
    "2 ** t": (lambda t: 2 ** t, lambda v: np.log(2) * 2 ** v),
    "t ** 2": (lambda t: t ** 2, lambda v: 2 * v),
    "t ** 0.5": (lambda t: t ** 0.5, lambda v: 0.5 / np.sqrt(v)),
    "a @ t": (lambda t: np.array([[1.0, 2.0, 3.0]]) @ t,
              lambda v: np.broadcast_to([1.0, 2.0, 3.0], v.shape)),
    "-t": (lambda t: -t, lambda v: -np.ones_like(v)),
    "abs(t)": (lambda t: abs(t), np.sign),
}


@pytest.mark.parametrize("name", sorted(REFLECTED))
def test_reflected_and_unary_operators(name):
    f, df = REFLECTED[name]
    v = np.array([0.5, 1.5, 2.5])
    t = Tensor(v)
    out = f(t)
    assert isinstance(out, Tensor), f"{name} returned {type(out).__name__}"
    out.sum().backward()
    np.testing.assert_allclose(t.grad, df(v), rtol=1e-14)


def test_ndarray_on_the_left_gives_a_tensor():
    a = np.array([1.0, 2.0])
    t = Tensor([3.0, 4.0])
    for out in (a + t, a - t, a * t, a / t, a ** t, a @ t):
        assert isinstance(out, Tensor)


def test_matmul_four_notebook_cases_and_batches():
    rng = np.random.default_rng(5)
    for sa, sb in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                   ((2, 1, 2, 3), (3, 3, 2)), ((2, 2, 3), (3,)), ((3,), (2, 3, 4))]:
        a, b = rng.normal(size=sa), rng.normal(size=sb)
        ga, gb = grads(lambda x, y: x @ y, a, b)
        f = np.matmul
        np.testing.assert_allclose(ga, fd(f, [a, b], 0), rtol=1e-6, atol=1e-8, err_msg=str(sa))
        np.testing.assert_allclose(gb, fd(f, [a, b], 1), rtol=1e-6, atol=1e-8, err_msg=str(sb))


# ---------------------------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------------------------
def _counts(shape, index):
    """How often each entry of an array of ``shape`` is read by ``index`` (by enumeration)."""
    ids = np.arange(int(np.prod(shape))).reshape(shape)
    picked = np.asarray(ids[index]).reshape(-1)
    counts = np.zeros(int(np.prod(shape)))
    for k in picked:
        counts[k] += 1
    return counts.reshape(shape)


INDICES = {
    "int": 1,
    "negative int": -1,
    "slice": slice(0, 2),
    "negative step": (slice(None), slice(None, None, -2)),
    "repeated integer array": np.array([0, 1, 0, 0]),
    "list": [1, 1, 0],
    "ellipsis": (Ellipsis, 2),
    "paired integer arrays": (np.array([0, 1, 0]), np.array([2, 2, 2])),
    "boolean mask": X > 0,
}


@pytest.mark.parametrize("name", sorted(INDICES))
def test_indexing_gradient_counts_each_read(name):
    index = INDICES[name]
    t = Tensor(X)
    out = t[index]
    np.testing.assert_array_equal(out.value, X[index])
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, _counts(X.shape, index))


def test_indexing_with_a_tensor_index_uses_its_value():
    t = Tensor(Y)
    t[Tensor(np.array([2, 2]), requires_grad=False)].sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 0.0, 2.0])


def test_iterating_a_tensor_yields_differentiable_rows():
    t = Tensor(X)
    total = sum(row.sum() * k for k, row in enumerate(t, start=1))
    total.backward()
    np.testing.assert_array_equal(t.grad, [[1.0] * 3, [2.0] * 3])


# ---------------------------------------------------------------------------------------------
# Shape methods
# ---------------------------------------------------------------------------------------------
def test_shape_methods_route_the_gradient_back():
    w = np.arange(6.0).reshape(2, 3)
    for f in (lambda t: t.T, lambda t: t.transpose(), lambda t: t.transpose(1, 0),
              lambda t: t.reshape(3, 2), lambda t: t.reshape((6,)), lambda t: t.reshape(-1, 1),
              lambda t: t.swapaxes(0, 1)):
        t = Tensor(X)
        out = f(t)
        (out * np.reshape(w, out.shape) if out.size == 6 else out).sum().backward()
        def plain(v, f=f):
            out = f(Tensor(v, requires_grad=False)).value
            return float(np.sum(out * np.reshape(w, out.shape)))

        want = central_diff(plain, X)
        np.testing.assert_allclose(t.grad, want, rtol=1e-7, atol=1e-9)


def test_sum_and_mean_axes():
    for kw in ({}, {"axis": 0}, {"axis": -1}, {"axis": (0, 1)}, {"axis": 1, "keepdims": True},
               {"axis": [0]}):
        for name in ("sum", "mean"):
            t = Tensor(X)
            getattr(t, name)(**kw).sum().backward()
            n = X.size if kw.get("axis") in (None, (0, 1)) else X.shape[_first(kw["axis"])]
            want = np.ones_like(X) / (n if name == "mean" else 1)
            np.testing.assert_allclose(t.grad, want, rtol=1e-15, err_msg=f"{name} {kw}")


def _first(axis):
    return axis[0] if isinstance(axis, (tuple, list)) else axis


# ---------------------------------------------------------------------------------------------
# NumPy dispatch
# ---------------------------------------------------------------------------------------------
DISPATCH = {
    "np.exp": (lambda m, t: m.exp(t), np.exp),
    "np.log": (lambda m, t: m.log(m.abs(t) + 1), lambda v: 1 / (np.abs(v) + 1) * np.sign(v)),
    "np.sqrt": (lambda m, t: m.sqrt(t * t + 1), lambda v: v / np.sqrt(v * v + 1)),
    "np.tanh": (lambda m, t: m.tanh(t), lambda v: 1 - np.tanh(v) ** 2),
    "np.sum(axis=0)": (lambda m, t: m.sum(t, axis=0), np.ones_like),
    "np.mean(axis=1)": (lambda m, t: m.mean(t, axis=1), lambda v: np.full_like(v, 1 / 3)),
    "np.matmul(a, t)": (lambda m, t: m.matmul(np.ones((4, 2)), t), lambda v: np.full_like(v, 4.0)),
    "np.maximum(t, 0)": (lambda m, t: m.maximum(t, 0), lambda v: (v > 0) * 1.0),
    "np.minimum(t, 0)": (lambda m, t: m.minimum(t, 0), lambda v: (v < 0) * 1.0),
    "np.where": (lambda m, t: m.where(np.asarray(X > 0), t, -t),
                 lambda v: np.where(X > 0, 1.0, -1.0)),
    "np.reshape": (lambda m, t: m.reshape(t, (3, 2)), np.ones_like),
    "np.transpose": (lambda m, t: m.transpose(t), np.ones_like),
    "np.add": (lambda m, t: m.add(t, t), lambda v: np.full_like(v, 2.0)),
    "np.multiply": (lambda m, t: m.multiply(t, t), lambda v: 2 * v),
    "np.negative": (lambda m, t: m.negative(t), lambda v: -np.ones_like(v)),
    "np.abs": (lambda m, t: m.abs(t), np.sign),
    "np.power": (lambda m, t: m.power(t, 2), lambda v: 2 * v),
    "np.divide": (lambda m, t: m.divide(1.0, t), lambda v: -1 / v ** 2),
}


@pytest.mark.parametrize("name", sorted(DISPATCH))
def test_numpy_functions_on_tensors_dispatch_to_the_engine(name):
    f, df = DISPATCH[name]
    t = Tensor(X)
    out = f(np, t)
    assert isinstance(out, Tensor), f"{name} gave {type(out).__name__}"
    np.testing.assert_allclose(out.value, f(np, X), rtol=1e-15)
    out.sum().backward()
    np.testing.assert_allclose(t.grad, df(X), rtol=1e-14, atol=1e-15)


def test_plain_numpy_code_gets_gradients():
    def loss(w, x):
        h = np.maximum(x @ w, 0.0)
        return np.mean(np.sum(h * h, axis=1))

    rng = np.random.default_rng(2)
    w, x = rng.normal(size=(3, 4)), rng.normal(size=(5, 3))
    got = numeric.grad(loss)(w, x)
    np.testing.assert_allclose(got, central_diff(lambda v: float(loss(v, x)), w), rtol=1e-6,
                               atol=1e-8)


def test_non_differentiable_numpy_calls_give_constants():
    t = Tensor(X)
    assert np.shape(t) == X.shape and np.ndim(t) == 2
    mask = np.greater(t, 0)
    assert isinstance(mask, np.ndarray) and mask.dtype == bool
    np.testing.assert_array_equal(np.argmax(t, axis=1), np.argmax(X, axis=1))


def test_converting_a_tracked_tensor_to_an_array_is_refused_not_silently_detached():
    t = Tensor(X)
    with pytest.raises(TypeError, match="drop its gradient"):
        np.asarray(t)
    with pytest.raises(TypeError, match="numeric.stack"):
        Tensor([t[0], t[1]])
    np.testing.assert_array_equal(np.asarray(t.detach()), X)
    with numeric.no_grad():
        np.testing.assert_array_equal(np.asarray(t), X)


def test_float_of_a_tracked_tensor_is_refused_not_silently_a_constant():
    # float(x) * x would otherwise differentiate as c * x: 3 at x = 3, not 6
    with pytest.raises(TypeError, match="Python float would drop its gradient"):
        numeric.grad(lambda x: float(x) * x)(3.0)
    assert numeric.grad(lambda x: x.item() * x)(3.0) == 3.0  # explicit: the numbers, a constant
    with numeric.no_grad():
        assert float(Tensor(2.5)) == 2.5


def test_an_unsupported_numpy_function_is_a_type_error_naming_it():
    t = Tensor(X)
    with pytest.raises(TypeError, match="unwrap"):
        np.unwrap(t)
    with pytest.raises(TypeError, match="spacing"):
        np.spacing(t)
    with pytest.raises(TypeError, match=r"add\.reduce"):
        np.add.reduce(t)
    with pytest.raises(TypeError, match="out"):
        np.exp(t, out=np.empty_like(X))


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("f, op, shapes", [
    (lambda: Tensor(np.ones((2, 3))) + Tensor(np.ones(4)), "add", ["(2, 3)", "(4,)"]),
    (lambda: Tensor(np.ones((2, 3))) * np.ones((3, 2)), "multiply", ["(2, 3)", "(3, 2)"]),
    (lambda: np.maximum(Tensor(np.ones(2)), np.ones(3)), "maximum", ["(2,)", "(3,)"]),
    (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 2))), "matmul", ["(2, 3)", "(4, 2)"]),
    (lambda: Tensor(np.ones(3)) @ np.ones(4), "matmul", ["(3,)", "(4,)"]),
    (lambda: Tensor(np.ones((2, 2, 3))) @ np.ones((3, 3, 2)), "matmul", ["(2, 2, 3)", "(3, 3, 2)"]),
])
def test_shapes_that_do_not_fit_raise_value_error_naming_op_and_shapes(f, op, shapes):
    with pytest.raises(ValueError) as info:
        f()
    text = str(info.value)
    assert op in text and all(s in text for s in shapes), text


def test_numpy_nan_behaviour_is_kept():
    t = Tensor([-1.0, 4.0])
    with np.errstate(invalid="ignore"):
        out = np.log(t)
    assert np.isnan(out.value[0]) and out.value[1] == np.log(4.0)


# ---------------------------------------------------------------------------------------------
# Array-like behaviour
# ---------------------------------------------------------------------------------------------
def test_array_like_attributes_and_conversions():
    t = Tensor(X)
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and t.dtype == np.float64
    assert len(t) == 2 and t.is_leaf and t.requires_grad
    assert float(Tensor(2.5, requires_grad=False)) == 2.5 and Tensor([[7.0]]).item() == 7.0
    assert Tensor(t).value is t.value
    d = (t * 2).detach()
    assert d.is_leaf and not d.requires_grad
    assert "requires_grad=True" in repr(t) and "op=multiply" in repr(t * 2)


def test_comparisons_return_plain_boolean_arrays():
    t = Tensor([1.0, 2.0, 3.0])
    for out in (t < 2, t <= 2, t > 2, t >= 2, t == 2, t != 2):
        assert isinstance(out, np.ndarray) and out.dtype == bool
    assert bool(Tensor(1.0))


def test_float32_stays_float32():
    t = Tensor(np.array([1.0, 2.0], dtype=np.float32))
    out = (t * 2.5 + 1) / 3
    assert out.dtype == np.float32
    out.sum().backward()
    assert t.grad.dtype == np.float32
