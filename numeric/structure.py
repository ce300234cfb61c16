"""Containers of arrays: what ``grad`` differentiates with respect to, as autograd does.

An argument may be an array (or number, or Tensor) or a tuple, list, namedtuple or dict (any
nesting) of them; :func:`flatten` lists its leaves and gives back a function that rebuilds the
same structure from new leaves, so a gradient comes back shaped like its argument.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["flatten", "is_container"]


_CONTAINERS = (tuple, list, dict)


def is_container(x: Any) -> bool:
    """Whether ``x`` is a tuple, list or dict (the containers gradients are taken through)."""
    return isinstance(x, _CONTAINERS)


def flatten(x: Any, *, sort_keys: bool = False) -> tuple[list[Any], Callable[[Sequence[Any]], Any]]:
    """``(leaves, rebuild)``: ``rebuild(leaves)`` is ``x`` again; ``rebuild(new)`` has x's shape.

    >>> leaves, rebuild = flatten({"w": 1.0, "b": (2.0, 3.0)})
    >>> rebuild([10, 20, 30])
    {'w': 10, 'b': (20, 30)}

    ``sort_keys``: a dict's leaves in sorted key order (autograd's ``flatten``); it is rebuilt in
    its own order.
    """
    if not isinstance(x, _CONTAINERS):  # the common cases, kept cheap: one array, a tuple of arrays
        return [x], _only
    if type(x) is tuple and not any([isinstance(v, _CONTAINERS) for v in x]):
        return list(x), lambda new: tuple(new) if len(new) == len(x) else _only(new, len(x))
    leaves: list[Any] = []
    # The structure as a tree of (builder, child specs); a leaf is None. Built with an explicit
    # stack: containers are visited in order, so leaf i is the i-th value in reading order.
    root: list[Any] = [None]
    stack: list[tuple[Any, list[Any], int]] = [(x, root, 0)]
    while stack:
        node, parent, slot = stack.pop()
        if not is_container(node):
            parent[slot] = len(leaves)
            leaves.append(node)
            continue
        keys, values = _items(node, sort_keys)
        children: list[Any] = [None] * len(values)
        parent[slot] = (_builder(node, keys), children)
        for i in reversed(range(len(values))):
            stack.append((values[i], children, i))

    def rebuild(new: Sequence[Any]) -> Any:
        if len(new) != len(leaves):
            raise ValueError(f"rebuild needs {len(leaves)} leaves, got {len(new)}")
        return _build(root[0], new)

    return leaves, rebuild


def _only(new: Sequence[Any], n: int = 1) -> Any:
    if len(new) != n:
        raise ValueError(f"rebuild needs {n} leaves, got {len(new)}")
    return new[0]


def _items(node: Any, sort_keys: bool = False) -> tuple[list[Any] | None, list[Any]]:
    if isinstance(node, dict):
        keys = sorted(node) if sort_keys else list(node)
        return keys, [node[k] for k in keys]
    return None, list(node)


def _builder(node: Any, keys: list[Any] | None) -> Callable[[list[Any]], Any]:
    kind = type(node)
    if keys is not None:
        order = list(node)
        if keys != order:  # sorted leaves: the dict comes back in its own order
            return lambda vs: (lambda by_key: kind((k, by_key[k]) for k in order))(
                dict(zip(keys, vs)))
        return lambda vs: kind(zip(keys, vs))
    if isinstance(node, tuple) and hasattr(node, "_fields"):  # a namedtuple
        return lambda vs: kind(*vs)
    return kind


def _build(spec: Any, new: Sequence[Any]) -> Any:
    """The structure ``spec`` with its leaves taken from ``new`` (iteratively, children first)."""
    if not isinstance(spec, tuple):
        return new[spec]
    # Post-order over the spec tree: each container is built once its children are.
    done: dict[int, Any] = {}
    stack: list[tuple[Any, bool]] = [(spec, False)]
    while stack:
        node, ready = stack.pop()
        build, children = node
        if ready:
            done[id(node)] = build([new[c] if not isinstance(c, tuple) else done[id(c)]
                                    for c in children])
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if isinstance(c, tuple))
    return done[id(spec)]
