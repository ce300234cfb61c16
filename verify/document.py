"""The complete results document of a run: everything the report shows, computed once.

``complete(suite)`` turns a finished :class:`verify.results.SuiteResult` into one JSON-ready
``gradproof.verify/2`` document: the suite's results (cases, every check, proofs, each case's
three-way verdict in words, the summary, the environment) plus, per op, the derivation steps
(LaTeX and MathML, with statuses), the FD error-vs-step curve and the example graph as SVG, and
the seed notebook's claims, and the checked expressions (``expressions``: derive's closed forms
and the verification of the generated code, :mod:`verify.expression`). The report
(``verify.report``) renders this document and computes nothing, so ``gradproof report --from
FILE`` shows exactly what ran. docs/results-schema.md describes the fields.

>>> doc = complete(verify.run_suite(ops=["exp"]))        # doctest: +SKIP
>>> doc["ops"][0]["cases"][0]["agreement"]["text"]      # doctest: +SKIP
"all three agree: the engine's rule, the symbolic derivation and finite differences"
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numeric
from verify.artefacts import fd_curve, graph_svg, why
from verify.budget import TimedOut, budget
from verify.expression_result import ExpressionResult, expression_summary
from verify.options import PROOF_TIMEOUT, TIMEOUT
from verify.results import OpResult, SuiteResult

__all__ = ["complete", "op_artefacts", "derivation_of", "claims_of"]


def derivation_of(op: numeric.Op) -> dict[str, Any]:
    """The op's derivation steps as data — the one seam between the document and derive.

    ``derive.derivation`` caches its work in ``derive.store`` (bound to what the forward and the
    rule compute); this only turns it into JSON, or says why it is unavailable.
    """
    try:
        import derive

        return dict(derive.derivation(op).to_dict(), status="ok")
    except Exception as e:  # noqa: BLE001 - derive cannot reach this op: say so on its page
        return {"status": "unavailable", "why": why(e), "steps": []}


def claims_of() -> dict[str, Any]:
    """The seed notebook's claims (``derive.claims()``), each with its formula as MathML."""
    try:
        import derive

        rows = []
        for claim in derive.claims():
            row = claim.to_dict()
            try:
                row["mathml"] = derive.latex_to_mathml(row.get("latex") or "")
            except Exception:  # noqa: BLE001 - the renderer shows the LaTeX source instead
                row["mathml"] = ""
            rows.append(row)
        return {"status": "ok", "claims": rows}
    except Exception as e:  # noqa: BLE001
        return {"status": "unavailable", "why": why(e), "claims": []}


def _failing(op: OpResult) -> bool:
    """Whether a check of ``op`` failed or a proof of its rule was refuted (or unavailable)."""
    return not op.ok


def op_artefacts(op: numeric.Op, failing: bool, seed: int, proved: tuple[str, ...] = (),
                 timeout: float | None = TIMEOUT, timed_out: bool = False) -> dict[str, Any]:
    """Derivation, FD curve and graph of one op (the graph's op node red when ``failing``;
    ``proved``: the cases at which the suite proved the op's rule exact).

    The FD curve and the graph run the op's own forward and rules, so each has the suite's
    time budget per case: a rule that hangs leaves that artefact "unavailable", not the run;
    for an op that already ran out of time in the suite (``timed_out``) they are not tried.
    """
    if timed_out:  # its rules hang or crawl: the derivation (which runs them) gets the case's
        slow = {"status": "unavailable", "why": f"{op.name} ran out of time in the suite"}
        derivation = _bounded(op, "derivation", timeout, lambda: derivation_of(op))
        return {"derivation": dict(derivation, steps=derivation.get("steps", [])),
                "fd": slow, "graph": slow}
    return {"derivation": _bounded(op, "derivation", PROOF_TIMEOUT, lambda: derivation_of(op)),
            "fd": _bounded(op, "FD curve", timeout, lambda: fd_curve(op, seed, proved=proved)),
            "graph": _bounded(op, "graph", timeout, lambda: graph_svg(op, failing, seed))}


def _bounded(op: numeric.Op, what: str, timeout: float | None,
             make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        with budget(timeout):
            return make()
    except TimedOut as e:
        return {"status": "unavailable", "why": f"the {what} of {op.name} {e} (the time budget "
                                                "per case): its forward or rules are too slow"}


def _proved(op: OpResult) -> tuple[str, ...]:
    return tuple(str(p.get("case")) for p in op.proof if p.get("status") == "proved")


def _task(name: str, seed: int, *args: Any) -> dict[str, Any]:
    return op_artefacts(numeric.all_ops()[name], args[0], seed, *args[1:])


def _timed_out(op: OpResult) -> bool:
    return any(k.detail.startswith(("timed out", "not run:")) for c in op.cases for k in c.checks)


def _unavailable(name: str) -> dict[str, Any]:
    missing = {"status": "unavailable", "why": f"op {name!r} is not in this op table"}
    return {"derivation": dict(missing, steps=[]), "fd": missing, "graph": missing}


def complete(suite: SuiteResult, *, jobs: int = 1, plugins: tuple[str, ...] = (),
             table: Mapping[str, numeric.Op] | None = None,
             progress: Callable[[int, int, str], None] | None = None,
             timeout: float | None = TIMEOUT,
             expressions: Sequence[ExpressionResult] = ()) -> dict[str, Any]:
    """The ``gradproof.verify/2`` document of ``suite``: its results plus every artefact.

    ``table`` maps names to ops (default: ``numeric.all_ops()``, plugins included); an op of the
    suite missing from it gets "unavailable" notes. ``jobs`` > 1 computes the artefacts of
    different ops in that many processes (each loads ``plugins`` first). ``timeout``: the time
    budget of each artefact that runs an op's rules (the suite's per-case budget).
    ``expressions``: checked expressions (the cookbook, ``--expr``), in the ``expressions``
    section; the summary's ``ok`` covers them too.
    """
    doc = suite.to_dict()
    parallel = table is None and jobs > 1  # workers rebuild the table from the plugins
    table = numeric.all_ops() if table is None else table
    wanted = [(o.op, (_failing(o), _proved(o), timeout, _timed_out(o)))
              for o in suite.ops if o.op in table]
    done: dict[str, dict[str, Any]] = {}
    if parallel and len(wanted) > 1:
        done = _parallel(wanted, suite.seed, jobs, plugins, progress)
    for k, (name, args) in enumerate(wanted, 1):
        if name not in done:
            done[name] = op_artefacts(table[name], args[0], suite.seed, *args[1:])
            if progress:
                progress(k, len(wanted), name)
    for op in doc["ops"]:
        op.update(done.get(op["op"]) or _unavailable(op["op"]))
    doc["claims"] = claims_of()
    doc["expressions"] = [e.to_dict() for e in expressions]
    doc["summary"] = expression_summary(doc["summary"], expressions)
    return doc


def _parallel(wanted: list[tuple[str, tuple[Any, ...]]], seed: int, jobs: int,
              plugins: tuple[str, ...],
              progress: Callable[[int, int, str], None] | None) -> dict[str, dict[str, Any]]:
    from verify.plugins import load_plugins

    done: dict[str, dict[str, Any]] = {}
    with ProcessPoolExecutor(min(jobs, len(wanted)), initializer=load_plugins,
                             initargs=(tuple(plugins),)) as ex:
        futures = {name: ex.submit(_task, name, seed, *args) for name, args in wanted}
        for k, (name, fut) in enumerate(futures.items(), 1):
            done[name] = fut.result()
            if progress:
                progress(k, len(wanted), name)
    return done
