"""LaTeX read as plain text for terminals: ``latex_text(r"G B^{T}")`` -> ``"G·Bᵀ"``.

Covers the LaTeX derive writes and the seed notebook's claims use: fractions, sub- and
superscripts (unicode where it has the characters), transposes, fonts, text, delimiters,
matrices and the usual operators; an unknown command prints as its name, never with a backslash.
"""

from __future__ import annotations

import re

__all__ = ["latex_text"]


def latex_text(tex: str) -> str:
    """``tex`` as plain text: ``latex_text(r"dF = dA\\, b + A\\, db")`` -> ``"dF = dA·b + A·db"``.

    Covers the LaTeX this package and the notebook's claims write: fractions, sub- and
    superscripts (as unicode where it has the characters), transposes, fonts, text, delimiters,
    matrices and the usual operators; an unknown command prints as its name, never with a
    backslash. A space (or thin space ``\\,``) between two operands reads as a product ``·``.
    """
    return _finish(_TexReader(tex).read())


_SUP = dict(zip("0123456789+-=()Tainx", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵀᵃⁱⁿˣ"))
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_QUAD, _OPEN, _CLOSE, _SPACE = "\x03\x04\x05\x06"  # markers: a wide space, verbatim text
# begins / ends, a space inside verbatim text
_SYMBOLS = {
    "partial": "∂", "circ": "∘", "cdot": "·", "times": "×", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "ne": "≠", "neq": "≠", "in": "∈", "sum": "Σ", "prod": "Π", "top": "T",
    "dots": "…", "ldots": "…", "cdots": "⋯", "infty": "∞", "to": "→", "mapsto": "↦",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "theta": "θ",
    "lambda": "λ", "mu": "μ", "sigma": "σ", "odot": "⊙", "otimes": "⊗", "pm": "±",
    "nabla": "∇", "approx": "≈",
    "{": "{", "}": "}", "_": "_", "#": "#", "%": "%", "&": "&", "$": "$", "\\": "; ",
    ",": " ", " ": " ", ";": " ", ":": " ", "!": "", "quad": _QUAD, "qquad": _QUAD,
}
_FONTS = {"mathbf", "mathit", "boldsymbol", "operatorname", "mathcal", "mathsf"}
_TEXTS = {"text", "textbf", "textit", "mathrm", "textrm"}
_BB = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "C": "ℂ", "Q": "ℚ"}
_FUNCS = {"det", "log", "exp", "tr", "max", "min", "sin", "cos", "tanh", "Σ", "Π", "diag"}
_OPERAND_END = re.compile(r"[\w)\]ᵀ⁻¹²³⁰-⁹ⁱⁿˣᵃ₀-₉ₐ-ₜᵢ-ᵥ𝟙∂]$")
_OPERAND_START = re.compile(r"^[\w(∂𝟙]")


class _TexReader:
    """A recursive reader of LaTeX: groups, commands, sub- and superscripts, environments."""

    def __init__(self, tex: str) -> None:
        self.s, self.i = tex, 0

    def read(self, until: str | None = None) -> str:
        out = []
        while self.i < len(self.s):
            c = self.s[self.i]
            if until is not None and c == until:
                self.i += 1
                break
            if until is None and c == "}":  # stray brace
                self.i += 1
                continue
            out.append(self.token())
        return "".join(out)

    def arg(self) -> str:
        """The next argument: a {group}, a command, or one character."""
        while self.i < len(self.s) and self.s[self.i] == " ":
            self.i += 1
        if self.i >= len(self.s):
            return ""
        if self.s[self.i] == "{":
            self.i += 1
            return self.read("}")
        return self.token()

    def raw_arg(self) -> str:
        """The next {group} verbatim (environment names, text)."""
        if self.s.startswith("{", self.i):
            depth, start = 0, self.i
            while self.i < len(self.s):
                depth += {"{": 1, "}": -1}.get(self.s[self.i], 0)
                self.i += 1
                if depth == 0:
                    break
            return self.s[start + 1:self.i - 1]
        return self.arg()

    def token(self) -> str:
        c = self.s[self.i]
        self.i += 1
        if c == "{":
            return self.read("}")
        if c in "^_":
            return _script(self.arg(), _SUP if c == "^" else _SUB, c)
        if c == "~":
            return " "
        if c != "\\":
            return c
        m = re.match(r"[A-Za-z]+", self.s[self.i:])
        if not m:
            self.i += 1
            return _SYMBOLS.get(self.s[self.i - 1], "")
        name = m.group()
        self.i += len(name)
        return self.command(name)

    def command(self, name: str) -> str:
        if name == "frac":
            num, den = self.arg().strip(), self.arg().strip()
            if num.startswith("∂") and den.startswith("∂"):
                return f" {num.replace(' ', '')}/{den.replace(' ', '')} "
            return f" {_group(num)}/{_group(den)} "
        if name in _TEXTS:
            return _OPEN + _TexReader(self.raw_arg()).read().replace(" ", _SPACE) + _CLOSE
        if name == "mathbb":
            a = self.arg()
            return _BB.get(a, a)
        if name in _FONTS:
            a = self.arg()
            return "𝟙" if a.strip() == "1" else a
        if name in ("left", "right", "big", "Big", "bigl", "bigr"):
            d = self.token() if self.i < len(self.s) else ""
            return "" if d == "." else d
        if name == "begin":
            env = self.raw_arg()
            body = self.s[self.i:]
            end = body.find(rf"\end{{{env}}}")
            end = len(body) if end < 0 else end
            self.i += end + len(rf"\end{{{env}}}")
            rows = [[latex_text(cell) for cell in row.split("&")]
                    for row in re.split(r"\\\\", body[:end]) if row.strip()]
            if env == "cases":
                return "{ " + "; ".join("  ".join(r) for r in rows) + " }"
            if "matrix" in env:
                return "[" + "; ".join(", ".join(r) for r in rows) + "]"
            return "; ".join(" ".join(r) for r in rows)
        if name == "end":
            self.raw_arg()
            return ""
        return _SYMBOLS.get(name, name if name not in ("displaystyle", "limits") else "")


def _group(s: str) -> str:
    return s if re.fullmatch(r"[\w∂.ᵀ⁻¹]+", s) else f"({s})"


def _script(s: str, table: dict[str, str], mark: str) -> str:
    s = s.strip()
    if s in ("T", "⊤"):
        return "ᵀ"
    if s and all(ch in table for ch in s):
        return "".join(table[ch] for ch in s)
    return f"{mark}{s}" if len(s) == 1 else f"{mark}({s})"


def _finish(text: str) -> str:
    """Spaces and products: a space between two operands reads as ``·``, verbatim text kept."""
    parts = re.split(f"([{_OPEN}{_CLOSE}])", text)
    out, verbatim = [], False
    for part in parts:
        if part in (_OPEN, _CLOSE):
            verbatim = part == _OPEN
            continue
        if verbatim:
            out.append(part)
            continue
        words = re.split(r" +", part)
        merged = words[:1]
        for w in words[1:]:
            left = merged[-1]
            head = re.split(r"[^\w∂Σ]", left)[-1] if left else ""
            product = (_OPERAND_END.search(left) and _OPERAND_START.search(w)
                       and head.rstrip("₀₁₂₃₄₅₆₇₈₉ₖᵢⱼₙₘ") not in _FUNCS)
            merged[-1] = left + ("·" if product else " ") + w
        out.append("".join(merged))
    text = "".join(out)
    text = re.sub(r"([(\[]) +", r"\1", text)
    text = re.sub(r" +([)\],;])", r"\1", text)
    text = re.sub(r" {2,}", " ", text.replace(_SPACE, " ")).replace(_QUAD, "   ")
    return re.sub(r" {4,}", "   ", text).strip()
