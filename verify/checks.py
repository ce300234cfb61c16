"""The six checks of one op on one shape case, at one dtype.

(a) ``symbolic`` — derive's exact proof of the rule, else the exact VJP evaluated numerically;
(b) ``fd`` — the engine's ``Jᵀ G`` against finite differences of ``<G, f>``: every entry for
    small inputs (or once a projection fails, to localise the wrong entries), else projections
    on random directions; the tolerance comes from the FD error bar and the dtype;
(c) ``adjoint`` — the dot-product test ``<G, J v>`` against ``Σ <Jᵢᵀ G, vᵢ>`` for random ``v``,
    ``J v`` by complex step (or Ridders); and, in float64, a complex cotangent must give the
    real cotangent's result (real inputs keep the real part);
(d) ``raw_shape`` — the gradient's form: the raw rule's shape before the broadcast sum (which can
    hide a wrong shape), and the engine's gradient's shape and dtype (the input's float dtype);
(e) ``kink`` — at the declared kink, one-sided differences locate it and the engine's value is
    the declared convention, between the one-sided slopes;
(f) ``taylor`` — ``|f(x + h v) - f(x) - h <∇f, v>|`` shrinks like h² (observed order ≈ 2).

:func:`check_case` runs them and returns a :class:`verify.results.CaseResult`. Every reference
is computed in float64 at the dtype-rounded inputs, so float32 is judged against float64. The
engine's gradients come through the engine (``verify.engine``, i.e. ``numeric.vjp``: seed,
dispatch, backward and its one ``unbroadcast``); the raw rules are called directly only to see
their shapes. Options and tolerances live in ``verify.options``, check (a) in
``verify.symbolic``, (b) and (c) in ``verify.projections``, (e) and (f) in ``verify.kinks``. A
failing check at inputs outside the op's declared domain is diagnosed as such
(``verify.domain``), not with an error pattern.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from numeric import Op
from numeric.cases import Case
from verify import fd
from verify.diagnose import broadcast_size, diagnose, relative_error
from verify.domain import note, outside
from verify.engine import engine_vjp
from verify.kinks import check_kink, kink_distance, taylor_order
from verify.options import RTOL, Options
from verify.projections import adjoint_check, fd_check
from verify.results import CHECKS, CaseResult, CheckResult
from verify.shapes import broadcast_target, fits
from verify.symbolic import symbolic_check

__all__ = ["Options", "RTOL", "check_case"]


def check_case(op: Op, case: Case, xs: list[np.ndarray], dtype: str, rng: np.random.Generator,
               options: Options | None = None, proof: dict[str, Any] | None = None
               ) -> CaseResult:
    """Run the selected checks of ``op`` on inputs ``xs`` (already in ``case``'s shapes)."""
    run = _Run(op, case, xs, dtype, rng, options or Options(), proof)
    return run.result()


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
        # An op whose outputs carry a choice (eig's order and phases) declares how to bring
        # the forward at nearby points into the engine's: every reference differences that.
        self.align, self.base = op.kind.align, self.out
        out64 = self.base = self.f64(*self.xs64)
        self.g = rng.standard_normal(np.shape(out64))
        if np.iscomplexobj(out64):  # l = Re Σ G f: a complex G sees the imaginary parts too
            self.g = self.g + 1j * rng.standard_normal(np.shape(out64))
        self.g = self.g.astype(np.result_type(dt, np.complex64) if np.iscomplexobj(self.g)
                               else dt)
        self.g64 = self.g.astype(np.result_type(np.float64, self.g.dtype))
        # Finite differences must not step across a kink: start at a quarter of the distance.
        self.kink_gap = kink_distance(op, self.xs64)
        self.h0 = min(0.1, self.kink_gap / 4)
        self.raw: dict[int, tuple[int, ...]] = {}  # the raw rules' shapes (check d)
        self.grads: dict[int, np.ndarray] = {}  # the engine's gradients, in float64
        self.form: dict[int, tuple[tuple[int, ...], np.dtype]] = {}  # ... their shape, dtype
        self.errors: dict[int, str] = {}
        for i in self.idx:
            try:
                self.raw[i] = tuple(np.shape(op.vjp[i](self.g, self.out, *self.xs,
                                                       **self.params)))
            except Exception as e:  # a wrong rule may raise anything: that is a finding
                self.errors[i] = f"{type(e).__name__}: {e}"
        self.vjp_fn = None
        if not self.errors:
            try:
                self.vjp_fn = engine_vjp(op, self.xs, self.idx, self.params)
                for i, gi in zip(self.idx, self.vjp_fn(self.g)):
                    gi = np.asarray(gi)
                    self.form[i] = (gi.shape, gi.dtype)
                    self.grads[i] = gi.astype(np.float64)
            except Exception as e:  # the rules ran: unbroadcast refused a raw shape, say
                named = re.match(rf"{re.escape(op.name)} input (\d+): ", str(e))
                i = int(named.group(1)) if named else self.idx[0]
                self.errors[i] = f"{type(e).__name__}: {e}"
        self.reference: dict[int, tuple[np.ndarray, str]] = {}  # input -> (ref, source)

    def refused(self, i: int) -> bool:
        """Whether input ``i``'s rule ran but its raw shape cannot be summed to the input's."""
        return i in self.raw and "cannot be summed down" in self.errors.get(i, "")

    def f64(self, *xs: Any) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = np.asarray(self.op.fwd(*xs, **self.params))
            return out if self.align is None else np.asarray(self.align(self.base, out))

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
        if any(c.verdict == "fail" for c in res.checks) and (away := outside(self.op, self.xs)):
            for c in res.checks:  # the inputs, not a pattern in the rule, explain these
                if c.verdict == "fail":
                    c.diagnosis = note(self.op, away)
            return res
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
        who = "the engine's backward pass" if i in self.raw else "the VJP rule"
        return CheckResult(name, "fail", detail=f"{self.op.name}: {who} for input {i} "
                           f"(shape {self.xs[i].shape}) raised {msg}")

    # -- (a) symbolic, (b) finite differences, (c) adjoint ------------------------------------
    def symbolic(self) -> CheckResult:
        return symbolic_check(self)

    def fd(self) -> CheckResult:
        return fd_check(self)

    def adjoint(self) -> CheckResult:
        return adjoint_check(self)

    # -- (d) raw rule shape -------------------------------------------------------------------
    def raw_shape(self) -> CheckResult:
        for i in self.idx:
            if self.refused(i):  # the rule ran; the engine's unbroadcast refused its shape
                return CheckResult("raw_shape", "fail", detail=(
                    f"{self.op.name}: the raw rule for input {i} returned shape {self.raw[i]}, "
                    f"which cannot be summed down to the input's shape {self.xs[i].shape}"),
                    diagnosis=self.diagnosis())
        if (bad := self.engine_error("raw_shape")) is not None:
            return bad
        for i in self.idx:
            target = broadcast_target(self.op, self.xs, self.out, i)
            if target is None:
                continue  # no raw-shape model for this kind: unbroadcast accepted it
            if not fits(self.raw[i], self.xs[i].shape, target):
                hint = diagnose(np.zeros(self.raw[i]), np.zeros(self.xs[i].shape), input=i,
                                raw_shape=self.raw[i])["hint"]
                return CheckResult("raw_shape", "fail", detail=(
                    f"{self.op.name}: the raw rule for input {i} returned shape {self.raw[i]}; "
                    f"the input has shape {self.xs[i].shape} and the forward broadcasts it to "
                    f"at most {target}, so the broadcast sum hid a wrong shape"),
                    diagnosis={"input": i, "worst": [], "hint": hint})
        for i in self.idx:  # what the engine hands back: the input's shape and float dtype
            shape, dtype = self.form[i]
            if (shape, dtype) != (self.xs[i].shape, self.xs[i].dtype):
                what = "dtype" if shape == self.xs[i].shape else "shape"
                hint = (f"wrong {what}: a {dtype} gradient of shape {shape} for a "
                        f"{self.xs[i].dtype} input of shape {self.xs[i].shape}")
                return CheckResult("raw_shape", "fail", detail=(
                    f"{self.op.name}: the engine's gradient for input {i} is {dtype} of shape "
                    f"{shape}, the input {self.xs[i].dtype} of shape {self.xs[i].shape}: a rule "
                    f"must keep the input's float dtype (build constants with np.result_type(x))"),
                    diagnosis={"input": i, "worst": [], "hint": hint})
        shown = ", ".join(f"{self.raw[i]}" for i in self.idx)
        return CheckResult("raw_shape", "pass",
                           detail=f"raw shapes {shown}; engine gradients in {self.dtype}")

    # -- (e) kinks ----------------------------------------------------------------------------
    def kink(self) -> CheckResult:
        return check_kink(self.op, self.xs64, self.params, self.dtype, self.idx, self.rng)

    # -- (f) Taylor remainder -----------------------------------------------------------------
    def taylor(self) -> CheckResult:
        if (bad := self.engine_error("taylor")) is not None:
            return bad
        return taylor_order(self.f64, self.xs64, self.g64, self.grads, self.idx, self.rng,
                            self.h0, self.rtol)

    # -- diagnosis ----------------------------------------------------------------------------
    def diagnosis(self) -> dict[str, Any] | None:
        """Localise the error: the input with the largest error against the best reference."""
        if self.errors:
            i = next(iter(self.errors))
            if self.refused(i):
                return diagnose(np.zeros(self.raw[i]), np.zeros(self.xs[i].shape), input=i,
                                raw_shape=self.raw[i])
            return {"input": i, "worst": [], "hint": _error_hint(self.errors[i])}
        if self.kink_gap < 1e-6:
            return None
        best = None
        for i in self.idx:
            if i not in self.reference:
                ref, _ = fd.gradient(self.f64, self.xs64, i, self.g64, self.h0)
                self.reference[i] = (ref, "finite differences")
            ref = self.reference[i][0]
            e = relative_error(self.grads[i], ref)
            if best is None or e > best[0]:
                best = (e, i, ref)
        if best is None:
            return None
        _, i, ref = best
        target = broadcast_target(self.op, self.xs, self.out, i)
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


def _error_hint(msg: str) -> str:
    if "cannot be summed down" in msg:
        return "the raw rule returned a shape unbroadcast cannot sum: wrong axis or transposed"
    return f"the rule raised: {msg}"
