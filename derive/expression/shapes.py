"""Declared shapes (``"X=n,n A=n,n b=m"``) and the concrete sizes closed forms are checked at.

A dimension is a letter (generic) or a positive integer; a name with one dimension is a vector,
with none (``s=`` or ``s=()``) a scalar. :func:`size_sets` picks the sizes of the exact check:
every letter gets a different size, so rectangular dimensions are unequal, and one set has every
square (letter) dimension ≥ 3 — at n = 2 false identities such as adj(S) = tr(S)·I − S hold.
Both sets are where the expression is defined (:mod:`derive.expression.defined`: no inverse or
log-determinant of a matrix singular whatever its entries, as XᵀX is for X m×n with m < n); where
there are none, :class:`NoSizes` says so.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from derive.expression.nodes import Dim, ExprError, Node, Shape, walk

__all__ = ["parse_shapes", "size_sets", "candidates", "concrete", "NoSizes", "MAX_DIM"]

MAX_DIM = 64
WANTED = 6  # admissible assignments kept per size set (the first is used; the rest are retries)
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")


def parse_shapes(spec: str | dict[str, object]) -> dict[str, Shape]:
    """``"X=n,n A=n,n b=m s="`` (or a dict of tuples) -> ``{"X": ("n", "n"), ...}``."""
    from derive.expression.parse import RESERVED

    if isinstance(spec, dict):
        items = list(spec.items())
    elif isinstance(spec, str):
        items = []
        for part in spec.split():
            ident, sep, dims = part.partition("=")
            if not sep:
                raise ExprError(f"shapes: {part!r} is not NAME=DIMS (e.g. X=n,n)")
            dims = dims.strip("()[]")
            items.append((ident, tuple(d for d in dims.split(",") if d != "")))
    else:
        raise ExprError(f"shapes are text or a dict, got {type(spec).__name__}")
    out: dict[str, Shape] = {}
    for ident, dims in items:
        if not isinstance(ident, str) or not _IDENT.match(ident):
            raise ExprError(f"shapes: {ident!r} is not a name (letters and digits)")
        if ident in RESERVED:
            raise ExprError(f"shapes: the name {ident!r} is reserved (derive's code uses it)")
        if ident in out:
            raise ExprError(f"shapes: {ident!r} declared twice")
        if isinstance(dims, int | str):
            dims = (dims,)
        shape = tuple(_dim(ident, d) for d in dims)
        if len(shape) > 2:
            raise ExprError(f"shapes: {ident} has {len(shape)} dimensions (scalars, vectors "
                            "and matrices only)")
        out[ident] = shape
    return out


def _dim(ident: str, d: object) -> Dim:
    if isinstance(d, int) and not isinstance(d, bool):
        text = str(d)
    elif isinstance(d, str):
        text = d.strip()
    else:
        raise ExprError(f"shapes: {ident}: dimension {d!r} is not a letter or an integer")
    if text.isdigit():
        if not 1 <= int(text) <= MAX_DIM:
            raise ExprError(f"shapes: {ident}: dimension {text} outside 1..{MAX_DIM}")
        return int(text)
    if not _IDENT.match(text):
        raise ExprError(f"shapes: {ident}: dimension {text!r} is not a letter or an integer")
    return text


class NoSizes(ExprError):
    """No sizes to check at: with the letters unequal, the expression is undefined at all of
    them (an inverse or log-determinant of a matrix singular whatever its entries)."""


def size_sets(exprs: list[Node], shapes: dict[str, Shape]) -> list[dict[str, int]]:
    """Two assignments letter -> size, each with all letters different, where the expressions
    are defined (:mod:`derive.expression.defined`): the first with every letter ≥ 3, the second
    from 2 up. Raises :class:`NoSizes` when there is no such assignment."""
    return [cands[0] for cands in candidates(exprs, shapes)]


def candidates(exprs: list[Node], shapes: dict[str, Shape]) -> list[list[dict[str, int]]]:
    """Per size set (≥ 3, then from 2), the admissible assignments in the order tried: letters
    in order of first appearance get 3, 4, 5... (2, 3, 4...), then those values permuted, then
    with one value more to choose from; where a determinant would be identically 0, last.
    The caller moves to the next one if a point it draws is singular."""
    from derive.expression.defined import degenerate, violations

    letters = _letters(exprs, shapes)
    if not letters:  # integer sizes only: one set, the declared one
        why = violations(exprs, {})
        if why:
            raise NoSizes(f"no sizes to check at: at the declared sizes: {'; '.join(why)}")
        return [[{}]]
    out: list[list[dict[str, int]]] = []
    for low in (3, 2):
        found, first_why = [], []
        for sizes in _assignments(letters, low):
            if out and sizes == out[0][0]:  # the second set differs from the first
                continue
            why = violations(exprs, sizes)
            if why and len(first_why) < 2:
                first_why.append(f"at {describe(sizes)}: {'; '.join(why)}")
            elif why:
                continue
            else:
                found.append(sizes)
                if len(found) == WANTED:
                    break
        if not found:
            raise NoSizes(f"no sizes to check at: with every letter a different size from {low} "
                          f"up, the expression is undefined at all of them ({'; '.join(first_why)}"
                          "; ...)")
        out.append(sorted(found, key=lambda s: degenerate(exprs, s)))  # stable: order kept
    return out


def _letters(exprs: list[Node], shapes: dict[str, Shape]) -> list[str]:
    letters: list[str] = []
    for shape in list(shapes.values()) + [k.shape for e in exprs for k in walk(e)]:
        for d in shape:
            if isinstance(d, str) and d not in letters:
                letters.append(d)
    return letters


def _assignments(letters: list[str], low: int, limit: int = 720) -> Iterator[dict[str, int]]:
    k = len(letters)
    seen: set[tuple[int, ...]] = set()
    for pool in (range(low, low + k), range(low, low + k + 1)):
        for values in itertools.islice(itertools.permutations(pool, k), limit):
            if values not in seen:
                seen.add(values)
                yield dict(zip(letters, values))


def concrete(shape: Shape, sizes: dict[str, int]) -> tuple[int, ...]:
    return tuple(d if isinstance(d, int) else sizes[d] for d in shape)


def describe(sizes: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sizes.items()) or "the declared sizes"
