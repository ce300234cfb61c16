"""The finite-difference verdict, in one place: worst error and unsure inputs → fail, unreliable
or pass.

Every FD comparison (an op's case, a user's function, a generated expression gradient) ends in
the same judgement. Each compared quantity gives ``(label, error, bar, finite)``: the relative
error of the engine against the FD reference, the FD estimate's own relative error bar, and
whether the reference is finite. Its tolerance is ``max(rtol, safety × bar)``. A bar beyond
``options.unreliable`` (or a non-finite reference) makes that quantity unsure: FD cannot judge
it. The verdict is *fail* when some judged quantity is off by more than its tolerance — an
unsure one elsewhere does not excuse it — else *unreliable* when any is unsure (carrying the
worst judged error and its tolerance, if there is one), else *pass* with the worst ratio.

An empty output needs no differences: ``<G, f>`` is the empty sum, so every gradient is exactly
zero (:func:`empty_output`) — FD's error bar, judged against a zero scale, would call it
unreliable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from verify.results import CheckResult

__all__ = ["fd_verdict", "empty_output", "amax"]


def fd_verdict(entries: Iterable[tuple[str, float, float, bool]], rtol: float, options: Any,
               how: str, name: str = "fd") -> tuple[CheckResult, str | None]:
    """The verdict over ``(label, error, bar, finite)`` entries, ``how`` naming the method, and
    the label of the worst judged entry (None if none was judged):
    ``fd_verdict([("input 0 (x)", 1e-12, 1e-10, True)], 1e-9, Options(), "Ridders")``."""
    worst, unsure = None, []
    for label, e, bar, finite in entries:
        e = float(e) if math.isfinite(e) else math.inf  # NaN would pass every comparison
        bar = float(bar)
        tol = max(rtol, options.safety * bar) if math.isfinite(bar) else math.inf
        if not finite or not bar <= options.unreliable:
            unsure.append(f"{label}: FD error bar {bar:.2g}"
                          + ("" if finite else ", reference not finite"))
        elif worst is None or e / tol > worst[0] / worst[1]:
            worst = (e, tol, label)
    if worst is not None and worst[0] > worst[1]:
        e, tol, label = worst
        return CheckResult(name, "fail", e, tol, detail=f"{how}: {label} off by {e:.3g} "
                           f"(relative), tolerance {tol:.3g}"), label
    if unsure:
        return CheckResult(name, "unreliable", None if worst is None else worst[0],
                           None if worst is None else worst[1],
                           detail="reference unreliable: " + "; ".join(unsure)), \
            None if worst is None else worst[2]
    e, tol, label = worst if worst is not None else (0.0, rtol, None)
    return CheckResult(name, "pass", e, tol, detail=how), label


def empty_output(grads: dict[str, Any], name: str = "fd") -> CheckResult:
    """The verdict when f's output is empty: each gradient (by label) must be exactly zero."""
    worst = max(((float(np.max(np.abs(a), initial=0.0)) if np.all(np.isfinite(a)) else math.inf,
                  label) for label, a in grads.items()), default=(0.0, ""))
    if worst[0] > 0:
        return CheckResult(name, "fail", worst[0], 0.0, detail=(
            f"empty output: <G, f> is an empty sum, so the exact gradient is zero, but "
            f"{worst[1]}'s has entries up to {worst[0]:.3g}")), worst[1]
    return CheckResult(name, "pass", 0.0, 0.0, detail=(
        "empty output: <G, f> is an empty sum, so the exact gradient is zero (no finite "
        "differences needed); the engine's is zero")), None


def amax(a: Any) -> float:
    """The largest finite ``|entry|`` of ``a`` (0 for none): the scale FD errors are relative to."""
    a = np.abs(np.asarray(a)).astype(np.float64)  # complex cotangents: their moduli
    return float(np.max(np.where(np.isfinite(a), a, 0.0), initial=0.0))
