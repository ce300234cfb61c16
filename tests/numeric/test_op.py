"""The op record and registry: user-registered ops behave exactly like built-ins; registry errors
are clear; the package's layering (``import numeric`` needs only NumPy) holds.
"""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numdiff_util import assert_vjp_matches_fd, central_diff, count_vjp_calls

import numeric
from numeric import Domain, Op, Tensor
from numeric.cases import Case, sample_inputs, standard_cases
from verify import strategies as vs


@pytest.fixture
def user_ops():
    """Register two user ops for one test and remove them afterwards."""
    cbrt = Op("user_cbrt", np.cbrt, (lambda g, out, x: g / (3 * out * out),),
              domain=(Domain(0.3, 2.0),), numpy=(np.cbrt,), doc="out = x ** (1/3)")
    hypot = Op("user_hypot", np.hypot, (lambda g, out, x, y: g * x / out,
                                        lambda g, out, x, y: g * y / out),
               domain=(Domain(0.5, 2.0), Domain(0.5, 2.0)), numpy=(np.hypot,),
               doc="out = (x² + y²) ** 0.5")
    fns = [numeric.register(cbrt), numeric.register(hypot)]
    yield cbrt, hypot, fns
    for name in ("user_cbrt", "user_hypot"):
        numeric.unregister(name)


def test_user_ops_behave_like_built_ins(user_ops):
    cbrt, hypot, (cbrt_fn, hypot_fn) = user_ops
    assert numeric.get_op("user_cbrt") is cbrt and "user_hypot" in numeric.all_ops()
    x, y = Tensor([1.0, 8.0]), Tensor([2.0, 0.5])
    # through the returned function, through NumPy dispatch, and by name
    for out in (cbrt_fn(x), np.cbrt(x), numeric.apply("user_cbrt", x)):
        assert isinstance(out, Tensor) and out.op is cbrt
    (np.cbrt(x) + np.hypot(x, y) * hypot_fn(x, 1.0)).sum().backward()
    f = lambda a, b: np.cbrt(a) + np.hypot(a, b) * np.hypot(a, 1.0)  # noqa: E731
    np.testing.assert_allclose(x.grad, central_diff(lambda v: f(v, y.value).sum(), x.value),
                               rtol=1e-7)
    np.testing.assert_allclose(y.grad, central_diff(lambda v: f(x.value, v).sum(), y.value),
                               rtol=1e-7)
    # grad-of-grad, standard cases and hypothesis strategies work for it like for any op
    d2 = numeric.grad(lambda t: numeric.grad(lambda u: np.cbrt(u).sum())(t).sum())(np.array([8.0]))
    np.testing.assert_allclose(d2, [-2 / 9 * 8.0 ** (-5 / 3)], rtol=1e-12)
    assert standard_cases(hypot) and sample_inputs(hypot, standard_cases(hypot)[0],
                                                   np.random.default_rng(0))


def test_a_user_op_is_checked_by_the_table_driven_machinery(user_ops):
    cbrt, hypot, _ = user_ops

    @settings(max_examples=15)
    @given(st.data())
    def check(data):
        op = data.draw(st.sampled_from([cbrt, hypot]))
        case, xs = data.draw(vs.op_inputs(op))
        assert_vjp_matches_fd(op, xs, case.params, where=str(case))

    check()


def test_a_user_op_gets_the_same_vjp_call_accounting(user_ops):
    with count_vjp_calls("user_hypot") as counts:
        x = Tensor(3.0)
        np.hypot(x, 4.0).backward()
    assert counts == {"user_hypot": 1} and float(x.grad) == pytest.approx(0.6)


def test_registering_twice_needs_replace():
    op = numeric.get_op("exp")
    with pytest.raises(ValueError, match="'exp' is already registered"):
        numeric.register(Op("exp", np.exp, (lambda g, out, x: g * out,)))
    numeric.register(op, replace=True)
    assert numeric.get_op("exp") is op


def test_registry_errors_are_clear():
    with pytest.raises(TypeError, match="Op record"):
        numeric.register(lambda x: x)
    with pytest.raises(ValueError, match="no VJP rule"):
        numeric.register(Op("no_rules", np.exp, ()))
    with pytest.raises(KeyError, match="no op named 'nope'.*known ops:.*exp"):
        numeric.get_op("nope")
    with pytest.raises(KeyError, match="nope"):
        numeric.apply("nope", 1.0)


def test_all_ops_is_a_copy():
    table = numeric.all_ops()
    table.pop("exp")
    assert "exp" in numeric.all_ops()


def test_every_op_is_a_complete_record():
    for name, op in numeric.all_ops().items():
        assert op.name == name and callable(op.fwd)
        assert op.vjp and any(r is not None for r in op.vjp), name
        assert len(op.domains()) == op.nargs, name
        assert op.doc, f"{name} has no doc line"
        if op.kink is not None:
            assert op.kink.text and callable(op.kink.place), name


def test_every_op_has_standard_cases_that_run():
    rng = np.random.default_rng(0)
    for name, op in numeric.all_ops().items():
        cases = standard_cases(op)  # a KeyError names an op without cases
        assert cases, name
        for case in cases:
            assert isinstance(case, Case)
            bound = op if len(case.shapes) == op.nargs else op.arity(len(case.shapes))
            xs = sample_inputs(bound, case, rng)
            bound.fwd(*xs, **case.params)


def test_sample_inputs_stay_in_the_domain_and_away_from_avoided_points():
    rng = np.random.default_rng(1)
    for name, op in numeric.all_ops().items():
        for case in standard_cases(op):
            bound = op if len(case.shapes) == op.nargs else op.arity(len(case.shapes))
            for x, dom in zip(sample_inputs(bound, case, rng), bound.domains()):
                if dom.kind != "real":
                    continue
                assert np.all((x >= dom.low) & (x <= dom.high)) or dom.avoid, (name, x)
                for a in dom.avoid:
                    assert np.all(np.abs(x - a) >= dom.margin), (name, x, a)


def test_import_numeric_needs_only_numpy():
    code = ("import sys, numeric; bad = [m for m in ('graphviz', 'sympy', 'derive', 'verify', "
            "'hypothesis', 'jinja2') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_public_surface():
    for name in numeric.__all__:
        assert hasattr(numeric, name), name
    assert isinstance(numeric.__version__, str)


def test_the_distribution_installs_numpy_alone_for_the_engine():
    tomllib = pytest.importorskip("tomllib")
    from pathlib import Path

    meta = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    project = meta["project"]
    assert [d.split(">")[0] for d in project["dependencies"]] == ["numpy"]
    extras = project["optional-dependencies"]
    assert any(d.startswith("sympy") for d in extras["derive"])
    assert any("derive" in d for d in extras["verify"])
    assert "numeric.kinds" in meta["tool"]["setuptools"]["packages"]
