"""A scaled-dot-product attention block on the engine, and its gradients put through ``verify``.

The block (one head, pre-norm, residual), for a sequence ``x`` of shape (T, d)::

    h = layer_norm(x)                      (mean / var along the features)
    q, k, v = h Wq, h Wk, h Wv
    a = softmax(q kᵀ / √d + mask)          (a causal mask: -1e9 above the diagonal)
    out = x + a v Wo

Written with plain NumPy calls, so the same function runs on arrays (no gradient) and on
Tensors (the engine differentiates it). :func:`block_op` wraps it as an ``Op`` whose VJP rules
are the engine's gradients, so ``verify.check_op`` cross-checks them against finite
differences (the Ridders / complex-step estimates with error bars) and the adjoint test::

    gradproof attention --seq 5 --dim 4
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

import numeric
from numeric import Op
from numeric.kinds import OTHER
from verify.cli_args import positive_int, seed

__all__ = ["attention", "layer_norm", "block", "init_params", "block_op", "check", "main"]


def layer_norm(x: Any, eps: float = 1e-5) -> Any:
    """``(x - mean) / sqrt(var + eps)`` along the last axis."""
    mean = np.mean(x, axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(np.var(x, axis=-1, keepdims=True) + eps)


def attention(q: Any, k: Any, v: Any, causal: bool = True) -> Any:
    """``softmax(q kᵀ / √d + mask) v`` for (..., T, d) queries, keys and values."""
    d = np.shape(q)[-1]
    scores = np.matmul(q, np.swapaxes(k, -1, -2)) / np.sqrt(d)
    if causal:
        t = np.shape(q)[-2]
        scores = scores + np.triu(np.full((t, t), -1e9), k=1)
    return np.matmul(numeric.softmax(scores, axis=-1), v)


def block(x: Any, wq: Any, wk: Any, wv: Any, wo: Any) -> Any:
    """The attention block: ``x + attention(LN(x) Wq, LN(x) Wk, LN(x) Wv) Wo``."""
    h = layer_norm(x)
    return x + np.matmul(attention(np.matmul(h, wq), np.matmul(h, wk), np.matmul(h, wv)), wo)


def init_params(seq: int = 5, dim: int = 4, seed: int = 0) -> list[np.ndarray]:
    """``[x, Wq, Wk, Wv, Wo]``: a random sequence and weights with variance 1/dim."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(seq, dim))
    return [x] + [rng.normal(0.0, dim ** -0.5, size=(dim, dim)) for _ in range(4)]


def _value(a: Any) -> np.ndarray:
    return a.value if isinstance(a, numeric.Tensor) else np.asarray(a)


def block_op() -> Op:
    """The block as an ``Op``: NumPy forward, and per input the engine's VJP of the block."""

    def rule(i: int):
        def vjp_i(g, out, *xs):
            _, vjp_fn = numeric.vjp(block, *xs)
            return vjp_fn(g)[i]
        return vjp_i

    return Op("attention_block", lambda *xs: _value(block(*xs)), tuple(rule(i) for i in range(5)),
              kind=OTHER, doc="x + softmax(LN(x)Wq (LN(x)Wk)ᵀ/√d + mask) LN(x)Wv Wo")


def check(seq: int = 5, dim: int = 4, seed: int = 0, dtype: str = "float64") -> Any:
    """``verify.check_op`` on the block at random inputs: FD, adjoint, raw-shape, Taylor."""
    import verify

    options = verify.Options(checks=("fd", "adjoint", "raw_shape", "taylor"))
    return verify.check_op(block_op(), *init_params(seq, dim, seed), seed=seed, dtype=dtype,
                           options=options)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seq", type=positive_int, default=5, help="sequence length T")
    parser.add_argument("--dim", type=positive_int, default=4, help="feature size d")
    parser.add_argument("--seed", type=seed, default=0, help="inputs and checks")


def run(args: argparse.Namespace) -> int:
    """Check the block's gradients; print one line per check; exit status 0 if all pass."""
    result = check(args.seq, args.dim, args.seed)
    names = ["x", "Wq", "Wk", "Wv", "Wo"]
    for case in result.cases:
        for c in case.checks:
            err = "-" if c.error is None else f"{c.error:.2e}"
            tol = "-" if c.tol is None else f"{c.tol:.1e}"
            print(f"attention block T={args.seq} d={args.dim} ({', '.join(names)}): "
                  f"{c.check:9s} {c.verdict:10s} error {err} tol {tol}  {c.detail}")
    print("all gradients verified" if result.ok else result.explain())
    return 0 if result.ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
