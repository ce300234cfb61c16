"""derive's proofs of the engine's rules, cached in memory and on disk.

A proof depends on the op's forward and rules and on derive itself, so the cache key hashes the
source files that define them (any edit re-proves) with the op's name and the case. Replacement
rules (mutants, users' patches) are never cached. The disk cache lives beside derive's
(``derive.cache_dir()/proofs``).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from numeric import Op, all_ops
from numeric.cases import Case

__all__ = ["prove", "exact_values"]

_MEMORY: dict[str, dict[str, Any]] = {}
_FILES: dict[str, str] = {}


def prove(op: Op, case: Case) -> dict[str, Any]:
    """derive's proof of ``op``'s rules at ``case`` (``Proof.to_dict()``), or why there is none."""
    try:
        import derive
    except ImportError as e:
        return _unavailable(f"derive is not importable: {e}")
    if not hasattr(derive, "prove_rule"):
        return _unavailable("derive.prove_rule is not available yet")
    base = all_ops().get(op.name)
    patched = base is not None and base is not op
    key = None if patched else _key(op, case, derive)
    if key is not None:
        if key in _MEMORY:
            return _MEMORY[key]
        found = _load(key, derive)
        if found is not None:
            _MEMORY[key] = found
            return found
    try:
        if patched and base.fwd is op.fwd:
            proof = derive.prove_rule(base, case, rule=op.vjp)  # a replacement rule
        else:
            proof = derive.prove_rule(op, case)
        result = proof.to_dict()
    except Exception as e:  # derive could not run this op: say so, never fail on it
        return _unavailable(f"derive.prove_rule raised {type(e).__name__}: {e}")
    if key is not None:
        _MEMORY[key] = result
        _store(key, result, derive)
    return result


def _unavailable(reason: str) -> dict[str, Any]:
    return {"status": "unavailable", "method": "", "detail": reason}


def _key(op: Op, case: Case, derive: Any) -> str | None:
    parts = [op.name, repr(case.shapes), repr(sorted(case.params.items(), key=str))]
    try:
        files = {inspect.getsourcefile(f) for f in (op.fwd, *op.vjp) if f is not None}
        files |= {str(p) for p in sorted(Path(derive.__file__).parent.glob("*.py"))}
    except TypeError:
        return None
    for path in sorted(p for p in files if p):
        parts.append(_file_hash(path))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _file_hash(path: str) -> str:
    if path not in _FILES:
        try:
            _FILES[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            _FILES[path] = path
    return _FILES[path]


def _dir(derive: Any) -> Path | None:
    try:
        return Path(derive.cache_dir()) / "proofs"
    except Exception:
        return None


def _load(key: str, derive: Any) -> dict[str, Any] | None:
    d = _dir(derive)
    if d is None:
        return None
    try:
        return json.loads((d / f"{key}.json").read_text())
    except (OSError, ValueError):
        return None


def _store(key: str, result: dict[str, Any], derive: Any) -> None:
    d = _dir(derive)
    if d is None:
        return
    try:
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(result))
        os.replace(tmp, d / f"{key}.json")  # atomic: parallel jobs never read half a file
    except OSError:
        pass


def exact_values(op: Op, case: Case, xs: list[np.ndarray], g: np.ndarray) -> Any:
    """derive's exact VJP at float64 inputs ``xs`` and cotangent ``g``, or why there is none."""
    try:
        import derive
    except ImportError as e:
        return f"derive is not importable ({e})"
    if not hasattr(derive, "exact_vjp"):
        return "derive.exact_vjp is not available yet"
    try:
        return derive.exact_vjp(op, case).evaluate(xs, g)
    except Exception as e:
        return f"no symbolic VJP for {op.name} at {case}: {type(e).__name__}: {e}"
