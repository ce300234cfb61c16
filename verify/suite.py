"""``run_suite``: every op of the table (and plugin ops) over its cases, at each dtype.

Work is split by op across ``jobs`` processes (never more processes than ops); each case draws
from its own generator (``verify.api.case_rng``), so the result for a seed is the same whatever
the job count. Plugins are loaded by ``verify.plugins.load_plugins``, in the workers too.
``progress(done, total, name)`` is called as tasks finish (the CLI draws its bar with it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from numeric import all_ops
from verify.api import check_op
from verify.options import Options
from verify.plugins import load_plugins
from verify.results import OpResult, SuiteResult

__all__ = ["run_suite"]


def run_suite(ops: Sequence[str] | None = None, seed: int = 0,
              dtypes: Sequence[str] = ("float64", "float32"), jobs: int = 1,
              plugins: Sequence[str] = (), options: Options | None = None,
              progress: Callable[[int, int, str], None] | None = None) -> SuiteResult:
    """Check ``ops`` (default: all registered) at each dtype; ``jobs`` > 1 runs in processes."""
    load_plugins(plugins)
    table = all_ops()
    names = list(table) if ops is None else list(dict.fromkeys(ops))  # duplicates: once
    dtypes = tuple(dict.fromkeys(dtypes))
    unknown = [n for n in names if n not in table]
    if unknown:
        raise KeyError(f"unknown ops {unknown}; known: {', '.join(sorted(table))}")
    # One task per op (all dtypes): derive's proof of a case is computed once per op.
    done: dict[str, OpResult] = {}
    jobs = min(jobs, len(names))  # one task per op: more workers would only idle
    if jobs > 1:
        with ProcessPoolExecutor(jobs, initializer=load_plugins, initargs=(tuple(plugins),)) as ex:
            futures = {ex.submit(_task, n, tuple(dtypes), seed, options): n for n in names}
            for k, fut in enumerate(as_completed(futures), 1):
                done[futures[fut]] = fut.result()
                if progress:
                    progress(k, len(names), futures[fut])
    else:
        for k, n in enumerate(names, 1):
            done[n] = _task(n, tuple(dtypes), seed, options)
            if progress:
                progress(k, len(names), n)
    return SuiteResult(seed, [done[n] for n in names])


def _task(name: str, dtypes: tuple[str, ...], seed: int, options: Options | None) -> OpResult:
    merged: OpResult | None = None
    proofs: dict[str, Any] = {}  # one proof per case, whatever the dtype
    for d in dtypes:
        r = check_op(name, seed=seed, dtype=d, options=options, proofs=proofs)
        if merged is None:
            merged = r
        else:
            merged.cases.extend(r.cases)
            merged.proof = merged.proof or r.proof
    assert merged is not None
    return merged
