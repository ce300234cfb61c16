"""The exact check: a closed form compared entry by entry with the index-level derivation.

For each set of sizes (:func:`shapes.candidates`: all dimensions different, one set with every
square dimension ≥ 3, both where the expression is defined) the expression is evaluated on
arrays of scalar symbols (:mod:`derive.expression.evaluate`) and SymPy differentiates the
scalar ``l`` (``l = Σ G ∘ F`` for an array-valued ``F``) with respect to each entry of ``X``.
The closed form must equal that derivative exactly:

- **symbolically** when the expression and its closed form are polynomial in the entries
  (products, sums, traces, transposes): ``expand(∂l/∂Xᵢⱼ − closed formᵢⱼ) = 0`` for all symbols;
- at an **exact rational point** otherwise (inverses, determinants, exp/log ...): every name
  other than ``X`` gets random rationals, ``X`` stays symbolic until after ``diff``, then both
  sides are exact numbers (or exact expressions in ``exp(1/3)``-like constants) and their
  difference must simplify to 0. Square matrices get ``n·I`` added so they are invertible and
  their determinant positive.

A difference that does not vanish is reported with the entry, the sizes and both values.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from derive.expression.evaluate import evaluate, symbol_array
from derive.expression.nodes import Node, walk
from derive.expression.shapes import NoSizes, candidates, concrete, describe

__all__ = ["Check", "check_closed_forms", "recheck", "is_zero", "rational_point", "POLYNOMIAL"]

MAX_ENTRIES = 160  # entries of all inputs at one set of sizes; beyond, SymPy takes minutes
SYMBOLIC_ENTRIES = 8  # a rational (inverse, determinant) expression this small: all symbols
POLYNOMIAL = {"name", "const", "add", "sub", "mul", "matmul", "T", "neg", "eye", "ones"}
_POLY_CALLS = {"trace", "sum", "diag", "outer"}
_RATIONAL_CALLS = _POLY_CALLS | {"inv", "det", "logdet"}  # logdet: its derivative is rational


@dataclass
class Check:
    """The verdict on one closed form: ``ok``, ``status`` (what was compared, where, how)."""

    ok: bool
    status: str
    mode: str = ""                      # "symbolic" or "rational points"
    sizes: list[dict[str, int]] = field(default_factory=list)
    counterexample: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "status": self.status, "mode": self.mode, "sizes": self.sizes,
                "counterexample": self.counterexample}


def polynomial(ns: list[Node], rational: bool = False) -> bool:
    """Every node polynomial in the entries (``rational``: or a quotient, inverse, det)."""
    calls = _RATIONAL_CALLS if rational else _POLY_CALLS
    for n in ns:
        for k in walk(n):
            if k.op == "pow" and (k.value.denominator != 1 or (k.value < 0 and not rational)):
                return False
            if k.op not in POLYNOMIAL and k.op != "pow" and not (
                    k.op == "call" and k.value in calls) and not (rational and k.op == "div"):
                return False
    return True


def is_zero(e: Any) -> bool | None:
    """True if ``e`` is exactly 0, False if it is not, None if SymPy cannot decide."""
    e = sp.sympify(e)
    if e == 0:
        return True
    if e.is_Rational:
        return False
    if all(p.exp.is_Rational and p.exp > 0 for p in e.atoms(sp.Pow)):
        # no denominator: ``together`` would only regroup the terms (most of its time on the
        # large polynomials of a symbolic comparison); the numerator is e itself
        num = sp.expand(e)
    else:
        num = sp.expand(sp.fraction(sp.together(e))[0])
    if num == 0:
        return True
    if num.free_symbols:
        return False
    if e.has(sp.tanh, sp.sinh, sp.cosh, sp.tan, sp.sin, sp.cos):  # in exponentials, then again
        num = sp.expand(sp.fraction(sp.together(e.rewrite(sp.exp)))[0])
        if num == 0:
            return True
    v = sp.N(e, 60)
    return None if abs(complex(v)) < 1e-45 else False


def rational_point(shape: tuple[int, ...], rng: random.Random, square_shift: bool
                   ) -> np.ndarray:
    """Random rationals in [-2, 2] with small denominators; ``n·I`` added to a square one."""
    out = np.empty(shape, dtype=object)
    for k in np.ndindex(*shape):
        out[k] = sp.Rational(rng.randint(-20, 20), rng.randint(1, 9))
    if square_shift and len(shape) == 2 and shape[0] == shape[1]:
        for i in range(shape[0]):
            out[i, i] += 2 * shape[0]
    return out


def _loss(expr: Node, env: dict[str, np.ndarray], sizes: dict[str, int], exact: bool) -> Any:
    out = evaluate(expr, env, sizes, exact)
    if out.ndim == 0:
        return out[()]
    return sum((env["G"][k] * out[k] for k in np.ndindex(*out.shape)), sp.Integer(0))


def check_closed_forms(expr: Node, grads: dict[str, Node], shapes: dict[str, tuple],
                       seed: int = 0) -> dict[str, Check]:
    """``{name: Check}``: each closed form in ``grads`` against the index-level derivation."""
    names = {k.value: k.shape for k in walk(expr) if k.op == "name"}
    if expr.shape:
        names["G"] = expr.shape
    results: dict[str, Check] = {}
    for w, closed in grads.items():
        done, last, how, why = [], None, [], ""
        poly, rational = polynomial([expr, closed]), polynomial([expr, closed], rational=True)
        try:
            sets = candidates([expr, closed], shapes)
        except NoSizes as e:
            results[w] = Check(False, f"not checked: {e.msg}")
            continue
        for tries in sets:
            base = tries[0]
            entries = sum(math.prod(concrete(s, base)) for s in names.values())
            symbolic = poly or (rational and entries <= SYMBOLIC_ENTRIES)
            if entries > MAX_ENTRIES:
                results[w] = Check(False, f"failed: too large to check exactly ({entries} input "
                                   f"entries at {describe(base)}; at most {MAX_ENTRIES}): "
                                   "declare small integers or letters", sizes=done)
                break
            for attempt in range(4):
                # a singular point: another point, then other admissible sizes
                sizes = base if attempt % 2 == 0 else tries[(attempt + 1) // 2 % len(tries)]
                try:
                    last = _compare(expr, w, closed, names, sizes, symbolic,
                                    random.Random(seed + 7919 * attempt))
                    break
                except (ZeroDivisionError, ValueError, TypeError, sp.PoleError) as e:
                    last, why = None, f"{type(e).__name__}: {e}"
                    continue
            if last is None:
                results[w] = Check(False, "failed: no point tried could be evaluated exactly "
                                   f"(a singular matrix, a pole; last: {why[:200]})", sizes=done)
                break
            done.append(sizes)
            how.append(symbolic)
            if last is not True:
                results[w] = Check(False, last["status"], "symbolic" if symbolic else
                                   "rational points", done, last)
                break
        if w in results:
            continue
        mode = {(True,): "symbolic", (False,): "rational points"}.get(
            tuple(set(how)), "symbolic and rational points")
        at = " and ".join(describe(s) for s in done)
        if mode == "symbolic":
            at += ", symbolically (all entries symbols)"
        elif mode == "rational points":
            at += ", at exact rational points (one per set of sizes)"
        else:
            at = "; ".join(f"{describe(s)} " + ("symbolically (all entries symbols)" if h else
                                                "at an exact rational point")
                           for s, h in zip(done, how))
        square = [d for s in shapes.values() if len(s) == 2 and s[0] == s[1] for d in s[:1]]
        small = [d for d in square if isinstance(d, int) and d < 3]
        note = (f"; fixed square size {', '.join(map(str, small))} < 3" if small else "")
        results[w] = Check(True, f"verified exactly at {at}, entry by entry against the "
                           f"index-level derivation{note}", mode, done)
    return results


def recheck(expr: Node, grads: dict[str, Node], checks: dict[str, Check],
            rng: random.Random) -> bool:
    """Each verified closed form once more, at a point drawn from ``rng`` (fresh: from the
    OS) and one random entry, at its last checked sizes: a stored verdict is of what the closed
    form computes there. False if any entry differs or no point tried can be evaluated."""
    names = {k.value: k.shape for k in walk(expr) if k.op == "name"}
    if expr.shape:
        names["G"] = expr.shape
    for w, closed in grads.items():
        sizes = checks[w].sizes[-1] if checks[w].sizes else {}
        try:
            shape = concrete(names[w], sizes)
        except KeyError:
            return False
        for _ in range(3):
            entry = tuple(rng.randrange(d) for d in shape)
            try:
                same = _compare(expr, w, closed, names, sizes, False, rng, only=entry)
            except (ZeroDivisionError, ValueError, TypeError, sp.PoleError):
                continue  # a singular point: another one
            if same is not True:
                return False
            break
        else:
            return False
    return True


def _compare(expr: Node, w: str, closed: Node, names: dict[str, tuple], sizes: dict[str, int],
             symbolic: bool, rng: random.Random, only: tuple[int, ...] | None = None) -> Any:
    # real symbols where all entries are symbols (|x|' = sign x); plain ones for one entry at a
    # time: SymPy's diff then asks no assumptions, which is most of its time
    real = symbolic or _kinked(expr)
    env = {k: symbol_array(k, concrete(s, sizes), **({"real": True} if real else {}))
           for k, s in names.items()}
    point = {k: rational_point(concrete(s, sizes), rng, k != "G") for k, s in names.items()}
    target = env[w]
    # the closed form first: exact numbers are cheap, and a singular point shows here
    cf = evaluate(closed, env if symbolic else point, sizes, not symbolic)
    if any(sp.sympify(v).has(sp.zoo, sp.nan, sp.oo) for v in cf.ravel()):
        raise ZeroDivisionError("the closed form has a pole here")
    if cf.shape != target.shape:
        return {"status": f"refuted: the closed form has shape {cf.shape}, {w} has "
                f"{target.shape} at {describe(sizes)}", "sizes": sizes}
    l_all = _loss(expr, env, sizes, False) if symbolic else None
    for k in np.ndindex(*target.shape) if only is None else [only]:
        if symbolic:
            d = sp.diff(l_all, target[k])
            verdict = is_zero(d - cf[k])
        else:  # one symbol: entry k of w; everything else at the point
            one = dict(point)
            one[w] = point[w].copy()
            one[w][k] = target[k]
            d = _derivative_at(_loss(expr, one, sizes, False), target[k], point[w][k])
            if d.has(sp.zoo, sp.nan, sp.oo):
                raise ZeroDivisionError("pole")
            verdict = is_zero(d - cf[k])
        if verdict is not True:
            entry = ",".join(map(str, k))
            head = ("refuted: at" if verdict is False else
                    "unproved: equal to 45 digits but not shown exactly equal, at")
            return {"status": f"{head} {describe(sizes)}, entry [{entry}] of the closed "
                    f"form vs the index-level derivation: {_short(cf[k])} vs {_short(d)}"
                    + ("" if symbolic else " (at a rational point)"),
                    "sizes": sizes, "name": w, "entry": list(k), "closed_form": str(cf[k]),
                    "index_level": str(d)}
    return True


def _kinked(expr: Node) -> bool:
    """abs, relu, maximum...: their derivatives need real symbols (|x|' = sign x)."""
    from derive.expression.parse import elementwise_ops

    ops = elementwise_ops()
    return any(k.op == "call" and k.value in ops and ops[k.value].kink is not None
               for k in walk(expr))


def _derivative_at(loss: Any, s: sp.Symbol, v: Any) -> Any:
    """dl/ds at s = v, exactly. A rational function of s (inverses, determinants) is written
    p/q first and differentiated as polynomials — the same number, found ~5x faster."""
    loss = sp.sympify(loss)
    if loss.is_rational_function(s):
        num, den = sp.fraction(sp.together(loss))
        p, q = sp.Poly(num, s), sp.Poly(den, s)
        qv = q.eval(v)
        if qv == 0:
            raise ZeroDivisionError("pole")
        return (p.diff(s).eval(v) * qv - p.eval(v) * q.diff(s).eval(v)) / qv ** 2
    return sp.diff(loss, s).xreplace({s: v})


def _short(v: Any) -> str:
    s = str(v)
    if len(s) > 80:
        try:
            return f"{s[:60]}… (≈ {complex(sp.N(v, 12)).real:.10g})"
        except (TypeError, ValueError):
            return s[:80] + "…"
    return s
