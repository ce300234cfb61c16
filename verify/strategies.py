"""Hypothesis strategies for any op in the table: shapes, parameters, and inputs in its domain.

Everything is driven by the op record (``numeric.all_ops()``, ``Op.kind``, ``Op.nargs``,
``Op.domains()``), so ops added to the table are covered without changes here:

- :func:`broadcastable_shapes` — ``n`` shapes that broadcast together, with 0-d shapes, size-1
  axes and missing leading axes;
- :func:`cases` — a :class:`numeric.Case` (shapes and params) fitting an op's kind:
  matmul in all four 1-D/N-D combinations with broadcast batch axes; reductions over ``None``,
  an int, a negative int or a tuple of axes, with or without ``keepdims``; reshape targets (with
  ``-1``); permutations; basic and integer-array indices (repeats included); ...;
  an op whose kind has no strategy falls back to its ``standard_cases``;
- :func:`values` — an array inside a :class:`numeric.Domain`, staying ``margin`` away from each
  ``avoid`` point; ``resolution`` puts values on a grid so that ties are exact and distinct
  values stay far apart compared with a finite-difference step (used for ops with a kink);
- :func:`op_inputs` — ``(case, inputs)`` for an op, the one strategy most tests need;
- :func:`ops` — any op of the table.

>>> from hypothesis import given
>>> @given(op_inputs("maximum"))
... def test(case_inputs): ...

Each kind's case strategy lives with the kind (``numeric.kinds``): a new kind of op brings its
own, with no edit here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numeric import Domain, Op, all_ops, get_op
from numeric.cases import Case, sample_inputs, standard_cases
from numeric.kinds.draw import Shape, broadcastable_shapes

__all__ = [
    "broadcastable_shapes", "cases", "values", "inputs", "op_inputs", "ops",
]


# ---------------------------------------------------------------------------------------------
# Public strategies
# ---------------------------------------------------------------------------------------------
def cases(op: Op | str, *, max_dims: int = 3, max_side: int = 3) -> st.SearchStrategy[Case]:
    """Random :class:`Case` records (shapes and params) fitting ``op``'s kind and arity."""
    op = _op(op)
    builder = op.kind.strategy
    if builder is None:
        fixed = standard_cases(op)  # raises KeyError naming the op when it has none
        return st.sampled_from(fixed)
    return _memo(op, ("cases", max_dims, max_side), lambda: builder(op, max_dims, max_side))


def values(domain: Domain, shape: Shape, dtype: Any = np.float64, *,
           resolution: float | None = None, unique: bool = False
           ) -> st.SearchStrategy[np.ndarray]:
    """Arrays of ``shape`` inside ``domain`` (``margin`` away from each ``avoid`` point).

    With ``resolution`` the values are multiples of it, so equal values tie exactly and
    different ones differ by at least ``resolution``; ``unique`` makes an array's entries
    distinct. A domain of another kind than "real" or "bool" (e.g. "invertible", "spd" square
    matrices) is sampled by ``numeric.cases.sample_inputs`` from a drawn seed.
    """
    shape = tuple(shape)
    if domain.kind == "bool":
        return hnp.arrays(np.bool_, shape)
    dtype = np.dtype(dtype)
    if domain.kind != "real":
        probe = Op(f"<{domain.kind} input>", _no_forward, (None,), domain=(domain,))
        return st.integers(0, 2**32 - 1).map(
            lambda seed: sample_inputs(probe, Case((shape,)), np.random.default_rng(seed),
                                       dtype)[0])
    return hnp.arrays(dtype, shape, elements=_elements(domain, dtype, resolution),
                      unique=unique)


def inputs(op: Op | str, case: Case, dtype: Any = np.float64, *,
           resolution: float | None = None, unique: bool = False
           ) -> st.SearchStrategy[list[np.ndarray]]:
    """One array per input of ``case``, each inside the op's domain for that input.

    A variadic op (``Op.each``) is bound to the case's number of inputs first.
    """
    op = _op(op)
    shapes = tuple(tuple(s) for s in case.shapes)
    key = ("inputs", shapes, np.dtype(dtype).str, resolution, unique)
    return _memo(op, key, lambda: _inputs(op, case, dtype, resolution, unique))


def _inputs(op: Op, case: Case, dtype: Any, resolution: float | None, unique: bool
            ) -> st.SearchStrategy[list[np.ndarray]]:
    if len(case.shapes) != op.nargs and getattr(op, "each", None) is not None:
        op = op.arity(len(case.shapes))
    doms = op.domains()
    if len(doms) != len(case.shapes):
        raise ValueError(f"op {op.name!r} has {len(doms)} inputs but case {case} gives "
                         f"{len(case.shapes)} shapes")
    return st.tuples(*(values(d, s, dtype, resolution=resolution, unique=unique)
                       for d, s in zip(doms, case.shapes))).map(list)


def op_inputs(op: Op | str, dtype: Any = np.float64, *, max_dims: int = 3, max_side: int = 3,
              resolution: float | None | str = "auto"
              ) -> st.SearchStrategy[tuple[Case, list[np.ndarray]]]:
    """``(case, inputs)`` for ``op``: a random case and inputs inside its domains.

    ``resolution="auto"``: for an op that declares a kink, values lie on a grid of 1/16 and
    each array's entries are distinct, so a sampled point is either exactly on a two-way tie
    (between inputs) or far from every kink compared with a finite-difference step; for other
    ops, unrestricted floats.
    """
    op = _op(op)
    unique = False
    if resolution == "auto":
        unique = op.kink is not None
        resolution = 1 / 16 if op.kink is not None else None
    return _memo(op, ("op_inputs", np.dtype(dtype).str, max_dims, max_side, resolution),
                 lambda: cases(op, max_dims=max_dims, max_side=max_side).flatmap(
                     lambda case: inputs(op, case, dtype, resolution=resolution,
                                         unique=unique).map(lambda xs: (case, xs))))


def ops(names: Any = None) -> st.SearchStrategy[Op]:
    """Any op of the table (or of ``names``), read when the strategy is built."""
    table = all_ops()
    chosen = [table[n] for n in names] if names is not None else list(table.values())
    return st.sampled_from(chosen)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _op(op: Op | str) -> Op:
    return get_op(op) if isinstance(op, str) else op


# Strategies built once per op and arguments: a test drawing ``op_inputs(op)`` in every example
# would otherwise rebuild them each time, re-validating them and having hypothesis read their
# functions' source (most of a cheap property's time). The op is kept with its strategy, so
# its id cannot be reused while the entry lives; a replaced op is a new object, a new entry.
_MEMO: dict[tuple[Any, ...], tuple[Op, Any]] = {}


def _memo(op: Op, key: tuple[Any, ...], make: Any) -> Any:
    hit = _MEMO.get((id(op),) + key)
    if hit is not None and hit[0] is op:
        return hit[1]
    if len(_MEMO) >= 4096:
        _MEMO.clear()
    made = make()
    _MEMO[(id(op),) + key] = (op, made)
    return made


def _no_forward(*xs: Any) -> Any:
    raise TypeError("a sampling probe has no forward")


def _elements(domain: Domain, dtype: np.dtype, resolution: float | None
              ) -> st.SearchStrategy[Any]:
    pieces = _intervals(domain)
    if not pieces:
        raise ValueError(f"domain {domain} leaves no values once its avoid points are removed")
    if resolution:
        grid = []
        for lo, hi in pieces:
            k0, k1 = math.ceil(lo / resolution), math.floor(hi / resolution)
            if k0 <= k1:
                grid.append(st.integers(k0, k1).map(lambda k: k * resolution))
        if not grid:
            raise ValueError(f"domain {domain} holds no multiple of resolution {resolution}")
        return st.one_of(grid).map(dtype.type)
    width = 32 if dtype == np.float32 else 16 if dtype == np.float16 else 64
    strategies = []
    for lo, hi in pieces:
        lo, hi = _inward(lo, hi, dtype)
        if lo <= hi:
            strategies.append(st.floats(lo, hi, width=width, allow_nan=False,
                                        allow_infinity=False, allow_subnormal=False))
    return st.one_of(strategies)


def _intervals(domain: Domain) -> list[tuple[float, float]]:
    """[low, high] with an open ``margin``-ball removed around each avoid point."""
    pieces = [(float(domain.low), float(domain.high))]
    for a in domain.avoid:
        nxt = []
        for lo, hi in pieces:
            if lo < a - domain.margin:
                nxt.append((lo, min(hi, a - domain.margin)))
            if hi > a + domain.margin:
                nxt.append((max(lo, a + domain.margin), hi))
        pieces = nxt
    return pieces


def _inward(lo: float, hi: float, dtype: np.dtype) -> tuple[float, float]:
    """Bounds exactly representable in ``dtype``, rounded towards the inside of [lo, hi]."""
    if dtype == np.float64:
        return lo, hi
    t = dtype.type
    lo_t, hi_t = t(lo), t(hi)
    if float(lo_t) < lo:
        lo_t = np.nextafter(lo_t, t(np.inf))
    if float(hi_t) > hi:
        hi_t = np.nextafter(hi_t, t(-np.inf))
    return float(lo_t), float(hi_t)

