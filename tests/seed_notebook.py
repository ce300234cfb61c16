"""The seed notebook's engine, transcribed as it is — defects included — as a test subject.

Tests show each defect here and that ``numeric`` does not have it; ``verify`` must find them.
Only the Python 3 breakage of ``__div__`` (never called by ``/``) is kept as written too.
"""
# ruff: noqa
from collections import namedtuple

import numpy as np


def unbroadcast(target, g, axis=0):
    while np.ndim(g) > np.ndim(target):
        g = g.sum(axis=axis)
    for axis, size in enumerate(target.shape):
        if size == 1:
            g = g.sum(axis=axis, keepdims=True)
    if np.iscomplexobj(g) and not np.iscomplex(target):
        g = g.real()
    return g


Op = namedtuple("Op", ["apply", "vjp", "name", "nargs"])


def add_vjp(dldf, a, b):
    return unbroadcast(a, dldf), unbroadcast(b, dldf)


def mul_vjp(dldf, a, b):
    return unbroadcast(a, dldf * b), unbroadcast(b, dldf * a)


def matmul_vjp(dldF, A, B):
    G = dldF
    if G.ndim == 0:
        assert A.ndim == 1 and B.ndim == 1
        return unbroadcast(A, G * B), unbroadcast(B, G * A)
    assert not (A.ndim == 1 and B.ndim == 1)
    if A.ndim >= 2 and B.ndim >= 2:
        dldA = G @ B.swapaxes(-2, -1)
        dldB = A.swapaxes(-2, -1) @ G
    if A.ndim == 1:
        A_ = A[np.newaxis, :]
        G_ = G[np.newaxis, :]
        dldA = G @ B.swapaxes(-2, -1)
        dldB = A_.swapaxes(-2, -1) @ G_
    elif B.ndim == 1:
        B_ = B[:, np.newaxis]
        G_ = G[:, np.newaxis]
        dldA = G_ @ B_.swapaxes(-2, -1)
        dldB = A.swapaxes(-2, -1) @ G
    return unbroadcast(A, dldA), unbroadcast(B, dldB)


def exp_vjp(dldf, x):
    return (unbroadcast(x, dldf * np.exp(x)),)


def log_vjp(dldf, x):
    return (unbroadcast(x, dldf / x),)


def sum_vjp(dldf, x, axis=None, **kwargs):
    if axis is not None:
        dldx = np.expand_dims(dldf, axis=axis) * np.ones_like(x)
    else:
        dldx = dldf * np.ones_like(x)
    return (unbroadcast(x, dldx),)


def maximum_vjp(dldf, a, b):
    dlda = dldf * np.where(a > b, 1, 0)
    dlbd = dldf * np.where(a > b, 0, 1)
    return unbroadcast(a, dlda), unbroadcast(b, dlbd)


add = Op(apply=np.add, vjp=add_vjp, name="+", nargs=2)
mul = Op(apply=np.multiply, vjp=mul_vjp, name="*", nargs=2)
matmul = Op(apply=np.matmul, vjp=matmul_vjp, name="@", nargs=2)
exp = Op(apply=np.exp, vjp=exp_vjp, name="exp", nargs=1)
log = Op(apply=np.log, vjp=log_vjp, name="log", nargs=1)
sum_ = Op(apply=np.sum, vjp=sum_vjp, name="sum", nargs=1)
maximum = Op(apply=np.maximum, vjp=maximum_vjp, name="maximum", nargs=2)
NoOp = Op(apply=None, name="", vjp=None, nargs=0)


class Tensor:
    __array_priority__ = 100

    def __init__(self, value, grad=None, parents=(), op=NoOp, kwargs={}, requires_grad=True):
        self.value = np.asarray(value)
        self.grad = grad
        self.parents = parents
        self.op = op
        self.kwargs = kwargs
        self.requires_grad = requires_grad

    shape = property(lambda self: self.value.shape)
    ndim = property(lambda self: self.value.ndim)
    size = property(lambda self: self.value.size)
    dtype = property(lambda self: self.value.dtype)

    def __add__(self, other):
        cls = type(self)
        other = other if isinstance(other, cls) else cls(other)
        return cls(add.apply(self.value, other.value), parents=(self, other), op=add)

    __radd__ = __add__

    def __mul__(self, other):
        cls = type(self)
        other = other if isinstance(other, cls) else cls(other)
        return cls(mul.apply(self.value, other.value), parents=(self, other), op=mul)

    __rmul__ = __mul__

    def __matmul__(self, other):
        cls = type(self)
        other = other if isinstance(other, cls) else cls(other)
        return cls(matmul.apply(self.value, other.value), parents=(self, other), op=matmul)

    def exp(self):
        cls = type(self)
        return cls(exp.apply(self.value), parents=(self,), op=exp)

    def log(self):
        cls = type(self)
        return cls(log.apply(self.value), parents=(self,), op=log)

    def __pow__(self, other):
        cls = type(self)
        other = other if isinstance(other, cls) else cls(other)
        return (self.log() * other).exp()

    def __div__(self, other):
        return self * (other ** (-1))

    def __sub__(self, other):
        return self + (other * (-1))

    def __neg__(self):
        return self * (-1)

    def sum(self, axis=None):
        cls = type(self)
        return cls(sum_.apply(self.value, axis=axis), parents=(self,), op=sum_,
                   kwargs=dict(axis=axis))

    def maximum(self, other):
        cls = type(self)
        other = other if isinstance(other, cls) else cls(other)
        return cls(maximum.apply(self.value, other.value), parents=(self, other), op=maximum)

    def backward(self, grad):
        self.grad = grad if self.grad is None else (self.grad + grad)
        if self.requires_grad and self.parents:
            p_vals = [p.value for p in self.parents]
            assert len(p_vals) == self.op.nargs
            p_grads = self.op.vjp(grad, *p_vals, **self.kwargs)
            for p, g in zip(self.parents, p_grads):
                p.backward(g)


def trace(root):
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for p in v.parents:
                edges.add((p, v))
                build(p)

    build(root)
    return nodes, edges


def draw_dot_source(root, rankdir="LR"):
    """The seed's draw_dot as DOT text (graphviz not needed): shape='rect' with a {v | g} label."""
    nodes, edges = trace(root)
    lines = [f"digraph {{ rankdir={rankdir}"]
    for n in nodes:
        vstr = np.array2string(np.asarray(n.value), precision=4)
        gradstr = np.array2string(np.asarray(n.grad), precision=4)
        lines.append(f'"{id(n)}" [label="{{v={vstr} | g={gradstr}}}" shape=rect]')
        if n.parents:
            lines.append(f'"{id(n)}{n.op.name}" [label="{n.op.name}"]')
            lines.append(f'"{id(n)}{n.op.name}" -> "{id(n)}"')
    for n1, n2 in edges:
        lines.append(f'"{id(n1)}" -> "{id(n2)}{n2.op.name}"')
    return "\n".join(lines + ["}"])
