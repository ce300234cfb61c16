"""``numeric.structure``: containers of arrays flattened to leaves and rebuilt, any nesting; and
container outputs through the functional API that uses it."""

from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numeric.structure import flatten

leaves = st.one_of(st.floats(-5, 5), st.integers(-3, 3).map(lambda n: np.full(2, float(n))))
trees = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple),
    st.dictionaries(st.text("abc", min_size=1, max_size=2), inner, max_size=3)), max_leaves=12)


def same_structure(a, b):
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            same_structure(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            same_structure(u, v)


@given(tree=trees)
def test_rebuild_gives_the_same_structure_and_leaves_in_reading_order(tree):
    found, rebuild = flatten(tree)
    again = rebuild(found)
    same_structure(again, tree)
    assert flatten(again)[0] == found or all(
        np.array_equal(u, v) for u, v in zip(flatten(again)[0], found))
    labels = rebuild(list(range(len(found))))  # leaf i is the i-th in reading order
    assert flatten(labels)[0] == list(range(len(found)))


def test_namedtuples_ordered_dicts_and_empty_containers():
    Point = namedtuple("Point", "x y")
    tree = OrderedDict(b=Point(1.0, [2.0, ()]), a={"c": 3.0}, e=[])
    found, rebuild = flatten(tree)
    assert found == [1.0, 2.0, 3.0]
    out = rebuild([10, 20, 30])
    assert out == OrderedDict(b=Point(10, [20, ()]), a={"c": 30}, e=[])
    assert type(out) is OrderedDict and type(out["b"]) is Point


@pytest.mark.parametrize("tree", [1.0, (1.0, 2.0), [[1.0], {"a": 2.0}]], ids=str)
def test_rebuild_refuses_the_wrong_number_of_leaves(tree):
    found, rebuild = flatten(tree)
    with pytest.raises(ValueError, match=f"needs {len(found)} lea"):
        rebuild([0.0] * (len(found) + 1))


# Container outputs through the functional API. autograd traces only its own tuple/list/dict
# (autograd.builtins), so on a plain Python tuple it warns and returns zeros: checked against
# closed forms here.
def test_make_vjp_and_elementwise_grad_of_container_outputs():
    import numeric

    x = np.array([0.4, -1.3, 2.0])
    vjp_fn, ans = numeric.make_vjp(lambda x: (2 * x, {"s": np.sin(x)}))(x)
    np.testing.assert_array_equal(ans[0], 2 * x)
    np.testing.assert_array_equal(ans[1]["s"], np.sin(x))
    w = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(vjp_fn((np.ones(3), {"s": w})), 2 + np.cos(x) * w, rtol=1e-15)
    np.testing.assert_allclose(numeric.elementwise_grad(lambda x: [2 * x, x ** 2])(x), 2 + 2 * x)
    with pytest.raises(ValueError, match="cotangent has 1 arrays, but f returned 2"):
        vjp_fn((np.ones(3),))
    with pytest.raises(TypeError, match="make_vjp takes tuples"):
        numeric.vjp(lambda x: (x, x), x)


def test_a_container_output_nested_inside_grad():
    import numeric

    # d/dx sum of the VJP of (y x, y^2) at y = x with g = (x, x): sum(x x + 2 y x) = 3 sum x^2
    def f(x):
        vjp_fn, _ = numeric.make_vjp(lambda y: (y * x, y ** 2))(x)
        return np.sum(vjp_fn((x, x)))

    x = np.array([0.5, -1.5])
    np.testing.assert_allclose(numeric.grad(f)(x), 6 * x, rtol=1e-15)


def test_make_jvp_of_a_container_output():
    import numeric

    x, v = np.array([0.4, -1.3]), np.array([2.0, 0.5])
    ans, jv = numeric.make_jvp(lambda x: {"a": 2 * x, "b": [np.sin(x)]})(x)(v)
    np.testing.assert_array_equal(ans["b"][0], np.sin(x))
    np.testing.assert_allclose(jv["a"], 2 * v, rtol=1e-15)
    np.testing.assert_allclose(jv["b"][0], np.cos(x) * v, rtol=1e-15)
