"""``@`` chains and transposes, for the simplifier: flattening, identities and ``X⁻¹ X``
cancelled, transposes pushed inward (``(B @ G.T).T`` is ``G @ B.T``) and dropped on vectors,
scalars, diagonal and symmetric matrices, vector chains written matrix-first (``M.T @ x``).
"""

from __future__ import annotations

from derive.expression import nodes as N
from derive.expression.nodes import Node, is_scalar

__all__ = ["chain", "from_chain", "column", "transpose_of", "symmetric"]


def chain(n: Node) -> list[Node]:
    return chain(n.args[0]) + chain(n.args[1]) if n.op == "matmul" else [n]


def _inverse_pair(a: Node, b: Node) -> bool:
    """``a @ b`` is an identity: ``inv(P) @ P``, ``P @ inv(P)``, or the same transposed."""
    def inv_of(x: Node) -> Node | None:
        if x.op == "call" and x.value == "inv":
            return x.args[0]
        if x.op == "T" and x.args[0].op == "call" and x.args[0].value == "inv":
            return transpose_of(x.args[0].args[0])
        return None
    return (inv_of(a) is not None and inv_of(a) == b) or (inv_of(b) is not None and
                                                         inv_of(b) == a)


def from_chain(fs: list[Node]) -> Node:
    if len(fs) > 1:
        fs = [f for f in fs if f.op != "eye"] or fs[:1]
    i = 0
    while i + 1 < len(fs) and len(fs) > 2:  # cancel X⁻¹ X inside a longer chain
        if _inverse_pair(fs[i], fs[i + 1]):
            del fs[i:i + 2]
            i = max(i - 1, 0)
        else:
            i += 1
    if len(fs) == 2 and _inverse_pair(fs[0], fs[1]):
        return N.eye(fs[0].shape[0])
    out = fs[0]
    for f in fs[1:]:
        out = N.binary("matmul", out, f)
    return out


def column(fs: list[Node]) -> list[Node]:
    """A vector chain ``x @ M1 @ M2`` written ``M2.T @ M1.T @ x`` (matrix times vector); a
    scalar one ``w @ M @ v``, with the fewer transposes of it and ``v @ M.T @ w``."""
    if len(fs) > 1 and fs[0].ndim == 1 and fs[-1].ndim == 2:
        return [transpose_of(f) for f in reversed(fs)]
    if len(fs) > 2 and fs[0].ndim == 2 and fs[-1].ndim == 1 and fs[-2].ndim == 1:
        fs = [fs[-1]] + fs[:-1]  # (M @ v) @ w = w @ M @ v
    if len(fs) > 2 and fs[0].ndim == 1 and fs[-1].ndim == 1:
        flipped = [transpose_of(f) for f in reversed(fs)]
        if _transposes(flipped) < _transposes(fs):
            return flipped
    return fs


def _transposes(fs: list[Node]) -> int:
    return sum(k.op == "T" for f in fs for k in N.walk(f))


def transpose_of(a: Node) -> Node:
    """The simplified ``a.T``."""
    if a.ndim < 2:
        return a
    if a.op == "T":
        return a.args[0]
    if a.op in ("eye",):
        return a
    if a.op in ("ones", "zeros"):
        return N.Node(a.op, (), None, a.shape[::-1])
    if a.op == "matmul":
        return from_chain([transpose_of(f) for f in reversed(chain(a))])
    if a.op in ("add", "sub"):
        return N.binary(a.op, transpose_of(a.args[0]), transpose_of(a.args[1]))
    if a.op == "neg":
        return N.neg(transpose_of(a.args[0]))
    if a.op in ("mul", "div") and (is_scalar(a.args[0]) or is_scalar(a.args[1])):
        return N.binary(a.op, transpose_of(a.args[0]), transpose_of(a.args[1]))
    if a.op == "call" and a.value == "outer":
        return N.call("outer", a.args[::-1])
    if a.op == "call" and a.value == "inv" and symmetric(a.args[0]):
        return a
    if a.op == "call" and a.value == "diag":  # a diagonal matrix
        return a
    return N.transpose(a)


def symmetric(a: Node) -> bool:
    return a.ndim == 2 and a.shape[0] == a.shape[1] and transpose_of(a) == a
