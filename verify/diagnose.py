"""Why a VJP is wrong: the worst entries with both values, and a hint when the error has a shape.

:func:`diagnose` compares the engine's cotangent for one input with a reference (exact or finite
differences) and names known patterns: non-finite values, a transposed gradient, a sign flip,
entries reversed along an axis (a wrong axis), a constant factor, a factor equal to the
broadcast size (a missing or extra broadcast sum), and an error confined to a broadcast input.
The wrong tie convention is named by the kink check, the only place that sees a tie.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from verify.fd_verdict import amax

__all__ = ["diagnose", "worst_entries", "broadcast_size", "relative_error"]


def worst_entries(engine: np.ndarray, ref: np.ndarray, n: int = 3) -> list[dict[str, Any]]:
    """The ``n`` entries where engine and reference differ most, with both values."""
    diff = np.abs(np.asarray(engine, dtype=np.float64) - ref)
    diff = np.where(np.isnan(diff), np.inf, diff)
    order = np.argsort(-diff, axis=None, kind="stable")[:n]
    out = []
    for flat in order:
        idx = np.unravel_index(flat, np.shape(ref)) if np.ndim(ref) else ()
        out.append({"index": [int(i) for i in idx], "engine": float(np.asarray(engine)[idx]),
                    "reference": float(np.asarray(ref)[idx])})
    return out


def broadcast_size(x_shape: tuple[int, ...], target: tuple[int, ...]) -> int:
    """How many copies of each entry broadcasting ``x_shape`` to ``target`` makes."""
    size = int(np.prod(target, dtype=np.int64)) if target else 1
    own = int(np.prod(x_shape, dtype=np.int64)) if x_shape else 1
    return max(size // max(own, 1), 1)


def diagnose(engine: Any, ref: Any, *, input: int, x: Any = None,
             raw_shape: tuple[int, ...] | None = None, copies: int = 1) -> dict[str, Any]:
    """``{"input", "worst", "hint"}`` for one input's engine cotangent against a reference.

    ``copies`` is how many times the forward broadcast each entry of this input (1: none).
    """
    ref = np.asarray(ref, dtype=np.float64)
    shape = np.shape(ref)
    hint = ""
    if raw_shape is not None and np.shape(engine) != shape:
        hint = _shape_hint(raw_shape, shape)
        return {"input": input, "worst": [], "hint": hint}
    a = np.asarray(engine, dtype=np.float64)
    if a.shape != shape:
        return {"input": input, "worst": [],
                "hint": f"wrong shape: engine {a.shape}, reference {shape}"}
    worst = worst_entries(a, ref)
    bad = ~np.isfinite(a) & np.isfinite(ref)
    if bad.any():
        hint = "non-finite engine VJP (nan/inf) where the reference is finite"
        if x is not None and np.all(np.asarray(x)[np.broadcast_to(bad, np.shape(x))] < 0):
            hint += ", at negative input values (a log of a negative base?)"
        return {"input": input, "worst": worst, "hint": hint}
    if raw_shape is not None and len(raw_shape) >= 2 and tuple(raw_shape) != shape \
            and tuple(raw_shape[-2:]) == shape[-2:][::-1]:
        hint = f"transposed gradient: the raw rule gave {tuple(raw_shape)} for an input {shape}"
    else:
        hint = _value_hint(a, ref, copies)
    return {"input": input, "worst": worst, "hint": hint}


def _close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-6) -> bool:
    scale = max(float(np.max(np.abs(b), initial=0.0)), 1e-300)
    return bool(np.max(np.abs(a - b), initial=0.0) <= rtol * scale)


def _value_hint(a: np.ndarray, b: np.ndarray, copies: int) -> str:
    nb = float(np.vdot(b, b))
    if nb == 0.0:
        return "the reference is zero but the engine is not" if np.any(a) else ""
    if _close(a, -b):
        return "sign flip: the engine gives minus the reference"
    if a.ndim >= 2 and a.shape[-1] == a.shape[-2] and _close(a, np.swapaxes(b, -1, -2)):
        return "transposed gradient: the engine gives the reference's transpose"
    for axis in range(a.ndim):
        if a.shape[axis] > 1 and _close(a, np.flip(b, axis)):
            return f"wrong axis: the engine gives the reference reversed along axis {axis}"
    c = float(np.vdot(a, b)) / nb
    if abs(c) > 1e-12 and _close(a, c * b) and not np.isclose(c, 1.0):
        if copies > 1 and (np.isclose(c, copies) or np.isclose(c, 1 / copies)):
            kind = "an extra" if c > 1 else "a missing"
            return (f"off by the broadcast size {copies} (factor {c:.6g}): {kind} broadcast "
                    "sum")
        return f"constant factor {c:.6g}: the engine gives {c:.6g} times the reference"
    if copies > 1:
        return (f"this input is broadcast {copies}-fold by the forward and its cotangent is "
                "wrong: suspect a missing or extra broadcast sum")
    return ""


def _shape_hint(raw_shape: tuple[int, ...], shape: tuple[int, ...]) -> str:
    if len(raw_shape) >= 2 and tuple(raw_shape[-2:]) == tuple(shape[-2:])[::-1]:
        return f"transposed gradient: the raw rule gave {tuple(raw_shape)} for an input {shape}"
    return (f"the raw rule gave shape {tuple(raw_shape)} for an input of shape {shape}: "
            "a missing or extra broadcast sum, or a wrong axis")


def relative_error(a: np.ndarray, ref: np.ndarray) -> float:
    """max |a - ref| / max(|ref|, |a|): 0 when both are zero, inf on a non-finite mismatch."""
    a = np.asarray(a, dtype=np.float64)
    if a.shape != np.shape(ref):
        return np.inf
    diff = np.abs(a - ref)
    if np.any(~np.isfinite(diff)):
        return np.inf
    scale = max(amax(ref), amax(a))
    return 0.0 if scale == 0 else float(np.max(diff, initial=0.0)) / scale
