"""Reverse mode over graph nodes: iterative topological order and ``backward``.

A :class:`Node` is what the walk needs of a graph node — its value, ``grad``, whether it
requires grad, its context ``(op, parents, saved inputs, params)`` and a slot for its pending
cotangent; :class:`numeric.tensor.Tensor` is the Node users see. Every walk is a loop over an
explicit stack — no recursion — so a million-node chain backpropagates, and each node's VJP rules
run once however many paths share it.

Threads: a walk keeps pending cotangents on the graph's nodes, so one graph must not be walked
by two threads at once: concurrent ``grad`` calls are safe (each builds its own graph; a Tensor
it closes over is only read); ``backward`` from two threads on one graph, or on graphs sharing a
leaf whose ``.grad`` accumulates, is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from numeric.mode import recording
from numeric.op import unbroadcast

__all__ = ["Node", "toposort", "backward", "ordered"]


class Node:
    """A graph node's slots: ``_value``, ``grad``, ``requires_grad``, ``_ctx``, ``_pending``."""

    __slots__ = ("_value", "grad", "requires_grad", "_ctx", "_pending", "__weakref__")


def toposort(root: Node, stop: frozenset[int] = frozenset()) -> list[Node]:
    """The nodes ``root`` depends on, each after all of its parents (inputs first).

    Nodes whose ``id`` is in ``stop`` are included but not expanded.
    """
    order: list[Node] = []
    visited: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        key = id(node)
        if key in visited:
            continue
        visited.add(key)
        stack.append((node, True))
        ctx = node._ctx
        if ctx is None or (stop and key in stop):
            continue
        for p in ctx[1]:
            if p is not None and id(p) not in visited:
                stack.append((p, False))
    return order


def backward(root: Node, g: Any = None, *, retain_graph: bool = False,
             create_graph: bool = False) -> None:
    """``root.backward(g)``: accumulate gradients into ``.grad`` of every node on the graph."""
    if isinstance(root, Node) and not root.requires_grad:
        raise RuntimeError(
            "backward() on a Tensor that does not require grad: it was computed under no_grad() "
            "or from constants only, so no gradient can reach any input")
    g = _seed(root, g, create_graph)
    _backprop(root, g, targets=(), accumulate=True,
              retain_graph=retain_graph or create_graph, create_graph=create_graph)


def _seed(root: Node, g: Any, create_graph: bool) -> Any:
    if not isinstance(root, Node):
        raise TypeError(f"backward needs a Tensor, got {type(root).__name__}")
    if g is None:
        if root._value.size != 1:
            raise ValueError(
                f"backward() without a seed gradient needs a single-element Tensor; this one has "
                f"shape {root.shape}: pass g, an array of shape {root.shape}"
            )
        g = np.ones(root.shape, dtype=_float_dtype(root._value))
    elif isinstance(g, Node):
        if not create_graph:
            g = g._value
    else:
        # The seed takes the output's float dtype (an int seed would make int or object
        # gradients); a complex seed stays complex.
        g = np.asarray(g)
        dtype = _float_dtype(root._value)
        if np.iscomplexobj(g):
            dtype = np.result_type(g.dtype, dtype)
        g = g.astype(dtype, copy=False)
    if np.shape(g) != root.shape:
        if np.size(g) == 1 and root._value.size == 1:
            g = np.reshape(g, root.shape)
        else:
            raise ValueError(f"backward: the seed gradient has shape {np.shape(g)}, "
                             f"but the Tensor has shape {root.shape}")
    return g


def _float_dtype(value: np.ndarray) -> Any:
    return value.dtype if np.issubdtype(value.dtype, np.inexact) else np.float64


def _backprop(root: Node, g: Any, *, targets: Sequence[Node], accumulate: bool,
              retain_graph: bool, create_graph: bool,
              constants: bool = False) -> dict[int, Any]:
    """Push ``g`` from ``root`` to every node in reverse topological order.

    Returns the cotangents of ``targets`` (by id); with ``accumulate`` every reached node's
    ``.grad`` is increased instead. ``create_graph`` records the pass; with ``constants`` the
    rules see the saved values, not the nodes, so only the cotangent's path is recorded (the
    pass is then differentiable in ``g`` alone: forward mode by reverse-of-reverse).
    """
    stop = frozenset(id(t) for t in targets)
    order = toposort(root, stop)
    # With targets, only nodes leading to one get cotangents: a Tensor f closes over (a shared
    # parameter, an enclosing grad's graph) is neither computed for nor written.
    live = _leading_to(order, stop) if stop else None
    found: dict[int, Any] = {}
    handed: set[int] = {id(_base(g))}
    # Each node holds its pending cotangent while the walk is under way (cheaper than a dict
    # keyed by id); every pending value is taken before the walk ends, or cleared on error.
    root._pending = g
    try:
        with recording(create_graph):
            for node in reversed(order):
                g = node._pending
                if g is None:
                    continue
                node._pending = None
                ctx = node._ctx
                # Leaves accumulate .grad; intermediate nodes keep theirs only with the graph
                # (retain_graph), for drawing — freeing the graph frees them too.
                if accumulate and (ctx is None or retain_graph):
                    g = _own(g, handed)
                    node.grad = g if node.grad is None else node.grad + g
                if stop and id(node) in stop:
                    found[id(node)] = g
                    continue
                if ctx is None:
                    continue
                op, parents, args, params = ctx
                if args is None:
                    raise RuntimeError(
                        f"backward through a graph already freed at op {op.name!r}: "
                        "pass retain_graph=True to the first backward to backpropagate twice"
                    )
                if create_graph and not constants:  # rules see Nodes: the pass is recorded
                    args = tuple(a if p is None else p for p, a in zip(parents, args))
                    out: Any = node
                else:
                    out = node._value
                for i, p in enumerate(parents):
                    if p is None or (live is not None and id(p) not in live):
                        continue
                    pv = p._value
                    rule = op.vjp[i]
                    try:
                        gi = rule(g, out, *args, **params) if params else rule(g, out, *args)
                    except Exception:  # a real-only rule may fail on complex numbers first
                        if pv.dtype.kind == "c" and not op.complex:
                            raise _real_only(op, i, pv) from None
                        raise
                    # unbroadcast's own early return, tested here first: most cotangents need
                    # no sum, and the call would be a tenth of a small op's backward.
                    if type(gi) is not np.ndarray or gi.shape != pv.shape or gi.dtype.kind == "c":
                        if pv.dtype.kind == "c" and not op.complex:
                            raise _real_only(op, i, pv)
                        try:
                            gi = unbroadcast(gi, pv.shape, pv.dtype)
                        except ValueError as e:
                            raise ValueError(f"{op.name} input {i}: {e}") from None
                    prev = p._pending
                    p._pending = gi if prev is None else prev + gi
                if not retain_graph:
                    node._ctx = (op, (), None, None)
    except BaseException:
        for node in order:
            node._pending = None
        raise
    return found


def _real_only(op: Any, i: int, value: np.ndarray) -> TypeError:
    """The error for a complex input of an op defined on real numbers only (checked where a
    complex cotangent reaches it, off the real path: the real path pays nothing)."""
    return TypeError(f"{op.name}: input {i} is complex (dtype {value.dtype}, shape {value.shape}), "
                     f"but {op.name} is defined on real numbers only (its record does not declare "
                     "complex=True): differentiate np.real / np.abs of it, or register an op")


def ordered(x: Any, y: Any, how: str) -> tuple[Any, Any]:
    """``(x, y)`` for an ordering comparison, refusing complex numbers, which have no order."""
    for v in (x, y):
        if np.iscomplexobj(v):
            raise TypeError(f"comparison {how}: a complex operand (dtype {np.result_type(v)}, "
                            f"shape {np.shape(v)}) has no order: compare np.real or np.abs of it")
    return x, y


def _leading_to(order: list[Node], stop: frozenset[int]) -> set[int]:
    """The ids of the nodes in ``order`` (inputs first) that are in ``stop`` or depend on one."""
    live = set(stop)
    for node in order:
        ctx = node._ctx
        if ctx is not None and id(node) not in live:
            for p in ctx[1]:
                if p is not None and id(p) in live:
                    live.add(id(node))
                    break
    return live


def _base(a: Any) -> Any:
    while isinstance(a, np.ndarray) and a.base is not None:
        a = a.base
    return a


def _own(g: Any, handed: set[int]) -> Any:
    """A leaf's gradient must not alias another leaf's, the seed, or a read-only view."""
    if type(g) is not np.ndarray:
        return np.asarray(g) if not isinstance(g, Node) else g
    base = id(_base(g))
    if base in handed or not g.flags.writeable:
        g = g.copy()
        base = id(g)
    handed.add(base)
    return g
