"""The two records that say which shapes fit an op: :class:`Case` and :class:`Kind`.

A ``Case`` is one set of input shapes with the op's parameters; a ``Kind`` groups everything
that depends on what kind of op it is (elementwise, matmul, reduction, ...): its default cases,
its hypothesis strategy, the shape model of its raw rules, and whether it is elementwise. The
kinds themselves live in ``numeric.kinds``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numeric.op import Op

__all__ = ["Case", "Kind"]


@dataclass(frozen=True)
class Case:
    """Input shapes and op parameters, with a label saying what the case exercises."""

    shapes: tuple[tuple[int, ...], ...]
    params: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    def __str__(self) -> str:
        shapes = " ; ".join("x".join(map(str, s)) if s else "()" for s in self.shapes)
        extra = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{shapes}" + (f" [{extra}]" if extra else "")


@dataclass(frozen=True, eq=False)
class Kind:
    """A kind of op — which shapes and parameters fit it — in one object (``numeric.kinds``).

    ``cases(op)`` gives the default shape cases (an op's own ``cases`` win); ``strategy(op,
    max_dims, max_side)`` a hypothesis strategy of random cases (it imports hypothesis when
    called; None: sample the standard cases); ``raw_shape(op, xs, out, i)`` the largest shape
    input ``i``'s raw rule may return before ``unbroadcast`` (None: whatever unbroadcast accepts);
    ``elementwise``: the output's entries each depend on the matching input entries only;
    ``align(base, out)``: ``out``, the forward at a point near the one that gave ``base``, in
    ``base``'s gauge (an eigendecomposition's order and phases), for finite differences of a
    forward whose outputs are defined only up to such a choice (None: compared as they are).
    """

    name: str
    cases: Callable[[Op], tuple[Case, ...]]
    strategy: Callable[[Op, int, int], Any] | None = None
    raw_shape: Callable[[Op, list[np.ndarray], np.ndarray, int], tuple[int, ...] | None] | None \
        = None
    elementwise: bool = False
    align: Callable[[Any, Any], Any] | None = None

    def __repr__(self) -> str:
        return f"Kind({self.name!r})"


