"""Matrix calculus for whole expressions: ``derive.expression(expr, wrt, shapes)``.

``parse`` (ast whitelist) -> ``shapes`` -> ``rules`` (differential rules, reverse mode) ->
``simplify`` -> ``render`` (text, LaTeX, NumPy) -> ``check`` (exact, entry by entry, against
the index-level derivation) -> ``sympy_answer`` (SymPy's MatrixSymbol answer, judged) ->
``codegen`` (generated NumPy). See :func:`derive.expression.api.expression`.
"""

from derive.expression.api import Expression, Gradient, check_closed_form, expression
from derive.expression.check import Check
from derive.expression.nodes import ExprError
from derive.expression.sympy_answer import SympyAnswer

__all__ = ["expression", "Expression", "Gradient", "Check", "SympyAnswer", "ExprError",
           "check_closed_form"]
