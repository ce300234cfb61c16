"""Exact rational spot checks of a rule: the fallback when the symbolic proof cannot decide.

At random rational points (distinct entries inside each input's domain, see
:func:`derive.oprun.rational_point`) the rule runs on exact numbers and must equal the exact VJP
there, with no rounding anywhere. The exact VJP comes from the derivation when there is one, else
(the derivation itself ran out of time) from the forward alone: entry ``k`` of input ``i`` is
``d/dt Σ g ⊙ f(x + t e_k)`` at ``t = 0``, one forward run per entry with a single symbol ``t``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from derive.budget import budget
from derive.exact import ExactVJP, active_inputs
from derive.oprun import Refuted, forward, input_symbols, is_zero, rational_point, run_rules, subs
from derive.symbolic import as_sym, symbols
from numeric import Op
from numeric.cases import Case

__all__ = ["spot_check", "mismatch"]


def spot_check(op: Op, rules: Any, case: Case, exact: ExactVJP | None, points: int,
               rng: np.random.Generator, clock: budget | None = None) -> tuple[str, str]:
    """("spot-checked", "") if the rule is exact at ``points`` rational points (and the forward
    still gives ``exact.out`` there), else ("refuted", where) or ("unavailable", why it cannot
    run on rationals)."""
    params = dict(case.params)
    if exact is not None:
        names, xs, g = exact.names, exact.xs, exact.g
    else:
        names, xs = input_symbols(op, case)
        g = None
    for _ in range(points):
        if clock is not None:
            clock.check()
        point = rational_point(op, xs, [] if g is None else g, rng)
        x0 = [subs(x, point) for x in xs]
        try:
            out0 = forward(op, x0, params)
        except Exception:  # noqa: BLE001 - a SymPy forward that needs symbols
            if exact is None:
                raise
            out0 = subs(exact.out, point)
        if exact is not None and not all(is_zero(a - b) for a, b in zip(
                np.asarray(out0, dtype=object).ravel(),
                np.asarray(subs(exact.out, point), dtype=object).ravel())):
            return "refuted", "the forward no longer gives the derivation's output"
        if g is None:  # the cotangent's symbols, now that the output's shape is known
            g_sym = symbols("g", out0.shape)
            point.update(rational_point(op, [], g_sym, rng))
            g0 = subs(g_sym, point)
        else:
            g0 = subs(g, point)
        want = _want(op, exact, point, x0, g0, params)
        try:
            got = run_rules(op, rules, names, want, x0, out0, g0, params)
        except Refuted as r:
            return "refuted", str(r)
        except Exception as e:  # noqa: BLE001 - a NumPy call with no exact meaning
            return "unavailable", f"at rationals: {type(e).__name__}: {e}"
        for i, w in enumerate(want):
            if w is None:
                continue
            for k in np.ndindex(*w.shape):
                if not is_zero(sp.sympify(got[i][k]) - w[k]):
                    return "refuted", mismatch(names, i, k, got[i][k], w[k], point)
    return "spot-checked", ""


def mismatch(names: tuple[str, ...], i: int, k: tuple[int, ...], got: Any, want: Any,
             witness: Any) -> str:
    """Where and how a rule and the derivation differ, in one line."""
    def short(v: Any) -> str:
        s = str(v)
        return s if len(s) < 300 else s[:300] + "…"

    at = ""
    if witness:
        at = "; they differ at " + ", ".join(f"{s}={v}" for s, v in list(witness.items())[:8])
    return (f"input {i} ({names[i]}), entry {k}: the rule gives {short(got)}, "
            f"the derivation gives {short(want)}{at}")


def _want(op: Op, exact: ExactVJP | None, point: dict[Any, Any], x0: list[Any], g0: Any,
          params: dict[str, Any]) -> list[np.ndarray | None]:
    """The exact VJP at the point: from the derivation, else one directional run per entry."""
    if exact is not None:
        return [None if e is None else subs(e, point).view(np.ndarray) for e in exact.exprs]
    t = sp.Symbol("t", real=True)
    gs = np.asarray(g0, dtype=object).ravel()
    want: list[np.ndarray | None] = []
    for i, active in enumerate(active_inputs(op)):
        if not active:
            want.append(None)
            continue
        w = np.empty(x0[i].shape, dtype=object)
        for k in np.ndindex(*x0[i].shape):
            moved = [x.view(np.ndarray).copy() for x in x0]
            moved[i][k] = moved[i][k] + t
            out_t = np.asarray(forward(op, [as_sym(m) for m in moved], params),
                               dtype=object).ravel()
            along = sum((gk * sp.diff(sp.sympify(fk), t) for gk, fk in zip(gs, out_t)),
                        sp.Integer(0))
            w[k] = sp.sympify(along).xreplace({t: 0})
        want.append(w)
    return want



