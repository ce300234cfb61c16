"""``numeric.structure``: containers of arrays flattened to leaves and rebuilt, any nesting."""

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
