"""``check_op`` / ``assert_op`` on built-in and user ops; the suite's data and determinism."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import numeric
import verify
from numeric import Domain, Kink, Op
from verify.checks import Options
from verify.results import CHECKS, SCHEMA

ROOT = Path(__file__).resolve().parents[2]

# A user op with a correct rule: softsign x / (1 + |x|), d/dx = 1 / (1 + |x|)².
SOFTSIGN = Op("user_softsign", lambda x: x / (1 + np.abs(x)),
              (lambda g, out, x: g / (1 + np.abs(x)) ** 2,),
              domain=(Domain(-2.0, 2.0, avoid=(0.0,)),), doc="out = x / (1 + |x|)")
# The same op with a rule that forgot the square.
WRONG = Op("user_softsign_wrong", SOFTSIGN.fwd, (lambda g, out, x: g / (1 + np.abs(x)),),
           domain=SOFTSIGN.domain)
# A forward SymPy cannot run (it converts to float): the symbolic check is not possible, which
# is "unavailable" — never a pass.
OPAQUE = Op("user_opaque", lambda x: np.sin(np.asarray(x, dtype=np.float64)),
            (lambda g, out, x: g * np.cos(x),))


def test_check_op_on_shapes_arrays_and_standard_cases():
    r = verify.check_op("multiply", (2, 3), (3,), seed=1)
    assert r.ok and len(r.cases) == 1 and r.cases[0].shapes == [[2, 3], [3]]
    x = np.linspace(0.5, 1.5, 6).reshape(2, 3)
    r = verify.check_op("log", x)
    assert r.ok and r.cases[0].label == "given arrays"
    r = verify.check_op("sum", (2, 3, 4), params={"axis": (0, 2)})
    assert r.ok and r.cases[0].params == {"axis": "(0, 2)"}
    r = verify.check_op("matmul")
    assert r.ok and len(r.cases) == len(numeric.cases.standard_cases(numeric.get_op("matmul")))
    assert [c.check for c in r.cases[0].checks] == list(CHECKS)


def test_user_op_without_registration_and_symbolic_status():
    r = verify.check_op(SOFTSIGN, (2, 3), options=Options(checks=("fd", "taylor", "adjoint")))
    assert r.ok, r.explain()
    r = verify.check_op(OPAQUE, (3,))
    sym = r.cases[0].get("symbolic")
    assert sym.verdict == "unavailable" and sym.detail  # says why it was not possible
    assert not r.ok and "symbolic unavailable" in r.explain()
    assert r.cases[0].get("fd").verdict == "pass"  # the rule is right; it is just not proved


def test_assert_op_raises_with_the_diagnosis():
    with pytest.raises(AssertionError) as info:
        verify.assert_op(WRONG, (2, 3), options=Options(checks=("fd", "adjoint", "taylor")))
    text = str(info.value)
    assert "user_softsign_wrong" in text and "fd failed" in text and "engine" in text
    verify.assert_op(SOFTSIGN, (3,), options=Options(checks=("fd",)))


def test_a_registered_user_op_joins_like_a_built_in():
    op = Op("user_cube_test_api", lambda x: x ** 3, (lambda g, out, x: 3 * g * x * x,),
            kink=None)
    numeric.register(op, replace=True)
    try:
        r = verify.run_suite(["user_cube_test_api"], dtypes=("float64",))
        assert r.ok and r.ops[0].op == "user_cube_test_api"
    finally:
        numeric.op._REGISTRY.pop("user_cube_test_api", None)


def test_bad_input_names_the_op():
    with pytest.raises(ValueError, match="multiply.*2 inputs"):
        verify.check_op("multiply", (2, 3))
    with pytest.raises(KeyError, match="no_such_op"):
        verify.check_op("no_such_op")
    with pytest.raises(ValueError, match=r"add.*forward fails.*input 1: \(3,\)"):
        verify.check_op("add", np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="dtype 'int32' is not supported"):
        verify.check_op("add", (2,), (2,), dtype="int32")
    broken = Op("user_broken", lambda x: np.reshape(x, (5,)), (lambda g, out, x: g,))
    r = verify.check_op(broken, (2, 3))
    assert not r.ok and "forward raised" in r.cases[0].checks[0].detail


def test_float32_is_judged_against_float64_with_its_own_tolerance():
    r64 = verify.check_op("tanh", (2, 3), dtype="float64")
    r32 = verify.check_op("tanh", (2, 3), dtype="float32")
    t64, t32 = r64.cases[0].get("fd").tol, r32.cases[0].get("fd").tol
    assert r64.ok and r32.ok and t32 > 1e3 * t64


def test_suite_is_identical_whatever_the_job_count():
    ops = ["add", "matmul", "maximum", "sum", "getitem"]
    one = verify.run_suite(ops, seed=3, jobs=1).to_dict()
    two = verify.run_suite(ops, seed=3, jobs=2).to_dict()
    for d in (one, two):
        d.pop("created"), d.pop("environment")
    assert one == two
    other = verify.run_suite(["add"], seed=4, dtypes=("float64",)).to_dict()
    assert other["seed"] == 4


def test_results_json_follows_the_schema():
    d = json.loads(json.dumps(verify.run_suite(["maximum", "exp"]).to_dict()))
    assert d["schema"] == SCHEMA and d["summary"]["ok"] is True
    assert set(d["environment"]) == {"python", "numpy", "sympy", "platform", "cpus"}
    assert set(d["summary"]["checks"]) == {"pass", "fail", "unreliable", "skipped",
                                           "unavailable"}
    op = d["ops"][0]
    assert set(op) == {"op", "doc", "kink", "kind", "proof", "cases"}
    assert op["kink"] and op["proof"] and op["proof"][0]["status"] in ("proved", "spot-checked")
    case = op["cases"][0]
    assert set(case) == {"case", "label", "shapes", "params", "dtype", "checks", "agreement"}
    assert {c["check"] for c in case["checks"]} == set(CHECKS)
    assert {c["verdict"] for c in case["checks"]} <= {"pass", "fail", "unreliable", "skipped"}
    assert {c["dtype"] for c in op["cases"]} == {"float64", "float32"}


def test_cli_plugin_exit_status(tmp_path):
    """A passing plugin op exits 0, an unknown op 2 (a failing one exits 1 with its JSON and
    JUnit files: test_cli.py's plugin test, which runs that command)."""
    (tmp_path / "my_ops.py").write_text(textwrap.dedent('''
        import numpy as np
        import numeric
        numeric.register(numeric.Op("plugin_cube", lambda x: x ** 3,
                                    (lambda g, out, x: 3 * g * x * x,)))
    '''))
    def run(*args):  # this checkout's packages, run from the plugin's directory
        return subprocess.run([sys.executable, "-m", "verify.cli", "verify", *args],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    good = run("--plugin", "my_ops", "--ops", "plugin_cube", "--jobs", "2")
    assert good.returncode == 0, good.stdout + good.stderr
    assert run("--ops", "nope").returncode == 2


def test_a_kink_is_reported_as_a_kink():
    op = Op("user_relu_half", lambda x: np.maximum(x, 0),
            (lambda g, out, x: g * (np.sign(x) + 1) / 2,),
            kink=Kink("relu'(0) = 1/2", place=lambda x: (np.zeros_like(x),), slope=(0.5,)),
            domain=(Domain(-2.0, 2.0, avoid=(0.0,)),))
    r = verify.check_op(op, (2, 3))
    k = r.cases[0].get("kink")
    assert r.ok and k.verdict == "pass" and "located" in k.detail


def test_large_inputs_use_projections_and_localise_on_failure():
    r = verify.check_op("multiply", (10, 10), (10,), options=Options(checks=("fd",)))
    fd = r.cases[0].get("fd")
    assert r.ok and "directional" in fd.detail
    from verify.mutants import mutants

    m = next(m for m in mutants("multiply") if m.kind == "factor_2" and m.input == 1)
    r = verify.check_op(m.op, (10, 10), (10,), options=Options(checks=("fd",)))
    fd = r.cases[0].get("fd")
    assert fd.verdict == "fail" and fd.diagnosis["input"] == 1
    assert "constant factor 2" in fd.diagnosis["hint"] and len(fd.diagnosis["worst"]) == 3


def test_hypothesis_cases_join_the_suite_reproducibly():
    opts = Options(random_cases=3, checks=("fd", "adjoint", "raw_shape", "kink", "taylor"))
    one = verify.run_suite(["matmul", "sum", "where"], seed=7, dtypes=("float64",),
                           options=opts)
    two = verify.run_suite(["matmul", "sum", "where"], seed=7, dtypes=("float64",),
                           options=opts, jobs=2)
    assert one.ok
    drawn = [c for o in one.ops for c in o.cases if c.label.startswith("hypothesis")]
    assert len(drawn) == 9
    a, b = one.to_dict(), two.to_dict()
    assert a["ops"] == b["ops"]
