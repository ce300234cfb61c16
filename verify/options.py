"""What a verification runs and how strictly: :class:`Options` and the tolerances per dtype."""

from __future__ import annotations

from dataclasses import dataclass

from verify.results import CHECKS

__all__ = ["Options", "RTOL", "SYM_RTOL", "TIMEOUT"]

# Relative tolerance per dtype: the engine's own rounding, never tighter than FD can judge.
RTOL = {"float64": 1e-9, "float32": 2e-4}
# Symbolic (exact) reference evaluated numerically: only the engine's rounding remains.
SYM_RTOL = {"float64": 1e-11, "float32": 5e-5}
# Seconds one case of one op may take (forward, rules, checks), and separately its proof.
TIMEOUT = 10.0


@dataclass(frozen=True)
class Options:
    """What to run and how strictly. ``checks``: any of ``verify.results.CHECKS``.

    ``timeout``: the time budget in seconds for one case (its forward, rules and checks) and,
    separately, for derive's proof of it; a case that runs over is reported as timed out and
    the suite goes on. ``None`` or 0 switches the budget off.
    """

    checks: tuple[str, ...] = CHECKS
    full_max: int = 64       # inputs up to this many entries get the entrywise FD comparison
    safety: float = 10.0     # tolerance = safety x the FD error bar (at least RTOL[dtype])
    unreliable: float = 1e-5  # relative FD error bar beyond which FD cannot judge
    directions: int = 2      # random directions per input for the projection FD check
    complex_cotangent: bool = True
    random_cases: int = 0    # hypothesis-generated cases added to an op's standard cases
    timeout: float | None = TIMEOUT  # seconds per case (and per proof); None: no budget
