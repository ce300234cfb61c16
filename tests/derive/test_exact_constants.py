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
