"""Zero false failures on correct ops: the whole table, both dtypes, over many seeds.

The symbolic check runs in the suite tests with derive's cache; here the numeric checks run
over several seeds, so every op meets many random inputs and cotangents.
"""

import pytest

import numeric
import verify
from verify.checks import Options

NUMERIC = Options(checks=("fd", "adjoint", "raw_shape", "kink", "taylor"))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_whole_suite_passes_for_seed(seed):
    r = verify.run_suite(seed=seed, options=NUMERIC)
    bad = [o.explain() for o in r.ops if not o.ok]
    assert not bad, "\n".join(bad)
    unsure = [(o.op, c.case, c.dtype, k.check) for o in r.ops for c in o.cases
              for k in c.checks if k.verdict == "unreliable"]
    assert len(unsure) <= 2, unsure


# One test per op, so that the two test workers share the table's proofs (cold, they are most
# of this file's cost). Every op must pass, with at least one case checked exactly by derive
# (no op passes on proofs skipped as too large).
@pytest.mark.parametrize("name", list(numeric.all_ops()))
def test_every_op_passes_with_symbolic_checks(name):
    r = verify.run_suite(ops=[name], seed=0, dtypes=("float64",))
    assert r.ok, "\n".join(o.explain() for o in r.ops if not o.ok)
    statuses = [p["status"] for o in r.ops for p in o.proof]
    assert {"proved", "spot-checked"} & set(statuses), statuses
