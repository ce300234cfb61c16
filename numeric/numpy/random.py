"""``numpy.random`` as it is: random numbers are constants, not differentiated."""

from numpy.random import *  # noqa: F403
