"""The general eigendecomposition: eig (eigenvalues and eigenvectors) and eigvals.

As the other decompositions (``decompositions``): eig's forward packs w and V into one array
(batch axes kept, w then V's n² entries on the last axis), and its binder's ``finish`` unpacks
them into NumPy's ``EigResult`` of Tensors. The outputs are complex unless every eigenvalue is
real (NumPy's rule, for the whole batch), also for a real input, whose gradient stays real
(autograd's convention: the real part of the cotangent, docs/numeric.md "Complex numbers").

Degenerate points are domain boundaries: at a repeated eigenvalue the eigenvectors are any
basis of its eigenspace, so a nonzero eigenvector cotangent there is refused, naming the
eigenvalues. Gauge: NumPy gives each eigenvector unit norm and a phase of LAPACK's choosing;
the rule's gauge is ``vᴴ dv = 0`` (no change along the vector itself), and so a loss that does
not depend on the phases (|w|², |vᵢᴴ vⱼ|², |v|⁴, w**3, ...) gets the same gradient as under
any other gauge. The kinds' ``align`` hook (``numeric.kinds.eig``) puts the forward at nearby
points into this gauge and order for finite differences.
"""

from __future__ import annotations

import numpy as np
from numpy.linalg._linalg import EigResult

from numeric.kinds import EIG, EIGVALS
from numeric.kinds.eig import match_order
from numeric.op import Domain, Op, register
from numeric.ops.common import _mask, _mT, _sp

__all__ = ["SEPARATED"]

# Sampled as S Λ S⁻¹ with eigenvalues 1.5 apart, real ones and complex pairs
# (numeric.kinds.eig); derive draws entries in [0.2, 1], where a 2x2 matrix has two real
# distinct eigenvalues ((a − d)²/4 + bc > 0).
SEPARATED = Domain(0.2, 1.0, kind="separated eigenvalues")
GAP = 1e-6  # relative distance below which two eigenvalues count as repeated


# ---------------------------------------------------------------------------------------------
# Autograd's convention: a cotangent Ḡ of Y pairs as dl = Re Σ Ḡ ∘ dY (no conjugate), so the
# VJP of a holomorphic map is the plain transpose, and Ā = V⁻ᵀ X Vᵀ when dl = Re tr(Xᵀ V⁻¹ dA V).
# With A = V diag(w) V⁻¹ and P = V⁻¹ dA V:  P = C diag(w) − diag(w) C + diag(dw), C = V⁻¹ dV, so
#   dw = diag(P),   C_ij = F_ij P_ij (i ≠ j), F_ij = 1/(w_j − w_i)   (C_jj is the gauge).
# eigenvalues:  Σ Re w̄_j dw_j = Re tr(diag(w̄) P)            ⇒  Ā = V⁻ᵀ diag(w̄) Vᵀ
# eigenvectors: dV₀ = V (F∘P); unit norm and the gauge vⱼᴴ dvⱼ = 0 give
#   dV = dV₀ − V diag(diag(Vᴴ dV₀)); with ⟨X, Y⟩ = Σ X_ij Y_ij and V̄_g the cotangent of V,
#   Re ⟨V̄_g, dV⟩ = Re ⟨K, F∘P⟩,  K = Vᵀ V̄_g − Vᵀ V̄ diag(diag(Vᵀ V̄_g))
#                                                             ⇒  Ā = V⁻ᵀ (diag(w̄) + F∘K) Vᵀ
# (PyTorch's conjugate convention writes it V⁻ᴴ (…)ᴴ Vᴴ.) A real A takes the real part. K's
# second term is NumPy's unit norm plus the phase gauge; autograd keeps only its real part
# (Im (V⁻¹ dV)_jj = 0), which changes the gradient of phase-dependent losses alone. derive
# checks both rules on 2x2 closed forms (real distinct eigenvalues) and, at any size, exactly
# at constructed rational points x = P diag(w) P⁻¹ (exact_point, numeric.ops.eig_points).
# ---------------------------------------------------------------------------------------------
register(Op("eig", lambda x: _eig(x), (lambda g, out, x: _eig_part(g, out, x),),
            domain=(SEPARATED,), kind=EIG, bind=lambda a: _bind_eig(a), numpy=(np.linalg.eig,),
            sym=lambda x: _sym_eig(x, True), complex=True,
            exact_point=lambda shapes, params, rng: _points().eig_point(shapes, params, rng),
            doc="eigenvalues w and unit eigenvectors V (columns) with x V = V diag(w), as "
                "NumPy's EigResult; complex unless every eigenvalue is real"))
register(Op("eigvals", np.linalg.eigvals, (lambda g, out, x: _eigvals_part(g, out, x),),
            domain=(SEPARATED,), kind=EIGVALS, numpy=(np.linalg.eigvals,),
            sym=lambda x: _sym_eig(x, False), complex=True,
            exact_point=lambda shapes, params, rng: _points().eig_point(shapes, params, rng,
                                                                          vectors=False),
            doc="the eigenvalues of x (NumPy's order, complex unless all are real)"))


def _bind_eig(a):
    n, batch = np.shape(a)[-1], tuple(np.shape(a)[:-2])
    return (a,), {}, lambda out: EigResult(*_unpack(out, batch, n))


def _eig(x):
    w, v = np.linalg.eig(x)
    batch = np.shape(x)[:-2]
    return np.concatenate([w, np.reshape(v, batch + (-1,))], axis=-1)


def _unpack(packed, batch, n):
    return packed[..., :n], np.reshape(packed[..., n:], batch + (n, n))


def _eig_part(g, out, x):
    n, batch = np.shape(x)[-1], tuple(np.shape(x)[:-2])
    (w, v), (gw, gv) = _unpack(out, batch, n), _unpack(g, batch, n)
    apart = _apart(w, gv, v)
    vt = _mT(v)
    k = np.matmul(vt, gv)
    k = k - np.matmul(vt, np.conj(v)) * np.expand_dims(np.diagonal(k, 0, -2, -1), -2)
    f = apart / (np.expand_dims(w, -2) - np.expand_dims(w, -1) + (1 - apart))
    eye = _mask(np.eye(n), w)
    return _to_input(x, vt, np.matmul(eye * np.expand_dims(gw, -1) + f * k, vt))


def _eigvals_part(g, out, x):
    v = _vectors(x, out)
    _apart(out, 0, v, "eigvals")
    vt = _mT(v)
    return _to_input(x, vt, np.expand_dims(g, -1) * vt)  # diag(w̄) Vᵀ


def _to_input(x, vt, m):
    """V⁻ᵀ m (m = inner Vᵀ): the cotangent of x, real for a real x (autograd's convention)."""
    r = np.linalg.solve(vt, m)
    return r if np.iscomplexobj(x) else np.real(r)


def _vectors(x, w):
    """Eigenvectors of x in the order of the eigenvalues ``w`` (eigvals' output): LAPACK's
    (eig's, on Tensors: differentiable); derive's exact ones at a rational matrix with rational
    eigenvalues (a constructed point: in w's order), else the closed form's on its symbols."""
    if isinstance(x, np.ndarray) and x.dtype == object:
        try:
            return _points().eig_vectors(x, w)
        except NotImplementedError:
            n = np.shape(x)[-1]
            return np.reshape(_sym_eig(x, True)[..., n:], np.shape(x))
    wx, v = np.linalg.eig(x)
    p = match_order(np.asarray(getattr(w, "value", w)), np.asarray(getattr(wx, "value", wx)))
    return np.take_along_axis(v, p[..., None, :], axis=-1)


def _apart(w, gv, v, name="eig"):
    """1 off the diagonal where w_i, w_j are apart, else 0 (in w's dtype). At repeated
    eigenvalues refuses a nonzero eigenvector cotangent, and any cotangent where x is not
    diagonalizable (V singular: a Jordan block), naming the eigenvalues."""
    n = np.shape(w)[-1]
    off = np.ones((n, n)) - np.eye(n)
    wv = np.asarray(getattr(w, "value", w))
    if wv.dtype.kind not in "fc" or n < 2:
        return _mask(off, w)
    d = np.abs(wv[..., :, None] - wv[..., None, :])
    scale = np.max(np.abs(wv), axis=-1, initial=0.0)[..., None, None]
    close = (d <= GAP * np.maximum(scale, 1e-300)) & (off > 0)
    if not np.any(close):
        return _mask(off, w)
    shown = np.round(wv, 8).tolist()
    if np.any(np.asarray(getattr(gv, "value", gv)) != 0):
        raise ValueError(f"{name}: repeated eigenvalues {shown}: their eigenvectors are any "
                         "basis of the shared space, not functions of x, so a cotangent on them "
                         "has no gradient there (declared domain: separated eigenvalues)")
    if np.any(np.linalg.cond(np.asarray(getattr(v, "value", v))) > 1e8):
        raise ValueError(f"{name}: repeated eigenvalues {shown} of a matrix that is not "
                         "diagonalizable (its eigenvectors are parallel): its eigenvalues have no "
                         "derivative there (declared domain: separated eigenvalues)")
    return _mask(off * ~close, w)


def _points():
    from numeric.ops import eig_points  # constructed exact points: loaded when derive asks

    return eig_points


# --- derive's closed forms ---------------------------------------------------------------
def _sym_eig(x, vectors):
    """w (and unit V, packed as eig packs them) of each 1x1 or 2x2 matrix [[a, b], [c, d]]:
    w = (a + d)/2 ∓ r, r = √((a − d)²/4 + bc), v = (b, w − a)/‖·‖ — real where bc > 0, as
    on the domain derive draws from. Past 2x2 there is no closed form to differentiate."""
    n = np.shape(x)[-1]
    if n > 2:
        raise NotImplementedError("eig has no closed form past 2x2 (the roots of a cubic and "
                                  "beyond): derive checks its rules exactly at constructed "
                                  "rational points instead")
    from numeric.ops.exact_forms import _flat, _stacked

    sp = _sp()

    def one(m):
        if n == 1:
            w, v = sp.Matrix([[m[0, 0]]]), sp.Matrix([[1]])
        else:
            a, b, c, d = m[0, 0], m[0, 1], m[1, 0], m[1, 1]
            r = sp.sqrt((a - d) ** 2 / 4 + b * c)
            w = sp.Matrix([[(a + d) / 2 - r, (a + d) / 2 + r]])
            cols = [sp.Matrix([b, wi - a]) / sp.sqrt(b ** 2 + (wi - a) ** 2) for wi in w]
            v = sp.Matrix.hstack(*cols)
        return _flat(w, v) if vectors else w

    return _stacked(x, one)
