"""``numpy.random`` as it is: random numbers are constants, not differentiated."""

import numpy.random as _random
from numpy.random import *  # noqa: F403


def __getattr__(name: str) -> object:
    return getattr(_random, name)
