"""The pictures a results document carries per op: an FD error-vs-step curve and a graph SVG.

Both are computed once, from the op table, after the suite has run, and cached in
``derive.store`` (namespaces ``report-fd`` and ``report-graph``) under a key bound to what they
are made of — the sampled inputs, the forward's outputs, the reference VJP's values, the DOT
source of the graph and the renderer — not to an op's name or source text: change what the op
computes and the key changes. A piece that cannot be made says why (``"unavailable"``) instead of
stopping the document: a document about a failing engine must still be written.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
from typing import Any

import numpy as np

import numeric
from derive import store
from numeric.cases import Case, sample_inputs, standard_cases
from verify import fd
from verify.checks import kink_distance

__all__ = ["STEPS", "example_case", "fd_curve", "graph_svg", "why"]

STEPS = tuple(10.0 ** (-k / 2) for k in range(2, 29))  # 1e-1 … 1e-14, half decades
FORMAT = 1  # bump when what these functions compute changes without their inputs changing


def why(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


def example_case(op: numeric.Op) -> Case | None:
    """The case the pictures show: the first with a non-scalar input, else the first."""
    cases = standard_cases(op)
    if not cases:
        return None
    return next((c for c in cases if any(len(s) >= 1 for s in c.shapes)), cases[0])


def _inputs(op: numeric.Op, case: Case, seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    xs = sample_inputs(op, case, rng)
    out = np.asarray(op.fwd(*xs, **case.params))
    return xs, rng.standard_normal(out.shape)


def _differentiable(op: numeric.Op) -> list[int]:
    return [i for i, (rule, dom) in enumerate(zip(op.vjp, op.domains()))
            if rule is not None and dom.kind != "bool"]


def _digest(*arrays: Any) -> str:
    """A hash of arrays' dtypes, shapes and bytes (None and scalars too)."""
    h = hashlib.sha256()
    for a in arrays:
        if a is None:
            h.update(b"none")
            continue
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes() if a.dtype != object else repr(a.tolist()).encode())
    return h.hexdigest()


def _reference(op: numeric.Op, case: Case, xs: list[np.ndarray], g: np.ndarray,
               exact: bool, proved: bool) -> tuple[list[Any], str]:
    # derive's closed form of a decomposition known up to a choice (eig: order, phases; its
    # kind aligns outputs) is one branch, not necessarily LAPACK's at xs: the engine is then
    # the reference (its rule is what derive spot-checked)
    if exact and not proved and op.kind.align is None:
        try:
            import derive

            return list(derive.exact_vjp(op, case).evaluate(xs, g)), "exact (derive)"
        except Exception:  # noqa: BLE001 - derive cannot reach this op: the engine is the reference
            pass
    _, vjp_fn = numeric.vjp(lambda *ts: numeric.apply(op, *ts, **case.params), *xs)
    return list(vjp_fn(g)), "exact (the engine's rule, proved by derive)" if proved else "engine"


def fd_curve(op: numeric.Op, seed: int = 0, exact: bool = True,
             proved: tuple[str, ...] = ()) -> dict[str, Any]:
    """Error of central and forward differences of ``<g, f(x + h v)>`` per step ``h``.

    Small ``h``: round-off grows like eps/h; large ``h``: truncation (h^2 central, h forward) —
    the "V". Also the error of the FD check's own estimate (Ridders' extrapolation from the step
    ``chosen``, a quarter of the distance to a kink when nearer than 0.1, as the check does).
    The reference is exact when ``exact``: the engine's rule where derive proved it exact at the
    example case (``proved`` lists the cases, as ``str(case)``) — the same function, evaluated in
    float64 as lambdify would — else ``derive.exact_vjp``; failing that, the engine's VJP.
    """
    try:
        case = example_case(op)
        if case is None:
            return {"status": "unavailable", "why": "no standard case"}
        idx = _differentiable(op)
        if not idx:
            return {"status": "unavailable", "why": "no differentiable input"}
        xs, g = _inputs(op, case, seed)
        # Move every differentiable input at once: the curve bends wherever the op is nonlinear.
        rng = np.random.default_rng(seed + 1)
        vs = [rng.standard_normal(np.shape(x)) if i in idx else None for i, x in enumerate(xs)]
        reference, source = _reference(op, case, xs, g, exact, str(case) in proved)
        want = float(sum(np.sum(np.asarray(reference[i], dtype=np.float64) * vs[i]) for i in idx))
        chosen = float(min(0.1, kink_distance(op, [np.asarray(x, np.float64) for x in xs]) / 4))

        base = np.asarray(op.fwd(*xs, **case.params))

        def phi(t: float) -> float:  # Re <g, f>: real for complex outputs (eig's) too
            shifted = [x if v is None else x + t * v for x, v in zip(xs, vs)]
            out = op.fwd(*shifted, **case.params)
            if op.kind.align is not None:  # in the base point's order and phases
                out = op.kind.align(base, out)
            return float(np.real(np.sum(g * out)))

        key = store.key("report-fd", FORMAT, op.name, str(case), seed, source, chosen, want,
                        np.__version__, _digest(*xs, g, *vs, *reference,
                                                np.asarray(op.fwd(*xs, **case.params))),
                        [phi(h) for h in (STEPS[0], STEPS[len(STEPS) // 2])])
        cached = store.load("report-fd", key)
        if isinstance(cached, dict) and cached.get("status") == "ok":
            return cached
        curve = _curve(phi, want, chosen)
        curve.update(case=str(case), label=case.label, inputs=idx, reference=source, exact=want)
        store.save("report-fd", key, curve)
        return curve
    except Exception as e:  # noqa: BLE001 - a broken op gets a note, not a crashed document
        return {"status": "unavailable", "why": why(e)}


def _curve(phi: Any, want: float, chosen: float) -> dict[str, Any]:
    def error(estimate: Any) -> float | None:
        err = abs(float(np.real(estimate)) - want)
        return err if math.isfinite(err) else None

    with np.errstate(all="ignore"):
        central = [[h, error((phi(h) - phi(-h)) / (2 * h))] for h in STEPS]
        forward = [[h, error((phi(h) - phi(0.0)) / h)] for h in STEPS]
        ridders = None
        if chosen > 0:
            estimate, bar = fd.ridders(phi, chosen)
            bar = float(np.max(bar))
            ridders = {"error": error(estimate), "bar": bar if math.isfinite(bar) else None}
    best = min((p for p in central if p[1] is not None), key=lambda p: p[1], default=None)
    return {"status": "ok", "points": central, "forward": forward, "chosen": chosen,
            "ridders": ridders, "best_central": best}


@functools.lru_cache(maxsize=1)
def _renderer() -> str:
    """The Graphviz executable and its size and date: a new Graphviz lays out afresh."""
    from numeric.draw import find_renderer

    exe = find_renderer()
    if exe is None:
        return "none"
    st = os.stat(exe)
    return f"{exe}:{st.st_size}:{st.st_mtime_ns}"


def _stable_ids(source: str, ids: dict[str, str]) -> str:
    """DOT source with the Tensors' memory addresses (node names) numbered in order instead."""
    return re.sub(r"\b\d+(?=op\b|\b)", lambda m: ids.get(m.group(), m.group()), source)


def graph_svg(op: numeric.Op, failing: bool, seed: int = 0) -> dict[str, Any]:
    """The graph of ``sum(g * op(x, ...))`` after backward, drawn by Graphviz; the op's node red
    if ``failing``. Cached by its DOT source and the renderer."""
    try:
        from numeric.backprop import toposort
        from numeric.draw import render_svg

        case = example_case(op)
        if case is None:
            return {"status": "unavailable", "why": "no standard case"}
        xs, g = _inputs(op, case, seed)
        idx = set(_differentiable(op))
        ts = [numeric.Tensor(x) if i in idx else x for i, x in enumerate(xs)]
        out = numeric.apply(op, *ts, **case.params)
        loss = (out * g).sum()
        loss.backward(retain_graph=True)
        ids = {str(id(node)): f"n{k}" for k, node in enumerate(toposort(loss))}
        source = _stable_ids(numeric.draw_dot(loss, highlight=[out] if failing else ()).source,
                             ids)
        key = store.key("report-graph", FORMAT, source, _renderer())
        svg = store.load("report-graph", key)
        if not isinstance(svg, str):
            svg = render_svg(source)
            store.save("report-graph", key, svg)
        return {"status": "ok", "case": str(case), "svg": svg}
    except Exception as e:  # noqa: BLE001 - a broken op gets a note, not a crashed document
        return {"status": "unavailable", "why": why(e)}
