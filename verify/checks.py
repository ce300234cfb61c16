"""The six checks of one op on one shape case, at one dtype.

(a) ``symbolic`` — derive's exact proof of the rule, else the exact VJP evaluated numerically;
(b) ``fd`` — the engine's ``Jᵀ G`` against finite differences of ``<G, f>``: every entry for
    small inputs (or once a projection fails, to localise the wrong entries), else projections
    on random directions; the tolerance comes from the FD error bar and the dtype;
(c) ``adjoint`` — the dot-product test ``<G, J v>`` against ``Σ <Jᵢᵀ G, vᵢ>`` for random ``v``,
    ``J v`` by complex step (or Ridders); and, in float64, a complex cotangent must give the
    real cotangent's result (real inputs keep the real part);
(d) ``raw_shape`` — the raw rule's shape before the broadcast sum, which can hide a wrong shape;
(e) ``kink`` — at the declared kink, one-sided differences locate it and the engine's value is
    the declared convention, between the one-sided slopes;
(f) ``taylor`` — ``|f(x + h v) - f(x) - h <∇f, v>|`` shrinks like h² (observed order ≈ 2).

:func:`check_case` runs them and returns a :class:`verify.results.CaseResult`. Every reference
is computed in float64 at the dtype-rounded inputs, so float32 is judged against float64.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from numeric import Op, unbroadcast
from numeric.cases import Case
from verify import fd
from verify.diagnose import broadcast_size, diagnose
from verify.results import CHECKS, CaseResult, CheckResult

__all__ = ["Options", "RTOL", "check_case", "kink_distance"]

# Relative tolerance per dtype: the engine's own rounding, never tighter than FD can judge.
RTOL = {"float64": 1e-9, "float32": 2e-4}
# Symbolic (exact) reference evaluated numerically: only the engine's rounding remains.
SYM_RTOL = {"float64": 1e-11, "float32": 5e-5}


@dataclass(frozen=True)
class Options:
    """What to run and how strictly. ``checks``: any of ``verify.results.CHECKS``."""

    checks: tuple[str, ...] = CHECKS
    full_max: int = 64       # inputs up to this many entries get the entrywise FD comparison
    safety: float = 10.0     # tolerance = safety x the FD error bar (at least RTOL[dtype])
    unreliable: float = 1e-5  # relative FD error bar beyond which FD cannot judge
    directions: int = 2      # random directions per input for the projection FD check
    complex_cotangent: bool = True


def check_case(op: Op, case: Case, xs: list[np.ndarray], dtype: str, rng: np.random.Generator,
               options: Options = Options(), proof: dict[str, Any] | None = None) -> CaseResult:
    """Run the selected checks of ``op`` on inputs ``xs`` (already in ``case``'s shapes)."""
    run = _Run(op, case, xs, dtype, rng, options, proof)
    return run.result()


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


class _Run:
    """The state shared by the checks of one case: inputs, cotangent, engine results."""

    def __init__(self, op: Op, case: Case, xs: list[np.ndarray], dtype: str,
                 rng: np.random.Generator, options: Options, proof: dict[str, Any] | None):
        self.op, self.case, self.dtype, self.rng, self.opt, self.proof = (
            op, case, dtype, rng, options, proof)
        self.params = dict(case.params)
        dt = np.dtype(dtype)
        self.xs = [x if _is_bool(x) else np.asarray(x).astype(dt) for x in xs]
        self.xs64 = [x if _is_bool(x) else x.astype(np.float64) for x in self.xs]
        self.idx = [i for i, r in enumerate(op.vjp) if r is not None and not _is_bool(xs[i])]
        self.rtol = RTOL.get(dtype, 1e-3)
        self.out = np.asarray(op.fwd(*self.xs, **self.params))
        out64 = self.f64(*self.xs64)
        self.g = rng.standard_normal(np.shape(out64)).astype(dt)
        self.g64 = self.g.astype(np.float64)
        # Finite differences must not step across a kink: start at a quarter of the distance.
        self.kink_gap = kink_distance(op, self.xs64)
        self.h0 = min(0.1, self.kink_gap / 4)
        self.raw: dict[int, tuple[int, ...]] = {}
        self.grads: dict[int, np.ndarray] = {}
        self.errors: dict[int, str] = {}
        for i in self.idx:
            try:
                raw = op.vjp[i](self.g, self.out, *self.xs, **self.params)
                self.raw[i] = tuple(np.shape(raw))
                gi = unbroadcast(raw, self.xs[i].shape, self.xs[i].dtype,
                                 where=f"{op.name} input {i}")
                self.grads[i] = np.asarray(gi, dtype=np.float64)
            except Exception as e:  # a wrong rule may raise anything: that is a finding
                self.errors[i] = f"{type(e).__name__}: {e}"
        self.reference: dict[int, tuple[np.ndarray, str]] = {}  # input -> (ref, source)

    def f64(self, *xs: Any) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(self.op.fwd(*xs, **self.params))

    # -- driver -------------------------------------------------------------------------------
    def result(self) -> CaseResult:
        shapes = [list(s) for s in self.case.shapes]
        params = {k: repr(v) for k, v in self.case.params.items()}
        res = CaseResult(str(self.case), self.case.label, shapes, params, self.dtype)
        runners = {"symbolic": self.symbolic, "fd": self.fd, "adjoint": self.adjoint,
                   "raw_shape": self.raw_shape, "kink": self.kink, "taylor": self.taylor}
        for name in CHECKS:
            if name not in self.opt.checks:
                continue
            if not self.idx and name != "kink":
                res.checks.append(CheckResult(name, "skipped", detail="no differentiated input"))
                continue
            try:
                res.checks.append(runners[name]())
            except Exception as e:  # the forward itself failed on a perturbed input, etc.
                res.checks.append(CheckResult(name, "fail", detail=f"{name} check could not "
                                              f"run: {type(e).__name__}: {e}"))
        failed = [c for c in res.checks if c.verdict == "fail" and c.diagnosis is None]
        if failed:
            diag = self.diagnosis()
            for c in failed:
                c.diagnosis = diag
        return res

    def engine_error(self, name: str) -> CheckResult | None:
        if name in ("fd", "adjoint", "taylor") and self.kink_gap < 1e-6:
            return CheckResult(name, "unreliable", detail=(
                f"reference unreliable: an input entry lies on the declared kink "
                f"({self.op.kink.text}); the kink check judges it"))
        if not self.errors:
            return None
        i, msg = next(iter(self.errors.items()))
        return CheckResult(name, "fail", detail=f"{self.op.name}: the VJP rule for input {i} "
                           f"(shape {self.xs[i].shape}) raised {msg}")

    # -- (a) symbolic -------------------------------------------------------------------------
    def symbolic(self) -> CheckResult:
        p = self.proof
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
        reason = (p or {}).get("detail") or (p or {}).get("reason") or ""
        exact = _exact_values(self.op, self.case, self.xs64, self.g64)
        if isinstance(exact, str):
            return CheckResult("symbolic", "skipped",
                               detail="; ".join(s for s in (reason, exact) if s))
        if (bad := self.engine_error("symbolic")) is not None:
            return bad
        tol = SYM_RTOL.get(self.dtype, 1e-4)
        worst, worst_i = 0.0, self.idx[0]
        for i in self.idx:
            if exact[i] is None:
                continue
            ref = np.asarray(exact[i], dtype=np.float64)
            self.reference[i] = (ref, "exact")
            err = _rel_err(self.grads[i], ref)
            if err > worst:
                worst, worst_i = err, i
        verdict = "pass" if worst <= tol else "fail"
        return CheckResult("symbolic", verdict, worst, tol,
                           detail=f"engine vs derive's exact VJP evaluated in float64 "
                                  f"(worst input {worst_i})" + (f"; {reason}" if reason else ""))

    # -- (b) finite differences ---------------------------------------------------------------
    def fd(self) -> CheckResult:
        if (bad := self.engine_error("fd")) is not None:
            return bad
        full = all(self.xs[i].size <= self.opt.full_max for i in self.idx)
        return self.fd_full() if full else self.fd_projected()

    def fd_full(self) -> CheckResult:
        refs = {i: fd.gradient(self.f64, self.xs64, i, self.g64, self.h0) for i in self.idx}
        # One scale for the case: an input whose cotangent is zero is judged against the rest.
        scale = max([_amax(r) for r, _ in refs.values()] + [_amax(a) for a in self.grads.values()]
                    + [_amax(self.g64) * 1e-3, 1e-300])
        worst = None
        unsure = []
        for i, (ref, err) in refs.items():
            self.reference.setdefault(i, (ref, "finite differences"))
            diff = np.abs(self.grads[i] - ref)
            e = float(np.max(diff, initial=0.0)) / scale if np.all(np.isfinite(diff)) else np.inf
            fd_rel = _amax(err) / scale
            tol = max(self.rtol, self.opt.safety * fd_rel)
            if fd_rel > self.opt.unreliable or not np.all(np.isfinite(ref)):
                unsure.append(f"input {i}: FD error bar {fd_rel:.2g}")
                continue
            if worst is None or e / tol > worst[0] / worst[1]:
                worst = (e, tol, i)
        return self._verdict("fd", worst, unsure, "entrywise Ridders differences of <G, f>")

    def fd_projected(self) -> CheckResult:
        worst = None
        unsure = []
        for i in self.idx:
            for _ in range(self.opt.directions):
                vs: list[Any] = [None] * len(self.xs)
                vs[i] = self.rng.standard_normal(self.xs[i].shape)
                jv, jv_err, _ = fd.jvp(self.f64, self.xs64, vs, self.h0)
                lhs, rhs = np.sum(self.g64 * jv), np.sum(self.grads[i] * vs[i])
                scale = np.sum(np.abs(self.g64 * jv)) + np.sum(np.abs(self.grads[i] * vs[i]))
                scale = max(scale, 1e-3 * float(np.sum(np.abs(self.g64))), 1e-300)
                e = abs(lhs - rhs) / scale if np.isfinite(rhs) else np.inf
                fd_rel = float(np.sum(np.abs(self.g64) * jv_err)) / scale
                tol = max(self.rtol, self.opt.safety * fd_rel)
                if fd_rel > self.opt.unreliable:
                    unsure.append(f"input {i}: FD error bar {fd_rel:.2g}")
                elif worst is None or e / tol > worst[0] / worst[1]:
                    worst = (e, tol, i)
        return self._verdict("fd", worst, unsure, "directional Ridders differences, "
                             f"{self.opt.directions} random directions per input")

    def _verdict(self, name: str, worst: Any, unsure: list[str], how: str) -> CheckResult:
        if worst is not None and worst[0] > worst[1]:
            e, tol, i = worst
            return CheckResult(name, "fail", e, tol, detail=f"{how}: input {i} off by "
                               f"{e:.3g} (relative), tolerance {tol:.3g}")
        if unsure:
            return CheckResult(name, "unreliable", None if worst is None else worst[0],
                               None if worst is None else worst[1],
                               detail="reference unreliable: " + "; ".join(unsure))
        e, tol, _ = worst if worst is not None else (0.0, self.rtol, 0)
        return CheckResult(name, "pass", e, tol, detail=how)

    # -- (c) adjoint (dot-product) test -------------------------------------------------------
    def adjoint(self) -> CheckResult:
        if (bad := self.engine_error("adjoint")) is not None:
            return bad
        vs: list[Any] = [self.rng.standard_normal(x.shape) if i in self.idx else None
                         for i, x in enumerate(self.xs64)]
        jv, jv_err, method = fd.jvp(self.f64, self.xs64, vs, self.h0)
        terms = [self.grads[i] * vs[i] for i in self.idx]
        lhs = float(np.sum(self.g64 * jv))
        rhs = float(sum(np.sum(t) for t in terms))
        scale = float(np.sum(np.abs(self.g64 * jv)) + sum(np.sum(np.abs(t)) for t in terms))
        # Floor: a zero derivative is judged against |G| |v|, not against zero.
        scale = max(scale, 1e-3 * float(np.sum(np.abs(self.g64))), 1e-300)
        e = abs(lhs - rhs) / scale if np.isfinite(rhs) else np.inf
        fd_rel = float(np.sum(np.abs(self.g64) * jv_err)) / scale
        tol = max(self.rtol, self.opt.safety * fd_rel)
        how = f"<G, J v> by {method} vs <Jᵀ G, v>"
        if e > tol and fd_rel <= self.opt.unreliable:
            return CheckResult("adjoint", "fail", e, tol, detail=f"{how}: {lhs!r} vs {rhs!r}")
        if self.dtype == "float64" and self.opt.complex_cotangent:
            bad = self._complex_cotangent()
            if bad is not None:
                return bad
        if fd_rel > self.opt.unreliable:
            return CheckResult("adjoint", "unreliable", e, tol,
                               detail=f"reference unreliable: {method} error bar {fd_rel:.2g}")
        return CheckResult("adjoint", "pass", e, tol, detail=how)

    def _complex_cotangent(self) -> CheckResult | None:
        g2 = self.rng.standard_normal(self.g.shape)
        for i in self.idx:
            try:
                raw = self.op.vjp[i](self.g + 1j * g2, self.out, *self.xs, **self.params)
                gi = unbroadcast(raw, self.xs[i].shape, self.xs[i].dtype)
                e = _rel_err(np.real(gi), self.grads[i]) if np.shape(gi) == self.xs[i].shape \
                    else np.inf
            except Exception as ex:
                hint = "the rule's complex branch is broken (a real input keeps the real part)"
                return CheckResult("adjoint", "fail", detail=(
                    f"{self.op.name}: the VJP rule for input {i} raised {type(ex).__name__}: "
                    f"{ex} on a complex cotangent"),
                    diagnosis={"input": i, "worst": [], "hint": hint})
            if e > self.rtol:
                return CheckResult("adjoint", "fail", e, self.rtol, detail=(
                    f"{self.op.name} input {i}: a complex cotangent G + iG' gave a result whose "
                    "real part is not the VJP of G"),
                    diagnosis={"input": i, "worst": [], "hint": "not linear in g"})
        return None

    # -- (d) raw rule shape -------------------------------------------------------------------
    def raw_shape(self) -> CheckResult:
        if (bad := self.engine_error("raw_shape")) is not None:
            return bad
        for i in self.idx:
            target = _broadcast_target(self.op, self.xs, self.out, i)
            if target is None:
                continue  # no broadcast model for this signature: unbroadcast accepted it
            if not _fits(self.raw[i], self.xs[i].shape, target):
                hint = diagnose(np.zeros(self.raw[i]), np.zeros(self.xs[i].shape), input=i,
                                raw_shape=self.raw[i])["hint"]
                return CheckResult("raw_shape", "fail", detail=(
                    f"{self.op.name}: the raw rule for input {i} returned shape {self.raw[i]}; "
                    f"the input has shape {self.xs[i].shape} and the forward broadcasts it to "
                    f"at most {target}, so the broadcast sum hid a wrong shape"),
                    diagnosis={"input": i, "worst": [], "hint": hint})
        shown = ", ".join(f"{self.raw[i]}" for i in self.idx)
        return CheckResult("raw_shape", "pass", detail=f"raw shapes {shown}")

    # -- (e) kinks ----------------------------------------------------------------------------
    def kink(self) -> CheckResult:
        from verify.kinks import check_kink

        return check_kink(self.op, self.xs64, self.params, self.dtype, self.idx, self.rng)

    # -- (f) Taylor remainder -----------------------------------------------------------------
    def taylor(self) -> CheckResult:
        if (bad := self.engine_error("taylor")) is not None:
            return bad
        from verify.kinks import taylor_order

        return taylor_order(self.f64, self.xs64, self.g64, self.grads, self.idx, self.rng,
                            self.h0, self.rtol)

    # -- diagnosis ----------------------------------------------------------------------------
    def diagnosis(self) -> dict[str, Any] | None:
        """Localise the error: the input with the largest error against the best reference."""
        if self.errors:
            i = next(iter(self.errors))
            return {"input": i, "worst": [], "hint": _error_hint(self.errors[i])}
        if self.kink_gap < 1e-6:
            return None
        best = None
        for i in self.idx:
            if i not in self.reference:
                ref, _ = fd.gradient(self.f64, self.xs64, i, self.g64, self.h0)
                self.reference[i] = (ref, "finite differences")
            ref = self.reference[i][0]
            e = _rel_err(self.grads[i], ref)
            if best is None or e > best[0]:
                best = (e, i, ref)
        if best is None:
            return None
        _, i, ref = best
        target = _broadcast_target(self.op, self.xs, self.out, i)
        copies = broadcast_size(self.xs[i].shape, target or self.xs[i].shape)
        d = diagnose(self.grads[i], ref, input=i, x=self.xs64[i], raw_shape=self.raw.get(i),
                     copies=copies)
        d["reference"] = self.reference[i][1]
        return d


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _is_bool(x: Any) -> bool:
    return np.asarray(x).dtype == np.bool_


def _amax(a: Any) -> float:
    a = np.abs(np.asarray(a, dtype=np.float64))
    return float(np.max(np.where(np.isfinite(a), a, 0.0), initial=0.0))


def _rel_err(a: np.ndarray, ref: np.ndarray) -> float:
    """max |a - ref| / max(|ref|, |a|): 0 when both are zero, inf on a non-finite mismatch."""
    a = np.asarray(a, dtype=np.float64)
    if a.shape != np.shape(ref):
        return np.inf
    diff = np.abs(a - ref)
    if np.any(~np.isfinite(diff)):
        return np.inf
    scale = max(_amax(ref), _amax(a))
    return 0.0 if scale == 0 else float(np.max(diff, initial=0.0)) / scale


def _exact_values(op: Op, case: Case, xs: list[np.ndarray], g: np.ndarray) -> Any:
    """derive's exact VJP at these inputs, or a string saying why it is not available."""
    try:
        import derive
    except ImportError as e:
        return f"derive is not importable ({e})"
    if not hasattr(derive, "exact_vjp"):
        return "derive.exact_vjp is not available yet"
    try:
        return derive.exact_vjp(op, case).evaluate(xs, g)
    except Exception as e:
        return f"no symbolic VJP for {op.name} at {case}: {type(e).__name__}: {e}"


# Signatures whose raw rule must return exactly the input's shape (nothing is broadcast).
EXACT_SHAPE = ("reduce", "reshape", "transpose", "swapaxes", "expand_dims", "squeeze", "index",
               "scatter")
BROADCASTING = ("elementwise", "where", "clip")


def _broadcast_target(op: Op, xs: list[np.ndarray], out: np.ndarray, i: int
                      ) -> tuple[int, ...] | None:
    """The largest shape the forward stretches input ``i`` to (the raw rule may return it).

    None for a signature without a broadcast model here: then any shape unbroadcast accepts.
    """
    x = xs[i].shape
    sig = op.signature
    if sig == "broadcast_to":
        return out.shape
    if sig == "matmul":
        other = xs[1 - i].shape
        if len(x) == 1:
            return out.shape[:-1] + x if len(other) >= 2 else x
        batch = out.shape[:-2] if len(other) >= 2 else out.shape[:-1]
        return tuple(batch) + x[-2:]
    if sig in BROADCASTING:
        try:
            return tuple(np.broadcast_shapes(x, out.shape))
        except ValueError:
            return x
    if sig in EXACT_SHAPE:
        return x
    return None


def _fits(raw: tuple[int, ...], x: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether ``raw`` lies between ``x`` and its broadcast ``target``, axis by axis."""
    if tuple(raw) == tuple(x):
        return True
    if len(raw) > len(target) or len(x) > len(raw):
        return False
    xp = (1,) * (len(raw) - len(x)) + tuple(x)
    tp = tuple(target[len(target) - len(raw):])
    return all(r == a or (a == 1 and r == t) for r, a, t in zip(raw, xp, tp))


def _error_hint(msg: str) -> str:
    if "cannot be summed down" in msg:
        return "the raw rule returned a shape unbroadcast cannot sum: wrong axis or transposed"
    return f"the rule raised: {msg}"
