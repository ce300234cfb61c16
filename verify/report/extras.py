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


def _chosen_step(x: np.ndarray) -> float:
    """The step verify's FD check uses, when it says; else the textbook cube root of eps."""
    try:
        from verify import fd

        return float(fd.default_step(x))
    except Exception:
        scale = max(1.0, float(np.max(np.abs(x))) if np.size(x) else 1.0)
        return float(np.finfo(np.float64).eps ** (1 / 3) * scale)


def fd_curve(op: numeric.Op, seed: int = 0, exact: bool = True) -> dict[str, Any]:
    """Central-difference error of ``<g, f(x + h v)>`` against the VJP, per step ``h``.

    Small ``h``: round-off grows like eps/h; large ``h``: truncation grows like h^2 — the "V".
    The reference is ``derive.exact_vjp`` when ``exact`` and derive can evaluate this op, else
    the engine's VJP.
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
        v = {i: rng.standard_normal(np.shape(xs[i])) for i in idx}
        reference, source = None, "engine"
        try:
            if exact:
                import derive

                reference = derive.exact_vjp(op, case).evaluate(xs, g)
                source = "exact (derive)"
        except Exception:
            reference = None
        if reference is None:
            _, vjp_fn = numeric.vjp(lambda *ts: numeric.apply(op, *ts, **case.params), *xs)
            reference = vjp_fn(g)
        exact = float(sum(np.sum(np.asarray(reference[i], dtype=np.float64) * v[i]) for i in idx))

        def phi(h: float) -> float:
            shifted = [x + h * v[i] if i in v else x for i, x in enumerate(xs)]
            return float(np.sum(g * op.fwd(*shifted, **case.params)))

        points = []
        for h in STEPS:
            err = abs((phi(h) - phi(-h)) / (2 * h) - exact)
            points.append((h, err if math.isfinite(err) else None))
        chosen = _chosen_step(np.concatenate([np.ravel(xs[i]) for i in idx]))
        err_chosen = abs((phi(chosen) - phi(-chosen)) / (2 * chosen) - exact)
        return {"status": "ok", "case": str(case), "label": case.label, "inputs": idx,
                "reference": source, "exact": exact, "points": points, "chosen": chosen,
                "chosen_error": err_chosen}
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
