"""The one on-disk store of what gradproof derives: content-addressed, plain JSON, never trusted.

Every cached artefact — an exact derivation, a proof of a rule, a report's derivation steps, an
FD curve, a graph layout — is a JSON document filed under a *namespace* (a fixed identifier such
as ``"proof"``) and a *key*, the SHA-256 of everything the artefact depends on (:func:`key`).
File names are the hex digest: no op name or other outside text ever becomes a path. Reading is
defensive: a missing, truncated, corrupt, tampered or wrong-typed entry reads as ``None`` and the
caller derives afresh. Nothing read from the store is executed or evaluated; callers that store
SymPy expressions use :mod:`derive.serial`'s whitelisted reader.

The store lives in ``$GRADPROOF_CACHE`` or ``.gradproof-cache/`` at the repository root.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from pathlib import Path
from typing import Any

__all__ = ["root", "key", "load", "save", "drop", "clear"]

FORMAT = 1  # bump when the layout of stored documents changes
_NAMESPACE = re.compile(r"[a-z][a-z0-9-]{0,31}")
_KEY = re.compile(r"[0-9a-f]{64}")


def root() -> Path:
    """``$GRADPROOF_CACHE``, else ``.gradproof-cache/`` at the repository root."""
    env = os.environ.get("GRADPROOF_CACHE")
    return Path(env) if env else Path(__file__).resolve().parents[1] / ".gradproof-cache"


def key(*parts: Any) -> str:
    """The SHA-256 hex digest of ``parts`` (each turned to text with ``repr`` unless a str)."""
    h = hashlib.sha256(f"gradproof-store/{FORMAT}".encode())
    for p in parts:
        b = (p if isinstance(p, str) else repr(p)).encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def _path(namespace: str, digest: str) -> Path:
    if not _NAMESPACE.fullmatch(namespace):
        raise ValueError(f"store: namespace {namespace!r} is not a plain identifier")
    if not _KEY.fullmatch(digest):
        raise ValueError(f"store: key {digest!r:.80} is not a SHA-256 hex digest (use store.key)")
    return root() / namespace / digest[:2] / f"{digest}.json"


def load(namespace: str, digest: str) -> Any | None:
    """The value saved under (namespace, key), or None if absent or not exactly what was saved."""
    try:
        doc = json.loads(_path(namespace, digest).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeError, RecursionError):
        return None
    if (not isinstance(doc, dict) or doc.get("format") != FORMAT
            or doc.get("namespace") != namespace or doc.get("key") != digest
            or "value" not in doc):
        return None
    return doc["value"]


def save(namespace: str, digest: str, value: Any) -> None:
    """File ``value`` (JSON-ready) under (namespace, key), atomically; a read-only disk is fine."""
    path = _path(namespace, digest)
    doc = {"format": FORMAT, "namespace": namespace, "key": digest, "value": value}
    try:
        text = json.dumps(doc, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise TypeError(f"store.save({namespace!r}): the value is not plain JSON: {e}") from None
    # one temporary name per process and thread: two threads saving one key never share it
    tmp = path.with_name(f".{digest}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)  # atomic: parallel jobs never read half a file
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass


def drop(namespace: str, digest: str) -> None:
    """Delete the entry saved under (namespace, key), if there is one."""
    try:
        _path(namespace, digest).unlink(missing_ok=True)
    except OSError:
        pass


def clear(namespace: str | None = None) -> None:
    """Delete the stored entries of one namespace (or of all)."""
    base = root()
    spaces = [namespace] if namespace else [p.name for p in base.glob("*") if p.is_dir()]
    for ns in spaces:
        if not _NAMESPACE.fullmatch(ns):
            continue
        for p in (base / ns).glob("??/*.json"):
            if _KEY.fullmatch(p.stem):
                p.unlink(missing_ok=True)
