"""The checks of an expression's generated gradient at one size set, or at random ones.

The three parties of the three-way verdict, for a whole expression instead of one op:

- the **generated** gradient — derive's closed form as NumPy code (``numpy_function``);
- the **engine**'s gradient — the expression's forward (``forward_function``) run on Tensors
  through ``numeric.vjp`` with the cotangent ``G`` (``1`` for a scalar expression);
- **finite differences** of ``<G, f>`` — Ridders with error bars (:mod:`verify.fd`), entrywise
  for small inputs, along random directions for large ones.

The checks have check_op's names and meanings (``verify.checks``): ``symbolic`` compares the
engine with the symbolic derivation (here: its generated code), ``fd`` the engine with finite
differences, ``raw_shape`` the generated gradient's shape and dtype with the input's; an
optional ``reference`` compares the generated gradient with a published closed form (the
Cookbook's). So :meth:`verify.results.CaseResult.agreement` names the odd one out, and a
failure carries ``verify.diagnose``'s diagnosis of the generated gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from verify import expression_inputs as inputs
from verify import fd
from verify.diagnose import diagnose, relative_error
from verify.expression_inputs import Point, Shapes, expression_rng, size_candidates
from verify.fd_verdict import amax, empty_output, fd_verdict
from verify.options import RTOL, Options
from verify.results import CaseResult, CheckResult

__all__ = ["run_random", "run_sizes", "expression_rng", "size_candidates"]

SIZE_ATTEMPTS = 8  # distinct random size sets tried per wanted one


def run_random(forward: Callable[..., Any], gradient: Callable[..., Any], wrt: list[str],
               shapes: Shapes, seed: int, expr: str, options: Options, count: int = 2,
               reference: Callable[..., Any] | None = None) -> list[CaseResult]:
    """The checks at ``count`` random size sets, the first with every dimension ≥ 3 and
    unequal. A size set where no well-posed inputs exist (``inv(X.T @ X)`` with fewer rows than
    columns) is replaced by another, a few times; after that it is reported as unreliable."""
    letters = any(isinstance(d, str) for dims in shapes.values() for d in dims)
    cases: list[CaseResult] = []
    tried: list[dict[str, int]] = []
    for k in range(count if letters else 1):
        stream = size_candidates(shapes, seed, expr, big=k == 0)
        case, fresh = None, []
        for _ in range(20 * SIZE_ATTEMPTS):  # distinct candidates (few letters repeat often)
            sizes = next(stream)
            if sizes not in tried and sizes not in fresh:
                fresh.append(sizes)
            if len(fresh) == SIZE_ATTEMPTS:
                break
        candidates = fresh or tried[-1:]
        for attempt, sizes in enumerate(candidates):
            tried.append(sizes)
            case = run_sizes(forward, gradient, wrt, shapes, sizes,
                             expression_rng(seed, expr, len(tried)), options, reference,
                             required=attempt == len(candidates) - 1)
            if case is not None:
                break
        if case is not None:
            cases.append(case)
    return cases


def run_sizes(forward: Callable[..., Any], gradient: Callable[..., Any], wrt: list[str],
              shapes: Shapes, sizes: Mapping[str, int], rng: np.random.Generator,
              options: Options, reference: Callable[..., Any] | None = None,
              required: bool = True) -> CaseResult | None:
    """The checks of one size set. ``gradient(xs, g)`` returns ``{wrt name: array}`` (the
    generated code); ``reference(xs, g)`` the same from a published closed form. Where no
    well-posed inputs exist at these sizes: None, or (``required``) unreliable checks."""
    shape_at = inputs.concrete(shapes, sizes)
    label = ", ".join(f"{a} = {v}" for a, v in sizes.items()) or "fixed sizes"
    res = CaseResult(" ; ".join(f"{n}: {s}" for n, s in shape_at.items()), label,
                     [list(s) for s in shape_at.values()], {}, "float64")
    point, why = inputs.draw(forward, shape_at, wrt, rng)
    if point is None and not required:
        return None
    if point is None:
        res.checks = [CheckResult(c, "unreliable", detail=f"no well-posed inputs at {label} "
                                  f"in {inputs.ATTEMPTS} draws: {why}") for c in ("symbolic", "fd")]
        return res
    rtol = RTOL["float64"]
    try:
        with np.errstate(all="ignore"):
            generated = gradient(point.xs, None if point.scalar else point.g)
        generated = {w: np.asarray(generated[w]) for w in wrt}
    except Exception as e:  # noqa: BLE001 - the generated code raising is a finding
        bad = f"the generated gradient raised {type(e).__name__}: {e}"
        res.checks = [CheckResult("symbolic", "fail", detail=bad,
                                  diagnosis={"input": 0, "worst": [], "hint": bad}),
                      _fd_check(point, rng, options, rtol)]
        return res
    checks = [_symbolic(point, generated, rtol), _fd_check(point, rng, options, rtol),
              _shape_check(point, generated)]
    if reference is not None:
        checks.append(_reference(point, generated, reference))
    if not required and any(c.verdict == "unreliable" for c in checks):
        return None  # FD cannot judge here (a near-singular matrix): other sizes will do
    failed = [c for c in checks if c.verdict == "fail" and c.diagnosis is None]
    if failed:
        diag = _diagnosis(point, generated, sizes)
        for c in failed:
            c.diagnosis = diag
    res.checks = checks
    return res


def _symbolic(point: Point, generated: dict[str, np.ndarray], rtol: float) -> CheckResult:
    worst = max(((relative_error(generated[w], point.engine[w]), w) for w in point.wrt),
                key=lambda t: t[0])
    how = "the generated NumPy gradient (derive's closed form) against the engine's gradient"
    if worst[0] > rtol:
        return CheckResult("symbolic", "fail", worst[0], rtol,
                           detail=f"{how}: ∂/∂{worst[1]} off by {worst[0]:.3g} (relative)")
    return CheckResult("symbolic", "pass", worst[0], rtol, detail=how)


def _fd_check(point: Point, rng: np.random.Generator, options: Options,
              rtol: float) -> CheckResult:
    """The engine's gradient against Ridders differences of <G, f>, with their error bars."""
    try:
        with np.errstate(all="ignore"):
            return _fd(point, rng, options, rtol)
    except Exception as e:  # noqa: BLE001 - a step reached a singular matrix, say
        return CheckResult("fd", "unreliable", detail=f"reference unreliable: finite "
                           f"differences could not run ({type(e).__name__}: {e})")


def _fd(point: Point, rng: np.random.Generator, options: Options, rtol: float) -> CheckResult:
    if point.g.size == 0:
        for w in point.wrt:
            point.reference[w] = np.zeros(point.xs[w].shape)
        return empty_output({f"∂/∂{w}": point.engine[w] for w in point.wrt})[0]
    xs = list(point.xs.values())
    entries = []
    full = all(point.xs[w].size <= options.full_max for w in point.wrt)
    for w in point.wrt:
        i = point.names.index(w)
        if full:
            ref, err = fd.gradient(point.f64, xs, i, point.g)
            point.reference[w] = ref
            scale = max(amax(ref), amax(point.engine[w]), 1e-300)
            e = float(np.max(np.abs(point.engine[w] - ref), initial=0.0)) / scale
            entries.append((f"∂/∂{w}", e, amax(err) / scale, bool(np.all(np.isfinite(ref)))))
        else:
            for _ in range(options.directions):
                vs: list[Any] = [None] * len(xs)
                vs[i] = rng.standard_normal(xs[i].shape)
                jv, jv_err, _ = fd.jvp(point.f64, xs, vs)
                lhs, rhs = np.sum(point.g * jv), np.sum(point.engine[w] * vs[i])
                scale = max(float(np.sum(np.abs(point.g * jv))
                                  + np.sum(np.abs(point.engine[w] * vs[i]))), 1e-300)
                entries.append((f"∂/∂{w}", abs(lhs - rhs) / scale,
                                float(np.sum(np.abs(point.g) * jv_err)) / scale,
                                bool(np.isfinite(lhs))))
    how = ("entrywise Ridders differences of <G, f>" if full else
           f"directional Ridders differences, {options.directions} random directions per input")
    return fd_verdict(entries, rtol, options, how)[0]


def _shape_check(point: Point, generated: dict[str, np.ndarray]) -> CheckResult:
    for w in point.wrt:
        got, want = generated[w], point.xs[w]
        if got.shape != want.shape or got.dtype != want.dtype:
            hint = (f"transposed gradient: shape {got.shape} for {w} of shape {want.shape}"
                    if got.shape == want.shape[::-1] and got.ndim == 2 else
                    f"wrong form: a {got.dtype} gradient of shape {got.shape} for {w}, "
                    f"{want.dtype} of shape {want.shape}")
            return CheckResult("raw_shape", "fail", detail=f"the generated gradient: {hint}",
                               diagnosis={"input": point.wrt.index(w), "name": w, "worst": [],
                                          "hint": hint})
    return CheckResult("raw_shape", "pass", detail="the generated gradients have their inputs' "
                       "shapes, in float64")


def _reference(point: Point, generated: dict[str, np.ndarray],
               reference: Callable[..., Any]) -> CheckResult:
    """Our closed form (the generated code) against the published one, evaluated in NumPy."""
    with np.errstate(all="ignore"):
        ref = reference(point.xs, None if point.scalar else point.g)
    worst = max(((relative_error(generated[w], np.asarray(ref[w], dtype=np.float64)), w)
                 for w in ref), key=lambda t: t[0])
    tol = 1e-9
    verdict = "pass" if worst[0] <= tol else "fail"
    return CheckResult("reference", verdict, worst[0], tol, detail=(
        f"the generated gradient against the published closed form: ∂/∂{worst[1]} "
        + ("agrees" if verdict == "pass" else f"off by {worst[0]:.3g} (relative)")))


def _diagnosis(point: Point, generated: dict[str, np.ndarray],
               sizes: Mapping[str, int]) -> dict[str, Any]:
    """The worst generated gradient against the best reference: FD where it was judged, else
    the engine's."""
    fd_ok = point.reference and all(np.all(np.isfinite(r)) for r in point.reference.values())
    refs = point.reference if fd_ok else point.engine
    source = "finite differences" if fd_ok else "the engine's gradient"
    e, w = max(((relative_error(generated[w], refs[w]), w) for w in point.wrt),
               key=lambda t: t[0])
    d = diagnose(generated[w], refs[w], input=point.wrt.index(w), x=point.xs[w])
    got, want = np.shape(generated[w]), np.shape(refs[w])
    if got != want:
        d["hint"] = (f"transposed gradient: shape {got} for {w} of shape {want}"
                     if len(got) == 2 and got == want[::-1] else
                     f"wrong shape: the generated gradient {got}, {w} {want}")
    d["hint"] = (d["hint"].replace("the engine gives", "the generated gradient gives")
                 .replace("engine VJP", "generated gradient")
                 or f"no known pattern; off by {e:.3g} (relative)")
    d.update(name=w, reference=source, sizes=dict(sizes))
    return d
