"""The idioms of autograd's example programs (``examples/`` in HIPS autograd), ported by imports.

Each program below is short and written here, in the spirit of one of autograd's examples and
using the same idioms (named in its key). It runs as written, against autograd, and again with
every ``autograd`` import rewritten to ``numeric`` (``autograd.numpy`` -> ``numeric.numpy``,
``autograd.misc`` -> ``numeric.misc``, ``autograd.test_util`` -> ``numeric.test_util``, ...),
and both results must agree. ``numeric.test_util.check_grads`` and ``numeric.builtins`` are
checked on their own below, with a wrong rule that the check must catch.
"""

from __future__ import annotations

import re
import textwrap

import numpy as onp
import pytest

from numeric.structure import flatten

pytest.importorskip("autograd")

PROGRAMS = {
    "fluidsim: x -= on traced arrays, roll, meshgrid, floor().astype(int) indexing": """
        import autograd.numpy as np
        from autograd import value_and_grad

        def relax(u, v):
            p = np.zeros(u.shape)
            div = (np.roll(u, -1, axis=0) - np.roll(u, 1, axis=0)
                   + np.roll(v, -1, axis=1) - np.roll(v, 1, axis=1))
            for _ in range(3):
                p = (div + np.roll(p, 1, axis=0) + np.roll(p, -1, axis=1)) / 3.0
            u -= 0.5 * (np.roll(p, -1, axis=0) - p)
            v -= 0.5 * (np.roll(p, -1, axis=1) - p)
            return u, v

        def carry(f, u, v):
            n, m = f.shape
            ys, xs = np.meshgrid(np.arange(n), np.arange(m))
            cx, cy = (xs - u).ravel(), (ys - v).ravel()
            i, j = np.floor(cx).astype(int), np.floor(cy).astype(int)
            a, b = cx - i, cy - j
            i, j = np.mod(i, n), np.mod(j, m)
            i1, j1 = np.mod(i + 1, n), np.mod(j + 1, m)
            out = (1 - a) * ((1 - b) * f[i, j] + b * f[i, j1]) + a * ((1 - b) * f[i1, j]
                                                                      + b * f[i1, j1])
            return np.reshape(out, (n, m))

        rs = np.random.RandomState(3)
        target, smoke = rs.rand(5, 5), rs.rand(5, 5)

        def loss(params):
            u, v = np.reshape(params[:25], (5, 5)), np.reshape(params[25:], (5, 5))
            s = smoke
            for _ in range(2):
                u, v = relax(carry(u, u, v), carry(v, u, v))
                s = carry(s, u, v)
            return np.mean((target - s) ** 2)

        result = value_and_grad(loss)(0.3 * rs.randn(50))
    """,
    "GAN: grad over two lists of layers (argnum=(0, 1)), batch norm, logaddexp, flatten": """
        import autograd.numpy as np
        from autograd import grad
        from autograd.misc import flatten

        rs = np.random.RandomState(0)

        def layers(sizes):
            pairs = zip(sizes[:-1], sizes[1:])
            return [(0.3 * rs.randn(m, n), 0.1 * rs.randn(n)) for m, n in pairs]

        def net(params, x):
            for W, b in params[:-1]:
                h = np.dot(x, W) + b
                h = (h - np.mean(h, axis=0, keepdims=True)) / (np.std(h, axis=0, keepdims=True) + 1)
                x = np.maximum(0, h)
            W, b = params[-1]
            return np.dot(x, W) + b

        def log_sigmoid(z):
            return z - np.logaddexp(0, z)

        gen, dsc = layers([2, 4, 3]), layers([3, 4, 1])
        real, noise = rs.rand(6, 3), rs.rand(6, 2)

        def game(g, d):
            fake = 0.5 * (np.tanh(net(g, noise)) + 1.0)
            return np.mean(log_sigmoid(net(d, real))) - np.mean(log_sigmoid(net(d, fake)))

        flat, unflatten = flatten(grad(game, argnum=(0, 1))(gen, dsc))
        result = (flat, unflatten(2 * flat)[1][0][0])
    """,
    "RNN: dict of parameters, repeat, hstack of a tuple, loop over time, += , adam": """
        import autograd.numpy as np
        from autograd import grad
        from autograd.misc.optimizers import adam

        rs = np.random.RandomState(1)
        params = {"h0": 0.1 * rs.randn(1, 4), "change": 0.1 * rs.randn(3 + 4 + 1, 4),
                  "out": 0.1 * rs.randn(4 + 1, 3)}
        seqs = np.array(rs.rand(5, 2, 3) > 0.5, dtype=float)  # time x sequences x symbols

        def cat_dot(W, *parts):
            return np.dot(np.hstack(parts + (np.ones((parts[0].shape[0], 1)),)), W)

        def loss(p, step):
            h = np.repeat(p["h0"], seqs.shape[1], axis=0)
            total = 0.0
            for x in seqs:
                h = np.tanh(cat_dot(p["change"], x, h))
                o = cat_dot(p["out"], h)
                total += np.sum((o - np.log(np.sum(np.exp(o), axis=1, keepdims=True))) * x)
            return -total / seqs.size

        result = (grad(loss)(params, 0), adam(grad(loss), params, step_size=0.05, num_iters=3))
    """,
    "mixture VI: rows of a traced matrix, np.stack of traced scalars, vstack().T, np.array": """
        import autograd.numpy as np
        from autograd import grad

        rs = np.random.RandomState(2)
        eps = rs.randn(4, 2)

        def component_logq(row, x):
            mean, log_std = row[:2], row[2:]
            return np.sum(-0.5 * ((x - mean) / np.exp(log_std)) ** 2 - log_std, axis=-1)

        def elbo(params):
            logw = params[:3] - np.log(np.sum(np.exp(params[:3])))
            comps = np.reshape(params[3:], (3, -1))
            bounds = []
            for row in comps:
                x = eps * np.exp(row[2:]) + row[:2]
                logq = np.vstack([component_logq(r, x) for r in comps]).T
                mix = np.log(np.sum(np.exp(logq + logw), axis=1))
                bounds.append(np.mean(-0.5 * np.sum(x ** 2, axis=1) - mix))
            picked = np.array([comps[i, :2] for i in (0, 2)])
            return np.sum(np.stack(bounds) * np.exp(logw)) + 0.1 * np.sum(picked ** 2)

        result = grad(elbo)(0.2 * rs.randn(3 + 12))
    """,
    "HMM: value_and_grad over a list from map(np.log, ...), where, sum(-1), data indexing": """
        import autograd.numpy as np
        from autograd import value_and_grad
        from functools import partial

        rs = np.random.RandomState(4)

        def normalize(a):
            s = a.sum(-1, keepdims=True)
            return a / np.where(s > 0.0, s, 1.0)

        def lse0(v):
            m = np.max(v, axis=0)
            return m + np.log(np.sum(np.exp(v - m), axis=0))

        def log_partition(natural, data):
            if isinstance(data, list):
                return sum(map(partial(log_partition, natural), data))
            log_pi, log_A, log_B = natural
            alpha = log_pi
            for y in data:
                alpha = lse0(alpha[:, None] + log_A) + log_B[:, y]
            return lse0(alpha)

        params = [normalize(rs.rand(3)), normalize(rs.rand(3, 3)), normalize(rs.rand(3, 4))]
        data = [rs.randint(0, 4, 5), rs.randint(0, 4, 3)]
        ll, stats = value_and_grad(log_partition)(list(map(np.log, params)), data)
        result = (ll, list(map(normalize, stats)))
    """,
    "sinusoid/tanh: if on a traced value inside a loop, grad(grad) mapped, elementwise_grad^4": """
        import autograd.numpy as np
        from autograd import grad, elementwise_grad

        def taylor_sin(x):
            term = total = x
            for i in range(100):
                term = -term * x ** 2 / ((2 * i + 3) * (2 * i + 2))
                total = total + term
                if np.abs(term) < 0.1:
                    break
            return total

        def logistic(x):
            return 1.0 / (1.0 + np.exp(-x))

        xs = np.linspace(-4, 4, 9)
        e = elementwise_grad
        result = (list(map(grad(taylor_sin), xs)), list(map(grad(grad(taylor_sin)), xs)),
                  e(e(e(e(logistic))))(xs))
    """,
    "GMM: flatten_func, hessian_vector_product and scipy's Newton-CG over a dict": """
        import autograd.numpy as np
        from autograd import grad, hessian_vector_product
        from autograd.misc.flatten import flatten_func
        from scipy.optimize import minimize

        rs = np.random.RandomState(5)
        data = rs.randn(20, 2)
        init = {"logits": 0.1 * rs.randn(2), "means": rs.randn(2, 2),
                "chol": np.zeros((2, 2, 2)) + np.eye(2)}

        def loglik(p):
            logw = p["logits"] - np.log(np.sum(np.exp(p["logits"])))
            rows = []
            for lw, mu, L in zip(logw, p["means"], p["chol"]):
                cov = np.dot(L.T, L) + 0.1 * np.eye(2)
                diff = data - mu
                quad = np.sum(diff * np.linalg.solve(cov, diff.T).T, axis=1)
                rows.append(lw - 0.5 * quad - 0.5 * np.linalg.slogdet(cov)[1])
            stacked = np.vstack(rows)
            m = np.max(stacked, axis=0)
            return np.sum(m + np.log(np.sum(np.exp(stacked - m), axis=0)))

        obj, unflatten, x0 = flatten_func(lambda p: -loglik(p), init)
        fit = minimize(obj, x0, jac=grad(obj), hessp=hessian_vector_product(obj),
                       method="Newton-CG", options={"maxiter": 3})
        result = (grad(obj)(x0), hessian_vector_product(obj)(x0, np.ones_like(x0)), fit.x)
    """,
    "ODE net / define_gradient: builtins.tuple args, isinstance, primitive, check_grads": """
        import autograd.numpy as np
        from autograd import grad
        from autograd.builtins import tuple, isinstance
        from autograd.extend import primitive, defvjp
        from autograd.test_util import check_grads

        @primitive
        def lse(x):
            m = np.max(x)
            return m + np.log(np.sum(np.exp(x - m)))

        defvjp(lse, lambda ans, x: lambda g: np.full(x.shape, g) * np.exp(x - ans))

        def euler(f, y0, ts, args):
            y, ys = y0, [y0]
            for t0, t1 in zip(ts[:-1], ts[1:]):
                y = y + (t1 - t0) * f(y, t0, *args)
                ys.append(y)
            return np.stack(ys)

        def field(y, t, params):
            assert isinstance(y, np.ndarray)
            (W1, b1), (W2, b2) = params
            return np.dot(np.tanh(np.dot(y, W1) + b1), W2) + b2

        rs = np.random.RandomState(6)
        params = [(0.3 * rs.randn(2, 5), np.zeros(5)), (0.3 * rs.randn(5, 2), np.zeros(2))]
        ts, y0 = np.linspace(0.0, 1.0, 6), np.array([1.0, -0.5])

        def loss(p):
            path = euler(field, y0, ts, tuple((p,)))
            return np.mean(np.abs(path - 0.5)) + lse(path[-1] ** 2)

        check_grads(lambda x: lse(x ** 2), modes=["rev"])(rs.randn(4))
        check_grads(loss, modes=["rev"], order=1)(params)
        result = grad(loss)(params)
    """,
}


def port(source: str) -> str:
    """Every import of autograd (or of one of its modules) made an import of numeric's."""
    ported = re.sub(r"^(\s*(?:from|import) )autograd\b", r"\1numeric", source, flags=re.MULTILINE)
    assert "autograd" not in ported
    return ported


def run(source: str) -> object:
    scope: dict = {"__name__": "program"}
    exec(compile(source, "<program>", "exec"), scope)
    return scope["result"]


@pytest.mark.parametrize("name", PROGRAMS)
@pytest.mark.usefixtures("op_table_restored")  # a program's @primitive (lse) is registered
def test_an_example_idiom_gives_autograds_numbers_after_the_imports_change(name):
    source = textwrap.dedent(PROGRAMS[name])
    got, want = flatten(run(port(source)))[0], flatten(run(source))[0]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert onp.shape(g) == onp.shape(w)
        onp.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12)


def test_the_rewrite_leaves_strings_and_names_alone():
    assert port("import autograd.numpy as np\nfrom autograd.test_util import check_grads\n"
                "from autograd import grad\n") == ("import numeric.numpy as np\nfrom "
                                                   "numeric.test_util import check_grads\n"
                                                   "from numeric import grad\n")
    with pytest.raises(AssertionError):
        port("x = 'autograd'\n")


def test_a_callbacks_format_spec_works_on_a_tensor_as_on_a_number():
    import numeric  # an op record called on plain data still gives a Tensor (without grad)

    x = numeric.logsumexp(onp.array([0.5, -1.0, 2.0]))
    want = onp.log(onp.sum(onp.exp([0.5, -1.0, 2.0])))
    assert f"{x:20}|{x:.6f}" == f"{want:20}|{want:.6f}"
    assert f"{x}" == str(x)
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{numeric.Tensor([1.0, 2.0]):.2f}"  # as for an ndarray of more than one element


def test_linear_combination_of_hessians_is_the_weighted_sum_of_hand_derived_hessians():
    import numeric
    import numeric.numpy as nnp

    def constraints(x, scale=1.0):  # c0 = x0² x1, c1 = sin(x0) x1³
        return scale * nnp.array([x[0] ** 2 * x[1], nnp.sin(x[0]) * x[1] ** 3])

    x, v = onp.array([0.7, -1.3]), onp.array([2.0, -0.5])
    s, c = onp.sin(x[0]), onp.cos(x[0])
    h0 = onp.array([[2 * x[1], 2 * x[0]], [2 * x[0], 0.0]])
    h1 = onp.array([[-s * x[1] ** 3, 3 * c * x[1] ** 2], [3 * c * x[1] ** 2, 6 * s * x[1]]])
    got = numeric.linear_combination_of_hessians(constraints)(x, v, scale=3.0)
    onp.testing.assert_allclose(got, 3.0 * (v[0] * h0 + v[1] * h1), rtol=1e-12)
    by_name = numeric.linear_combination_of_hessians(lambda k, x: constraints(x) * k, argnum=1)
    onp.testing.assert_allclose(by_name(2.0, x, v), 2.0 * (v[0] * h0 + v[1] * h1), rtol=1e-12)
