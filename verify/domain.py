"""Inputs outside an op's declared domain: which input, which entries, which domain.

An op declares per input a :class:`numeric.Domain`: the interval ``[low, high]`` its inputs
are drawn from, points to ``avoid`` (by ``margin``), and a ``kind`` (``"real"``, ``"bool"``,
``"invertible"`` or ``"spd"`` square matrices). The default ``REALS`` stands for the real line:
only non-finite entries leave it (its ``[-2, 2]`` is where samples are drawn). Sampled inputs
always lie inside the domain; arrays a user hands to ``verify.check_op`` may not. There the rule
is not what was verified (``power``'s rule for ``y`` takes ``log x``: at ``x < 0`` both the
engine and finite differences give NaN), so a failing check must say so instead of naming an
error pattern that is not there.

The convention (``verify.checks``): a case whose inputs leave the domain keeps its verdicts —
a check that fails still fails, since nothing was verified there — and the diagnosis of each
failing check is :func:`note`'s account (input, entries with their values, the domain) in place
of a pattern hint. A passing check is not touched: it passed at those inputs.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from numeric import Domain, Op

__all__ = ["outside", "note"]

SHOWN = 3  # entries named per input


def outside(op: Op, xs: list[Any]) -> list[dict[str, Any]]:
    """One record per input with entries outside its domain: input, entries, values, domain."""
    doms = op.domains()
    found = []
    for i, x in enumerate(xs):
        dom = doms[min(i, len(doms) - 1)]
        x = np.asarray(x)
        if dom.kind == "bool" or x.dtype == np.bool_ or x.size == 0:
            continue
        # eig's matrices keep their complex entries; the other domains are of reals
        x = x.astype(np.result_type(x, np.float64) if dom.kind == "separated eigenvalues"
                     else np.float64)
        if dom.kind in ("invertible", "spd", "full rank", "distinct singular values",
                        "distinct eigenvalues", "separated eigenvalues"):
            bad = _bad_matrices(x, dom.kind)
        elif dataclasses.replace(dom, cuts=()) == Domain():  # the real line (its interval is
            # only for sampling; branch cuts concern complex inputs)
            bad = ~np.isfinite(x)
        else:
            bad = ~np.isfinite(x) | (x < dom.low) | (x > dom.high)
            for point in dom.avoid:
                bad |= np.abs(x - point) < dom.margin
        if np.any(bad):
            where = np.argwhere(bad)[:SHOWN]
            found.append({"input": i, "count": int(np.sum(bad)), "size": int(bad.size),
                          "entries": [[int(k) for k in w] for w in where],
                          "values": [_value(x, w, dom.kind) for w in where],
                          "domain": describe(dom)})
    return found


def note(op: Op, found: list[dict[str, Any]]) -> dict[str, Any]:
    """The diagnosis of a failing check at inputs outside the domain (``found`` not empty)."""
    parts = []
    for f in found:
        shown = ", ".join(f"{e} = {v}" for e, v in zip(f["entries"], f["values"]))
        more = f" and {f['count'] - len(f['entries'])} more" if f["count"] > len(f["entries"]) \
            else ""
        parts.append(f"input {f['input']}: {f['count']} of {f['size']} entries outside "
                     f"{f['domain']} ({shown}{more})")
    hint = (f"inputs outside {op.name}'s declared domain — " + "; ".join(parts) + ": the rule "
            "is not verified there (the derivative may not exist or the forward may not be "
            "real), so this failure need not mean a wrong rule")
    return {"input": found[0]["input"], "worst": [], "hint": hint}


def describe(dom: Domain) -> str:
    """``[0.2, 3]``, ``[-2, 2] avoiding 0 (by 0.05)``, ``invertible square matrices``."""
    if dom.kind == "invertible":
        return "invertible square matrices"
    if dom.kind == "spd":
        return "symmetric positive definite matrices"
    if dom.kind == "full rank":
        return "full-rank matrices"
    if dom.kind == "distinct singular values":
        return "full-rank matrices with distinct singular values"
    if dom.kind == "distinct eigenvalues":
        return "symmetric matrices with distinct eigenvalues"
    if dom.kind == "separated eigenvalues":
        return "square matrices with distinct eigenvalues"
    text = f"[{dom.low:g}, {dom.high:g}]"
    if dom.avoid:
        text += f" avoiding {', '.join(f'{p:g}' for p in dom.avoid)} (by {dom.margin:g})"
    return text


def _bad_matrices(x: np.ndarray, kind: str) -> np.ndarray:
    """Per matrix (the last two axes): True where it is not of the domain's kind."""
    if kind in ("full rank", "distinct singular values", "distinct eigenvalues",
                "separated eigenvalues"):
        return _degenerate(x, kind)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        return np.ones(x.shape[:-2] if x.ndim >= 2 else (), dtype=bool)
    with np.errstate(all="ignore"):
        if kind == "spd":
            sym = np.max(np.abs(x - np.swapaxes(x, -1, -2)), axis=(-2, -1)) <= \
                1e-10 * np.max(np.abs(x), axis=(-2, -1), initial=1.0)
            low = np.linalg.eigvalsh(x)[..., 0] <= 0
            return ~sym | low
        cond = np.linalg.cond(x)
    return ~np.isfinite(cond) | (cond > 1e12)


def _degenerate(x: np.ndarray, kind: str) -> np.ndarray:
    """Per matrix: True at a decomposition's degenerate point (repeated or zero singular values,
    repeated eigenvalues of the symmetric matrix eigh reads, which must be square)."""
    if x.ndim < 2 or "eigenvalues" in kind and x.shape[-1] != x.shape[-2]:
        return np.ones(x.shape[:-2] if x.ndim >= 2 else (), dtype=bool)
    with np.errstate(all="ignore"):
        if kind == "separated eigenvalues":  # eig's: complex eigenvalues, any two apart
            if not np.all(np.isfinite(x)):
                return ~np.all(np.isfinite(x), axis=(-2, -1))
            w = np.linalg.eigvals(x)
            d = np.where(np.eye(w.shape[-1], dtype=bool), np.inf,
                         np.abs(w[..., :, None] - w[..., None, :]))
            scale = np.max(np.abs(w), axis=-1, initial=1e-300)
            return np.min(d, axis=(-2, -1), initial=np.inf) <= 1e-6 * scale
        if kind == "full rank":
            s = np.linalg.svd(x, compute_uv=False)
            return ~np.all(np.isfinite(x), axis=(-2, -1)) | (s[..., -1] <= 1e-10 * s[..., 0])
        if kind == "distinct eigenvalues":
            vals = np.linalg.eigvalsh(x)
        else:
            vals = np.linalg.svd(x, compute_uv=False)
            vals = np.concatenate([vals, np.zeros(vals.shape[:-1] + (1,))], axis=-1)
        scale = np.max(np.abs(vals), axis=-1, initial=1e-300)
        gap = np.min(np.abs(np.diff(np.sort(vals, axis=-1), axis=-1)), axis=-1, initial=np.inf)
    return ~np.isfinite(gap) & (vals.shape[-1] > 1) | (gap <= 1e-6 * scale)


def _value(x: np.ndarray, where: np.ndarray, kind: str) -> Any:
    if kind == "full rank":
        return "rank deficient"
    if kind in ("distinct singular values", "distinct eigenvalues", "separated eigenvalues"):
        return "degenerate: " + ("rank deficient or repeated singular values"
                                 if "singular" in kind else "repeated eigenvalues")
    if kind in ("invertible", "spd"):
        return "not " + ("invertible" if kind == "invertible" else "SPD")
    return float(x[tuple(where)])
