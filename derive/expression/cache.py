"""``derive.expression``'s exact checks and SymPy's answers in derive's store (namespace
``expression``), the expensive part of an expression's derivation.

An entry is filed under a key bound to what it judges: the expression's tree and every closed
form (structure, not text), the declared shapes, the seed, whether SymPy was asked, the
elementwise ops' forwards the exact check evaluates, a digest of derive's own source (its
expression package included) and the SymPy and NumPy versions. Parsing, the differential rules
and the generated code are cheap and always made afresh — the store holds plain JSON, never code.
As for proofs (:mod:`derive.proof`), an entry read from disk is re-checked before it is served:
each closed form once more at a fresh exact rational point (:func:`check.recheck`); one that no
longer holds is dropped and derived again. Only verified results are filed (a refutation is
reached again at once, and may read better after an edit).
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

from derive import store
from derive.expression.check import Check, recheck
from derive.expression.nodes import Node, walk
from derive.expression.sympy_answer import SympyAnswer

__all__ = ["key", "load", "save", "NAMESPACE"]

NAMESPACE = "expression"
FORMAT = 1
_MEMORY: dict[str, tuple[dict[str, Check], dict[str, SympyAnswer]]] = {}
Result = tuple[dict[str, Check], dict[str, SympyAnswer]]


def key(expr: Node, grads: dict[str, Node], shapes: dict[str, tuple], seed: int, sympy: bool
        ) -> str:
    """The store key of the checks of ``grads`` (the closed forms of ``expr``)."""
    import numpy as np
    import sympy as sp

    from derive.expression.parse import elementwise_ops
    from derive.oprun import own_digest

    ops = elementwise_ops()
    used = sorted({k.value for e in (expr, *grads.values()) for k in walk(e)
                   if k.op == "call" and k.value in ops})
    forwards = [(fn, _code(ops[fn].fwd), _code(ops[fn].sym)) for fn in used]
    return store.key(NAMESPACE, FORMAT, encode(expr), sorted((w, encode(g)) for w, g in
                     grads.items()), sorted(shapes.items()), seed, bool(sympy), forwards,
                     own_digest(), _package_digest(), sp.__version__, np.__version__)


def load(digest: str, grads: dict[str, Node], expr: Node) -> Result | None:
    """The checks and answers filed under ``digest``, re-checked if read from disk; else None."""
    if digest in _MEMORY:
        return _MEMORY[digest]
    found = _read(store.load(NAMESPACE, digest), set(grads))
    if found is None:
        return None
    if not recheck(expr, grads, found[0], random.Random(int.from_bytes(os.urandom(16), "little"))):
        store.drop(NAMESPACE, digest)  # the stored verdict no longer holds: never served again
        return None
    _MEMORY[digest] = found
    return found


def save(digest: str, checks: dict[str, Check], answers: dict[str, SympyAnswer]) -> None:
    """File a result whose every closed form is verified."""
    if not all(c.ok for c in checks.values()):
        return
    _MEMORY[digest] = (checks, answers)
    store.save(NAMESPACE, digest, {"checks": {w: c.to_dict() for w, c in checks.items()},
                                   "sympy": {w: a.to_dict() for w, a in answers.items()}})


def encode(n: Node) -> str:
    """The tree ``n`` in prefix order, each node its op, value, shape and number of arguments:
    two trees have one encoding only if they are equal (columns aside)."""
    return "\x1f".join(repr((k.op, str(k.value), k.shape, len(k.args))) for k in walk(n))


def _read(value: Any, names: set[str]) -> Result | None:
    """A stored entry as (checks, answers); None unless it is exactly what :func:`save` wrote
    (nothing read is evaluated: sizes are checked to be letters and integers)."""
    try:
        if set(value) != {"checks", "sympy"} or set(value["checks"]) != names or set(
                value["sympy"]) != names:
            return None
        checks, answers = {}, {}
        for w in sorted(names):
            c, a = value["checks"][w], value["sympy"][w]
            sizes = c["sizes"]
            if c["ok"] is not True or not isinstance(c["status"], str) or not isinstance(
                    c["mode"], str) or c["counterexample"] is not None or not all(
                    isinstance(s, dict) and all(isinstance(k, str) and type(v) is int
                                                for k, v in s.items()) for s in sizes):
                return None
            checks[w] = Check(True, c["status"], c["mode"], [dict(s) for s in sizes])
            if set(a) != {"verdict", "text", "latex", "detail"} or not all(
                    isinstance(v, str) for v in a.values()):
                return None
            answers[w] = SympyAnswer(a["verdict"], a["text"], a["latex"], a["detail"])
        return checks, answers
    except (TypeError, KeyError, AttributeError):
        return None


def _code(fn: Any) -> str:
    """A function's bytecode and constants (a ufunc or None: its repr)."""
    fn = getattr(fn, "func", fn)
    code = getattr(fn, "__code__", None)
    return repr((code.co_code, code.co_consts, code.co_names)) if code else repr(fn)


def _package_digest() -> str:
    """A digest of derive/expression's own source (derive's own_digest covers derive/*.py)."""
    from derive.oprun import _read_digest

    parts = []
    for path in sorted(Path(__file__).parent.glob("*.py")):
        st = os.stat(path)
        parts.append(_read_digest(str(path), st.st_mtime_ns, st.st_size))
    return store.key(*parts)
