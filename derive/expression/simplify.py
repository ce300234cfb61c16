"""Simplification: the closed forms the rules produce, rewritten the way a person writes them.

- products are normalised to ``coefficient · scalar factors · array factors / divisors``, equal
  factors merged into powers and cancelled (``2‖r‖ · r/‖r‖`` is ``2 r``), ``ones`` dropped
  beside another array factor, scalars pulled out of ``@``, ``outer``, ``.T``, ``sum``, ``trace``;
- transposes pushed inward (``(B @ G.T).T`` is ``G @ B.T``), cancelled (``X.T.T``), dropped on
  vectors, scalars and symmetric matrices (``inv(X.T @ X).T`` is ``inv(X.T @ X)``); ``inv(A.T)``
  is written ``inv(A).T``; identities dropped from ``@`` chains;
- sums flattened, like terms combined, a common coefficient and common leading or trailing
  ``@`` factors pulled out (``A.T @ X + A @ X`` is ``(A.T + A) @ X``), a positive term first.

Every rewrite is an identity of the values (for ``x / x``: where ``x ≠ 0``); the exact check of
:mod:`derive.expression.check` judges the result, never this module.
"""

from __future__ import annotations

from fractions import Fraction

from derive.expression import nodes as N
from derive.expression.chains import chain, column, from_chain, transpose_of
from derive.expression.nodes import Node, is_scalar

__all__ = ["simplify"]

_LINEAR = {"sum", "trace", "diag"}  # scalar factors come out of these


def simplify(n: Node) -> Node:
    """``n`` rewritten to a fixed point (at most 12 passes)."""
    for _ in range(12):
        m = _pass(n)
        if m == n:
            return m
        n = m
    return n


def _pass(n: Node) -> Node:
    if not n.args:
        return n
    n = Node(n.op, tuple(_pass(a) for a in n.args), n.value, n.shape, n.pos)
    if n.op in ("mul", "div", "neg", "pow"):
        return _product(n)
    if n.op in ("add", "sub"):
        return _sum(n)
    if n.op == "matmul":
        return _matmul(n)
    if n.op == "T":
        return transpose_of(n.args[0])
    if n.op == "call":
        return _call(n)
    return n


# ---------------------------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------------------------
def factors(n: Node) -> tuple[Fraction, list[tuple[Node, int]]]:
    """``n`` as ``coef · Π fᵢ^kᵢ`` over elementwise/scalar products."""
    if n.op == "const":
        return n.value, []
    if n.op == "neg":
        c, fs = factors(n.args[0])
        return -c, fs
    if n.op in ("mul", "div"):
        ca, fa = factors(n.args[0])
        cb, fb = factors(n.args[1])
        if n.op == "div":
            if cb == 0:
                return Fraction(1), [(n, 1)]
            cb, fb = 1 / cb, [(f, -k) for f, k in fb]
        return ca * cb, fa + fb
    if n.op == "pow" and n.value.denominator == 1:
        c, fs = factors(n.args[0])
        k = int(n.value)
        if c == 0 and k < 0:
            return Fraction(1), [(n, 1)]
        return c ** k, [(f, e * k) for f, e in fs]
    return Fraction(1), [(n, 1)]


def _merge(fs: list[tuple[Node, int]]) -> list[tuple[Node, int]]:
    out: list[list] = []
    for f, k in fs:
        for slot in out:
            if slot[0] == f:
                slot[1] += k
                break
        else:
            out.append([f, k])
    merged = [(f, k) for f, k in out if k != 0]
    arrays = [f for f, k in merged if not is_scalar(f) and f.op != "ones"]
    return [(f, k) for f, k in merged if not (f.op == "ones" and arrays)]


def build(coef: Fraction, fs: list[tuple[Node, int]], shape: N.Shape = ()) -> Node:
    """The product ``coef · Π f^k``: scalars first, then arrays, divisors last."""
    fs = _merge(fs)
    if coef == 0:
        return N.const(0) if not shape else N.zeros(shape)
    top = [(f, k) for f, k in fs if k > 0]
    top.sort(key=lambda fk: not is_scalar(fk[0]))
    bottom = [(f, -k) for f, k in fs if k < 0]
    num = None
    if abs(coef) != 1 or not top:
        num = N.const(abs(coef))
    for f, k in top:
        p = f if k == 1 else N.power(f, Fraction(k))
        num = p if num is None else N.binary("mul", num, p)
    den = None
    for f, k in bottom:
        p = f if k == 1 else N.power(f, Fraction(k))
        den = p if den is None else N.binary("mul", den, p)
    out = num if den is None else N.binary("div", num, den)
    if out.shape != shape and shape:  # e.g. 2 * ones dropped: keep the declared shape
        out = N.binary("mul", out, N.ones(shape))
    return N.neg(out) if coef < 0 else out


def _product(n: Node) -> Node:
    if n.op == "pow" and n.value.denominator != 1:
        return n
    coef, fs = factors(n)
    return build(coef, fs, n.shape)


def split(n: Node) -> tuple[Fraction, list[tuple[Node, int]], Node | None]:
    """``n = coef · scalars · core``: the scalar part and the rest (None if all scalar)."""
    coef, fs = factors(n)
    fs = _merge(fs)
    scal = [(f, k) for f, k in fs if is_scalar(f)]
    arr = [(f, k) for f, k in fs if not is_scalar(f)]
    core = build(Fraction(1), arr, n.shape) if arr or n.shape else None
    return coef, scal, core


def _pull(n: Node, rebuild) -> Node:
    """Scalar factors of the arguments of a linear ``n`` moved in front of it."""
    coef, scal, cores = Fraction(1), [], []
    for a in n.args:
        c, s, core = split(a)
        if core is None or (c == 1 and not s):
            cores.append(a)
            continue
        coef, scal = coef * c, scal + s
        cores.append(core)
    if coef == 1 and not scal:
        return rebuild(tuple(n.args))
    return build(coef, scal + [(rebuild(tuple(cores)), 1)], n.shape)


# ---------------------------------------------------------------------------------------------
# Matrix products
# ---------------------------------------------------------------------------------------------
def _matmul(n: Node) -> Node:
    return _pull(n, lambda args: from_chain(column(chain(args[0]) + chain(args[1]))))


# ---------------------------------------------------------------------------------------------
# Calls
# ---------------------------------------------------------------------------------------------
def _call(n: Node) -> Node:
    fn = n.value
    if fn == "inv" and n.args[0].op == "T":  # inv(A.T) = inv(A).T
        return transpose_of(N.call("inv", (n.args[0].args[0],)))
    if fn in _LINEAR or fn == "outer":
        return _pull(n, lambda args: N.call(fn, args))
    return n


# ---------------------------------------------------------------------------------------------
# Sums
# ---------------------------------------------------------------------------------------------
def terms(n: Node, sign: int = 1) -> list[tuple[Fraction, Node]]:
    """``n`` as ``Σ cᵢ tᵢ`` with each ``tᵢ`` free of a numeric coefficient."""
    if n.op in ("add", "sub"):
        return terms(n.args[0], sign) + terms(n.args[1], sign if n.op == "add" else -sign)
    coef, fs = factors(n)
    rest = build(Fraction(1), fs, n.shape) if fs else N.const(1)
    return [(sign * coef, rest)]


def _sum(n: Node) -> Node:
    combined: list[list] = []
    for c, t in terms(n):
        for slot in combined:
            if slot[1] == t:
                slot[0] += c
                break
        else:
            combined.append([c, t])
    ts = [(c, t) for c, t in combined if c != 0]
    if not ts:
        return build(Fraction(0), [], n.shape)
    common = abs(ts[0][0])
    if len(ts) > 1 and all(abs(c) == common for c, _ in ts) and common != 1:
        ts = [(c / common, t) for c, t in ts]
        return build(common, [(_factored(ts, n.shape), 1)], n.shape)
    return _factored(ts, n.shape)


def _factored(ts: list[tuple[Fraction, Node]], shape: N.Shape) -> Node:
    if len(ts) > 1 and all(c == ts[0][0] for c, _ in ts):
        chains = [chain(t) for _, t in ts]
        for side in (0, -1):
            first = chains[0][side]
            if all(len(ch) > 1 and ch[side] == first for ch in chains):
                rest = [(Fraction(1), from_chain(ch[1:] if side == 0 else ch[:-1]))
                        for ch in chains]
                inner = _factored(rest, rest[0][1].shape)
                body = N.binary("matmul", first, inner) if side == 0 else \
                    N.binary("matmul", inner, first)
                return build(ts[0][0], [(body, 1)], shape)
    # a positive term first, then fewer transposes (A + A.T), order kept otherwise
    ts = sorted(ts, key=lambda ct: (ct[0] < 0, sum(k.op == "T" for k in N.walk(ct[1]))))
    out = None
    for c, t in ts:
        term = build(abs(c), [(t, 1)] if t != N.const(1) else [], t.shape)
        if out is None:
            out = N.neg(term) if c < 0 else term
        else:
            out = N.binary("sub" if c < 0 else "add", out, term)
    return out
