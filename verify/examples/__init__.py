"""Worked examples shipped with gradproof, run by ``gradproof train-digits`` and ``gradproof
attention`` (or ``python -m verify.examples.digits_mlp`` / ``python -m verify.examples.attention``).

- :mod:`verify.examples.digits_mlp` — an MLP trained on scikit-learn's bundled digits with the
  engine (needs the ``examples`` extra: scikit-learn);
- :mod:`verify.examples.attention` — an attention block as one op, its gradients verified.

Each module has ``add_arguments(parser)`` and ``run(args) -> exit status`` for the CLI.
"""

__all__ = ["attention", "digits_mlp"]
