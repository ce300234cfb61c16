"""``numeric.extend``: autograd's primitive / defvjp on op records.

Expected values come from autograd itself (the same primitive defined with ``autograd.extend``),
from the same function written without a primitive (the engine's own ops), or from calculus;
the meta-tests show verify catches a deliberately wrong user rule.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as onp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import numeric
import numeric.numpy as np
import verify
from numeric.extend import (
    def_linear,
    defjvp,
    defjvp_argnum,
    defvjp,
    defvjp_argnum,
    defvjp_argnums,
    notrace_primitive,
    primitive,
)

autograd = pytest.importorskip("autograd")
import autograd.numpy as anp  # noqa: E402
from autograd.extend import defvjp as a_defvjp  # noqa: E402
from autograd.extend import primitive as a_primitive  # noqa: E402

X = onp.array([1.5, 0.3, -0.8])
Y = onp.array([0.5, -1.0, 2.0])
VECTORS = hnp.arrays(onp.float64, st.integers(1, 4), elements=st.floats(-2, 2))


# every primitive a test makes is registered; the table is as before afterwards
pytestmark = pytest.mark.usefixtures("op_table_restored")


def make_logsumexp(rule=None):
    """autograd's tutorial example: logsumexp as a primitive with its own VJP."""

    @primitive
    def logsumexp(x):
        """log(sum(exp(x))), stably"""
        top = np.max(x)
        return top + np.log(np.sum(np.exp(x - top)))

    defvjp(logsumexp, rule or (lambda ans, x: lambda g: np.full(x.shape, g) * np.exp(x - ans)))
    return logsumexp


@a_primitive
def a_logsumexp(x):
    top = anp.max(x)
    return top + anp.log(anp.sum(anp.exp(x - top)))


a_defvjp(a_logsumexp, lambda ans, x: lambda g: anp.full(x.shape, g) * anp.exp(x - ans))


@settings(max_examples=10)
@given(VECTORS)
def test_the_tutorial_logsumexp_has_autograds_gradient_and_hessian(x):
    lse = make_logsumexp()
    f = lambda y: np.sum(lse(y**2)) * np.sum(y)  # noqa: E731
    a_f = lambda y: anp.sum(a_logsumexp(y**2)) * anp.sum(y)  # noqa: E731
    onp.testing.assert_allclose(numeric.grad(f)(x), autograd.grad(a_f)(x), rtol=1e-12, atol=1e-14)
    # the user's rule, written with NumPy calls, is differentiated again
    onp.testing.assert_allclose(numeric.hessian(f)(x), autograd.hessian(a_f)(x), rtol=1e-10,
                                atol=1e-12)


def test_a_primitive_is_a_registered_op_record_that_records_one_node():
    lse = make_logsumexp()
    # the name "logsumexp" is a built-in's: the primitive takes its qualified name instead
    assert lse.op.name.endswith("make_logsumexp.<locals>.logsumexp")
    assert numeric.get_op(lse.op.name) is lse.op and lse.op.doc == "log(sum(exp(x))), stably"
    out = lse(numeric.Tensor(X, requires_grad=True))
    assert out.op.name == lse.op.name
    assert [p.op for p in out._ctx[1]] == [None]  # one node, straight on the input
    assert lse(X) == pytest.approx(onp.log(onp.sum(onp.exp(X))))  # plain values: the function


def test_verify_checks_a_primitive_like_a_built_in():
    lse = make_logsumexp()
    assert verify.check_op(lse.op.name, (3,)).ok
    assert verify.check_function(lambda y: np.sum(lse(y**2)), X).ok


def test_gradproof_verify_takes_a_primitive_from_a_plugin_module(tmp_path):
    here = Path(__file__).resolve().parent
    env = dict(os.environ, PYTHONPATH=str(here.parents[1]), GRADPROOF_CACHE=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "verify.cli", "verify", "--plugin",
                           "extend_plugin", "--ops", "user_logsumexp"], cwd=here, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    row = next(line.split() for line in done.stdout.splitlines()
               if line.startswith("user_logsumexp"))
    assert row[-1] == "ok" and row[3] == "0"  # status ok, no failing check


def test_meta_a_wrong_user_vjp_is_caught_by_check_op_and_check_function():
    lse = make_logsumexp(rule=lambda ans, x: lambda g: g * np.exp(x))  # forgot "- ans"
    result = verify.check_op(lse.op.name, (3,))
    assert not result.ok
    failed = {c.check: c for c in result.cases[0].checks if c.verdict == "fail"}
    assert {"fd", "adjoint"} <= set(failed) and failed["fd"].diagnosis["input"] == 0
    assert lse.op.name in result.explain()

    def model(y):
        return np.sum(lse(y**2))

    result = verify.check_function(model, X)
    assert not result.ok
    assert "input 0, y" in result.explain()


def polar_pair():
    @primitive
    def polar(x, y):
        return np.hypot(x, y), np.arctan2(y, x)

    defvjp(polar, lambda ans, x, y: lambda g: g[0] * x / ans[0] - g[1] * y / ans[0] ** 2,
           lambda ans, x, y: lambda g: g[0] * y / ans[0] + g[1] * x / ans[0] ** 2)
    return polar


def test_a_tuple_result_is_one_node_unpacked_and_differentiated_to_second_order():
    polar = polar_pair()

    def f(x, y):
        r, t = polar(x, y)
        return np.sum(r * t**2)

    def plain(x, y):  # the same function from the engine's own ops
        return np.sum(np.hypot(x, y) * np.arctan2(y, x) ** 2)

    for op in (numeric.grad, numeric.hessian):
        for got, want in zip(op(f, (0, 1))(X, Y), op(plain, (0, 1))(X, Y)):
            onp.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    r, t = polar(1.0, 1.0)
    assert (r, t) == pytest.approx((2**0.5, onp.pi / 4))


def test_forward_mode_runs_through_the_users_vjp():
    lse = make_logsumexp()
    v = onp.array([1.0, -2.0, 0.5])
    ans, jv = numeric.make_jvp(lse)(X)(v)
    softmax = onp.exp(X) / onp.sum(onp.exp(X))
    assert jv == pytest.approx(softmax @ v, rel=1e-12)


def test_a_traced_argument_without_a_vjp_raises_naming_the_primitive_and_argnum():
    @primitive
    def scale(a, b):
        return a * b

    defvjp(scale, lambda ans, a, b: lambda g: g * b)
    assert numeric.grad(lambda a: np.sum(scale(a, Y)))(X) == pytest.approx(Y)
    with pytest.raises(NotImplementedError, match=r"VJP of scale wrt argnum 1 not defined"):
        numeric.grad(lambda b: np.sum(scale(X, b)))(Y)
    with pytest.raises(TypeError, match=r"keyword argument 'b' is a Tensor"):
        numeric.grad(lambda b: np.sum(scale(X, b=b)))(Y)


def test_none_is_a_zero_gradient_and_non_arrays_pass_through():
    @primitive
    def apply_to(fn, x, scale=1.0):
        return scale * fn(x)

    defvjp(apply_to, None, lambda ans, fn, x, scale=1.0: lambda g: g * scale * 2 * x)
    f = lambda x: np.sum(apply_to(lambda v: v**2, x, scale=3.0))  # noqa: E731
    assert numeric.grad(f)(X) == pytest.approx(6 * X)

    @primitive
    def shift(x, c):
        return x + c

    defvjp(shift, lambda ans, x, c: lambda g: g, None)
    with pytest.warns(UserWarning, match="every gradient is zero"):  # as autograd warns
        assert numeric.grad(lambda c: np.sum(shift(X, c) ** 2))(Y) == pytest.approx(onp.zeros(3))


def test_defvjp_argnum_and_argnums_give_each_argument_its_cotangent():
    @primitive
    def mul_a(a, b):
        return a * b

    @primitive
    def mul_b(a, b):
        return a * b

    defvjp_argnum(mul_a, lambda argnum, ans, args, kwargs: lambda g: g * args[1 - argnum])
    defvjp_argnums(mul_b, lambda argnums, ans, args, kwargs: lambda g: [g * args[1 - a]
                                                                        for a in argnums])
    for mul in (mul_a, mul_b):
        ga, gb = numeric.grad(lambda a, b: np.sum(mul(a, b) ** 2), (0, 1))(X, Y)  # noqa: B023
        assert ga == pytest.approx(2 * X * Y**2) and gb == pytest.approx(2 * Y * X**2)


def test_a_jvp_alone_gives_the_vjp_by_transposition():
    @primitive
    def cube(x):
        return x**3

    defjvp(cube, lambda g, ans, x: 3 * x**2 * g)

    @primitive
    def running(x):
        return np.cumsum(x)

    def_linear(running)

    @primitive
    def outer(x, y):
        return np.outer(x, y)

    defjvp_argnum(outer, lambda argnum, g, ans, args, kwargs:
                  np.outer(g, args[1]) if argnum == 0 else np.outer(args[0], g))
    assert numeric.grad(lambda x: np.sum(cube(x)))(X) == pytest.approx(3 * X**2)
    assert numeric.hessian(lambda x: np.sum(cube(x)))(X) == pytest.approx(onp.diag(6 * X))
    assert numeric.grad(lambda x: np.sum(running(x) ** 2))(X) == pytest.approx(
        numeric.grad(lambda x: np.sum(np.cumsum(x) ** 2))(X))
    gx, gy = numeric.grad(lambda x, y: np.sum(outer(x, y) ** 2), (0, 1))(X, Y)
    assert gx == pytest.approx(2 * X * onp.sum(Y**2)) and gy == pytest.approx(
        2 * Y * onp.sum(X**2))


def test_a_jvp_that_calls_its_own_primitive_cannot_be_transposed():
    @primitive
    def double(x):
        return 2 * x

    defjvp(double, lambda g, ans, x: double(g))
    with pytest.raises(NotImplementedError, match="calls .*double itself"):
        numeric.grad(lambda x: np.sum(double(x)))(X)


def test_misdeclarations_are_refused_by_name():
    with pytest.raises(TypeError, match="made by numeric.extend.primitive"):
        defvjp(onp.sin, lambda ans, x: lambda g: g)

    @primitive
    def ident(x):
        return x

    with pytest.raises(TypeError, match="argnum 0 is float"):
        defvjp(ident, 1.0)
    with pytest.raises(ValueError, match="already registered"):
        primitive(lambda x: x, name="exp")


def test_notrace_primitive_sees_values_and_register_false_keeps_the_table():
    seen = []

    @notrace_primitive
    def spy(x):
        seen.append(type(x))
        return x

    numeric.grad(lambda x: np.sum(x * spy(x)))(X)
    assert seen == [onp.ndarray]

    before = set(numeric.all_ops())
    offline = primitive(lambda x: x**3, name="offline_cube", register=False)
    defvjp(offline, lambda ans, x: lambda g: 3 * g * x**2)
    assert set(numeric.all_ops()) == before and offline.op.name == "offline_cube"
    assert verify.check_op(offline.op, X).ok


def test_integer_pieces_of_a_tuple_result_keep_their_dtype():
    # a (values, indices) result is packed into one float array; the indices must come back
    # as integers (as autograd and the plain call give them), usable as indices
    @primitive
    def top(x):
        i = onp.argmax(x, axis=-1)
        return onp.max(x, axis=-1), i, x > 0

    defvjp(top, lambda ans, x: lambda g: g[0][..., None] * (x == ans[0][..., None]))
    x = onp.array([[1.0, 5.0, -2.0], [3.0, 0.5, 4.0]])
    value, index, positive = top(numeric.Tensor(x))
    assert index.dtype == onp.argmax(x, axis=-1).dtype and positive.dtype == bool
    onp.testing.assert_array_equal(x[onp.arange(2), index], value.value)
    onp.testing.assert_array_equal(positive, x > 0)
    g = numeric.grad(lambda x: np.sum(top(x)[0] * onp.array([1.0, 2.0])))(x)
    onp.testing.assert_array_equal(g, [[0, 1, 0], [0, 0, 2]])
