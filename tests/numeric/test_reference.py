"""docs/ops.md is the op table, regenerated: it must equal what ``numeric.reference`` prints, and
every op's row shows its rules as the table writes them."""

from pathlib import Path

import numeric
from numeric.reference import markdown, rule_sources

DOCS = Path(__file__).resolve().parents[2] / "docs" / "ops.md"


def test_the_committed_reference_is_up_to_date():
    assert DOCS.read_text() == markdown(), (
        "docs/ops.md is stale: run `python -m numeric.reference > docs/ops.md`")


def test_every_op_has_a_row_with_one_rule_text_per_input():
    rules, page = rule_sources(), markdown()
    for name, op in numeric.all_ops().items():
        assert len(rules[name]) == op.nargs, name
        assert f"| `{name}` |" in page
    assert rules["matmul"] == ["_matmul_dx(g, x, y)", "_matmul_dy(g, x, y)"]
