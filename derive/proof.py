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

from derive.compare import compare
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
_PROOFS: dict[str, Proof] = {}


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
    kink = _check_kink(op, rules, exact, params, rng)
    method = f"exact symbolic proof at shapes {shapes}"
    if by_cases:
        method += f" ({by_cases} kinked entries compared by cases)"
    if kink and kink.startswith("refuted"):
        return done("refuted", method, kink, kink)
    if undecided:
        return _spot_checks(op, rules, exact, params, rng, done,
                            f"{undecided} entries not decided symbolically", kink)
    return done("proved", method, "", kink)


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


def _rational_inputs(op: Any, exact: Any, rng: Any) -> dict[Any, Any]:
    # Entries get distinct values: two equal entries are a tie, the kink of max/min-like ops,
    # where the derivation's one-sided value and the rule's convention may rightly differ.
    point = {}
    used: set[Any] = set()
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
                if v not in used and all(abs(float(v) - a) >= dom.margin for a in dom.avoid):
                    break
            used.add(v)
            point[s] = v
        if dom.kind in ("invertible", "spd") and x.ndim >= 2:
            _matrix_domain(x.view(np.ndarray), point, dom.kind)
    for s in exact.g.view(np.ndarray).ravel():
        point[s] = sp.Rational(int(rng.integers(-9, 10)), int(rng.integers(1, 5)))
    return point


def _matrix_domain(x: np.ndarray, point: dict[Any, Any], kind: str) -> None:
    """Make each matrix of ``x`` invertible (n added on the diagonal) or SPD (a aᵀ + n I)."""
    n = x.shape[-1]
    for k in np.ndindex(*x.shape[:-2]):
        a = sp.Matrix([[point[x[k + (r, c)]] for c in range(n)] for r in range(n)])
        m = a * a.T + n * sp.eye(n) if kind == "spd" else a + n * sp.eye(n)
        for r in range(n):
            for c in range(n):
                point[x[k + (r, c)]] = m[r, c]


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


def _check_kink(op: Any, rules: Any, exact: Any, params: dict[str, Any],
                rng: Any = None) -> str | None:
    """At the kink, the rule must give the op's declared slopes ``g * slope[i]``.

    The inputs are put on the kink by ``Kink.place`` from a random rational point (so places
    such as "the nearest bound" become exact numbers); ``g`` stays symbolic.
    """
    kink = op.kink
    if kink is None:
        return None
    if not kink.slope:
        return f"no elementwise slope declared; the regions around it are proved: {kink.text}"
    if len({x.shape for x in exact.xs}) != 1:
        return f"checked at cases whose inputs share a shape, not this one: {kink.text}"
    rng = rng if rng is not None else np.random.default_rng(0)
    point = _rational_inputs(op, exact, rng)
    try:
        placed = [as_sym(x) for x in kink.place(*[_subs(x, point) for x in exact.xs])]
        out = forward(op, placed, params)
        got = _run_rules(op, rules, exact, placed, out, params)
    except Exception as e:  # noqa: BLE001
        return f"refuted: at the kink the rule fails: {type(e).__name__}: {e}"
    g = exact.g.view(np.ndarray)
    for i, slope in enumerate(kink.slope):
        if got[i] is None:
            continue
        if slope != 0 and got[i].shape != g.shape:
            return f"checked at cases where the output has the input's shape: {kink.text}"
        for k in np.ndindex(*got[i].shape):
            # a slope of 0 means a zero cotangent for any op; else g * slope entry by entry
            want = sp.Integer(0) if slope == 0 else g[k] * sp.Rational(slope)
            if sp.expand(sp.sympify(got[i][k]) - want) != 0:
                return (f"refuted: at the kink ({kink.text}) input {i} ({exact.names[i]}), "
                        f"entry {k}: the rule gives {got[i][k]}, the declared slope gives {want}")
    if any(x.shape != g.shape for x in exact.xs):
        return f"confirmed at the kink: {kink.text}"
    sides = _one_sided(exact, placed, kink.slope)
    if sides.startswith("refuted"):
        return sides
    return f"confirmed at the kink: {kink.text}{sides}"


def _one_sided(exact: Any, placed: list[Any], slopes: tuple[float, ...]) -> str:
    """The declared slopes must lie between the one-sided derivatives of the forward there."""
    if not exact.g.size or not slopes:
        return ""
    k = next(iter(np.ndindex(*exact.g.shape)))
    f = sp.sympify(exact.out.view(np.ndarray)[k])
    at = {x.view(np.ndarray)[k]: sp.sympify(p.view(np.ndarray)[k])
          for x, p in zip(exact.xs, placed)}
    h = sp.Symbol("h", positive=True)
    found = []
    for i, slope in enumerate(slopes):
        s = exact.xs[i].view(np.ndarray)[k]
        moved = {**at, s: at[s] + h}
        left_moved = {**at, s: at[s] - h}
        try:
            right = sp.limit((f.xreplace(moved) - f.xreplace(at)) / h, h, 0)
            left = sp.limit((f.xreplace(at) - f.xreplace(left_moved)) / h, h, 0)
        except Exception:  # noqa: BLE001 - SymPy cannot take the limit: say nothing
            return ""
        if not (right.is_number and left.is_number):
            return ""
        if not (right.is_finite and left.is_finite):
            found.append(f"{exact.names[i]}: the forward jumps here, {slope} is its slope on "
                         "either side")
            continue
        lo, hi = sorted((left, right))
        if not lo <= sp.Rational(slope) <= hi:
            return (f"refuted: at the kink input {i} ({exact.names[i]}) the declared slope "
                    f"{slope} is outside the one-sided derivatives [{lo}, {hi}]")
        found.append(f"{exact.names[i]}: {slope} in [{lo}, {hi}]")
    return "; between the one-sided derivatives (" + ", ".join(found) + ")"


def _mismatch(exact: Any, i: int, k: tuple[int, ...], got: Any, want: Any, witness: Any) -> str:
    def short(v: Any) -> str:
        s = str(v)
        return s if len(s) < 300 else s[:300] + "…"

    at = ""
    if witness:
        at = "; they differ at " + ", ".join(f"{s}={v}" for s, v in list(witness.items())[:8])
    return (f"input {i} ({exact.names[i]}), entry {k}: the rule gives {short(got)}, "
            f"the derivation gives {short(want)}{at}")
