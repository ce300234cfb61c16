"""The differential rules, applied the notebook's way: reverse mode over the expression tree.

``l = f(...)`` (or ``l = ⟨G, F⟩ = tr(Gᵀ F)`` for an array-valued ``F``): every node ``F`` of the
tree receives its adjoint ``H = ∂l/∂F`` from its parent; the node's differential rule (product,
transpose, trace, inverse ``d X⁻¹ = −X⁻¹ dX X⁻¹``, ``d det X = det X · tr(X⁻¹ dX)``, log-det,
elementwise chain rule, sums) writes ``tr(Hᵀ dF)`` as ``Σ tr(P̄ᵀ dP)`` over its operands ``P``
(using the cyclic property of the trace), which hands each operand its adjoint ``P̄``. The
adjoints reaching a name are summed: ``dl = Σ tr(X̄ᵀ dX)`` reads off ``∂l/∂X = X̄``.

Only nodes that depend on a ``wrt`` name are visited. ``log(softmax(z))`` is read as
``log_softmax(z) = z − logsumexp(z)`` first (its differential is the simpler one).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from derive.expression import nodes as N
from derive.expression.nodes import ExprError, Node, is_scalar, walk
from derive.expression.render import to_latex, to_text
from derive.expression.simplify import simplify

__all__ = ["RuleStep", "adjoints", "fuse", "derivative_of"]


@dataclass(frozen=True)
class RuleStep:
    """One rule applied: its name, the differential (text, LaTeX), the adjoints it hands on."""

    rule: str
    text: str
    latex: str
    op: str | None = None  # the table op with the same differential (its rule is proved there)


def fuse(n: Node) -> Node:
    """``log(softmax(z))`` -> ``log_softmax(z)``, everywhere in ``n``."""
    if n.op == "call" and n.value == "log" and n.args[0].op == "call" and \
            n.args[0].value == "softmax":
        return N.call("log_softmax", (fuse(n.args[0].args[0]),), n.pos)
    if not n.args:
        return n
    return Node(n.op, tuple(fuse(a) for a in n.args), n.value, n.shape, n.pos)


def adjoints(expr: Node, wrt: list[str], seed: Node
             ) -> tuple[dict[str, Node], list[RuleStep], dict[str, Node]]:
    """``{name: ∂l/∂name}`` (simplified) for ``l = ⟨seed, expr⟩``, the rules applied, and each
    gradient as the plain sum of the adjoints that reached the name."""
    order = walk(expr)
    dep: dict[int, bool] = {}
    for n in reversed(order):  # children before parents
        dep[id(n)] = (n.op == "name" and n.value in wrt) or any(dep[id(a)] for a in n.args)
    adj: dict[int, Node] = {id(expr): seed}
    grads: dict[str, Node] = {}
    steps: list[RuleStep] = []
    for n in order:
        if id(n) not in adj or not dep[id(n)]:
            continue
        h = simplify(adj.pop(id(n)))
        if n.op == "name":
            grads[n.value] = h if n.value not in grads else N.binary("add", grads[n.value], h)
            continue
        rule, dtext, dlatex, outs = _rule(n, h)
        shown = []
        for a, bar in zip(n.args, outs):
            if bar is None or not dep[id(a)]:
                continue
            bar = simplify(bar)
            adj[id(a)] = bar if id(a) not in adj else N.binary("add", adj[id(a)], bar)
            shown.append((a, bar))
        htext = "" if h == N.const(1) else f"   with H = {to_text(h)}"
        hlatex = "" if h == N.const(1) else rf",\quad H = {to_latex(h)}"
        text = dtext + htext + "".join(f"\n  ⇒ ∂l/∂({to_text(a)}) += {to_text(b)}"
                                       for a, b in shown)
        latex = dlatex + hlatex + "".join(
            rf" \;\Rightarrow\; \overline{{{to_latex(a)}}} \mathrel{{+}}= {to_latex(b)}"
            for a, b in shown)
        steps.append(RuleStep(rule, text, latex, _table_op(n)))
    raw = dict(grads)
    for w in wrt:
        if w not in grads:
            raise ExprError(f"the expression does not depend on {w!r}")
        grads[w] = simplify(grads[w])
    return grads, steps, raw


_AS_OP = {"add": "add", "sub": "subtract", "neg": "negative", "mul": "multiply",
          "div": "divide", "pow": "power", "T": "transpose", "matmul": "matmul"}


def _table_op(n: Node) -> str | None:
    import numeric

    name = _AS_OP.get(n.op) if n.op != "call" else {"logdet": "slogdet", "diag": "diagonal"}.get(
        n.value, n.value)
    return name if name in numeric.all_ops() else None


def _d(n: Node) -> tuple[str, str]:
    """The differential of ``n`` written out: ``dX`` / ``d(A @ X)``."""
    if n.op == "name":
        return f"d{n.value}", rf"\mathrm{{d}}{to_latex(n)}"
    return f"d({to_text(n)})", rf"\mathrm{{d}}\left({to_latex(n)}\right)"


def _ub(bar: Node, target: Node) -> Node:
    """Undo broadcasting a scalar operand: its adjoint is the sum."""
    return N.call("sum", (bar,)) if is_scalar(target) and bar.shape else bar


def _rule(F: Node, H: Node) -> tuple[str, str, str, list[Node | None]]:
    a = F.args
    P = a[0] if a else None
    dP, dPl = _d(P) if P is not None else ("", "")
    ft, fl = to_text(F), to_latex(F)
    lhs, lhsl = f"d({ft}) = ", rf"\mathrm{{d}}\left({fl}\right) = "
    if F.op in ("add", "sub"):
        dQ, dQl = _d(a[1])
        s = "+" if F.op == "add" else "-"
        second = H if F.op == "add" else N.neg(H)
        return ("sum rule", lhs + f"{dP} {s} {dQ}", lhsl + f"{dPl} {s} {dQl}",
                [_ub(H, a[0]), _ub(second, a[1])])
    if F.op == "neg":
        return "sign", lhs + f"-{dP}", lhsl + f"-{dPl}", [N.neg(H)]
    if F.op == "mul" and a[0].op == "const":
        c, cl = to_text(a[0]), to_latex(a[0])
        return ("constant factor", lhs + f"{c} * d{to_text(a[1])}" if a[1].op == "name" else
                lhs + f"{c} * {_d(a[1])[0]}", lhsl + rf"{cl}\, {_d(a[1])[1]}",
                [None, N.binary("mul", a[0], H)])
    if F.op == "mul":
        dQ, dQl = _d(a[1])
        Q = a[1]
        return ("product rule (elementwise)", lhs + f"{dP} * {to_text(Q)} + {to_text(P)} * {dQ}",
                lhsl + rf"{dPl} \circ {to_latex(Q)} + {to_latex(P)} \circ {dQl}",
                [_ub(N.binary("mul", H, Q), P), _ub(N.binary("mul", P, H), Q)])
    if F.op == "div":
        dQ, dQl = _d(a[1])
        Q = a[1]
        bq = N.neg(N.binary("div", N.binary("mul", H, P), N.power(Q, Fraction(2))))
        return ("quotient rule", lhs + f"{dP} / {to_text(Q)} - {to_text(P)} * {dQ} / "
                f"{to_text(Q)}**2", lhsl + rf"\frac{{{dPl}}}{{{to_latex(Q)}}} - "
                rf"\frac{{{to_latex(P)} \circ {dQl}}}{{{to_latex(Q)}^{{2}}}}",
                [_ub(N.binary("div", H, Q), P), _ub(bq, Q)])
    if F.op == "pow":
        p = F.value
        slope = N.binary("mul", N.const(p), N.power(P, p - 1) if p != 1 else N.const(1))
        return ("power rule", lhs + f"{to_text(slope)} * {dP}",
                lhsl + rf"{to_latex(slope)} \circ {dPl}", [N.binary("mul", slope, H)])
    if F.op == "T":
        return ("transpose", lhs + f"({dP}).T", lhsl + rf"\left({dPl}\right)^{{T}}",
                [N.transpose(H)])
    if F.op == "matmul":
        return _matmul_rule(F, H, lhs, lhsl)
    if F.op == "call":
        return _call_rule(F, H, lhs, lhsl, dP, dPl)
    raise ExprError(f"no differential rule for {F.op!r}")


def _matmul_rule(F: Node, H: Node, lhs: str, lhsl: str) -> tuple:
    P, Q = F.args
    dP, dPl = _d(P)
    dQ, dQl = _d(Q)
    text = lhs + f"{dP} @ {to_text(Q)} + {to_text(P)} @ {dQ}   (then tr is cyclic)"
    row = P.ndim == 1 and not (P.op == "matmul" and P.args[0].ndim == 1)  # a vector: a row
    pl = rf"{to_latex(P)}^{{T}}" if row and P.op == "name" else (
        rf"\left({to_latex(P)}\right)^{{T}}" if row else to_latex(P))
    dpl = rf"{dPl}^{{T}}" if row else dPl
    latex = lhsl + rf"{dpl}\, {to_latex(Q)} + {pl}\, {dQl}"
    if P.ndim == 1 and Q.ndim == 1:
        bars = [N.binary("mul", H, Q), N.binary("mul", H, P)]
    elif Q.ndim == 1:
        bars = [N.call("outer", (H, Q)), N.binary("matmul", N.transpose(P), H)]
    elif P.ndim == 1:
        bars = [N.binary("matmul", Q, H), N.call("outer", (P, H))]
    else:
        bars = [N.binary("matmul", H, N.transpose(Q)), N.binary("matmul", N.transpose(P), H)]
    return "product rule", text, latex, bars


def _call_rule(F: Node, H: Node, lhs: str, lhsl: str, dP: str, dPl: str) -> tuple:
    fn, P = F.value, F.args[0]
    pt, pl = to_text(P), to_latex(P)
    inv = N.call("inv", (P,)) if fn in ("det", "logdet") else F
    if fn == "trace":
        return ("trace", lhs + f"trace({dP})", lhsl + rf"\operatorname{{tr}}\left({dPl}\right)",
                [N.binary("mul", H, N.eye(P.shape[0]))])
    if fn == "det":
        return ("determinant", lhs + f"det({pt}) * trace(inv({pt}) @ {dP})",
                lhsl + rf"\det\left({pl}\right) \operatorname{{tr}}\left({to_latex(inv)} {dPl}"
                r"\right)", [N.binary("mul", N.binary("mul", H, F), N.transpose(inv))])
    if fn == "logdet":
        return ("log-determinant", lhs + f"trace(inv({pt}) @ {dP})",
                lhsl + rf"\operatorname{{tr}}\left({to_latex(inv)} {dPl}\right)",
                [N.binary("mul", H, N.transpose(inv))])
    if fn == "inv":
        it = N.transpose(F)
        return ("inverse", lhs + f"-{ft(F)} @ {dP} @ {ft(F)}",
                lhsl + rf"-{to_latex(F)} {dPl} {to_latex(F)}",
                [N.neg(N.binary("matmul", N.binary("matmul", it, H), it))])
    if fn == "sum":
        return ("sum", lhs + f"sum({dP})", lhsl + rf"\operatorname{{sum}}\left({dPl}\right)",
                [N.binary("mul", H, N.ones(P.shape))])
    if fn == "norm":
        return ("norm", lhs + f"sum({pt} * {dP}) / {ft(F)}",
                lhsl + rf"\frac{{\operatorname{{sum}}\left({pl} \circ {dPl}\right)}}{{{fl(F)}}}",
                [N.binary("div", N.binary("mul", H, P), F)])
    if fn == "logsumexp":
        s = N.call("softmax", (P,))
        return ("log-sum-exp", lhs + f"{ft(s)} @ {dP}", lhsl + rf"{fl(s)}^{{T}} {dPl}",
                [N.binary("mul", H, s)])
    if fn == "softmax":
        return ("softmax", lhs + f"s * {dP} - s * (s @ {dP}),  s = {ft(F)}",
                lhsl + rf"s \circ {dPl} - s\, s^{{T}} {dPl}",
                [N.binary("mul", F, N.binary("sub", H, N.binary("matmul", H, F)))])
    if fn == "log_softmax":
        s = N.call("softmax", (P,))
        return ("log-softmax (log ∘ softmax = z − logsumexp(z))",
                lhs + f"{dP} - {ft(s)} @ {dP}", lhsl + rf"{dPl} - \mathbf{{1}} {fl(s)}^{{T}} {dPl}",
                [N.binary("sub", H, N.binary("mul", s, N.call("sum", (H,))))])
    if fn == "diag":
        return ("diagonal", lhs + f"diag({dP})", lhsl + rf"\operatorname{{diag}}\left({dPl}\right)",
                [N.call("diag", (H,))])
    slope = derivative_of(fn, P, F)
    return ("elementwise chain rule", lhs + f"{ft(slope)} * {dP}",
            lhsl + rf"{fl(slope)} \circ {dPl}", [N.binary("mul", slope, H)])


def ft(n: Node) -> str:
    return to_text(n)


def fl(n: Node) -> str:
    return to_latex(n)


def derivative_of(fn: str, a: Node, out: Node) -> Node:
    """``f'(a)`` for an elementwise op ``f`` (``out = f(a)``), as a tree."""
    from derive.expression.elementwise import slope

    return slope(fn, a, out)
