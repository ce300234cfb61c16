"""Checks (b) and (c): the engine's VJP against finite differences, entrywise or projected.

``fd_check`` compares ``Jᵀ G`` with Ridders differences of ``<G, f>`` — every entry for small
inputs, random directions for large ones; ``adjoint_check`` is the dot-product test
``<G, J v>`` vs ``Σ <Jᵢᵀ G, vᵢ>`` plus, in float64, a complex cotangent. Both take the state of
one case (``verify.checks._Run``) and return a :class:`verify.results.CheckResult`; tolerances
come from the FD error bar and the dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from verify import fd
from verify.diagnose import relative_error
from verify.fd_verdict import amax, empty_output, fd_verdict
from verify.results import CheckResult

__all__ = ["fd_check", "adjoint_check"]


# ---- (b) finite differences--------------------------------------------------------------
def fd_check(run: Any) -> CheckResult:
    if (bad := run.engine_error("fd")) is not None:
        return bad
    if run.g64.size == 0:
        for i in run.idx:
            run.reference.setdefault(i, (np.zeros(run.xs[i].shape), "exact (empty output)"))
        return empty_output({f"input {i}": run.grads[i] for i in run.idx})[0]
    full = all(run.xs[i].size <= run.opt.full_max for i in run.idx)
    return fd_full(run) if full else fd_projected(run)

def fd_full(run: Any) -> CheckResult:
    refs = {i: fd.gradient(run.f64, run.xs64, i, run.g64, run.h0) for i in run.idx}
    # One scale for the case: an input whose cotangent is zero is judged against the rest.
    scale = max([amax(r) for r, _ in refs.values()] + [amax(a) for a in run.grads.values()]
                + [amax(run.g64) * 1e-3, 1e-300])
    entries = []
    for i, (ref, err) in refs.items():
        run.reference.setdefault(i, (ref, "finite differences"))
        diff = np.abs(run.grads[i] - ref)
        e = float(np.max(diff, initial=0.0)) / scale if np.all(np.isfinite(diff)) else np.inf
        entries.append((f"input {i}", e, amax(err) / scale, bool(np.all(np.isfinite(ref)))))
    return fd_verdict(entries, run.rtol, run.opt, "entrywise Ridders differences of <G, f>")[0]

def fd_projected(run: Any) -> CheckResult:
    entries = []
    for i in run.idx:
        for _ in range(run.opt.directions):
            vs: list[Any] = [None] * len(run.xs)
            vs[i] = run.rng.standard_normal(run.xs[i].shape)
            jv, jv_err, _ = fd.jvp(run.f64, run.xs64, vs, run.h0)
            lhs, rhs = np.real(np.sum(run.g64 * jv)), np.sum(run.grads[i] * vs[i])
            scale = np.sum(np.abs(run.g64 * jv)) + np.sum(np.abs(run.grads[i] * vs[i]))
            scale = max(scale, 1e-3 * float(np.sum(np.abs(run.g64))), 1e-300)
            e = abs(lhs - rhs) / scale if np.isfinite(rhs) else np.inf
            fd_rel = float(np.sum(np.abs(run.g64) * jv_err)) / scale
            entries.append((f"input {i}", e, fd_rel, bool(np.isfinite(lhs))))
    return fd_verdict(entries, run.rtol, run.opt, "directional Ridders differences, "
                      f"{run.opt.directions} random directions per input")[0]

# ---- (c) adjoint (dot-product) test------------------------------------------------------
def adjoint_check(run: Any) -> CheckResult:
    if (bad := run.engine_error("adjoint")) is not None:
        return bad
    vs: list[Any] = [run.rng.standard_normal(x.shape) if i in run.idx else None
                     for i, x in enumerate(run.xs64)]
    jv, jv_err, method = fd.jvp(run.f64, run.xs64, vs, run.h0)
    terms = [run.grads[i] * vs[i] for i in run.idx]
    lhs = float(np.real(np.sum(run.g64 * jv)))  # l = Re Σ G f (complex outputs: G complex)
    rhs = float(sum(np.sum(t) for t in terms))
    scale = float(np.sum(np.abs(run.g64 * jv)) + sum(np.sum(np.abs(t)) for t in terms))
    # Floor: a zero derivative is judged against |G| |v|, not against zero.
    scale = max(scale, 1e-3 * float(np.sum(np.abs(run.g64))), 1e-300)
    e = abs(lhs - rhs) / scale if np.isfinite(rhs) else np.inf
    fd_rel = float(np.sum(np.abs(run.g64) * jv_err)) / scale
    tol = max(run.rtol, run.opt.safety * fd_rel)
    how = f"<G, J v> by {method} vs <Jᵀ G, v>"
    # a NaN <G, J v> or error bar compares False both ways: it is unsure, never a pass
    sure = bool(np.isfinite(lhs)) and fd_rel <= run.opt.unreliable
    if e > tol and sure:
        return CheckResult("adjoint", "fail", e, tol, detail=f"{how}: {lhs!r} vs {rhs!r}")
    if run.dtype == "float64" and run.opt.complex_cotangent and not np.iscomplexobj(run.g):
        bad = _complex_cotangent(run)
        if bad is not None:
            return bad
    if not sure:
        return CheckResult("adjoint", "unreliable", e, tol, detail=(
            f"reference unreliable: {method} error bar {fd_rel:.2g}"
            + ("" if np.isfinite(lhs) else f", <G, J v> = {lhs!r}")))
    return CheckResult("adjoint", "pass", e, tol, detail=how)

def _complex_cotangent(run: Any) -> CheckResult | None:
    g2 = run.rng.standard_normal(run.g.shape)
    try:
        grads = run.vjp_fn(run.g + 1j * g2)  # through the engine, as a user's would go
    except Exception as ex:
        hint = "the rule's complex branch is broken (a real input keeps the real part)"
        return CheckResult("adjoint", "fail", detail=(
            f"{run.op.name}: the engine's VJP raised {type(ex).__name__}: {ex} on a complex "
            f"cotangent"), diagnosis={"input": run.idx[0], "worst": [], "hint": hint})
    for i, gi in zip(run.idx, grads):
        # Compared where the real cotangent's VJP is finite: a NaN there is the other checks'
        # finding (or the inputs', outside the domain), not evidence of non-linearity in g.
        real = run.grads[i]
        keep = np.isfinite(real)
        e = relative_error(np.real(gi)[keep], real[keep]) if np.shape(gi) == real.shape \
            else np.inf
        if e > run.rtol:
            return CheckResult("adjoint", "fail", e, run.rtol, detail=(
                f"{run.op.name} input {i}: a complex cotangent G + iG' gave a result whose "
                "real part is not the VJP of G"),
                diagnosis={"input": i, "worst": [], "hint": "not linear in g"})
    return None
