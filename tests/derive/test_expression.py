"""derive.expression: every target identity against central differences, independently of
derive's own checks (hand-written NumPy forwards, seeded random sizes and points)."""

from __future__ import annotations

import numpy as np
import pytest

import derive
import numeric


def _logsumexp(z):
    return np.log(np.sum(np.exp(z)))


def _softmax(z):
    return np.exp(z) / np.sum(np.exp(z))


# expression, wrt, shapes, the forward written by hand (independent of derive)
TARGETS = [
    ("trace(A @ X)", "X", "X=n,n A=n,n", lambda A, X: np.trace(A @ X)),
    ("trace(X.T @ A @ X)", "X", "X=n,n A=n,n", lambda A, X: np.trace(X.T @ A @ X)),
    ("a @ X @ b", "X", "a=m X=m,n b=n", lambda a, X, b: a @ X @ b),
    ("logdet(X)", "X", "X=n,n", lambda X: np.log(np.linalg.det(X))),
    ("det(X)", "X", "X=n,n", lambda X: np.linalg.det(X)),
    ("trace(inv(X) @ A)", "X", "X=n,n A=n,n", lambda X, A: np.trace(np.linalg.inv(X) @ A)),
    ("norm(A @ x - b)**2", "A,x", "A=m,n x=n b=m",
     lambda A, x, b: np.sum((A @ x - b) ** 2)),
    ("logsumexp(W @ x)", "W,x", "W=m,n x=n", lambda W, x: _logsumexp(W @ x)),
    ("-y @ log(softmax(W @ x))", "W,x", "y=m W=m,n x=n",
     lambda y, W, x: -y @ np.log(_softmax(W @ x))),
    ("sum(exp(X))", "X", "X=m,n", lambda X: np.sum(np.exp(X))),
    ("inv(X.T @ X)", "X", "X=m,n", lambda X: np.linalg.inv(X.T @ X)),
    ("0.5 * logdet(S) + 0.5 * x @ inv(S) @ x", "S,x", "S=n,n x=n",
     lambda S, x: 0.5 * np.log(np.linalg.det(S)) + 0.5 * x @ np.linalg.inv(S) @ x),
    ("sum(sigmoid(X) * tanh(X))", "X", "X=m,n",
     lambda X: np.sum(np.tanh(X) / (1 + np.exp(-X)))),
    ("trace(diag(x) @ A)", "x", "x=n A=n,n", lambda x, A: np.trace(np.diag(x) @ A)),
]


@pytest.fixture(scope="module")
def results():
    return {t[0]: derive.expression(t[0], t[1], t[2]) for t in TARGETS}


def _sizes(shapes: str, rng: np.random.Generator) -> dict[str, int]:
    letters = sorted({d for part in shapes.split() for d in part.split("=")[1].split(",")})
    values = sorted(rng.permutation(np.arange(2, 7))[:len(letters)], reverse=True)
    return dict(zip(letters, (int(v) for v in values)))  # m > n: X.T @ X invertible


def _inputs(shapes: str, sizes: dict[str, int], rng: np.random.Generator) -> dict:
    out = {}
    for part in shapes.split():
        name, dims = part.split("=")
        shape = tuple(sizes[d] for d in dims.split(","))
        a = rng.uniform(-1, 1, shape)
        if len(shape) == 2 and shape[0] == shape[1]:
            a = a + 2 * shape[0] * np.eye(shape[0])  # invertible, positive determinant
        out[name] = a
    return out


def _central(f, inputs: dict, name: str, h: float = 1e-6) -> np.ndarray:
    x = inputs[name]
    grad = np.zeros_like(x)
    for k in np.ndindex(*x.shape):
        up, down = dict(inputs), dict(inputs)
        up[name], down[name] = x.copy(), x.copy()
        up[name][k] += h
        down[name][k] -= h
        grad[k] = (f(**up) - f(**down)) / (2 * h)
    return grad


@pytest.mark.parametrize("expr, wrt, shapes, forward", TARGETS, ids=[t[0] for t in TARGETS])
def test_target_against_central_differences(results, expr, wrt, shapes, forward):
    r = results[expr]
    assert r.ok, {w: c.status for w, c in r.exact.items()}
    rng = np.random.default_rng(12)
    for _ in range(2):  # two random sets of sizes
        sizes = _sizes(shapes, rng)
        inputs = _inputs(shapes, sizes, rng)
        extra, loss = {}, forward
        out = np.asarray(forward(**inputs))
        if out.ndim:  # array-valued: l = sum(G * F)
            G = rng.uniform(-1, 1, out.shape)
            extra = {"G": G}

            def loss(G=G, **kw):
                return np.sum(G * forward(**kw))
        got = r.numpy_function(**inputs, **extra)
        names = wrt.split(",")
        got = got if len(names) > 1 else {names[0]: got}
        for w in names:
            want = _central(loss, inputs, w)
            np.testing.assert_allclose(got[w], want, rtol=1e-5, atol=1e-6, err_msg=f"{expr} {w}")


@pytest.mark.parametrize("expr, wrt, shapes, forward", TARGETS, ids=[t[0] for t in TARGETS])
def test_forward_through_the_engine_agrees_with_the_generated_gradient(results, expr, wrt,
                                                                        shapes, forward):
    r = results[expr]
    rng = np.random.default_rng(3)
    inputs = _inputs(shapes, {"m": 4, "n": 3}, rng)
    out = np.asarray(r.forward_function(**inputs))
    np.testing.assert_allclose(out, forward(**inputs), rtol=1e-10)  # the forward is right
    G = rng.normal(size=out.shape) if out.ndim else None
    names = wrt.split(",")

    def loss(*values):
        y = r.forward_function(**(inputs | dict(zip(names, values))))
        return (y * G).sum() if G is not None else y

    engine = numeric.grad(loss, argnum=tuple(range(len(names))) if len(names) > 1 else 0)(
        *[inputs[w] for w in names])
    engine = engine if len(names) > 1 else (engine,)
    mine = r.numpy_function(**inputs, **({"G": G} if G is not None else {}))
    mine = mine if len(names) > 1 else {names[0]: mine}
    for w, e in zip(names, engine):
        np.testing.assert_allclose(np.asarray(e), mine[w], rtol=1e-8, atol=1e-10, err_msg=w)


def test_cookbook_109_by_hand(results):
    rng = np.random.default_rng(3)
    A, X = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    got = results["trace(X.T @ A @ X)"].numpy_function(A=A, X=X)
    np.testing.assert_allclose(got, (A + A.T) @ X, rtol=1e-12)  # the Matrix Cookbook, eq. 109


def test_closed_forms_read_like_a_person_writes_them(results):
    assert results["trace(A @ X)"].text == {"X": "A.T"}
    assert results["a @ X @ b"].text == {"X": "outer(a, b)"}
    assert results["logdet(X)"].text == {"X": "inv(X).T"}
    assert results["sum(exp(X))"].text == {"X": "exp(X)"}
    assert results["trace(X.T @ A @ X)"].text == {"X": "(A + A.T) @ X"}


def test_sympy_is_shown_beside_ours(results):
    assert results["logdet(X)"].sympy["X"].verdict == "refused"  # SymPy 1.14 says 0
    assert "of SymPy's answer is 0" in results["logdet(X)"].sympy["X"].detail
    assert "X = [" in results["logdet(X)"].sympy["X"].detail  # the point itself
    assert results["det(X)"].sympy["X"].verdict == "no answer"   # Derivative(...) left
    assert results["trace(A @ X)"].sympy["X"].verdict == "agreed"


def test_to_dict_is_json_and_keeps_the_contract(results):
    import json

    doc = json.loads(json.dumps(results["inv(X.T @ X)"].to_dict()))
    assert {"expr", "wrt", "shapes", "shape", "cotangent", "ok", "seconds", "gradients",
            "steps", "numpy_source", "forward_source"} <= set(doc)
    assert doc["cotangent"] == "G" and doc["shape"] == ["n", "n"]
    g = doc["gradients"]["X"]
    assert {"text", "latex", "mathml", "exact", "sympy"} <= set(g)
    assert g["exact"]["ok"] and g["exact"]["sizes"][0] == {"m": 4, "n": 3}
    assert all({"title", "latex", "mathml", "status", "text"} == set(s) for s in doc["steps"])


# Integer shapes drawn by hypothesis: the closed form is checked exactly at exactly those sizes
# (no letters), and the generated code must match central differences there.
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(m=st.integers(1, 4), n=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_integer_shapes_any_size(m, n, seed):
    shapes = f"A={m},{n} x={n} b={m}"
    r = derive.expression("norm(A @ x - b)**2 + sum(tanh(A))", "A,x", shapes)
    assert r.ok and r.exact["A"].sizes == [{}]
    rng = np.random.default_rng(seed)
    inputs = {"A": rng.normal(size=(m, n)), "x": rng.normal(size=n), "b": rng.normal(size=m)}

    def f(A, x, b):
        return np.sum((A @ x - b) ** 2) + np.sum(np.tanh(A))

    got = r.numpy_function(**inputs)
    for w in ("A", "x"):
        np.testing.assert_allclose(got[w], _central(f, inputs, w), rtol=1e-5, atol=1e-6)


def test_steps_are_the_notebooks(results):
    r = results["trace(inv(X) @ A)"]
    titles = [s.title for s in r.steps]
    assert titles[:2] == ["statement", titles[1]] and titles[1].startswith("differential")
    assert [t for t in titles if t in ("trace", "product rule", "inverse")] == [
        "trace", "product rule", "inverse"]
    inverse = next(s for s in r.steps if s.title == "inverse")
    assert "-inv(X) @ dX @ inv(X)" in inverse.text and "'inv'" in inverse.status
    final = next(s for s in r.steps if s.title.startswith("rearranged"))
    assert final.status.startswith("verified exactly at n=3") and "n=2" in final.status
    assert "∂l/∂X = -inv(X).T @ A.T @ inv(X).T" in final.text
    assert all(s.mathml.startswith("<math") and s.latex and s.text for s in r.steps)


def test_the_status_says_how_it_was_checked(results):
    assert results["trace(X.T @ A @ X)"].exact["X"].mode == "symbolic"
    assert "symbolically" in results["trace(X.T @ A @ X)"].exact["X"].status
    logdet = results["logdet(X)"].exact["X"]  # n = 3 at a rational point, n = 2 all symbols
    assert logdet.mode == "symbolic and rational points"
    assert "n=3 at an exact rational point; n=2 symbolically" in logdet.status
    assert results["logsumexp(W @ x)"].exact["W"].mode == "rational points"
    sizes = results["inv(X.T @ X)"].exact["X"].sizes
    assert len(sizes) == 2 and min(sizes[0].values()) >= 3  # square n x n = X.T @ X, n >= 3
    assert len(set(sizes[0].values())) == 2                 # rectangular dimensions unequal
