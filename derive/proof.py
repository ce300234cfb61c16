"""Exact proof of the engine's VJP rules against the derivation from the forward.

``prove_rule(op, case)`` runs the engine's own raw rule ``op.vjp[i]`` — the function the engine
calls — on arrays of symbols, then ``numeric.unbroadcast``, and checks that its difference from
:func:`derive.exact_vjp` is exactly 0, entry by entry. Where the expressions are kinked (Max, Abs,
``where``, comparisons) the comparison is made by cases: every condition ``d > 0`` / ``d < 0``
(and each boolean input true / false) is decided in turn, which is far faster than simplifying a
Piecewise. The value at the kink itself is checked separately against the op's declared
convention (``Op.kink``). Where the rule cannot run on symbols (a NumPy call with no SymPy
mapping), the fallback is exact rational arithmetic at random rational points, and the proof's
``method`` says so.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from sympy.core.relational import Relational

from derive.exact import _key as _exact_key
from derive.exact import (
    cache_dir,
    exact_params,
    exact_vjp,
    for_case,
    forward,
    module_source,
    resolve,
)
from derive.symbolic import as_sym

__all__ = ["Proof", "prove_rule"]

SPOT_POINTS = 5
MAX_KINK_SYMBOLS = 7  # symbols inside the conditions of one entry
MAX_LEAVES = 128  # past this many regions per entry, fall back to rational spot checks
_PROOFS: dict[str, Proof] = {}
_KINKED = (sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside, sp.Piecewise)


@dataclass
class Proof:
    """The outcome of checking one op's rules at one case against the exact derivation."""

    op: str
    case: str
    label: str
    status: str  # "proved" | "spot-checked" | "refuted" | "unavailable"
    method: str
    detail: str = ""
    kink: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("proved", "spot-checked")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"op": self.op, "case": self.case, "label": self.label, "status": self.status,
                "method": self.method, "detail": self.detail, "kink": self.kink,
                "seconds": round(self.seconds, 4)}


def prove_rule(op: Any, case: Any, rule: tuple[Any, ...] | None = None, seed: int = 0) -> Proof:
    """Prove ``op``'s rules (or the replacement ``rule`` tuple) exact at ``case``.

    Example: ``prove_rule("matmul", Case(((2, 3), (3, 4))))`` -> ``Proof(status="proved", ...)``.
    Proofs of the table's own rules are cached like derivations, keyed also by the source of the
    modules defining the rules (an edit anywhere in them invalidates the proof).
    """
    op = for_case(resolve(op), case)
    if rule is not None:
        return _prove(op, case, tuple(rule), seed)
    key = f"{_exact_key(op, case)}-{_rules_digest(op, seed)}"
    if key in _PROOFS:
        return _PROOFS[key]
    path = cache_dir() / "rule-proofs" / f"{key}.json"
    try:
        found = Proof(**{k: v for k, v in json.loads(path.read_text()).items()})
    except (OSError, ValueError, TypeError):
        found = _prove(op, case, op.vjp, seed)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(found.to_dict()))
            os.replace(tmp, path)
        except OSError:
            pass
    _PROOFS[key] = found
    return found


def _rules_digest(op: Any, seed: int) -> str:
    parts = [str(seed), op.kink.text if op.kink else ""]
    for rule in op.vjp:
        fn = getattr(rule, "func", rule)
        try:
            parts.append(module_source(inspect.getmodule(fn)))
            parts.append(inspect.getsource(fn))
        except (OSError, TypeError):
            parts.append(f"{getattr(fn, '__qualname__', fn)!r}{getattr(rule, 'args', '')!r}")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _prove(op: Any, case: Any, rules: tuple[Any, ...], seed: int) -> Proof:
    start = time.perf_counter()
    shapes = " ; ".join("x".join(map(str, s)) if s else "()" for s in case.shapes)
    done = _Outcome(op.name, str(case), case.label, start)
    if len(rules) != op.nargs:
        return done("refuted", "rule check", f"{len(rules)} rules given for {op.nargs} inputs")
    try:
        exact = exact_vjp(op, case)
    except Exception as e:  # noqa: BLE001
        return done("unavailable", "no exact derivation", f"{type(e).__name__}: {e}")
    rng = np.random.default_rng(seed)
    bools = {s for i, x in enumerate(exact.xs) if op.domains()[i].kind == "bool"
             for s in x.view(np.ndarray).ravel()}
    params = dict(case.params)
    try:
        got = _run_rules(op, rules, exact, exact.xs, exact.out, params)
    except _Refuted as r:
        return done("refuted", f"exact symbolic proof at shapes {shapes}", str(r))
    except Exception as e:  # noqa: BLE001 - cannot run on symbols: rational spot checks
        return _spot_checks(op, rules, exact, params, rng, done,
                            f"the rule cannot run on symbols ({type(e).__name__}: {e})")
    undecided, by_cases = 0, 0
    for i, e in enumerate(exact.exprs):
        if e is None:
            continue
        for k in np.ndindex(*e.shape):
            verdict, how, witness = compare(got[i][k], e.view(np.ndarray)[k], bools, rng)
            by_cases += how == "cases"
            if verdict is False:
                return done("refuted", f"exact symbolic proof at shapes {shapes}",
                            _mismatch(exact, i, k, got[i][k], e.view(np.ndarray)[k], witness))
            undecided += verdict is None
    kink = _check_kink(op, rules, exact, params)
    method = f"exact symbolic proof at shapes {shapes}"
    if by_cases:
        method += f" ({by_cases} kinked entries compared by cases)"
    if kink and kink.startswith("refuted"):
        return done("refuted", method, kink, kink)
    if undecided:
        return _spot_checks(op, rules, exact, params, rng, done,
                            f"{undecided} entries not decided symbolically", kink)
    return done("proved", method, "", kink)


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
class _Refuted(Exception):
    pass


class _Outcome:
    def __init__(self, op: str, case: str, label: str, start: float) -> None:
        self.args = (op, case, label)
        self.start = start

    def __call__(self, status: str, method: str, detail: str = "",
                 kink: str | None = None) -> Proof:
        return Proof(*self.args, status, method, detail, kink, time.perf_counter() - self.start)


def _run_rules(op: Any, rules: Any, exact: Any, xs: list[Any], out: Any,
               params: dict[str, Any], g: Any = None) -> list[Any]:
    """Each rule then unbroadcast, on the given (symbolic or rational) arrays."""
    from numeric import unbroadcast

    g = exact.g if g is None else g
    got = []
    for i, (rule, e) in enumerate(zip(rules, exact.exprs)):
        if e is None:
            got.append(None)
            continue
        if rule is None:
            raise _Refuted(f"input {i} ({exact.names[i]}): no rule, but {op.name} depends on it")
        raw = rule(g, out, *xs, **exact_params(rule, params))
        try:
            res = unbroadcast(as_sym(raw), tuple(e.shape), where=f"{op.name} input {i}")
        except ValueError as err:
            raise _Refuted(f"input {i} ({exact.names[i]}): {err}") from None
        res = as_sym(res)
        if res.shape != e.shape:
            raise _Refuted(f"input {i} ({exact.names[i]}): the rule gives shape {res.shape} "
                           f"after unbroadcast, the input has shape {e.shape}")
        got.append(res.view(np.ndarray))
    return got


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
    if sp.count_ops(d) < 400 and sp.cancel(sp.together(d)) == 0:
        return True, None
    if sp.count_ops(d) < 150 and sp.simplify(d) == 0:
        return True, None
    for point in _points(d.free_symbols | set(signs_free(signs)), rng, signs, 200):
        val = sp.N(d.xreplace(point).xreplace(fixed or {}), 40)
        if val.is_number and abs(complex(val)) > 1e-25:
            return False, point
    return None, None


def signs_free(signs: dict[Any, int]) -> set[Any]:
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


def _rational_inputs(op: Any, exact: Any, rng: Any) -> dict[Any, Any]:
    point = {}
    for i, x in enumerate(exact.xs):
        dom = op.domains()[i]
        for s in x.view(np.ndarray).ravel():
            if dom.kind == "bool":
                point[s] = sp.true if rng.random() < 0.5 else sp.false
                continue
            while True:
                q = int(rng.integers(2, 10))
                lo, hi = int(np.ceil(dom.low * q)), int(np.floor(dom.high * q))
                v = sp.Rational(int(rng.integers(lo, hi + 1)), q)
                if all(abs(float(v) - a) >= dom.margin for a in dom.avoid):
                    break
            point[s] = v
    for s in exact.g.view(np.ndarray).ravel():
        point[s] = sp.Rational(int(rng.integers(-9, 10)), int(rng.integers(1, 5)))
    return point


def _subs(a: Any, point: dict[Any, Any]) -> Any:
    out = np.empty(a.shape, dtype=object)
    for k in np.ndindex(*a.shape):
        out[k] = sp.sympify(a.view(np.ndarray)[k]).xreplace(point)
    return as_sym(out)


def _spot_checks(op: Any, rules: Any, exact: Any, params: dict[str, Any], rng: Any, done: Any,
                 why: str, kink: str | None = None) -> Proof:
    method = f"exact rational spot checks at {SPOT_POINTS} points"
    for _ in range(SPOT_POINTS):
        point = _rational_inputs(op, exact, rng)
        xs = [_subs(x, point) for x in exact.xs]
        try:
            out = forward(op, xs, params)
        except Exception:  # noqa: BLE001
            out = _subs(exact.out, point)
        try:
            got = _run_rules(op, rules, exact, xs, out, params, _subs(exact.g, point))
        except _Refuted as r:
            return done("refuted", method, str(r), kink)
        except Exception as e:  # noqa: BLE001
            return done("unavailable", "the rule cannot run on symbols or rationals",
                        f"{why}; at rationals: {type(e).__name__}: {e}", kink)
        for i, e in enumerate(exact.exprs):
            if e is None:
                continue
            for k in np.ndindex(*e.shape):
                want = sp.sympify(e.view(np.ndarray)[k]).xreplace(point)
                d = sp.sympify(got[i][k]) - want
                if d != 0 and sp.simplify(d) != 0 and abs(complex(sp.N(d, 40))) > 1e-25:
                    detail = _mismatch(exact, i, k, got[i][k], want, point)
                    return done("refuted", method, detail, kink)
    return done("spot-checked", method, why, kink)


def _check_kink(op: Any, rules: Any, exact: Any, params: dict[str, Any]) -> str | None:
    """At the kink, the rule must give the op's declared slopes ``g * slope[i]``."""
    kink = op.kink
    if kink is None:
        return None
    if len({x.shape for x in exact.xs}) != 1 or op.signature != "elementwise":
        return f"not checked at this case (inputs of different shapes): {kink.text}"
    placed = [as_sym(x) for x in kink.place(*exact.xs)]
    try:
        out = forward(op, placed, params)
        got = _run_rules(op, rules, exact, placed, out, params)
    except Exception as e:  # noqa: BLE001
        return f"refuted: at the kink the rule fails: {type(e).__name__}: {e}"
    g = exact.g.view(np.ndarray)
    for i, slope in enumerate(kink.slope):
        if got[i] is None:
            continue
        for k in np.ndindex(*g.shape):
            want = g[k] * sp.Rational(slope)
            if sp.expand(sp.sympify(got[i][k]) - want) != 0:
                return (f"refuted: at the kink ({kink.text}) input {i} ({exact.names[i]}), "
                        f"entry {k}: the rule gives {got[i][k]}, the declared slope gives {want}")
    return f"confirmed at the kink: {kink.text}"


def _mismatch(exact: Any, i: int, k: tuple[int, ...], got: Any, want: Any, witness: Any) -> str:
    def short(v: Any) -> str:
        s = str(v)
        return s if len(s) < 300 else s[:300] + "…"

    at = ""
    if witness:
        at = "; they differ at " + ", ".join(f"{s}={v}" for s, v in list(witness.items())[:8])
    return (f"input {i} ({exact.names[i]}), entry {k}: the rule gives {short(got)}, "
            f"the derivation gives {short(want)}{at}")
