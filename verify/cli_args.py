"""Argument types and checks the subcommands share, so bad input is refused before any work.

Each raises :class:`verify.errors.UsageError` (or ``argparse.ArgumentTypeError`` inside a
parser) with a one-line message naming the option and the value; the CLI turns both into exit
status 2.
"""

from __future__ import annotations

import argparse
import math
import os

from verify.errors import UsageError

__all__ = ["seed", "positive_int", "count", "positive", "seconds", "names", "op_names",
           "named_shapes", "bounds", "writable"]


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must be an integer, got {text!r}") from None


def seed(text: str) -> int:
    """A seed: a non-negative integer (NumPy refuses negative seeds)."""
    n = _int(text, "the seed")
    if n < 0:
        raise argparse.ArgumentTypeError(f"the seed must be a non-negative integer, got {n}")
    return n


def positive_int(text: str) -> int:
    """A count of at least 1 (worker processes, epochs...)."""
    n = _int(text, "the value")
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def count(text: str) -> int:
    """A count of at least 0."""
    n = _int(text, "the value")
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {n}")
    return n


def _float(text: str, what: str) -> float:
    try:
        x = float(text)
    except ValueError:
        x = math.nan
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
    return x


def positive(text: str) -> float:
    """A finite number above 0 (a step size...)."""
    if (x := _float(text, "a number")) <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return x


def seconds(text: str) -> float:
    """A time budget in seconds: a positive number, or 0 for none."""
    if (s := _float(text, "a number of seconds")) < 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds (0: no "
                                         f"budget), got {text!r}")
    return s


def names(text: str, option: str, allowed: tuple[str, ...] | None = None) -> list[str]:
    """``"a, b,a"`` -> ``["a", "b"]``: comma-separated, stripped, duplicates dropped, in order.

    An empty list (``""``, ``","``) or a name outside ``allowed`` is a usage error.
    """
    found = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if not found:
        raise UsageError(f"{option} {text!r} names nothing"
                         + (f" (use {', '.join(allowed)})" if allowed else ""))
    bad = [n for n in found if allowed is not None and n not in allowed]
    if bad:
        raise UsageError(f"{option}: unsupported {bad[0]!r} (use {', '.join(allowed)})")
    return found


def op_names(found: list[str]) -> list[str]:
    """Op names with derive's aliases (``logdet``) made the table's names (``slogdet``): one op
    is checked, proved and reported under one name. Duplicates dropped, in order."""
    from derive.oprun import ALIASES

    return list(dict.fromkeys(ALIASES.get(n, n) for n in found))


def named_shapes(text: str, option: str = "--shapes") -> dict[str, tuple[int, ...]]:
    """``"x=3,2 y=2 s=()"`` -> ``{"x": (3, 2), "y": (2,), "s": ()}``, parsed, never evaluated."""
    found: dict[str, tuple[int, ...]] = {}
    for part in text.split():
        name, sep, dims = part.partition("=")
        if not sep or not name.isidentifier():
            raise UsageError(f"{option} {text!r}: {part!r} is not NAME=SIZES (e.g. x=3,2)")
        if name in found:
            raise UsageError(f"{option} {text!r}: {name!r} is given twice")
        sizes = [d for d in dims.strip("()").split(",") if d.strip()]
        if not all(d.strip().isdigit() for d in sizes):
            raise UsageError(f"{option} {text!r}: the sizes of {name!r} must be non-negative "
                             f"integers, got {dims!r}")
        found[name] = tuple(int(d) for d in sizes)
    if not found:
        raise UsageError(f"{option} {text!r} names no array (e.g. \"x=3,2 y=2\")")
    return found


def bounds(text: str) -> tuple[float, float]:
    """``"LOW,HIGH"``: two finite numbers, LOW < HIGH (a range to sample inputs from)."""
    parts = text.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"must be LOW,HIGH, got {text!r}")
    low, high = (_float(p, "a number") for p in parts)
    if not low < high:
        raise argparse.ArgumentTypeError(f"LOW must be below HIGH, got {text!r}")
    return low, high


def writable(path: str, option: str) -> None:
    """Refuse an output path that cannot be written, before the work that fills it starts."""
    parent = os.path.dirname(os.path.abspath(path))
    if not path.strip():
        raise UsageError(f"{option} needs a file path, got {path!r}")
    if os.path.isdir(path):
        raise UsageError(f"{option} {path!r} is a directory; give a file path")
    if not os.path.isdir(parent):
        raise UsageError(f"{option} {path!r}: the directory {parent!r} does not exist")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise UsageError(f"{option} {path!r} is not writable")
    if not os.path.exists(path) and not os.access(parent, os.W_OK):
        raise UsageError(f"{option} {path!r}: the directory {parent!r} is not writable")
