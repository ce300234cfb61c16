"""The kinds of the general eigendecomposition (eig, eigvals), their sampler and gauge hook.

``EIG`` (packed eigenvalues and eigenvectors) and ``EIGVALS`` (eigenvalues) share their cases:
one matrix, a stack, 1x1 (n ≤ 2, where derive has a closed form) and 3x3 (derive checks it
at constructed rational points). Both declare ``align``:
LAPACK returns eigenvalues in no stable order and each eigenvector up to a phase (a sign for
real ones), so finite differences compare the forward at a nearby point only after
:func:`align_values` / :func:`align_packed` put it in the base point's order and phases.
:func:`separated_eigenvalues` draws the matrices of the "separated eigenvalues" domain.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.kind import Case, Kind
from numeric.kinds.broadcasting import fixed, same_shape
from numeric.kinds.linalg import _square  # square matrices and stacks of them

__all__ = ["EIG", "EIGVALS", "align_values", "align_packed", "separated_eigenvalues",
           "match_order"]

SPACING = 1.5  # between the real parts of neighbouring eigenvalues (a pair is 2b ≥ 1.5 apart)


def align_values(base: Any, out: Any) -> np.ndarray:
    """``out``'s eigenvalues (last axis) reordered to match ``base``'s, nearest first."""
    base, out = np.asarray(base), np.asarray(out)
    return np.take_along_axis(out, match_order(base, out), axis=-1)


def align_packed(base: Any, out: Any) -> np.ndarray:
    """``out`` packed as eig's forward packs it (w, then V's n² entries) in ``base``'s order,
    each eigenvector column turned by the phase that makes its product with ``base``'s real
    and positive: the gauge ``vᴴ dv = 0`` of the engine's rule (a sign for real vectors)."""
    base, out = np.asarray(base), np.asarray(out)
    size = out.shape[-1]
    n = int(round((np.sqrt(1 + 4 * size) - 1) / 2))
    batch = out.shape[:-1]
    wb, vb = base[..., :n], np.reshape(base[..., n:], batch + (n, n))
    w, v = out[..., :n], np.reshape(out[..., n:], batch + (n, n))
    p = match_order(wb, w)
    w = np.take_along_axis(w, p, axis=-1)
    v = np.take_along_axis(v, p[..., None, :], axis=-1)
    c = np.sum(np.conj(vb) * v, axis=-2)
    size_c = np.abs(c)
    phase = np.where(size_c > 0, np.conj(c) / np.where(size_c > 0, size_c, 1), 1)
    if not np.iscomplexobj(v):
        phase = np.real(phase)
    v = v * phase[..., None, :]
    return np.concatenate([w, np.reshape(v, batch + (n * n,))], axis=-1)


def match_order(base: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Per matrix, the index of ``out``'s entry nearest each of ``base``'s; where that is not a
    permutation (the points are too far apart to tell) the order is kept as it is."""
    n = out.shape[-1]
    p = np.argmin(np.abs(base[..., :, None] - out[..., None, :]), axis=-1)
    keep = np.arange(n)
    ok = np.all(np.sort(p, axis=-1) == keep, axis=-1, keepdims=True)
    return np.where(ok, p, np.broadcast_to(keep, p.shape))


def separated_eigenvalues(shape: tuple[int, ...], rng: np.random.Generator,
                          complex_: bool = False) -> np.ndarray:
    """Matrices S Λ S⁻¹ with eigenvalues ``SPACING`` apart: real ones, and (real matrices, at
    random) conjugate pairs a ± ib with b in [0.75, 1] as 2x2 blocks [[a, b], [-b, a]]; S is a
    rotation times I + 0.3 Z/n (condition number below 2, not normal). Complex matrices get
    complex eigenvalues and S."""
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"a 'separated eigenvalues' input must be square matrices, got shape "
                         f"{shape}")
    n, batch = shape[-1], shape[:-2]
    out = np.empty(batch + (n, n), dtype=complex if complex_ else float)
    for k in np.ndindex(*batch):
        centres = SPACING * (np.arange(n) - (n - 1) / 2) + rng.uniform(-0.1, 0.1, n)
        lam = np.diag(centres).astype(out.dtype)
        if complex_:
            lam += np.diag(1j * rng.uniform(-0.7, 0.7, n))
        else:
            pairs = int(rng.integers(0, n // 2 + 1))
            if n >= 2 and sum(k) % 2 == 1:  # a stack always holds a pair (a rule wrong
                pairs = max(pairs, 1)       # only on Im w's cotangent was missed 1 run in 8)
            for j in range(0, 2 * pairs, 2):
                a = (centres[j] + centres[j + 1]) / 2
                b = rng.uniform(0.75, 1.0)
                lam[j:j + 2, j:j + 2] = [[a, b], [-b, a]]
        z = rng.uniform(-1, 1, (n, n))
        q = np.linalg.qr(rng.normal(size=(n, n)))[0]
        if complex_:
            z = z + 1j * rng.uniform(-1, 1, (n, n))
            q = np.linalg.qr(rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))[0]
        s = q @ (np.eye(n) + 0.3 * z / n)
        out[k] = s @ lam @ np.linalg.inv(s)
    return out.real if not complex_ else out


def _c(*shapes: tuple[int, ...], label: str = "") -> Case:
    return Case(tuple(tuple(s) for s in shapes), {}, label)


# n ≤ 2: derive's closed forms (numeric.ops.eig); 3x3: its constructed exact points
# (numeric.ops.eig_points), as every larger shape.
_CASES = fixed(_c((2, 2), label="2x2"), _c((3, 2, 2), label="stack of 2x2"),
               _c((1, 1), label="1x1"), _c((3, 3), label="3x3"))


EIG = Kind("eig", _CASES, _square, same_shape, align=align_packed)
EIGVALS = Kind("eigvals", _CASES, _square, same_shape, align=align_values)
