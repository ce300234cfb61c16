"""Porting autograd code that extends autograd (issue 11): a program using ``autograd.extend``
and ``autograd.misc`` runs on gradproof once its imports say ``numeric`` instead of
``autograd``, and computes the same numbers (compare ``test_port_autograd.py``)."""

from __future__ import annotations

import re
import textwrap

import numpy as onp
import pytest

import numeric
from numeric.misc import flatten

pytest.importorskip("autograd")

PROGRAM = """
    import autograd.numpy as np
    from autograd import grad
    from autograd.extend import primitive, defvjp
    from autograd.misc import flatten
    from autograd.misc.optimizers import adam

    @primitive
    def logsumexp(x):
        top = np.max(x, axis=1, keepdims=True)
        return top + np.log(np.sum(np.exp(x - top), axis=1, keepdims=True))

    def logsumexp_vjp(ans, x):
        return lambda g: g * np.exp(x - ans)

    defvjp(logsumexp, logsumexp_vjp)

    rs = np.random.RandomState(0)
    inputs = rs.randn(12, 3)
    targets = np.eye(4)[rs.randint(0, 4, size=12)]

    def log_likelihood(params, i):
        scores = np.dot(inputs, params["W"]) + params["b"]
        return np.sum((scores - logsumexp(scores)) * targets)

    def objective(params, i):
        return -log_likelihood(params, i) + 0.01 * np.sum(flatten(params)[0] ** 2)

    losses = []

    def record(params, i, g):
        losses.append(objective(params, i))

    init = {"W": 0.1 * rs.randn(3, 4), "b": np.zeros(4)}
    trained = adam(grad(objective), init, callback=record, num_iters=40, step_size=0.1)
    curvature = grad(lambda b: grad(objective)({"W": trained["W"], "b": b}, 0)["b"][0])(
        trained["b"])
    result = (trained, losses, curvature)
"""


def port(source: str) -> str:
    """Every import of autograd, and nothing else, now of numeric."""
    ported = re.sub(r"^(import|from) autograd\b", r"\1 numeric", source, flags=re.M)
    assert "autograd" not in ported and len(ported.splitlines()) == len(source.splitlines())
    return ported


def run(source: str) -> object:
    before = set(numeric.all_ops())
    scope: dict = {"__name__": "program"}
    try:
        exec(compile(source, "<program>", "exec"), scope)
    finally:  # the program's primitives leave the op table as it was
        for name in set(numeric.all_ops()) - before:
            numeric.unregister(name)
    return scope["result"]


def test_a_program_extending_autograd_runs_after_changing_its_imports():
    source = textwrap.dedent(PROGRAM)
    got, want = run(port(source)), run(source)
    got_flat, want_flat = flatten(got)[0], flatten(want)[0]
    onp.testing.assert_allclose(got_flat, want_flat, rtol=1e-10, atol=1e-12)
    assert want[1][-1] < 0.8 * want[1][0]  # the program trains: the comparison is not vacuous


def test_the_rewrite_changes_only_imports():
    source = "import autograd.numpy as np\nfrom autograd.extend import defvjp\nx = 'autograd'\n"
    with pytest.raises(AssertionError):
        port(source)
    assert port(source.replace("'autograd'", "1")) == (
        "import numeric.numpy as np\nfrom numeric.extend import defvjp\nx = 1\n")
