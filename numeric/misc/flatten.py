"""``flatten(value) -> (vector, unflatten)`` for tuples, lists and dicts of arrays (autograd's).

The vector is the leaves raveled and concatenated, dict entries in sorted key order; a leaf may
be a Tensor, and then the vector is one (``flatten`` is differentiable). ``unflatten(v)`` cuts
``v`` back into the same structure, every leaf an array of its shape (a number becomes a 0-d
array), and is differentiable in ``v`` too: both are index, reshape and concatenate ops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["flatten", "flatten_func"]


def flatten(value: Any) -> tuple[Any, Callable[[Any], Any]]:
    """``vector, unflatten = flatten({"w": w, "b": [b1, b2]})``; ``unflatten(vector)`` is the
    structure again (dict keys must be sortable, as in autograd)."""
    leaves: list[Any] = []
    root: list[Any] = [None]  # the structure: a leaf is its index, a container (build, children)
    stack: list[tuple[Any, list[Any], int]] = [(value, root, 0)]
    while stack:
        node, parent, slot = stack.pop()
        if isinstance(node, dict):
            keys = sorted(node)
            values = [node[k] for k in keys]
            build: Callable[[list[Any]], Any] = _dict_builder(type(node), keys, list(node))
        elif isinstance(node, (list, tuple)):
            values = list(node)
            build = _sequence_builder(type(node))
        else:
            parent[slot] = len(leaves)
            leaves.append(node)
            continue
        children: list[Any] = [None] * len(values)
        parent[slot] = (build, children)
        stack.extend((values[i], children, i) for i in reversed(range(len(values))))
    shapes = [np.shape(leaf) for leaf in leaves]
    vector = np.concatenate([np.ravel(leaf) for leaf in leaves]) if leaves else np.zeros(0)
    size = sum(int(np.prod(s)) for s in shapes)

    def unflatten(v: Any) -> Any:
        if np.shape(v) != (size,):
            raise ValueError(f"unflatten: expected a vector of shape ({size},), got shape "
                             f"{np.shape(v)}")
        pieces, start = [], 0
        for shape in shapes:
            n = int(np.prod(shape))
            pieces.append(np.reshape(v[start:start + n], shape))
            start += n
        return _build(root[0], pieces)

    return vector, unflatten


def flatten_func(func: Callable[..., Any], example: Any) -> tuple[Callable[..., Any],
                                                                   Callable[[Any], Any], Any]:
    """``(flat_func, unflatten, flat_example)``: ``func`` of a structure like ``example`` as a
    function of one vector, returning its result flattened."""
    flat_example, unflatten = flatten(example)
    return (lambda v, *args: flatten(func(unflatten(v), *args))[0]), unflatten, flat_example


def _dict_builder(kind: type, keys: list[Any], order: list[Any]) -> Callable[[list[Any]], Any]:
    """Values come in sorted key order; the dict is rebuilt in its own key order."""

    def build(vs: list[Any]) -> Any:
        by_key = dict(zip(keys, vs))
        return kind((k, by_key[k]) for k in order)

    return build


def _sequence_builder(kind: type) -> Callable[[list[Any]], Any]:
    return (lambda vs: kind(*vs)) if hasattr(kind, "_fields") else kind


def _build(spec: Any, pieces: list[Any]) -> Any:
    """The structure ``spec`` with leaf ``i`` replaced by ``pieces[i]`` (children built first,
    with an explicit stack)."""
    if not isinstance(spec, tuple):
        return pieces[spec]
    done: dict[int, Any] = {}
    stack: list[tuple[Any, bool]] = [(spec, False)]
    while stack:
        node, ready = stack.pop()
        build, children = node
        if ready:
            done[id(node)] = build([pieces[c] if not isinstance(c, tuple) else done[id(c)]
                                    for c in children])
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if isinstance(c, tuple))
    return done[id(spec)]
