"""Check (a), ``symbolic``: the engine's rule against derive's exact proof or exact VJP.

A cached or fresh proof (``proved`` / ``spot-checked`` / ``refuted``) decides; a proof that ran
out of time (``verify.budget``) skips the check, saying so; without a proof, the exact VJP derive
computes for the case is evaluated in float64 and compared with the engine's cotangents at the
dtype's symbolic tolerance. A proof derive could not make (``unavailable``: the rule cannot run
on symbols or rationals) is never a pass: the check is ``unavailable`` (non-passing), or
``fail`` if the engine also disagrees with the exact VJP in float64. ``symbolic_check`` takes
the state of one case (``verify.checks._Run``) and returns a :class:`verify.results.CheckResult`.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from verify.diagnose import relative_error
from verify.options import SYM_RTOL
from verify.proofs import exact_values
from verify.results import CheckResult

__all__ = ["symbolic_check"]


def symbolic_check(run: Any) -> CheckResult:
    p = run.proof
    if p is not None and p.get("status") in ("proved", "spot-checked"):
        return CheckResult("symbolic", "pass", 0.0, 0.0, detail=p.get("method", ""))
    if p is not None and p.get("status") == "refuted":
        detail = f"{p.get('method', '')}: {p.get('detail', '')}".strip(": ")
        found = re.search(r"input (\d+)", detail)
        hint = ("wrong tie convention (refuted at the declared kink)"
                if "kink" in p.get("detail", "") else "")
        diag = None if not hint else {"input": int(found.group(1)) if found else 0,
                                      "worst": [], "hint": hint}
        return CheckResult("symbolic", "fail", detail=detail, diagnosis=diag)
    if p is not None and p.get("status") == "timed out":  # the case's own budget judges a
        return CheckResult("symbolic", "skipped", detail=p.get("detail", ""))  # hung rule
    reason = (p or {}).get("detail") or (p or {}).get("reason") or ""
    unproved = p is not None and p.get("status") == "unavailable"
    exact = exact_values(run.op, run.case, run.xs64, run.g64)
    if isinstance(exact, str):
        return CheckResult("symbolic", "unavailable" if unproved else "skipped",
                           detail="; ".join(s for s in (reason, exact) if s))
    if (bad := run.engine_error("symbolic")) is not None:
        return bad
    tol = SYM_RTOL.get(run.dtype, 1e-4)
    worst, worst_i = 0.0, run.idx[0]
    for i in run.idx:
        if exact[i] is None:
            continue
        ref = np.asarray(exact[i], dtype=np.float64)
        run.reference[i] = (ref, "exact")
        err = relative_error(run.grads[i], ref)
        if err > worst:
            worst, worst_i = err, i
    verdict = "pass" if worst <= tol else "fail"
    if unproved and verdict == "pass":  # agreeing in float64 at one point is no proof
        verdict, reason = "unavailable", f"no proof ({reason})"
    return CheckResult("symbolic", verdict, worst, tol,
                       detail=f"engine vs derive's exact VJP evaluated in float64 "
                              f"(worst input {worst_i})" + (f"; {reason}" if reason else ""))
