"""``gradproof verify --function MODULE:NAME --shapes "x=3,2 y=2"``: check a whole function.

The function is imported (the current directory is searched first, as for ``--plugin``) and
called with keyword arrays of the given shapes, drawn uniformly from ``--range`` (default -1,1)
with ``--seed``; every array is differentiated. :func:`verify.check_function` runs the
three-way check (engine, exact through derive, finite differences) at each ``--dtype``. Exit
status 0 when every check passes, 1 when one fails or is unavailable, 2 on a usage error (a
module or name that cannot be found, bad shapes, a NumPy call the engine cannot run).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import sys
from typing import Any

from verify import cli_args
from verify.errors import FAILED, OK, UsageError

__all__ = ["run_function", "load_function"]


def load_function(spec: str) -> Any:
    """``"pkg.mod:name"`` -> the callable, or a UsageError naming what is missing."""
    module, sep, name = spec.partition(":")
    if not sep or not name or not all(p.isidentifier() for p in module.split(".")) or not all(
            p.isidentifier() for p in name.split(".")):
        raise UsageError(f"--function {spec!r}: expected MODULE:NAME (e.g. mylosses:loss)")
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        found: Any = importlib.import_module(module)
    except ModuleNotFoundError as e:
        raise UsageError(f"--function {spec!r}: module {module!r} not found (looked in {cwd} "
                         f"and on sys.path): {e}") from e
    except Exception as e:  # noqa: BLE001 - the user's module failed while it ran
        raise UsageError(f"--function {spec!r}: importing {module!r} raised "
                         f"{type(e).__name__}: {e}") from e
    for part in name.split("."):
        if not hasattr(found, part):
            raise UsageError(f"--function {spec!r}: {module!r} has no {name!r}")
        found = getattr(found, part)
    if not callable(found):
        raise UsageError(f"--function {spec!r}: {name!r} is a {type(found).__name__}, not a "
                         "function")
    return found


def run_function(args: argparse.Namespace, dtypes: list[str]) -> int:
    """Check ``args.function`` at sampled arrays; print the verdicts; the exit status."""
    from verify.function import check_function, sample_arrays

    if args.shapes is None:
        raise UsageError("--function needs --shapes, e.g. --shapes \"x=3,2 y=2\"")
    if args.json or args.ops is not None:
        raise UsageError("--function checks one function: --json and --ops are for ops "
                         "(--junit works)")
    f = load_function(args.function)
    shapes = cli_args.named_shapes(args.shapes)
    low, high = args.range
    arrays = sample_arrays(shapes.values(), args.seed, low, high)
    names = list(shapes)

    def call(*xs: Any) -> Any:  # f by keyword: --shapes names its parameters
        return f(**dict(zip(names, xs)))

    call.__qualname__ = call.__name__ = getattr(f, "__qualname__", args.function)
    call.__doc__ = f.__doc__
    call.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    try:
        result = check_function(call, *arrays, seed=args.seed, dtype=dtypes)
    except (TypeError, ValueError) as e:
        raise UsageError(f"--function {args.function}: {e}") from e
    for case in result.cases:
        print(f"{result.op} [{case.case}] {case.dtype}")
        for c in case.checks:
            size = f" (error {c.error:.3g}, tol {c.tol:.3g})" if c.error is not None and \
                c.tol is not None else ""
            print(f"  {c.check:<9} {c.verdict}{size}: {c.detail}")
        print(f"  {case.agreement()['text']}")
    print(f"\n{result}")
    if not result.ok:
        print("\n" + result.explain())
    if args.junit:
        from verify.cli_verify import _junit, _write
        from verify.results import SuiteResult

        suite = SuiteResult(args.seed, [result])
        _write(args.junit, lambda fh: _junit(suite).write(fh, encoding="unicode",
                                                          xml_declaration=True))
    return OK if result.ok else FAILED
