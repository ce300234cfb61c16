"""derive — SymPy derives every op's VJP from its forward and proves the engine's rules exact.

- :func:`exact_vjp` — the exact VJP of an op at concrete shapes (SymPy expressions + lambdify),
  cached in :mod:`derive.store` as plain JSON and re-checked against the forward on every load.
- :func:`prove_rule` — the engine's own rule run on symbols and compared with it exactly (by
  cases at kinks; exact rational spot checks where symbols cannot run or the symbolic proof
  exceeds its time budget, see :class:`Limits`; ``timed-out`` if those run out too).
- :func:`derivation` — readable steps (LaTeX, MathML, status): dimension-generic matrix calculus
  where SymPy reaches and is confirmed, else the concrete-shape derivation.
- :func:`claims` — the seed notebook's stated results, each confirmed or refuted.
- :func:`expression` — a whole expression's gradient in matrix notation, checked exactly at
  concrete sizes, beside SymPy's answer, with generated NumPy (:mod:`derive.expression`).

Everything cached lives in :mod:`derive.store` as plain JSON (expressions through the
whitelisted reader of :mod:`derive.serial`) and is re-checked against what the forward and the
rule compute on every load. Derivations larger than ``max_entries`` raise :class:`SizeError`.
"""

from derive.claims import Claim, check_claim, claims
from derive.derivation import derivation
from derive.exact import ExactVJP, clear_cache, exact_vjp

# the function derive.expression(expr, wrt, shapes) (its package stays importable by full name)
from derive.expression import ExprError, Expression, expression  # noqa: E402, I001
from derive.oprun import DeriveError, SizeError
from derive.proof import Limits, Proof, prove_rule
from derive.render import Derivation, Step, latex_to_mathml
from derive.symbolic import NUMPY_TO_SYMPY, SymArray

__all__ = [
    "exact_vjp", "ExactVJP", "DeriveError", "SizeError", "clear_cache",
    "prove_rule", "Proof", "Limits", "derivation", "Derivation", "Step", "latex_to_mathml",
    "claims", "Claim", "check_claim", "SymArray", "NUMPY_TO_SYMPY",
    "expression", "Expression", "ExprError",
]
