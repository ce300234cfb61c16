"""The expression tree: :class:`Node`, its shapes, and the builders every other module uses.

A node is immutable and compares by structure (never by its column ``pos``), so equal
sub-expressions are found by ``==`` (the simplifier combines and cancels them). Shapes are
tuples of dimensions, each a letter (``"n"``) or an integer: ``()`` a scalar, ``(n,)`` a vector
(NumPy's 1-D: ``v.T`` is ``v``, ``a @ b`` of two vectors is their inner product), ``(m, n)`` a
matrix. Builders check shapes as NumPy would and raise :class:`ExprError` naming the column.

Expression trees are bounded by the parser (depth and length), so the functions that walk
them may recurse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

__all__ = ["Node", "ExprError", "FUNCTIONS", "Dim", "Shape", "name", "const", "call", "binary",
           "neg", "transpose", "power", "pi", "eye", "ones", "zeros", "is_scalar", "walk",
           "names_in", "fmt_shape"]

Dim = str | int
Shape = tuple[Dim, ...]

# The functions an expression may call (besides the elementwise ops of the table):
# name -> what its argument must be.
FUNCTIONS: dict[str, str] = {
    "trace": "square", "det": "square", "logdet": "square", "inv": "square",
    "sum": "any", "norm": "vector or matrix", "logsumexp": "vector", "softmax": "vector",
    "diag": "vector or square",
}
# Built by derive, never parsed from an expression (except in a closed form to check):
INTERNAL = {"outer", "log_softmax", "eye", "ones"}


class ExprError(ValueError):
    """A bad expression: ``msg``, ``col`` (1-based column, 0 for none) and the expression."""

    def __init__(self, msg: str, col: int = 0, text: str = "") -> None:
        self.msg, self.col, self.text = msg, col, text
        where = f" at column {col}" if col else ""
        caret = f"\n    {text}\n    {' ' * (col - 1)}^" if col and text else ""
        super().__init__(f"{msg}{where}{caret}")


@dataclass(frozen=True)
class Node:
    """One operation: ``op`` in name const pi add sub mul div matmul neg pow T call eye ones."""

    op: str
    args: tuple[Node, ...] = ()
    value: Any = None          # name / constant / exponent / function name / dimension
    shape: Shape = ()
    pos: int = field(default=0, compare=False)  # 1-based column in the expression (0: derived)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        from derive.expression.render import to_text

        return f"Node({to_text(self)!r}, shape={self.shape})"


def is_scalar(n: Node) -> bool:
    return n.shape == ()


def fmt_shape(s: Shape) -> str:
    return "scalar" if not s else f"({', '.join(map(str, s))}{',' if len(s) == 1 else ''})"


def walk(n: Node) -> list[Node]:
    """Every node of ``n``, parents before children (iterative)."""
    out, todo = [], [n]
    while todo:
        k = todo.pop()
        out.append(k)
        todo.extend(reversed(k.args))
    return out


def names_in(n: Node) -> set[str]:
    return {k.value for k in walk(n) if k.op == "name"}


# ---------------------------------------------------------------------------------------------
# Builders (shape-checked)
# ---------------------------------------------------------------------------------------------
def name(ident: str, shape: Shape, pos: int = 0) -> Node:
    return Node("name", (), ident, tuple(shape), pos)


def const(v: Any, pos: int = 0) -> Node:
    return Node("const", (), Fraction(v), (), pos)


def pi() -> Node:
    """The number π (derivatives of deg2rad, rad2deg, sinc), exact wherever it is evaluated."""
    return Node("pi")


def eye(d: Dim) -> Node:
    return Node("eye", (), d, (d, d))


def ones(shape: Shape) -> Node:
    return Node("ones", (), None, tuple(shape))


def zeros(shape: Shape) -> Node:
    return Node("zeros", (), None, tuple(shape))


def neg(a: Node, pos: int = 0) -> Node:
    return Node("neg", (a,), None, a.shape, pos)


def transpose(a: Node, pos: int = 0) -> Node:
    return Node("T", (a,), None, a.shape[::-1], pos)


def power(a: Node, p: Fraction, pos: int = 0) -> Node:
    return Node("pow", (a,), Fraction(p), a.shape, pos)


def binary(op: str, a: Node, b: Node, pos: int = 0) -> Node:
    """``a op b`` for op in add sub mul div (elementwise, or with a scalar) and matmul."""
    if op == "matmul":
        return Node(op, (a, b), None, _matmul_shape(a, b, pos), pos)
    if a.shape != b.shape and a.shape and b.shape:
        sym = {"add": "+", "sub": "-", "mul": "*", "div": "/"}[op]
        raise ExprError(f"shape mismatch: {fmt_shape(a.shape)} {sym} {fmt_shape(b.shape)} "
                        "(elementwise operands must have the same shape, or one be a scalar)",
                        pos)
    return Node(op, (a, b), None, a.shape or b.shape, pos)


def _matmul_shape(a: Node, b: Node, pos: int) -> Shape:
    if not a.shape or not b.shape:
        raise ExprError("@ needs a vector or matrix on both sides (use * for a scalar)", pos)
    if a.shape[-1] != b.shape[0]:
        raise ExprError(f"shape mismatch: {fmt_shape(a.shape)} @ {fmt_shape(b.shape)} "
                        f"(inner dimensions {a.shape[-1]} and {b.shape[0]} differ)", pos)
    return a.shape[:-1] + b.shape[1:]


def call(fn: str, args: tuple[Node, ...], pos: int = 0, ew: bool = False) -> Node:
    """``fn(*args)``; ``ew``: an elementwise op of the table (shape kept)."""
    if ew:
        return Node("call", args, fn, args[0].shape, pos)
    if fn == "outer":
        a, b = args
        if a.ndim != 1 or b.ndim != 1:
            raise ExprError("outer needs two vectors", pos)
        return Node("call", args, fn, (a.shape[0], b.shape[0]), pos)
    (a,) = args
    need = FUNCTIONS.get(fn, "vector")
    square = a.ndim == 2 and a.shape[0] == a.shape[1]
    ok = {"square": square, "any": True, "vector": a.ndim == 1,
          "vector or matrix": a.ndim in (1, 2), "vector or square": a.ndim == 1 or square}[need]
    if not ok:
        raise ExprError(f"{fn} needs a {need} matrix, got {fmt_shape(a.shape)}"
                        if need == "square" else f"{fn} needs a {need}, got "
                        f"{fmt_shape(a.shape)}", pos)
    if fn in ("softmax", "log_softmax"):
        shape = a.shape
    elif fn == "inv":
        shape = a.shape
    elif fn == "diag":
        shape = (a.shape[0], a.shape[0]) if a.ndim == 1 else (a.shape[0],)
    else:
        shape = ()
    return Node("call", args, fn, shape, pos)
