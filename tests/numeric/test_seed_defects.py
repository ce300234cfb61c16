"""The seed notebook's defects, each shown on its transcription (``tests/seed_notebook.py``) and
shown fixed in ``numeric``; and the seed's own examples, which numeric reproduces.

Every "seed" assertion below documents the seed's wrong behaviour; the paired numeric assertion
is the right answer, computed by hand or by central differences — never by the engine itself.
"""

import sys
import warnings

import numpy as np
import pytest
import seed_notebook as seed
from numdiff_util import central_diff, count_vjp_calls

import numeric
from numeric import Tensor


# ---------------------------------------------------------------------------------------------
# The seed's examples reproduce
# ---------------------------------------------------------------------------------------------
def test_seed_example_sum_of_a_vector():
    assert seed.Tensor([1, 2]).sum().value == 3
    t = Tensor([1, 2]).sum()
    assert t.value == 3 and t.op.name == "sum"
    assert "op=sum" in repr(t)


def f_T(x):  # noqa: N802 - the notebook's name
    b = [1, 0]
    return (x @ b) * (-x * x).sum(axis=-1).exp()


def test_seed_example_f_T_gradient_at_1_2():
    xT = Tensor([1, 2])
    out = f_T(xT)
    out.backward(1)
    # The notebook's printed result, and the closed form: f = x0 exp(-|x|^2), so
    # df/dx0 = (1 - 2 x0^2) e^-5 and df/dx1 = -2 x0 x1 e^-5 at x = (1, 2).
    np.testing.assert_allclose(xT.grad, [-0.00673795, -0.02695179], atol=5e-9)
    np.testing.assert_allclose(xT.grad, [-np.exp(-5), -4 * np.exp(-5)], rtol=1e-12)
    s = seed.Tensor([1, 2])
    f_T(s).backward(1)
    np.testing.assert_allclose(xT.grad, s.grad, rtol=1e-12)  # the seed gets this one right


def test_seed_example_f_T_against_central_differences_at_random_points():
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.random(2)
        xT = Tensor(x)
        f_T(xT).backward()
        want = central_diff(lambda v: float(v[0] * np.exp(-(v * v).sum())), x)
        np.testing.assert_allclose(xT.grad, want, rtol=1e-7, atol=1e-9)


def test_seed_example_relu_of_affine():
    x = Tensor([[1.0, 2.0], [2.0, -1.0]])
    y = (x * 2 - 1).maximum(0).sum(axis=-1)
    np.testing.assert_array_equal(y.value, [4.0, 3.0])
    y.backward(np.ones_like(y.value))
    np.testing.assert_array_equal(x.grad, [[2.0, 2.0], [2.0, 0.0]])


# ---------------------------------------------------------------------------------------------
# Defect 1: x ** 2 for x <= 0 (the seed computes exp(2 log x): nan)
# ---------------------------------------------------------------------------------------------
def test_power_of_non_positive_base():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        s = seed.Tensor([-1.0, 0.0, 2.0])
        sy = s ** 2
        sy.backward(np.ones(3))
    assert np.isnan(sy.value[0]), "seed: (-1) ** 2 is nan"
    assert not np.all(np.isfinite(s.grad)), "seed: the gradient at 0 or below is not finite"

    x = Tensor([-1.0, 0.0, 2.0])
    y = x ** 2
    np.testing.assert_array_equal(y.value, [1.0, 0.0, 4.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [-2.0, 0.0, 4.0])


def test_power_with_integer_exponents_on_negative_bases():
    x = Tensor([-2.0, -0.5, 3.0])
    (x ** 3).sum().backward()
    np.testing.assert_allclose(x.grad, 3 * np.array([-2.0, -0.5, 3.0]) ** 2, rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# Defect 2: `/` under Python 3 (the seed defines only __div__)
# ---------------------------------------------------------------------------------------------
def test_true_division():
    with pytest.raises(TypeError):
        seed.Tensor([1.0, 2.0]) / 2
    x = Tensor([1.0, 2.0])
    y = Tensor([4.0, -0.5])
    (x / y + 2 / x + y / 2).sum().backward()
    xv, yv = np.array([1.0, 2.0]), np.array([4.0, -0.5])
    np.testing.assert_allclose(x.grad, 1 / yv - 2 / xv ** 2, rtol=1e-15)
    np.testing.assert_allclose(y.grad, -xv / yv ** 2 + 0.5, rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# Defect 3: unbroadcast of complex gradients (the seed calls g.real(), an attribute)
# ---------------------------------------------------------------------------------------------
def test_unbroadcast_of_a_complex_gradient():
    g = np.array([[1 + 2j, 3 - 1j], [0.5j, 2.0 + 0j]])
    with pytest.raises(TypeError, match="not callable"):
        seed.unbroadcast(np.float64(1.0), g)
    got = numeric.unbroadcast(g, (), np.float64)
    assert got == pytest.approx(6.0) and not np.iscomplexobj(got)
    x = Tensor([1.0, 2.0])
    (x * 3).backward(np.array([1 + 1j, 2j]))
    np.testing.assert_array_equal(x.grad, [3.0, 0.0])


# ---------------------------------------------------------------------------------------------
# Defect 4: matmul VJP with a batched operand against a 1-D one (the seed raises)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shapes", [((2, 2, 3), (3,)), ((3,), (2, 3, 4))],
                         ids=["batched @ vector", "vector @ batched"])
def test_matmul_batched_against_1d(shapes):
    rng = np.random.default_rng(3)
    a, b = (rng.normal(size=s) for s in shapes)
    sa, sb = seed.Tensor(a), seed.Tensor(b)
    out = sa @ sb
    with pytest.raises(ValueError):
        out.backward(np.ones(out.shape))

    g = rng.normal(size=np.matmul(a, b).shape)
    ta, tb = Tensor(a), Tensor(b)
    (ta @ tb).backward(g)
    want_a = central_diff(lambda v: float(np.sum(np.matmul(v, b) * g)), a)
    want_b = central_diff(lambda v: float(np.sum(np.matmul(a, v) * g)), b)
    np.testing.assert_allclose(ta.grad, want_a, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(tb.grad, want_b, rtol=1e-7, atol=1e-8)


# ---------------------------------------------------------------------------------------------
# Defect 5: sum(axis=..., keepdims=True) (the seed adds the kept axis a second time)
# ---------------------------------------------------------------------------------------------
def test_sum_keepdims_gradient():
    x = np.arange(6.0).reshape(2, 3)
    g = np.array([[1.0], [10.0]])
    want = np.array([[1.0, 1.0, 1.0], [10.0, 10.0, 10.0]])  # each entry feeds its row's sum
    (seed_dx,) = seed.sum_vjp(g, x, axis=1, keepdims=True)
    assert not np.array_equal(seed_dx, want), "seed: rows mixed up"

    t = Tensor(x)
    t.sum(axis=1, keepdims=True).backward(g)
    np.testing.assert_array_equal(t.grad, want)
    t2 = Tensor(x)
    np.sum(t2, axis=(0, -1), keepdims=True).backward(np.array([[2.0]]))
    np.testing.assert_array_equal(t2.grad, np.full((2, 3), 2.0))


# ---------------------------------------------------------------------------------------------
# Defect 6: recursive backward — RecursionError, and exponential time on shared subgraphs
# ---------------------------------------------------------------------------------------------
def test_long_chain():
    n = max(2000, sys.getrecursionlimit() + 100)
    s = seed.Tensor(1.0)
    y = s
    for _ in range(n):
        y = y + 1.0
    with pytest.raises(RecursionError):
        y.backward(1.0)

    x = Tensor(1.0)
    y = x
    for _ in range(n):
        y = y + 1.0
    y.backward()
    assert float(x.grad) == 1.0


def test_100_000_op_chain_backpropagates():
    x = Tensor(np.array([0.5, -1.0]))
    y = x
    for _ in range(50_000):
        y = y * 1.0
        y = y + 0.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def _shared_dag(x, steps):
    y = x
    for _ in range(steps):
        y = y * 0.5 + y * 0.5
    return y


def _seed_calls(steps):
    counts = {"mul": 0, "add": 0}

    def counted(op, key):
        def vjp(*args, **kw):
            counts[key] += 1
            return op.vjp(*args, **kw)
        return op._replace(vjp=vjp)

    saved = seed.mul, seed.add
    seed.mul, seed.add = counted(seed.mul, "mul"), counted(seed.add, "add")
    try:
        x = seed.Tensor(1.0)
        _shared_dag(x, steps).backward(1.0)
    finally:
        seed.mul, seed.add = saved
    return counts["mul"] + counts["add"], float(x.grad)


def test_shared_dag_calls_each_vjp_once():
    # The seed walks every path: its VJP calls double with each step (2 ** steps paths).
    calls = [_seed_calls(steps)[0] for steps in (8, 9, 10)]
    assert calls[1] >= 2 * calls[0] - 2 and calls[2] >= 2 * calls[1] - 2, calls
    assert _seed_calls(10)[1] == 1.0

    with count_vjp_calls("multiply", "add") as counts:
        x = Tensor(1.0)
        _shared_dag(x, 30).backward()
    assert float(x.grad) == 1.0
    assert counts == {"multiply": 60, "add": 60}, counts  # one call per differentiated input


# ---------------------------------------------------------------------------------------------
# Defect 7: draw_dot's `{v | g}` record labels need shape=record (the seed uses rect)
# ---------------------------------------------------------------------------------------------
def test_draw_dot_uses_record_shape_for_record_labels():
    s = seed.Tensor([1.0, 2.0])
    seed_src = seed.draw_dot_source((s * s).sum())
    assert "{v=" in seed_src and "shape=rect" in seed_src and "shape=record" not in seed_src

    x = Tensor([1.0, 2.0])
    src = numeric.draw_dot((x * x).sum()).source
    assert "{ v=" in src or "{v=" in src
    record_nodes = [ln for ln in src.splitlines() if "v=" in ln]
    assert record_nodes and all("shape=record" in ln for ln in record_nodes)


# ---------------------------------------------------------------------------------------------
# The same checks run on both engines: they pass on numeric and fail on the seed (strict xfail)
# ---------------------------------------------------------------------------------------------
def engines(seed_raises):
    """numeric, and the seed marked to fail strictly with ``seed_raises``."""
    fails = pytest.mark.xfail(strict=True, raises=seed_raises, reason="the seed's defect")
    return pytest.mark.parametrize("T", [pytest.param(Tensor, id="numeric"),
                                         pytest.param(seed.Tensor, id="seed", marks=fails)])


def _quiet(f):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return f()


@engines(AssertionError)  # nan
def test_engine_squares_non_positive_numbers(T):
    x = T([-1.0, 0.0, 2.0])
    y = _quiet(lambda: x ** 2)
    _quiet(lambda: y.backward(np.ones(3)))
    np.testing.assert_array_equal(y.value, [1.0, 0.0, 4.0])
    np.testing.assert_array_equal(x.grad, [-2.0, 0.0, 4.0])


@engines(TypeError)  # no __truediv__
def test_engine_divides_with_slash(T):
    x, y = T([1.0, 2.0]), T([4.0, -0.5])
    (x / y).backward(np.ones(2))
    np.testing.assert_allclose(x.grad, [0.25, -2.0])
    np.testing.assert_allclose(y.grad, [-1 / 16, -8.0])


@engines(TypeError)  # g.real() calls an array
def test_engine_takes_a_complex_cotangent_for_a_real_input(T):
    x = T(2.0)
    (x * 3.0).backward(np.array(1 + 1j))
    assert x.grad == 3.0 and not np.iscomplexobj(x.grad)


@engines(ValueError)  # the VJP's own matmul does not chain
def test_engine_differentiates_batched_matmul_against_a_vector(T):
    a, b = T(np.ones((2, 2, 3))), T(np.arange(3.0))
    (a @ b).backward(np.ones((2, 2)))
    np.testing.assert_array_equal(a.grad, np.broadcast_to(np.arange(3.0), (2, 2, 3)))
    np.testing.assert_array_equal(b.grad, np.full(3, 4.0))


@engines(AssertionError)  # rows mixed up
def test_engine_sums_with_keepdims(T):
    x = T(np.arange(6.0).reshape(2, 3))
    if T is seed.Tensor:  # its sum op takes keepdims through **kwargs; Tensor.sum does not
        kw = {"axis": 1, "keepdims": True}
        y = T(np.sum(x.value, **kw), parents=(x,), op=seed.sum_, kwargs=kw)
    else:
        y = x.sum(axis=1, keepdims=True)
    y.backward(np.array([[1.0], [10.0]]))
    np.testing.assert_array_equal(x.grad, [[1.0] * 3, [10.0] * 3])


@engines(RecursionError)
def test_engine_backpropagates_a_chain_deeper_than_the_recursion_limit(T):
    x = T(1.0)
    y = x
    for _ in range(sys.getrecursionlimit() + 100):
        y = y + 1.0
    y.backward(np.float64(1.0))
    assert float(x.grad) == 1.0
