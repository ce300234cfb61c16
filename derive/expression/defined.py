"""Where an expression is defined: the sizes at which no inverse or log-determinant is taken of
a matrix that is singular whatever its entries.

``inv(Y)`` and ``logdet(Y)`` need ``Y`` (n×n) of rank n. A product bounds the rank by its inner
dimension: ``X.T @ X`` with X m×n has rank at most min(m, n), so it is singular at every point
when m < n — no choice of entries makes ``logdet(X.T @ X)`` finite there, and an exact check at
such sizes compares infinities. :func:`rank_bound` is an upper bound on a matrix node's rank from
its structure alone (a product: the least of its factors'; a sum: the sum of its terms'; an
outer product or ``ones``: 1; anything else: full); :func:`violations` lists the inverses and
log-determinants it shows singular at given sizes. ``det`` of a rank-deficient matrix is
defined (it is 0), so it is only *preferred* full rank (:func:`degenerate`): its check would
compare zeros.
"""

from __future__ import annotations

from derive.expression.nodes import Node, walk
from derive.expression.render import to_text

__all__ = ["rank_bound", "violations", "degenerate"]

NEEDS_FULL_RANK = ("inv", "logdet")  # undefined at a singular argument
PREFERS_FULL_RANK = ("det",)         # defined, but identically 0 at a rank-deficient argument


def _size(d: object, sizes: dict[str, int]) -> int:
    return d if isinstance(d, int) else sizes[str(d)]


def rank_bound(n: Node, sizes: dict[str, int]) -> int:
    """An upper bound on the rank of the matrix ``n`` at ``sizes`` (its structure only).
    Trees are bounded by the parser, so this recursion is too."""
    full = min(_size(d, sizes) for d in n.shape) if n.ndim == 2 else 0
    if n.ndim != 2:
        return full
    a = n.args
    if n.op == "name" or n.op == "eye":
        return full
    if n.op in ("T", "neg") or (n.op == "call" and n.value == "inv"):
        return min(full, rank_bound(a[0], sizes))
    if n.op == "matmul" and a[0].ndim == 2 and a[1].ndim == 2:
        return min(full, rank_bound(a[0], sizes), rank_bound(a[1], sizes))
    if n.op in ("add", "sub"):
        if a[0].ndim == 2 and a[1].ndim == 2:
            return min(full, rank_bound(a[0], sizes) + rank_bound(a[1], sizes))
        return full  # a scalar added to every entry
    if n.op in ("mul", "div"):
        scalar = [k for k in a if k.ndim == 0]
        if scalar and any(k.op == "const" and k.value == 0 for k in scalar):
            return 0
        if len(scalar) == 1:
            return min(full, rank_bound(next(k for k in a if k.ndim == 2), sizes))
        if n.op == "mul":  # the Hadamard product: rank(A ∘ B) ≤ rank A · rank B
            return min(full, rank_bound(a[0], sizes) * rank_bound(a[1], sizes))
        return full
    if n.op == "ones" or (n.op == "call" and n.value == "outer"):
        return min(full, 1)
    if n.op == "zeros":
        return 0
    return full  # an elementwise function, diag of a vector...: full rank for generic entries


def _singular(expr: Node, fns: tuple[str, ...], sizes: dict[str, int]) -> list[str]:
    out = []
    for k in walk(expr):
        if k.op == "call" and k.value in fns:
            arg = k.args[0]
            size, rank = _size(arg.shape[0], sizes), rank_bound(arg, sizes)
            if rank < size:
                out.append(f"{k.value}({to_text(arg)}): its argument is {size}×{size} of rank "
                           f"at most {rank}")
    return list(dict.fromkeys(out))


def violations(exprs: list[Node], sizes: dict[str, int]) -> list[str]:
    """Why the expressions are undefined at ``sizes`` (an inverse or log-determinant of a matrix
    singular for every choice of entries); empty where they are defined."""
    return list(dict.fromkeys(v for e in exprs for v in _singular(e, NEEDS_FULL_RANK, sizes)))


def degenerate(exprs: list[Node], sizes: dict[str, int]) -> bool:
    """A determinant identically 0 at ``sizes``: defined, but a poor place to check."""
    return any(_singular(e, PREFERS_FULL_RANK, sizes) for e in exprs)
