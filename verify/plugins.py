"""One plugin mechanism for every subcommand: import modules whose ops register themselves.

``gradproof derive|verify|report --plugin MODULE`` all call :func:`load_plugins`. A module is
looked up on ``sys.path`` with the current directory first (a plugin beside the user's work
imports without ``PYTHONPATH``). A plugin that cannot be imported — missing, a SyntaxError, or
an exception while it runs — is a usage error (exit status 2) naming the module and the cause.
Worker processes load the same plugins (``run_suite`` passes them to its initializer).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable

from numeric import all_ops
from verify.errors import UsageError

__all__ = ["load_plugins"]


def load_plugins(plugins: Iterable[str]) -> list[str]:
    """Import each plugin module; return the names of the ops they registered."""
    before = set(all_ops())
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    for name in plugins:
        if not name or not all(part.isidentifier() for part in name.split(".")):
            raise UsageError(f"--plugin {name!r} is not a module name (e.g. my_ops or pkg.ops)")
        try:
            importlib.import_module(name)
        except SyntaxError as e:
            raise UsageError(f"plugin {name!r} has a syntax error: {e.filename}, "
                             f"line {e.lineno}: {e.msg}") from e
        except ModuleNotFoundError as e:
            if e.name == name or name.startswith(f"{e.name}."):
                raise UsageError(f"plugin {name!r} not found (looked in {cwd} and on "
                                 "sys.path)") from e
            raise UsageError(f"plugin {name!r} failed to import: {e}") from e
        except Exception as e:  # noqa: BLE001 - any error while the plugin runs is the user's
            raise UsageError(f"plugin {name!r} raised {type(e).__name__} at import: {e}") from e
    return [n for n in all_ops() if n not in before]
