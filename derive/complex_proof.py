"""Proofs of rules on complex inputs, with complex symbols: :func:`prove_complex`.

The engine follows autograd's convention (docs/numeric.md, "Complex numbers"): for a real l of a
complex z = x + iy the cotangent of z is ∂l/∂x − i ∂l/∂y. Here each input entry is
``x + I*y`` with real symbols x, y, the cotangent ``G = a + I*b`` with real a, b (real for a real
output), and the expected VJP of input i is ``∂l/∂x − I ∂l/∂y`` of ``l = Re Σ G f`` taken by
SymPy from the op's forward alone; the engine's own raw rule, run on the same symbols (then
``unbroadcast``), must differ from it by exactly 0 — ``proved`` when SymPy reduces every entry
of the difference to 0, ``spot-checked`` when it cannot within the budget but the difference is 0
to 40 digits at random rational points, ``refuted`` when it is not (``timed-out`` when the spot
checks run over their budget too).

Where SymPy cannot: an op whose forward is not holomorphic (it uses conj, re, im, |z|, the angle,
or an ordering) has a rule that branches on the input's dtype (``np.iscomplexobj``), which an
array of symbols does not carry, so the complex branch cannot be run symbolically: those are
``unavailable`` here, and checked numerically by ``gradproof verify --dtype complex128``; so are
ops with a boolean input (``where``). A holomorphic op's rule that branches on the dtype anyway
is caught by comparing the rule run on symbols with the rule NumPy runs on complex arrays at a
sampled point (``_same_branch``): what is proved must be what complex inputs compute.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from derive import store
from derive.budget import OutOfTime, budget
from derive.oprun import DeriveError, _read_digest, for_case, forward, resolve
from derive.proof import proof_key
from derive.symbolic import as_sym, symbols
from numeric import Op, unbroadcast
from numeric.cases import Case, sample_inputs

__all__ = ["ComplexProof", "prove_complex"]

# Functions that make a forward non-holomorphic in its symbols x + I*y (SymPy may also have
# rewritten |x + I*y| as sqrt(x² + y²): the Cauchy–Riemann test below catches that).
_NOT_HOLOMORPHIC = (sp.conjugate, sp.re, sp.im, sp.Abs, sp.arg, sp.sign, sp.Heaviside, sp.Max,
                    sp.Min, sp.Piecewise)


@dataclass(frozen=True)
class ComplexProof:
    """The outcome for one op and case: ``status`` in proved / spot-checked / refuted /
    unavailable, and ``detail`` saying why."""

    op: str
    case: str
    status: str
    detail: str


def prove_complex(op: Op | str, case: Case, seconds: float = 10.0, points: int = 3,
                  seed: int = 0) -> ComplexProof:
    """Prove ``op``'s rules on complex inputs at ``case`` against ∂l/∂x − i ∂l/∂y.

    A proved, spot-checked or unavailable outcome is kept in derive's store under the rules' own
    code (``proof_key``) and a digest of the numeric package's source, so an edit to a rule or
    to a helper it calls proves again; refuted and timed-out outcomes are never stored.
    """
    op = for_case(resolve(op), case)
    computes = _computes(op, case)
    key = store.key("complex-proof", proof_key(op, case, seed), _numeric_digest(), points,
                    computes)
    found = _MEMORY.get(key) if computes is not None else None
    if found is None and computes is not None:
        doc = store.load("complex-proof", key)
        if isinstance(doc, dict) and set(doc) == {f.name for f in dataclasses.fields(
                ComplexProof)} and all(isinstance(v, str) for v in doc.values()) and \
                doc["status"] in _KEPT and (doc["op"], doc["case"]) == (op.name, str(case)):
            found = ComplexProof(**doc)
    if found is None:
        found = _prove_complex(op, case, seconds, points, seed)
        if found.status in _KEPT and computes is not None:
            store.save("complex-proof", key, dataclasses.asdict(found))
    if found.status in _KEPT and computes is not None:
        _MEMORY[key] = found
    return found


def _computes(op: Op, case: Case) -> str | None:
    """What the rules compute: their values at one fixed complex point, to 9 digits (None if
    they cannot run there: nothing is stored). The rules' bytecode (``proof_key``) misses what
    they close over — a rule made by a factory, a user's VJP behind ``numeric.extend`` — and a
    stored proof is served without a re-check, so a changed rule must change the key."""
    rng = np.random.default_rng(20240229)
    try:
        with np.errstate(all="ignore"):
            zs = sample_inputs(op, case, rng, dtype=np.complex128)
            out = np.asarray(op.fwd(*zs, **dict(case.params)))
            g = rng.standard_normal(out.shape) + 1j * rng.standard_normal(out.shape)
            vals = [np.ravel(np.asarray(r(g, out, *zs, **dict(case.params)), dtype=complex))
                    if r is not None else np.zeros(0) for r in op.vjp]
    except Exception:  # noqa: BLE001 - a rule that cannot run numerically: prove afresh
        return None
    return store.key(*(" ".join(f"{v.real:.9e},{v.imag:.9e}" for v in a) for a in vals))


_KEPT = ("proved", "spot-checked", "unavailable")
_MEMORY: dict[str, ComplexProof] = {}


def _numeric_digest() -> str:
    """A digest of the numeric package's source (the rules and the helpers they call)."""
    root = Path(__file__).resolve().parents[1] / "numeric"
    parts = [_read_digest(str(p), os.stat(p).st_mtime_ns, os.stat(p).st_size)
             for p in sorted(root.rglob("*.py"))]
    return store.key(*parts)


def _prove_complex(op: Op, case: Case, seconds: float, points: int, seed: int
                   ) -> ComplexProof:
    def say(status: str, detail: str) -> ComplexProof:
        return ComplexProof(op.name, str(case), status, detail)

    if not op.complex:
        return say("unavailable", f"{op.name} does not declare complex=True: it is defined on "
                                  "real numbers only")
    if any(d.kind == "bool" for d in op.domains()):
        return say("unavailable", "a boolean input: complex symbols are not drawn for it")
    params = dict(case.params)
    xs, ys, zs = [], [], []
    for k, shape in enumerate(case.shapes):
        x, y = symbols(f"x{k}_", shape, real=True), symbols(f"y{k}_", shape, real=True)
        xs.append(x), ys.append(y), zs.append(as_sym(x + sp.I * y))
    try:
        with budget(seconds):  # the forward too: inv of a 3x3 of complex symbols takes minutes
            out = forward(op, zs, params)
            diffs = _differences(op, case, out, xs, ys, zs)
    except DeriveError as e:
        return say("unavailable", str(e))
    except OutOfTime:
        return say("timed-out", f"running the forward and building rule − (∂l/∂x − i ∂l/∂y) on "
                                f"complex symbols ran over its {seconds:g} s budget")
    if isinstance(diffs, str):
        return say("unavailable", diffs)
    try:
        with budget(seconds):
            if all(sp.simplify(sp.expand(d)) == 0 for d in diffs):
                return say("proved", f"every entry of rule − (∂l/∂x − i ∂l/∂y) is 0 "
                                     f"({len(diffs)} entries, complex symbols)")
    except OutOfTime:
        pass
    try:
        with budget(seconds):
            return _spot(say, diffs, case, op, points, seed)
    except OutOfTime:
        return say("timed-out", f"SymPy did not reduce the difference to 0, and its rational "
                                f"spot checks ran over their {seconds:g} s budget")


def _differences(op: Op, case: Case, out: Any, xs: list[Any], ys: list[Any], zs: list[Any]
                 ) -> list[Any] | str:
    """Rule − (∂l/∂x − i ∂l/∂y) per differentiated input entry, or why it cannot be formed."""
    params = dict(case.params)
    flat = _entries(out)
    if not _faithful(op, case, flat, xs, ys):
        return ("its NumPy forward does not run faithfully on complex symbols (on an array of "
                "objects np.real(z) is z itself; Max of complex values has no meaning); verify "
                "--dtype complex128 checks it numerically")
    if any(e.has(*_NOT_HOLOMORPHIC) for e in flat) or not _cauchy_riemann(flat, xs, ys):
        return ("not holomorphic (its forward uses conj, re, im, |z|, the angle or an ordering): "
                "its rule branches on np.iscomplexobj, which an array of symbols does not carry; "
                "verify --dtype complex128 checks it numerically")
    real_out = np.isrealobj(op.fwd(*sample_inputs(op, case, np.random.default_rng(0),
                                                  dtype=np.complex128), **params))
    a = symbols("a_", np.shape(out), real=True)
    G = a if real_out else as_sym(a + sp.I * symbols("b_", np.shape(out), real=True))
    S = sp.Add(*[gk * fk for gk, fk in zip(_entries(G), flat)])
    loss = (S + sp.conjugate(S)) / 2  # Re Σ G f, written so that SymPy differentiates it
    diffs, rules = [], []
    for i, rule in enumerate(op.vjp):
        if rule is None:
            continue
        got = unbroadcast(as_sym(rule(G, out, *zs, **params)), tuple(case.shapes[i]))
        got = np.broadcast_to(np.asarray(got, dtype=object), tuple(case.shapes[i]))
        rules.append((i, got))
        for g, x, y in zip(_entries(got), _entries(xs[i]), _entries(ys[i])):
            diffs.append(g - (sp.diff(loss, x) - sp.I * sp.diff(loss, y)))
    if not _same_branch(op, case, rules, xs, ys, G):
        return ("its rule computes another formula on complex arrays than on symbols (it "
                "branches on np.iscomplexobj, which an array of symbols does not carry); "
                "verify --dtype complex128 checks it numerically")
    return diffs


def _spot(say: Any, diffs: list[Any], case: Case, op: Op, points: int, seed: int) -> ComplexProof:
    """The difference at random rational points (multiples of 1/1000) inside the domain box,
    to 40 digits."""
    rng = np.random.default_rng(seed)
    free = sorted(set().union(*(d.free_symbols for d in diffs)), key=str)
    doms = {f"x{k}_": d for k, d in enumerate(op.domains())}
    doms.update({f"y{k}_": d for k, d in enumerate(op.domains())})
    # Evaluated with mpmath at 40 digits: SymPy's own evaluation of x**y at exact complex
    # rationals takes seconds per entry.
    evaluate = sp.lambdify(free, diffs, "mpmath")
    for _ in range(points):
        at = []
        for s in free:
            dom = doms.get(str(s).split("_")[0] + "_")
            lo, hi = (dom.low, dom.high) if dom is not None else (-1.0, 1.0)
            at.append(mpmath.mpf(round(lo * 1000) + int(rng.integers(1, 1000)) * round(
                (hi - lo) * 1000) // 1000) / 1000)
        with mpmath.workdps(40):
            sizes = [float(abs(mpmath.mpc(v))) for v in evaluate(*at)]
        worst = max(sizes, default=0.0)
        if worst > 1e-30 or not all(np.isfinite(sizes)):  # NaN compares False: not a 0
            worst = next((e for e in sizes if not np.isfinite(e)), worst)
            return say("refuted", f"rule − (∂l/∂x − i ∂l/∂y) = {worst:.3g} at a rational point")
    return say("spot-checked", f"SymPy did not reduce the difference to 0; it is 0 to 40 digits "
                               f"at {points} random rational points")


def _entries(a: Any) -> list[Any]:
    return [sp.sympify(e) for e in np.asarray(a, dtype=object).reshape(-1)]


def _faithful(op: Op, case: Case, flat: list[Any], xs: list[Any], ys: list[Any]) -> bool:
    """Whether the forward on symbols equals NumPy's complex forward at a sampled point (on an
    object array np.real returns the array itself, so real(z) would run as z; a Max of complex
    values, softmax's shift, cannot even be evaluated)."""
    zs = sample_inputs(op, case, np.random.default_rng(1), dtype=np.complex128)
    at = {}
    for z, x, y in zip(zs, xs, ys):
        for v, sx, sy in zip(z.reshape(-1), _entries(x), _entries(y)):
            at[sx], at[sy] = sp.Float(v.real, 30), sp.Float(v.imag, 30)
    want = np.asarray(op.fwd(*zs, **case.params)).reshape(-1)
    try:
        got = [complex(sp.N(f.subs(at), 30)) for f in flat]
    except (TypeError, ValueError):  # SymPy refuses an ordering of complex numbers
        return False
    return bool(np.allclose(got, want, rtol=1e-10, atol=1e-12))


def _same_branch(op: Op, case: Case, rules: list[tuple[int, Any]], xs: list[Any],
                 ys: list[Any], G: Any) -> bool:
    """Whether the rule run on symbols equals the rule NumPy runs on complex arrays, at a
    sampled point and cotangent: what is proved must be what complex inputs compute."""
    rng = np.random.default_rng(2)
    zs = sample_inputs(op, case, rng, dtype=np.complex128)
    out = op.fwd(*zs, **case.params)
    g = rng.standard_normal(np.shape(out)) + (0 if np.isrealobj(out) else 1j *
                                              rng.standard_normal(np.shape(out)))
    at = {}
    for z, x, y in zip(zs, xs, ys):
        for v, sx, sy in zip(z.reshape(-1), _entries(x), _entries(y)):
            at[sx], at[sy] = sp.Float(v.real, 30), sp.Float(v.imag, 30)
    for v, s in zip(np.reshape(g, -1), _entries(G)):
        for part in s.free_symbols:
            at[part] = sp.Float(v.real if str(part).startswith("a_") else v.imag, 30)
    for i, got in rules:
        want = np.reshape(unbroadcast(op.vjp[i](g, out, *zs, **case.params), np.shape(zs[i]),
                                      zs[i].dtype), -1)
        if not np.allclose([complex(sp.N(e.subs(at), 30)) for e in _entries(got)], want,
                           rtol=1e-9, atol=1e-12):
            return False
    return True


def _cauchy_riemann(flat: list[Any], xs: list[Any], ys: list[Any]) -> bool:
    """Whether ∂f/∂y = i ∂f/∂x for every output entry and input entry, at a rational point (a
    classification only: it decides whether the rule's symbolic run is the one complex arrays
    take)."""
    pairs = [(x, y) for xk, yk in zip(xs, ys) for x, y in zip(_entries(xk), _entries(yk))]
    at = {s: sp.Rational(3 + 2 * k, 7 + k) for k, s in enumerate(
        sorted({s for x, y in pairs for s in (x, y)}, key=str))}
    for f in flat:
        for x, y in pairs:
            if abs(complex(sp.N((sp.diff(f, y) - sp.I * sp.diff(f, x)).subs(at), 30))) > 1e-20:
                return False
    return True
