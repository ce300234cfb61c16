"""``numpy.fft``: its functions dispatch on Tensors, and are refused by name until the op table
has records for them."""

import numpy.fft as _fft
from numpy.fft import *  # noqa: F403


def __getattr__(name: str) -> object:
    return getattr(_fft, name)
