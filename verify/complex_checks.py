"""The checks of one op on complex inputs (``--dtype complex128``): :func:`check_complex_case`.

The convention is autograd's (docs/numeric.md, "Complex numbers"): for a real-valued l of a
complex input z = x + iy the engine's gradient is ∂l/∂x − i ∂l/∂y. With a complex cotangent G
of the output, l(z) = Re Σ G · f(z) is the real function whose gradient in f's output is G, so
the engine's Jᵀ G must equal ∂l/∂x − i ∂l/∂y. ``fd`` checks exactly that by Ridders' central
differences along the real direction *and* the imaginary direction of every entry (small inputs),
or of random directions (projections: Re Σ (Jᵀ G) · v against d/dt l(z + t v) for a real v and
for v = i w). For an op with real outputs (abs, angle, imag: G is real) a conjugated rule
(PyTorch's convention) has the right real-direction slope: only the imaginary direction catches
it. ``raw_shape`` checks that the gradient has the input's shape and complex dtype.
``symbolic`` is derive's proof on complex symbols (:func:`complex_proof`, ``gradproof derive
NAME --complex``): proved or spot-checked passes, refuted fails; where derive cannot run the rule
on complex symbols (a non-holomorphic op, whose rule branches on the dtype) the check is skipped,
saying why — the fd check then judges alone. The kink and Taylor checks are defined for real
inputs and are skipped.

Branch cuts (``Domain.cuts``) are to complex inputs what kinks and domain bounds are to real
ones: sampled inputs keep away from them; a given input on one (within the domain's margin) keeps
its verdicts, and a failing or unreliable check is diagnosed as at a branch cut, where the
principal branch jumps and no derivative exists.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from numeric import Op
from numeric.cases import Case
from verify import fd
from verify.engine import engine_vjp
from verify.fd_verdict import amax, fd_verdict
from verify.options import RTOL, Options
from verify.results import CaseResult, CheckResult

__all__ = ["check_complex_case", "complex_proof", "DTYPE"]

DTYPE = "complex128"
_SKIPPED = {
    "adjoint": "complex inputs: the fd check already pairs Re Σ G · J v with the VJP",
    "kink": "complex inputs: kinks are declared for real inputs",
    "taylor": "complex inputs: the fd check's Ridders error bars judge the slope",
}


def complex_proof(op: Op, case: Case, options: Options) -> dict[str, Any]:
    """derive's proof of ``op``'s rules on complex symbols at ``case`` (status, detail), within
    ``options.proof_timeout``: run before the case's own time budget, as the real proofs are."""
    try:
        from derive.budget import OutOfTime, budget
        from derive.complex_proof import prove_complex
    except ImportError as e:
        return {"status": "unavailable", "detail": f"derive cannot be imported ({e})"}
    try:
        with budget(options.proof_timeout):
            p = prove_complex(op, case)
    except OutOfTime as e:
        return {"status": "timed-out", "detail": f"derive's complex proof {e}"}
    except Exception as e:  # derive could not run this op on complex symbols: no proof
        return {"status": "unavailable", "detail": f"derive's complex proof raised "
                                                   f"{type(e).__name__}: {e}"}
    return {"status": p.status, "detail": p.detail}


def check_complex_case(op: Op, case: Case, xs: list[np.ndarray], rng: np.random.Generator,
                       options: Options, proof: dict[str, Any] | None = None) -> CaseResult:
    """Run the checks of ``op`` on complex inputs ``xs``; ``proof``: :func:`complex_proof`'s."""
    params = dict(case.params)
    res = CaseResult(str(case), case.label, [list(s) for s in case.shapes],
                     {k: repr(v) for k, v in params.items()}, DTYPE)
    idx = [i for i, r in enumerate(op.vjp) if r is not None and np.asarray(xs[i]).dtype != bool]
    out = np.asarray(op.fwd(*xs, **params))
    G = rng.standard_normal(out.shape)
    if np.iscomplexobj(out):
        G = G + 1j * rng.standard_normal(out.shape)
    try:
        grads = [np.asarray(g) for g in engine_vjp(op, list(xs), idx, params)(G)]
        error = None
    except Exception as e:  # a rule that raises on complex inputs is a finding
        grads, error = [], f"{op.name}: the engine's VJP raised {type(e).__name__}: {e}"
    cut = _on_cuts(op, xs)
    for name in options.checks:
        if name in _SKIPPED:
            res.checks.append(CheckResult(name, "skipped", detail=_SKIPPED[name]))
        elif error is not None:
            res.checks.append(CheckResult(name, "fail", detail=error))
        elif name == "symbolic":
            res.checks.append(_symbolic(op, proof))
        elif name == "raw_shape":
            res.checks.append(_form(op, xs, idx, grads))
        else:
            res.checks.append(_fd(op, xs, idx, grads, G, params, rng, options, out))
    for c in res.checks if cut else ():
        if c.verdict in ("fail", "unreliable"):
            c.diagnosis = {"input": cut[0][0], "worst": [], "hint": (
                f"inputs on {op.name}'s branch cut — " + "; ".join(t for _, t in cut) + ": the "
                "principal branch jumps there, so there is no derivative and finite differences "
                "straddle two branches; this need not mean a wrong rule")}
            c.detail += f" (on a branch cut: {cut[0][1]})"
    return res


def _on_cuts(op: Op, xs: list[np.ndarray]) -> list[tuple[int, str]]:
    """(input, what) for each input with entries within its domain's margin of a branch cut."""
    doms, found = op.domains(), []
    for i, x in enumerate(xs):
        dom = doms[min(i, len(doms) - 1)]
        near = dom.on_cut(x)
        if np.any(near):
            at = np.argwhere(near)[:3]
            shown = ", ".join(f"{tuple(int(k) for k in w)} = {complex(x[tuple(w)]):.4g}"
                              for w in at)
            found.append((i, f"input {i}: {int(near.sum())} of {near.size} entries within "
                             f"{dom.margin:g} of a branch cut ({'; '.join(map(str, dom.cuts))}) "
                             f"({shown})"))
    return found


def _symbolic(op: Op, proof: dict[str, Any] | None) -> CheckResult:
    """derive's complex proof as a verdict: honest about what it could not prove."""
    if proof is None:
        return CheckResult("symbolic", "skipped", detail="no complex proof was asked for")
    status, why = proof["status"], proof["detail"]
    said = f"derive --complex: {status} — {why}"
    if status in ("proved", "spot-checked"):
        return CheckResult("symbolic", "pass", 0.0, 0.0, detail=said)
    if status == "refuted":
        return CheckResult("symbolic", "fail", detail=said, diagnosis={
            "input": 0, "worst": [], "hint": "the rule differs from ∂l/∂x − i ∂l/∂y on complex "
            "symbols: a conjugated rule (PyTorch's convention) or a wrong formula"})
    return CheckResult("symbolic", "skipped", detail=said + "; the fd check judges numerically")


def _form(op: Op, xs: list[np.ndarray], idx: list[int], grads: list[np.ndarray]) -> CheckResult:
    for i, g in zip(idx, grads):
        if (g.shape, g.dtype) != (xs[i].shape, xs[i].dtype):
            return CheckResult("raw_shape", "fail", detail=(
                f"{op.name}: the engine's gradient for input {i} is {g.dtype} of shape {g.shape}, "
                f"the input {xs[i].dtype} of shape {xs[i].shape}: a complex input's gradient "
                "is complex, of its shape"))
    return CheckResult("raw_shape", "pass", detail="engine gradients complex, of the inputs' "
                                                   "shapes")


def _fd(op: Op, xs: list[np.ndarray], idx: list[int], grads: list[np.ndarray], G: np.ndarray,
        params: dict[str, Any], rng: np.random.Generator, options: Options,
        out: np.ndarray) -> CheckResult:
    # every direction is judged (verify.fd_verdict): a NaN slope compared False with every
    # tolerance and passed, and the first unsure direction ended the check as "unreliable"
    # (which does not fail an op) before a wrong slope elsewhere was seen
    entries, said = [], {}
    for i, g in zip(idx, grads):
        def loss(t: float, v: np.ndarray, i: int = i) -> float:  # l(z + t v)
            args = list(xs)
            args[i] = xs[i] + t * v
            with np.errstate(all="ignore"):
                moved = op.fwd(*args, **params)
                if op.kind.align is not None:  # eig: into the base point's order and phases
                    moved = op.kind.align(out, moved)
                return float(np.real(np.sum(G * moved)))

        for where, v in _directions(xs[i], rng, options):
            est, err = (float(a) for a in fd.ridders(lambda t, v=v, i=i: loss(t, v, i), h0=0.01))
            got = float(np.real(np.sum(g * v)))  # Re Σ (∂l/∂x − i ∂l/∂y)·v = d/dt l(z + t v)
            scale = abs(est) + 1e-3 * (1 + amax(g))
            label = f"input {i}, {where}"
            e = abs(got - est) / scale if math.isfinite(got) else math.inf
            entries.append((label, e, err / scale, math.isfinite(est)))
            said[label] = (i, where, got, est)
    result, worst = fd_verdict(entries, RTOL["float64"], options, "Jᵀ G against Ridders' "
                               "differences along the real and the imaginary directions")
    if result.verdict == "fail" and worst is not None:
        i, where, got, est = said[worst]
        result.detail = (f"{op.name} input {i}, {where}: the engine's Re Σ (Jᵀ G)·v = {got:.10g}, "
                         f"finite differences {est:.10g} (autograd's convention: the gradient "
                         "is ∂l/∂x − i ∂l/∂y)")
        result.diagnosis = {"input": i, "worst": [], "hint": _hint(where)}
    elif result.verdict == "unreliable":
        result.detail = f"{op.name}: finite differences cannot judge: {result.detail}"
    return result


def _directions(x: np.ndarray, rng: np.random.Generator, options: Options):
    """Unit entries along 1 and i for small inputs, else random real and imaginary directions."""
    if x.size <= options.full_max:
        for k in range(x.size):
            e = np.zeros(x.size, dtype=complex)
            for unit, part in ((1.0, "real"), (1j, "imaginary")):
                e[k] = unit
                yield f"entry {np.unravel_index(k, x.shape)} {part} direction", e.reshape(x.shape)
        return
    for _ in range(options.directions):
        w = rng.standard_normal(x.shape)
        yield "a random real direction", w + 0j
        yield "a random imaginary direction", 1j * w


def _hint(where: str) -> str:
    if "imaginary" in where:
        return ("the imaginary-direction slope is wrong: a conjugated rule (PyTorch's "
                "convention, or a missing or extra conj) does this")
    return ("the real-direction slope is wrong: the rule's formula, or (with a complex "
            "cotangent) a conjugated rule")
