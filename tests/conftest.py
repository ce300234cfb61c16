"""Shared test set-up: explicit, reproducible hypothesis runs, importable test helpers and one
private proof store per test run.

Hypothesis runs derandomized (the same examples every run, no example database), with no
per-example deadline: the suite must be reproducible on any machine, fast or slow.

derive's store (proofs, exact VJPs, derivations; content-addressed, so exact and safe to share)
is private to the run unless ``$GRADPROOF_CACHE`` names one, shared by the run's xdist workers
(a cold proof one worker made is read by the other instead of being made again: the table's
proofs are most of a cold run; writes are atomic, ``derive.store.save``) and removed at the end.
"""

import os
import shutil
import sys
import tempfile

import pytest
from hypothesis import HealthCheck, settings

_HERE = os.path.dirname(os.path.abspath(__file__))
# The seed transcription (tests/seed_notebook.py) and numeric's and derive's test helpers import
# by name, whatever pytest's import mode.
for _path in (_HERE, os.path.join(_HERE, "numeric"), os.path.join(_HERE, "derive")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

settings.register_profile(
    "gradproof",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=25,
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large),
)
settings.load_profile(os.environ.get("GRADPROOF_HYPOTHESIS_PROFILE", "gradproof"))


def _run_store() -> str:
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")  # the same in every worker of one run
    if run is None:
        return tempfile.mkdtemp(prefix="gradproof-test-")
    path = os.path.join(tempfile.gettempdir(), f"gradproof-test-{run}")
    os.makedirs(path, exist_ok=True)
    return path


# The controlling process of an xdist run loads this file before it starts its workers, which
# inherit the variable: one store for the run (a worker started otherwise finds the run's id).
_MADE = None
if not os.environ.get("GRADPROOF_CACHE"):
    _MADE = os.environ["GRADPROOF_CACHE"] = _run_store()


def pytest_unconfigure(config):
    """The process that made the run's store removes it: a plain run, or the controlling process
    once its workers are done (a worker leaves it to the others)."""
    if _MADE and not hasattr(config, "workerinput"):
        shutil.rmtree(_MADE, ignore_errors=True)


@pytest.fixture
def op_table_restored():
    """The op table as it was before the test: the records a test registers (a ``@primitive``,
    a ported program's) are removed, so later tests of the whole table never see them."""
    import numeric

    before = set(numeric.all_ops())
    yield
    for name in set(numeric.all_ops()) - before:
        numeric.unregister(name)
