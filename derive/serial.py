"""SymPy expressions as plain JSON trees, read back by a parser that can only build expressions.

``encode(expr)`` writes a tree of lists: ``["Symbol", "x_00", ["real", "positive"]]``,
``["Integer", "3"]``, ``["Rational", "1", "2"]``, ``["Add", [...], [...]]``. ``decode(tree)``
rebuilds it from an explicit whitelist of SymPy classes (:data:`NODES`): nothing in the tree is
ever evaluated as code (no ``eval``, ``sympify``, ``parse_expr`` or ``srepr``), symbol names and
numbers are checked against patterns, and the reader is iterative with limits on nodes, depth,
digits and exponents, so a hostile tree can neither run code nor exhaust the stack or memory.
Anything outside the whitelist raises :class:`SerialError`; the caller then derives afresh.
``encode_array`` / ``decode_array`` do the same for object arrays of expressions.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import sympy as sp
from sympy.core.relational import Relational

__all__ = ["SerialError", "encode", "decode", "encode_array", "decode_array", "NODES"]

MAX_NODES = 500_000   # per tree
MAX_DEPTH = 2_000     # nesting of one tree
MAX_DIGITS = 400      # digits of one integer
MAX_POWER = 4_096     # |exponent| of a number raised to a number
ASSUMPTIONS = ("real", "positive", "negative", "nonzero", "integer")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_,]{0,63}")
_INT = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}")

# name -> SymPy class or function whose arguments are expressions (built with evaluation on)
NODES: dict[str, Any] = {
    "Add": sp.Add, "Mul": sp.Mul, "Pow": sp.Pow, "exp": sp.exp, "log": sp.log,
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "sinh": sp.sinh, "cosh": sp.cosh,
    "tanh": sp.tanh, "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "asinh": sp.asinh,
    "acosh": sp.acosh, "atanh": sp.atanh, "atan2": sp.atan2, "Abs": sp.Abs, "sign": sp.sign,
    "Heaviside": sp.Heaviside, "DiracDelta": sp.DiracDelta, "Max": sp.Max, "Min": sp.Min,
    "floor": sp.floor, "ceiling": sp.ceiling, "conjugate": sp.conjugate, "re": sp.re,
    "im": sp.im, "Piecewise": sp.Piecewise, "ExprCondPair": sp.functions.elementary.
    piecewise.ExprCondPair, "StrictGreaterThan": sp.StrictGreaterThan,
    "GreaterThan": sp.GreaterThan, "StrictLessThan": sp.StrictLessThan,
    "LessThan": sp.LessThan, "Equality": sp.Equality, "Unequality": sp.Unequality,
    "And": sp.And, "Or": sp.Or, "Not": sp.Not, "Xor": sp.Xor,
}
_ATOMS: dict[str, Any] = {
    "pi": sp.pi, "E": sp.E, "I": sp.I, "oo": sp.oo, "-oo": -sp.oo, "zoo": sp.zoo,
    "nan": sp.nan, "true": sp.true, "false": sp.false, "Half": sp.S.Half,
}
_ATOM_OF = {v: k for k, v in _ATOMS.items() if k != "Half"}
_NAME_OF = {cls: name for name, cls in NODES.items()}


class SerialError(ValueError):
    """A tree that is not the encoding of a whitelisted SymPy expression."""


def encode(expr: Any) -> Any:
    """A JSON-ready tree for ``expr`` (a SymPy expression, bool or number); iterative."""
    root: list[Any] = []
    stack: list[tuple[Any, list[Any]]] = [(sp.sympify(expr), root)]
    while stack:
        e, parent = stack.pop()
        parent.append(_leaf(e) if not _compound(e) else None)
        if parent[-1] is not None:
            continue
        name = _NAME_OF.get(e.func)
        if name is None:
            raise SerialError(f"cannot store {type(e).__name__} ({str(e)[:60]}): not whitelisted")
        node: list[Any] = [name]
        parent[-1] = node
        for a in reversed(e.args):  # popped in order, so children land in order
            stack.append((a, node))
    return root[0]


def decode(tree: Any) -> Any:
    """The SymPy expression a tree from :func:`encode` stands for; SerialError if it is not one."""
    nodes = 0
    # post-order without recursion: (tree, depth, built-children-or-None)
    out: list[Any] = []
    stack: list[tuple[Any, int, bool]] = [(tree, 0, False)]
    while stack:
        t, depth, ready = stack.pop()
        nodes += 1
        if nodes > 2 * MAX_NODES:
            raise SerialError(f"more than {MAX_NODES} nodes")
        if depth > MAX_DEPTH:
            raise SerialError(f"nested deeper than {MAX_DEPTH}")
        if not isinstance(t, list) or not t or not isinstance(t[0], str):
            raise SerialError(f"not a node: {str(t)[:60]}")
        head = t[0]
        if head not in NODES:
            out.append(_atom(t))
            continue
        if not ready:
            stack.append((t, depth, True))
            stack.extend((a, depth + 1, False) for a in reversed(t[1:]))
            continue
        n = len(t) - 1
        args = out[len(out) - n:] if n else []
        del out[len(out) - n:]
        out.append(_build(head, args))
    if len(out) != 1:
        raise SerialError("malformed tree")
    return out[0]


def encode_array(a: Any) -> dict[str, Any]:
    """``{"shape": [...], "entries": [tree, ...]}`` for an object array of expressions."""
    a = np.asarray(a, dtype=object)
    return {"shape": list(a.shape), "entries": [encode(v) for v in a.ravel()]}


def decode_array(doc: Any, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """The object array :func:`encode_array` stored, checked to have ``shape`` when given."""
    if not isinstance(doc, dict) or set(doc) != {"shape", "entries"}:
        raise SerialError("an array is {shape, entries}")
    dims, entries = doc["shape"], doc["entries"]
    if (not isinstance(dims, list) or len(dims) > 32
            or not all(type(n) is int and 0 <= n <= MAX_NODES for n in dims)):
        raise SerialError(f"bad shape {str(dims)[:60]}")
    if shape is not None and tuple(dims) != tuple(shape):
        raise SerialError(f"shape {dims}, expected {list(shape)}")
    if not isinstance(entries, list) or len(entries) != int(np.prod(dims, dtype=np.int64)):
        raise SerialError("entries do not fill the shape")
    flat = np.empty(len(entries), dtype=object)
    for i, t in enumerate(entries):
        flat[i] = decode(t)
    return flat.reshape(tuple(dims))


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _compound(e: Any) -> bool:
    return isinstance(e, sp.Basic) and bool(e.args) and not isinstance(e, sp.Symbol)


def _leaf(e: Any) -> list[Any]:
    if isinstance(e, sp.Integer):
        return ["Integer", str(int(e))]
    if isinstance(e, sp.Rational):
        return ["Rational", str(e.p), str(e.q)]
    if isinstance(e, sp.Symbol) and type(e) is sp.Symbol:
        facts = [a for a in ASSUMPTIONS if e.assumptions0.get(a) is True]
        return ["Symbol", e.name, facts]
    if isinstance(e, sp.Basic) and not e.args and e in _ATOM_OF:
        return ["Atom", _ATOM_OF[e]]
    raise SerialError(f"cannot store {type(e).__name__} ({str(e)[:60]}): not whitelisted")


def _atom(t: list[Any]) -> Any:
    head = t[0]
    if head == "Integer" and len(t) == 2 and isinstance(t[1], str) and _INT.fullmatch(t[1]):
        return sp.Integer(int(t[1]))
    if head == "Rational" and len(t) == 3 and all(
            isinstance(v, str) and _INT.fullmatch(v) for v in t[1:]):
        p, q = int(t[1]), int(t[2])
        if q == 0:
            raise SerialError("a rational with denominator 0")
        return sp.Rational(p, q)
    if head == "Symbol" and len(t) == 3 and isinstance(t[1], str) and _NAME.fullmatch(t[1]) \
            and isinstance(t[2], list) and all(isinstance(a, str) and a in ASSUMPTIONS
                                               for a in t[2]):
        try:
            return sp.Symbol(t[1], **{a: True for a in t[2]})
        except Exception as e:  # noqa: BLE001 - contradictory assumptions
            raise SerialError(f"symbol {t[1]}: {e}") from None
    if head == "Atom" and len(t) == 2 and isinstance(t[1], str) and t[1] in _ATOMS:
        return _ATOMS[t[1]]
    raise SerialError(f"not a whitelisted node: {str(t)[:60]}")


def _build(head: str, args: list[Any]) -> Any:
    if head == "Pow" and len(args) == 2 and args[0].is_number and args[1].is_number:
        b, e = args
        if not e.is_Rational or abs(e.p) > MAX_POWER or abs(e.q) > MAX_POWER:
            raise SerialError(f"a number raised to {str(e)[:40]}: refused")
        if not (b.is_Atom or b.is_Rational):  # a power of a power of a number: refused, so
            raise SerialError("a number raised to a power, raised again: refused")  # no
            # stack of powers can make a number of astronomical size
    if head in ("Add", "Mul", "And", "Or", "Max", "Min", "Piecewise"):
        if not args:
            raise SerialError(f"{head} without arguments")
    elif head in ("Pow", "atan2", "ExprCondPair") or head in _RELATIONS:
        if len(args) != 2:
            raise SerialError(f"{head} takes 2 arguments, got {len(args)}")
    elif head == "Heaviside" and len(args) not in (1, 2) or head == "log" and len(args) not in (
            1, 2) or head == "DiracDelta" and len(args) not in (1, 2):
        raise SerialError(f"{head}: wrong number of arguments")
    elif head not in ("Heaviside", "log", "DiracDelta", "Xor") and len(args) != 1:
        raise SerialError(f"{head} takes 1 argument, got {len(args)}")
    try:
        if head in _AS_STORED:  # the tree came from an evaluated expression: rebuild it as is
            return NODES[head](*args, evaluate=False)
        return NODES[head](*args)
    except Exception as e:  # noqa: BLE001 - SymPy refused the arguments (wrong types)
        raise SerialError(f"{head}: {type(e).__name__}: {str(e)[:80]}") from None


_AS_STORED = {"Add", "Mul", "Pow", "Max", "Min"}
_RELATIONS = {"StrictGreaterThan", "GreaterThan", "StrictLessThan", "LessThan", "Equality",
              "Unequality"}
assert all(issubclass(NODES[r], Relational) for r in _RELATIONS)
