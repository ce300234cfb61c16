"""A small convolutional net on scikit-learn's bundled 8x8 digits, convolutions as einsum.

Two 3x3 convolutions (valid padding, ReLU: 8x8x1 -> 6x6xC1 -> 4x4xC2), 2x2 mean pooling to
2x2xC2 and a dense layer to 10 logits; softmax cross-entropy, Adam on mini-batches. A
convolution here is two ordinary ops: the 3x3 patches of an image batch are nine shifted slices
stacked on a new axis (N, H, W, 9, C), and the product with the kernel (9, C, F) is one
``einsum("nhwkc,kcf->nhwf")`` — the second layer's patches are slices of a Tensor, so its
gradient flows back through them. Pooling is a reshape and a mean. The loss is written once over
a NumPy-like module, so it runs on autograd too (compared at the start)::

    python -m verify.examples.convnet --epochs 10 --seed 0
    gradproof convnet

Written, as autograd programs are, on ``import numeric.numpy as np`` and ``from numeric import
value_and_grad``. scikit-learn is imported only to load the digits (the ``examples`` extra).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numeric.numpy as np
from numeric import value_and_grad
from verify.cli_args import positive, positive_int, seed
from verify.errors import UsageError
from verify.examples.agreement import describe_agreement
from verify.examples.digits_mlp import load_data
from verify.examples.training import Adam, log_softmax

__all__ = ["patches", "conv", "init_params", "logits", "loss", "predict", "train",
           "TrainResult", "main"]

SIDE, K = 8, 3  # digits are 8x8; kernels 3x3


def patches(xp: ModuleType, h: Any) -> Any:
    """The K x K patches of ``h`` (N, H, W, C) as (N, H-K+1, W-K+1, K*K, C), row-major offsets."""
    oh, ow = h.shape[1] - K + 1, h.shape[2] - K + 1
    return xp.stack([h[:, i:i + oh, j:j + ow, :] for i in range(K) for j in range(K)], axis=3)


def conv(xp: ModuleType, h: Any, w: Any, b: Any) -> Any:
    """Valid K x K convolution (cross-correlation, as in every deep-learning library) plus bias."""
    return xp.einsum("nhwkc,kcf->nhwf", patches(xp, h), w) + b


def init_params(channels: tuple[int, int] = (8, 16), seed: int = 0) -> list[np.ndarray]:
    """He-initialised ``[w1, b1, w2, b2, w3, b3]``; kernels are (K*K, C_in, C_out)."""
    rng = np.random.default_rng(seed)
    c1, c2 = channels
    pooled = ((SIDE - 2 * (K - 1)) // 2) ** 2 * c2
    shapes = [(K * K, 1, c1), (K * K, c1, c2), (pooled, 10)]
    params = []
    for shape in shapes:
        fan_in = int(np.prod(shape[:-1]))
        params += [rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape), np.zeros(shape[-1])]
    return params


def logits(xp: ModuleType, params: list[Any], x: np.ndarray) -> Any:
    """The network on images ``x`` of shape (N, 8, 8, 1)."""
    h = xp.maximum(conv(xp, x, params[0], params[1]), 0.0)
    h = xp.maximum(conv(xp, h, params[2], params[3]), 0.0)
    n, side, _, c = h.shape
    h = xp.mean(xp.reshape(h, (n, side // 2, 2, side // 2, 2, c)), axis=(2, 4))  # 2x2 pooling
    return xp.reshape(h, (n, -1)) @ params[4] + params[5]


def loss(xp: ModuleType, params: list[Any], x: np.ndarray, onehot: np.ndarray,
         decay: float = 1e-4) -> Any:
    """Mean softmax cross-entropy plus ``decay`` times the squared weights."""
    data = -xp.sum(log_softmax(xp, logits(xp, params, x)) * onehot) / len(onehot)
    return data + decay * sum(xp.sum(w * w) for w in params[0::2])


def predict(params: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """Class predictions (plain NumPy: the same network, no graph)."""
    return np.argmax(logits(np, params, x), axis=-1)


def images(x: np.ndarray) -> np.ndarray:
    """Flat 64-pixel rows as (N, 8, 8, 1) images."""
    return x.reshape(-1, SIDE, SIDE, 1)


@dataclass
class TrainResult:
    """Accuracy on held-out digits, the loss per epoch, wall time and the trained parameters."""

    test_accuracy: float
    train_accuracy: float
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0
    params: list[np.ndarray] = field(default_factory=list, repr=False)


def train(epochs: int = 10, channels: tuple[int, int] = (8, 16), lr: float = 1e-2,
          batch: int = 32, seed: int = 0) -> TrainResult:
    """Train with Adam on the seeded split of ``digits_mlp.load_data``."""
    x_train, y_train, x_test, y_test = load_data(seed)
    x_train, x_test = images(x_train), images(x_test)
    params = init_params(channels, seed)
    onehot = np.eye(10)[y_train]
    step = value_and_grad(lambda *p: loss(np, list(p[:-2]), p[-2], p[-1]),
                                  argnum=tuple(range(len(params))))
    adam, rng = Adam(params, lr), np.random.default_rng(seed)
    losses, start = [], time.perf_counter()
    for _ in range(epochs):
        order, total = rng.permutation(len(x_train)), 0.0
        for k in range(0, len(x_train), batch):
            idx = order[k:k + batch]
            value, grads = step(*params, x_train[idx], onehot[idx])
            adam.update(params, grads)
            total += float(value) * len(idx)
        losses.append(total / len(x_train))
    return TrainResult(
        test_accuracy=float(np.mean(predict(params, x_test) == y_test)),
        train_accuracy=float(np.mean(predict(params, x_train) == y_train)),
        losses=losses, seconds=time.perf_counter() - start, params=params)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--epochs", type=positive_int, default=10,
                        help="passes over the training set")
    parser.add_argument("--channels", type=positive_int, nargs=2, default=(8, 16),
                        metavar=("C1", "C2"), help="feature maps of the two convolutions")
    parser.add_argument("--lr", type=positive, default=1e-2, help="Adam step size (positive)")
    parser.add_argument("--batch", type=positive_int, default=32, help="mini-batch size")
    parser.add_argument("--seed", type=seed, default=0,
                        help="data split, initialisation, batches")


def run(args: argparse.Namespace) -> int:
    """Compare gradients, train, print the figures; exit status 0 if test accuracy ≥ 90 %."""
    if importlib.util.find_spec("sklearn") is None:  # the optional `examples` extra
        raise UsageError("the convnet example needs scikit-learn: pip install "
                         "'gradproof[examples]' (or scikit-learn)")
    channels = tuple(args.channels)
    x_train, y_train, _, _ = load_data(args.seed)
    print(f"digits convnet: 8x8x1 -conv3x3-> 6x6x{channels[0]} -conv3x3-> 4x4x{channels[1]} "
          f"-pool-> 2x2x{channels[1]} -> 10, {len(x_train)} training images, seed {args.seed}")
    print(describe_agreement(loss, init_params(channels, args.seed),
                             images(x_train[:args.batch]), np.eye(10)[y_train[:args.batch]]))
    result = train(args.epochs, channels, args.lr, args.batch, args.seed)
    print(f"test accuracy {100 * result.test_accuracy:.1f} % (train "
          f"{100 * result.train_accuracy:.1f} %, chance 10 %), loss {result.losses[0]:.3f} "
          f"(first epoch) -> {result.losses[-1]:.3f} (last), {result.seconds:.1f} s for "
          f"{args.epochs} epochs")
    return 0 if result.test_accuracy >= 0.9 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
