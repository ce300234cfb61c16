"""Test helper for NumPy call forms on Tensors: one function ``f(k, *xs)`` written over a
namespace ``k`` runs three ways — NumPy on arrays (the reference values), the engine through
NumPy's dispatch on Tensors, and HIPS autograd (``k = autograd.numpy``) where it has the
function — and its first- and second-order gradients are compared.

The scalar differentiated is ``l = Σ w ⊙ sin(piece)`` over every piece ``f`` returns (a list
for split, a tuple for atleast_1d of several arrays), with fixed random weights ``w``: sin makes
the Hessian depend on where each entry went, so a wrong routing shows at second order too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numdiff_util import central_diff

import numeric

__all__ = ["pieces", "check_call"]


def pieces(out: Any) -> list[Any]:
    """The arrays a call returned: one, or each of a list or tuple (autograd boxes its lists)."""
    if isinstance(out, (list, tuple)) or type(out).__name__ == "SequenceBox":
        return [out[i] for i in range(len(out))]
    return [out]


def _values(out: Any) -> list[np.ndarray]:
    return [np.asarray(p.value if isinstance(p, numeric.Tensor) else p) for p in pieces(out)]


def check_call(f: Callable[..., Any], *xs: np.ndarray, seed: int = 0, autograd: bool = True,
               use: Sequence[int] | None = None, rtol: float = 1e-7) -> None:
    """Values, gradients (central differences, autograd) and Hessian-vector products of ``f``.

    ``use`` picks the pieces the loss reads (the others must then receive no gradient).
    """
    xs = tuple(np.asarray(x, dtype=np.float64) for x in xs)
    want = _values(f(np, *xs))
    got = _values(f(np, *(numeric.Tensor(x) for x in xs)))
    assert len(got) == len(want), f"{len(got)} pieces, NumPy returns {len(want)}"
    for a, b in zip(got, want):
        assert a.shape == b.shape, f"shape {a.shape}, NumPy gives {b.shape}"
        np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(seed)
    chosen = range(len(want)) if use is None else use
    w = {k: rng.normal(size=want[k].shape) for k in chosen}

    def loss(k, *a):
        parts = pieces(f(k, *a))
        return sum(k.sum(w[i] * k.sin(parts[i])) for i in chosen)

    nums = tuple(range(len(xs)))
    grads = numeric.grad(lambda *a: loss(np, *a), argnum=nums)(*xs)
    for i, x in enumerate(xs):
        fd = central_diff(lambda v, i=i: loss(np, *xs[:i], v, *xs[i + 1:]), x)
        np.testing.assert_allclose(grads[i], fd, rtol=1e-6, atol=1e-8,
                                   err_msg=f"input {i}: gradient vs central differences")
    vs = [rng.normal(size=x.shape) for x in xs]
    hvp = numeric.grad(lambda *a: sum(np.sum(g * v) for g, v in zip(
        numeric.grad(lambda *b: loss(np, *b), argnum=nums)(*a), vs)), argnum=nums)(*xs)
    eps = 1e-5
    up = numeric.grad(lambda *a: loss(np, *a), argnum=nums)(*(x + eps * v for x, v in zip(xs, vs)))
    down = numeric.grad(lambda *a: loss(np, *a), argnum=nums)(*(x - eps * v for x, v in zip(xs,
                                                                                            vs)))
    for i in nums:
        np.testing.assert_allclose(hvp[i], (up[i] - down[i]) / (2 * eps), rtol=1e-5, atol=1e-7,
                                   err_msg=f"input {i}: Hessian-vector product vs differences "
                                           "of the gradient")
    if autograd:
        _against_autograd(loss, xs, grads, vs, hvp, rtol)


def _against_autograd(loss, xs, grads, vs, hvp, rtol):
    import autograd
    import autograd.numpy as anp

    nums = tuple(range(len(xs)))
    ag = autograd.grad(lambda *a: loss(anp, *a), nums)
    want = ag(*xs)
    for i in nums:
        np.testing.assert_allclose(grads[i], want[i], rtol=rtol, atol=1e-12,
                                   err_msg=f"input {i}: gradient vs autograd")
    want2 = autograd.grad(lambda *a: sum(anp.sum(g * v) for g, v in zip(ag(*a), vs)), nums)(*xs)
    for i in nums:
        np.testing.assert_allclose(hvp[i], want2[i], rtol=rtol, atol=1e-12,
                                   err_msg=f"input {i}: Hessian-vector product vs autograd")
