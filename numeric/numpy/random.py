"""``numpy.random`` as it is: random numbers are constants, not differentiated."""

from typing import Any

import numpy.random as _random
from numpy.random import *  # noqa: F403


def __getattr__(name: str) -> Any:
    return getattr(_random, name)
