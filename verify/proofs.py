"""verify's seam to derive: proofs and exact VJP values, asked of derive (it keeps the one store).

verify keeps no proof cache: :func:`derive.prove_rule` serves proofs from :mod:`derive.store`,
re-checked against what the rule computes on every load. A replacement rule (a mutant, a user's
patch of a table op) is proved against the table op's forward and never cached. If derive cannot
be imported (a broken install, SymPy missing) the symbolic check cannot run: :func:`prove` raises
:class:`DeriveUnavailable` with a one-line message instead of letting a suite pass without it.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from numeric import Op, all_ops
from numeric.cases import Case
from verify.errors import UsageError

__all__ = ["prove", "exact_values", "DeriveUnavailable", "EXACT_SECONDS", "TOO_LARGE"]

TOO_LARGE = "too-large"  # a proof status: the case exceeds derive's size guard (not a failure)
EXACT_SECONDS = 10.0  # budget for deriving an exact VJP that the proof did not already derive


class DeriveUnavailable(UsageError):
    """derive cannot be imported, so the symbolic check cannot run."""


def prove(op: Op, case: Case) -> dict[str, Any]:
    """derive's proof of ``op``'s rules at ``case`` (``Proof.to_dict()``), or why there is none."""
    derive = _derive()
    base = all_ops().get(op.name)
    try:
        if base is not None and base is not op and base.fwd is op.fwd:
            proof = derive.prove_rule(base, case, rule=op.vjp).to_dict()  # a replacement rule
        else:
            proof = derive.prove_rule(op, case).to_dict()
    except Exception as e:  # derive could not run this op: no proof, which never passes
        return {"status": "unavailable", "method": "",
                "detail": f"derive.prove_rule raised {type(e).__name__}: {e}"}
    if proof["status"] == "unavailable" and proof["method"] == "no exact derivation" and \
            "exact-derivation limit" in proof["detail"]:  # over derive's size guard, by design:
        proof["status"] = TOO_LARGE  # the symbolic check is skipped, saying why
    return proof


def exact_values(op: Op, case: Case, xs: list[np.ndarray], g: np.ndarray) -> Any:
    """derive's exact VJP at float64 inputs ``xs`` and cotangent ``g``, or why there is none."""
    derive = _derive()
    from derive.budget import OutOfTime, budget

    try:
        with budget(EXACT_SECONDS) as clock:
            return derive.exact_vjp(op, case).evaluate(xs, g)
    except OutOfTime as e:
        if e.owner is not clock:
            raise
        return f"derive's exact VJP of {op.name} at {case} took more than {EXACT_SECONDS:g} s"
    except Exception as e:
        return f"no symbolic VJP for {op.name} at {case}: {type(e).__name__}: {e}"


def _derive() -> Any:
    try:
        return importlib.import_module("derive")
    except ImportError as e:
        raise DeriveUnavailable(
            f"the symbolic check needs derive, which cannot be imported ({type(e).__name__}: "
            f"{e}); reinstall gradproof with SymPy, or leave 'symbolic' out of the checks"
        ) from None
