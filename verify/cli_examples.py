"""``gradproof train-digits`` and ``gradproof attention``: the examples in ``examples/``.

The example modules live in the source checkout's ``examples/`` directory (they are not part of
the installed packages), so they are loaded from there by path; each exposes
``add_arguments(parser)`` and ``run(args) -> exit status``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["add_parser", "load_example", "EXAMPLES"]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

_COMMANDS = {
    "train-digits": ("digits_mlp", "train an MLP on scikit-learn's bundled digits with the engine"),
    "attention": ("attention", "check an attention block's gradients with the verifier"),
}


def load_example(name: str) -> ModuleType:
    """The module ``examples/<name>.py`` of the source checkout."""
    key = f"gradproof_examples.{name}"
    if key in sys.modules:
        return sys.modules[key]
    path = EXAMPLES / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"example {name!r} not found at {path}: the examples ship with "
                                "the source checkout, not the installed package")
    spec = importlib.util.spec_from_file_location(key, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


def add_parser(sub: argparse._SubParsersAction) -> None:
    for command, (name, help_text) in _COMMANDS.items():
        parser = sub.add_parser(command, help=help_text, description=help_text)
        try:
            module = load_example(name)
        except FileNotFoundError as e:
            parser.set_defaults(run=lambda args, e=e: _missing(e))
            continue
        module.add_arguments(parser)
        parser.set_defaults(run=module.run)


def _missing(error: Exception) -> int:
    print(f"gradproof: {error}", file=sys.stderr)
    return 2
