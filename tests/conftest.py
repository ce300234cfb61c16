"""Shared test set-up: explicit, reproducible hypothesis runs and importable test helpers.

Hypothesis runs derandomized (the same examples every run, no example database), with no
per-example deadline: the suite must be reproducible on any machine, fast or slow.
"""

import os
import sys

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
