"""A results document in the contract's schema, made from the op table, for the report's tests.

The report must be testable without running the whole verification suite: ``make_results``
writes plausible verdicts and errors for every standard case of the chosen ops, with failures
where asked and, optionally, a user op whose name is an HTML injection attempt;
``make_document`` adds the artefacts ``verify.document`` computes (derivation, FD curve, graph,
claims) — the complete document the report renders.
"""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
from expression_helpers import make_expressions

import numeric
from numeric.cases import standard_cases

EVIL = "<script>alert(1)</script>"
CHECKS = ("symbolic", "fd", "adjoint", "raw_shape")


def _check(name: str, rng: np.random.Generator, fail: bool) -> dict:
    tol = {"symbolic": 1e-12, "fd": 1e-6, "adjoint": 1e-10, "raw_shape": None}[name]
    if name == "raw_shape":
        return {"check": name, "verdict": "fail" if fail else "pass", "error": None, "tol": None,
                "detail": "raw rule returned shape (2, 3) for input 1 of shape (3,)" if fail
                else "raw cotangent shapes match", "diagnosis": None}
    error = tol * (10 + rng.random()) if fail else tol * rng.random() * 0.1
    diagnosis = {"input": 1, "worst": [[0, 1]], "hint": "the tie x == y sends g to both inputs"}
    return {"check": name, "verdict": "fail" if fail else "pass", "error": float(error),
            "tol": tol, "detail": f"max abs error {error:.3g} vs tolerance {tol:.1g}",
            "diagnosis": diagnosis if fail else None}


def _op_entry(name: str, doc: str, kind: str, cases: list, kink: str | None,
              failing: bool, rng: np.random.Generator) -> dict:
    entries, proofs = [], []
    for k, case in enumerate(cases):
        shapes = [list(s) for s in case.shapes]
        for dtype in ("float64", "float32"):
            bad = failing and k == 0
            checks = [_check(c, rng, bad and c in ("fd", "symbolic")) for c in CHECKS]
            if dtype == "float32":
                checks[1]["verdict"] = "unreliable" if k == 1 else checks[1]["verdict"]
            entries.append({"case": str(case), "label": case.label, "shapes": shapes,
                            "params": {p: repr(v) for p, v in case.params.items()},
                            "dtype": dtype, "checks": checks})
        proofs.append({"op": name, "label": case.label, "kink": None,
                       "status": "refuted" if failing and k == 0 else "proved",
                       "case": str(case),
                       "method": f"exact symbolic proof at shapes {case}",
                       "detail": "input 1, entry (0,): g*(x > y) != g*(x >= y)"
                       if failing and k == 0 else ""})
    return {"op": name, "doc": doc, "kink": kink, "kind": kind, "proof": proofs,
            "cases": entries}


def make_results(ops: tuple[str, ...] = ("add", "multiply", "maximum", "matmul", "sum"),
                 failing: tuple[str, ...] = ("maximum",), evil: bool = True,
                 seed: int = 0) -> dict:
    """A results dict as ``verify.run_suite(...).to_dict()`` returns it."""
    rng = np.random.default_rng(seed)
    table = numeric.all_ops()
    entries = []
    for name in ops:
        op = table[name]
        kink = op.kink.text if op.kink else None
        entries.append(_op_entry(name, op.doc, op.kind.name, list(standard_cases(op))[:3],
                                 kink, name in failing, rng))
    if evil:
        entries.append(_op_entry(EVIL, f"user op {EVIL} & co", "elementwise",
                                 list(standard_cases(table["exp"]))[:2], f"at {EVIL}",
                                 False, rng))
    counts = {"pass": 0, "fail": 0, "unreliable": 0, "skipped": 0, "unavailable": 0}
    worst = []
    for op in entries:
        for case in op["cases"]:
            for chk in case["checks"]:
                counts[chk["verdict"]] += 1
                if chk["verdict"] == "fail":
                    worst.append({"op": op["op"], "case": case["case"], "check": chk["check"],
                                  "error": chk["error"], "tol": chk["tol"]})
    return {
        "schema": "gradproof.verify/2", "gradproof_version": numeric.__version__, "seed": seed,
        "created": "2026-01-01T00:00:00+00:00",
        "environment": {"python": "3.x", "numpy": np.__version__, "sympy": "1.x",
                        "platform": f"test <b>platform</b> {EVIL}", "cpus": 2},
        "summary": {"ops": len(entries), "cases": sum(len(op["cases"]) for op in entries),
                    "checks": counts, "ok": counts["fail"] == 0, "worst": worst[:5]},
        "ops": entries,
    }


@functools.lru_cache(maxsize=4)
def _artefacts(name: str, failing: bool, seed: int) -> dict:
    from verify.document import op_artefacts

    table = numeric.all_ops()
    op = table[name] if name in table else replace(table["exp"], name=name, doc=f"doc {name}")
    return op_artefacts(op, failing, seed)


def make_document(ops: tuple[str, ...] = ("add", "multiply", "maximum", "matmul", "sum"),
                  failing: tuple[str, ...] = ("maximum",), evil: bool = True,
                  seed: int = 0) -> dict:
    """``make_results`` plus each op's artefacts and the claims, as ``verify.document.complete``
    adds them (the evil user op is a renamed copy of exp)."""
    import copy

    from verify.document import claims_of

    doc = make_results(ops, failing, evil, seed)
    for op in doc["ops"]:
        op.update(copy.deepcopy(_artefacts(op["op"], op["op"] in failing, seed)))
    doc["claims"] = claims_of()
    doc["expressions"] = make_expressions()  # the cookbook page and an --expr page
    return doc


def test_fixture_counts_add_up():
    results = make_results()
    n = sum(len(case["checks"]) for op in results["ops"] for case in op["cases"])
    assert sum(results["summary"]["checks"].values()) == n
    assert results["summary"]["checks"]["fail"] > 0 and not results["summary"]["ok"]


def test_fixture_has_the_keys_of_a_real_run():
    """The fixture keeps up with ``verify.results``: the same keys at every level as a real run."""
    import verify

    real = verify.run_suite(ops=["add"], seed=0).to_dict()
    fake = make_results(ops=("add",), evil=False)

    def levels(d: dict) -> list[set]:
        op, case = d["ops"][0], d["ops"][0]["cases"][0]
        return [set(d), set(d["summary"]), set(d["summary"]["checks"]), set(d["environment"]),
                set(op), set(case) - {"agreement"},  # recomputed on reading: not needed
                set(case["checks"][0]), set(op["proof"][0]) - {"seconds"}]

    for want, got in zip(levels(real), levels(fake)):
        assert want - got == set(), f"the fixture lacks {want - got}"
    assert fake["schema"] == real["schema"]
