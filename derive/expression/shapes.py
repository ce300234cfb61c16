"""Declared shapes (``"X=n,n A=n,n b=m"``) and the concrete sizes closed forms are checked at.

A dimension is a letter (generic) or a positive integer; a name with one dimension is a vector,
with none (``s=`` or ``s=()``) a scalar. :func:`size_sets` picks the sizes of the exact check:
every letter gets a different size, so rectangular dimensions are unequal, and one set has every
square (letter) dimension ≥ 3 — at n = 2 false identities such as adj(S) = tr(S)·I − S hold.
"""

from __future__ import annotations

import re

from derive.expression.nodes import Dim, ExprError, Node, Shape, walk

__all__ = ["parse_shapes", "size_sets", "concrete", "MAX_DIM"]

MAX_DIM = 64
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


def size_sets(exprs: list[Node], shapes: dict[str, Shape]) -> list[dict[str, int]]:
    """Two assignments letter -> size: all different, the first with square dimensions ≥ 3.

    Letters are taken in order of first appearance; if a set makes a matrix singular the
    caller tries :func:`permuted` of it.
    """
    letters: list[str] = []
    for shape in list(shapes.values()) + [k.shape for e in exprs for k in walk(e)]:
        for d in shape:
            if isinstance(d, str) and d not in letters:
                letters.append(d)
    big = {d: 3 + i for i, d in enumerate(letters)}
    small = {d: 2 + i for i, d in enumerate(letters)}
    return [big, small] if letters else [big]  # integer sizes only: one set, the declared one


def permuted(sizes: dict[str, int]) -> dict[str, int]:
    """The same sizes given to the letters in reverse order (X = m×n with m < n may make
    XᵀX singular; reversed, m > n)."""
    keys = list(sizes)
    return dict(zip(keys, [sizes[k] for k in reversed(keys)]))


def concrete(shape: Shape, sizes: dict[str, int]) -> tuple[int, ...]:
    return tuple(d if isinstance(d, int) else sizes[d] for d in shape)


def describe(sizes: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sizes.items()) or "the declared sizes"
