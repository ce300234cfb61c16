"""autograd's ``test_util`` counterpart: ``check_grads``, the quick gradient check that programs
written for autograd call (``from autograd.test_util import check_grads`` becomes ``from
numeric.test_util import check_grads``).

``check_grads(f, modes=["rev"], order=2)(x)`` is a dot-product test against central differences:
for random directions ``u`` (shaped like x) and ``w`` (shaped like f(x)), ``<u, vjp(w)>`` must
match ``<w, (f(x + eps u/2) - f(x - eps u/2)) / eps>`` (reverse mode), and ``<w, jvp(u)>`` the
same difference (forward mode); at ``order`` > 1 the derivative function itself, ``(x, w) ->
vjp(w)`` (or ``(x, u) -> jvp(u)``), is checked the same way. Directions come from a seeded
generator, so a failure repeats. For the rigorous check — the exact symbolic gradient, Ridders'
extrapolation with an error bar — use ``verify.check_function``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from numeric.autodiff import _plain, make_vjp, nary
from numeric.functional import make_jvp
from numeric.structure import flatten

__all__ = ["check_grads"]

EPS = 1e-6  # the central-difference step
ATOL = 1e-6  # two inner products agree if within ATOL, or within RTOL of their sum
RTOL = 1e-6


def check_grads(fun: Callable[..., Any], argnum: Any = 0, modes: Iterable[str] = ("fwd", "rev"),
                order: int = 2, seed: int = 0) -> Callable[..., None]:
    """``check_grads(f, argnum=0, modes=("fwd", "rev"), order=2)(*args, **kwargs)``: raise
    AssertionError if f's derivatives (up to ``order``) at ``args[argnum]`` disagree with
    central differences.

    >>> import numeric.numpy as np
    >>> check_grads(lambda x: np.sum(np.sin(x) * x), modes=["rev"])(np.array([0.3, -1.2]))
    """
    modes = tuple(modes)
    unknown = [m for m in modes if m not in ("fwd", "rev")]
    if unknown or not modes:
        raise ValueError(f"check_grads: modes must be 'fwd' and/or 'rev', got {list(modes)}")
    bind = nary(fun, argnum)
    name = getattr(fun, "__name__", "f")

    def at(*args: Any, **kwargs: Any) -> None:
        unary, x = bind(args, kwargs)
        _check(unary, _floats(x, name), modes, order, name, np.random.default_rng(seed))

    return at


def _check(f: Callable[[Any], Any], x: Any, modes: tuple[str, ...], order: int, name: str,
           rng: np.random.Generator) -> None:
    """Each order in turn (a work list, not recursion): check ``f`` at ``x``, then queue the
    derivative functions at (x, direction) for the next order."""
    work = [(f, x, order, name)]
    while work:
        f, x, order, name = work.pop(0)
        y = _plain_tree(f(x))
        u, w = _direction(x, rng), _direction(y, rng)
        differences = _inner(w, _central(f, x, u))
        if "rev" in modes:
            vjp_fn, _ = make_vjp(f)(x)
            _agree(name, "VJP", _inner(u, _plain_tree(vjp_fn(w))), differences)
            if order > 1:
                work.append((lambda xw, f=f: make_vjp(f)(xw[0])[0](xw[1]), (x, w), order - 1,
                             f"vjp_{name}"))
        if "fwd" in modes:
            _agree(name, "JVP", _inner(w, _plain_tree(make_jvp(f)(x)(u)[1])), differences)
            if order > 1:
                work.append((lambda xu, f=f: make_jvp(f)(xu[0])(xu[1])[1], (x, u), order - 1,
                             f"jvp_{name}"))


def _agree(name: str, mode: str, exact: float, numeric: float) -> None:
    gap = abs(exact - numeric)
    if gap < ATOL or gap < RTOL * abs(exact + numeric):
        return
    raise AssertionError(f"check_grads: the {mode} of {name} disagrees with central differences "
                         f"(eps={EPS}) along a random direction: engine {exact!r}, differences "
                         f"{numeric!r} (atol={ATOL}, rtol={RTOL})")


def _central(f: Callable[[Any], Any], x: Any, u: Any) -> Any:
    xs, rebuild = flatten(x)
    us = flatten(u)[0]
    plus = _plain_tree(f(rebuild([a + 0.5 * EPS * d for a, d in zip(xs, us)])))
    minus = _plain_tree(f(rebuild([a - 0.5 * EPS * d for a, d in zip(xs, us)])))
    leaves, again = flatten(plus)
    return again([(p - m) / EPS for p, m in zip(leaves, flatten(minus)[0])])


def _direction(x: Any, rng: np.random.Generator) -> Any:
    leaves, rebuild = flatten(x)
    return rebuild([rng.standard_normal(np.shape(v)) for v in leaves])


def _inner(a: Any, b: Any) -> float:
    return float(sum(np.sum(np.asarray(p) * np.asarray(q))
                     for p, q in zip(flatten(a)[0], flatten(b)[0])))


def _plain_tree(x: Any) -> Any:
    leaves, rebuild = flatten(x)
    return rebuild([_plain(v) for v in leaves])


def _floats(x: Any, name: str) -> Any:
    """``x`` with every leaf a float array (integers promoted, as the directions are real)."""
    leaves, rebuild = flatten(x)
    out = []
    for v in leaves:
        a = np.asarray(_plain(v))
        if a.dtype.kind == "c":
            raise TypeError(f"check_grads({name}): complex input of shape {a.shape} is not "
                            "supported; check complex functions with verify.check_function")
        out.append(a if a.dtype.kind == "f" else a.astype(np.float64))
    return rebuild(out)
