"""The ``gradproof`` command line: ``demo``, and the subcommands other modules plug in.

Each module in ``_SUBCOMMANDS`` has ``add_parser(subparsers)``, which adds its parser and sets
``run`` (a function of the parsed arguments returning the exit status) as a default.
"""

from __future__ import annotations

import argparse
import importlib
import sys

import numeric


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


_SUBCOMMANDS = ("derive.cli", "verify.cli_verify", "verify.cli_report", "verify.cli_examples")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gradproof",
        description="Derive VJPs with SymPy, run them in a NumPy engine, verify both.")
    parser.add_argument("--version", action="version", version=f"gradproof {numeric.__version__}")
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="differentiate the seed notebook's example with the engine")
    demo.add_argument("--svg", help="also draw its computation graph to this SVG file")
    demo.set_defaults(run=_demo)
    for name in _SUBCOMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            continue
        module.add_parser(sub)
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
