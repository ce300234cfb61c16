"""One record is all a user op needs: registered by a plugin module (``cbrt_plugin.py`` beside
this file, nothing else touched), it dispatches from NumPy, derive proves its rule, the suite
passes it and the report has its page — each through the same command a built-in uses.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _gradproof(*args, cwd, cache):
    env = dict(os.environ, PYTHONPATH=str(ROOT), GRADPROOF_CACHE=str(cache))
    return subprocess.run([sys.executable, "-m", "verify.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_numpy_calls_dispatch_to_the_plugin_op():
    code = ("import json, numpy as np, numeric, cbrt_plugin; t = numeric.Tensor([1.0, 8.0]); "
            "y = np.cbrt(t); y.sum().backward(); print(y.op.name, t.cbrt().op.name, "
            "json.dumps(t.grad.tolist()))")
    done = subprocess.run([sys.executable, "-c", code], cwd=HERE, capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr
    name, method, grad = done.stdout.split(" ", 2)
    assert name == method == "cbrt"
    np.testing.assert_allclose(json.loads(grad), [1 / 3, 1 / 12])  # (1/3) x^(-2/3)


def test_derive_verify_and_report_take_the_plugin_op(tmp_path):
    derived = _gradproof("derive", "cbrt", "--shapes", "3", "--plugin", "cbrt_plugin",
                         cwd=HERE, cache=tmp_path / "cache")
    assert derived.returncode == 0, derived.stderr
    assert "proved" in derived.stdout

    checked = _gradproof("verify", "--plugin", "cbrt_plugin", "--ops", "cbrt",
                         cwd=HERE, cache=tmp_path / "cache")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "cbrt" in checked.stdout

    out = tmp_path / "report"
    reported = _gradproof("report", "--plugin", "cbrt_plugin", "--ops", "cbrt", "--out",
                          str(out), cwd=HERE, cache=tmp_path / "cache")
    assert reported.returncode == 0, reported.stdout + reported.stderr
    page = (out / "ops" / "cbrt.html").read_text()
    assert "cbrt" in page and "x ** (1/3)" in page
