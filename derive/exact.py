"""Exact VJPs at concrete shapes, derived from an op's forward only, cached in :mod:`derive.store`.

The VJP of ``f`` at ``x`` for a cotangent ``G`` is the gradient of ``l = Σ G ⊙ f(x)``. The op's
own NumPy forward runs on arrays of symbols (:mod:`derive.symbolic`); broadcasting needs no special
case, its sums emerge from the derivation. Accumulation is sparse: each output entry contributes
``G[k] · ∂f[k]/∂s`` only to the symbols ``s`` it contains.

Cached derivations are plain JSON (:mod:`derive.serial`) and are never trusted: every load — from
disk or from memory — is checked at a fresh random rational point (:func:`matches_forward`): the
forward run there must equal the stored ``out``, and one directional derivative of ``l`` taken
through the forward must equal the stored VJP. Any difference, or an entry that does not decode,
re-derives (a stored entry is checked at :data:`CHECK_POINTS` points: a VJP changed only on a
region, such as x < 0, shows at each point with the chance that the point falls in it).
Limits: expression size grows fast with shapes, so cases with more than ``max_entries``
(default :data:`derive.oprun.MAX_ENTRIES`) input or output entries are refused.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from derive import serial, store
from derive.budget import OutOfTime, budget
from derive.oprun import (
    MAX_ENTRIES,
    DeriveError,
    SizeError,
    for_case,
    forward,
    fresh_rng,
    input_symbols,
    is_zero,
    own_digest,
    rational_point,
    resolve,
    size_guard,
    subs,
)
from derive.symbolic import SymArray, as_sym, symbols
from numeric import Op, __version__
from numeric.cases import Case

__all__ = ["ExactVJP", "DeriveError", "exact_vjp", "clear_cache", "matches_forward",
           "active_inputs", "store_key"]

FORMAT = 2
_SCALAR = [{"Heaviside": lambda x, h=0.5: 1.0 if x > 0 else h if x == 0 else 0.0,
            "sign": lambda x: float((x > 0) - (x < 0)), "conjugate": lambda x: x}, "math"]
_MEMORY: dict[str, ExactVJP] = {}
_STEP = sp.Rational(1, 10**30)
# Fresh points a stored derivation (or proof) is checked at when read from disk. More points
# catch a VJP changed only on a region (x < 0) more surely; each costs ~1/3 of a warm load.
CHECK_POINTS = 1
RECHECK_SECONDS = 10.0  # one re-check at a fresh point; past it the derivation is made again


@dataclass
class ExactVJP:
    """The exact VJP of one op at one case: per input an object array of SymPy expressions."""

    op: str
    case: Case
    names: tuple[str, ...]
    xs: list[SymArray]                  # per input: its symbols
    g: SymArray                         # the cotangent's symbols (shape of out)
    out: SymArray                       # the forward's expressions
    exprs: list[SymArray | None]        # per input: ∂l/∂x entries (None: not differentiated)
    seconds: float = 0.0
    _fns: list[Any] = field(default_factory=list, repr=False)

    def evaluate(self, xs: list[Any], g: Any) -> list[np.ndarray | None]:
        """float64 VJP values at numeric inputs ``xs`` for the cotangent ``g``."""
        if len(xs) != len(self.xs):
            raise ValueError(f"{self.op}: expected {len(self.xs)} inputs, got {len(xs)}")
        args = []
        for i, (sym, x) in enumerate(zip(self.xs, xs)):
            if np.shape(x) != sym.shape:
                raise ValueError(f"{self.op}: input {i} has shape {np.shape(x)}, the derivation "
                                 f"was made at shape {sym.shape}")
            args.append(np.asarray(x).ravel().tolist())
        if np.shape(g) != self.g.shape:
            raise ValueError(f"{self.op}: cotangent has shape {np.shape(g)}, "
                             f"expected {self.g.shape}")
        args.append(np.asarray(g, dtype=np.float64).ravel().tolist())
        if not self._fns:
            self._fns = [None if e is None else self._lambdify(e, _SCALAR) for e in self.exprs]
        result = []
        for fn, e in zip(self._fns, self.exprs):
            if fn is None:
                result.append(None)
                continue
            try:
                vals = fn(*args)
            except NameError:  # a special function Python's math lacks (polygamma, besselj, ...)
                vals = self._lambdify(e, [_SCALAR[0], "mpmath"])(*args)
            except (ValueError, ZeroDivisionError, OverflowError):  # math domain: IEEE instead
                with np.errstate(all="ignore"):
                    vals = self._lambdify(e, "numpy")(*args)
            result.append(np.asarray(vals, dtype=np.float64).reshape(e.shape))
        return result

    def _lambdify(self, e: np.ndarray, modules: Any) -> Any:
        # Entries are scalars: Python's math module evaluates them; NumPy's printer is ~100x
        # slower to generate code for Heaviside(x - Max(...)) and is kept for IEEE fallbacks.
        flat = [list(s.view(np.ndarray).ravel()) for s in (*self.xs, self.g)]
        entries = [sp.sympify(v) for v in e.view(np.ndarray).ravel()]
        return sp.lambdify(flat, entries, modules, cse=True)

    def to_doc(self) -> dict[str, Any]:
        """Plain JSON: the forward's expressions and each input's VJP (symbols are implied)."""
        return {"op": self.op, "out": serial.encode_array(self.out),
                "exprs": [None if e is None else serial.encode_array(e) for e in self.exprs],
                "seconds": round(self.seconds, 4)}

    @classmethod
    def from_doc(cls, op: Op, case: Case, doc: Any) -> ExactVJP:
        """The derivation a :meth:`to_doc` document holds; SerialError if it is not exactly one."""
        if not isinstance(doc, dict) or doc.get("op") != op.name or not isinstance(
                doc.get("exprs"), list) or len(doc["exprs"]) != op.nargs:
            raise serial.SerialError("not a derivation of this op")
        names, xs = input_symbols(op, case)
        out = serial.decode_array(doc["out"])
        g = symbols("g", out.shape)
        allowed = {s for x in xs for s in x.view(np.ndarray).ravel()}
        exprs: list[SymArray | None] = []
        for i, (e, active) in enumerate(zip(doc["exprs"], active_inputs(op))):
            if (e is None) != (not active):
                raise serial.SerialError(f"input {i}: differentiated where it should not be")
            exprs.append(None if e is None else
                         serial.decode_array(e, case.shapes[i]).view(SymArray))
        gs = set(g.view(np.ndarray).ravel())
        for a, ok in [(out, allowed)] + [(e, allowed | gs) for e in exprs if e is not None]:
            for v in np.asarray(a, dtype=object).ravel():
                if not sp.sympify(v).free_symbols <= ok:
                    raise serial.SerialError("an entry holds symbols foreign to this case")
        seconds = doc.get("seconds")
        return cls(op.name, case, names, xs, g, out.view(SymArray), exprs,
                   float(seconds) if isinstance(seconds, (int, float)) else 0.0)


def exact_vjp(op: Op | str, case: Case, max_entries: int | None = None,
              recheck: bool = True) -> ExactVJP:
    """Derive ``op``'s VJP at ``case`` from its forward: ``exact_vjp("matmul", Case(...))``.

    Raises SizeError past ``max_entries`` input or output entries (default 512). ``recheck=False``
    skips the forward check of a derivation held in memory (for callers that check it themselves,
    as the proof's spot check does); one read from disk is always checked."""
    op = for_case(resolve(op), case)
    size_guard(op, case, max_entries)
    key = store_key(op, case)
    params = dict(case.params)
    found = _MEMORY.get(key)
    along = found is None  # read from disk: also check the stored VJP (it may be tampered)
    if found is None:
        try:
            found = ExactVJP.from_doc(op, case, store.load("exact", key))
        except (serial.SerialError, RecursionError, TypeError, ValueError):
            found = None
    if found is not None and (not (along or recheck) or all(
            matches_forward(op, found, params, along=along)
            for _ in range(CHECK_POINTS if along else 1))):
        _MEMORY[key] = found
        return found
    found = _derive(op, case, params, MAX_ENTRIES if max_entries is None else max_entries)
    _MEMORY[key] = found
    try:
        store.save("exact", key, found.to_doc())
    except (serial.SerialError, TypeError):
        pass  # an expression outside the whitelist: derived every time, never stored
    return found


def matches_forward(op: Op, exact: ExactVJP, params: dict[str, Any],
                    rng: np.random.Generator | None = None, along: bool = True) -> bool:
    """Does ``exact`` still describe the op's forward? At a fresh random rational point the
    forward must give the stored ``out`` exactly, and (``along``) the derivative of ``l`` along a
    random direction ``v`` the stored VJP's ``Σ ∂l/∂x · v``: compared with the central difference
    quotient of ``l`` through the forward with the step 10⁻³⁰ in 110-digit arithmetic (its error
    is ~10⁻⁶⁰; a wrong VJP differs by far more than the 10⁻³⁵ allowed). A derivation held in
    memory was derived here: only its forward is checked.
    """
    rng = rng if rng is not None else fresh_rng()
    limit = budget(RECHECK_SECONDS)
    try:
        with limit:
            return _matches_forward(op, exact, params, rng, along)
    except OutOfTime as e:
        if e.owner is not limit:
            raise  # an outer budget ran out: not ours to answer
        return False  # a point SymPy is slow at: derive again (it has budgets of its own)


def _matches_forward(op: Op, exact: ExactVJP, params: dict[str, Any], rng: np.random.Generator,
                     along: bool) -> bool:
    try:
        point = rational_point(op, exact.xs, exact.g, rng)
        x0 = [subs(x, point) for x in exact.xs]
        if not all(is_zero(a - b) for a, b in zip(
                _flat(forward(op, x0, params)), _flat(subs(exact.out, point)))):
            return False
        if not along:
            return True
        moved: list[list[Any]] = [[], []]
        slope = sp.Integer(0)
        for x, e in zip(x0, exact.exprs):
            plain = x.view(np.ndarray)
            if e is None:
                moved[0].append(x)
                moved[1].append(x)
                continue
            v = np.array([sp.Integer(int(rng.choice([-3, -2, -1, 1, 2, 3])))
                          for _ in range(plain.size)], dtype=object).reshape(plain.shape)
            slope += sum((a * b for a, b in zip(_flat(subs(e, point)), v.ravel())),
                         sp.Integer(0))
            moved[0].append(_digits(plain + v * _STEP))
            moved[1].append(_digits(plain - v * _STEP))
        g0 = _flat(subs(exact.g, point))
        ahead, behind = (_flat(forward(op, m, params)) for m in moved)
        quotient = sum((gk * (a - b) for gk, a, b in zip(g0, ahead, behind)),
                       sp.Integer(0)) / (2 * _STEP)
        size = max(1.0, abs(complex(sp.N(slope, 30))))
        return abs(complex(sp.N(quotient - slope, 60))) <= 1e-35 * size
    except Exception:  # noqa: BLE001 - the forward cannot be checked: derive again
        return False


def clear_cache(disk: bool = False) -> None:
    """Forget derivations and expression checks held in memory (and every stored one with
    ``disk=True``)."""
    _MEMORY.clear()
    expressions = sys.modules.get("derive.expression.cache")  # only if loaded: no SymPy import
    if expressions is not None:
        expressions._MEMORY.clear()
    if disk:
        for ns in ("exact", "proof", "derivation", "expression"):
            store.clear(ns)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _digits(a: np.ndarray) -> SymArray:
    """Exact numbers as 110-digit floats (exact rational powers with 30-digit denominators
    would make SymPy search for perfect powers)."""
    a = np.asarray(a, dtype=object)
    out = np.empty(a.shape, dtype=object)
    for k in np.ndindex(*a.shape):
        out[k] = sp.Float(a[k], 110)
    return as_sym(out)


def _flat(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=object).ravel()


def active_inputs(op: Op) -> list[bool]:
    """Per input: is it differentiated (a rule, not a boolean condition)?"""
    return [rule is not None and dom.kind != "bool" for rule, dom in zip(op.vjp, op.domains())]


def _derive(op: Op, case: Case, params: dict[str, Any], limit: int) -> ExactVJP:
    start = time.perf_counter()
    names, xs = input_symbols(op, case)
    out = forward(op, xs, params)
    if out.size > limit:
        raise SizeError(f"{op.name} at shapes {case}: {out.size} output entries exceed the "
                        f"exact-derivation limit of {limit}; raise it with max_entries= "
                        "(gradproof derive --max-entries) or use smaller shapes")
    g = symbols("g", out.shape)
    active = active_inputs(op)
    where: dict[sp.Symbol, tuple[int, tuple[int, ...]]] = {}
    for i, x in enumerate(xs):
        if active[i]:
            for k in np.ndindex(*x.shape):
                where[x.view(np.ndarray)[k]] = (i, k)
    terms: dict[sp.Symbol, list[sp.Expr]] = {s: [] for s in where}
    plain_out, plain_g = out.view(np.ndarray), g.view(np.ndarray)
    for k in np.ndindex(*out.shape):
        f = sp.sympify(plain_out[k])
        for s in f.free_symbols & where.keys():
            terms[s].append(plain_g[k] * _flat_steps(sp.diff(f, s)))
    exprs: list[SymArray | None] = []
    for i, x in enumerate(xs):
        if not active[i]:
            exprs.append(None)
            continue
        e = np.empty(x.shape, dtype=object)
        for k in np.ndindex(*x.shape):
            e[k] = sp.Add(*terms[x.view(np.ndarray)[k]])
        exprs.append(e.view(SymArray))
    return ExactVJP(op.name, case, names, xs, g, out, exprs, time.perf_counter() - start)


def _flat_steps(d: Any) -> Any:
    """floor and ceiling are piecewise constant: off their jumps (the op's declared kink) their
    derivative is 0, which SymPy leaves as an unevaluated Derivative (inside a Subs)."""
    if not d.has(sp.Derivative):
        return d
    d = d.replace(lambda e: isinstance(e, sp.Derivative)
                  and isinstance(e.expr, (sp.floor, sp.ceiling)), lambda e: sp.Integer(0))
    return d.replace(lambda e: isinstance(e, sp.Subs) and e.expr == 0, lambda e: sp.Integer(0))


def store_key(op: Op, case: Case) -> str:
    """The store key of the exact derivation of ``op`` at ``case``."""
    doms = [(d.low, d.high, d.avoid, d.margin, d.kind) for d in op.domains()]
    return store.key("exact", FORMAT, op.name, case.shapes, sorted(case.params.items(), key=str),
                     doms, active_inputs(op), op.sym is None, __version__, sp.__version__,
                     np.__version__, own_digest())
