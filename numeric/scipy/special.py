"""``scipy.special`` on Tensors, with SciPy's (and ``autograd.scipy.special``'s) call forms.

Each function applies the op record of the same name (``numeric/ops/special.py``); on plain
arrays it returns SciPy's plain result. Orders (``polygamma(n, x)``, ``jn(n, x)``, ``iv(v, x)``,
``multigammaln(a, d)``) are constants. The derivatives of gammainc and gammaincc in ``a`` and of
betainc in ``a, b`` are not implemented (as in autograd): a Tensor there that requires grad is
refused. Example::

    import numeric.numpy as np
    from numeric import grad
    from numeric.scipy.special import gammaln
    grad(lambda x: np.sum(gammaln(x)))(np.array([1.5, 2.0]))  # digamma(x)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from numeric.op import get_op
from numeric.scipy._common import refuse
from numeric.tensor import Tensor, apply

__all__ = [
    "gamma", "gammaln", "digamma", "psi", "polygamma", "rgamma", "multigammaln", "gammasgn",
    "beta", "betaln", "betainc", "gammainc", "gammaincc",
    "erf", "erfc", "erfinv", "erfcinv", "ndtr", "log_ndtr", "ndtri",
    "expit", "logit", "xlogy", "xlog1py", "entr", "logsumexp",
    "j0", "j1", "jn", "y0", "y1", "yn", "i0", "i1", "iv", "ive", "stdtr",
]


def _call(name: str, *inputs: Any, **params: Any) -> Any:
    op = get_op(name)
    if any(isinstance(x, Tensor) for x in inputs):
        return apply(op, *inputs, **params)
    return op.fwd(*(np.asarray(x) for x in inputs), **params)


def _unary(name: str) -> Any:
    def f(x: Any) -> Any:
        return _call(name, x)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"scipy.special.{name} on Tensors: {get_op(name).doc}."
    return f


def _ordered(name: str, param: str) -> Any:
    def f(order: Any, x: Any) -> Any:
        inputs, params = get_op(name).bind(order, x)
        return _call(name, *inputs, **params)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"scipy.special.{name}({param}, x) on Tensors ({param} a constant): " \
                f"{get_op(name).doc}."
    return f


gamma, gammaln, digamma, rgamma = (_unary(n) for n in ("gamma", "gammaln", "digamma", "rgamma"))
psi = digamma
erf, erfc, erfinv, erfcinv = (_unary(n) for n in ("erf", "erfc", "erfinv", "erfcinv"))
ndtr, log_ndtr, ndtri = (_unary(n) for n in ("ndtr", "log_ndtr", "ndtri"))
expit, logit, entr = (_unary(n) for n in ("expit", "logit", "entr"))
j0, j1, y0, y1, i0, i1 = (_unary(n) for n in ("j0", "j1", "y0", "y1", "i0", "i1"))
polygamma = _ordered("polygamma", "n")
jn, yn = _ordered("jn", "n"), _ordered("yn", "n")
iv, ive = _ordered("iv", "v"), _ordered("ive", "v")


def multigammaln(a: Any, d: int) -> Any:
    """scipy.special.multigammaln(a, d) on Tensors (d a constant): ln Γ_d(a)."""
    inputs, params = get_op("multigammaln").bind(a, d)
    return _call("multigammaln", *inputs, **params)


def gammasgn(x: Any) -> Any:
    """The sign of Γ(x): a constant (its derivative is 0 wherever it exists)."""
    import scipy.special

    return scipy.special.gammasgn(x.value if isinstance(x, Tensor) else x)


def beta(a: Any, b: Any) -> Any:
    """scipy.special.beta on Tensors: B(a, b), differentiable in both."""
    return _call("beta", a, b)


def betaln(a: Any, b: Any) -> Any:
    """scipy.special.betaln on Tensors: ln |B(a, b)|, differentiable in both."""
    return _call("betaln", a, b)


def xlogy(x: Any, y: Any) -> Any:
    """scipy.special.xlogy on Tensors: x ln y (0 where x = 0)."""
    return _call("xlogy", x, y)


def xlog1py(x: Any, y: Any) -> Any:
    """scipy.special.xlog1py on Tensors: x ln(1 + y) (0 where x = 0)."""
    return _call("xlog1py", x, y)


def gammainc(a: Any, x: Any) -> Any:
    """scipy.special.gammainc on Tensors: P(a, x), differentiable in x only."""
    refuse("gammainc", a=a)
    return _call("gammainc", a, x)


def gammaincc(a: Any, x: Any) -> Any:
    """scipy.special.gammaincc on Tensors: Q(a, x) = 1 - P(a, x), differentiable in x only."""
    refuse("gammaincc", a=a)
    return _call("gammaincc", a, x)


def betainc(a: Any, b: Any, x: Any) -> Any:
    """scipy.special.betainc on Tensors: I_x(a, b), differentiable in x only."""
    refuse("betainc", a=a, b=b)
    return _call("betainc", a, b, x)


def stdtr(df: Any, t: Any) -> Any:
    """scipy.special.stdtr on Tensors: Student's t CDF, differentiable in t only."""
    refuse("stdtr", df=df)
    return _call("stdtr", df, t)


def logsumexp(a: Any, axis: Any = None, b: Any = None, keepdims: bool = False,
              return_sign: bool = False) -> Any:
    """scipy.special.logsumexp on Tensors: log Σ b e^a along axis (b = 1: the logsumexp op).

    With ``b`` (which may be a Tensor, and may be negative) the sum is shifted by the constant
    max of ``a``; ``return_sign=True`` returns ``(log |Σ b e^a|, sign)`` with the sign a
    constant array, as SciPy does.
    """
    if b is None and not return_sign:
        if isinstance(a, Tensor):
            return get_op("logsumexp")(a, axis=axis, keepdims=keepdims)
        import scipy.special

        return scipy.special.logsumexp(a, axis=axis, keepdims=keepdims)
    axis = tuple(axis) if isinstance(axis, list) else axis
    value = a.value if isinstance(a, Tensor) else np.asarray(a)
    top = np.max(np.real(value), axis=axis, keepdims=True) if value.size else np.zeros(())
    top = np.where(np.isfinite(top), top, 0.0)  # real: a complex shift's phase is not undone
    terms = np.exp(a - top) if b is None else b * np.exp(a - top)
    total = np.sum(terms, axis=axis, keepdims=True)
    sign = np.sign(total.value if isinstance(total, Tensor) else total)
    # SciPy: the complex log of a complex total unless a sign is asked for (then log |total|);
    # a negative real total without return_sign is nan
    whole = np.iscomplexobj(total.value if isinstance(total, Tensor) else total)
    out = (np.log(total) if whole and not return_sign else np.log(np.abs(total))) + top
    if not return_sign and not whole:
        out = np.where(sign < 0, np.nan, out)
    if not keepdims:
        squeeze = tuple(range(np.ndim(out))) if axis is None else axis
        out = np.squeeze(out, axis=squeeze)
        sign = np.squeeze(sign, axis=squeeze)
    out = out if isinstance(out, Tensor) else out[()]
    return (out, sign[()]) if return_sign else out
