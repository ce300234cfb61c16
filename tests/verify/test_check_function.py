"""``check_function``: a whole NumPy function against its exact gradient and finite differences.

Meta-tests: a function reaching a user op whose rule is wrong must fail, with the engine named
the odd one out; calls the engine or derive cannot run are named, never passed.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric
import verify
from numeric import Domain, Op
from verify import function_exact
from verify.cli import main


def loss(w, x):
    """A two-layer regression loss."""
    return np.sum((np.tanh(x @ w) - 0.5) ** 2)


def _rng(seed=0):
    return np.random.default_rng(seed)


def test_a_correct_function_passes_three_ways_in_both_dtypes():
    r = verify.check_function(loss, _rng().normal(size=(3, 2)), _rng(1).normal(size=(4, 3)),
                              dtype=("float64", "float32"))
    assert r.ok, r.explain()
    assert [c.dtype for c in r.cases] == ["float64", "float32"]
    for case in r.cases:
        assert {c.check: c.verdict for c in case.checks} == {"symbolic": "pass", "fd": "pass"}
        assert case.agreement()["odd"] is None
        assert "f run on symbols" in case.get("symbolic").detail
    assert r.kind == "function" and r.doc == "A two-layer regression loss."


def test_a_matrix_valued_function_gets_a_seeded_cotangent():
    def gram(x):
        return np.exp(x @ x.T)

    x = _rng(2).normal(size=(2, 3))
    first, again = (verify.check_function(gram, x, seed=5) for _ in range(2))
    assert first.ok and first.cases[0].get("fd").error == again.cases[0].get("fd").error


@pytest.fixture
def wrong_cube_root():
    """A user op for np.cbrt whose rule is off by a factor 3/2 (2 / (3 out²) for 1 / (3 out²))."""
    op = numeric.register(Op("cbrt_wrong", np.cbrt, (lambda g, out, x: 2 * g / (3 * out * out),),
                             domain=(Domain(0.3, 2.0),), numpy=(np.cbrt,)))
    yield op
    numeric.unregister(op.name)


def _uses_cbrt(x):
    return np.sum(np.cbrt(x) * x)


def test_a_function_reaching_a_wrong_user_rule_fails_with_the_engine_odd_one_out(wrong_cube_root):
    x = np.array([0.5, 1.2, 1.7])  # cbrt is real there for SymPy too
    r = verify.check_function(_uses_cbrt, x)
    assert not r.ok
    case = r.cases[0]
    assert case.get("symbolic").verdict == "fail" and case.get("fd").verdict == "fail"
    assert case.agreement()["odd"] == "engine"
    # the diagnosis carries both values at the worst entries; the reference is the exact one
    worst = case.get("symbolic").diagnosis["worst"][0]
    k = worst["index"][0]
    exact = np.cbrt(x[k]) + x[k] / (3 * np.cbrt(x[k]) ** 2)  # d/dx x^{4/3} = 4/3 x^{1/3}
    assert worst["reference"] == pytest.approx(exact, rel=1e-12)
    with pytest.raises(AssertionError, match="_uses_cbrt .* symbolic failed"):
        verify.assert_function(_uses_cbrt, x)


def test_the_same_function_passes_once_the_rule_is_right():
    op = numeric.register(Op("cbrt_right", np.cbrt, (lambda g, out, x: g / (3 * out * out),),
                             domain=(Domain(0.3, 2.0),), numpy=(np.cbrt,)))
    try:
        assert verify.check_function(_uses_cbrt, np.array([0.5, 1.2, 1.7])).ok
    finally:
        numeric.unregister(op.name)


def test_a_call_derive_cannot_run_is_unavailable_and_named():
    def logabsdet(x):
        return np.linalg.slogdet(x)[1]

    r = verify.check_function(logabsdet, _rng(3).normal(size=(3, 3)) + 3 * np.eye(3))
    sym = r.cases[0].get("symbolic")
    assert sym.verdict == "unavailable" and "numpy.linalg.slogdet" in sym.detail
    assert r.cases[0].get("fd").verdict == "pass" and not r.ok


def test_a_call_the_engine_cannot_run_is_a_type_error_naming_it():
    def condition(x):  # np.linalg.cond has no record
        return np.linalg.cond(x @ x.T + np.eye(3))

    with pytest.raises(TypeError, match=r"numpy\.linalg\.cond is not supported"):
        verify.check_function(condition, _rng().normal(size=(3, 3)))


def test_the_exact_gradient_falls_back_to_the_inputs_and_says_so(monkeypatch):
    monkeypatch.setattr(function_exact, "SYMBOLIC_SECONDS", 1e-6)
    r = verify.check_function(loss, _rng().normal(size=(3, 2)), _rng(1).normal(size=(4, 3)))
    assert r.ok
    assert "one symbol t per entry" in r.cases[0].get("symbolic").detail


def test_argnums_selects_the_differentiated_arrays_and_bad_ones_are_refused():
    r = verify.check_function(loss, _rng().normal(size=(3, 2)), _rng(1).normal(size=(4, 3)),
                              argnums=1)
    assert r.ok and r.cases[0].params == {"argnums": "(1,)"}
    with pytest.raises(ValueError, match="argnums"):
        verify.check_function(loss, np.ones((3, 2)), np.ones((4, 3)), argnums=2)


@settings(max_examples=5)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=2), st.integers(0, 2 ** 16))
def test_any_small_shape_passes(shape, seed):
    def f(x):
        return np.sum(np.exp(np.sin(x)) * x)

    assert verify.check_function(f, _rng(seed).uniform(-1, 1, size=tuple(shape))).ok


# ---- gradproof verify --function ------------------------------------------------------------
MODULE = '''
import numpy as np

def loss(x, y):
    return np.sum((np.tanh(x @ y) - 0.5) ** 2)

def uses_cbrt(x):
    return np.sum(np.cbrt(x) * x)
'''


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    (tmp_path / "my_losses_for_cli.py").write_text(MODULE)
    monkeypatch.chdir(tmp_path)
    return "my_losses_for_cli"


def test_cli_checks_a_function_by_name(user_module, capsys, tmp_path):
    junit = tmp_path / "j.xml"
    assert main(["verify", "--function", f"{user_module}:loss", "--shapes", "x=3,2 y=2",
                 "--dtype", "float64", "--junit", str(junit)]) == 0
    out = capsys.readouterr().out
    assert "loss [x: 3x2 ; y: 2] float64" in out and "all three agree" in out
    assert "<testcase" in junit.read_text()


def test_cli_exit_1_on_a_wrong_rule(user_module, wrong_cube_root, capsys):
    assert main(["verify", "--function", f"{user_module}:uses_cbrt", "--shapes", "x=3",
                 "--range", "0.3,2", "--dtype", "float64"]) == 1
    assert "the engine's rule disagrees" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--function", "my_losses_for_cli:nope", "--shapes", "x=3"], "has no 'nope'"),
    (["--function", "no_such_module_here:f", "--shapes", "x=3"], "not found"),
    (["--function", "my_losses_for_cli:loss"], "needs --shapes"),
    (["--function", "my_losses_for_cli:loss", "--shapes", "x=3,a"], "non-negative integers"),
    (["--shapes", "x=3"], "goes with --function"),
    (["--function", "my_losses_for_cli:loss", "--shapes", "x=3", "--range", "2,1"], "below"),
])
def test_cli_usage_errors_exit_2(user_module, argv, message, capsys):
    assert main(["verify", *argv]) == 2
    assert message in capsys.readouterr().err
