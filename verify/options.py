"""What a verification runs and how strictly: :class:`Options` and the tolerances per dtype."""

from __future__ import annotations

from dataclasses import dataclass

from verify.results import CHECKS

__all__ = ["Options", "RTOL", "SYM_RTOL", "TIMEOUT", "PROOF_TIMEOUT"]

# Relative tolerance per dtype: the engine's own rounding, never tighter than FD can judge.
RTOL = {"float64": 1e-9, "float32": 2e-4}
# Symbolic (exact) reference evaluated numerically: only the engine's rounding remains.
SYM_RTOL = {"float64": 1e-11, "float32": 5e-5}
# Seconds one case of one op may take: its forward, rules and checks (warm, the slowest
# built-in case takes ~0.2 s on a 2-core machine). A hung user rule is caught within it.
TIMEOUT = 5.0
# Seconds for derive's proof of one case: a safety net above derive's own budgets (a cold
# proof of a built-in takes up to ~2 s); past it the symbolic check is skipped, saying so.
PROOF_TIMEOUT = 60.0


@dataclass(frozen=True)
class Options:
    """What to run and how strictly. ``checks``: any of ``verify.results.CHECKS``.

    ``timeout``: the time budget in seconds for one case (its forward, rules and checks); a
    case that runs over fails as "timed out", the op's later cases are not run, and the suite
    goes on. ``proof_timeout``: the same for derive's proof of a case (past it the symbolic
    check is skipped, saying why). ``None`` or 0 switches a budget off.
    """

    checks: tuple[str, ...] = CHECKS
    full_max: int = 64       # inputs up to this many entries get the entrywise FD comparison
    safety: float = 10.0     # tolerance = safety x the FD error bar (at least RTOL[dtype])
    unreliable: float = 1e-5  # relative FD error bar beyond which FD cannot judge
    directions: int = 2      # random directions per input for the projection FD check
    complex_cotangent: bool = True
    random_cases: int = 0    # hypothesis-generated cases added to an op's standard cases
    timeout: float | None = TIMEOUT  # seconds per case; None: no budget
    proof_timeout: float | None = PROOF_TIMEOUT  # seconds per proof; None: no budget
