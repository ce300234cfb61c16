"""autograd's ``misc`` counterparts: ``flatten`` (nested containers of arrays <-> one vector),
``optimizers`` (sgd, rmsprop, adam on such containers) and ``fixed_points.fixed_point`` (a fixed
point differentiated by its implicit VJP). ``from numeric.misc import flatten`` as in autograd.
"""

from numeric.misc.flatten import flatten, flatten_func

__all__ = ["flatten", "flatten_func"]
