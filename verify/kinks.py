"""Checks that judge a VJP without a hand-picked tolerance on the derivative itself.

- :func:`check_kink` (check e): at an op's declared kink, one-sided differences locate the kink,
  and the engine's value there must be the declared convention and lie between the one-sided
  slopes. A kink is reported as a kink, not as a failure; a wrong convention is a failure.
- :func:`taylor_order` (check f): the remainder ``|φ(h) - φ(0) - h <∇φ, v>|`` of
  ``φ(t) = <G, f(x + t v)>`` must shrink like h²; its observed order over a range of h is the
  verdict (≈ 2 right, ≈ 1 a wrong gradient).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from numeric import Op
from verify.diagnose import worst_entries
from verify.engine import engine_vjp
from verify.results import CheckResult

__all__ = ["check_kink", "kink_distance", "taylor_order"]

EPS = float(np.finfo(np.float64).eps)
ONE_SIDED_STEP = 1e-7


def kink_distance(op: Op, xs: list[Any]) -> float:
    """How far (max-norm, per entry, the nearest entry) the inputs are from the declared kink."""
    if op.kink is None or not op.kink.slope:
        return np.inf  # no kink (a special point such as prod's zeros): nothing to avoid
    try:
        placed = op.kink.place(*xs)
        moved = [np.abs(np.asarray(p, dtype=np.float64) - np.asarray(x, dtype=np.float64))
                 for p, x in zip(placed, xs)]
        d = np.max(np.stack(np.broadcast_arrays(*moved)), axis=0)
    except (ValueError, TypeError):
        return np.inf
    return float(np.min(d, initial=np.inf))


def check_kink(op: Op, xs: list[np.ndarray], params: dict[str, Any], dtype: str,
               idx: list[int], rng: np.random.Generator | None = None) -> CheckResult:
    """Check (e) at the inputs moved onto the declared kink.

    Elementwise ops are probed entry by entry all at once with ``g = 1`` and compared with the
    declared slope; other ops (reductions at ties...) entry by entry with a random ``g``, where
    the engine's cotangent must lie between the one-sided derivatives of ``<g, f>``.
    """
    kink = op.kink
    if kink is None:
        return CheckResult("kink", "skipped", detail="no declared kink")
    placed = [p if np.asarray(p).dtype == np.bool_ else np.array(p, dtype=np.float64)
              for p in kink.place(*xs)]
    elementwise = op.kind.elementwise
    if elementwise:
        placed = [np.array(p) for p in np.broadcast_arrays(*placed)]
    f = lambda *a: np.asarray(op.fwd(*a, **params), dtype=np.float64)  # noqa: E731
    dt = np.dtype(dtype)
    with np.errstate(all="ignore"):
        f0 = f(*placed)
    rng = rng or np.random.default_rng(0)
    g = np.ones(f0.shape) if elementwise else rng.standard_normal(f0.shape)
    xd = [p if p.dtype == np.bool_ else p.astype(dt) for p in placed]
    if not idx:
        return CheckResult("kink", "skipped", detail="no differentiated input")
    try:  # the engine's cotangents at the kink, through numeric.vjp
        slopes = engine_vjp(op, xd, idx, params)(g.astype(dt))
    except Exception as e:
        return CheckResult("kink", "fail", detail=f"{op.name}: the engine's VJP raised "
                           f"{type(e).__name__}: {e} at the kink")
    found = []
    for i, slope in zip(idx, slopes):
        slope = np.asarray(slope, dtype=np.float64)
        left, right = _one_sided(f, placed, i, g, f0, elementwise)
        declared = kink.slope[i] if elementwise and i < len(kink.slope) else None
        found.append((i, left, right, slope, declared))
    scale = max(max(float(np.max(np.abs(s), initial=0.0)) for *_, s, _ in found), 1.0)
    jump = any(np.max(np.abs(lft), initial=0) > 1e4 * scale or
               np.max(np.abs(r), initial=0) > 1e4 * scale for _, lft, r, _, _ in found)
    located = jump or any(np.max(np.abs(r - lft), initial=0.0) > 1e-3 * scale
                          for _, lft, r, _, _ in found)
    sides = "; ".join(f"input {i}: one-sided {_span(lft, r)}, engine {_span(s, s)}"
                      for i, lft, r, s, _ in found)
    worst = 0.0
    for i, left, right, slope, declared in found:
        if declared is not None:
            err = float(np.max(np.abs(slope - declared), initial=0.0))
            worst = max(worst, err)
            if err > 1e-6:
                hint = (f"wrong tie convention: at the kink the engine gives input {i} "
                        f"{_span(slope, slope)} of g, the declared convention is {declared:g} "
                        f"({kink.text})")
                ref = np.full(np.shape(slope), float(declared))
                return CheckResult("kink", "fail", err, 1e-6, detail=hint + "; " + sides,
                                   diagnosis={"input": i, "worst": worst_entries(slope, ref),
                                              "hint": hint})
        lo = np.minimum(left, right) - 1e-4 * scale
        hi = np.maximum(left, right) + 1e-4 * scale
        if not jump and np.any((slope < lo) | (slope > hi)):
            bad = np.argwhere((slope < lo) | (slope > hi))[0].tolist() if slope.ndim else []
            return CheckResult("kink", "fail", detail=(
                f"{op.name} input {i}: the engine's value at the kink (entry {bad}) is outside "
                f"the one-sided derivatives; {sides}"))
    if jump:
        return CheckResult("kink", "pass", worst, 1e-6, detail=(
            f"a jump: one-sided slopes diverge, the engine uses the declared value "
            f"({kink.text})"))
    if not located:
        return CheckResult("kink", "pass", worst, 1e-6, detail=(
            f"no kink at the placed point ({kink.text}): the one-sided derivatives agree and "
            f"the engine lies between them; {sides}"))
    return CheckResult("kink", "pass", worst, 1e-6, detail=f"kink located ({kink.text}); {sides}")


def _one_sided(f: Callable[..., Any], xs: list[np.ndarray], i: int, g: np.ndarray,
               f0: np.ndarray, elementwise: bool) -> tuple[np.ndarray, np.ndarray]:
    """Left and right difference quotients of <g, f> for each entry of input ``i``."""
    h = ONE_SIDED_STEP

    def moved(step: Any) -> np.ndarray:
        with np.errstate(all="ignore"):
            return f(*[x + step if j == i else x for j, x in enumerate(xs)])

    if elementwise:
        return g * (f0 - moved(-h)) / h, g * (moved(h) - f0) / h
    left, right = np.zeros(xs[i].shape), np.zeros(xs[i].shape)
    phi0 = float(np.sum(g * f0))
    for k in np.ndindex(*xs[i].shape):
        e = np.zeros(xs[i].shape)
        e[k] = h
        right[k] = (float(np.sum(g * moved(e))) - phi0) / h
        left[k] = (phi0 - float(np.sum(g * moved(-e)))) / h
    return left, right


def taylor_order(f: Callable[..., Any], xs: list[np.ndarray], g: np.ndarray,
                 grads: dict[int, np.ndarray], idx: list[int], rng: np.random.Generator,
                 h0: float, rtol: float, steps: int = 12) -> CheckResult:
    """Check (f): the observed order of the first-order Taylor remainder along a random v."""
    vs: list[Any] = [None] * len(xs)
    for i in idx:
        v = rng.standard_normal(xs[i].shape)
        vs[i] = v / max(float(np.max(np.abs(v), initial=0.0)), 1e-300)
    phi = lambda t: float(np.real(np.sum(g * f(*[x if v is None else x + t * v  # noqa: E731
                                                 for x, v in zip(xs, vs)]))))
    terms = [grads[i] * vs[i] for i in idx]
    slope = float(sum(np.sum(t) for t in terms))
    if not np.isfinite(slope):
        return CheckResult("taylor", "fail", detail="the engine's gradient is not finite")
    f0 = f(*xs)
    phi0 = float(np.real(np.sum(g * f0)))
    # Rounding in φ, plus the first-order error the dtype's tolerance allows in <∇φ, v>.
    noise = 64 * EPS * (float(np.sum(np.abs(g * f0))) + 1e-300)
    allowed = rtol * float(sum(np.sum(np.abs(t)) for t in terms))
    hs = h0 * 0.5 ** np.arange(steps)
    r = np.array([abs(phi(h) - phi0 - h * slope) for h in hs])
    floor = noise + hs * allowed
    if not np.all(np.isfinite(r)):
        return CheckResult("taylor", "unreliable", detail="f is not finite along v")
    keep = r > 10 * floor
    if keep.sum() < 3:
        if np.all(r[-4:] <= 10 * floor[-4:]):
            return CheckResult("taylor", "pass", 0.0, 0.25, detail=(
                "remainder at the rounding floor for small h (f is linear along v, or the "
                f"second-order term is tiny); h from {hs[0]:.2g} to {hs[-1]:.2g}"))
        return CheckResult("taylor", "unreliable", detail="too few steps above rounding")
    hk, rk = hs[keep][-4:], r[keep][-4:]
    order = float(np.polyfit(np.log(hk), np.log(rk), 1)[0])
    how = f"observed order {order:.2f} over h in [{hk[-1]:.2g}, {hk[0]:.2g}]"
    if order >= 1.75:
        return CheckResult("taylor", "pass", max(0.0, 2 - order), 0.25, detail=how)
    if order <= 1.3 and np.sum(keep & (hs <= h0 / 16)) < 3:
        # Only large steps rise above the dtype's accuracy floor: higher-order terms can bend
        # the curve there, so an order near 1 is not evidence of a wrong gradient.
        return CheckResult("taylor", "unreliable", 2 - order, 0.25, detail=(
            how + ": too few small steps above the accuracy floor to judge"))
    if order <= 1.3:
        return CheckResult("taylor", "fail", 2 - order, 0.25, detail=(
            how + ": the remainder shrinks like h, so <∇f, v> is not the derivative along v"))
    return CheckResult("taylor", "unreliable", 2 - order, 0.25, detail=how)


def _span(a: Any, b: Any) -> str:
    lo = float(np.min(np.minimum(a, b), initial=np.inf))
    hi = float(np.max(np.maximum(a, b), initial=-np.inf))
    return f"{lo:.3g}" if abs(hi - lo) < 1e-9 else f"[{lo:.3g}, {hi:.3g}]"
