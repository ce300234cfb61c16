"""Rules with transcendental constants (ln 2, ln 10, π) are proved exactly, not to rounding:
the table's rules take them exact on symbols, and the same rule with a float constant is refuted."""

from __future__ import annotations

import math

import pytest

from derive import prove_rule
from derive.proof import Limits
from numeric.cases import Case

FLOAT_CONSTANT_RULES = {
    "log2": lambda g, out, x: g / (x * math.log(2)),
    "log10": lambda g, out, x: g / (x * math.log(10)),
    "exp2": lambda g, out, x: g * out * math.log(2),
    "deg2rad": lambda g, out, x: g * (math.pi / 180),
    "rad2deg": lambda g, out, x: g * (180 / math.pi),
}


@pytest.mark.parametrize("name", sorted(FLOAT_CONSTANT_RULES))
def test_the_table_rule_is_proved_and_a_float_constant_is_refuted(name):
    case = Case(((2,),))
    assert prove_rule(name, case).status == "proved"
    # SymPy may spend its whole budget failing to simplify log(2) against a float: the exact
    # rational spot checks then refute it (a short budget keeps the test quick)
    wrong = prove_rule(name, case, rule=(FLOAT_CONSTANT_RULES[name],),
                       limits=Limits(symbolic_seconds=0.5))
    assert wrong.status == "refuted", (wrong.status, wrong.detail)


@pytest.mark.parametrize("seed", [11, 14, 16])  # points where 1.0/3 as 6004799503160661/2⁵⁴ hung
def test_a_p_norms_root_is_exact_so_every_fresh_point_checks_quickly(seed):
    # the forward's 1/ord enters SymPy as the fraction 1/3, not the float's binary expansion,
    # whose power of a rational SymPy tried to expand for minutes at these points
    import numpy as np
    import sympy

    import numeric
    from derive.exact import exact_vjp, for_case, matches_forward, resolve
    from derive.symbolic import symbols

    op, case = numeric.get_op("norm"), Case(((2, 3),), {"axis": (0, 1), "ord": 3, "vector": True})
    out = op.fwd(symbols("x", (2, 3)), **case.params)
    assert sympy.Rational(1, 3) in np.asarray(out).item().atoms(sympy.Rational)
    exact = exact_vjp(op, case)
    assert matches_forward(for_case(resolve(op), case), exact, dict(case.params),
                           rng=np.random.default_rng(seed))
