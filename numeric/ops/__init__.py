"""The op table: every op's NumPy forward beside one VJP rule per input — the one declaration
of every op (forward, rules, kink convention, domain, kind and cases, NumPy call forms).

Read it like the seed notebook's derivations, side by side with code. Each rule is
``vjp(g, out, *xs, **params)`` — ``g`` the incoming cotangent, ``out`` the forward result,
``xs`` the inputs — and returns the cotangent of one input *before* broadcasting is undone
(``numeric.op.unbroadcast`` does that, in one place). Rules are plain NumPy calls on their
arguments, so the same rule runs on ndarrays (fast path), on Tensors (higher order) and on
arrays of SymPy symbols (``derive`` proves it). Each group's helpers and call binders (how
``np.var(x, axis, dtype, out, ddof)`` or ``t.reshape(2, 3)`` maps onto the op) follow it.
Nothing here imports SymPy: the few ``sym`` forwards import it when derive calls them.

Each group is one module of this package, registered in this order:
``elementwise``, ``products``, ``reductions``, ``layout``, ``linalg``; ``common`` holds what they
share. A new op is one ``register(Op(...))`` in its group.
``building`` and ``ordering`` (NumPy's building and ordering functions) register after
``linalg``; ``forms`` holds the NumPy call forms of the ``layout`` ops.
``parts`` and ``remainders`` (more elementwise ops), ``scans`` and ``statistics`` register last.
``einsum``, ``vectors``, ``norms``, ``decompositions`` and ``inverses`` (products, norms,
decompositions) register after them, in this order. ``scipy_linalg`` and ``scipy_signal``
(SciPy's functions, for ``numeric.scipy``) register last.
"""

from numeric.ops import elementwise, layout, linalg, products, reductions  # noqa: F401

from numeric.ops import building, ordering  # noqa: F401  # isort: skip (after linalg)
from numeric.ops import parts, remainders, scans, statistics  # noqa: F401  # isort: skip
from numeric.ops import einsum, vectors, norms, decompositions, inverses  # noqa: F401  # isort: skip
from numeric.ops import eig  # noqa: F401  # isort: skip
from numeric.ops import scipy_linalg, scipy_signal  # noqa: F401  # isort: skip (SciPy's, last)
from numeric.ops import special  # noqa: F401  # isort: skip (SciPy's special functions, last)

__all__: list[str] = []
