"""Exact checks of a rule at constructed rational points: decompositions with no closed form.

An op whose forward has no exact form (LAPACK's svd, eigh, qr past two values, or their
vectors) may declare ``Op.exact_point(shapes, params, rng)`` (see
:mod:`numeric.ops.exact_points`): an input built from exactly known rational factors, the
output from those factors, and the defining equations ``F(x, y) = 0`` of the factors ``y``, one
per unknown. At such a point:

1. ``F(x, y) = 0`` exactly, and ``out(y)`` is NumPy's forward at ``float(x)`` (LAPACK's signs:
   the gradient checked is that of NumPy's choice);
2. the implicit function theorem gives the exact VJP: with ``J_y = ∂F/∂y`` (nonsingular: the
   factors are locally unique) and ``J_x = ∂F/∂x``, solve ``J_yᵀ λ = (∂out/∂y)ᵀ g`` exactly in
   rationals and take ``x̄ = −J_xᵀ λ``;
3. that VJP, along a random direction, agrees with central differences of NumPy's forward
   (a float confirmation that the declared equations describe the op);
4. the engine's raw rule, run on the exact rationals, must equal ``x̄`` entry by entry.

Steps 1–3 failing means the point cannot judge the rule ("unavailable"); step 4 failing refutes
it. Output entries that are no functions of x (a full_matrices completion) get cotangent 0, as
the engine requires; the rule is never shown a cotangent it would refuse. Complex outputs of a
real x (eig's pairs) enter as their real and imaginary parts, with ``dl = Re Σ g out``; the
differences see NumPy's forward through the kind's ``align`` hook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from sympy.polys.matrices import DomainMatrix

from derive.budget import budget
from derive.oprun import input_names, is_zero, run_rules
from derive.render import Derivation, array_latex, array_text, make_step
from derive.spot import mismatch
from derive.symbolic import as_sym, symbols
from numeric import Op
from numeric.cases import Case

__all__ = ["constructed_check", "constructed_point", "constructed_derivation",
           "ConstructedPoint", "METHOD", "POINTS"]

METHOD = "exact at {n} constructed rational point{s}"
_FD_RTOL = 1e-5
# Draws of a point before giving up: a rational point may sit where LAPACK's sign choice jumps
# (a pivot exactly 0), which the float confirmation sees; a wrong hook fails every draw.
_ATTEMPTS = 6
POINTS = 2  # constructed points a fresh proof is checked at (each ~0.1-0.6 s at 3x3)


class Unjudged(Exception):  # noqa: N818 - the point cannot judge the rule (not a rule error)
    pass


@dataclass
class ConstructedPoint:
    """One judged point: inputs, factors, output, cotangent and the exact VJP (per input)."""

    xs: list[np.ndarray]
    factors: tuple[np.ndarray, ...]
    out: np.ndarray
    g: np.ndarray
    want: list[np.ndarray]
    equations: int
    names: tuple[str, ...]  # the factors'
    text: str  # the defining equations in words


def constructed_check(op: Op, rules: Any, case: Case, points: int, rng: np.random.Generator,
                      clock: budget | None = None) -> tuple[str, str, str]:
    """(status, method, detail): "spot-checked" if the rule is exact at ``points`` constructed
    points, "refuted" (where) or "unavailable" (why the points cannot judge it)."""
    names = input_names(op)
    method = METHOD.format(n=points, s="s" if points > 1 else "") + (
        " (x built from rational factors with LAPACK's signs; the VJP solved exactly from "
        "the linearised defining equations, confirmed by central differences of NumPy's "
        "forward)")
    for _ in range(points):
        if clock is not None:
            clock.check()
        try:
            p = constructed_point(op, case, rng)
        except Unjudged as e:
            return "unavailable", method, str(e)
        if clock is not None:
            clock.check()
        params = dict(case.params)
        xs = [as_sym(x) for x in p.xs]
        got = run_rules(op, rules, names, p.want, xs, as_sym(p.out), as_sym(p.g), params)
        for i, w in enumerate(p.want):
            for k in np.ndindex(*w.shape):
                if not is_zero(sp.expand(sp.sympify(got[i][k]) - w[k])):  # Gaussian: exact
                    where = {f"{names[i]}{list(k)}": x for k, x in np.ndenumerate(p.xs[i])}
                    return "refuted", method, mismatch(names, i, k, got[i][k], w[k], where)
    return "spot-checked", method, ""


def constructed_point(op: Op, case: Case, rng: np.random.Generator) -> ConstructedPoint:
    """Build, validate and solve one constructed point of ``op`` at ``case`` (steps 1–3);
    Unjudged when none of :data:`_ATTEMPTS` draws can judge a rule."""
    for attempt in range(_ATTEMPTS):  # a point on a jump of LAPACK's signs: draw again
        try:
            return _one_point(op, case, rng)
        except Unjudged as e:
            if attempt + 1 == _ATTEMPTS:
                raise Unjudged(f"{e} (at {_ATTEMPTS} constructed points)") from None
    raise AssertionError("unreachable")


def _one_point(op: Op, case: Case, rng: np.random.Generator) -> ConstructedPoint:
    params = dict(case.params)
    pt = op.exact_point(case.shapes, params, rng)
    xs = [np.asarray(x, dtype=object) for x in pt.xs]
    fixed = tuple(pt.fixed) + (None,) * (len(pt.factors) - len(pt.fixed))
    # symbols for the inputs and the unknown factor entries (structural constants stay)
    xsym = [symbols(f"x{i}_", x.shape) for i, x in enumerate(xs)]
    ysym, unknowns = [], []
    for j, (f, mask) in enumerate(zip(pt.factors, fixed)):
        y = symbols(f"y{j}_", np.shape(f)).view(np.ndarray).copy()
        for k in np.ndindex(*np.shape(f)):
            if mask is not None and mask[k]:
                y[k] = sp.sympify(f[k])
            else:
                unknowns.append((y[k], f[k]))
        ysym.append(as_sym(y))
    at = {s: v for x, xv in zip(xsym, xs) for s, v in zip(x.view(np.ndarray).ravel(),
                                                          xv.ravel())}
    at.update(dict(unknowns))
    eqs = [sp.expand(e) for e in np.asarray(pt.residual(xsym, *ysym), dtype=object).ravel()]
    outs = [sp.sympify(e) for e in np.asarray(pt.out(*ysym), dtype=object).ravel()]
    bad = [e for e in eqs if sp.sympify(e).xreplace(at) != 0]
    if bad:
        raise Unjudged(f"{op.name}: the constructed point does not satisfy its defining "
                       f"equations ({len(bad)} of {len(eqs)} are not 0)")
    if len(eqs) != len(unknowns):
        raise Unjudged(f"{op.name}: {len(eqs)} defining equations for {len(unknowns)} unknowns")
    cplx = any(e.has(sp.I) for e in outs)  # a real x with complex outputs (eig's pairs)
    parts = _split(outs) if cplx else outs  # real equations: Re and Im apart
    out = np.array([sp.expand(e.xreplace(at)) for e in outs], dtype=object)
    xf = [np.array(x, dtype=float) for x in xs]
    fwd0 = np.asarray(op.fwd(*xf, **params))
    ref = np.ravel(fwd0)
    if ref.shape != out.shape or not np.allclose(out.astype(complex if cplx else float), ref,
                                                 rtol=1e-9, atol=1e-9):
        raise Unjudged(f"{op.name}: the constructed factors are not NumPy's at float(x) "
                       "(another sign or order)")
    ys = [s for s, _ in unknowns]
    col = {s: c for c, s in enumerate(ys)}
    xcol = {s: c for c, s in enumerate(s for x in xsym for s in x.view(np.ndarray).ravel())}
    jy, jx, jo = (_jacobian(rows, idx, at) for rows, idx in ((eqs, col), (eqs, xcol),
                                                               (parts, col)))
    live = {r % len(outs) for r in _live(jo)}
    g = np.zeros(len(outs), dtype=object)
    for r in range(len(outs)):
        g[r] = _draw(rng) + (sp.I * _draw(rng) if cplx else 0) if r in live else sp.Integer(0)
    if pt.cotangent is not None:
        g = np.ravel(pt.cotangent(g.reshape(fwd0.shape)))
    # Re Σ g out = Σ Re g Re out − Im g Im out: the cotangent of the real parts
    g_parts = np.concatenate([[sp.re(e) for e in g], [-sp.im(e) for e in g]]) if cplx else g
    rhs = jo.transpose().matmul(_column(g_parts))
    try:
        lam = jy.transpose().lu_solve(rhs)
    except Exception:  # noqa: BLE001 - singular: the factors are not locally unique
        raise Unjudged(f"{op.name}: the defining equations are singular at the constructed "
                       "point (its factors are not locally unique)") from None
    grad = (-jx.transpose().matmul(lam)).to_Matrix()
    want, start = [], 0
    for x in xs:
        want.append(np.array([grad[start + c] for c in range(x.size)], dtype=object
                             ).reshape(x.shape))
        start += x.size
    _confirm(op, params, xf, want, (jy, jx, jo), g_parts, fwd0, cplx, rng)
    names = pt.names or tuple(f"y{j}" for j in range(len(pt.factors)))
    return ConstructedPoint(xs, tuple(pt.factors), out.reshape(fwd0.shape),
                            g.reshape(fwd0.shape), want, len(eqs), names, pt.equations)


def constructed_derivation(op: Op, case: Case, proof: Any) -> Derivation:
    """The steps at one constructed point (seed 0) of ``case``, ending with ``proof``'s status
    (the proof itself ran at its own points)."""
    p = constructed_point(op, case, np.random.default_rng(0))
    names, fnames = input_names(op), p.names
    d = Derivation(op.name, f"VJP of {op.name} at shapes {case}, at a constructed rational "
                   "point", "concrete")
    d.steps.append(make_step(
        "a point with exactly known factors",
        ",\\quad ".join(f"{n} = {array_latex(a)}" for n, a in zip(
            names + fnames, p.xs + list(p.factors))),
        "statement: x built from rational factors, their signs those LAPACK gives at float(x)",
        text="\n".join(_labelled(f"{n} =", array_text(a)) for n, a in zip(
            names + fnames, p.xs + list(p.factors)))))
    d.steps.append(make_step(
        "the defining equations F(x, y) = 0", rf"\text{{{p.text}}}",
        f"checked: all {p.equations} are exactly 0 at the point, in as many unknowns, with a "
        "nonsingular Jacobian J_y (the factors are locally unique functions of x)",
        text=p.text))
    d.steps.append(make_step(
        "the exact VJP from the linearised equations",
        r"J_y^T \lambda = (\partial \mathrm{out}/\partial y)^T g,\quad \bar x = -J_x^T "
        rf"\lambda = {array_latex(p.want[0])},\quad g = {array_latex(p.g)}",
        "solved exactly in rationals; along a random direction it agrees with central "
        "differences of NumPy's forward",
        text="x̄ = −J_xᵀ λ with J_yᵀ λ = (∂out/∂y)ᵀ g\n" + _labelled("g =", array_text(p.g))
        + "\n" + _labelled(f"∂l/∂{names[0]} =", array_text(p.want[0]))))
    got = run_rules(op, op.vjp, names, p.want, [as_sym(x) for x in p.xs], as_sym(p.out),
                    as_sym(p.g), dict(case.params))
    got = [np.vectorize(lambda e: sp.expand(e), otypes=[object])(np.asarray(a).view(np.ndarray))
           for a in got]  # numbers: Gaussian products stay unexpanded (and huge) otherwise
    rel = "=" if proof.ok else "≠" if proof.status == "refuted" else "≟"
    d.steps.append(make_step(
        "the engine's rule, run on the same exact numbers",
        rf"\text{{{op.name}.vjp}} = {array_latex(got[0])}",
        f"{proof.status}: {proof.method}" + (f"; {proof.detail}" if proof.detail else ""),
        text=_labelled(f"{op.name}.vjp → {names[0]}:", array_text(got[0]))
        + f"\n  {rel} ∂l/∂{names[0]}  ({proof.status})"))
    return d


def _labelled(label: str, block: str) -> str:
    lines = block.splitlines() or [""]
    return label + " " + lines[0] if len(lines) == 1 else label + "\n" + "\n".join(
        "  " + line for line in lines)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _jacobian(rows: list[Any], col: dict[Any, int], at: dict[Any, Any]) -> DomainMatrix:
    """∂rows/∂(symbols of ``col``) at the point, exact, as a DomainMatrix over QQ."""
    entries: dict[int, dict[int, Any]] = {}
    for r, e in enumerate(rows):
        e = sp.sympify(e)
        for s in e.free_symbols & col.keys():
            v = sp.diff(e, s).xreplace(at)
            if v != 0:
                entries.setdefault(r, {})[col[s]] = sp.Rational(v)
    return DomainMatrix.from_dict_sympy(len(rows), len(col), entries).convert_to(
        sp.QQ).to_dense()


def _column(v: np.ndarray) -> DomainMatrix:
    return DomainMatrix.from_list_sympy(len(v), 1, [[sp.Rational(e)] for e in v]).convert_to(
        sp.QQ)


def _draw(rng: np.random.Generator) -> Any:
    return sp.Rational(int(rng.choice([-1, 1]) * rng.integers(1, 10)), int(rng.integers(1, 5)))


def _split(outs: list[Any]) -> list[Any]:
    """The real parts, then the imaginary parts, of expressions p + I q in real unknowns."""
    outs = [sp.expand(e) for e in outs]
    re = [e.xreplace({sp.I: 0}) for e in outs]
    return re + [sp.expand((e - r) * -sp.I) for e, r in zip(outs, re)]


def _flat(op: Op, base: np.ndarray, xs: list[np.ndarray], params: dict[str, Any],
          cplx: bool) -> np.ndarray:
    """NumPy's forward at ``xs`` in the order, signs and phases of ``base`` (the kind's align
    hook: the gauge of the engine's rule, as verify's finite differences), raveled, complex
    values as their real parts then imaginary parts."""
    y = op.fwd(*xs, **params)
    if op.kind.align is not None:
        y = op.kind.align(base, y)
    y = np.ravel(y)
    return np.concatenate([y.real, y.imag]) if cplx else np.asarray(y, dtype=float)


def _live(jo: DomainMatrix) -> set[int]:
    """Output entries that depend on the factors (the others are no functions of x)."""
    return {r for (r, _c) in jo.to_sparse().to_dok()}


def _confirm(op: Op, params: dict[str, Any], xf: list[np.ndarray], want: list[np.ndarray],
             jacobians: tuple[DomainMatrix, ...], g: np.ndarray, base: np.ndarray, cplx: bool,
             rng: np.random.Generator, h: float = 1e-6) -> None:
    """Along a random direction d: the exact derivative of the outputs that depend on x, and
    ⟨x̄, d⟩, against central differences of NumPy's forward (J d and ⟨g, J d⟩)."""
    jy, jx, jo = jacobians
    dirs = [rng.choice([-1.0, 1.0], size=x.shape) * rng.uniform(0.5, 1.0, size=x.shape)
            for x in xf]
    dx = _column(np.concatenate([np.vectorize(sp.Rational, otypes=[object])(d).ravel()
                                 for d in dirs]))
    dout = np.array(jo.matmul(jy.lu_solve(-jx.matmul(dx))).to_Matrix(), dtype=float).ravel()
    ref = _flat(op, base, xf, params, cplx)
    plus = _flat(op, base, [x + h * d for x, d in zip(xf, dirs)], params, cplx)
    minus = _flat(op, base, [x - h * d for x, d in zip(xf, dirs)], params, cplx)
    live = sorted(_live(jo))
    fd = (plus - minus)[live] / (2 * h)
    gf = np.array(g, dtype=float)[live]
    along = sum(float(np.sum(np.array(w, dtype=float) * d)) for w, d in zip(want, dirs))
    if not np.allclose(fd, dout[live], rtol=_FD_RTOL, atol=_FD_RTOL * max(1.0, np.abs(ref).max())
                       ) or abs(along - gf @ fd) > _FD_RTOL * (1.0 + np.abs(gf) @ np.abs(fd)):
        raise Unjudged(f"{op.name}: the exact derivative from the declared defining equations "
                       "disagrees with central differences of NumPy's forward (the equations "
                       "do not describe the op)")

