"""The ``gradproof`` command line: ``demo``, and the subcommands other modules plug in.

Each module in ``_SUBCOMMANDS`` has ``add_parser(subparsers)``, which adds its parser and sets
``run`` (a function of the parsed arguments returning the exit status) as a default.

Exit statuses, the same for every subcommand (``verify.errors``): 0 every check passed, 1 a
check failed, 2 a usage or input error — one line on stderr, no traceback (``gradproof --debug
...`` shows it), 3 an internal error. Arguments and outputs are validated before work starts.
A subcommand with ``--plugin MODULE`` (``dest="plugins"``) gets its plugins loaded here, by
``verify.plugins.load_plugins``, before it runs; ``args.progress`` is :mod:`verify.progress`,
for subcommands that cannot import ``verify`` themselves (``derive``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

import numeric
from verify import cli_args, progress
from verify.errors import INTERNAL, USAGE, UsageError
from verify.plugins import load_plugins

__all__ = ["main"]

_SUBCOMMANDS = ("derive.cli", "verify.cli_verify", "verify.cli_report", "verify.cli_examples")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is raised (one line, exit status 2) instead of printed."""

    def error(self, message: str) -> None:  # type: ignore[override]
        e = UsageError(f"{message} (see {self.prog} --help)")
        e.prog = self.prog  # the subcommand, for the message's prefix
        raise e


def _demo(args: argparse.Namespace) -> int:
    import numpy as np

    from numeric import Tensor

    x = Tensor([[1.0, 2.0], [2.0, -1.0]])
    y = (x * 2 - 1).maximum(0).sum(axis=-1)
    y.backward(np.ones_like(y.value), retain_graph=True)
    print("x      =", x.value.tolist())
    print("y      = sum(max(2x - 1, 0), axis=-1) =", y.value.tolist())
    print("dy/dx  =", x.grad.tolist())
    if args.svg:
        from numeric.draw import render_svg

        with open(args.svg, "w") as fh:
            fh.write(render_svg(numeric.draw_dot(y).source))
        print("graph  ->", args.svg)
    return 0


def parser() -> argparse.ArgumentParser:
    """The root parser with every subcommand."""
    root = _Parser(prog="gradproof",
                   description="Derive VJPs with SymPy, run them in a NumPy engine, verify both.")
    root.add_argument("--version", action="version", version=f"gradproof {numeric.__version__}")
    root.add_argument("--debug", action="store_true",
                      help="show the traceback of a usage or internal error")
    sub = root.add_subparsers(dest="command", parser_class=_Parser)
    demo = sub.add_parser("demo", help="differentiate the seed notebook's example with the engine")
    demo.add_argument("--svg", help="also draw its computation graph to this SVG file")
    demo.set_defaults(run=_demo, outputs=("svg",))
    for name in _SUBCOMMANDS:
        importlib.import_module(name).add_parser(sub)
    for command in sub.choices.values():  # `gradproof verify --debug` works too
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="show the traceback of a usage or internal error")
    return root


def main(argv: list[str] | None = None) -> int:
    """Run ``gradproof`` with ``argv`` (default: the command line); return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv  # until the arguments are parsed
    command = "gradproof"
    try:
        try:
            root = parser()
        except ImportError as e:  # a broken install: derive (SymPy) or a subcommand missing
            raise UsageError(f"gradproof cannot load its subcommands ({type(e).__name__}: {e}); "
                             "reinstall it with its dependencies (pip install 'gradproof[verify]')"
                             ) from e
        args = root.parse_args(argv)
        debug = args.debug
        if getattr(args, "command", None):
            command = f"gradproof {args.command}"
        if not hasattr(args, "run"):
            root.print_help(sys.stderr)
            return USAGE
        for option in getattr(args, "outputs", ()):  # refused before any work starts
            if getattr(args, option, None):
                cli_args.writable(getattr(args, option), f"--{option}")
        if getattr(args, "plugins", None):
            args.plugin_ops = load_plugins(args.plugins)
        args.progress = progress
        return args.run(args)
    except UsageError as e:
        if debug:
            traceback.print_exc()
        print(f"{getattr(e, 'prog', command)}: {e}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        print(f"{command}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug in gradproof or in a user's op outside the checks
        if debug:
            traceback.print_exc()
        print(f"{command}: internal error: {type(e).__name__}: {e} (gradproof --debug "
              f"{' '.join(argv)} shows the traceback)", file=sys.stderr)
        return INTERNAL


if __name__ == "__main__":
    sys.exit(main())
