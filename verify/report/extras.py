"""What the report shows beyond the results JSON: derivations, claims, FD curves, graphs.

Each piece is computed from the op table (and ``derive`` where present) and is plain JSON, so it
also goes into the report's sidecar. A piece that cannot be made says why (``"unavailable"``)
instead of stopping the report: a report about a failing engine must still be written.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import numeric
from numeric.cases import Case, sample_inputs, standard_cases

__all__ = ["derivation_of", "claims_list", "fd_curve", "graph_svg", "STEPS"]

STEPS = tuple(10.0 ** (-k / 2) for k in range(2, 29))  # 1e-1 … 1e-14, half decades


def _why(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


def derivation_of(op_name: str) -> dict[str, Any]:
    """``derive.derivation(op_name).to_dict()``, or ``{"status": "unavailable", "why": ...}``."""
    try:
        import derive

        return dict(derive.derivation(op_name).to_dict(), status="ok")
    except Exception as e:  # derive missing, or it cannot reach this op
        return {"status": "unavailable", "why": _why(e), "steps": []}


def claims_list() -> dict[str, Any]:
    """The notebook's claims table from ``derive.claims()``, as dicts."""
    try:
        import derive

        return {"status": "ok", "claims": [c.to_dict() for c in derive.claims()]}
    except Exception as e:
        return {"status": "unavailable", "why": _why(e), "claims": []}


def _example_case(op: numeric.Op) -> Case | None:
    cases = standard_cases(op)
    if not cases:
        return None
    # The first case with a non-scalar output reads best; fall back to the first.
    return next((c for c in cases if any(len(s) >= 1 for s in c.shapes)), cases[0])


def _inputs(op: numeric.Op, case: Case, seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    xs = sample_inputs(op, case, rng)
    out = np.asarray(op.fwd(*xs, **case.params))
    g = rng.standard_normal(out.shape)
    return xs, g


def _differentiable(op: numeric.Op) -> list[int]:
    return [i for i, (rule, dom) in enumerate(zip(op.vjp, op.domains()))
            if rule is not None and dom.kind != "bool"]


def _fd_tools() -> Any:
    """verify's finite differences (``verify.fd``), or None where verify is not installed."""
    try:
        from verify import fd

        return fd
    except ImportError:
        return None


def _check_step(op: numeric.Op, xs: list[np.ndarray]) -> float:
    """The first step of the FD check's Ridders table: 0.1, or a quarter of the distance to the
    op's kink when that is nearer (``verify.checks`` chooses it the same way)."""
    try:
        from verify.checks import kink_distance
    except ImportError:
        return 0.1
    return float(min(0.1, kink_distance(op, [np.asarray(x, np.float64) for x in xs]) / 4))


def _reference(op: numeric.Op, case: Case, xs: list[np.ndarray], g: np.ndarray,
               exact: bool) -> tuple[list[Any], str]:
    if exact:
        try:
            import derive

            return list(derive.exact_vjp(op, case).evaluate(xs, g)), "exact (derive)"
        except Exception:  # derive cannot reach this op: the engine is the reference
            pass
    _, vjp_fn = numeric.vjp(lambda *ts: numeric.apply(op, *ts, **case.params), *xs)
    return list(vjp_fn(g)), "engine"


def fd_curve(op: numeric.Op, seed: int = 0, exact: bool = True) -> dict[str, Any]:
    """Error of central and forward differences of ``<g, f(x + h v)>`` per step ``h``.

    Small ``h``: round-off grows like eps/h; large ``h``: truncation (h^2 central, h forward) —
    the "V". Also the error of the FD check's own estimate (Ridders' extrapolation from the step
    ``chosen``). The reference is ``derive.exact_vjp`` when ``exact`` and derive reaches the op,
    else the engine's VJP.
    """
    try:
        case = _example_case(op)
        if case is None:
            return {"status": "unavailable", "why": "no standard case"}
        idx = _differentiable(op)
        if not idx:
            return {"status": "unavailable", "why": "no differentiable input"}
        xs, g = _inputs(op, case, seed)
        # Move every differentiable input at once: the curve bends wherever the op is nonlinear.
        rng = np.random.default_rng(seed + 1)
        vs = [rng.standard_normal(np.shape(x)) if i in idx else None for i, x in enumerate(xs)]
        reference, source = _reference(op, case, xs, g, exact)
        want = float(sum(np.sum(np.asarray(reference[i], dtype=np.float64) * vs[i]) for i in idx))

        def phi(t: float) -> float:
            shifted = [x if v is None else x + t * v for x, v in zip(xs, vs)]
            return float(np.sum(g * op.fwd(*shifted, **case.params)))

        def error(estimate: Any) -> float | None:
            err = abs(float(np.real(estimate)) - want)
            return err if math.isfinite(err) else None

        central = [(h, error((phi(h) - phi(-h)) / (2 * h))) for h in STEPS]
        forward = [(h, error((phi(h) - phi(0.0)) / h)) for h in STEPS]
        chosen, ridders = _check_step(op, xs), None
        fd = _fd_tools()
        if fd is not None and chosen > 0:
            with np.errstate(all="ignore"):
                estimate, bar = fd.ridders(phi, chosen)
            ridders = {"error": error(estimate), "bar": float(np.max(bar))}
        best = min((p for p in central if p[1] is not None), key=lambda p: p[1], default=None)
        return {"status": "ok", "case": str(case), "label": case.label, "inputs": idx,
                "reference": source, "exact": want, "points": central, "forward": forward,
                "chosen": chosen, "ridders": ridders, "best_central": best}
    except Exception as e:
        return {"status": "unavailable", "why": _why(e)}


def graph_svg(op: numeric.Op, failing: bool, seed: int = 0) -> dict[str, Any]:
    """The graph of ``sum(g * op(x, ...))`` drawn by Graphviz; the op's node red if ``failing``."""
    try:
        case = _example_case(op)
        if case is None:
            return {"status": "unavailable", "why": "no standard case"}
        xs, g = _inputs(op, case, seed)
        idx = set(_differentiable(op))
        ts = [numeric.Tensor(x) if i in idx else x for i, x in enumerate(xs)]
        out = numeric.apply(op, *ts, **case.params)
        loss = (out * g).sum()
        loss.backward(retain_graph=True)
        from numeric.draw import render_svg

        source = numeric.draw_dot(loss, highlight=[out] if failing else ()).source
        return {"status": "ok", "case": str(case), "svg": render_svg(source)}
    except Exception as e:
        return {"status": "unavailable", "why": _why(e)}
