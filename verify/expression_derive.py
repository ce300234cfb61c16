"""The one seam between ``verify``'s expression checks and ``derive.expression``.

``derive.expression(expr, wrt, shapes)`` parses an expression, derives the closed form of its
gradient (or VJP) per ``wrt`` name, checks it exactly at concrete sizes, asks SymPy, and
generates NumPy code: ``numpy_function`` (the gradient) and ``forward_function`` (the forward as
plain NumPy calls, so on Tensors it runs through the engine). Here that result is read — and
only here: :func:`derive_expression` runs it, :func:`gradient_of` / :func:`forward_of` wrap its
functions for the checks, :func:`data_of` turns it into the results document's JSON (formulas
as LaTeX and MathML, steps with statuses, exact checks, SymPy's verdict, the generated code).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["parse_shapes", "derive_expression", "gradient_of", "forward_of", "data_of"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def parse_shapes(shapes: str | Mapping[str, Any]) -> dict[str, tuple[Any, ...]]:
    """``"X=n,n A=n,n b=m c="`` (or a mapping) -> ``{"X": ("n", "n"), ..., "c": ()}``.

    A dimension is a letter (a symbolic size) or a positive integer; an empty right side, or
    ``()``, is a scalar. A malformed entry is a ValueError naming it.
    """
    if isinstance(shapes, Mapping):
        items = [(str(k), tuple(v) if isinstance(v, (tuple, list)) else (v,))
                 for k, v in shapes.items()]
    else:
        items = []
        for part in str(shapes).split():
            name, eq, dims = part.partition("=")
            if not eq:
                raise ValueError(f"shapes: {part!r} is not NAME=DIMS (e.g. X=n,n)")
            dims = dims.strip("()")
            items.append((name, tuple(d for d in dims.split(",") if d) if dims else ()))
    out: dict[str, tuple[Any, ...]] = {}
    for name, dims in items:
        if not _NAME.match(name) or name in out:
            raise ValueError(f"shapes: {name!r} is not a new name")
        fixed = []
        for d in dims:
            d = d.strip() if isinstance(d, str) else d
            if isinstance(d, (int, np.integer)) or (isinstance(d, str) and d.isdigit()):
                if int(d) < 1:
                    raise ValueError(f"shapes: {name} has a size {d}; sizes are ≥ 1")
                fixed.append(int(d))
            elif isinstance(d, str) and _NAME.match(d):
                fixed.append(d)
            else:
                raise ValueError(f"shapes: {name} has a dimension {d!r}: use a letter or an "
                                 "integer")
        out[name] = tuple(fixed)
    return out


def derive_expression(expr: str, wrt: list[str], shapes: str | Mapping[str, Any],
                      seed: int = 0, cache: bool = True) -> Any:
    """``derive.expression``'s result (``cache``: its checks from derive's store when filed);
    its refusal (``ExprError``, a ValueError pointing at the place in the expression) goes
    through."""
    import derive

    text = shapes if isinstance(shapes, str) else " ".join(
        f"{k}={','.join(map(str, v))}" for k, v in parse_shapes(shapes).items())
    return derive.expression(expr, list(wrt), text, seed=seed, cache=cache)


def forward_of(result: Any) -> Callable[..., Any]:
    """The expression's forward, ``f(**arrays)``: NumPy calls, so Tensors go through the
    engine."""
    return result.forward_function


def gradient_of(result: Any, wrt: list[str]) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """``gradient(xs, g) -> {name: array}`` from the generated ``numpy_function`` (``g`` is
    None for a scalar expression, else the cotangent passed as ``G``)."""
    function = result.numpy_function

    def gradient(xs: dict[str, Any], g: Any) -> dict[str, Any]:
        got = function(**xs) if g is None else function(**xs, G=g)
        if isinstance(got, Mapping):
            return dict(got)
        if len(wrt) != 1:
            raise TypeError(f"the generated function returned one array for {len(wrt)} "
                            f"names {wrt}")
        return {wrt[0]: got}

    return gradient


def _mathml(latex: str) -> str:
    try:
        import derive

        return derive.latex_to_mathml(latex or "")
    except Exception:  # noqa: BLE001 - the renderer shows the LaTeX source instead
        return ""


def _steps(steps: Any) -> list[dict[str, Any]]:
    out = []
    for st in steps or []:
        d = st.to_dict() if hasattr(st, "to_dict") else dict(st)
        row = {"title": str(d.get("title", "")), "latex": str(d.get("latex", "")),
               "status": str(d.get("status", "")), "text": str(d.get("text", ""))}
        row["mathml"] = d.get("mathml") or _mathml(row["latex"])
        out.append(row)
    return out


def _plain(value: Any) -> Any:
    """JSON-ready: records through ``to_dict``, containers item by item, the rest as text."""
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    return str(value)


def _sizes(sizes: Any) -> str:
    if isinstance(sizes, Mapping):
        return ", ".join(f"{k} = {v}" for k, v in sizes.items())
    if isinstance(sizes, (list, tuple)):
        return "; ".join(_sizes(s) for s in sizes)
    return str(sizes or "")


def _exact(value: Any) -> list[dict[str, str]]:
    """derive's exact checks as ``[{"sizes", "verdict", "detail"}]``: verified or refuted,
    where, and how (derive's own words)."""
    items = value if isinstance(value, (list, tuple)) else [] if value is None else [value]
    out = []
    for item in items:
        d = _plain(item)
        if not isinstance(d, Mapping):
            d = {"status": str(d)}
        verdict = d.get("verdict") or ("verified" if d.get("ok") else "refuted"
                                       if "ok" in d else str(d.get("status", "")))
        detail = str(d.get("detail") or d.get("status") or "")
        if d.get("counterexample"):
            detail += f" (counterexample: {d['counterexample']})"
        out.append({"sizes": _sizes(d.get("sizes")), "verdict": str(verdict), "detail": detail})
    return out


def _sympy(value: Any) -> dict[str, str] | None:
    """SymPy's verdict as ``{"verdict", "detail"}`` (agreed, refused with a counterexample, or
    no answer)."""
    if value is None:
        return None
    d = _plain(value)
    if not isinstance(d, Mapping):
        return {"verdict": str(d), "detail": ""}
    verdict = d.get("verdict") or d.get("status") or ("agreed" if d.get("ok") else "")
    detail = d.get("detail") or d.get("why") or ""
    out = {"verdict": str(verdict), "detail": str(detail)}
    if d.get("latex"):
        out["latex"] = str(d["latex"])
    return out


def data_of(result: Any, wrt: list[str]) -> dict[str, Any]:
    """derive's result as the document's ``derivation`` of an expression (see
    docs/results-schema.md): the steps (the differential, each rule, Σ tr(X̄ᵀ dX) per name,
    SymPy's answer), per ``wrt`` name the closed form with its exact check and SymPy's verdict,
    the generated code, derive's own verdict and time."""
    forms = []
    for name in wrt:
        part = result.gradients[name]
        latex = str(part.latex)
        forms.append({"wrt": name, "text": str(part.text), "latex": latex,
                      "mathml": str(getattr(part, "mathml", "") or _mathml(latex)),
                      "exact": _exact(part.exact), "sympy": _sympy(part.sympy),
                      "ok": bool(part.exact.ok)})
    return {"status": "ok", "ok": bool(result.ok), "seconds": float(result.seconds),
            "steps": _steps(result.steps), "forms": forms,
            "numpy_source": str(result.numpy_source),
            "forward_source": str(result.forward_source)}
