"""Worked examples shipped with gradproof, run by ``gradproof train-digits``, ``attention``,
``gp-regression``, ``char-rnn`` and ``convnet`` (or ``python -m verify.examples.<module>``).

- :mod:`verify.examples.digits_mlp` — an MLP trained on scikit-learn's bundled digits with the
  engine (needs the ``examples`` extra: scikit-learn);
- :mod:`verify.examples.attention` — an attention block as one op, its gradients verified.

Three programs of the kind autograd's classic examples are, written on ``numeric.numpy``, each
comparing its gradients with autograd's at the start (:mod:`verify.examples.agreement`):

- :mod:`verify.examples.gp_regression` — GP kernel hyperparameters fitted by scipy's L-BFGS-B;
- :mod:`verify.examples.char_rnn` — a character-level LSTM on ``data/gradients.txt``;
- :mod:`verify.examples.convnet` — a small convolutional net on the digits, einsum over patches.

Each module has ``add_arguments(parser)`` and ``run(args) -> exit status`` for the CLI.
"""

__all__ = ["agreement", "attention", "char_rnn", "convnet", "digits_mlp", "gp_regression",
           "training"]
