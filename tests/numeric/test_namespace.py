"""``numeric.numpy``: NumPy's namespace, Tensor-aware.

array/asarray of lists holding Tensors against NumPy's values and autograd's gradients; r_ and
c_ against NumPy's on the same keys; non-differentiable functions pass through as constants;
what is unsupported is refused by name; the namespace follows the op table and NumPy's own.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as onp
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import numeric
import numeric.numpy as nnp
from numeric import Tensor, dispatch
from numeric.numpy import lists

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")

floats = st.floats(-2.0, 2.0)


# ---------------------------------------------------------------------------------------------
# array / asarray
# ---------------------------------------------------------------------------------------------
def nested(np, x):
    """A (2, 2, n) array built from a list mixing Tensors, numbers, arrays and lists."""
    n = x.shape[0]
    return np.array([[x, x * x], [onp.linspace(0.0, 1.0, n), [2.0] * n]])


@given(x=st.integers(1, 4).flatmap(lambda n: arrays(onp.float64, (n,), elements=floats)),
       w=st.integers(0, 2 ** 31))
def test_array_of_a_nested_list_matches_numpy_and_autograd(x, w):
    weights = onp.random.default_rng(w).normal(size=(2, 2, x.shape[0]))
    got = nested(nnp, Tensor(x))
    onp.testing.assert_array_equal(got.value, nested(onp, x))
    g = numeric.grad(lambda x: nnp.sum(nested(nnp, x) * weights))(x)
    want = autograd.grad(lambda x: anp.sum(nested(anp, x) * weights))(x)
    onp.testing.assert_allclose(g, want, rtol=1e-14)


def test_array_of_scalar_tensors_and_second_order():
    def f(np, s):
        m = np.array([[s, 1.0], [0.5, s * s]])
        return np.sum(np.dot(m, m) * onp.array([[1.0, 2.0], [3.0, 4.0]]))

    for order in (1, 2, 3):
        ours, theirs = (lambda s: f(nnp, s)), (lambda s: f(anp, s))
        for _ in range(order):
            ours, theirs = numeric.grad(ours), autograd.grad(theirs)
        onp.testing.assert_allclose(ours(0.7), theirs(0.7), rtol=1e-13)


def test_array_options():
    t = Tensor([1.5, -2.5])
    assert nnp.array(t) is t and nnp.asarray(t) is t
    assert nnp.array([t, t], ndmin=3).shape == (1, 2, 2)
    with pytest.raises(TypeError, match="astype"):  # the astype record's refusal: it would
        nnp.array([t, t], dtype=int)                # cut the gradient
    ints = nnp.array([t.detach(), t.detach()], dtype=int)  # constants cast as in NumPy
    onp.testing.assert_array_equal(ints.value, onp.array([[1.5, -2.5]] * 2).astype(int))
    assert ints.dtype == int
    f32 = nnp.array([t, [0.0, 1.0]], dtype=onp.float32)
    assert isinstance(f32, Tensor) and f32.dtype == onp.float32
    g = numeric.grad(lambda t: nnp.sum(nnp.array([t, 2 * t], dtype=onp.float32)))(t.value)
    onp.testing.assert_array_equal(g, [3.0, 3.0])
    with pytest.raises(TypeError, match="does not take order"):
        nnp.array([t], order="F")
    with pytest.raises(ValueError, match="different shapes"):
        nnp.array([t, [1.0, 2.0, 3.0]])
    plain = nnp.array([[1, 2], [3, 4]], dtype=onp.float32)  # no Tensor: NumPy's own
    assert type(plain) is onp.ndarray and plain.dtype == onp.float32


def test_plain_numpy_array_of_tensors_stays_refused():
    t = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="would drop its gradient"):
        onp.array([t, t])
    with pytest.raises(TypeError, match="would drop their gradients"):
        Tensor([t, t])


# ---------------------------------------------------------------------------------------------
# r_ and c_
# ---------------------------------------------------------------------------------------------
KEYS = {  # each key built from (a, b, s): two vectors and a scalar
    "r_ vectors and scalars": lambda np, a, b, s: np.r_[a, s, b, 3.0],
    "r_ with a slice": lambda np, a, b, s: np.r_[a, 0:3, b],
    "r_ with a complex-step slice": lambda np, a, b, s: np.r_[-1:1:4j, a],
    "r_ '0,2' directive": lambda np, a, b, s: np.r_["0,2", a, b],
    "r_ '1,2,0' directive": lambda np, a, b, s: np.r_["1,2,0", a, b],
    "r_ '-1' on matrices": lambda np, a, b, s: np.r_["-1", np.outer(a, b), np.outer(b, a)],
    "c_ vectors": lambda np, a, b, s: np.c_[a, b, a * b],
    "c_ matrix and vector": lambda np, a, b, s: np.c_[np.outer(a, b), a],
}


@pytest.mark.parametrize("key", KEYS)
def test_r_and_c_match_numpy_and_differentiate(key):
    rng = onp.random.default_rng(11)
    a, b, s = rng.normal(size=3), rng.normal(size=3), 0.7
    build = KEYS[key]
    want = build(onp, a, b, s)
    got = build(nnp, Tensor(a), Tensor(b), Tensor(s))
    assert isinstance(got, Tensor) and got.dtype == want.dtype
    onp.testing.assert_array_equal(got.value, want)
    weights = rng.normal(size=want.shape)
    g = numeric.grad(lambda a, b: nnp.sum(build(nnp, a, b, s) * weights), (0, 1))(a, b)
    eps = 1e-6  # central differences, the function being linear in a and b: exact up to rounding
    for i, x in enumerate((a, b)):
        for j in range(3):
            d = onp.zeros(3)
            d[j] = eps
            args_p = [a, b]
            args_m = [a, b]
            args_p[i], args_m[i] = x + d, x - d
            fd = (onp.sum(build(onp, *args_p, s) * weights)
                  - onp.sum(build(onp, *args_m, s) * weights)) / (2 * eps)
            assert g[i][j] == pytest.approx(fd, rel=1e-7, abs=1e-9)


def test_r_and_c_without_tensors_are_numpys():
    assert nnp.r_[1:4, 7] .tolist() == onp.r_[1:4, 7].tolist()
    assert nnp.c_[[1, 2], [3, 4]].tolist() == onp.c_[[1, 2], [3, 4]].tolist()
    with pytest.raises(TypeError, match="matrix"):
        nnp.r_["r", Tensor([1.0])]
    with pytest.raises(ValueError, match="first entry"):
        nnp.r_[Tensor([1.0]), "0,2"]


# ---------------------------------------------------------------------------------------------
# Non-differentiable functions pass through; unsupported ones are refused by name
# ---------------------------------------------------------------------------------------------
X = onp.array([[0.5, -1.5, 2.5], [0.0, 1.0, -0.5]])
CONSTANT_CALLS = {
    "argmax": lambda np, x: np.argmax(x, axis=1),
    "argsort": lambda np, x: np.argsort(x),
    "argwhere": lambda np, x: np.argwhere(x > 0),
    "where, one argument": lambda np, x: np.where(x)[1],
    "nonzero": lambda np, x: np.nonzero(x)[0],
    "flatnonzero": lambda np, x: np.flatnonzero(x),
    "shape": lambda np, x: np.shape(x),
    "ndim": lambda np, x: np.ndim(x),
    "comparison": lambda np, x: np.greater(x, 0.2),
    "floor": lambda np, x: np.floor(x),
    "ceil": lambda np, x: np.ceil(x),
    "round": lambda np, x: np.round(x, 1),
    "around": lambda np, x: np.around(x),
    "rint": lambda np, x: np.rint(x),
    "fix": lambda np, x: np.fix(x),
    "floor_divide": lambda np, x: np.floor_divide(x, 0.3),
    "isnan": lambda np, x: np.isnan(x),
    "isfinite": lambda np, x: np.isfinite(x),
    "isclose": lambda np, x: np.isclose(x, 0.5),
    "unique": lambda np, x: np.unique(x),
    "searchsorted": lambda np, x: np.searchsorted(x[0], 0.7),
    "digitize": lambda np, x: np.digitize(x, [0.0, 1.0]),
    "histogram counts": lambda np, x: np.histogram(x, bins=3, range=(-2, 3))[0],
    "any": lambda np, x: np.any(x > 2, axis=0),
    "all": lambda np, x: np.all(x > -2),
    "logical_and": lambda np, x: np.logical_and(x > 0, x < 1),
    "logical_or.reduce": lambda np, x: np.logical_or.reduce(np.greater(x, 1), axis=0),
    "count_nonzero": lambda np, x: np.count_nonzero(x),
    "isin": lambda np, x: np.isin(x, [0.5, 1.0]),
    "zeros_like": lambda np, x: np.zeros_like(x),
    "full_like, constant fill": lambda np, x: np.full_like(x, 3.0),
}


@pytest.mark.parametrize("name", CONSTANT_CALLS)
@pytest.mark.parametrize("namespace", [onp, nnp], ids=["numpy", "numeric.numpy"])
def test_non_differentiable_functions_pass_through_as_constants(name, namespace):
    got = CONSTANT_CALLS[name](namespace, Tensor(X))
    want = CONSTANT_CALLS[name](onp, X)
    assert not isinstance(got, Tensor)
    onp.testing.assert_array_equal(got, want)


def test_pass_through_inside_grad_leaves_the_gradient_to_the_differentiable_part():
    def f(np, x):  # a leaky relu with NumPy's piecewise helpers
        k = np.argmax(x)
        return np.sum(np.where(x > 0, x, 0.1 * x)) * np.floor(2.5) + x[k]

    x = onp.array([0.3, -1.2, 2.0, -0.1])
    onp.testing.assert_allclose(numeric.grad(lambda x: f(nnp, x))(x),
                                autograd.grad(lambda x: f(anp, x))(x), rtol=1e-15)


def test_creation_functions_read_tensor_sizes_and_full_differentiates_its_fill():
    n = Tensor(3, requires_grad=False)
    assert nnp.zeros(n).shape == (3,) and nnp.ones((n, 2)).shape == (3, 2)
    assert nnp.eye(n).shape == (3, 3) and nnp.arange(n).tolist() == [0, 1, 2]
    g = numeric.grad(lambda s: nnp.sum(nnp.full((2, 3), s) * onp.arange(6.0).reshape(2, 3)))(0.5)
    assert float(g) == 15.0  # d/ds sum(s * w) = sum(w)
    assert type(nnp.full(2, 1.0)) is onp.ndarray


def test_a_tracked_value_given_to_a_constant_function_is_refused():
    t = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=r"numpy.full_like.*'fill_value'"):
        onp.full_like(t, t[0])
    with pytest.raises(TypeError, match=r"numpy.histogram.*'weights'"):
        onp.histogram(t.value, weights=t)


def test_unsupported_functions_raise_a_type_error_naming_them():
    t = Tensor(X)
    candidates = {onp.fft.fft: ("numpy.fft.fft", 1), onp.i0: ("numpy.i0", 1),
                  onp.polyval: ("numpy.polyval", 2), onp.nancumsum: ("numpy.nancumsum", 1),
                  onp.interp: ("numpy.interp", 3)}
    checked = 0
    for func, (name, nargs) in candidates.items():
        if func in dispatch._FUNCTIONS or func in dispatch._CONSTANT_FUNCTIONS:
            continue  # an op record was added for it: then it is supported
        with pytest.raises(TypeError, match=f"{name} is not supported on Tensor"):
            func(*[t] * nargs)
        checked += 1
    assert checked >= 1
    with pytest.raises(TypeError, match="numpy.spacing is not supported on Tensor"):
        onp.spacing(t)


# ---------------------------------------------------------------------------------------------
# The namespace: NumPy's, following the op table
# ---------------------------------------------------------------------------------------------
OWN = {"array", "asarray", "asanyarray", "ascontiguousarray", "r_", "c_", "full", "zeros",
       "ones", "empty", "eye", "identity", "arange", "tri", "linalg", "random", "fft",
       *lists.__all__}  # reductions and scans that also take lists of Tensors


def test_every_numpy_name_is_numpys_own_object_or_a_tensor_aware_one():
    for name in dir(onp):
        if name.startswith("_") or name in OWN:
            continue
        assert getattr(nnp, name) is getattr(onp, name), name
    for name in OWN - {"linalg", "random", "fft"}:
        assert getattr(nnp, name) is not getattr(onp, name, None), name
    for sub in ("linalg", "random", "fft"):
        assert getattr(nnp, sub).__name__ == f"numeric.numpy.{sub}"  # ours, loaded
        for name in getattr(onp, sub).__all__:
            if sub == "linalg" and name in lists.__all__:
                continue
            assert getattr(getattr(nnp, sub), name) is getattr(getattr(onp, sub), name), name


def test_a_new_op_record_is_picked_up_without_edits():
    x = onp.array([0.4, 1.7])
    if onp.cbrt not in dispatch._UFUNCS:  # (unless the table has gained a cbrt record)
        with pytest.raises(TypeError, match="numpy.cbrt is not supported"):
            nnp.cbrt(Tensor(x))
    numeric.register(numeric.Op("cbrt_test", onp.cbrt, (lambda g, out, x: g / (3 * out * out),),
                                domain=(numeric.Domain(0.3, 2.0),), numpy=(onp.cbrt,)))
    try:
        onp.testing.assert_allclose(numeric.grad(lambda x: nnp.sum(nnp.cbrt(x)))(x),
                                    x ** (-2 / 3) / 3, rtol=1e-14)
    finally:
        numeric.unregister("cbrt_test")


def test_linalg_and_random_work_as_in_numpy():
    a = onp.array([[2.0, 0.5], [0.5, 1.0]])
    g = numeric.grad(lambda a: nnp.linalg.det(a))(a)
    onp.testing.assert_allclose(g, autograd.grad(lambda a: anp.linalg.det(a))(a), rtol=1e-14)
    assert nnp.random.RandomState(0).normal() == onp.random.RandomState(0).normal()


def test_importing_the_namespace_loads_no_heavy_module():
    code = ("import sys, numeric.numpy; bad = [m for m in ('sympy', 'hypothesis', 'derive', "
            "'verify', 'autograd', 'scipy') if m in sys.modules]; print(bad); "
            "sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    code = "import sys, numeric; sys.exit(1 if 'numeric.numpy' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
