"""NumPy call forms on Tensors, as each op record binds them: parameters where NumPy puts them
(np.var's ddof is its 5th argument), arguments the engine does not take refused by name, and
parameters that must be constants (clip's bounds) refused when given a Tensor.
"""

import numpy as np
import pytest

import numeric
from numeric import Tensor

CLIP_WITH_TENSOR_BOUND = {
    "np.clip, a_min": lambda t: np.clip(t, Tensor(0.0), 1.0),
    "np.clip, a_max": lambda t: np.clip(t, 0.0, Tensor(1.0)),
    "np.clip, keyword max": lambda t: np.clip(t, min=0.0, max=Tensor(1.0)),
    "numeric.clip": lambda t: numeric.clip(t, Tensor(0.0), 1.0),
    "Tensor.clip": lambda t: t.clip(0.0, Tensor([1.0, 1.0])),
    "np.clip on an array, Tensor bound": lambda t: np.clip(t.value, Tensor(0.0), 1.0),
}


@pytest.mark.parametrize("name", CLIP_WITH_TENSOR_BOUND)
def test_clip_with_a_tensor_bound_says_the_bounds_are_constants(name):
    t = Tensor(np.array([-0.5, 2.0]))
    with pytest.raises(TypeError, match=r"clip.*bounds must be constants"):
        CLIP_WITH_TENSOR_BOUND[name](t)


def test_clip_with_constant_bounds_still_works():
    t = Tensor(np.array([-0.5, 0.5, 2.0]))
    np.clip(t, 0.0, np.array(1.0)).sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 1.0, 0.0])


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_and_std_take_ddof_where_numpy_puts_it(name):
    x = np.random.default_rng(8).normal(size=(3, 4))
    f = getattr(np, name)
    np.testing.assert_allclose(f(Tensor(x), 0, None, None, 1).value, f(x, 0, None, None, 1))
    np.testing.assert_allclose(f(Tensor(x), axis=1, ddof=1, keepdims=True).value,
                               f(x, axis=1, ddof=1, keepdims=True))
    with pytest.raises(TypeError, match=f"numpy.{name}"):
        f(Tensor(x), dtype=np.float32)
