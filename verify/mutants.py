"""Built-in wrong VJPs: mutants of each rule of the op table, which the checks must catch.

:func:`mutants` returns, for one op, every mutant of every rule that really changes the rule
on some standard case (equivalent mutants — a transpose of a vector, an extra sum over a size-1
axis — are dropped, since no check could or should catch them). Each :class:`Mutant` carries an
unregistered copy of the op with one rule replaced; ``verify.check_op(m.op)`` must fail.

Kinds: ``transposed``, ``missing_unbroadcast`` (one broadcast copy instead of the sum),
``extra_sum``, ``sign_flip``, ``factor_2``, ``wrong_axis``, ``wrong_tie`` (at a kink, all of g
to the first input), ``dropped_term`` (per op: the rule with one term or factor left out).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from numeric import Op, get_op
from numeric.cases import sample_inputs, standard_cases

__all__ = ["Mutant", "mutants", "KINDS"]

KINDS = ("transposed", "missing_unbroadcast", "extra_sum", "sign_flip", "factor_2",
         "wrong_axis", "wrong_tie", "dropped_term")

# Rules with one term or factor dropped, written from the op table's formulas.
DROPPED: dict[str, dict[int, Callable[..., Any]]] = {
    "divide": {1: lambda g, out, x, y: -g / y},                        # drops out = x / y
    "power": {0: lambda g, out, x, y: g * x ** (y - 1),                # drops the factor y
              1: lambda g, out, x, y: g * np.log(x)},                  # drops out = x ** y
    "tanh": {0: lambda g, out, x: g},                                  # 1 - out²: drops -out²
    "exp": {0: lambda g, out, x: g},
    "log": {0: lambda g, out, x: g},
    "sqrt": {0: lambda g, out, x: g / 2},
    "multiply": {0: lambda g, out, x, y: g},                           # drops the factor y
    "sigmoid": {0: lambda g, out, x: g * out},                         # out (1 - out): drops 1-out
    "where": {1: lambda g, out, c, x, y: g},                           # drops the mask
    # remainder/fmod: the y-rule -q g dropped (q = 0, as if y did not count): the domains must
    # give quotients other than 0, or this would pass
    "remainder": {1: lambda g, out, x, y: 0 * g},
    "fmod": {1: lambda g, out, x, y: 0 * g},
    # getitem without accumulation: repeated indices lose all but one term
    "getitem": {0: lambda g, out, x, index: _assign(g, index, np.shape(x))},
    # eig without K's unit-norm and phase term: right only where V is orthonormal (normal x)
    "eig": {0: lambda g, out, x: _eig_unnormalised(g, out, x)},
}


@dataclass(frozen=True)
class Mutant:
    """A wrong VJP: ``op`` is the op with rule ``input`` replaced by the ``kind`` mutation."""

    name: str
    kind: str
    input: int
    op: Op


def mutants(op: Op | str, seed: int = 0) -> list[Mutant]:
    """Every non-equivalent mutant of ``op``'s rules (see the module docstring)."""
    op = get_op(op) if isinstance(op, str) else op
    out = []
    for i, rule in enumerate(op.vjp):
        if rule is None:
            continue
        for kind in KINDS:
            bad = _mutate(op, i, rule, kind)
            if bad is None:
                continue
            vjp = tuple(bad if j == i else r for j, r in enumerate(op.vjp))
            mop = dataclasses.replace(op, vjp=vjp)
            if _differs(op, mop, i, seed):
                out.append(Mutant(f"{op.name}/{kind}/x{i}", kind, i, mop))
    return out


# ---------------------------------------------------------------------------------------------
# Mutations of one raw rule
# ---------------------------------------------------------------------------------------------
def _mutate(op: Op, i: int, rule: Callable[..., Any], kind: str) -> Callable[..., Any] | None:
    if kind == "sign_flip":
        return lambda g, out, *xs, **p: -rule(g, out, *xs, **p)
    if kind == "factor_2":
        return lambda g, out, *xs, **p: 2 * rule(g, out, *xs, **p)
    if kind == "transposed":
        return lambda g, out, *xs, **p: _swap(rule(g, out, *xs, **p))
    if kind == "missing_unbroadcast":
        return lambda g, out, *xs, **p: _first_copy(rule(g, out, *xs, **p), np.shape(xs[i]))
    if kind == "extra_sum":
        return lambda g, out, *xs, **p: _sum_last(rule(g, out, *xs, **p))
    if kind == "wrong_axis":
        return lambda g, out, *xs, **p: _wrong_axis(rule, g, out, xs, p)
    if kind == "wrong_tie":
        if op.kink is None or not op.kink.slope or not op.kind.elementwise:
            return None
        place = op.kink.place
        return lambda g, out, *xs, **p: _tie_to_first(rule(g, out, *xs, **p), g, xs, place, i)
    if kind == "dropped_term":
        return DROPPED.get(op.name, {}).get(i)
    raise ValueError(f"unknown mutant kind {kind!r}; known: {', '.join(KINDS)}")


def _swap(r: Any) -> Any:
    return np.swapaxes(r, -1, -2) if np.ndim(r) >= 2 else r


def _first_copy(r: Any, shape: tuple[int, ...]) -> Any:
    """The cotangent of one broadcast copy instead of the sum over all copies."""
    r = np.asarray(r)
    lead = r.ndim - len(shape)
    if lead < 0:
        return r
    r = r[(0,) * lead]
    index = tuple(slice(0, 1) if n == 1 else slice(None) for n in shape)
    return r[index]


def _sum_last(r: Any) -> Any:
    if np.ndim(r) == 0:
        return r
    return np.broadcast_to(np.sum(r, axis=-1, keepdims=True), np.shape(r))


def _wrong_axis(rule: Callable[..., Any], g: Any, out: Any, xs: tuple[Any, ...],
                p: dict[str, Any]) -> Any:
    """The rule told a different axis when it takes one, else its result flipped along axis 0."""
    ndim = max(np.ndim(xs[0]), 1)
    for name in ("axis", "axis1", "axes"):
        value = p.get(name)
        if isinstance(value, (int, np.integer)):
            return rule(g, out, *xs, **{**p, name: (int(value) + 1) % ndim})
        if isinstance(value, tuple) and value and all(isinstance(a, int) for a in value):
            return rule(g, out, *xs, **{**p, name: tuple(value[1:]) + (value[0],)})
    r = rule(g, out, *xs, **p)
    return np.flip(r, axis=0) if np.ndim(r) else r


def _tie_to_first(r: Any, g: Any, xs: tuple[Any, ...], place: Callable[..., Any],
                  i: int) -> Any:
    """At the kink, all of g goes to input 0 (none to the others): a one-sided convention."""
    placed = np.broadcast_arrays(*place(*xs))
    now = np.broadcast_arrays(*xs)
    on = np.all([np.asarray(a) == np.asarray(b) for a, b in zip(placed, now)], axis=0)
    side = g if i == 0 else np.zeros_like(g)
    return np.where(on, side, r)


def _eig_unnormalised(g: Any, out: Any, x: Any) -> Any:
    """eig's rule V⁻ᵀ (diag(w̄) + F∘(Vᵀ V̄_g)) Vᵀ: K's second term dropped."""
    n = np.shape(x)[-1]
    shape = np.shape(x)
    w, v = out[..., :n], np.reshape(out[..., n:], shape)
    gw, gv = g[..., :n], np.reshape(g[..., n:], shape)
    eye = np.eye(n)
    f = (1 - eye) / (w[..., None, :] - w[..., :, None] + eye)
    vt = np.swapaxes(v, -1, -2)
    r = np.linalg.solve(vt, (eye * gw[..., :, None] + f * (vt @ gv)) @ vt)
    return r if np.iscomplexobj(x) else np.real(r)


def _assign(g: Any, index: Any, shape: tuple[int, ...]) -> Any:
    full = np.zeros(shape, dtype=np.result_type(g))
    full[index] = g
    return full


# ---------------------------------------------------------------------------------------------
# Equivalence: a mutant that never changes the rule's result is not a mutant
# ---------------------------------------------------------------------------------------------
def _differs(op: Op, mop: Op, i: int, seed: int) -> bool:
    from numeric import unbroadcast

    rng = np.random.default_rng(seed)
    for case in standard_cases(op):
        run, mrun = (op, mop) if len(case.shapes) == op.nargs else (
            op.arity(len(case.shapes)), mop)
        if run is not op:
            continue  # a variadic op's other arities keep the row's rules
        xs = sample_inputs(run, case, rng)
        points = [xs]
        if op.kink is not None and op.kink.slope:
            points.append([np.asarray(p) for p in op.kink.place(*xs)])
        for pts in points:
            try:
                out = np.asarray(op.fwd(*pts, **case.params))
                g = rng.standard_normal(out.shape)
                want = unbroadcast(run.vjp[i](g, out, *pts, **case.params), np.shape(pts[i]))
                got = unbroadcast(mrun.vjp[i](g, out, *pts, **case.params), np.shape(pts[i]))
            except Exception:
                return True  # the mutant raises where the rule does not: a real difference
            if np.shape(got) != np.shape(want) or not np.allclose(got, want, rtol=1e-9,
                                                                  atol=1e-12):
                return True
    return False
