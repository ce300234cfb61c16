"""autograd's ``extend`` API, built on the op table: ``primitive``, ``defvjp`` and relatives.

``@primitive`` makes a function an :class:`numeric.Op` record, registered under a unique name
(the function's name, else its qualified name), so ``verify.check_op(name, x)``, ``gradproof
verify --plugin module --ops name`` and ``verify.check_function`` see it like any built-in.
Called on Tensors it records one node; on plain values it is the plain function. Its VJP rules
take autograd's convention, one maker per positional argument::

    @primitive
    def logsumexp(x):
        return np.log(np.sum(np.exp(x - np.max(x)))) + np.max(x)

    defvjp(logsumexp, lambda ans, x: lambda g: g * np.exp(x - ans))

A rule written with NumPy calls is differentiated again (under ``create_graph`` the engine hands
it Tensors). Positional arguments that are not arrays or numbers (functions, strings, lists) are
passed through, not differentiated; keyword arguments are the op's parameters. A tuple or list
result is one packed node, unpacked with index ops; its rule gets ``ans`` and ``g`` as tuples.

Forward mode: ``numeric.make_jvp`` is reverse-of-reverse, so it never calls a JVP. ``defjvp``
is accepted and kept (``prim.jvps``); where an argument has a JVP but no VJP, its VJP is
*derived* by transposing the JVP through the engine (the JVP must be written with NumPy calls,
and is linear in ``g``), which is also how ``def_linear`` gives a VJP.

The record of ``@primitive f`` is ``f.op``; ``numeric.unregister(f.op.name)`` removes it from
the table (``primitive(f, register=False)`` never adds it: the record still runs and verify
still checks it, as a bare ``Op``).
"""

from numeric.extend.define import (
    def_linear,
    defjvp,
    defjvp_argnum,
    defjvp_argnums,
    defvjp,
    defvjp_argnum,
    defvjp_argnums,
)
from numeric.extend.primitive import Box, Primitive, notrace_primitive, primitive

__all__ = ["primitive", "notrace_primitive", "defvjp", "defvjp_argnum", "defvjp_argnums",
           "defjvp", "defjvp_argnum", "defjvp_argnums", "def_linear", "Primitive", "Box"]
