"""Exact VJPs at concrete shapes, derived from an op's forward only, cached in memory and on disk.

The VJP of ``f`` at ``x`` for a cotangent ``G`` is the gradient of ``l = Σ G ⊙ f(x)``. The op's
own NumPy forward runs on arrays of symbols (:mod:`derive.symbolic`); broadcasting needs no special
case, its sums emerge from the derivation. Accumulation is sparse: each output entry contributes
``G[k] · ∂f[k]/∂s`` only to the symbols ``s`` it contains.

Limits: expression size grows fast with shapes (a 16×16 matmul takes seconds, 32×32 about a
minute); the standard cases use small non-square shapes, size-1 axes and 0-d.
The disk cache lives in ``$GRADPROOF_CACHE`` or ``.gradproof-cache/`` at the repository root and is
keyed by op, shapes, parameters, the forward's source and the versions of gradproof, SymPy, NumPy.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from derive.symbolic import SymArray, as_sym, symbols

__all__ = [
    "ExactVJP", "DeriveError", "exact_vjp", "clear_cache", "cache_dir", "resolve", "for_case",
]

FORMAT = 1
_SCALAR = [{"Heaviside": lambda x, h=0.5: 1.0 if x > 0 else h if x == 0 else 0.0,
            "sign": lambda x: float((x > 0) - (x < 0)), "conjugate": lambda x: x}, "math"]
_MEMORY: dict[str, ExactVJP] = {}


class DeriveError(RuntimeError):
    """The op's forward could not be run symbolically (and it declares no ``Op.sym``)."""


@dataclass
class ExactVJP:
    """The exact VJP of one op at one case: per input an object array of SymPy expressions."""

    op: str
    case: Any
    names: tuple[str, ...]
    xs: list[np.ndarray]                # per input: its symbols
    g: np.ndarray                       # the cotangent's symbols (shape of out)
    out: np.ndarray                     # the forward's expressions
    exprs: list[np.ndarray | None]      # per input: ∂l/∂x entries (None: not differentiated)
    seconds: float = 0.0
    _fns: list[Any] = field(default_factory=list, repr=False)

    def evaluate(self, xs: list[Any], g: Any) -> list[np.ndarray | None]:
        """float64 VJP values at numeric inputs ``xs`` for the cotangent ``g``."""
        if len(xs) != len(self.xs):
            raise ValueError(f"{self.op}: expected {len(self.xs)} inputs, got {len(xs)}")
        args = []
        for i, (sym, x) in enumerate(zip(self.xs, xs)):
            if np.shape(x) != sym.shape:
                raise ValueError(f"{self.op}: input {i} has shape {np.shape(x)}, the derivation "
                                 f"was made at shape {sym.shape}")
            args.append(np.asarray(x).ravel().tolist())
        if np.shape(g) != self.g.shape:
            raise ValueError(f"{self.op}: cotangent has shape {np.shape(g)}, "
                             f"expected {self.g.shape}")
        args.append(np.asarray(g, dtype=np.float64).ravel().tolist())
        if not self._fns:
            self._fns = [None if e is None else self._lambdify(e, _SCALAR) for e in self.exprs]
        result = []
        for fn, e in zip(self._fns, self.exprs):
            if fn is None:
                result.append(None)
                continue
            try:
                vals = fn(*args)
            except (ValueError, ZeroDivisionError, OverflowError):  # math domain: IEEE instead
                with np.errstate(all="ignore"):
                    vals = self._lambdify(e, "numpy")(*args)
            result.append(np.asarray(vals, dtype=np.float64).reshape(e.shape))
        return result

    def _lambdify(self, e: np.ndarray, modules: Any) -> Any:
        # Entries are scalars: Python's math module evaluates them; NumPy's printer is ~100x
        # slower to generate code for Heaviside(x - Max(...)) and is kept for IEEE fallbacks.
        flat = [list(s.view(np.ndarray).ravel()) for s in (*self.xs, self.g)]
        entries = [sp.sympify(v) for v in e.view(np.ndarray).ravel()]
        return sp.lambdify(flat, entries, modules, cse=True)

    def to_plain(self) -> dict[str, Any]:
        keep = ("op", "names", "xs", "g", "out", "exprs", "seconds")
        return {k: _plain(getattr(self, k)) for k in keep}


def resolve(op: Any) -> Any:
    """An Op from an Op or its name."""
    from numeric import get_op

    return get_op(op) if isinstance(op, str) else op


def for_case(op: Any, case: Any) -> Any:
    """A variadic op bound to as many inputs as ``case`` has shapes."""
    if len(case.shapes) != op.nargs and getattr(op, "each", None) is not None:
        return op.arity(len(case.shapes))
    return op


def input_names(op: Any) -> tuple[str, ...]:
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


def input_symbols(op: Any, case: Any) -> tuple[tuple[str, ...], list[SymArray]]:
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
    return {k: sp.Rational(v) if isinstance(v, float) else v for k, v in full.items()}


def forward(op: Any, xs: list[Any], params: dict[str, Any]) -> SymArray:
    """The op's forward on symbolic inputs: its NumPy forward, else its declared ``Op.sym``."""
    errors = []
    # A declared SymPy forward is the op author's symbolic definition: it comes first (the
    # NumPy forward may be a stabilised form, e.g. softmax minus its max, with needless kinks).
    for fwd in (op.sym, op.fwd):
        if fwd is None:
            continue
        try:
            out = fwd(*xs, **exact_params(fwd, params))
            out = as_sym(out)
            if out.dtype != object:
                raise TypeError(f"forward returned dtype {out.dtype}")
            return out
        except Exception as e:  # noqa: BLE001 - any failure means "cannot run symbolically"
            errors.append(f"{getattr(fwd, '__name__', 'forward')}: {type(e).__name__}: {e}")
    raise DeriveError(f"op {op.name!r}: the forward cannot run on symbols ({'; '.join(errors)}); "
                      "declare a SymPy forward as Op.sym")


def exact_vjp(op: Any, case: Any) -> ExactVJP:
    """Derive ``op``'s VJP at ``case`` from its forward: ``exact_vjp("matmul", Case(...))``."""
    import time

    op = for_case(resolve(op), case)
    key = _key(op, case)
    if key in _MEMORY:
        return _MEMORY[key]
    path = cache_dir() / f"{key}.pkl"
    if path.exists():
        try:
            with open(path, "rb") as fh:
                data = pickle.load(fh)
            found = ExactVJP(case=case, **{k: _sym(v) for k, v in data.items()})
            _MEMORY[key] = found
            return found
        except Exception:  # noqa: BLE001 - a stale or broken cache entry is re-derived
            pass
    start = time.perf_counter()
    names, xs = input_symbols(op, case)
    out = forward(op, xs, dict(case.params))
    g = symbols("g", out.shape)
    active = [rule is not None and dom.kind != "bool" for rule, dom in zip(op.vjp, op.domains())]
    where: dict[sp.Symbol, tuple[int, tuple[int, ...]]] = {}
    for i, x in enumerate(xs):
        if active[i]:
            for k in np.ndindex(*x.shape):
                where[x.view(np.ndarray)[k]] = (i, k)
    terms: dict[sp.Symbol, list[sp.Expr]] = {s: [] for s in where}
    plain_out, plain_g = out.view(np.ndarray), g.view(np.ndarray)
    for k in np.ndindex(*out.shape):
        f = sp.sympify(plain_out[k])
        for s in f.free_symbols & where.keys():
            terms[s].append(plain_g[k] * sp.diff(f, s))
    exprs: list[np.ndarray | None] = []
    for i, x in enumerate(xs):
        if not active[i]:
            exprs.append(None)
            continue
        e = np.empty(x.shape, dtype=object)
        for k in np.ndindex(*x.shape):
            e[k] = sp.Add(*terms[x.view(np.ndarray)[k]])
        exprs.append(e.view(SymArray))
    found = ExactVJP(op.name, case, names, xs, g, out, exprs, time.perf_counter() - start)
    _MEMORY[key] = found
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(found.to_plain(), fh)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only checkout still derives; it just does not remember
    return found


def cache_dir() -> Path:
    """``$GRADPROOF_CACHE``, else ``.gradproof-cache/`` at the repository root."""
    env = os.environ.get("GRADPROOF_CACHE")
    root = Path(env) if env else Path(__file__).resolve().parents[1] / ".gradproof-cache"
    return root / "derive"


def clear_cache(disk: bool = False) -> None:
    """Forget derivations held in memory (and on disk with ``disk=True``)."""
    _MEMORY.clear()
    if disk and cache_dir().exists():
        for p in cache_dir().glob("*.pkl"):
            p.unlink()


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _source(f: Any) -> str:
    """The function's source and its module's (helpers it calls may change)."""
    if f is None:
        return ""
    fn = getattr(f, "func", f)
    try:
        return inspect.getsource(fn) + module_source(inspect.getmodule(fn))
    except (OSError, TypeError):
        return repr(f)


def own_source() -> str:
    """derive's own source: a change to how it derives or proves invalidates the caches."""
    parts = []
    for path in sorted(Path(__file__).parent.glob("*.py")):
        st = os.stat(path)
        parts.append(_read_source(str(path), st.st_mtime_ns, st.st_size))
    return "".join(parts)


def module_source(module: Any) -> str:
    """A module's source, read once per file version (size and mtime)."""
    path = getattr(module, "__file__", None)
    if not path:
        return ""
    st = os.stat(path)
    return _read_source(path, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _read_source(path: str, mtime: int, size: int) -> str:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def _key(op: Any, case: Any) -> str:
    import numeric

    parts = [op.name, repr(case.shapes), repr(sorted(case.params.items(), key=lambda kv: kv[0])),
             _source(op.fwd), _source(op.sym), repr([(d.low, d.high, d.avoid, d.kind)
                                                      for d in op.domains()]),
             repr([r is None for r in op.vjp]), numeric.__version__, sp.__version__,
             np.__version__, str(FORMAT), own_source()]
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]
    return f"{op.name}-{digest}"


def _plain(v: Any) -> Any:
    if isinstance(v, list):
        return [_plain(a) for a in v]
    if isinstance(v, tuple):
        return tuple(_plain(a) for a in v)
    if isinstance(v, SymArray):
        return v.view(np.ndarray)
    return v


def _sym(v: Any) -> Any:
    if isinstance(v, list):
        return [_sym(a) for a in v]
    if isinstance(v, np.ndarray):
        return v.view(SymArray)
    return v
