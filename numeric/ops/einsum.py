"""einsum in every form NumPy accepts: explicit and implicit output, repeated indices
(diagonals), ellipsis ``...`` (broadcast batch axes), the sublist form
``einsum(x, [0, 1], y, [1, 2], [0, 2])``, and ``optimize=``.

The record's ``subscripts`` parameter is a subscripts string as NumPy takes it; the forward and
the rules spell it out explicitly for the inputs at hand (:func:`_spelled`): every ``...``
becomes letters of its own, right-aligned across the inputs as NumPy broadcasts them, and an
implicit output becomes NumPy's (the ellipsis axes, then the letters seen once, sorted).
"""

from __future__ import annotations

import numpy as np

from numeric.kinds import EINSUM
from numeric.op import Op, register
from numeric.ops.common import _mask, _unsupported

__all__: list[str] = []

# ---------------------------------------------------------------------------------------------
# einsum: out = Σ over the letters not in the output of Π xs. The cotangent of one input is an
# einsum of g with the other inputs, onto that input's term; a letter repeated in the term (a
# diagonal) is tied to a fresh one by an identity matrix, a letter no other term has (summed
# out) meets a vector of ones, and a size-1 axis whose letter other inputs stretch (NumPy
# broadcasts it) meets a column of ones, which sums its copies: the raw rule returns the
# input's own shape, since a letter's axis need not be a trailing one unbroadcast could find.
# ---------------------------------------------------------------------------------------------
register(Op("einsum", lambda *xs, subscripts, optimize=False:
            np.einsum(_spelled(subscripts, xs), *xs, optimize=optimize), (
    lambda g, out, *xs, subscripts, optimize=False: _einsum_part(0, g, xs, subscripts),
    lambda g, out, *xs, subscripts, optimize=False: _einsum_part(1, g, xs, subscripts)),
    each=lambda i, g, out, *xs, subscripts, optimize=False: _einsum_part(i, g, xs, subscripts),
    kind=EINSUM, bind=lambda *args, out=None, optimize=False, **unsupported:
        _bind_einsum(args, out, optimize, unsupported),
    numpy=(np.einsum,), complex=True,
    doc="out = np.einsum(subscripts, *xs): strings with ... and implicit output, or sublists"))

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _bind_einsum(args, out, optimize, unsupported):
    _unsupported(out=out, **unsupported)
    if not args:
        raise TypeError("einsum needs subscripts and at least one operand")
    if isinstance(args[0], str):
        subscripts, operands = args[0], args[1:]
    else:
        subscripts, operands = _from_sublists(args)
    if not operands:
        raise ValueError(f"einsum {subscripts!r}: no operands given")
    if not isinstance(optimize, (bool, str)) and not isinstance(optimize, list):
        raise TypeError(f"einsum: optimize={optimize!r} must be a bool, 'greedy', 'optimal' "
                        "or a contraction path list")
    params = {"subscripts": subscripts}
    if optimize is not False:  # the contraction order: only the forward's speed and rounding
        params["optimize"] = optimize if not isinstance(optimize, list) else tuple(
            tuple(p) if isinstance(p, list) else p for p in optimize)
    return tuple(operands), params


def _from_sublists(args):
    """``(x, [0, 1], y, [1, 2], [0, 2])`` -> ``("ab,bc->ac", (x, y))``; Ellipsis is ``...``."""
    operands, terms = list(args[0::2]), list(args[1::2])
    output = None
    if len(args) % 2:  # an odd count: the last one is the output's sublist
        output = operands.pop()
    def term(sub):
        if isinstance(sub, str) or not hasattr(sub, "__iter__"):
            raise ValueError(f"einsum: the sublist form takes lists of axis numbers, got "
                             f"{sub!r}")
        letters = []
        for s in sub:
            if s is Ellipsis:
                letters.append("...")
            elif isinstance(s, (int, np.integer)) and 0 <= s < len(_LETTERS):
                letters.append(_LETTERS[int(s)])
            else:
                raise ValueError(f"einsum: a sublist entry must be an int in [0, "
                                 f"{len(_LETTERS)}) or Ellipsis, got {s!r}")
        return "".join(letters)
    text = ",".join(term(t) for t in terms)
    if output is not None:
        text += "->" + term(output)
    return text, operands


def _spelled(subscripts, xs):
    """``subscripts`` for inputs ``xs`` with no ellipsis and an explicit output, as NumPy reads it.

    Each term's ``...`` stands for its input's axes not named by letters; they broadcast
    right-aligned, so input k's ``...`` becomes the last letters of one shared run of fresh ones.
    """
    terms, out = _terms(subscripts, xs)
    return ",".join(terms) + "->" + out


def _terms(subscripts, xs):
    if not isinstance(subscripts, str):
        raise ValueError(f"einsum: subscripts must be a string like 'ij,jk->ik' or given as "
                         f"sublists, got {type(subscripts).__name__}")
    s = subscripts.replace(" ", "")
    ins, arrow, out = s.partition("->")
    terms = ins.split(",")
    if len(terms) != len(xs):
        raise ValueError(f"einsum {subscripts!r} names {len(terms)} inputs, got {len(xs)}")
    named = "".join(terms).replace("...", "")
    bad = sorted(set(named + out.replace("...", "")) - set(_LETTERS))
    if bad:
        raise ValueError(f"einsum {subscripts!r}: {bad[0]!r} is not a subscript letter "
                         "(use a-z, A-Z and ...)")
    extra = []
    for k, (t, x) in enumerate(zip(terms, xs)):
        letters = len(t.replace("...", ""))
        if "..." in t and letters <= np.ndim(x) or letters == np.ndim(x):
            extra.append(np.ndim(x) - letters)
        else:
            raise ValueError(f"einsum {subscripts!r}: input {k} has shape {np.shape(x)}, "
                             f"but its term {t!r} names {letters} axes")
    fresh = [c for c in _LETTERS if c not in named + out][:max(extra)]
    batch = "".join(fresh)
    terms = [t.replace("...", batch[len(batch) - n:]) for t, n in zip(terms, extra)]
    if not arrow:
        out = batch + "".join(sorted(c for c in set(named) if named.count(c) == 1))
    elif "..." in out:
        out = out.replace("...", batch)
    elif batch:
        raise ValueError(f"einsum {subscripts!r}: the inputs' ... stands for {len(batch)} axes, "
                         "but the output names no ...")
    missing = sorted(set(out) - set("".join(terms)))
    if missing:
        raise ValueError(f"einsum {subscripts!r}: output letter {missing[0]!r} names no input "
                         "axis")
    return terms, out


def _einsum_part(i, g, xs, subscripts):
    """d out / d xs[i], contracted with g: one einsum of g with the other inputs."""
    terms, out = _terms(subscripts, xs)
    term = terms[i]
    used = set("".join(terms) + out)
    fresh = iter(c for c in _LETTERS if c not in used)
    subs = [out] + [t for k, t in enumerate(terms) if k != i]
    ops = [g] + [x for k, x in enumerate(xs) if k != i]
    stretched = {c: n for t, x in zip(terms, xs) for c, n in zip(t, np.shape(x)) if n != 1}
    target = ""
    for pos, c in enumerate(term):
        n = np.shape(xs[i])[pos]
        if n == 1 and stretched.get(c, 1) != 1:  # broadcast: the size-1 axis sums its copies
            c2 = next(fresh)
            subs.append(c + c2)
            ops.append(_mask(np.ones((stretched[c], 1)), g))
            c = c2
        elif c in term[:pos]:
            c2 = next(fresh)
            subs.append(c + c2)
            ops.append(_mask(np.eye(n), g))
            c = c2
        elif c not in "".join(subs):
            subs.append(c)
            ops.append(_mask(np.ones(n), g))
        target += c
    return np.einsum(",".join(subs) + "->" + target, *ops)
