"""Hypothesis-generated shape cases for the suite, reproducible for a seed.

``hypothesis_cases(op, n, seed)`` draws ``n`` cases from ``verify.strategies.cases(op)`` (random
shapes and parameters fitting the op's kind: every kind of broadcasting, batched matmul,
axes and keepdims ...) with hypothesis seeded by ``(seed, op)``, so the suite's extra cases are
the same in every process and at any job count.
"""

from __future__ import annotations

import zlib

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hseed

from numeric import Op
from numeric.cases import Case

__all__ = ["hypothesis_cases"]


def hypothesis_cases(op: Op, n: int, seed: int = 0) -> list[Case]:
    """``n`` distinct random cases for ``op`` (fewer if its kind has fewer)."""
    from verify import strategies

    if n <= 0:
        return []
    found: list[Case] = []
    seen: set[str] = set()

    @hseed(seed * 1_000_003 + zlib.crc32(op.name.encode()))
    @settings(max_examples=4 * n, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False)
    @given(strategies.cases(op))
    def draw(case: Case) -> None:
        key = str(case)
        if len(found) < n and key not in seen:
            seen.add(key)
            found.append(Case(case.shapes, dict(case.params), f"hypothesis: {case.label}"))

    draw()
    return found
