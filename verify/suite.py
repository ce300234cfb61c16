"""``run_suite``: every op of the table (and plugin ops) over its cases, at each dtype.

Work is split by (op, dtype) across ``jobs`` processes; each case draws from its own generator
(``verify.api.case_rng``), so the result for a seed is the same whatever the job count.
``progress(done, total, name)`` is called as tasks finish (the CLI draws its bar with it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from numeric import all_ops
from verify.api import check_op
from verify.checks import Options
from verify.results import OpResult, SuiteResult

__all__ = ["run_suite", "load_plugins"]


def load_plugins(plugins: Iterable[str]) -> list[str]:
    """Import each plugin module (its ops register themselves); returns their op names."""
    before = set(all_ops())
    for name in plugins:
        importlib.import_module(name)
    return [n for n in all_ops() if n not in before]


def run_suite(ops: Sequence[str] | None = None, seed: int = 0,
              dtypes: Sequence[str] = ("float64", "float32"), jobs: int = 1,
              plugins: Sequence[str] = (), options: Options | None = None,
              progress: Callable[[int, int, str], None] | None = None) -> SuiteResult:
    """Check ``ops`` (default: all registered) at each dtype; ``jobs`` > 1 runs in processes."""
    load_plugins(plugins)
    table = all_ops()
    names = list(table) if ops is None else list(ops)
    unknown = [n for n in names if n not in table]
    if unknown:
        raise KeyError(f"unknown ops {unknown}; known: {', '.join(sorted(table))}")
    tasks = [(n, d) for n in names for d in dtypes]
    done: dict[tuple[str, str], OpResult] = {}
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(jobs, initializer=load_plugins, initargs=(tuple(plugins),)) as ex:
            futures = {ex.submit(_task, n, d, seed, options): (n, d) for n, d in tasks}
            from concurrent.futures import as_completed

            for k, fut in enumerate(as_completed(futures), 1):
                done[futures[fut]] = fut.result()
                if progress:
                    progress(k, len(tasks), "/".join(futures[fut]))
    else:
        for k, (n, d) in enumerate(tasks, 1):
            done[(n, d)] = _task(n, d, seed, options)
            if progress:
                progress(k, len(tasks), f"{n}/{d}")
    result = SuiteResult(seed)
    for n in names:
        merged: OpResult | None = None
        for d in dtypes:
            r = done[(n, d)]
            if merged is None:
                merged = r
            else:
                merged.cases.extend(r.cases)
                merged.proof = merged.proof or r.proof
        result.ops.append(merged)
    return result


def _task(name: str, dtype: str, seed: int, options: Options | None) -> OpResult:
    return check_op(name, seed=seed, dtype=dtype, options=options)


def _identity(x: Any) -> Any:
    return x
