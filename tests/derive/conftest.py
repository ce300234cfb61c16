"""Derive tests use a private derivation cache, shared by the session (derivations are exact)."""

import os
import tempfile

_CACHE = tempfile.mkdtemp(prefix="gradproof-derive-test-")
os.environ.setdefault("GRADPROOF_CACHE", _CACHE)
