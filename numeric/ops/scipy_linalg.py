"""SciPy's linear algebra beyond NumPy's: solve_triangular, sqrtm, solve_sylvester.

The forwards are SciPy's, imported when first called (the table loads with NumPy alone; without
SciPy a call raises ImportError naming ``gradproof[scipy]``). The rules call these same ops,
so they run on ndarrays (SciPy), on Tensors (the records again: higher order) and on derive's
symbols (SymPy's exact solves below, the ``sym`` forwards' own arithmetic).
"""

from __future__ import annotations

import numpy as np

from numeric.kinds import SOLVE, SQUARE, SYLVESTER
from numeric.op import REALS, Domain, Op, get_op, register
from numeric.ops.common import INVERTIBLE, _case, _like, _mask, _mT, _scipy, _sp

__all__: list[str] = []

# Non-symmetric matrices whose eigenvalues have positive real parts at the sizes sampled (up to
# 3x3): a diagonal in [1, 2] and off-diagonal entries below 0.4 (Gershgorin), so a rule that
# forgets a transpose fails; SPD samples could not tell it.
POSITIVE_STABLE = Domain(-1.0, 1.0, kind="full rank")

# ---------------------------------------------------------------------------------------------
# With T the triangle of a that SciPy reads (unit diagonal if asked), op(T) = T or Tᵀ (trans):
#   solve_triangular:  out = op(T)⁻¹ b:  b̄ = op(T)⁻ᵀ G,  T̄ = −b̄ outᵀ (trans: −out b̄ᵀ),
#                      ā = T̄ on the triangle read, 0 elsewhere (and on a unit diagonal)
#   sqrtm:             out² = x, so out dY + dY out = dX:  x̄ solves outᵀ x̄ + x̄ outᵀ = G
#   solve_sylvester:   a out + out b = q:  q̄ solves aᵀ q̄ + q̄ bᵀ = G,
#                      ā = −q̄ outᵀ,  b̄ = −outᵀ q̄
# ---------------------------------------------------------------------------------------------
register(Op("solve_triangular", lambda x, y, trans=0, lower=False, unit_diagonal=False:
            _tri_arrays(x, y, trans, lower, unit_diagonal), (
    lambda g, out, x, y, trans=0, lower=False, unit_diagonal=False:
        _triangle(_tri_outer(_tri_vjp(g, x, y, trans, lower, unit_diagonal), out, y, trans),
                  x, lower, unit_diagonal, g),
    lambda g, out, x, y, trans=0, lower=False, unit_diagonal=False:
        _tri_vjp(g, x, y, trans, lower, unit_diagonal)),
    domain=(INVERTIBLE, REALS), kind=SOLVE,
    bind=lambda a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
        check_finite=True: _bind_triangular(a, b, trans, lower, unit_diagonal),
    cases=(_case((2, 2), (2,), label="upper, vector b"),
           _case((2, 2), (2, 3), lower=True, label="lower, matrix b"),
           _case((3, 2, 2), (2,), trans=1, label="upper, transposed, stack of a"),
           _case((2, 2), (2, 2), lower=True, trans=1, unit_diagonal=True,
                 label="lower, transposed, unit diagonal"),
           _case((2, 2, 2), (2,), lower=True, label="stack of a, one vector b"),
           _case((2, 1, 2, 2), (3, 2, 1), label="stretched batch axes")),
    sym=lambda x, y, trans=0, lower=False, unit_diagonal=False:
        _tri_solve(x, y, trans, lower, unit_diagonal),
    doc="out = T⁻¹ b (trans=1: T⁻ᵀ b), T the lower or upper triangle of a, as "
        "scipy.linalg.solve_triangular"))
register(Op("sqrtm", lambda x: _sqrtm(x), (
    lambda g, out, x: _sylvester(_mT(out), _mT(out), g),),
    domain=(POSITIVE_STABLE,), kind=SQUARE,
    bind=lambda A, disp=True, blocksize=64: _bind_sqrtm(A, disp),
    # 3x3 and larger have no exact form: tests/numeric/test_scipy_linalg.py checks them
    cases=(_case((2, 2), label="2x2"), _case((1, 1), label="1x1"),
           _case((2, 2, 2), label="stack of matrices")),
    sym=lambda x: _sym_sqrtm(x),
    doc="out = x^½, the principal square root (x's eigenvalues off the closed negative real "
        "axis), as scipy.linalg.sqrtm"))
register(Op("solve_sylvester", lambda x, y, z: _sylvester_arrays(x, y, z), (
    lambda g, out, x, y, z: -np.matmul(_sylvester(_mT(x), _mT(y), g), _mT(out)),
    lambda g, out, x, y, z: -np.matmul(_mT(out), _sylvester(_mT(x), _mT(y), g)),
    lambda g, out, x, y, z: _sylvester(_mT(x), _mT(y), g)),
    domain=(POSITIVE_STABLE, POSITIVE_STABLE, REALS), kind=SYLVESTER,
    bind=lambda a, b, q: ((a, b, q), {}),
    sym=lambda x, y, z: _sylvester(x, y, z),
    doc="out = X with a X + X b = q, as scipy.linalg.solve_sylvester"))



def _tensor(*xs):
    from numeric.tensor import Tensor  # the engine, loaded by the time a rule runs

    return any(isinstance(x, Tensor) for x in xs)


def _symbolic(*xs):
    return any(isinstance(x, np.ndarray) and x.dtype == object for x in xs)


_TRANS = {0: 0, 1: 1, 2: 1, "N": 0, "T": 1, "C": 1}


def _bind_triangular(a, b, trans, lower, unit_diagonal):
    if trans not in _TRANS:
        raise ValueError(f"solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got "
                         f"{trans!r}")
    if np.iscomplexobj(getattr(a, "value", a)) or np.iscomplexobj(getattr(b, "value", b)):
        raise TypeError("solve_triangular: complex inputs are not supported on Tensors")
    # real matrices: the conjugate transpose ('C', 2) is the transpose
    return (a, b), {"trans": _TRANS[trans], "lower": bool(lower),
                    "unit_diagonal": bool(unit_diagonal)}


def _tri_solve(a, b, trans, lower, unit):
    """op(T)⁻¹ b: SciPy on arrays, the op itself on Tensors, SymPy's exact solve on symbols."""
    if _tensor(a, b):
        return get_op("solve_triangular")(a, b, trans=trans, lower=lower, unit_diagonal=unit)
    if _symbolic(a, b):
        t = _triangle(a, a, lower, unit, a, ones=True)
        return _sym_solve(np.swapaxes(t, -1, -2) if trans else t, b)
    return _tri_arrays(a, b, trans, lower, unit)


def _tri_arrays(a, b, trans, lower, unit):
    solve = _scipy("linalg").solve_triangular
    return _over_batch(lambda a, b: solve(a, b, trans=trans, lower=lower, unit_diagonal=unit),
                       (a, b), (2, 1 if np.ndim(b) == 1 else 2))


def _tri_vjp(g, a, b, trans, lower, unit):
    """b̄ = op(T)⁻ᵀ g. A vector b against a stack of a makes g a stack of vectors, which
    SciPy would read as one matrix: it is solved as a stack of one-column matrices."""
    if np.ndim(b) == 1 and np.ndim(g) > 1:
        return _tri_solve(a, np.expand_dims(g, -1), 1 - trans, lower, unit)[..., 0]
    return _tri_solve(a, g, 1 - trans, lower, unit)


def _tri_outer(db, out, b, trans):
    """−db outᵀ (trans: −out dbᵀ) over the last two axes; outer products when b is a vector."""
    u, v = (out, db) if trans else (db, out)
    if np.ndim(b) == 1:
        return -(np.expand_dims(u, -1) * np.expand_dims(v, -2))
    return -np.matmul(u, _mT(v))


def _triangle(m, a, lower, unit, like, ones=False):
    """m on the triangle of a that SciPy reads; with a unit diagonal, 0 there (1 if ``ones``)."""
    n = np.shape(a)[-1]
    keep = np.tril(np.ones((n, n))) if lower else np.triu(np.ones((n, n)))
    if unit:
        keep = keep - np.eye(n)
    m = m * _mask(keep, like)
    return m + _mask(np.eye(n), like) if unit and ones else m


def _sym_solve(a, b):
    """a⁻¹ b on SymPy numbers: a (..., n, n), b (n,) or (..., n, k), batch axes broadcast."""
    sp = _sp()
    vec = np.ndim(b) == 1
    bm = np.expand_dims(b, -1) if vec else b
    batch = np.broadcast_shapes(np.shape(a)[:-2], np.shape(bm)[:-2])
    a = np.broadcast_to(np.asarray(a, dtype=object), batch + np.shape(a)[-2:])
    bm = np.broadcast_to(np.asarray(bm, dtype=object), batch + np.shape(bm)[-2:])
    out = np.empty(np.shape(bm), dtype=object)
    for k in np.ndindex(*batch):
        out[k] = np.array(sp.Matrix(a[k]).LUsolve(sp.Matrix(bm[k])).tolist(), dtype=object)
    return _like(out[..., 0] if vec else out, b)


def _bind_sqrtm(a, disp):
    if disp is not True:
        raise TypeError("sqrtm: supports only disp=True (the square root alone, no error "
                        "estimate)")
    return (a,), {}


def _sqrtm(x):
    out = _over_batch(_scipy("linalg").sqrtm, (x,), (2,))
    if np.iscomplexobj(out) and not np.iscomplexobj(x):
        if np.all(np.abs(np.imag(out)) <= 1e3 * np.finfo(np.result_type(x)).eps
                  * (1 + np.abs(np.real(out)))):
            return np.real(out).astype(np.result_type(x, np.float32), copy=False)
        w = np.linalg.eigvals(x)
        raise ValueError(f"sqrtm: x of shape {np.shape(x)} has eigenvalues {np.round(w, 6)} on "
                         "the negative real axis, where its principal square root is complex: "
                         "gradients are defined for real square roots only (declared domain: "
                         "eigenvalues off the closed negative real axis)")
    return out


def _sym_sqrtm(x):
    """The principal square root in closed form: √a (1x1); (x + s I)/√(tr x + 2 s),
    s = √det x (2x2, from Cayley-Hamilton: (x + s I)² = (tr x + 2 s) x)."""
    from numeric.ops.linalg import _sym_matrix

    sp = _sp()
    n = np.shape(x)[-1]
    if n > 2:
        raise NotImplementedError("sqrtm has a SymPy closed form for 1x1 and 2x2 matrices "
                                  "only: finite differences, the adjoint and Taylor tests and "
                                  "autograd check it past 2x2")

    def one(m):
        if n == 1:
            return sp.Matrix([[sp.sqrt(m[0, 0])]])
        s = sp.sqrt(m.det())
        return (m + s * sp.eye(2)) / sp.sqrt(m.trace() + 2 * s)

    return _sym_matrix(x, one)


def _sylvester(a, b, q):
    """X with a X + X b = q: SciPy on arrays, the op itself on Tensors, and on symbols the
    Kronecker form (I ⊗ a + bᵀ ⊗ I) vec X = vec q solved exactly."""
    if _tensor(a, b, q):
        return get_op("solve_sylvester")(a, b, q)
    if not _symbolic(a, b, q):
        return _sylvester_arrays(a, b, q)
    sp = _sp()
    batch = np.broadcast_shapes(np.shape(a)[:-2], np.shape(b)[:-2], np.shape(q)[:-2])
    m, n = np.shape(q)[-2:]
    full = [np.broadcast_to(np.asarray(v, dtype=object), batch + np.shape(v)[-2:])
            for v in (a, b, q)]
    out = np.empty(batch + (m, n), dtype=object)
    for k in np.ndindex(*batch):
        am, bm, qm = (sp.Matrix(v[k]) for v in full)
        system = sp.kronecker_product(sp.eye(n), am) + sp.kronecker_product(bm.T, sp.eye(m))
        vec = _exact_solve(system, qm.T.reshape(m * n, 1))  # column-major vec: q's columns
        out[k] = np.array(vec.reshape(n, m).T.tolist(), dtype=object)
    return _like(out, q)


def _sylvester_arrays(a, b, q):
    """SciPy's solve_sylvester, around its defect: given real a and b and a complex q it
    runs the complex solver on the real Schur form, whose 2x2 blocks (complex eigenvalue
    pairs) it cannot take, and returns a wrong X (SciPy 1.17). Such a q is solved as its real
    and imaginary parts; a complex a or b makes everything complex."""
    scipy_solve = _scipy("linalg").solve_sylvester

    def solve(a, b, q):
        return _over_batch(scipy_solve, (a, b, q), (2, 2, 2))

    if np.iscomplexobj(a) or np.iscomplexobj(b):
        return solve(np.asarray(a, dtype=complex), np.asarray(b, dtype=complex),
                     np.asarray(q, dtype=complex))
    if np.iscomplexobj(q):
        return solve(a, b, np.real(q)) + 1j * solve(a, b, np.imag(q))
    return solve(a, b, q)


def _over_batch(f, arrays, cores):
    """f on each matrix of broadcast stacks (``cores``: each array's own trailing axes), as
    SciPy ≥ 1.15 does itself; older SciPy takes one matrix at a time."""
    arrays = [np.asarray(v) for v in arrays]
    if all(v.ndim <= c for v, c in zip(arrays, cores)):
        return f(*arrays)
    batch = np.broadcast_shapes(*(v.shape[:v.ndim - c] for v, c in zip(arrays, cores)))
    full = [np.broadcast_to(v, batch + v.shape[v.ndim - c:]) for v, c in zip(arrays, cores)]
    outs = [f(*(v[k] for v in full)) for k in np.ndindex(*batch)]
    return np.reshape(np.stack(outs), batch + np.shape(outs[0]))


def _exact_solve(a, b):
    """a⁻¹ b, exactly and compactly. Numbers (derive's rational points, where sqrtm's output
    holds nested square roots) are solved in their algebraic number field, which keeps each
    entry a short polynomial in one generator; symbols as adj(a) b / det a, with no nested
    quotients. (An LU solve nests quotients of nested roots: checking it to 40 digits takes
    minutes.)"""
    sp = _sp()
    if not (a.free_symbols or b.free_symbols):
        try:
            dm = a.to_DM(extension=True)
            return dm.lu_solve(b.to_DM().convert_to(dm.domain)).to_Matrix()
        except (sp.polys.polyerrors.PolynomialError, NotImplementedError, ValueError):
            pass
    return a.adjugate(method="berkowitz") * b / a.det(method="berkowitz")

