"""``check_expression`` and ``assert_expression``: derive → implement → check, for a whole
expression.

derive gives the closed form of the gradient (or, for a non-scalar expression, the VJP with the
cotangent ``G``) and generates NumPy code for it; here that code is verified three ways at
random concrete sizes (at least two size sets, seeded, one with every dimension ≥ 3 and all
unequal), in float64: against the engine's gradient of the expression's forward (through
``numeric.vjp``) and against finite differences — with check_op's checks, three-way verdict and
diagnosis (:mod:`verify.expression_run`).

>>> import verify
>>> r = verify.check_expression("trace(X.T @ A @ X)", "X", "X=n,n A=n,n")   # doctest: +SKIP
>>> r.ok, r.cases[0].agreement()["text"]                                     # doctest: +SKIP
(True, "all three agree: the engine's rule, the symbolic derivation and finite differences")
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from verify import expression_derive as seam
from verify.expression_result import ExpressionResult
from verify.expression_run import expression_rng, run_random, run_sizes
from verify.options import Options

__all__ = ["check_expression", "assert_expression", "ExpressionResult"]

SIZE_SETS = 2  # random size sets per expression (the first: every dimension >= 3, unequal)


def check_expression(expr: str, wrt: str | Sequence[str], shapes: str | Mapping[str, Any],
                     sizes: Sequence[Mapping[str, int]] | Mapping[str, int] | None = None,
                     seed: int = 0, *, options: Options | None = None,
                     derivation: Any = None,
                     reference: Callable[[dict[str, Any], Any], dict[str, Any]] | None = None,
                     group: str = "user", title: str = "") -> ExpressionResult:
    """Derive ``expr``'s gradient with respect to ``wrt`` and verify the generated code.

    ``shapes``: ``"X=n,n A=n,n b=m"`` (letters are symbolic sizes, integers fixed; a 1-D name
    is a vector). ``sizes``: the size sets to check at, e.g. ``[{"n": 3}, {"n": 5}]``
    (default: ``SIZE_SETS`` random ones from ``seed``). ``derivation``: derive's result, when
    already made (or a planted one, in a test). ``reference(xs, g)``: a published closed form
    (``{name: array}``) the generated gradient must also match. Raises ValueError for an
    expression derive refuses (its message points at the place).

    >>> check_expression("a @ X @ b", "X", "a=m X=m,n b=n").ok       # doctest: +SKIP
    True
    """
    start = time.perf_counter()
    names = _names(wrt)
    shape_of = seam.parse_shapes(shapes)
    missing = [w for w in names if w not in shape_of]
    if missing:
        raise ValueError(f"check_expression({expr!r}): wrt {missing[0]!r} has no shape in "
                         f"{_text(shape_of)!r}")
    result = (derivation if derivation is not None
              else seam.derive_expression(expr, names, shapes, seed))
    options = options or Options()
    forward, gradient = seam.forward_of(result), seam.gradient_of(result, names)
    if sizes is None:
        cases = run_random(forward, gradient, names, shape_of, seed, expr, options, SIZE_SETS,
                           reference)
    else:
        sets = [dict(sizes)] if isinstance(sizes, Mapping) else [dict(s) for s in sizes]
        cases = [run_sizes(forward, gradient, names, shape_of, s, expression_rng(seed, expr, k),
                           options, reference) for k, s in enumerate(sets)]
    try:
        data = seam.data_of(result, names)
    except Exception as e:  # noqa: BLE001 - a planted result without derive's record, say
        data = {"status": "unavailable", "why": f"{type(e).__name__}: {e}"}
    return ExpressionResult(expr, names, _text(shape_of), seed, data, cases,
                            time.perf_counter() - start, group, title)


def assert_expression(expr: str, wrt: str | Sequence[str], shapes: str | Mapping[str, Any],
                      **kwargs: Any) -> ExpressionResult:
    """Like :func:`check_expression`, but raise AssertionError with the diagnosis on a failure.

    >>> assert_expression("logdet(X)", "X", "X=n,n")                   # doctest: +SKIP
    """
    result = check_expression(expr, wrt, shapes, **kwargs)
    if not result.ok:
        raise AssertionError(result.explain())
    return result


def _names(wrt: str | Sequence[str]) -> list[str]:
    names = [w.strip() for w in (wrt.split(",") if isinstance(wrt, str) else wrt)]
    names = list(dict.fromkeys(w for w in names if w))
    if not names:
        raise ValueError(f"wrt {wrt!r} names nothing to differentiate with respect to")
    return names


def _text(shape_of: Mapping[str, tuple[Any, ...]]) -> str:
    return " ".join(f"{k}={','.join(map(str, v))}" for k, v in shape_of.items())
