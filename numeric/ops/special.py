"""SciPy's special functions (``scipy.special``) as op records: gamma and its relatives, the
error functions, the logistic pair, entropies, the normal distribution's functions, Bessel
functions and the regularised incomplete gamma functions.

Each forward calls SciPy, imported inside the forward (``common._scipy``), so this table loads with
NumPy alone and a call without SciPy says to install ``gradproof[scipy]``. Each rule is written
with other records of this group (:func:`_f`), so it runs on ndarrays, on Tensors (the rule's
own derivative: gammaln' = digamma, digamma' = polygamma(1, .), ...) and on derive's symbols,
where ``sym`` is the SymPy definition derive proves the rule against.

Conventions. At a pole (gamma, digamma at 0, -1, ...) or outside a function's real domain
(gammaln of a negative integer, erfinv(±1), logit(0)) the forward is SciPy's (inf or nan) and
so is the rule: there is no finite slope to choose. The domains keep sampling away from them.
Integer orders (polygamma's n, jn's n, iv's v, multigammaln's d) are parameters: constants,
not differentiated, exact integers for derive. gammainc's ``a`` (betainc's ``a, b``) is an
input whose derivative is not implemented (its rule is None, as in autograd):
``numeric.scipy.special`` refuses such a Tensor input that requires grad rather than treat it
as a constant.
"""

from __future__ import annotations

import math

import numpy as np

from numeric.op import POSITIVE, REALS, Domain, Op, get_op, register
from numeric.ops.common import _case, _dtype, _like, _scipy, _sp
from numeric.tensor import Tensor, apply

__all__: list[str] = []

GAMMA_DOMAIN = Domain(0.3, 3.0)  # away from the poles at 0, -1, -2, ...
UNIT = Domain(0.1, 0.9)  # logit, ndtri: the open interval (0, 1)
ORDER = (_case((3,), label="vector"), _case((2, 3), label="matrix"))

# ---------------------------------------------------------------------------------------------
# Gamma and its relatives. ψ = digamma = Γ'/Γ, ψ⁽ⁿ⁾ = polygamma(n, .):
#   gamma' = Γ ψ     gammaln' = ψ     digamma' = ψ⁽¹⁾     polygamma(n)' = ψ⁽ⁿ⁺¹⁾
#   rgamma = 1/Γ: rgamma' = -rgamma ψ
#   multigammaln(a, d) = d(d-1)/4 ln π + Σ_j<d gammaln(a - j/2): its slope Σ_j ψ(a - j/2)
#   beta(a, b) = Γ(a)Γ(b)/Γ(a+b): ∂/∂a = beta (ψ(a) - ψ(a+b)); betaln the same without beta
# ---------------------------------------------------------------------------------------------
# name          forward                               d/dx
register(Op("gamma", lambda x: _sc("gamma", x), (
    lambda g, out, x: g * out * _f("digamma", x),),
    domain=(GAMMA_DOMAIN,), sym=lambda x: _sym(_sp().gamma, x), doc="out = Γ(x)"))
register(Op("gammaln", lambda x: _sc("gammaln", x), (
    lambda g, out, x: g * _f("digamma", x),),
    domain=(GAMMA_DOMAIN,), sym=lambda x: _sym(_sp().loggamma, x), doc="out = ln |Γ(x)|"))
register(Op("digamma", lambda x: _sc("psi", x), (
    lambda g, out, x: g * _f("polygamma", x, n=1),),
    domain=(GAMMA_DOMAIN,), sym=lambda x: _sym(_sp().digamma, x),
    doc="out = ψ(x) = Γ'(x)/Γ(x) (scipy.special.psi too)"))
register(Op("polygamma", lambda x, n=1: _sc("polygamma", n, x, like=x), (
    lambda g, out, x, n=1: g * _f("polygamma", x, n=n + 1),),
    domain=(GAMMA_DOMAIN,), bind=lambda n, x: ((x,), {"n": _order(n, "polygamma", "n")}),
    cases=ORDER + (_case((3,), n=0, label="n = 0: digamma"),
                   _case((2, 1), n=2, label="n = 2")),
    sym=lambda x, n=1: _sym(lambda v: _sp().polygamma(n, v), x),
    doc="out = ψ⁽ⁿ⁾(x), the n-th derivative of digamma (n a constant; called polygamma(n, x))"))
register(Op("rgamma", lambda x: _sc("rgamma", x), (
    lambda g, out, x: -g * out * _f("digamma", x),),
    domain=(GAMMA_DOMAIN,), sym=lambda x: _sym(lambda v: 1 / _sp().gamma(v), x),
    doc="out = 1 / Γ(x)"))
register(Op("multigammaln", lambda x, d=2: _sc("multigammaln", x, d, like=x), (
    lambda g, out, x, d=2: g * sum(_f("digamma", x - j / 2) for j in range(d)),),
    domain=(Domain(1.6, 4.0),), bind=lambda a, d: ((a,), {"d": _order(d, "multigammaln", "d")}),
    cases=ORDER + (_case((3,), d=3, label="d = 3"),),
    sym=lambda x, d=2: _sym(lambda v: _sp().Rational(d * (d - 1), 4) * _sp().log(_sp().pi)
                            + sum(_sp().loggamma(v - _sp().Rational(j, 2)) for j in range(d)),
                            x),
    doc="out = ln Γ_d(x), the multivariate log-gamma (d a constant; x > (d-1)/2)"))
# name          forward                               d/da, d/db
register(Op("beta", lambda a, b: _sc("beta", a, b), (
    lambda g, out, a, b: g * out * (_f("digamma", a) - _f("digamma", a + b)),
    lambda g, out, a, b: g * out * (_f("digamma", b) - _f("digamma", a + b))),
    domain=(GAMMA_DOMAIN, GAMMA_DOMAIN),
    sym=lambda a, b: _sym(lambda u, v: _sp().gamma(u) * _sp().gamma(v) / _sp().gamma(u + v),
                          a, b),
    doc="out = B(a, b) = Γ(a)Γ(b)/Γ(a+b)"))
register(Op("betaln", lambda a, b: _sc("betaln", a, b), (
    lambda g, out, a, b: g * (_f("digamma", a) - _f("digamma", a + b)),
    lambda g, out, a, b: g * (_f("digamma", b) - _f("digamma", a + b))),
    domain=(GAMMA_DOMAIN, GAMMA_DOMAIN),
    sym=lambda a, b: _sym(lambda u, v: _sp().loggamma(u) + _sp().loggamma(v)
                          - _sp().loggamma(u + v), a, b),
    doc="out = ln |B(a, b)|"))
# Regularised incomplete gamma functions P(a, x) = γ(a, x)/Γ(a) and Q = 1 - P:
# ∂P/∂x = x^(a-1) e^-x / Γ(a) = -∂Q/∂x. The derivative in a has no closed form: not provided.
register(Op("gammainc", lambda a, x: _sc("gammainc", a, x), (
    None,
    lambda g, out, a, x: g * _incomplete_slope(a, x)),
    domain=(Domain(0.5, 3.0), POSITIVE),
    sym=lambda a, x: _sym(lambda u, v: _sp().lowergamma(u, v) / _sp().gamma(u), a, x),
    doc="out = P(a, x), the regularised lower incomplete gamma function (grad in x only)"))
register(Op("gammaincc", lambda a, x: _sc("gammaincc", a, x), (
    None,
    lambda g, out, a, x: -g * _incomplete_slope(a, x)),
    domain=(Domain(0.5, 3.0), POSITIVE),
    sym=lambda a, x: _sym(lambda u, v: _sp().uppergamma(u, v) / _sp().gamma(u), a, x),
    doc="out = Q(a, x) = 1 - P(a, x), the regularised upper incomplete gamma (grad in x only)"))

# The regularised incomplete beta function I_x(a, b): ∂/∂x = x^(a-1) (1-x)^(b-1) / B(a, b);
# its derivatives in a and b are not provided (as for gammainc's a).
register(Op("betainc", lambda a, b, x: _sc("betainc", a, b, x), (
    None,
    None,
    lambda g, out, a, b, x: g * x ** (a - 1) * (1 - x) ** (b - 1) / _f("beta", a, b)),
    domain=(Domain(0.5, 3.0), Domain(0.5, 3.0), UNIT),
    cases=(_case((3,), (3,), (3,), label="same shape"),
           _case((), (2, 1), (2, 3), label="broadcast a, b"),
           _case((2, 3), (3,), (), label="0-d x broadcast")),
    sym=lambda a, b, x: _sym(lambda u, v, w: _sp().betainc_regularized(u, v, 0, w), a, b, x),
    doc="out = I_x(a, b), the regularised incomplete beta function (grad in x only)"))
# Student's t CDF with df degrees of freedom: ∂/∂t is the t density
#   Γ((df+1)/2) / (Γ(df/2) √(df π)) (1 + t²/df)^(-(df+1)/2),
# written with gammaln so it differentiates again; ∂/∂df is not provided. SymPy's form is
# 1/2 + t Γ((df+1)/2)/(√(df π) Γ(df/2)) ₂F₁(1/2, (df+1)/2; 3/2; -t²/df). The forward is
# written with betainc (_stdtr): scipy.special.stdtr(1, t) is off by 1e-11 near t = 0, which
# central differences see.
register(Op("stdtr", lambda df, t: _stdtr(df, t), (
    None,
    lambda g, out, df, t: g * _t_density(df, t)),
    domain=(Domain(1.0, 6.0), REALS),
    sym=lambda df, t: _sym(_stdtr_sym, df, t),
    doc="out = the CDF of Student's t with df degrees of freedom at t (grad in t only)"))

def _incomplete_slope(a, x):
    return np.exp(-x) * x ** (a - 1) * _f("rgamma", a)


# ---------------------------------------------------------------------------------------------
# Error functions and the normal distribution. erf' = 2/√π e^(-x²); an inverse's slope is the
# reciprocal of its function's at out: erfinv' = √π/2 e^(out²), ndtri' = √(2π) e^(out²/2).
# ndtr = Φ, the standard normal CDF: Φ' = e^(-x²/2)/√(2π); log_ndtr' = Φ'/Φ, written
# e^(-x²/2 - out)/√(2π) so that it neither overflows nor divides 0 by 0 far in the left tail.
# ---------------------------------------------------------------------------------------------
register(Op("erf", lambda x: _sc("erf", x), (
    lambda g, out, x: g * _c(x, 2 / math.sqrt(math.pi), "2/sqrt(pi)") * np.exp(-x * x),),
    sym=lambda x: _sym(_sp().erf, x), doc="out = erf x"))
register(Op("erfc", lambda x: _sc("erfc", x), (
    lambda g, out, x: -g * _c(x, 2 / math.sqrt(math.pi), "2/sqrt(pi)") * np.exp(-x * x),),
    sym=lambda x: _sym(_sp().erfc, x), doc="out = 1 - erf x"))
register(Op("erfinv", lambda x: _sc("erfinv", x), (
    lambda g, out, x: g * _c(x, math.sqrt(math.pi) / 2, "sqrt(pi)/2") * np.exp(out * out),),
    domain=(Domain(-0.9, 0.9),), sym=lambda x: _sym(_sp().erfinv, x),
    doc="out = erf⁻¹ x, on (-1, 1)"))
register(Op("erfcinv", lambda x: _sc("erfcinv", x), (
    lambda g, out, x: -g * _c(x, math.sqrt(math.pi) / 2, "sqrt(pi)/2") * np.exp(out * out),),
    domain=(Domain(0.1, 1.9),), sym=lambda x: _sym(lambda v: _sp().erfinv(1 - v), x),  # evalf-able
    doc="out = erfc⁻¹ x, on (0, 2)"))
register(Op("ndtr", lambda x: _sc("ndtr", x), (
    lambda g, out, x: g * _c(x, 1 / math.sqrt(2 * math.pi), "1/sqrt(2*pi)") * np.exp(-x * x / 2),),
    sym=lambda x: _sym(lambda v: (1 + _sp().erf(v / _sp().sqrt(2))) / 2, x),
    doc="out = Φ(x), the standard normal CDF"))
register(Op("log_ndtr", lambda x: _sc("log_ndtr", x), (
    lambda g, out, x:
        g * _c(x, 1 / math.sqrt(2 * math.pi), "1/sqrt(2*pi)") * np.exp(-x * x / 2 - out),),
    sym=lambda x: _sym(lambda v: _sp().log((1 + _sp().erf(v / _sp().sqrt(2))) / 2), x),
    doc="out = ln Φ(x), accurate far in the left tail"))
register(Op("ndtri", lambda x: _sc("ndtri", x), (
    lambda g, out, x: g * _c(x, math.sqrt(2 * math.pi), "sqrt(2*pi)") * np.exp(out * out / 2),),
    domain=(UNIT,), sym=lambda x: _sym(lambda v: _sp().sqrt(2) * _sp().erfinv(2 * v - 1), x),
    doc="out = Φ⁻¹(x), the standard normal quantile, on (0, 1)"))

# ---------------------------------------------------------------------------------------------
# Logistic functions and entropies: expit' = out (1 - out), logit' = 1/(x (1 - x));
#   xlogy = x ln y (0 at x = 0): ∂/∂x = ln y, ∂/∂y = x/y;  xlog1py = x ln(1 + y) likewise.
#   On the line x = 0 both are 0 for every y, so ∂/∂y = 0 there exactly, also at y = 0 (y = -1)
#   where x/y would be 0/0 (only that point is guarded: elsewhere x/y keeps its slope in x):
#   p log p at p = 0 has no nan in y (its slope in x is ln 0 = -inf).
#   entr = -x ln x: entr' = -(ln x + 1).
# ---------------------------------------------------------------------------------------------
register(Op("expit", lambda x: _sc("expit", x), (
    lambda g, out, x: g * out * (1 - out),),
    sym=lambda x: _sym(lambda v: 1 / (1 + _sp().exp(-v)), x),
    doc="out = 1 / (1 + e^-x), the logistic sigmoid"))
register(Op("logit", lambda x: _sc("logit", x), (
    lambda g, out, x: g / (x * (1 - x)),),
    domain=(UNIT,), sym=lambda x: _sym(lambda v: _sp().log(v / (1 - v)), x),
    doc="out = ln(x / (1 - x)), the inverse of expit, on (0, 1)"))
register(Op("xlogy", lambda x, y: _sc("xlogy", x, y), (
    lambda g, out, x, y: g * np.log(y),
    lambda g, out, x, y: g * x / _unless_x0(x, y)),
    domain=(REALS, POSITIVE), sym=lambda x, y: _sym(lambda u, v: u * _sp().log(v), x, y),
    doc="out = x ln y, 0 where x = 0"))
register(Op("xlog1py", lambda x, y: _sc("xlog1py", x, y), (
    lambda g, out, x, y: g * np.log1p(y),
    lambda g, out, x, y: g * x / _unless_x0(x, 1 + y)),
    domain=(REALS, Domain(-0.5, 2.0)),
    sym=lambda x, y: _sym(lambda u, v: u * _sp().log(1 + v), x, y),
    doc="out = x ln(1 + y), 0 where x = 0"))
register(Op("entr", lambda x: _sc("entr", x), (
    lambda g, out, x: -g * (np.log(x) + 1),),
    domain=(POSITIVE,), sym=lambda x: _sym(lambda v: -v * _sp().log(v), x),
    doc="out = -x ln x (0 at 0, -inf for x < 0)"))

# ---------------------------------------------------------------------------------------------
# Bessel functions, from the recurrences C_n' = (C_(n-1) - C_(n+1))/2 for J and Y (C_0' = -C_1)
# and I_v' = (I_(v-1) + I_(v+1))/2 (I_0' = I_1). ive = iv e^-|x|, so ive' = (ive_(v-1) +
# ive_(v+1))/2 - sign(x) ive: sampled on x > 0 (ive of a negative x has a kink at 0 for v = 0).
# Y is singular at 0: its domain stays on x > 0.4.
# ---------------------------------------------------------------------------------------------
BESSEL_Y = Domain(0.4, 4.0)
register(Op("j0", lambda x: _sc("j0", x), (lambda g, out, x: -g * _f("j1", x),),
            domain=(Domain(-4.0, 4.0),), sym=lambda x: _sym(lambda v: _sp().besselj(0, v), x),
            doc="out = J₀(x)"))
register(Op("j1", lambda x: _sc("j1", x), (
    lambda g, out, x: g * (_f("j0", x) - _f("jn", x, n=2)) / 2,),
    domain=(Domain(-4.0, 4.0),), sym=lambda x: _sym(lambda v: _sp().besselj(1, v), x),
    doc="out = J₁(x)"))
register(Op("jn", lambda x, n=2: _sc("jv", n, x, like=x), (
    lambda g, out, x, n=2: g * (_f("jn", x, n=n - 1) - _f("jn", x, n=n + 1)) / 2,),
    domain=(Domain(-4.0, 4.0),), bind=lambda n, x: ((x,), {"n": _order(n, "jn", "n")}),
    cases=ORDER + (_case((3,), n=0, label="n = 0"),),
    sym=lambda x, n=2: _sym(lambda v: _sp().besselj(n, v), x),
    doc="out = J_n(x), integer order n (a constant; called jn(n, x))"))
register(Op("y0", lambda x: _sc("y0", x), (lambda g, out, x: -g * _f("y1", x),),
            domain=(BESSEL_Y,), sym=lambda x: _sym(lambda v: _sp().bessely(0, v), x),
            doc="out = Y₀(x), x > 0"))
register(Op("y1", lambda x: _sc("y1", x), (
    lambda g, out, x: g * (_f("y0", x) - _f("yn", x, n=2)) / 2,),
    domain=(BESSEL_Y,), sym=lambda x: _sym(lambda v: _sp().bessely(1, v), x),
    doc="out = Y₁(x), x > 0"))
register(Op("yn", lambda x, n=2: _sc("yn", n, x, like=x), (
    lambda g, out, x, n=2: g * (_f("yn", x, n=n - 1) - _f("yn", x, n=n + 1)) / 2,),
    domain=(BESSEL_Y,), bind=lambda n, x: ((x,), {"n": _order(n, "yn", "n")}),
    cases=ORDER + (_case((3,), n=0, label="n = 0"),),
    sym=lambda x, n=2: _sym(lambda v: _sp().bessely(n, v), x),
    doc="out = Y_n(x), integer order n (a constant; called yn(n, x)), x > 0"))
register(Op("i0", lambda x: _sc("i0", x), (lambda g, out, x: g * _f("i1", x),),
            domain=(Domain(-3.0, 3.0),), sym=lambda x: _sym(lambda v: _sp().besseli(0, v), x),
            doc="out = I₀(x), the modified Bessel function"))
register(Op("i1", lambda x: _sc("i1", x), (
    lambda g, out, x: g * (_f("i0", x) + _f("iv", x, v=2)) / 2,),
    domain=(Domain(-3.0, 3.0),), sym=lambda x: _sym(lambda v: _sp().besseli(1, v), x),
    doc="out = I₁(x)"))
register(Op("iv", lambda x, v=2: _sc("iv", v, x, like=x), (
    lambda g, out, x, v=2: g * (_f("iv", x, v=v - 1) + _f("iv", x, v=v + 1)) / 2,),
    domain=(Domain(-3.0, 3.0),), bind=lambda v, z: ((z,), {"v": _order(v, "iv", "v", real=True)}),
    cases=ORDER + (_case((3,), v=0, label="v = 0"),),
    sym=lambda x, v=2: _sym(lambda u: _sp().besseli(v, u), x),
    doc="out = I_v(x), real order v (a constant; called iv(v, x))"))
register(Op("ive", lambda x, v=1: _sc("ive", v, x, like=x), (
    lambda g, out, x, v=1: g * ((_f("ive", x, v=v - 1) + _f("ive", x, v=v + 1)) / 2
                                - np.sign(x) * out),),
    domain=(Domain(0.2, 3.0),), bind=lambda v, z: ((z,), {"v": _order(v, "ive", "v", real=True)}),
    cases=ORDER + (_case((3,), v=0, label="v = 0"),),
    sym=lambda x, v=1: _sym(lambda u: _sp().besseli(v, u) * _sp().exp(-_sp().Abs(u)), x),
    doc="out = I_v(x) e^-|x|, exponentially scaled (v a constant; called ive(v, x))"))


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _stdtr_sym(df, t):
    sp = _sp()
    half = sp.Rational(1, 2)
    return half + t * sp.gamma((df + 1) / 2) / (sp.sqrt(df * sp.pi) * sp.gamma(df / 2)) \
        * sp.hyper((half, (df + 1) / 2), (sp.Rational(3, 2),), -t * t / df)


def _t_density(df, t):
    """Student's t density, its constant written -ln B(1/2, df/2) - ln(df)/2: the form
    ln Γ((df+1)/2) - ln Γ(df/2) cancels catastrophically for large df (all digits by 1e15).
    df is capped where the density is the normal one to every digit (df = inf included)."""
    if _dtype(df).kind != "O":
        df = np.minimum(df, 1e300 if _dtype(df) == np.float64 else 1e30)
    return np.exp(-_f("betaln", _c(t, 0.5, "1/2"), df / 2) - np.log(df) / 2
                  - (df + 1) / 2 * np.log1p(t * t / df))


def _stdtr(df, t):
    """The t CDF from incomplete beta functions, accurate near 0 and in both tails:
    1/2 ± I(t²/(df+t²); 1/2, df/2)/2 where t² < df, else the tail I(df/(df+t²); df/2, 1/2)/2."""
    betainc = _scipy("special").betainc
    df, t = np.asarray(df), np.asarray(t)
    tt = t * t
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = 0.5 + 0.5 * np.sign(t) * betainc(0.5, df / 2, tt / (df + tt))
        tail = 0.5 * betainc(df / 2, 0.5, df / (df + tt))
    out = np.where(tt < df, centre, np.where(t < 0, tail, 1 - tail))
    # df = inf: the normal CDF (betainc gives 1/2)
    out = np.where(np.isinf(df), _scipy("special").ndtr(t), out)
    return out.astype(_dtype(df, t))[()]


def _unless_x0(x, d):
    """The divisor ``d`` with 1 where x == 0 and d == 0 (the rule is then 0/1 = 0, not 0/0), in
    ``d``'s dtype. Only there: at x == 0 with d ≠ 0 the rule x/d is 0 already, and its slope in
    x, 1/d, is the mixed second derivative that higher orders need."""
    return np.where((x == 0) & (d == 0), np.ones_like(d), d)



def _sc(name, *args, like=None):
    """scipy.special.<name>(*args), in the dtype the inputs compute in (float32 stays float32:
    some SciPy functions, polygamma and multigammaln among them, always return float64)."""
    xs = args if like is None else (like,)
    out = getattr(_scipy("special"), name)(*args)
    dtype = _dtype(*xs)
    return out if np.result_type(out) == dtype else np.asarray(out).astype(dtype)[()]


def _f(name, x, y=None, **params):
    """The record ``name`` applied to ``x`` (and ``y``): through the engine on Tensors (so a
    rule is itself differentiable), its SymPy form on derive's symbols, else its forward."""
    op = get_op(name)
    xs = (x,) if y is None else (x, y)
    if any(isinstance(v, Tensor) for v in xs):
        return apply(op, *xs, **params)
    if _dtype(*xs).kind == "O":
        return op.sym(*xs, **params)
    return op.fwd(*xs, **params)


def _sym(f, *xs):
    """``f`` of SymPy scalars applied to every entry of broadcast object arrays (derive's
    symbols), as an array of the same kind as ``xs[0]``."""
    plain = [np.asarray(x, dtype=object).view(np.ndarray) for x in xs]
    result = np.frompyfunc(f, len(xs), 1)(*plain)
    return _like(np.asarray(result, dtype=object), xs[0])


def _c(x, value, exact):
    """A constant in the rule's arithmetic: a Python float (float32 stays float32), or the
    exact SymPy number ``exact`` on derive's symbols."""
    if _dtype(x).kind == "O":
        return _like(np.asarray(_sp().sympify(exact), dtype=object), x)
    return value


def _order(n, op, name, real=False):
    """An order argument as a constant parameter: an int, or an array of ints (``real``: a
    real order, as SciPy's iv and ive take, is kept as a float)."""
    if isinstance(n, Tensor):
        raise TypeError(f"{op}: the order {name} is a Tensor; it is a constant, not "
                        f"differentiated: pass {name}.value")
    a = np.asarray(n)
    if real and a.dtype.kind == "f" and not np.all(a == np.round(a)):
        return float(a) if a.ndim == 0 else a
    if a.dtype.kind not in "iu" and not (a.dtype.kind == "f" and np.all(a == np.round(a))):
        raise TypeError(f"{op}: the order {name} must be an integer (or an array of integers), "
                        f"got {n!r}")
    return int(a) if a.ndim == 0 else a.astype(int)
