"""Parsing an expression with Python's ``ast`` against a whitelist — never ``eval``.

Allowed: declared names, numeric literals, ``+ - * / @``, unary minus, ``**`` with a numeric
exponent (``|p| <= MAX_EXPONENT``), ``.T``, and calls of :data:`nodes.FUNCTIONS` and of the
table's one-input elementwise ops (``numeric.all_ops()``). Everything else — other attributes,
subscripts, lambdas, comprehensions, keywords, strings, names starting with ``_`` — is refused
with the column it starts at. Length and nesting are bounded before ``ast.parse`` runs.
"""

from __future__ import annotations

import ast
import warnings
from fractions import Fraction
from typing import Any

from derive.expression import nodes
from derive.expression.nodes import ExprError, Node, Shape

__all__ = ["parse", "elementwise_ops", "MAX_LENGTH", "MAX_DEPTH", "MAX_EXPONENT", "MAX_NODES",
           "MAX_TREE_DEPTH"]

MAX_LENGTH = 1000
MAX_DEPTH = 40
MAX_EXPONENT = 64
MAX_NODES = 800        # AST nodes (operators and operator tokens count)
MAX_TREE_DEPTH = 100   # a sum of 100 terms is 100 levels deep
# Names the generated code uses itself; an expression may not declare them.
RESERVED = {"np", "numeric", "G", "eye", "ones", "outer", "log_softmax"}


def elementwise_ops() -> dict[str, Any]:
    """The table's elementwise ops of one input, by name (exp, log, tanh, sigmoid, relu...);
    read on every call, so an op a plugin registers later is an expression's function too."""
    import numeric

    return {k: op for k, op in numeric.all_ops().items()
            if op.kind.name == "elementwise" and op.nargs == 1}


def parse(text: str, shapes: dict[str, Shape], *, allow_internal: bool = False) -> Node:
    """The checked tree of ``text``: ``parse("trace(A @ X)", {"A": ("n", "n"), ...})``.

    ``allow_internal`` also accepts what derive writes in closed forms (``G``, ``eye(n)``,
    ``ones(m, n)``, ``outer``, ``log_softmax``, ``pi``), for checking a closed form someone states.
    """
    if not isinstance(text, str):
        raise ExprError(f"an expression is text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression too long: {len(text)} characters (at most {MAX_LENGTH})")
    if "\n" in text or "\r" in text or ";" in text:
        raise ExprError("an expression is one line with no ';'")
    depth = deepest = 0
    for ch in text:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(ch, 0)
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise ExprError(f"expression nested too deeply ({deepest} levels, at most {MAX_DEPTH})")
    try:
        with warnings.catch_warnings():  # a string's bad escape warns; strings are refused anyway
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ExprError(f"not a valid expression: {e.msg}", e.offset or 0, text) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("expression too complex to parse") from None
    _bounded(tree.body)
    return _Reader(text.strip(), shapes, allow_internal).read(tree.body)


def _bounded(root: ast.AST) -> None:
    """At most MAX_NODES parts and MAX_TREE_DEPTH levels (``X.T.T.T…``, ``----X``), checked
    iteratively before anything recursive reads the tree."""
    todo, count = [(root, 1)], 0
    while todo:
        node, depth = todo.pop()
        count += 1
        if count > MAX_NODES:
            raise ExprError(f"expression too large (more than {MAX_NODES} parts)")
        if depth > MAX_TREE_DEPTH:
            raise ExprError(f"expression nested too deeply (more than {MAX_TREE_DEPTH} levels "
                            "of operations)")
        todo.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


class _Reader:
    def __init__(self, text: str, shapes: dict[str, Shape], internal: bool) -> None:
        self.text, self.shapes, self.internal = text, shapes, internal
        self.count = 0

    def fail(self, msg: str, node: ast.AST) -> ExprError:
        return ExprError(msg, getattr(node, "col_offset", -1) + 1, self.text)

    def read(self, e: ast.AST) -> Node:
        self.count += 1
        if self.count > 400:
            raise self.fail("expression too large (more than 400 parts)", e)
        try:
            return self._read(e)
        except ExprError as err:
            if err.text:
                raise
            raise ExprError(err.msg, err.col or getattr(e, "col_offset", -1) + 1,
                            self.text) from None

    def _read(self, e: ast.AST) -> Node:
        pos = getattr(e, "col_offset", -1) + 1
        if isinstance(e, ast.Name):
            return self.name(e)
        if isinstance(e, ast.Constant):
            if isinstance(e.value, bool) or not isinstance(e.value, int | float):
                raise self.fail(f"only numbers are allowed as literals, not {e.value!r}", e)
            if isinstance(e.value, float) and not abs(e.value) < 1e12:
                raise self.fail(f"literal {e.value!r} out of range", e)
            if isinstance(e.value, int) and abs(e.value) > 10**12:
                raise self.fail(f"literal {e.value} out of range", e)
            return nodes.const(Fraction(repr(e.value)), pos)
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub | ast.UAdd):
            a = self.read(e.operand)
            return a if isinstance(e.op, ast.UAdd) else nodes.neg(a, pos)
        if isinstance(e, ast.BinOp):
            return self.binop(e, pos)
        if isinstance(e, ast.Attribute):
            if e.attr != "T":
                raise self.fail(f"attribute '.{e.attr}' is not allowed (only .T)", e)
            return nodes.transpose(self.read(e.value), pos)
        if isinstance(e, ast.Call):
            return self.call(e, pos)
        what = {ast.Lambda: "lambda", ast.Subscript: "subscripts", ast.Compare: "comparisons",
                ast.BoolOp: "and/or", ast.IfExp: "if/else", ast.Starred: "*args",
                ast.NamedExpr: ":=", ast.JoinedStr: "strings"}.get(type(e), type(e).__name__)
        raise self.fail(f"{what} not allowed in an expression", e)

    def name(self, e: ast.Name) -> Node:
        ident = e.id
        if ident.startswith("_"):
            raise self.fail(f"name {ident!r} not allowed (names may not start with '_')", e)
        if ident == "pi" and self.internal and ident not in self.shapes:
            return nodes.pi()
        if ident not in self.shapes:
            if ident in nodes.FUNCTIONS or ident in elementwise_ops():
                raise self.fail(f"{ident!r} is a function: call it, e.g. {ident}(X)", e)
            known = ", ".join(sorted(self.shapes)) or "none"
            raise self.fail(f"unknown name {ident!r} (declared in --shapes: {known})", e)
        return nodes.name(ident, self.shapes[ident], e.col_offset + 1)

    def binop(self, e: ast.BinOp, pos: int) -> Node:
        if isinstance(e.op, ast.Pow):
            a = self.read(e.left)
            p = self.exponent(e.right)
            return nodes.power(a, p, pos)
        ops = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div",
               ast.MatMult: "matmul"}
        op = ops.get(type(e.op))
        if op is None:
            raise self.fail(f"operator {type(e.op).__name__} not allowed "
                            "(use + - * / @ ** and .T)", e)
        a, b = self.read(e.left), self.read(e.right)
        # the operator's own column: the first non-space after the left operand
        col = self.op_column(e) or pos
        return nodes.binary(op, a, b, col)

    def op_column(self, e: ast.BinOp) -> int:
        end = getattr(e.left, "end_col_offset", None)
        if end is None:
            return 0
        i = end
        while i < len(self.text) and self.text[i] in " )":
            i += 1
        return i + 1

    def exponent(self, e: ast.AST) -> Fraction:
        sign = 1
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
            sign, e = -1, e.operand
        if not isinstance(e, ast.Constant) or isinstance(e.value, bool) or \
                not isinstance(e.value, int | float):
            raise self.fail("the exponent of ** must be a number", e)
        if not abs(e.value) <= MAX_EXPONENT:
            raise self.fail(f"exponent {e.value!r} too large (at most {MAX_EXPONENT})", e)
        p = sign * Fraction(repr(e.value))
        if p.denominator > 64:
            raise self.fail(f"exponent {e.value!r}: use a simple fraction", e)
        return p

    def call(self, e: ast.Call, pos: int) -> Node:
        if not isinstance(e.func, ast.Name):
            raise self.fail("only calls of the listed functions are allowed, e.g. trace(X)", e)
        fn = e.func.id
        if e.keywords:
            raise self.fail(f"{fn}: keyword arguments are not allowed", e.keywords[0].value)
        ew = elementwise_ops()
        if self.internal and fn in ("eye", "ones"):
            return self.internal_call(e, fn)
        if fn not in nodes.FUNCTIONS and fn not in ew and not (
                self.internal and fn in nodes.INTERNAL):
            allowed = ", ".join(sorted(nodes.FUNCTIONS))
            raise self.fail(f"unknown function {fn!r} (allowed: {allowed}, and the elementwise "
                            "ops of the table)", e)
        want = 2 if fn == "outer" else 1
        if len(e.args) != want:
            raise self.fail(f"{fn} takes {want} argument{'s' * (want > 1)}, got {len(e.args)}",
                            e)
        args = tuple(self.read(a) for a in e.args)
        return nodes.call(fn, args, pos, ew=fn in ew and fn not in nodes.FUNCTIONS)

    def internal_call(self, e: ast.Call, fn: str) -> Node:
        dims = []
        for a in e.args:
            if isinstance(a, ast.Name) and not a.id.startswith("_"):
                dims.append(a.id)
            elif isinstance(a, ast.Constant) and type(a.value) is int and 0 < a.value <= 64:
                dims.append(a.value)
            else:
                raise self.fail(f"{fn}: dimensions are letters or small integers", a)
        if fn == "eye" and len(dims) == 1:
            return nodes.eye(dims[0])
        if fn == "ones" and len(dims) in (1, 2):
            return nodes.ones(tuple(dims))
        raise self.fail(f"{fn}: wrong number of dimensions", e)
