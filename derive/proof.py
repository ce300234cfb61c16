"""Exact proof of the engine's VJP rules against the derivation from the forward.

``prove_rule(op, case)`` runs the engine's own raw rule ``op.vjp[i]`` — the function the engine
calls — on arrays of symbols, then ``numeric.unbroadcast``, and checks that its difference from
:func:`derive.exact_vjp` is exactly 0, entry by entry (by cases where kinked, see
:mod:`derive.compare`); the value at the kink is checked against ``Op.kink`` (:mod:`derive.kink`).
Where the rule cannot run on symbols, or the symbolic proof exceeds its time budget, exact
rational spot checks (:mod:`derive.spot`) run with their own budget; the proof's ``method`` and
``detail`` say which ran and why, and a proof whose spot checks also run out is ``timed-out``.

Proofs of the table's rules are kept in :mod:`derive.store`, bound to what the rule computes: on
every load the rule runs at fresh random rational points (:data:`derive.exact.CHECK_POINTS` when
read from disk, 1 when held in memory; drawn from an OS-seeded generator, so no one can aim at
them) and must equal the
(itself re-checked) derivation there exactly, and give the declared slopes at the kink;
otherwise it is proved again.
Replacement rules (mutants) are never cached.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from derive import store
from derive.budget import OutOfTime, budget
from derive.compare import compare
from derive.constructed import POINTS as CONSTRUCTED_POINTS
from derive.constructed import constructed_check
from derive.exact import CHECK_POINTS, ExactVJP, exact_vjp
from derive.exact import store_key as exact_key
from derive.kink import check_kink
from derive.oprun import DeriveError, Refuted, SizeError, for_case, fresh_rng, resolve, run_rules
from derive.spot import mismatch, spot_check
from numeric import Op
from numeric.cases import Case

__all__ = ["Proof", "Limits", "prove_rule", "proof_key", "STATUSES"]

STATUSES = ("proved", "spot-checked", "refuted", "timed-out", "unavailable")
_PROOFS: dict[str, Proof] = {}


@dataclass(frozen=True)
class Limits:
    """Time budgets (s) of the symbolic proof (``closed_form_seconds``, ≤ 0: no cap, for an op
    with constructed exact points, ~0.1 s each, whose closed forms seldom finish) and of the spot
    checks after it, the number of spot-check points, and the size limit (None: 512 entries)."""

    symbolic_seconds: float = 5.0
    spot_seconds: float = 10.0
    spot_points: int = 5
    max_entries: int | None = None
    closed_form_seconds: float = 1.0

    def symbolic(self, op: Op) -> float:
        """The symbolic proof's budget for ``op``."""
        cap = self.closed_form_seconds if op.exact_point is not None else 0
        return min(self.symbolic_seconds, cap) if cap > 0 else self.symbolic_seconds


@dataclass
class Proof:
    """The outcome of checking one op's rules at one case against the exact derivation."""

    op: str
    case: str
    label: str
    status: str  # one of STATUSES
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

    @classmethod
    def from_dict(cls, doc: Any) -> Proof:
        """A Proof from :meth:`to_dict`'s fields; ValueError naming the first bad field."""
        if not isinstance(doc, dict) or set(doc) != set(_FIELDS):
            raise ValueError(f"a proof has the fields {', '.join(_FIELDS)}")
        for name, types in _FIELDS.items():
            if not isinstance(doc[name], types) or isinstance(doc[name], bool):
                raise ValueError(f"proof field {name!r} has type {type(doc[name]).__name__}")
        if doc["status"] not in STATUSES:
            raise ValueError(f"proof status {doc['status']!r} is not one of {STATUSES}")
        return cls(**doc)


_FIELDS: dict[str, Any] = {"op": str, "case": str, "label": str, "status": str, "method": str,
                           "detail": str, "kink": (str, type(None)), "seconds": (int, float)}


def prove_rule(op: Op | str, case: Case, rule: tuple[Any, ...] | None = None, seed: int = 0,
               limits: Limits | None = None) -> Proof:
    """Prove ``op``'s rules (or the replacement ``rule`` tuple) exact at ``case``.

    Example: ``prove_rule("matmul", Case(((2, 3), (3, 4))))`` -> ``Proof(status="proved", ...)``.
    ``limits`` sets the time budgets and size limit (:class:`Limits`).
    """
    op = for_case(resolve(op), case)
    limits = limits or Limits()
    if rule is not None:
        return _prove(op, case, tuple(rule), seed, limits)
    key = proof_key(op, case, seed)
    found = _PROOFS.get(key)
    points = 1 if found is not None else CHECK_POINTS  # proved here vs. read from disk
    if found is None:
        try:
            found = Proof.from_dict(store.load("proof", key))
        except ValueError:
            found = None
    if found is not None and found.op == op.name and found.case == str(case) and found.ok \
            and _still_holds(op, case, limits, points):
        _PROOFS[key] = found
        return found
    stale = found is not None
    found = _prove(op, case, op.vjp, seed, limits)
    _PROOFS.pop(key, None)
    if found.ok:  # a failing verdict is cheap to reach again and may depend on the load
        _PROOFS[key] = found
        store.save("proof", key, found.to_dict())
    elif stale:  # the stored "proved" no longer holds: never serve it again
        store.drop("proof", key)
    return found


def proof_key(op: Op, case: Case, seed: int = 0) -> str:
    """The store key of the proof of ``op``'s own rules at ``case``."""
    return store.key("proof", exact_key(op, case), seed, op.kink.text if op.kink else "",
                     _code(op.vjp))


def _code(rules: tuple[Any, ...]) -> str:
    """The rules' own bytecode and constants: an edit to a rule changes the proof's key at once
    (helpers, closures and globals it reads are caught by the re-check at a fresh point)."""
    parts = []
    for rule in rules:
        fn = getattr(rule, "func", rule)
        code = getattr(fn, "__code__", None)
        parts.append(repr((code.co_code, code.co_consts, code.co_names)) if code else repr(fn))
    return "\0".join(parts)


def _still_holds(op: Op, case: Case, limits: Limits, points: int) -> bool:
    """The rule, run now at a fresh rational point, equals the derivation there (and at the
    kink): a cached proof is of what the rule computes, not of its source text."""
    rng = fresh_rng()
    try:
        with budget(limits.symbolic_seconds) as clock:
            try:
                exact = exact_vjp(op, case, limits.max_entries, recheck=False)  # spot_check does
            except SizeError:
                return False
            except DeriveError:  # no exact form: the rule again at a fresh constructed point
                return op.exact_point is not None and constructed_check(
                    op, op.vjp, case, points, rng, clock)[0] == "spot-checked"
            if spot_check(op, op.vjp, case, exact, points, rng, clock)[0] != "spot-checked":
                return False
            kink = check_kink(op, op.vjp, exact, dict(case.params), rng, sides=False)
            return not (kink or "").startswith("refuted")
    except OutOfTime as e:
        if e.owner is not clock:
            raise
        return False
    except Exception:  # noqa: BLE001 - anything odd: prove again
        return False


def _prove(op: Op, case: Case, rules: tuple[Any, ...], seed: int, limits: Limits) -> Proof:
    done = _Outcome(op.name, str(case), case.label, time.perf_counter())
    if len(rules) != op.nargs:
        return done("refuted", "rule check", f"{len(rules)} rules given for {op.nargs} inputs")
    rng = np.random.default_rng(seed)
    held: list[ExactVJP] = []
    seconds = limits.symbolic(op)
    try:
        with budget(seconds) as clock:
            return _symbolic(op, case, rules, rng, done, limits, held)
    except OutOfTime as e:
        if e.owner is not clock:
            raise
        why, kink = f"symbolic proof exceeded {seconds:g} s", None
    except _Spot as s:
        why, kink = s.why, s.kink
    except SizeError as e:
        return done("unavailable", "no exact derivation", str(e))
    except DeriveError as e:
        if op.exact_point is None:
            return done("unavailable", "no exact derivation", str(e))
        return _constructed(op, case, rules, rng, limits, done, "")
    except Exception as e:  # noqa: BLE001 - the forward cannot run on symbols
        return done("unavailable", "no exact derivation", f"{type(e).__name__}: {e}")
    if op.exact_point is not None:  # exact points with known factors: far faster than random
        return _constructed(op, case, rules, rng, limits, done, why)  # ones through radicals
    method = f"exact rational spot checks at {limits.spot_points} points"
    try:
        with budget(limits.spot_seconds) as clock:
            status, detail = spot_check(op, rules, case, held[0] if held else None,
                                        limits.spot_points, rng, clock)
    except OutOfTime as e:
        if e.owner is not clock:
            raise
        return done("timed-out", method, f"{why}; the spot checks exceeded "
                    f"{limits.spot_seconds:g} s", kink)
    except Exception as e:  # noqa: BLE001 - the forward cannot run on rationals either
        return done("unavailable", "the rule cannot run on symbols or rationals",
                    f"{why}; at rationals: {type(e).__name__}: {e}", kink)
    if status == "unavailable":
        return done(status, "the rule cannot run on symbols or rationals", f"{why}; {detail}",
                    kink)
    return done(status, method, why if status == "spot-checked" else detail, kink)


def _symbolic(op: Op, case: Case, rules: tuple[Any, ...], rng: np.random.Generator,
              done: _Outcome, limits: Limits, held: list[ExactVJP]) -> Proof:
    shapes = " ; ".join("x".join(map(str, s)) if s else "()" for s in case.shapes)
    method = f"exact symbolic proof at shapes {shapes}"
    exact = exact_vjp(op, case, limits.max_entries)
    held.append(exact)
    bools = {s for i, x in enumerate(exact.xs) if op.domains()[i].kind == "bool"
             for s in x.view(np.ndarray).ravel()}
    params = dict(case.params)
    try:
        got = run_rules(op, rules, exact.names, exact.exprs, exact.xs, exact.out, exact.g, params)
    except Refuted as r:
        return done("refuted", method, str(r))
    except Exception as e:  # noqa: BLE001 - cannot run on symbols: rational spot checks
        raise _Spot(f"the rule cannot run on symbols ({type(e).__name__}: {e})") from None
    undecided, by_cases = 0, 0
    for i, e in enumerate(exact.exprs):
        if e is None:
            continue
        for k in np.ndindex(*e.shape):
            verdict, how, witness = compare(got[i][k], e.view(np.ndarray)[k], bools, rng)
            by_cases += how == "cases"
            if verdict is False:
                return done("refuted", method, mismatch(exact.names, i, k, got[i][k],
                                                        e.view(np.ndarray)[k], witness))
            undecided += verdict is None
    kink = check_kink(op, rules, exact, params, rng)
    if by_cases:
        method += f" ({by_cases} kinked entries compared by cases)"
    if kink and kink.startswith("refuted"):
        return done("refuted", method, kink, kink)
    if undecided:
        raise _Spot(f"{undecided} entries not decided symbolically", kink)
    return done("proved", method, "", kink)


def _constructed(op: Op, case: Case, rules: tuple[Any, ...], rng: np.random.Generator,
                 limits: Limits, done: _Outcome, why: str) -> Proof:
    """No exact form (or its proof ran out: ``why``), but the op declares exact points: the
    rule is checked exactly there."""
    try:
        with budget(limits.spot_seconds) as clock:
            status, method, detail = constructed_check(op, rules, case, CONSTRUCTED_POINTS, rng,
                                                       clock)
    except OutOfTime as e:
        if e.owner is not clock:
            raise
        return done("timed-out", "exact at constructed rational points",
                    f"the constructed points exceeded {limits.spot_seconds:g} s")
    except Refuted as r:
        return done("refuted", "exact at constructed rational points", str(r))
    except Exception as e:  # noqa: BLE001 - a NumPy call in the rule with no exact meaning
        return done("unavailable", "the rule cannot run on rationals",
                    f"at a constructed point: {type(e).__name__}: {e}")
    return done(status, method, "; ".join(t for t in (why, detail) if t))


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
class _Spot(Exception):  # noqa: N818 - a hand-over to the spot checks, not an error
    def __init__(self, why: str, kink: str | None = None) -> None:
        super().__init__(why)
        self.why, self.kink = why, kink


class _Outcome:
    def __init__(self, op: str, case: str, label: str, start: float) -> None:
        self.args = (op, case, label)
        self.start = start

    def __call__(self, status: str, method: str, detail: str = "",
                 kink: str | None = None) -> Proof:
        return Proof(*self.args, status, method, detail, kink, time.perf_counter() - self.start)
