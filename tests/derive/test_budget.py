"""Nothing hangs (issue 9, item 8): time budgets per proof, spot checks with their own budget,
``timed-out`` as a verdict, a size guard on derivations, a rational search that always ends."""

import dataclasses
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
import sympy as sp

import numeric
from derive import Limits, SizeError, exact_vjp, prove_rule
from derive import budget as budget_module
from derive.budget import OutOfTime, budget
from derive.oprun import rational_point
from derive.symbolic import symbols
from numeric.cases import Case
from numeric.op import Domain

FAST = Limits(symbolic_seconds=0.5, spot_seconds=0.5)


def _slow_on_symbols(x):
    """exp, but slow on inputs of several symbols, as SymPy is on large cases (fast on exact
    rationals, and on one symbol: the spot checks' directional runs)."""
    entries = np.asarray(x, dtype=object).ravel()
    free = set().union(*(getattr(v, "free_symbols", set()) for v in entries))
    if len(free) > 1:
        time.sleep(30)
    return np.exp(x)


def _slow_always(x):
    time.sleep(30)
    return np.exp(x)


def _op(name, fwd):
    return dataclasses.replace(numeric.get_op("exp"), name=name, fwd=fwd)


def test_symbolic_budget_falls_back_to_spot_checks_and_says_why():
    start = time.monotonic()
    proof = prove_rule(_op("exp_slow_symbols_for_test", _slow_on_symbols), Case(((2,),)),
                       limits=FAST)
    assert time.monotonic() - start < 10
    assert proof.status == "spot-checked"
    assert "symbolic proof exceeded 0.5 s" in proof.detail
    assert "spot checks at 5 points" in proof.method


def test_a_wrong_rule_is_refuted_by_the_spot_checks_after_a_timeout():
    op = dataclasses.replace(_op("exp_slow_wrong_for_test", _slow_on_symbols),
                             vjp=(lambda g, out, x: 2 * g * out,))
    assert prove_rule(op, Case(((2,),)), limits=FAST).status == "refuted"


def test_spot_checks_out_of_time_give_timed_out():
    start = time.monotonic()
    proof = prove_rule(_op("exp_slow_for_test", _slow_always), Case(((2,),)), limits=FAST)
    assert time.monotonic() - start < 10
    assert proof.status == "timed-out" and not proof.ok
    assert "exceeded 0.5 s" in proof.detail and "spot checks exceeded 0.5 s" in proof.detail


def _timed_out_in_worker():
    proof = prove_rule(_op("exp_slow_for_test", _slow_always), Case(((2,),)), limits=FAST)
    return proof.status


def test_budgets_work_inside_process_pool_workers():
    with ProcessPoolExecutor(1) as pool:
        assert pool.submit(_timed_out_in_worker).result(timeout=60) == "timed-out"


def test_nested_budgets_restore_the_outer_timer_and_handler():
    handler = signal.getsignal(signal.SIGALRM)
    with budget(30) as outer:
        with pytest.raises(OutOfTime) as err:
            with budget(0.2):
                time.sleep(5)
        assert err.value.owner is not outer
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 20 < left <= 30
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0
    assert signal.getsignal(signal.SIGALRM) is handler


def test_outside_the_main_thread_proofs_still_run():
    found = []
    worker = threading.Thread(target=lambda: found.append(prove_rule("exp", Case(((2,),)))))
    worker.start()
    worker.join(60)
    assert found and found[0].status == "proved"


@pytest.mark.parametrize("name, shapes", [("maximum", ((57,), (57,))), ("relu", ((12, 10),))])
def test_the_issue_repros_return(name, shapes):
    start = time.monotonic()
    proof = prove_rule(name, Case(shapes))
    assert proof.ok, proof
    assert time.monotonic() - start < 60


def test_slow_proofs_fall_back_within_their_budgets():
    start = time.monotonic()
    proof = prove_rule("inv", Case(((4, 4),)),
                       limits=Limits(symbolic_seconds=1.0, spot_seconds=60.0))
    assert time.monotonic() - start < 65
    assert proof.ok
    assert proof.status == "proved" or "symbolic proof exceeded 1 s" in proof.detail


def test_size_guard_names_op_shapes_and_limit():
    start = time.monotonic()
    with pytest.raises(SizeError, match=r"matmul at shapes 64x64 ; 64x64: 8192 input entries "
                                        r"exceed the exact-derivation limit of 512"):
        exact_vjp("matmul", Case(((64, 64), (64, 64))))
    assert time.monotonic() - start < 2
    proof = prove_rule("matmul", Case(((64, 64), (64, 64))))
    assert proof.status == "unavailable" and "limit of 512" in proof.detail


def test_size_limit_can_be_raised_or_lowered():
    with pytest.raises(SizeError, match="limit of 4"):
        exact_vjp("add", Case(((3,), (3,))), max_entries=4)
    assert exact_vjp("add", Case(((3,), (3,))), max_entries=6).exprs[0].shape == (3,)
    big = Case(((30,), (30,)))
    with pytest.raises(SizeError, match="900 output entries"):
        exact_vjp("outer", big, max_entries=100)


def test_distinct_rational_points_exist_for_narrow_domains_and_many_entries():
    op = dataclasses.replace(numeric.get_op("exp"),
                             domain=(Domain(0.0, 0.05, avoid=(0.02,), margin=0.001),))
    xs = [symbols("x", (200,), real=True)]
    point = rational_point(op, xs, [], np.random.default_rng(0))
    values = list(point.values())
    assert len(set(values)) == 200
    assert all(0 <= v <= sp.Rational(1, 20) and abs(float(v) - 0.02) >= 0.001 for v in values)


def test_the_cli_answers_a_too_large_case_at_once():
    import os
    import subprocess
    import sys

    start = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "verify.cli", "derive", "matmul", "--shapes",
                          "64,64;64,64"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": "."})
    assert time.monotonic() - start < 60
    assert run.returncode == 2
    assert "matmul at shapes 64x64 ; 64x64: 8192 input entries" in run.stderr
    assert "limit of 512" in run.stderr and "Traceback" not in run.stderr


def test_a_callers_timer_due_inside_a_budget_fires_on_time():
    """verify's case budget (or pytest-timeout) armed outside a proof's budget keeps its time."""
    class CallersAlarm(Exception):
        pass

    def alarm(signum, frame):
        raise CallersAlarm

    old = signal.signal(signal.SIGALRM, alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        start = time.monotonic()
        with pytest.raises(CallersAlarm), budget(10.0):
            time.sleep(5)
        assert time.monotonic() - start < 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_a_callers_timer_fires_once_not_again_when_the_budget_ends():
    calls = []
    old = signal.signal(signal.SIGALRM, lambda *a: calls.append(time.monotonic()))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        with budget(1.0):
            time.sleep(0.2)
        time.sleep(0.2)
        assert len(calls) == 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_an_outer_budget_running_out_as_an_inner_one_opens_leaves_nothing_behind():
    """The inner budget's own bookkeeping is interrupted: it must not stay on the stack."""
    with pytest.raises(OutOfTime) as caught, budget(0.05) as outer:
        while True:  # most alarms land in the inner budget's own enter/exit bookkeeping
            with budget(10.0):
                pass
    assert caught.value.owner is outer
    assert budget_module._active() == []  # no stale budget left to raise for later
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
