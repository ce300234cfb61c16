"""The cookbook: identities of The Matrix Cookbook and common ML losses, each with its
published closed form.

The Matrix Cookbook (K. B. Petersen, M. S. Pedersen, version of November 15, 2012) states its
gradients in the numerator layout convention ∂f/∂X with entries ∂f/∂X_ij — the layout of the
gradient here. Each :class:`Identity` holds the expression (derive's grammar), the names it is
differentiated with respect to, their shapes, the equation number, the published form (LaTeX,
as the Cookbook writes it, and as NumPy, written here from that form) and the forward in plain
NumPy — independent of derive, so tests compare both with central differences.
:func:`check_identity` verifies one (``verify.check_expression`` with the published form as a
reference), :func:`cookbook` all of them. ``TARGETS`` are the expressions of issue 12, each also
an identity of the table.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Identity", "IDENTITIES", "TARGETS", "check_identity", "cookbook"]

inv, det, tr = np.linalg.inv, np.linalg.det, np.trace


@dataclass(frozen=True)
class Identity:
    """One identity: ``forward(**xs)`` and ``published(**xs, G=g) -> {name: gradient}``."""

    group: str          # "cookbook" (The Matrix Cookbook) or "ml" (a common loss)
    eq: str             # the Cookbook's equation number, or the loss's name
    expr: str
    wrt: tuple[str, ...]
    shapes: str
    latex: str          # the published closed form
    forward: Callable[..., Any]
    published: Callable[..., dict[str, Any]]


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


_C = "cookbook"
IDENTITIES: tuple[Identity, ...] = (
    # -- 2.1 determinants --------------------------------------------------------------------
    Identity(_C, "49", "det(X)", ("X",), "X=n,n", r"\det(X)\,(X^{-1})^T",
             lambda X: det(X), lambda X, **_: {"X": det(X) * inv(X).T}),
    Identity(_C, "51", "det(A @ X @ B)", ("X",), "A=n,n X=n,n B=n,n",
             r"\det(AXB)\,(X^{-1})^T", lambda A, X, B: det(A @ X @ B),
             lambda A, X, B, **_: {"X": det(A @ X @ B) * inv(X).T}),
    Identity(_C, "52", "det(X.T @ A @ X)", ("X",), "X=n,n A=n,n",
             r"2\det(X^TAX)\,X^{-T}", lambda X, A: det(X.T @ A @ X),
             lambda X, A, **_: {"X": 2 * det(X.T @ A @ X) * inv(X).T}),
    Identity(_C, "55", "logdet(X.T @ X)", ("X",), "X=m,n", r"2(X^+)^T",
             lambda X: np.linalg.slogdet(X.T @ X)[1],
             lambda X, **_: {"X": 2 * np.linalg.pinv(X).T}),
    Identity(_C, "57", "logdet(X)", ("X",), "X=n,n", r"(X^{-1})^T = (X^T)^{-1}",
             lambda X: np.log(det(X)), lambda X, **_: {"X": inv(X).T}),
    # -- 2.2 inverses --------------------------------------------------------------------------
    Identity(_C, "59", "inv(X.T @ X)", ("X",), "X=m,n",
             r"\partial Y^{-1} = -Y^{-1}(\partial Y)Y^{-1},\ Y = X^TX"
             r"\ \Rightarrow\ \bar X = -X\,Y^{-1}(G + G^T)\,Y^{-1}",
             lambda X: inv(X.T @ X),
             lambda X, G, **_: {"X": -X @ inv(X.T @ X) @ (G + G.T) @ inv(X.T @ X)}),
    Identity(_C, "61", "a @ inv(X) @ b", ("X",), "a=n X=n,n b=n", r"-X^{-T}ab^TX^{-T}",
             lambda a, X, b: a @ inv(X) @ b,
             lambda a, X, b, **_: {"X": -inv(X).T @ np.outer(a, b) @ inv(X).T}),
    Identity(_C, "62", "det(inv(X))", ("X",), "X=n,n", r"-\det(X^{-1})\,(X^{-1})^T",
             lambda X: det(inv(X)), lambda X, **_: {"X": -det(inv(X)) * inv(X).T}),
    Identity(_C, "63", "trace(A @ inv(X) @ B)", ("X",), "A=p,n X=n,n B=n,p",
             r"-(X^{-1}BAX^{-1})^T", lambda A, X, B: tr(A @ inv(X) @ B),
             lambda A, X, B, **_: {"X": -(inv(X) @ B @ A @ inv(X)).T}),
    Identity(_C, "63, with A → I, B → A", "trace(inv(X) @ A)", ("X",), "X=n,n A=n,n",
             r"-(X^{-1}AX^{-1})^T", lambda X, A: tr(inv(X) @ A),
             lambda X, A, **_: {"X": -(inv(X) @ A @ inv(X)).T}),
    Identity(_C, "64", "trace(inv(X + A))", ("X",), "X=n,n A=n,n",
             r"-((X+A)^{-1}(X+A)^{-1})^T", lambda X, A: tr(inv(X + A)),
             lambda X, A, **_: {"X": -(inv(X + A) @ inv(X + A)).T}),
    # -- 2.4 scalar forms ----------------------------------------------------------------------
    Identity(_C, "69", "x @ a", ("x",), "x=n a=n", r"a", lambda x, a: x @ a,
             lambda x, a, **_: {"x": a}),
    Identity(_C, "70", "a @ X @ b", ("X",), "a=m X=m,n b=n", r"ab^T",
             lambda a, X, b: a @ X @ b, lambda a, X, b, **_: {"X": np.outer(a, b)}),
    Identity(_C, "71", "a @ X.T @ b", ("X",), "a=n X=m,n b=m", r"ba^T",
             lambda a, X, b: a @ X.T @ b, lambda a, X, b, **_: {"X": np.outer(b, a)}),
    Identity(_C, "72", "a @ X @ a", ("X",), "a=n X=n,n", r"aa^T",
             lambda a, X: a @ X @ a, lambda a, X, **_: {"X": np.outer(a, a)}),
    Identity(_C, "77", "b @ X.T @ X @ c", ("X",), "b=n X=m,n c=n", r"X(bc^T + cb^T)",
             lambda b, X, c: b @ X.T @ X @ c,
             lambda b, X, c, **_: {"X": X @ (np.outer(b, c) + np.outer(c, b))}),
    Identity(_C, "81", "x @ B @ x", ("x",), "x=n B=n,n", r"(B + B^T)x",
             lambda x, B: x @ B @ x, lambda x, B, **_: {"x": (B + B.T) @ x}),
    Identity(_C, "82", "b @ X.T @ D @ X @ c", ("X",), "b=n X=m,n D=m,m c=n",
             r"D^TXbc^T + DXcb^T", lambda b, X, D, c: b @ X.T @ D @ X @ c,
             lambda b, X, D, c, **_: {"X": D.T @ X @ np.outer(b, c) + D @ X @ np.outer(c, b)}),
    Identity(_C, "83", "(X @ b + c) @ D @ (X @ b + c)", ("X",), "X=m,n b=n c=m D=m,m",
             r"(D + D^T)(Xb + c)b^T", lambda X, b, c, D: (X @ b + c) @ D @ (X @ b + c),
             lambda X, b, c, D, **_: {"X": np.outer((D + D.T) @ (X @ b + c), b)}),
    # -- 2.5 traces ----------------------------------------------------------------------------
    Identity(_C, "99", "trace(X)", ("X",), "X=n,n", r"I", lambda X: tr(X),
             lambda X, **_: {"X": np.eye(len(X))}),
    Identity(_C, "100", "trace(A @ X)", ("X",), "A=n,m X=m,n", r"A^T \quad (\mathrm{Tr}(AX) ="
             r" \mathrm{Tr}(XA))", lambda A, X: tr(A @ X), lambda A, X, **_: {"X": A.T}),
    Identity(_C, "101", "trace(A @ X @ B)", ("X",), "A=p,m X=m,n B=n,p", r"A^TB^T",
             lambda A, X, B: tr(A @ X @ B), lambda A, X, B, **_: {"X": A.T @ B.T}),
    Identity(_C, "102", "trace(A @ X.T @ B)", ("X",), "A=p,n X=m,n B=m,p", r"BA",
             lambda A, X, B: tr(A @ X.T @ B), lambda A, X, B, **_: {"X": B @ A}),
    Identity(_C, "106", "trace(X @ X)", ("X",), "X=n,n", r"2X^T", lambda X: tr(X @ X),
             lambda X, **_: {"X": 2 * X.T}),
    Identity(_C, "107", "trace(X @ X @ B)", ("X",), "X=n,n B=n,n", r"(XB + BX)^T",
             lambda X, B: tr(X @ X @ B), lambda X, B, **_: {"X": (X @ B + B @ X).T}),
    Identity(_C, "108", "trace(X.T @ A @ X)", ("X",), "X=m,n A=m,m", r"AX + A^TX",
             lambda X, A: tr(X.T @ A @ X), lambda X, A, **_: {"X": A @ X + A.T @ X}),
    Identity(_C, "109", "trace(B @ X @ X.T)", ("X",), "B=m,m X=m,n", r"BX + B^TX",
             lambda B, X: tr(B @ X @ X.T), lambda B, X, **_: {"X": B @ X + B.T @ X}),
    Identity(_C, "111", "trace(X @ B @ X.T)", ("X",), "X=m,n B=n,n", r"XB^T + XB",
             lambda X, B: tr(X @ B @ X.T), lambda X, B, **_: {"X": X @ B.T + X @ B}),
    Identity(_C, "114", "trace(A @ X @ B @ X)", ("X",), "A=n,n X=n,n B=n,n",
             r"A^TX^TB^T + B^TX^TA^T", lambda A, X, B: tr(A @ X @ B @ X),
             lambda A, X, B, **_: {"X": A.T @ X.T @ B.T + B.T @ X.T @ A.T}),
    Identity(_C, "115", "trace(X.T @ X)", ("X",), "X=m,n", r"2X", lambda X: tr(X.T @ X),
             lambda X, **_: {"X": 2 * X}),
    Identity(_C, "117", "trace(X.T @ B @ X @ C)", ("X",), "X=m,n B=m,m C=n,n",
             r"BXC + B^TXC^T", lambda X, B, C: tr(X.T @ B @ X @ C),
             lambda X, B, C, **_: {"X": B @ X @ C + B.T @ X @ C.T}),
    Identity(_C, "119", "trace((A @ X @ B + C) @ (A @ X @ B + C).T)", ("X",),
             "A=p,m X=m,n B=n,q C=p,q", r"2A^T(AXB + C)B^T",
             lambda A, X, B, C: tr((A @ X @ B + C) @ (A @ X @ B + C).T),
             lambda A, X, B, C, **_: {"X": 2 * A.T @ (A @ X @ B + C) @ B.T}),
    Identity(_C, "121 (k = 3)", "trace(X @ X @ X)", ("X",), "X=n,n", r"k(X^{k-1})^T",
             lambda X: tr(X @ X @ X), lambda X, **_: {"X": 3 * (X @ X).T}),
    # -- 2.8 norms -----------------------------------------------------------------------------
    Identity(_C, "129", "norm(x - a)", ("x",), "x=n a=n", r"\frac{x - a}{\|x - a\|_2}",
             lambda x, a: np.linalg.norm(x - a),
             lambda x, a, **_: {"x": (x - a) / np.linalg.norm(x - a)}),
    Identity(_C, "131", "norm(x)**2", ("x",), "x=n", r"2x", lambda x: np.linalg.norm(x) ** 2,
             lambda x, **_: {"x": 2 * x}),
    Identity(_C, "132", "norm(X)**2", ("X",), "X=m,n", r"2X",
             lambda X: np.linalg.norm(X) ** 2, lambda X, **_: {"X": 2 * X}),
    # -- common ML losses (gradients derived by hand, written here) -----------------------------
    Identity("ml", "least squares", "norm(A @ x - b)**2", ("x",), "A=m,n x=n b=m",
             r"2A^T(Ax - b)", lambda A, x, b: np.sum((A @ x - b) ** 2),
             lambda A, x, b, **_: {"x": 2 * A.T @ (A @ x - b)}),
    Identity("ml", "ridge regression", "0.5 * norm(X @ w - y)**2 + 0.1 * w @ w", ("w",),
             "X=m,n w=n y=m", r"X^T(Xw - y) + 0.2\,w",
             lambda X, w, y: 0.5 * np.sum((X @ w - y) ** 2) + 0.1 * w @ w,
             lambda X, w, y, **_: {"w": X.T @ (X @ w - y) + 0.2 * w}),
    Identity("ml", "logistic regression", "sum(log(1 + exp(-y * (X @ w))))", ("w",),
             "X=m,n w=n y=m", r"-X^T\big(y \circ \sigma(-y \circ Xw)\big)",
             lambda X, w, y: np.sum(np.log1p(np.exp(-y * (X @ w)))),
             lambda X, w, y, **_: {"w": -X.T @ (y * _sigmoid(-y * (X @ w)))}),
    Identity("ml", "log-sum-exp", "logsumexp(W @ x)", ("W",), "W=m,n x=n",
             r"\mathrm{softmax}(Wx)\,x^T", lambda W, x: np.log(np.sum(np.exp(W @ x))),
             lambda W, x, **_: {"W": np.outer(_softmax(W @ x), x)}),
    Identity("ml", "softmax cross-entropy", "-y @ log(softmax(W @ x))", ("W",), "y=m W=m,n x=n",
             r"\big(\mathrm{softmax}(Wx)\,\textstyle\sum_i y_i - y\big)\,x^T",
             lambda y, W, x: -y @ np.log(_softmax(W @ x)),
             lambda y, W, x, **_: {"W": np.outer(_softmax(W @ x) * y.sum() - y, x)}),
    Identity("ml", "sum of exponentials", "sum(exp(X))", ("X",), "X=m,n", r"\exp(X)",
             lambda X: np.sum(np.exp(X)), lambda X, **_: {"X": np.exp(X)}),
    Identity("ml", "Gaussian negative log-likelihood",
             "0.5 * logdet(S) + 0.5 * x @ inv(S) @ x", ("S", "x"), "S=n,n x=n",
             r"\bar S = \tfrac12 S^{-T} - \tfrac12 S^{-T}xx^TS^{-T},\ "
             r"\bar x = \tfrac12 (S^{-1} + S^{-T})x",
             lambda S, x: 0.5 * np.log(det(S)) + 0.5 * x @ inv(S) @ x,
             lambda S, x, **_: {"S": 0.5 * inv(S).T - 0.5 * inv(S).T @ np.outer(x, x)
                                @ inv(S).T, "x": 0.5 * (inv(S) + inv(S).T) @ x}),
    Identity("ml", "tanh layer, squared error", "0.5 * norm(tanh(W @ x) - y)**2", ("W",),
             "W=m,n x=n y=m", r"\big((\tanh(Wx) - y) \circ (1 - \tanh^2(Wx))\big)\,x^T",
             lambda W, x, y: 0.5 * np.sum((np.tanh(W @ x) - y) ** 2),
             lambda W, x, y, **_: {"W": np.outer((np.tanh(W @ x) - y)
                                                 * (1 - np.tanh(W @ x) ** 2), x)}),
)

# Issue 12's targets: each is an identity of the table above.
TARGETS = ("trace(A @ X)", "trace(X.T @ A @ X)", "a @ X @ b", "logdet(X)", "det(X)",
           "trace(inv(X) @ A)", "norm(A @ x - b)**2", "logsumexp(W @ x)",
           "-y @ log(softmax(W @ x))", "sum(exp(X))", "inv(X.T @ X)",
           "0.5 * logdet(S) + 0.5 * x @ inv(S) @ x")


def identity(expr: str) -> Identity:
    """The identity of the table whose expression is ``expr``."""
    for ident in IDENTITIES:
        if ident.expr == expr:
            return ident
    raise KeyError(f"no identity {expr!r} in the cookbook")


def check_identity(ident: Identity, seed: int = 0, cache: bool = False) -> Any:
    """``verify.check_expression`` of one identity, its published form as the reference;
    ``cache``: derive's exact checks and SymPy's answer from derive's store when filed
    (``derive.expression(..., cache=True)``; the generated code is verified every time)."""
    from verify.expression import check_expression
    from verify.expression_derive import derive_expression

    def reference(xs: dict[str, Any], g: Any) -> dict[str, Any]:
        return ident.published(**xs) if g is None else ident.published(**xs, G=g)

    derivation = derive_expression(ident.expr, list(ident.wrt), ident.shapes, seed, cache=cache)
    result = check_expression(ident.expr, list(ident.wrt), ident.shapes, seed=seed,
                              derivation=derivation, reference=reference, group=ident.group,
                              title=f"({ident.eq})" if ident.group == _C else ident.eq)
    result.reference = {"source": "The Matrix Cookbook" if ident.group == _C else "by hand",
                        "eq": ident.eq, "latex": ident.latex}
    return result


def cookbook(seed: int = 0, progress: Callable[[int, int, str], None] | None = None,
             jobs: int = 1, cache: bool = True) -> list[Any]:
    """Every identity of the table, checked (``progress(done, total, expr)`` after each);
    ``jobs`` > 1 checks them in that many processes (the results in the table's order);
    ``cache``: derive's checks from its store (see :func:`check_identity`)."""
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as ex:
            futures = [ex.submit(_check_nth, k, seed, cache) for k in range(len(IDENTITIES))]
            out = []
            for k, fut in enumerate(futures, 1):
                out.append(fut.result())
                if progress:
                    progress(k, len(IDENTITIES), IDENTITIES[k - 1].expr)
            return out
    out = []
    for k, ident in enumerate(IDENTITIES, 1):
        out.append(check_identity(ident, seed, cache))
        if progress:
            progress(k, len(IDENTITIES), ident.expr)
    return out


def _check_nth(k: int, seed: int, cache: bool) -> Any:
    return check_identity(IDENTITIES[k], seed, cache)
