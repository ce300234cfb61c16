"""The command line's exit statuses and the one exception that means "the call was wrong".

Every subcommand exits 0 when all checks pass, 1 when a check failed, 2 on a usage or input
error, 3 on an internal error (a bug: ``gradproof --debug ...`` shows its traceback). Code
anywhere below the CLI raises :class:`UsageError` for bad arguments or input; the CLI prints its
one-line message (a traceback only with ``--debug``) and exits 2.
"""

from __future__ import annotations

__all__ = ["OK", "FAILED", "USAGE", "INTERNAL", "UsageError"]

OK, FAILED, USAGE, INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """Bad arguments or input, reported as one line and exit status 2."""
