"""Products: matmul (the notebook's four cases and stacks), dot, outer, einsum."""

from __future__ import annotations

import numpy as np

from numeric.kinds import (
    DOT,
    EINSUM,
    MATMUL,
    OUTER,
)
from numeric.op import Op, register
from numeric.ops.common import (
    _bind_out,
    _mask,
    _mT,
)

__all__: list[str] = []

# ---------------------------------------------------------------------------------------------
# Matrix product — the notebook's four cases plus stacks of matrices with broadcast batch axes.
#   2-D @ 2-D:  dA = G Bᵀ,  dB = Aᵀ G          1-D @ 1-D:  da = g b,  db = g a
#   N-D @ 1-D:  dA = G bᵀ (outer), db = Aᵀ G   1-D @ N-D:  da = B G, dB = a Gᵀ (outer)
# ---------------------------------------------------------------------------------------------
register(Op("matmul", np.matmul, (
    lambda g, out, x, y: _matmul_dx(g, x, y),
    lambda g, out, x, y: _matmul_dy(g, x, y)),
    kind=MATMUL, numpy=(np.matmul,), complex=True, doc="out = x @ y"))


def _matmul_dx(g, x, y):
    if np.ndim(x) == 1 and np.ndim(y) == 1:
        return g * y
    if np.ndim(y) == 1:
        return np.expand_dims(g, -1) * y
    if np.ndim(x) == 1:
        return np.matmul(y, np.expand_dims(g, -1))[..., 0]
    return np.matmul(g, np.swapaxes(y, -1, -2))


def _matmul_dy(g, x, y):
    if np.ndim(x) == 1 and np.ndim(y) == 1:
        return g * x
    if np.ndim(x) == 1:
        return np.expand_dims(x, -1) * np.expand_dims(g, -2)
    if np.ndim(y) == 1:
        return np.matmul(np.swapaxes(x, -1, -2), np.expand_dims(g, -1))[..., 0]
    return np.matmul(np.swapaxes(x, -1, -2), g)



# dot, outer:  as matmul (dot on a 0-d input is multiply)
# einsum:      the VJP of an input is an einsum of g with the other inputs
register(Op("dot", lambda x, y: _dot(x, y), (
    lambda g, out, x, y: _dot_dx(g, x, y),
    lambda g, out, x, y: _dot_dy(g, x, y)),
    kind=DOT, bind=lambda a, b, out=None: _bind_out((a, b), out),
    numpy=(np.dot,), methods=("dot",), complex=True, doc="out = np.dot(x, y) (y at most 2-d)"))
register(Op("outer", np.outer, (
    lambda g, out, x, y: np.reshape(np.matmul(g, np.reshape(y, (-1,))), np.shape(x)),
    lambda g, out, x, y: np.reshape(np.matmul(np.reshape(x, (-1,)), g), np.shape(y))),
    kind=OUTER, bind=lambda a, b, out=None: _bind_out((a, b), out),
    numpy=(np.outer,), complex=True, doc="out[i, j] = x.flat[i] y.flat[j]"))
register(Op("einsum", lambda *xs, subscripts: np.einsum(_checked(subscripts, xs), *xs), (
    lambda g, out, *xs, subscripts: _einsum_part(0, g, xs, subscripts),
    lambda g, out, *xs, subscripts: _einsum_part(1, g, xs, subscripts)),
    each=lambda i, g, out, *xs, subscripts: _einsum_part(i, g, xs, subscripts),
    kind=EINSUM, bind=lambda subscripts, *operands, out=None, optimize=False:
        _bind_out(operands, out, subscripts=subscripts),
    numpy=(np.einsum,), complex=True, doc="out = np.einsum(subscripts, *xs) (no ellipsis)"))


def _dot(x, y):
    if np.ndim(y) > 2:
        raise ValueError(f"dot: y of shape {np.shape(y)} has more than 2 axes; "
                         "use matmul or einsum for stacks")
    return np.dot(x, y)


def _dot_dx(g, x, y):
    if np.ndim(x) == 0:
        return np.sum(g * y)
    if np.ndim(y) == 0:
        return g * y
    if np.ndim(y) == 1:
        return np.expand_dims(g, -1) * y
    return np.matmul(g, _mT(y))


def _dot_dy(g, x, y):
    """xᵀ g with every leading axis of x contracted (dot has no batch axes)."""
    if np.ndim(y) == 0:
        return np.sum(g * x)
    if np.ndim(x) == 0:
        return g * x
    k = np.shape(x)[-1]
    gm = np.reshape(g, (-1,)) if np.ndim(y) == 1 else np.reshape(g, (-1, np.shape(y)[-1]))
    return np.matmul(_mT(np.reshape(x, (-1, k))), gm)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse(subscripts, n):
    """einsum subscripts -> (input terms, output term); implicit output as NumPy forms it."""
    if not isinstance(subscripts, str):
        raise ValueError(f"einsum: subscripts must be a string like 'ij,jk->ik', got "
                         f"{type(subscripts).__name__} (the sublist form is not supported)")
    s = subscripts.replace(" ", "")
    if "." in s:
        raise ValueError(f"einsum {subscripts!r}: ellipsis is not supported; name every axis")
    ins, arrow, out = s.partition("->")
    terms = ins.split(",")
    if len(terms) != n:
        raise ValueError(f"einsum {subscripts!r} names {len(terms)} inputs, got {n}")
    if not arrow:
        letters = "".join(terms)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return terms, out


def _checked(subscripts, xs):
    terms, _ = _parse(subscripts, len(xs))
    for k, (t, x) in enumerate(zip(terms, xs)):
        if len(t) != np.ndim(x):
            raise ValueError(f"einsum {subscripts!r}: input {k} has shape {np.shape(x)}, "
                             f"but its term {t!r} names {len(t)} axes")
    return subscripts


def _einsum_part(i, g, xs, subscripts):
    """d out / d xs[i], contracted with g: one einsum of g with the other inputs.

    A letter repeated in xs[i]'s term (a diagonal) gets a fresh letter tied to it by an
    identity matrix; a letter found only in xs[i]'s term (summed out) gets a vector of ones.
    """
    terms, out = _parse(subscripts, len(xs))
    term = terms[i]
    used = set("".join(terms) + out)
    fresh = iter(c for c in _LETTERS if c not in used)
    subs = [out] + [t for k, t in enumerate(terms) if k != i]
    ops = [g] + [x for k, x in enumerate(xs) if k != i]
    target = ""
    for pos, c in enumerate(term):
        n = np.shape(xs[i])[pos]
        if c in term[:pos]:
            c2 = next(fresh)
            subs.append(c + c2)
            ops.append(_mask(np.eye(n), g))
            c = c2
        elif c not in "".join(subs):
            subs.append(c)
            ops.append(_mask(np.ones(n), g))
        target += c
    return np.einsum(",".join(subs) + "->" + target, *ops)


