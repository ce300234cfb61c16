"""``gradproof train-digits`` and ``gradproof attention``: the examples in ``verify.examples``.

The examples are modules of the installed distribution (``verify.examples.digits_mlp``,
``verify.examples.attention``), imported by name, so they work from a wheel as from a checkout;
each exposes ``add_arguments(parser)`` and ``run(args) -> exit status``. The digits example's
scikit-learn is imported only when it runs (the ``examples`` extra).
"""

from __future__ import annotations

import argparse
import importlib
from types import ModuleType

__all__ = ["add_parser", "load_example", "EXAMPLES"]

EXAMPLES = "verify.examples"

_COMMANDS = {
    "train-digits": ("digits_mlp", "train an MLP on scikit-learn's bundled digits with the engine"),
    "attention": ("attention", "check an attention block's gradients with the verifier"),
    "gp-regression": ("gp_regression", "fit a Gaussian process's kernel hyperparameters with "
                      "scipy's L-BFGS-B on the engine's gradient"),
    "char-rnn": ("char_rnn", "train a character-level LSTM on a packaged text and sample it"),
    "convnet": ("convnet", "train a small convolutional net (einsum over patches) on the digits"),
}


def load_example(name: str) -> ModuleType:
    """The example module ``verify.examples.<name>`` (e.g. ``"digits_mlp"``)."""
    if name not in {module for module, _ in _COMMANDS.values()}:
        raise KeyError(f"no example {name!r}; examples: "
                       f"{', '.join(module for module, _ in _COMMANDS.values())}")
    return importlib.import_module(f"{EXAMPLES}.{name}")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add one subcommand per example to the root parser."""
    for command, (name, help_text) in _COMMANDS.items():
        parser = sub.add_parser(command, help=help_text, description=help_text)
        module = load_example(name)
        module.add_arguments(parser)
        parser.set_defaults(run=module.run)
