"""derive.expression's checks in derive's store (derive/expression/cache.py): filed under a key
bound to the trees they judge, served without SymPy work, re-checked at a fresh point when read
from disk, and a forged or damaged entry never served."""

from __future__ import annotations

import pytest

import derive
from derive import store
from derive.expression import api, cache
from derive.expression.parse import parse
from derive.expression.rules import fuse
from derive.expression.shapes import parse_shapes

EXPR, WRT, SHAPES = "trace(inv(X) @ A)", "X", "X=n,n A=n,n"


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty store, and a process that has derived nothing yet."""
    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path))
    monkeypatch.setattr(cache, "_MEMORY", {})
    return tmp_path


def _counting(monkeypatch) -> list:
    calls: list = []
    real = api.check_closed_forms
    monkeypatch.setattr(api, "check_closed_forms", lambda *a, **k: calls.append(a) or real(*a, **k))
    return calls


def _same(a, b) -> bool:
    keep = lambda d: {k: v for k, v in d.items() if k not in ("seconds", "timings")}  # noqa: E731
    return keep(a.to_dict()) == keep(b.to_dict())


def test_a_second_derivation_reads_the_checks_from_the_store(fresh, monkeypatch):
    calls = _counting(monkeypatch)
    first = derive.expression(EXPR, WRT, SHAPES)
    assert first.ok and len(calls) == 1
    assert len(list((fresh / cache.NAMESPACE).rglob("*.json"))) == 1
    monkeypatch.setattr(cache, "_MEMORY", {})  # another process: read from disk, re-checked
    again = derive.expression(EXPR, WRT, SHAPES)
    assert len(calls) == 1 and _same(first, again)
    assert again.numpy_source == first.numpy_source  # the code is generated afresh, the same
    derive.expression(EXPR, WRT, SHAPES, cache=False)
    assert len(calls) == 2


@pytest.mark.parametrize("other", [dict(seed=1), dict(sympy=False)])
def test_another_seed_or_question_is_another_entry(fresh, monkeypatch, other):
    calls = _counting(monkeypatch)
    derive.expression(EXPR, WRT, SHAPES)
    derive.expression(EXPR, WRT, SHAPES, **other)
    assert len(calls) == 2


def test_a_forged_verdict_for_a_wrong_form_is_rechecked_and_dropped(fresh):
    declared = parse_shapes(SHAPES)
    tree = fuse(parse(EXPR, declared))
    wrong = {"X": parse("-(inv(X) @ A).T", declared)}  # the right form is -(inv(X) @ A @ inv(X)).T
    true = derive.expression("trace(inv(X) @ A)", WRT, SHAPES)  # a real entry, to copy from
    digest = cache.key(tree, wrong, declared, 0, True)
    cache.save(digest, true.exact, true.sympy)               # filed as if verified
    cache._MEMORY.clear()
    assert cache.load(digest, wrong, tree) is None
    assert store.load(cache.NAMESPACE, digest) is None, "dropped: never served again"


@pytest.mark.parametrize("damage", [
    lambda v: {"checks": v["checks"]},
    lambda v: {**v, "checks": {"X": {**v["checks"]["X"], "ok": False}}},
    lambda v: {**v, "checks": {"X": {**v["checks"]["X"], "sizes": [{"n": "3; import os"}]}}},
    lambda v: "not a record",
])
def test_a_damaged_entry_is_derived_again(fresh, monkeypatch, damage):
    calls = _counting(monkeypatch)
    first = derive.expression(EXPR, WRT, SHAPES)
    (path,) = (fresh / cache.NAMESPACE).rglob("*.json")
    store.save(cache.NAMESPACE, path.stem, damage(store.load(cache.NAMESPACE, path.stem)))
    monkeypatch.setattr(cache, "_MEMORY", {})
    again = derive.expression(EXPR, WRT, SHAPES)
    assert len(calls) == 2 and _same(first, again)


def test_the_key_binds_the_trees_not_their_text():
    declared = parse_shapes("X=n,n A=n,n B=n,n")
    tree = parse("trace(A @ X)", declared)
    keys = {cache.key(tree, {"X": parse(f, declared)}, declared, 0, True)
            for f in ("A.T", "B.T", "A", "A.T + 0 * B")}
    assert len(keys) == 4
    assert cache.key(tree, {"X": parse("A.T", declared)}, declared, 0, True) == cache.key(
        parse(" trace( A@X )", declared), {"X": parse("(A).T", declared)}, declared, 0, True)


def test_clear_cache_forgets_expression_checks(fresh, monkeypatch):
    calls = _counting(monkeypatch)
    derive.expression(EXPR, WRT, SHAPES)
    derive.clear_cache(disk=True)
    assert not list((fresh / cache.NAMESPACE).rglob("*.json"))
    derive.expression(EXPR, WRT, SHAPES)
    assert len(calls) == 2
