"""The cached call path of ``numeric.extend.primitive``: plans per argument types, tuple results
handed back by identity, and declarations that leave NumPy dispatch alone.

Expected gradients come from calculus (d/dx of x·c, of (x², x³) pieces) or from the same
function written with the engine's own ops.
"""

import numpy as onp
import pytest

import numeric
import numeric.numpy as np
from numeric import op as op_module
from numeric.extend import defvjp, primitive

X = onp.array([1.5, 0.3, -0.8])


# every primitive a test makes is registered; the table is as before afterwards
pytestmark = pytest.mark.usefixtures("op_table_restored")


def test_a_result_that_is_an_array_for_one_call_and_a_tuple_for_the_next_is_split_each_time():
    # Same argument types (Tensor, bool) both times: one plan; the result's type still decides.
    @primitive
    def powers(x, both):
        return (x**2, x**3) if both else x**2

    defvjp(powers, lambda ans, x, both: lambda g: (
        g[0] * 2 * x + g[1] * 3 * x**2 if both else g * 2 * x), None)
    onp.testing.assert_allclose(numeric.grad(lambda x: np.sum(powers(x, False)))(X), 2 * X)
    onp.testing.assert_allclose(numeric.grad(lambda x: np.sum(sum(powers(x, True))))(X),
                                2 * X + 3 * X**2)
    onp.testing.assert_allclose(numeric.grad(lambda x: np.sum(powers(x, False)))(X), 2 * X)


def test_a_forward_run_outside_a_call_leaves_nothing_the_next_call_takes():
    @primitive
    def pair(x):
        return x * 2.0, x + 1.0

    @primitive
    def scaled(x):
        return x * 3.0

    defvjp(pair, lambda ans, x: lambda g: 2.0 * g[0] + g[1])
    defvjp(scaled, lambda ans, x: lambda g: 3.0 * g)
    packed = pair.op.fwd(X)  # verify's way: the record's forward on plain arrays
    onp.testing.assert_allclose(packed, onp.concatenate([X * 2.0, X + 1.0]))
    out = scaled(numeric.Tensor(X))  # an array result: not the packed pair above
    assert isinstance(out, numeric.Tensor)
    onp.testing.assert_allclose(out.value, 3.0 * X)
    onp.testing.assert_allclose(numeric.grad(lambda x: np.sum(scaled(x)))(X), 3.0 + 0 * X)


def test_a_rule_declared_after_a_call_is_the_one_the_next_call_uses():
    @primitive
    def scale(x, c):
        return x * c

    defvjp(scale, lambda ans, x, c: lambda g: g * c)
    f = lambda c: np.sum(scale(X, c))  # noqa: E731
    with pytest.raises(NotImplementedError, match="wrt argnum 1"):
        numeric.grad(f)(2.0)
    defvjp(scale, lambda ans, x, c: lambda g: g * c, lambda ans, x, c: lambda g: np.sum(g * x))
    assert numeric.grad(f)(2.0) == pytest.approx(onp.sum(X))  # same argument types as before
    defvjp(scale, None, lambda ans, x, c: lambda g: 5.0)  # a (deliberately wrong) new rule
    assert numeric.grad(f)(2.0) == 5.0


def test_declaring_a_primitive_leaves_the_dispatch_tables_alone(monkeypatch):
    calls = []
    rebuild = op_module._ENGINE["registered"]
    monkeypatch.setitem(op_module._ENGINE, "registered",
                        lambda op: calls.append(op.name) or rebuild(op))

    @primitive
    def cube(x):
        return x**3

    defvjp(cube, lambda ans, x: lambda g: 3 * g * x**2)
    numeric.unregister(cube.op.name)
    assert calls == []
    # A record with a NumPy call form still rebuilds, on register and on unregister.
    numeric.register(numeric.Op("twice_np", lambda x: 2 * x, (lambda g, out, x: 2 * g,),
                                methods=("twice_np",)))
    assert numeric.Tensor(X).twice_np().value == pytest.approx(2 * X)
    numeric.unregister("twice_np")
    assert calls == ["twice_np", "twice_np"] and not hasattr(numeric.Tensor, "twice_np")
