"""Printing an expression tree: the way a person writes it in NumPy (``to_text``), as runnable
NumPy code (``to_code``) and as LaTeX (``to_latex``).

Parentheses follow Python's precedence, and are left out where the reading is the same value
(``2 * A.T @ r``, ``-inv(X).T @ A``): scalar factors and signs commute with ``@``.
"""

from __future__ import annotations

from fractions import Fraction

from derive.expression.nodes import Node, is_scalar

__all__ = ["to_text", "to_code", "to_latex", "fmt_number"]

_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "matmul": 2, "neg": 3, "pow": 4}
_SYM = {"add": " + ", "sub": " - ", "mul": " * ", "div": " / ", "matmul": " @ "}
# function -> NumPy code (helpers named _x are defined in the generated module)
CODE = {"trace": "np.trace", "det": "np.linalg.det", "inv": "np.linalg.inv", "sum": "np.sum",
        "norm": "np.linalg.norm", "outer": "np.outer", "logdet": "_logdet",
        "logsumexp": "_logsumexp", "softmax": "_softmax", "log_softmax": "_log_softmax",
        "diag": "_diag", "heaviside": "_heaviside"}


def prec(n: Node) -> int:
    return _PREC.get(n.op, 5)


def fmt_number(v: Fraction) -> str:
    if v.denominator == 1:
        return str(v.numerator)
    f = float(v)
    if Fraction(repr(f)) == v:
        return repr(f)
    return f"{v.numerator}/{v.denominator}"


def to_text(n: Node) -> str:
    """``G @ B.T``, ``exp(A) * G``, ``-inv(X).T @ A.T @ inv(X).T``."""
    return _Printer(code=False).show(n)


def to_code(n: Node, dims: dict[str, str] | None = None) -> str:
    """NumPy code; ``dims`` maps a dimension letter to code giving it (``"X.shape[0]"``)."""
    return _Printer(code=True, dims=dims or {}).show(n)


class _Printer:
    def __init__(self, code: bool, dims: dict[str, str] | None = None) -> None:
        self.code, self.dims = code, dims or {}

    def dim(self, d: object) -> str:
        return self.dims.get(d, str(d)) if self.code else str(d)

    def fn(self, name: str) -> str:
        if not self.code:
            return name
        if name in CODE:
            return CODE[name]
        from derive.expression.parse import elementwise_ops

        op = elementwise_ops().get(name)
        ufunc = next((f for f in (op.numpy if op else ()) if hasattr(f, "nin")), None)
        return f"np.{ufunc.__name__}" if ufunc is not None else f"_op[{name!r}]"

    def wrap(self, n: Node, cond: bool) -> str:
        s = self.show(n)
        return f"({s})" if cond else s

    def show(self, n: Node) -> str:
        op, a = n.op, n.args
        if op == "name":
            return n.value
        if op == "const":
            s = fmt_number(n.value)
            return f"({s})" if n.value < 0 else s
        if op in ("add", "sub"):
            return self.show(a[0]) + _SYM[op] + self.wrap(a[1], prec(a[1]) <= 1)
        if op in ("mul", "div", "matmul"):
            right = prec(a[1]) <= 2 and not (op == "mul" and is_scalar(a[0])
                                              and a[1].op in ("mul", "matmul", "div"))
            return self.wrap(a[0], prec(a[0]) < 2) + _SYM[op] + self.wrap(a[1], right)
        if op == "neg":
            return "-" + self.wrap(a[0], prec(a[0]) <= 1 or a[0].op == "neg"
                                   or (a[0].op == "const"))
        if op == "pow":
            return self.wrap(a[0], prec(a[0]) < 5) + "**" + self.exponent(n.value)
        if op == "T":
            return self.wrap(a[0], prec(a[0]) < 5) + ".T"
        if op == "pi":
            return f"{'np.' * self.code}pi"
        if op == "eye":
            return f"{'np.' * self.code}eye({self.dim(n.value)})"
        if op in ("ones", "zeros"):
            dims = ", ".join(self.dim(d) for d in n.shape)
            return f"{'np.' * self.code}{op}({dims if len(n.shape) == 1 else f'({dims})'})"
        if op == "call":
            return f"{self.fn(n.value)}({', '.join(self.show(x) for x in a)})"
        raise ValueError(f"cannot print node {op!r}")

    def exponent(self, p: Fraction) -> str:
        s = fmt_number(p)
        return s if p >= 0 and p.denominator == 1 else f"({s})"


# ---------------------------------------------------------------------------------------------
# LaTeX
# ---------------------------------------------------------------------------------------------
_TEX_FN = {"trace": r"\operatorname{tr}", "det": r"\det", "logdet": r"\log\det",
           "exp": r"\exp", "log": r"\log", "tanh": r"\tanh", "sin": r"\sin", "cos": r"\cos"}


def to_latex(n: Node) -> str:
    """``G B^{T}``, ``\\exp(A) \\circ G``, ``-X^{-T} A^{T} X^{-T}``."""
    op, a = n.op, n.args
    if op == "name":
        return n.value if len(n.value) == 1 else rf"\mathrm{{{n.value}}}"
    if op == "const":
        v = n.value
        if v.denominator == 1 or Fraction(repr(float(v))) == v and len(repr(float(v))) < 6:
            return fmt_number(v)
        sign = "-" if v < 0 else ""
        return rf"{sign}\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"
    if op in ("add", "sub"):
        return f"{to_latex(a[0])} {'+' if op == 'add' else '-'} {_tw(a[1], prec(a[1]) <= 1)}"
    if op == "mul":
        if is_scalar(a[0]) or is_scalar(a[1]):
            return rf"{_tw(a[0], prec(a[0]) < 2)}\, {_tw(a[1], prec(a[1]) < 2)}"
        return rf"{_tw(a[0], prec(a[0]) < 2)} \circ {_tw(a[1], prec(a[1]) <= 2)}"
    if op == "div":
        return rf"\frac{{{to_latex(a[0])}}}{{{to_latex(a[1])}}}"
    if op == "matmul":
        left = _tw(a[0], prec(a[0]) < 2)
        if a[0].ndim == 1 and not (a[0].op == "matmul" and a[0].args[0].ndim == 1):
            left = _sup(a[0], "T")  # a vector on the left is a row; a row chain already is
        return rf"{left} {_tw(a[1], prec(a[1]) <= 2)}"
    if op == "neg":
        return "-" + _tw(a[0], prec(a[0]) <= 1)
    if op == "pow":
        circ = r"\circ " if a[0].shape else ""
        return _sup(a[0], circ + fmt_number(n.value))
    if op == "T":
        if a[0].op == "call" and a[0].value == "inv":
            return _sup(a[0].args[0], "-T")
        return _sup(a[0], "T")
    if op == "pi":
        return r"\pi"
    if op == "eye":
        return "I"
    if op == "zeros":
        return "0"
    if op == "ones":
        return r"\mathbf{1}\mathbf{1}^{T}" if len(n.shape) == 2 else r"\mathbf{1}"
    fn, args = n.value, a
    if fn == "inv":
        return _sup(args[0], "-1")
    if fn == "outer":
        return rf"{_tw(args[0], prec(args[0]) < 5)} {_sup(args[1], 'T')}"
    if fn == "norm":
        return rf"\left\lVert {to_latex(args[0])} \right\rVert"
    escaped = fn.replace("_", r"\_")
    name = _TEX_FN.get(fn, rf"\operatorname{{{escaped}}}")
    return rf"{name}\left({to_latex(args[0])}\right)"


def _tw(n: Node, cond: bool) -> str:
    s = to_latex(n)
    return rf"\left({s}\right)" if cond else s


def _sup(n: Node, sup: str) -> str:
    atomic = n.op == "name" or n.op == "eye"
    return f"{to_latex(n) if atomic else _tw(n, True)}^{{{sup}}}"
