"""Running an op of the table on symbols or exact rationals: its inputs, forward and raw rules.

- :func:`resolve`, :func:`for_case` — an Op from a name (or an alias in :data:`ALIASES`, e.g.
  ``logdet`` for ``slogdet``), bound to a case's number of inputs.
- :func:`input_symbols` — symbol arrays per input, with the assumptions its domain implies.
- :func:`forward` — the op's forward on symbolic arrays (its declared ``Op.sym`` first).
- :func:`run_rules` — each raw rule, then ``numeric.unbroadcast``, on the given arrays.
- :func:`rational_point` — exact rational values for every symbol, distinct, inside the domains;
  it always terminates (denominators grow until distinct values exist, else a named error).
- :func:`is_zero`, :func:`fresh_rng` — exact zero tests; an OS-seeded generator for points
  no one can aim at.
- :func:`size_guard` — refuses cases too large to derive exactly, naming op, shapes and limit.
"""

from __future__ import annotations

import functools
import inspect
import os
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from derive import store
from derive.symbolic import SymArray, as_sym, symbols
from numeric import Op, get_op, unbroadcast
from numeric.cases import Case

__all__ = [
    "DeriveError", "SizeError", "Refuted", "MAX_ENTRIES", "ALIASES", "resolve", "for_case",
    "input_names",
    "input_symbols", "exact_params", "forward", "run_rules", "rational_point", "subs",
    "size_guard", "is_zero", "fresh_rng", "own_digest",
]

MAX_ENTRIES = 512  # default limit on input entries and on output entries of one derivation
# Names people call an op by that are not its name in the table. log-det is slogdet's
# differentiable output, log |det x| (its sign is a constant): one op, one proof, two names.
ALIASES = {"logdet": "slogdet"}


class DeriveError(RuntimeError):
    """The op's forward could not be run symbolically (and it declares no ``Op.sym``)."""


class SizeError(DeriveError):
    """The case is larger than the exact derivation's size limit."""


class Refuted(Exception):
    """A rule's result cannot be the VJP (missing, or a shape unbroadcast refuses)."""


def resolve(op: Op | str) -> Op:
    """An Op from an Op, its name or an alias of it (:data:`ALIASES`)."""
    return get_op(ALIASES.get(op, op)) if isinstance(op, str) else op


def for_case(op: Op, case: Case) -> Op:
    """A variadic op bound to as many inputs as ``case`` has shapes."""
    if len(case.shapes) != op.nargs and getattr(op, "each", None) is not None:
        return op.arity(len(case.shapes))
    return op


def size_guard(op: Op, case: Case, limit: int | None) -> None:
    """Raise SizeError when ``case`` has more than ``limit`` input or output entries."""
    limit = MAX_ENTRIES if limit is None else limit
    n_in = sum(int(np.prod(s, dtype=np.int64)) for s in case.shapes)
    try:
        n_out = int(np.prod(np.broadcast_shapes(*case.shapes), dtype=np.int64))
    except ValueError:
        n_out = 0  # not a broadcast: the forward decides (matmul, reductions ...)
    if n_in > limit or n_out > limit:
        what = f"{n_in} input entries" if n_in > limit else f"{n_out} output entries"
        raise SizeError(f"{op.name} at shapes {case}: {what} exceed the exact-derivation limit "
                        f"of {limit} (SymPy time grows fast with size); raise it with "
                        f"max_entries= (gradproof derive --max-entries) or use smaller shapes")


def input_names(op: Op) -> tuple[str, ...]:
    """Names for the op's inputs from its rules' signatures (``x, y`` by default)."""
    for rule in op.vjp:
        if rule is None:
            continue
        try:
            params = [p.name for p in inspect.signature(rule).parameters.values()
                      if p.kind == p.POSITIONAL_OR_KEYWORD][2:2 + op.nargs]
        except (TypeError, ValueError):
            continue
        if len(params) == op.nargs and len(set(params)) == op.nargs and not {"g", "out"} & set(
                params):
            return tuple(params)
    default = ("x", "y", "z")
    return default[:op.nargs] if op.nargs <= 3 else tuple(f"x{i}" for i in range(op.nargs))


def input_symbols(op: Op, case: Case) -> tuple[tuple[str, ...], list[SymArray]]:
    """Symbol arrays for each input, carrying the assumptions its sampling domain implies."""
    names = input_names(op)
    xs = []
    for name, shape, dom in zip(names, case.shapes, op.domains()):
        if dom.kind == "bool":
            xs.append(symbols(name, shape))  # a plain Symbol is a SymPy Boolean
            continue
        assume = {"real": True}
        if dom.low > 0:
            assume["positive"] = True
        elif dom.high < 0:
            assume["negative"] = True
        elif 0.0 in dom.avoid:
            assume["nonzero"] = True
        xs.append(symbols(name, shape, **assume))
    return names, xs


def exact_params(fn: Any, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` plus ``fn``'s float defaults, floats made exact rationals (-1.0 is -1)."""
    full = dict(params)
    try:
        for p in inspect.signature(fn).parameters.values():
            if p.name not in full and isinstance(p.default, float):
                full[p.name] = p.default
    except (TypeError, ValueError):
        pass
    return {k: sp.Rational(v) if isinstance(v, float) and np.isfinite(v) else v  # inf stays
            for k, v in full.items()}


def forward(op: Op, xs: list[Any], params: dict[str, Any]) -> SymArray:
    """The op's forward on symbolic inputs: its declared ``Op.sym``, else its NumPy forward.

    A forward (``sym`` or NumPy's) that raises NotImplementedError on symbols declares that
    the op has no exact form there (LAPACK's decompositions, norm's 'nuc'): its message is the
    reason derive gives.
    """
    errors = []
    # A declared SymPy forward is the op author's symbolic definition: it comes first (the
    # NumPy forward may be a stabilised form, e.g. softmax minus its max, with needless kinks).
    for fwd in (op.sym, op.fwd):
        if fwd is None:
            continue
        try:
            out = as_sym(fwd(*xs, **exact_params(fwd, params)))
            if out.dtype != object:
                raise TypeError(f"forward returned dtype {out.dtype}")
            return out
        except NotImplementedError as e:  # the op's own word that it has no exact form
            raise DeriveError(f"op {op.name!r} has no exact form: {e}") from None
        except Exception as e:  # noqa: BLE001 - any failure means "cannot run symbolically"
            errors.append(f"{getattr(fwd, '__name__', 'forward')}: {type(e).__name__}: {e}")
    raise DeriveError(f"op {op.name!r}: the forward cannot run on symbols ({'; '.join(errors)}); "
                      "declare a SymPy forward as Op.sym")


def run_rules(op: Op, rules: Any, names: tuple[str, ...], exprs: list[Any], xs: list[Any],
              out: Any, g: Any, params: dict[str, Any]) -> list[Any]:
    """Each rule then unbroadcast, on the given (symbolic or rational) arrays; ``exprs`` gives
    each input's VJP shape (None: the input is not differentiated)."""
    got = []
    for i, (rule, e) in enumerate(zip(rules, exprs)):
        if e is None:
            got.append(None)
            continue
        if rule is None:
            raise Refuted(f"input {i} ({names[i]}): no rule, but {op.name} depends on it")
        raw = rule(g, out, *xs, **exact_params(rule, params))
        try:
            res = unbroadcast(as_sym(raw), tuple(e.shape), where=f"{op.name} input {i}")
        except ValueError as err:
            raise Refuted(f"input {i} ({names[i]}): {err}") from None
        res = as_sym(res)
        if res.shape != e.shape:
            raise Refuted(f"input {i} ({names[i]}): the rule gives shape {res.shape} "
                          f"after unbroadcast, the input has shape {e.shape}")
        got.append(res.view(np.ndarray))
    return got


def rational_point(op: Op, xs: list[Any], g: Any, rng: np.random.Generator) -> dict[Any, Any]:
    """Exact values for every symbol: distinct rationals inside each input's domain (two equal
    entries are a tie, the kink of max-like ops), true/false for bool inputs, small rationals for
    the cotangent ``g`` (nonzero). Denominators grow with failed draws, so it always ends."""
    point: dict[Any, Any] = {}
    used: set[Any] = set()
    for i, x in enumerate(xs):
        dom = op.domains()[i]
        for s in x.view(np.ndarray).ravel():
            point[s] = (sp.true if rng.random() < 0.5 else sp.false) if dom.kind == "bool" \
                else _fresh(dom, used, rng, op.name, i)
        if dom.kind in ("invertible", "spd") and x.ndim >= 2:
            _matrix_domain(x.view(np.ndarray), point, dom.kind)
        elif dom.kind == "separated eigenvalues" and x.ndim >= 2 and x.shape[-1] == 2:
            _rational_eigenvalues(x.view(np.ndarray), point)
    for s in np.asarray(g, dtype=object).ravel():  # nonzero: every output entry counts
        point[s] = sp.Rational(int(rng.choice([-1, 1]) * rng.integers(1, 10)),
                               int(rng.integers(1, 5)))
    return point


def subs(a: Any, point: dict[Any, Any]) -> SymArray:
    """Each entry of ``a`` with the point's values put in."""
    plain = np.asarray(a, dtype=object)
    out = np.empty(plain.shape, dtype=object)
    for k in np.ndindex(*plain.shape):
        out[k] = sp.sympify(plain[k]).xreplace(point)
    return as_sym(out)


def is_zero(d: Any) -> bool:
    """Is the number ``d`` zero? Rationals exactly; other numbers (exp(1/2) ...) when their
    difference vanishes to 40 significant digits, else by simplification (with symbols)."""
    d = sp.sympify(d)
    if d == 0:
        return True
    if d.is_Rational:
        return False
    if d.free_symbols:
        return sp.simplify(d) == 0
    return abs(complex(sp.N(d, 40))) < 1e-30


def fresh_rng() -> np.random.Generator:
    """A generator seeded from the OS: its points cannot be known in advance."""
    return np.random.default_rng(int.from_bytes(os.urandom(16), "little"))


def own_digest() -> str:
    """A digest of derive's own source: a change to how it derives or proves re-derives."""
    parts = []
    for path in sorted(Path(__file__).parent.glob("*.py")):
        st = os.stat(path)
        parts.append(_read_digest(str(path), st.st_mtime_ns, st.st_size))
    return store.key(*parts)


@functools.lru_cache(maxsize=64)
def _read_digest(path: str, mtime: int, size: int) -> str:
    with open(path, "rb") as fh:
        return store.key(fh.read().decode("utf-8", "replace"))


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _fresh(dom: Any, used: set[Any], rng: np.random.Generator, name: str, i: int) -> Any:
    low, high = float(dom.low), float(dom.high)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        low, high = (low, low + 1.0) if np.isfinite(low) else (high - 1.0, high) \
            if np.isfinite(high) else (-2.0, 2.0)
    for attempt in range(10_000):
        q = int(rng.integers(2, 10 + attempt))  # more denominators, more distinct rationals
        lo, hi = int(np.ceil(low * q)), int(np.floor(high * q))
        if lo > hi:
            continue
        v = sp.Rational(int(rng.integers(lo, hi + 1)), q)
        if v not in used and all(abs(float(v) - a) >= dom.margin for a in dom.avoid):
            used.add(v)
            return v
    raise DeriveError(f"{name}: input {i}: no distinct rational found in its domain "
                      f"[{dom.low}, {dom.high}] avoiding {dom.avoid} after 10000 draws")


def _matrix_domain(x: np.ndarray, point: dict[Any, Any], kind: str) -> None:
    """Make each matrix of ``x`` invertible (n added on the diagonal) or SPD (a aᵀ + n I)."""
    n = x.shape[-1]
    for k in np.ndindex(*x.shape[:-2]):
        a = sp.Matrix([[point[x[k + (r, c)]] for c in range(n)] for r in range(n)])
        m = a * a.T + n * sp.eye(n) if kind == "spd" else a + n * sp.eye(n)
        for r in range(n):
            for c in range(n):
                point[x[k + (r, c)]] = m[r, c]


def _rational_eigenvalues(x: np.ndarray, point: dict[Any, Any]) -> None:
    """Make each 2x2 matrix [[a, b], [c, d]] of ``x`` have rational eigenvalues 2s apart,
    entries kept positive: c := (s² − (a − d)²/4) / b with s = |a − d|/2 + c. Its unit
    eigenvectors then hold one square root each, not nested ones that take SymPy seconds to
    evaluate to 40 digits."""
    for k in np.ndindex(*x.shape[:-2]):
        a, b, c, d = (point[x[k + rc]] for rc in ((0, 0), (0, 1), (1, 0), (1, 1)))
        half = abs(a - d) / 2
        point[x[k + (1, 0)]] = ((half + c) ** 2 - half ** 2) / b
