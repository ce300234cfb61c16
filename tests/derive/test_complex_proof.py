"""derive on complex symbols: holomorphic rules proved against ∂l/∂x − i ∂l/∂y (autograd's
convention), a conjugated rule refuted, and the ops SymPy cannot run said so, with why."""

import dataclasses

import numpy as np
import pytest

from derive.complex_proof import prove_complex
from numeric import get_op
from numeric.cases import standard_cases


def _case(name, k=0):
    return standard_cases(get_op(name))[k]


@pytest.mark.parametrize("name, k", [("multiply", 5), ("divide", 0), ("exp", 1), ("log", 0),
                                     ("sqrt", 0), ("tanh", 0), ("arcsin", 0), ("matmul", 0),
                                     ("sum", 2), ("getitem", 0), ("cumprod", 1),
                                     ("softmax", 0)])
def test_holomorphic_rules_are_proved(name, k):
    p = prove_complex(name, _case(name, k))
    assert p.status == "proved", p


@pytest.mark.parametrize("name, which, rule", [
    ("multiply", 1, lambda g, out, x, y: g * np.conjugate(x)),  # PyTorch's convention
    ("exp", 0, lambda g, out, x: g * np.conjugate(out)),
    ("divide", 1, lambda g, out, x, y: g * out / y),  # a sign error, for contrast
])
def test_a_wrong_rule_is_refuted(name, which, rule):
    op = get_op(name)
    vjp = list(op.vjp)
    vjp[which] = rule
    mutant = dataclasses.replace(op, name=f"{name}_mutant", vjp=tuple(vjp))
    p = prove_complex(mutant, _case(name))
    assert p.status == "refuted", p


@pytest.mark.parametrize("name, why", [
    ("abs", "not holomorphic"), ("conjugate", "not holomorphic"),
    ("real", "does not run faithfully"), ("angle", "does not run faithfully"),
    ("where", "boolean input"), ("maximum", "does not declare complex=True"),
])
def test_what_cannot_be_proved_says_why(name, why):
    p = prove_complex(name, _case(name))
    assert p.status == "unavailable" and why in p.detail, p


def test_a_rule_that_branches_on_the_dtype_is_not_proved_on_its_real_branch():
    """arccosh's real-number form 1/sqrt(x² - 1) equals the complex derivative only for Re x > 0:
    a rule taking it on real arrays and the right form on complex ones must not be "proved" from
    the branch an array of symbols runs (the real one)."""
    op = get_op("arccosh")
    mutant = dataclasses.replace(op, name="arccosh_branching", vjp=(
        lambda g, out, x: g / (np.sqrt(x - 1) * np.sqrt(x + 1)) if np.iscomplexobj(x)
        else g / np.sqrt(x * x - 1),))
    p = prove_complex(mutant, _case("arccosh", 1))
    assert p.status == "unavailable" and "branches on np.iscomplexobj" in p.detail, p
    assert prove_complex("arccosh", _case("arccosh", 1)).status == "proved"


def test_a_forward_sympy_cannot_evaluate_on_complex_values_is_unavailable_not_a_crash():
    """softmax's NumPy forward shifts by a Max, which SymPy refuses on complex values."""
    op = dataclasses.replace(get_op("softmax"), name="softmax_shifted", sym=None)
    p = prove_complex(op, _case("softmax"))
    assert p.status == "unavailable" and "does not run faithfully" in p.detail, p


def test_a_stored_proof_is_not_served_to_a_rule_that_computes_otherwise():
    """Two rules from one factory share their bytecode (the proof key's part for the rule):
    the right one's proof was served to the wrong one, from memory and from the store."""
    def scaled(c):
        return lambda g, out, x: g * out * c

    op = get_op("exp")
    right, wrong = (dataclasses.replace(op, vjp=(scaled(c),)) for c in (1.0, 2.0))
    assert prove_complex(right, _case("exp")).status == "proved"
    assert prove_complex(wrong, _case("exp")).status == "refuted"
    assert prove_complex(right, _case("exp")).status == "proved"


def test_a_nan_difference_at_a_spot_point_is_not_zero():
    """max() over [0, nan] is 0 and nan > 1e-30 is False: either order was 'spot-checked'."""
    import sympy as sp

    from derive.complex_proof import ComplexProof, _spot

    def say(status, detail):
        return ComplexProof("exp", "2", status, detail)

    x = sp.Symbol("x0_0", real=True)
    for diffs in ([sp.Integer(0) * x, sp.nan + x], [sp.nan + x, sp.Integer(0) * x]):
        assert _spot(say, diffs, _case("exp"), get_op("exp"), 2, 0).status == "refuted"
    assert _spot(say, [x - x, 0 * x], _case("exp"), get_op("exp"), 2, 0).status == \
        "spot-checked"
