"""The engine's rule at an op's kink: it must give the op's declared convention there.

``check_kink`` puts the inputs on the kink with ``Kink.place`` (from a random rational point, so
places such as "the nearest bound" become exact numbers) and checks that the rule gives the
declared slopes ``g * slope[i]`` with ``g`` symbolic; ``one_sided`` then checks that each declared
slope lies between the forward's one-sided derivatives there (``sympy.limit``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from derive.exact import ExactVJP
from derive.oprun import forward, rational_point, run_rules, subs
from derive.symbolic import as_sym
from numeric import Op

__all__ = ["check_kink", "one_sided"]


def check_kink(op: Op, rules: Any, exact: ExactVJP, params: dict[str, Any],
               rng: np.random.Generator, sides: bool = True) -> str | None:
    """None (no kink), "confirmed at the kink: …", "checked at …" or "refuted: …"."""
    kink = op.kink
    if kink is None:
        return None
    if not kink.slope:
        return f"no elementwise slope declared; the regions around it are proved: {kink.text}"
    if len({x.shape for x in exact.xs}) != 1:
        return f"checked at cases whose inputs share a shape, not this one: {kink.text}"
    point = rational_point(op, exact.xs, exact.g, rng)
    try:
        placed = [as_sym(x) for x in kink.place(*[subs(x, point) for x in exact.xs])]
        out = forward(op, placed, params)
        got = run_rules(op, rules, exact.names, exact.exprs, placed, out, exact.g, params)
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
    if not sides or any(x.shape != g.shape for x in exact.xs):
        return f"confirmed at the kink: {kink.text}"
    found = one_sided(exact, placed, kink.slope)
    if found.startswith("refuted"):
        return found
    return f"confirmed at the kink: {kink.text}{found}"


def one_sided(exact: ExactVJP, placed: list[Any], slopes: tuple[float, ...]) -> str:
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
