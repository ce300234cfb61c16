"""A character-level LSTM language model, trained by Adam on a short text kept in the package.

The text (``verify/examples/data/gradients.txt``, a few KB written for gradproof about
derivatives and gradients) is cut into random windows; the LSTM reads each window one
character at a time and predicts the next one, and the loss is the mean cross-entropy in nats
per character (``log V`` for a model that knows nothing, V the number of distinct characters).
Gradients come from ``numeric.value_and_grad`` through the whole unrolled sequence
(backpropagation through time). The loss is written once over a NumPy-like module, so it runs on
autograd too (compared at the start) and, for sampling, on plain arrays. Written, as autograd
programs are, on ``import numeric.numpy as np`` and ``from numeric import value_and_grad``::

    python -m verify.examples.char_rnn --steps 300 --seed 0
    gradproof char-rnn
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from importlib import resources
from types import ModuleType
from typing import Any

import numeric.numpy as np
from numeric import value_and_grad
from verify.cli_args import positive, positive_int, seed
from verify.errors import UsageError
from verify.examples.agreement import describe_agreement
from verify.examples.training import Adam, log_softmax

__all__ = ["load_text", "Vocabulary", "init_params", "lstm_step", "loss", "windows", "train",
           "sample", "TrainResult", "main"]

CLIP = 5.0  # gradients are rescaled to this global norm at most: an LSTM's rare large steps


def load_text() -> str:
    """The training text, read from the installed package."""
    return (resources.files("verify.examples") / "data" / "gradients.txt").read_text("utf-8")


@dataclass(frozen=True)
class Vocabulary:
    """The distinct characters of a text, each with its index."""

    chars: str

    @classmethod
    def of(cls, text: str) -> Vocabulary:
        return cls("".join(sorted(set(text))))

    def encode(self, text: str) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.chars)}
        return np.array([index[c] for c in text], dtype=np.intp)

    def decode(self, codes: np.ndarray) -> str:
        return "".join(self.chars[int(i)] for i in codes)

    def onehot(self, codes: np.ndarray) -> np.ndarray:
        return np.eye(len(self.chars))[codes]


def init_params(vocab: int, hidden: int, seed: int = 0) -> list[np.ndarray]:
    """``[wx, wh, b, wy, by]``: gates stacked as (input, forget, output, candidate) columns."""
    rng = np.random.default_rng(seed)
    b = np.zeros(4 * hidden)
    b[hidden:2 * hidden] = 1.0  # forget gates start open, so early gradients reach far back
    return [rng.normal(0.0, 1.0 / np.sqrt(vocab), size=(vocab, 4 * hidden)),
            rng.normal(0.0, 1.0 / np.sqrt(hidden), size=(hidden, 4 * hidden)), b,
            rng.normal(0.0, 1.0 / np.sqrt(hidden), size=(hidden, vocab)), np.zeros(vocab)]


def lstm_step(xp: ModuleType, params: list[Any], xw: Any, h: Any, c: Any) -> tuple[Any, Any]:
    """One LSTM step from the input's projection ``xw = x @ wx`` and the state ``(h, c)``."""
    n = params[1].shape[0]
    z = xw + h @ params[1] + params[2]
    gates = 0.5 * (xp.tanh(0.5 * z[:, :3 * n]) + 1.0)  # sigmoid, the same on every engine
    c = gates[:, n:2 * n] * c + gates[:, :n] * xp.tanh(z[:, 3 * n:])
    return gates[:, 2 * n:3 * n] * xp.tanh(c), c


def loss(xp: ModuleType, params: list[Any], inputs: np.ndarray, targets: np.ndarray) -> Any:
    """Mean next-character cross-entropy (nats) over one-hot windows of shape (B, T, V)."""
    batch, steps, _ = inputs.shape
    n = params[1].shape[0]
    h = c = xp.zeros((batch, n))
    states = []
    for t in range(steps):
        # slicing the constant input, not a projection of all steps at once: the VJP of a slice
        # of a Tensor is a scatter into a full-size zero array, once per step
        h, c = lstm_step(xp, params, inputs[:, t, :] @ params[0], h, c)
        states.append(h)
    logits = xp.stack(states, axis=1) @ params[3] + params[4]
    return -xp.sum(log_softmax(xp, logits) * targets) / (batch * steps)


def windows(codes: np.ndarray, batch: int, length: int,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``batch`` random windows of ``length`` characters and the characters that follow each."""
    starts = rng.integers(0, len(codes) - length - 1, size=batch)
    idx = starts[:, None] + np.arange(length)
    return codes[idx], codes[idx + 1]


@dataclass
class TrainResult:
    """The loss per step, wall time, the trained parameters and the vocabulary."""

    losses: list[float]
    seconds: float
    vocab: Vocabulary
    params: list[np.ndarray] = field(default_factory=list, repr=False)


def train(steps: int = 300, hidden: int = 64, length: int = 32, batch: int = 16,
          lr: float = 1e-2, seed: int = 0, log_every: int = 0) -> TrainResult:
    """Train on the packaged text; print the running loss every ``log_every`` steps if > 0."""
    text = load_text()
    vocab = Vocabulary.of(text)
    codes = vocab.encode(text)
    params = init_params(len(vocab.chars), hidden, seed)
    step = value_and_grad(lambda *p: loss(np, list(p[:-2]), p[-2], p[-1]),
                                  argnum=tuple(range(len(params))))
    adam, rng = Adam(params, lr), np.random.default_rng(seed)
    losses, start = [], time.perf_counter()
    for k in range(steps):
        x, y = windows(codes, batch, length, rng)
        value, grads = step(*params, vocab.onehot(x), vocab.onehot(y))
        norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
        adam.update(params, [g * min(1.0, CLIP / norm) for g in grads] if norm else grads)
        losses.append(float(value))
        if log_every and (k + 1) % log_every == 0:
            print(f"  step {k + 1:5d}: loss {np.mean(losses[-log_every:]):.3f} nats/char")
    return TrainResult(losses, time.perf_counter() - start, vocab, params)


def sample(params: list[np.ndarray], vocab: Vocabulary, prime: str = "The ", length: int = 200,
           temperature: float = 0.7, seed: int = 0) -> str:
    """Text generated after ``prime`` (plain NumPy, the same step the model was trained with)."""
    rng = np.random.default_rng(seed)
    n = params[1].shape[0]
    h = c = np.zeros((1, n))
    out = list(prime)
    for ch in prime[:-1]:
        h, c = lstm_step(np, params, vocab.onehot(vocab.encode(ch)) @ params[0], h, c)
    code = vocab.encode(prime[-1])
    for _ in range(length):
        h, c = lstm_step(np, params, vocab.onehot(code) @ params[0], h, c)
        logp = log_softmax(np, (h @ params[3] + params[4])[0] / temperature)
        p = np.exp(logp)
        code = np.array([rng.choice(len(p), p=p / p.sum())])
        out.append(vocab.chars[int(code[0])])
    return "".join(out)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--steps", type=positive_int, default=300, help="Adam steps")
    parser.add_argument("--seed", type=seed, default=0,
                        help="initialisation, windows and sampling")
    parser.add_argument("--hidden", type=positive_int, default=64, help="LSTM units")
    parser.add_argument("--length", type=positive_int, default=32,
                        help="characters per window (steps unrolled)")
    parser.add_argument("--batch", type=positive_int, default=16, help="windows per step")
    parser.add_argument("--lr", type=positive, default=1e-2, help="Adam step size (positive)")
    parser.add_argument("--temperature", type=positive, default=0.7,
                        help="sampling temperature (lower: more conservative)")


def run(args: argparse.Namespace) -> int:
    """Compare gradients, train, print the losses and a sample; 0 if the loss fell."""
    text = load_text()
    vocab = Vocabulary.of(text)
    if args.length + 2 > len(text):
        raise UsageError(f"--length must be below {len(text) - 1} (the text's length), "
                         f"got {args.length}")
    print(f"char LSTM: {len(text)} characters, {len(vocab.chars)} distinct (chance: "
          f"{np.log(len(vocab.chars)):.3f} nats/char), {args.hidden} units, windows of "
          f"{args.length}, batch {args.batch}, seed {args.seed}")
    # the first step's parameters and windows, drawn as train() draws them
    x, y = windows(vocab.encode(text), args.batch, args.length, np.random.default_rng(args.seed))
    print(describe_agreement(loss, init_params(len(vocab.chars), args.hidden, args.seed),
                             vocab.onehot(x), vocab.onehot(y)))
    result = train(args.steps, args.hidden, args.length, args.batch, args.lr, args.seed,
                   log_every=max(1, args.steps // 5))
    tail = max(1, min(20, args.steps // 5))
    first, last = float(np.mean(result.losses[:tail])), float(np.mean(result.losses[-tail:]))
    print(f"loss {first:.3f} -> {last:.3f} nats/char (mean of the first and last {tail} steps), "
          f"{result.seconds:.1f} s for {args.steps} steps "
          f"({1e3 * result.seconds / args.steps:.1f} ms/step)")
    print("sample:\n" + sample(result.params, result.vocab, temperature=args.temperature,
                               seed=args.seed))
    return 0 if last < first else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
