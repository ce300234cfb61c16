"""``check_function`` and ``assert_function``: the three-way check of a whole function in NumPy.

>>> import numpy as np, verify
>>> def loss(w, x):
...     return np.sum(np.tanh(x @ w) ** 2)
>>> r = verify.check_function(loss, np.ones((3, 2)) / 3, np.ones((4, 3)), argnums=0)
>>> r.ok
True

A function written with plain NumPy calls runs three ways at the same inputs:

- **the engine**: ``f`` on Tensors (NumPy's calls dispatch to ``numeric``), and its VJP;
- **exactly**: ``f`` on arrays of SymPy symbols through derive's mapping (the one the ops'
  proofs use), ``∂⟨G, f⟩/∂x`` by SymPy evaluated at the inputs — or, where that is too slow, at
  the inputs directly with one symbol per entry (:mod:`verify.function_exact`; the ``symbolic``
  check's detail says which);
- **finite differences** of ``⟨G, f⟩`` (Ridders, with error bars): every entry of small inputs,
  random directions for large ones.

``G`` is 1 for a scalar ``f``, else a seeded standard-normal cotangent. The result is an
:class:`verify.results.OpResult` (``kind`` "function") with the ``symbolic`` (engine against
exact) and ``fd`` (engine against finite differences) checks, the three-way agreement and the
diagnosis of ``check_op``. A call the engine cannot run raises TypeError naming it; one derive
cannot run on symbols makes the ``symbolic`` check ``unavailable`` (not passing), naming it.
"""

from __future__ import annotations

import inspect
import zlib
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from verify import fd
from verify.diagnose import diagnose, relative_error
from verify.fd_verdict import amax, empty_output, fd_verdict
from verify.options import RTOL, SYM_RTOL, Options
from verify.results import CaseResult, CheckResult, OpResult

__all__ = ["check_function", "assert_function", "sample_arrays", "STEPS"]

STEPS = (0.1, 1e-3)  # Ridders' first steps: the larger, then one that steps over fewer kinks


def check_function(f: Callable[..., Any], *arrays: Any, argnums: int | Iterable[int] | None = None,
                   seed: int = 0, dtype: str | Iterable[str] = "float64",
                   options: Options | None = None) -> OpResult:
    """Check the engine's gradient of ``f`` at ``arrays`` against the exact gradient and finite
    differences. ``argnums``: the arguments differentiated (default: all). ``dtype``: one dtype
    or several ("float64", "float32"); each is a case of the result. Reproducible per ``seed``.
    """
    name = getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or "f"
    if not callable(f):
        raise TypeError(f"check_function expects a function, got {type(f).__name__}")
    if not arrays:
        raise ValueError(f"check_function({name}): give the arrays to check it at")
    args = [np.asarray(a, dtype=np.float64) for a in arrays]
    wrt = _argnums(name, argnums, len(args))
    names = _names(f, len(args))
    options = options or Options()
    doc = (inspect.getdoc(f) or "").split("\n")[0]
    result = OpResult(name, doc, None, "function")
    for k, dt in enumerate([dtype] if isinstance(dtype, str) else list(dtype)):
        dt = str(np.dtype(dt))
        if dt not in RTOL:
            raise ValueError(f"check_function({name}): dtype {dt!r} is not supported; use "
                             f"one of {', '.join(RTOL)}")
        rng = np.random.default_rng([seed, zlib.crc32(name.encode()), k])
        result.cases.append(_case(f, name, names, args, wrt, dt, rng, options))
    return result


def assert_function(f: Callable[..., Any], *arrays: Any, **kwargs: Any) -> OpResult:
    """Like :func:`check_function`, but raise AssertionError with the diagnosis on a failure."""
    result = check_function(f, *arrays, **kwargs)
    if not result.ok:
        raise AssertionError(result.explain())
    return result


def sample_arrays(shapes: Iterable[tuple[int, ...]], seed: int = 0, low: float = -1.0,
                  high: float = 1.0) -> list[np.ndarray]:
    """Seeded uniform inputs in ``[low, high)`` of the given shapes (the CLI's inputs)."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, size=tuple(s)) for s in shapes]


# ---------------------------------------------------------------------------------------------
# One case: the three gradients at one dtype, then the checks
# ---------------------------------------------------------------------------------------------
def _case(f: Callable[..., Any], name: str, names: list[str], args: list[np.ndarray],
          wrt: list[int], dtype: str, rng: np.random.Generator, options: Options) -> CaseResult:
    xs = [a.astype(dtype) for a in args]
    xs64 = [x.astype(np.float64) for x in xs]  # the reference is taken at the rounded inputs
    out, vjp_fn = _engine(f, name, xs, wrt)
    g = np.ones((), dtype) if out.ndim == 0 else rng.standard_normal(out.shape).astype(dtype)
    grads = {i: np.asarray(v, dtype=np.float64) for i, v in zip(wrt, vjp_fn(g))}
    g = g.astype(np.float64)
    shapes = [list(a.shape) for a in args]
    case = " ; ".join(f"{n}: {'x'.join(map(str, s)) or '()'}" for n, s in zip(names, shapes))
    res = CaseResult(case, "given arrays", shapes, {"argnums": repr(tuple(wrt))}, dtype)
    refs: dict[int, np.ndarray] = {}  # the best reference per input: exact, else FD
    worst: dict[str, int] = {}  # the input each failing check found worst
    if "symbolic" in options.checks:
        check, exact, worst["symbolic"] = _symbolic(f, xs64, wrt, g, names, grads, dtype)
        res.checks.append(check)
        refs.update(exact)
    if "fd" in options.checks:
        check, fd_refs, worst["fd"] = _fd(f, xs64, wrt, g, names, grads, dtype, rng,
                                            options)
        res.checks.append(check)
        refs = {**fd_refs, **refs}
    for c in res.checks:  # the diagnosis of check_op: worst entries and a known pattern
        i = worst.get(c.check, wrt[0])
        if c.verdict == "fail" and i in refs:
            c.diagnosis = diagnose(grads[i], refs[i], input=i, x=xs64[i])
    return res


def _engine(f: Callable[..., Any], name: str, xs: list[np.ndarray], wrt: list[int]) -> Any:
    """The engine's output and VJP function: ``f`` on Tensors for the inputs in ``wrt``."""
    import numeric

    def on(*ts: Any) -> Any:
        full = list(xs)
        for i, t in zip(wrt, ts):
            full[i] = t
        return f(*full)

    try:
        with np.errstate(all="ignore"):
            out, vjp_fn = numeric.vjp(on, *[xs[i] for i in wrt])
    except Exception as e:
        raise TypeError(f"check_function({name}): the engine cannot run {name}: "
                        f"{type(e).__name__}: {e}") from e
    if isinstance(out, (tuple, list, dict)):
        raise TypeError(f"check_function({name}): {name} returns a {type(out).__name__}; it "
                        "must return one array")
    return np.asarray(out), vjp_fn


def _symbolic(f: Callable[..., Any], xs64: list[np.ndarray], wrt: list[int], g: np.ndarray,
              names: list[str], grads: dict[int, np.ndarray], dtype: str
              ) -> tuple[CheckResult, dict[int, np.ndarray], int]:
    from verify.function_exact import NoSymbolic, exact_gradient
    from verify.proofs import _derive

    _derive()  # derive missing is a usage error, never a skipped check
    try:
        with np.errstate(all="ignore"):
            exact = exact_gradient(f, xs64, wrt, g, names)
    except NoSymbolic as e:
        return CheckResult("symbolic", "unavailable", detail=str(e)), {}, wrt[0]
    tol = SYM_RTOL[dtype]
    worst, at = max((relative_error(grads[i], exact.grads[i]), i) for i in wrt)
    return CheckResult("symbolic", "pass" if worst <= tol else "fail", worst, tol,
                       detail=f"engine vs {exact.method} (worst input {at}, {names[at]})"
                       ), exact.grads, at


def _fd(f: Callable[..., Any], xs64: list[np.ndarray], wrt: list[int], g: np.ndarray,
        names: list[str], grads: dict[int, np.ndarray], dtype: str, rng: np.random.Generator,
        options: Options) -> tuple[CheckResult, dict[int, np.ndarray], int]:
    def f64(*a: Any) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(f(*a), dtype=np.float64)

    if g.size == 0:
        result, worst = empty_output({f"input {i} ({names[i]})": grads[i] for i in wrt})
        at = {f"input {i} ({names[i]})": i for i in wrt}.get(worst, wrt[0])
        return result, {i: np.zeros(xs64[i].shape) for i in wrt}, at
    if not np.all(np.isfinite(f64(*xs64))):
        return CheckResult("fd", "unreliable", detail="f is not finite at the inputs"), {}, \
            wrt[0]
    rtol, entries, refs = RTOL[dtype], [], {}
    full = all(xs64[i].size <= options.full_max for i in wrt)
    for i in wrt:
        if full:  # a kink within the first step spoils it: smaller steps until FD is sure
            ref, err = min((fd.gradient(f64, xs64, i, g, h0) for h0 in STEPS),
                           key=lambda r: amax(r[1]))
            refs[i] = ref
            pairs = [(grads[i], ref, err)]
        else:
            pairs = []
            for _ in range(options.directions):
                vs: list[Any] = [None] * len(xs64)
                vs[i] = rng.standard_normal(xs64[i].shape)
                jv, jv_err, _ = min((fd.jvp(f64, xs64, vs, h0) for h0 in STEPS),
                                    key=lambda r: amax(r[1]))
                pairs.append((np.sum(grads[i] * vs[i]), np.sum(g * jv),
                              np.sum(np.abs(g) * jv_err)))
        for engine, ref, err in pairs:
            scale = max(amax(ref), amax(engine), 1e-3 * amax(g), 1e-300)
            diff = np.abs(engine - ref)
            e = float(np.max(diff, initial=0.0)) / scale if np.all(np.isfinite(diff)) else np.inf
            entries.append((f"input {i} ({names[i]})", e, amax(err) / scale,
                            bool(np.all(np.isfinite(ref)))))
    how = ("entrywise Ridders differences of <G, f>" if full else
           f"directional Ridders differences, {options.directions} random directions per input")
    result, worst = fd_verdict(entries, rtol, options, how)
    at = {f"input {i} ({names[i]})": i for i in wrt}.get(worst, wrt[0])
    return result, refs, at if result.verdict == "fail" else wrt[0]


def _argnums(name: str, argnums: Any, n: int) -> list[int]:
    if argnums is None:
        return list(range(n))
    found = [argnums] if isinstance(argnums, (int, np.integer)) else list(argnums)
    bad = [a for a in found if not isinstance(a, (int, np.integer)) or not -n <= a < n]
    if bad or not found:
        raise ValueError(f"check_function({name}): argnums {argnums!r} must name some of the "
                         f"{n} arrays given (0 to {n - 1})")
    return list(dict.fromkeys(int(a) % n for a in found))


def _names(f: Callable[..., Any], n: int) -> list[str]:
    """The parameter names of ``f`` for its arrays (``x0, x1, ...`` where there are none)."""
    try:
        params = [p.name for p in inspect.signature(f).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) and params[i].isidentifier() else f"x{i}"
            for i in range(n)]
