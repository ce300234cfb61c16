"""The notebook's claims about its code and its worked example, each decided.

:mod:`derive.claims` holds the claims of the derivations; these are the ones the code makes
(its ``__pow__``, ``__sub__``, ``__neg__`` and ``__div__`` built from log, multiply and exp, its
sum with ``axis=None`` and ``keepdims``, its matmul branch for a 1-D operand against a stack) and
the worked example's printed gradient and forward-difference check. A formula that raises on
symbols (the code's shape bug) is refuted with the error; numbers the notebook printed are
compared with the exact value to the digits it printed; the forward-difference check is re-run
and its measured error reported beside the error at a better step.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

__all__ = ["code_claims", "PRINTED_GRADIENT", "FD_POINT"]

# What the notebook printed: the worked example's gradient at x = [1, 2] (In [74]), and the
# random point, forward differences and gradient of its check (In [57]).
PRINTED_GRADIENT = (-0.00673795, -0.02695179)
FD_POINT = (0.4717993, 0.90549333)
FD_PRINTED = ((0.19560853, -0.30124125), (0.19560835, -0.30124165))


def _example(x: Any, exp: Any) -> Any:
    """The worked example f(x) = (x @ b) * exp(sum(-x * x)), b = [1, 0], on a 1-D x."""
    return (x[0] * 1 + x[1] * 0) * exp(-(x[0] * x[0] + x[1] * x[1]))


def _exact_gradient(at: Any) -> list[Any]:
    x = sp.symbols("x0 x1", real=True)
    f = _example(x, sp.exp)
    return [sp.diff(f, s).subs(dict(zip(x, at))) for s in x]


def _printed_gradient() -> tuple[str, str]:
    exact = _exact_gradient((1, 2))
    closed = [sp.simplify(e * sp.exp(5)) for e in exact]  # the multiples of e^-5
    off = max(abs(float(e) - p) for e, p in zip(exact, PRINTED_GRADIENT))
    digits = f"exact e^-5·{closed} = [{float(exact[0]):.9f}, {float(exact[1]):.9f}]"
    if off <= 0.5e-8:  # the notebook printed 8 decimals
        return "confirmed", f"{digits}; the printed values agree to their 8 decimals " \
                            f"(largest difference {off:.1e})"
    return "refuted", f"{digits}; the printed values differ by {off:.1e}"


def _forward_difference(h: float) -> float:
    """The notebook's check at its point: forward differences with step h against the exact
    gradient, the largest absolute error."""
    x = np.array(FD_POINT)
    f0 = _example(x, np.exp)
    fd = [(_example(x + h * e, np.exp) - f0) / h for e in np.eye(2)]
    exact = [float(v) for v in _exact_gradient([sp.Rational(v) for v in FD_POINT])]
    return float(max(abs(a - b) for a, b in zip(fd, exact)))


def _fd_check() -> tuple[str, str]:
    err = _forward_difference(1e-10)
    best = min((_forward_difference(h), h) for h in (1e-6, 1e-7, 1e-8, 1e-9))
    printed = max(abs(a - b) for a, b in zip(*FD_PRINTED))
    tol = 1e-6 + 1e-4 * 0.30124165  # np.allclose(atol=1e-6, rtol=1e-4) on the larger entry
    verdict = "confirmed" if err <= tol else "refuted"
    return verdict, (f"re-run at x = {list(FD_POINT)}: forward differences with h = 1e-10 "
                     f"differ from the exact gradient by {err:.1e} (the notebook printed a "
                     f"difference of {printed:.1e}), inside allclose's {tol:.1e}; the error is "
                     f"rounding (about eps/h = {np.finfo(float).eps / 1e-10:.0e}), not "
                     f"truncation: at h = {best[1]:.0e} it is {best[0]:.1e}")


def _pow_nonpositive() -> tuple[str, str]:
    """The code's x ** y is exp(y * log x): nan for x < 0, and its gradient nan at x = 0."""
    with np.errstate(all="ignore"):
        neg = float(np.exp(2.0 * np.log(-1.5)))
        x0 = np.float64(0.0)
        at0 = float(np.exp(2.0 * np.log(x0)) * 2.0 / x0)
    return "refuted", (f"for x <= 0 the code's forward goes through log x: at x = -1.5, y = 2 "
                       f"it gives {neg} where x ** y = 2.25, and at x = 0 its gradient "
                       f"exp(y log x) · y / x is {at0} where 2x = 0")


def _batched_vector(g: Any, A: Any, b: Any) -> Any:
    """The code's branch for a 1-D second operand (B_ = B[:, None], G_ = G[:, None])."""
    return g[:, np.newaxis] @ b[:, np.newaxis].swapaxes(-2, -1)


def _keepdims_sum(g: Any, x: Any) -> Any:
    from derive.claims import _seed_unbroadcast

    return _seed_unbroadcast(np.expand_dims(g, 1) * np.ones_like(x), x.shape)


def code_claims() -> list[Any]:
    """The code's and the worked example's claims, undecided."""
    from derive.claims import ROW, Claim, _case

    c = Claim
    return [
        c("matmul code: a 1-D operand against a stack", r"\mathbf{A} \in \mathbb{R}^{2\times"
          r"3\times 4},\ \mathbf{b} \in \mathbb{R}^{4}:\ \frac{\partial l}{\partial \mathbf{A}}"
          r" = G_{[:, \text{newaxis}]}\, \mathbf{b}_{[:, \text{newaxis}]}^\top",
          "dA == G[:, None] @ b[:, None].swapaxes(-2, -1) (the B.ndim == 1 branch)",
          "A's shape", "matmul", _case((2, 3, 4), (4,)), (_batched_vector, None)),
        c("sum (code), axis=None", r"\frac{\partial l}{\partial x} = \frac{\partial l}"
          r"{\partial f} \cdot \mathbf{1}", "dx == g * ones_like(x)", "x's shape", "sum",
          _case((2, 3)), (lambda g, x: g * np.ones_like(x),)),
        c("sum (code), axis=None, keepdims", r"\frac{\partial l}{\partial x} = \frac{\partial l}"
          r"{\partial f} \cdot \mathbf{1}", "dx == g * ones_like(x), g of shape (1, 1)",
          "x's shape", "sum", _case((2, 3), axis=None, keepdims=True),
          (lambda g, x: g * np.ones_like(x),)),
        c("sum (code), axis=1, keepdims", r"\frac{\partial l}{\partial x} = \operatorname{"
          r"unbroadcast}(\operatorname{expand\_dims}(\frac{\partial l}{\partial f}, 1) "
          r"\cdot \mathbf{1})", "dx == unbroadcast(expand_dims(g, 1) * ones_like(x)), g of "
          "shape (2, 1)", "x's shape", "sum", _case((2, 3), axis=1, keepdims=True),
          (_keepdims_sum,)),
        c("pow (code): x ** y = exp(y log x), x > 0", r"\frac{\partial l}{\partial x} = "
          r"\frac{\partial l}{\partial f} e^{y \log x} \frac{y}{x},\ \frac{\partial l}"
          r"{\partial y} = \frac{\partial l}{\partial f} e^{y \log x} \log x",
          "the chain exp ∘ multiply ∘ log: dx == g*exp(y*log(x))*y/x, dy == g*exp(y*log(x))*"
          "log(x)", "elementwise", "power", _case((3,), (3,)),
          (lambda g, x, y: g * np.exp(y * np.log(x)) * y / x,
           lambda g, x, y: g * np.exp(y * np.log(x)) * np.log(x))),
        c("pow (code), x <= 0", r"x^{y} = e^{y \log x},\ x \le 0",
          "np.exp(y * np.log(x)) at x = -1.5 and at x = 0, y = 2", "scalars", "power",
          custom=_pow_nonpositive),
        c("sub (code): x + y·(-1)", r"\frac{\partial l}{\partial x} = \frac{\partial l}"
          r"{\partial f},\ \frac{\partial l}{\partial y} = -\frac{\partial l}{\partial f}",
          "dx == g, dy == g * (-1) (the multiply rule with the constant -1)", ROW, "subtract",
          _case((3,), (3,)), (lambda g, x, y: g, lambda g, x, y: g * (-1))),
        c("neg (code): x·(-1)", r"\frac{\partial l}{\partial x} = -\frac{\partial l}"
          r"{\partial f}", "dx == g * (-1)", ROW, "negative", _case((3,)),
          (lambda g, x: g * (-1),)),
        c("div (code): x·y⁻¹, y > 0", r"\frac{\partial l}{\partial x} = \frac{\partial l}"
          r"{\partial f} e^{-\log y},\ \frac{\partial l}{\partial y} = \frac{\partial l}"
          r"{\partial f}\, x\, e^{-\log y} \frac{-1}{y}", "dx == g*exp(-log(y)), dy == "
          "g*x*exp(-log(y))*(-1)/y (through the code's pow; Python 3 never calls __div__, so "
          "x / y between Tensors raises TypeError)", ROW, "divide", _case((3,), (3,)),
          (lambda g, x, y: g * np.exp(-1 * np.log(y)),
           lambda g, x, y: g * x * np.exp(-1 * np.log(y)) * (-1) / y)),
        c("worked example: the printed gradient", r"\nabla\! f(1, 2) = [-0.00673795,\ "
          r"-0.02695179] = e^{-5}[-1,\ -4]", "d/dx of (x @ [1, 0]) * exp(sum(-x*x)) at x = "
          "[1, 2], exactly", "x's shape", None, custom=_printed_gradient),
        c("worked example: forward differences, h = 1e-10", r"\frac{f(x + h e_i) - f(x)}{h}"
          r" \approx (\nabla\! f)_i,\ h = 10^{-10}", "allclose(fd, grad, atol=1e-6, rtol=1e-4) "
          "at the printed x", "x's shape", None, custom=_fd_check),
    ]
