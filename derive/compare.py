"""Exact comparison of two SymPy expressions, by cases where they are kinked.

``compare(a, b)`` decides ``a == b``: plain expressions by expansion, cancellation and (for small
ones) simplification; kinked ones (Max, Min, Abs, sign, Heaviside, Piecewise, boolean inputs)
by splitting into regions, one condition at a time — a condition ``d > 0`` whose ``d`` is free of
kinks is decided both ways, conditions the decisions imply (``x > y`` and ``y > z`` give
``x > z``) are substituted, impossible patterns (``x < y < z < x``) skipped. Each leaf is a
kink-free expression valid on a whole open region, tested for exact zero; a nonzero leaf is
confirmed with a rational witness point inside its region before anything is called refuted.
Ties (``d = 0``) are not regions: the proof checks them against the op's declared convention.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from sympy.core.relational import Relational

__all__ = ["compare", "KINKED", "MAX_KINK_SYMBOLS", "MAX_LEAVES"]

MAX_KINK_SYMBOLS = 7  # symbols inside the conditions of one entry; regions grow like n!
MAX_LEAVES = 128  # regions per entry before giving up (the proof falls back to spot checks)
KINKED = (sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside, sp.Piecewise)
_KINKED = KINKED


def compare(a: Any, b: Any, bools: set[Any] = frozenset(), rng: Any = None) -> tuple[Any, str, Any]:
    """Is ``a == b`` exactly? (True | False | None undecided, "plain" | "cases", witness).

    Kinked expressions are split by cases, one condition at a time: a condition ``d > 0`` whose
    ``d`` is free of kinks is decided both ways (a boolean input true and false), conditions the
    decisions already imply (``x > y`` and ``y > z`` give ``x > z``) are substituted, impossible
    patterns are skipped, and nested conditions surface as the expression collapses. Each leaf
    is a kink-free expression valid on a whole region, tested for exact zero.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    d = sp.sympify(a) - sp.sympify(b)
    if d == 0:
        return True, "plain", None
    if not _kinked(d, bools):
        verdict, witness = _is_zero(d, rng, {})
        return verdict, "plain", witness
    d = d.rewrite(sp.Piecewise)
    inside = set().union(*(r.free_symbols for r in d.atoms(Relational)))
    if len(inside) > MAX_KINK_SYMBOLS:  # regions grow like n!: leave it to rational spot checks
        return None, "cases", None
    verdict: Any = True
    stack: list[tuple[Any, dict[Any, int], dict[Any, Any]]] = [(d, {}, {})]
    leaves = 0
    while stack:
        e, signs, fixed = stack.pop()
        if e.has(*_KINKED[:-1]):
            e = e.rewrite(sp.Piecewise)
        rels = e.atoms(Relational)
        flags = sorted((e.free_symbols & bools) - fixed.keys(), key=str)
        if not rels and not flags:
            leaves += 1
            if leaves > MAX_LEAVES:
                return None, "cases", None
            ok, witness = _is_zero(e, rng, signs, fixed)
            if ok is False:
                return False, "cases", witness
            verdict = None if ok is None else verdict
            continue
        graph = _graph(signs)
        known, table, open_keys = dict(signs), {}, {}
        for rel in rels:
            key, _ = _key(rel)
            if key.has(*_KINKED) or key.atoms(Relational):
                continue
            if key not in known:
                implied = _implied(key, graph)
                if implied is None:
                    open_keys[key] = open_keys.get(key, 0) + 1
                    continue
                known[key] = implied
            table[rel] = _truth(rel, known)
        if table:
            stack.append((e.xreplace(table), known, fixed))
        elif flags:
            for truth in (sp.true, sp.false):
                fix = {**fixed, flags[0]: truth}
                stack.append((e.xreplace(fix), signs, fix))
        elif open_keys:
            key = max(open_keys, key=lambda k: (open_keys[k], -len(str(k))))
            for sgn in (1, -1):
                now = {**signs, key: sgn}
                if _feasible(now):
                    stack.append((e, now, fixed))
        else:
            return None, "cases", None
    return verdict, "cases", None


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _key(rel: Relational) -> tuple[Any, int]:
    d = sp.expand(rel.lhs - rel.rhs)
    if d.could_extract_minus_sign():
        return -d, -1
    return d, 1


def _kinked(d: Any, bools: set[Any]) -> bool:
    return bool(d.has(*_KINKED) or d.atoms(Relational) or d.free_symbols & bools)


def _order(key: Any) -> tuple[Any, Any] | None:
    """``key`` as ``hi - lo`` with hi, lo a symbol or a number, else None."""
    terms = sp.Add.make_args(key)
    syms = [t for t in terms if not t.is_number]
    const = sum((t for t in terms if t.is_number), sp.Integer(0))
    coeffs = [t.as_coeff_Mul() for t in syms]
    if len(syms) == 2 and const == 0 and sorted(c for c, _ in coeffs) == [-1, 1]:
        (c1, s1), (c2, s2) = coeffs
        return (s1, s2) if c1 > 0 else (s2, s1)
    if len(syms) == 1 and abs(coeffs[0][0]) == 1:
        c, s = coeffs[0]
        return (s, -const) if c > 0 else (const, s)
    return None


def _graph(signs: dict[Any, int]) -> dict[Any, set[Any]]:
    """Edges lo -> hi for each decided ``hi - lo`` sign, numbers chained in their order."""
    after: dict[Any, set[Any]] = {}
    consts: set[Any] = set()
    for key, sgn in signs.items():
        pair = _order(key)
        if pair is None:
            continue
        hi, lo = pair if sgn > 0 else pair[::-1]
        after.setdefault(lo, set()).add(hi)
        consts |= {v for v in (hi, lo) if v.is_number}
    ordered = sorted(consts)
    for lo, hi in zip(ordered, ordered[1:]):
        after.setdefault(lo, set()).add(hi)
    return after


def _reach(graph: dict[Any, set[Any]], a: Any, b: Any) -> bool:
    seen, todo = {a}, [a]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt == b:
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def _implied(key: Any, graph: dict[Any, set[Any]]) -> int | None:
    pair = _order(key)
    if pair is None:
        return None
    hi, lo = pair
    if _reach(graph, lo, hi):
        return 1
    if _reach(graph, hi, lo):
        return -1
    return None


def _feasible(signs: dict[Any, int]) -> bool:
    """False if the decided signs contradict: a cycle of strict ``<`` (x < y < z < x)."""
    graph = _graph(signs)
    return not any(_reach(graph, node, node) for node in graph)


def _truth(rel: Relational, sign_of: dict[Any, int]) -> Any:
    key, flip = _key(rel)
    s = sign_of[key] * flip  # sign of lhs - rhs in this case
    if isinstance(rel, (sp.StrictGreaterThan, sp.GreaterThan)):
        return sp.true if s > 0 else sp.false
    if isinstance(rel, (sp.StrictLessThan, sp.LessThan)):
        return sp.true if s < 0 else sp.false
    return sp.false if isinstance(rel, sp.Equality) else sp.true


def _is_zero(d: Any, rng: Any, signs: dict[Any, int], fixed: dict[Any, Any] | None = None
             ) -> tuple[Any, Any]:
    """Exact zero test; on failure, a rational witness point (inside the case) decides."""
    if d == 0 or sp.expand(d) == 0:
        return True, None
    if d.has(*_KINKED) or d.atoms(Relational):
        return None, None
    size = sp.count_ops(d)
    if size < 3000 and sp.expand(sp.fraction(sp.together(d))[0]) == 0:
        return True, None  # the numerator over a common denominator vanishes identically
    if size < 150 and sp.simplify(d) == 0:
        return True, None
    for point in _points(d.free_symbols | set(_signs_free(signs)), rng, signs, 200):
        try:
            val = sp.N(d.xreplace(point).xreplace(fixed or {}), 40)
        except (ValueError, ZeroDivisionError):  # outside a function's domain (erfinv(2)):
            continue  # no witness there; the domain's rational spot checks decide
        if val.is_number and abs(complex(val)) > 1e-25:
            return False, point
    return None, None


def _signs_free(signs: dict[Any, int]) -> set[Any]:
    return set().union(*(k.free_symbols for k in signs)) if signs else set()


def _points(syms: set[Any], rng: Any, signs: dict[Any, int], tries: int) -> Any:
    """Random rational points respecting symbol assumptions and the case's signs."""
    syms = sorted(syms, key=str)
    found = 0
    for _ in range(tries):
        point = {s: _rational(s, rng) for s in syms}
        if all(sp.sign(sp.N(k.xreplace(point), 30)) == v for k, v in signs.items()):
            found += 1
            yield point
            if found >= 3:
                return


def _rational(s: Any, rng: Any) -> Any:
    q = int(rng.integers(2, 8))
    if s.is_positive:
        return sp.Rational(int(rng.integers(1, 4 * q)), q)
    v = sp.Rational(int(rng.integers(-3 * q, 3 * q)), q)
    if s.is_nonzero and v == 0:
        v = sp.Rational(1, q)
    return v
