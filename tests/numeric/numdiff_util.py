"""Test helpers for numeric: central finite differences and the engine's VJP of one op.

Independent of the engine on purpose: finite differences use only the op's NumPy forward, so an
engine gradient is compared with something the engine did not compute.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

import numeric
import numeric.cases
from numeric import Op

__all__ = ["central_diff", "engine_vjp", "fd_vjp", "assert_vjp_matches_fd", "differentiated",
           "count_vjp_calls", "bound", "standard_items"]


def central_diff(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f / d x by central differences, one coordinate at a time (float64)."""
    x = np.array(x, dtype=np.float64)
    out = np.zeros_like(x)
    flat, res = x.reshape(-1), out.reshape(-1)
    for j in range(flat.size):
        keep = flat[j]
        flat[j] = keep + eps
        up = f(x)
        flat[j] = keep - eps
        down = f(x)
        flat[j] = keep
        res[j] = (up - down) / (2 * eps)
    return out


def bound(op: Op, n: int) -> Op:
    """``op`` taking ``n`` inputs (variadic ops such as concatenate are bound per arity)."""
    return op if n == op.nargs else op.arity(n)


def standard_items(ops: dict[str, Op]) -> list[tuple[str, Any]]:
    """(op name, Case) for every standard case of every op that has them."""
    items = []
    for name in sorted(ops):
        try:
            cases = numeric.cases.standard_cases(ops[name])
        except KeyError:  # test_cases.py reports ops without standard cases
            continue
        items += [(name, case) for case in cases]
    return items


def differentiated(op: Op) -> list[int]:
    """Indices of the inputs that have a VJP rule."""
    return [i for i, rule in enumerate(op.vjp) if rule is not None]


def fd_vjp(op: Op, xs: Sequence[np.ndarray], params: dict, g: np.ndarray, i: int,
           eps: float = 1e-6) -> np.ndarray:
    """<g, d op(xs) / d xs[i]> by central differences of the op's forward."""
    xs = [np.asarray(x) for x in xs]
    base = np.asarray(op.fwd(*xs, **params))

    def f(xi: np.ndarray) -> float:  # l = Re Σ g f (a complex output pairs with a complex g)
        args = list(xs)
        args[i] = xi
        out = np.asarray(op.fwd(*args, **params))
        if op.kind.align is not None:  # eig: the base point's eigenvalue order and phases
            out = np.asarray(op.kind.align(base, out))
        return float(np.real(np.sum(out.astype(np.result_type(out, np.float64)) * g)))

    return central_diff(f, xs[i], eps)


def engine_vjp(op: Op, xs: Sequence[np.ndarray], params: dict, g: np.ndarray
               ) -> tuple[np.ndarray, tuple[Any, ...]]:
    """The engine's forward value and cotangents for ``op`` at ``xs`` (through ``numeric.vjp``)."""
    op = bound(op, len(xs))
    out, vjp_fn = numeric.vjp(lambda *ts: numeric.apply(op, *ts, **params), *xs)
    return out, vjp_fn(g)


def assert_vjp_matches_fd(op: Op, xs: Sequence[np.ndarray], params: dict, seed: int = 0,
                          atol: float = 1e-6, rtol: float = 1e-5, where: str = "") -> None:
    """Engine VJP == central differences for every differentiated input, with a random ``g``."""
    op = bound(op, len(xs))
    g = _g(op, xs, params, np.random.default_rng(seed))
    out, grads = engine_vjp(op, xs, params, g)
    assert np.shape(out) == np.shape(op.fwd(*xs, **params)), where
    for i in differentiated(op):
        got = np.asarray(grads[i])
        want = fd_vjp(op, xs, params, g, i)
        assert got.shape == np.shape(xs[i]), (
            f"{op.name} {where}: input {i} gradient has shape {got.shape}, input {np.shape(xs[i])}")
        err = np.abs(got - want)
        bad = ~(err <= atol + rtol * np.abs(want))  # nan counts as a mismatch
        assert not bad.any(), (
            f"{op.name} {where}: input {i}: engine {got[bad]} vs central differences {want[bad]} "
            f"at entries {np.argwhere(bad).tolist()}; max error {err.max():.3g}")


def _g(op: Op, xs: Sequence[np.ndarray], params: dict, rng: np.random.Generator) -> np.ndarray:
    out = np.asarray(op.fwd(*xs, **params))
    g = rng.uniform(-1.0, 1.0, size=out.shape)
    return g + 1j * rng.uniform(-1.0, 1.0, size=out.shape) if np.iscomplexobj(out) else g


@contextlib.contextmanager
def count_vjp_calls(*names: str) -> Iterator[collections.Counter]:
    """Within the block, ops ``names`` count their VJP rule calls (by op name); restored after."""
    counts: collections.Counter = collections.Counter()
    saved = {name: numeric.get_op(name) for name in names}

    def counting(name: str, rule: Callable[..., Any] | None) -> Callable[..., Any] | None:
        if rule is None:
            return None

        def rule_counted(*args: Any, **kw: Any) -> Any:
            counts[name] += 1
            return rule(*args, **kw)

        return rule_counted

    try:
        for name, op in saved.items():
            numeric.register(dataclasses.replace(op, vjp=tuple(counting(name, r) for r in op.vjp)),
                             replace=True)
        yield counts
    finally:
        for op in saved.values():
            numeric.register(op, replace=True)
