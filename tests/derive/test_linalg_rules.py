"""The engine's linear-algebra rules run exactly on derive's arrays of rationals: np.linalg's inv,
det and solve called inside the rules are derive's exact versions, and the results equal the
float rules' to 1e-12.
"""

import numpy as np
import pytest
import sympy

import numeric
from derive.symbolic import as_sym
from numeric.cases import sample_inputs, standard_cases


@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "solve", "cholesky"])
def test_linear_algebra_rules_run_exactly_on_rational_matrices(name):
    op = numeric.get_op(name)
    case = standard_cases(op)[0]
    rng = np.random.default_rng(2)
    xs = [np.round(x * 4) / 4 for x in sample_inputs(op, case, rng)]
    if name == "cholesky":
        xs = [np.array([[4.0, 2.0], [2.0, 5.0]])]  # L = [[2, 0], [1, 2]]: rational
    g = np.round(rng.uniform(-1, 1, size=np.shape(op.fwd(*xs, **case.params))) * 4) / 4
    rat = [as_sym(np.vectorize(sympy.Rational, otypes=[object])(a)) for a in xs + [g]]
    out = (op.sym or op.fwd)(*rat[:-1], **case.params)
    for i in range(len(xs)):
        exact = np.asarray(op.vjp[i](rat[-1], out, *rat[:-1], **case.params), dtype=object)
        assert all(sympy.sympify(e).is_Rational for e in exact.ravel()), name
        want = op.vjp[i](g, op.fwd(*xs, **case.params), *xs, **case.params)
        np.testing.assert_allclose(exact.astype(float), want, rtol=1e-12, atol=1e-12)
