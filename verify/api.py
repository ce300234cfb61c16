"""``check_op`` and ``assert_op``: verify one op — built-in, user-registered, or a bare ``Op``.

>>> import verify
>>> r = verify.check_op("matmul", (2, 3), (3, 4))
>>> r.ok
True
>>> verify.assert_op("maximum")        # every standard case; raises AssertionError on a failure
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

from numeric import Op, get_op
from numeric.cases import Case, sample_inputs, standard_cases
from verify.budget import TimedOut, budget
from verify.checks import check_case as _check_case
from verify.complex_checks import DTYPE as COMPLEX
from verify.complex_checks import check_complex_case, complex_proof
from verify.kinks import kink_distance
from verify.options import Options
from verify.proofs import prove
from verify.results import CaseResult, CheckResult, OpResult

__all__ = ["check_op", "assert_op", "case_rng"]

DTYPE_CODE = {"float64": 64, "float32": 32, "complex128": 128}
RESAMPLE = 3  # new inputs for a case whose FD reference was unreliable
RESAMPLED = ("fd", "adjoint", "taylor")


def check_op(op: Op | str, *shapes_or_arrays: Any, params: dict[str, Any] | None = None,
             seed: int = 0, dtype: str = "float64", options: Options | None = None,
             proofs: dict[str, Any] | None = None) -> OpResult:
    """Run the checks on ``op``: its standard cases, or one case given by shapes or arrays.

    ``check_op("multiply", (2, 3), (3,))`` samples inputs of those shapes inside the op's
    domain; ``check_op(my_op, x, y)`` checks at the given arrays. ``params`` are the op's
    keyword parameters (``axis=``...). Results are reproducible for a ``seed``. ``proofs``:
    derive's proofs already made in this run, by case (a proof does not depend on the dtype,
    so the suite's float32 pass reuses the float64 pass's), and filled with new ones.
    """
    op = get_op(op) if isinstance(op, str) else op
    if not isinstance(op, Op):
        raise TypeError(f"check_op expects an Op or an op name, got {type(op).__name__}")
    options = options or Options()
    dtype = str(np.dtype(dtype))
    if dtype not in DTYPE_CODE:
        raise ValueError(f"check_op({op.name!r}): dtype {dtype!r} is not supported; "
                         f"use one of {', '.join(DTYPE_CODE)}")
    given: list[np.ndarray] | None = None
    if not shapes_or_arrays:
        cases = list(standard_cases(op))
        if options.random_cases:
            from verify.random_cases import hypothesis_cases

            cases += hypothesis_cases(op, options.random_cases, seed)
    elif all(_is_shape(s) for s in shapes_or_arrays):
        cases = [Case(tuple(tuple(s) for s in shapes_or_arrays), dict(params or {}), "given")]
    else:
        given = [np.asarray(a) for a in shapes_or_arrays]
        cases = [Case(tuple(a.shape for a in given), dict(params or {}), "given arrays")]
        try:
            with np.errstate(all="ignore"), budget(options.timeout):
                op.fwd(*given, **dict(params or {}))
        except TimedOut as e:
            raise ValueError(f"check_op({op.name!r}): the forward on the given arrays {e}"
                             ) from None
        except Exception as e:
            shapes = ", ".join(f"input {i}: {a.shape} {a.dtype}" for i, a in enumerate(given))
            raise ValueError(f"check_op({op.name!r}): the forward fails on the given arrays "
                             f"({shapes}; params {params or {}}): {type(e).__name__}: {e}"
                             ) from None
    if dtype == COMPLEX and not op.complex:  # complex inputs only where the record says so
        why = (f"not run: {op.name} does not declare complex support (complex=True in its "
               "record), so complex inputs are refused by the engine")
        result = OpResult(op.name, op.doc, op.kink.text if op.kink else None, op.kind.name)
        result.cases = [_broken(c, dtype, options, why, verdict="skipped") for c in cases]
        return result
    if len(cases[0].shapes) != op.nargs and op.each is None:
        raise ValueError(f"op {op.name!r} takes {op.nargs} inputs; {len(cases[0].shapes)} "
                         f"shapes or arrays were given")
    result = OpResult(op.name, op.doc, op.kink.text if op.kink else None, op.kind.name)
    late = None  # the case that ran out of time: the op's later cases are not run
    for k, case in enumerate(cases):
        if late is not None:
            result.cases.append(_broken(case, dtype, options, f"not run: {op.name} timed out "
                                        f"on case {late} (budget {options.timeout:g} s)",
                                        verdict="skipped"))
            continue
        run_op = op.arity(len(case.shapes)) if len(case.shapes) != op.nargs else op
        if k == 0 and (hung := _smoke(run_op, case, given, options)) is not None:
            result.cases.append(_timed_out(op, case, dtype, options, hung))
            late = str(case)  # before derive's proof, which would wait for the rule too
            continue
        proof = None
        if "symbolic" in options.checks and dtype == COMPLEX:  # derive's complex-symbol proof
            proof = complex_proof(run_op, case, options)
        elif "symbolic" in options.checks:
            proof = (proofs or {}).get(str(case)) or _prove(run_op, case, options)
            if proofs is not None:
                proofs[str(case)] = proof
        if proof is not None and dtype == "float64":
            result.proof.append(proof)
        rng = case_rng(seed, op.name, k, dtype)
        try:
            with budget(options.timeout):
                res = _check(run_op, case, given, dtype, rng, options, proof)
        except TimedOut as e:  # the forward or a rule hangs or is slow: a finding
            res = _timed_out(op, case, dtype, options, e)
            late = str(case)
        result.cases.append(res)
    return result


def assert_op(op: Op | str, *shapes_or_arrays: Any, **kwargs: Any) -> OpResult:
    """Like :func:`check_op`, but raise AssertionError carrying the diagnosis on a failure."""
    result = check_op(op, *shapes_or_arrays, **kwargs)
    if not result.ok:
        raise AssertionError(result.explain())
    return result


def case_rng(seed: int, name: str, index: int, dtype: str) -> np.random.Generator:
    """The generator for one (op, case, dtype): independent of run order and job count."""
    return np.random.default_rng([seed, zlib.crc32(name.encode()), index,
                                  DTYPE_CODE.get(dtype, 0)])


def check_case(*args: Any) -> Any:
    """``verify.checks.check_case`` without NumPy's floating-point warnings (the checks judge)."""
    with np.errstate(all="ignore"):
        return _check_case(*args)


def _check(op: Op, case: Case, given: list[np.ndarray] | None, dtype: str,
           rng: np.random.Generator, options: Options, proof: dict[str, Any] | None
           ) -> CaseResult:
    """One case: at the given arrays, or at sampled inputs (drawn again while FD is unsure)."""
    if dtype == COMPLEX:
        xs = given if given is not None else sample_inputs(op, case, rng, dtype=np.complex128)
        with np.errstate(all="ignore"):
            return check_complex_case(op, case, xs, rng, options, proof)
    xs = given if given is not None else _sample(op, case, rng)
    try:
        res = check_case(op, case, xs, dtype, rng, options, proof)
    except Exception as e:  # the forward itself fails on a standard case: a finding
        return _broken(case, dtype, options, f"{op.name}: the forward raised "
                       f"{type(e).__name__}: {e} on shapes {case}")
    # Sampled inputs near a non-smooth point leave FD unable to judge: draw new ones
    # (a few times, from the same seeded stream, so still reproducible).
    for attempt in range(1, RESAMPLE + 1 if given is None else 1):
        if not _unsure(res):
            break
        xs = _sample(op, case, rng)
        res = check_case(op, case, xs, dtype, rng, options, proof)
        for c in res.checks:
            c.detail += f" (inputs drawn {attempt + 1} times: FD could not judge before)"
    return res


def _smoke(op: Op, case: Case, given: list[np.ndarray] | None, options: Options
           ) -> TimedOut | None:
    """Run the forward and each rule once within the case's budget: a hung rule is caught in
    seconds, not after derive's longer proof budget. Its own generator: results do not move."""
    try:
        with budget(options.timeout), np.errstate(all="ignore"):
            xs = given if given is not None else sample_inputs(op, case, np.random.default_rng(0))
            out = op.fwd(*xs, **case.params)
            for rule in op.vjp:
                if rule is not None:
                    rule(np.ones(np.shape(out)), out, *xs, **case.params)
    except TimedOut as e:
        return e
    except Exception:  # noqa: BLE001 - a forward or rule that raises is the checks' finding
        pass
    return None


def _timed_out(op: Op, case: Case, dtype: str, options: Options, e: TimedOut) -> CaseResult:
    return _broken(case, dtype, options, f"timed out: {op.name} on case {case} ({dtype}) {e} "
                   "(the time budget per case: Options.timeout, gradproof verify --timeout)",
                   then=f"timed out with the case (budget {e.seconds:g} s)")


def _prove(op: Op, case: Case, options: Options) -> dict[str, Any]:
    """derive's proof of the case within its time budget; past it, a "timed out" status."""
    try:
        with budget(options.proof_timeout):
            return prove(op, case)
    except TimedOut as e:
        return {"status": "timed out", "method": "", "detail": (
            f"derive's proof of {op.name} at {case} {e} (the time budget per proof: "
            "Options.proof_timeout)")}


def _broken(case: Case, dtype: str, options: Options, why: str, verdict: str = "fail",
            then: str | None = None) -> CaseResult:
    """Every selected check with one verdict; ``then``: a shorter detail after the first."""
    res = CaseResult(str(case), case.label, [list(s) for s in case.shapes],
                     {k: repr(v) for k, v in case.params.items()}, dtype)
    res.checks = [CheckResult(c, verdict, detail=why if k == 0 or then is None else then)
                  for k, c in enumerate(options.checks)]
    return res


def _unsure(res: Any) -> bool:
    return any(c.verdict == "unreliable" for c in res.checks if c.check in RESAMPLED)


def _is_shape(s: Any) -> bool:
    return isinstance(s, (tuple, list)) and all(isinstance(n, (int, np.integer)) for n in s)


def _sample(op: Op, case: Case, rng: np.random.Generator) -> list[np.ndarray]:
    """Inputs inside the op's domain, resampled (a few times) when too near a declared kink."""
    xs = sample_inputs(op, case, rng)
    for _ in range(20):
        if kink_distance(op, xs) >= 0.02:
            break
        xs = sample_inputs(op, case, rng)
    return xs
