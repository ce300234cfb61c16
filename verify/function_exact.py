"""The exact gradient of a whole NumPy function at given inputs, through derive's SymPy mapping.

``exact_gradient(f, args, wrt, g)`` runs ``f`` on arrays of SymPy symbols (derive's
``SymArray``: NumPy's calls mapped to SymPy, the mapping the ops' proofs use), forms
``l = Σ g ⊙ f`` and differentiates it by SymPy, then evaluates each entry at the inputs' exact
binary values (30 significant digits, then float64). When that all-symbols run exceeds its time
budget (expressions grow fast with size), the gradient is taken at the inputs directly: one run
of ``f`` per entry with a single symbol ``t`` along it (``x + t e_k``) and ``d/dt`` at 0, still
exact. :class:`Exact` says which ran. A NumPy function ``f`` calls that derive cannot run on
symbols raises :class:`NoSymbolic` naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Exact", "NoSymbolic", "exact_gradient", "SYMBOLIC_SECONDS", "POINT_SECONDS"]

SYMBOLIC_SECONDS = 10.0  # the all-symbols run and differentiation
POINT_SECONDS = 30.0  # then the per-entry runs at the inputs


class NoSymbolic(Exception):  # noqa: N818 - a finding about f, reported as "unavailable"
    """``f`` cannot run on symbols (a NumPy function with no SymPy mapping, say)."""


@dataclass
class Exact:
    """Per differentiated input, the exact gradient in float64, and how it was computed."""

    grads: dict[int, np.ndarray]
    method: str


def exact_gradient(f: Callable[..., Any], args: Sequence[np.ndarray], wrt: Sequence[int],
                   g: np.ndarray, names: Sequence[str]) -> Exact:
    """``∇_{args[i]} Σ g ⊙ f(*args)`` for each ``i`` in ``wrt``, exactly (see the module)."""
    import sympy as sp

    from derive.budget import OutOfTime, budget
    from derive.symbolic import as_sym, symbols

    point = {}
    sym_args: list[Any] = [as_sym(a) for a in args]  # exact binary values of the floats
    for i in wrt:
        s = symbols(names[i], np.shape(args[i]), real=True)
        sym_args[i] = s
        for sym, v in zip(s.view(np.ndarray).ravel(), np.asarray(args[i]).ravel()):
            point[sym] = sp.Rational(float(v))
    gs = [sp.Rational(float(v)) for v in np.asarray(g, dtype=np.float64).ravel()]
    try:
        with budget(SYMBOLIC_SECONDS) as clock:
            out = _run(f, sym_args)
            loss = sp.Add(*(gk * sp.sympify(fk) for gk, fk in zip(gs, out.ravel())))
            grads = {}
            for i in wrt:
                s = sym_args[i].view(np.ndarray)
                grads[i] = np.array([_number(sp.diff(loss, v).xreplace(point))
                                     for v in s.ravel()]).reshape(s.shape)
                clock.check()
        return Exact(grads, "exact: f run on symbols, ∂⟨G, f⟩ by SymPy, evaluated at the inputs")
    except OutOfTime as e:
        if e.owner is not clock:
            raise
    with budget(POINT_SECONDS):
        t = sp.Symbol("t", real=True)
        plain = [as_sym(a) for a in args]
        grads = {}
        for i in wrt:
            x = plain[i].view(np.ndarray)
            found = np.empty(x.shape)
            for k in np.ndindex(*x.shape):
                moved = x.copy()
                moved[k] = moved[k] + t
                out = _run(f, [as_sym(moved) if j == i else a for j, a in enumerate(plain)])
                along = sp.Add(*(gk * sp.diff(sp.sympify(fk), t) for gk, fk in
                                 zip(gs, out.ravel())))
                found[k] = _number(along.xreplace({t: 0}))
            grads[i] = found
    return Exact(grads, f"exact at the inputs (one symbol t per entry, d/dt at t = 0): the "
                        f"all-symbols run exceeded {SYMBOLIC_SECONDS:g} s")


def _run(f: Callable[..., Any], args: list[Any]) -> np.ndarray:
    """``f`` on symbolic arrays, as a plain object array; NoSymbolic naming what failed."""
    from derive.symbolic import as_sym

    try:
        out = as_sym(f(*args))
    except Exception as e:  # noqa: BLE001 - any failure on symbols is named for the user
        raise NoSymbolic(f"derive cannot run {_name(f)} on symbols: {_culprit(e)}"
                         f"{type(e).__name__}: {e}") from None
    if out.dtype != object:
        raise NoSymbolic(f"{_name(f)} returned dtype {out.dtype} on symbols: its output does "
                         "not depend on the inputs derive gave it")
    return out.view(np.ndarray)


def _number(v: Any) -> float:
    import sympy as sp

    n = sp.N(sp.sympify(v), 30)
    if not n.is_number:
        raise NoSymbolic(f"the derivative {v} is not a number at the inputs")
    c = complex(n)
    return c.real if abs(c.imag) <= 1e-25 * max(1.0, abs(c.real)) else float("nan")


def _name(f: Any) -> str:
    return getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or repr(f)


def _culprit(e: BaseException) -> str:
    """The NumPy function that failed on symbols, from the dispatch frames of the traceback."""
    tb, found = e.__traceback__, ""
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name in ("__array_function__", "__array_ufunc__"):
            fn = frame.f_locals.get("func") or frame.f_locals.get("ufunc")
            if fn is not None:
                module = getattr(fn, "__module__", None) or "numpy"
                module = "numpy" if module.startswith("numpy") and "linalg" not in module \
                    else module.replace("._linalg", "").replace(".linalg.linalg", ".linalg")
                found = f"{module}.{getattr(fn, '__name__', fn)} has no symbolic mapping " \
                        "(derive.NUMPY_TO_SYMPY); "
        if frame.f_code.co_name == "_forward" and "numeric" in frame.f_code.co_filename:
            op = getattr(frame.f_locals.get("op"), "name", "?")
            return (f"the engine's op {op!r} got symbols: an op record called directly "
                    "(numeric.X(...), a registered Op) runs the engine, not NumPy, so derive "
                    "cannot see it — call it as NumPy's function (np.X) in f; ")
        tb = tb.tb_next
    return found
