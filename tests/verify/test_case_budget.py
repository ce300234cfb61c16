"""``verify.budget`` (a case's budget; derive keeps its own for proofs): a time budget that
interrupts hung code, costs little, and leaves no timer."""

import signal
import threading
import time

import numpy as np
import pytest

import verify
from numeric import Op
from verify.budget import TimedOut, budget
from verify.options import Options


def test_a_sleep_past_the_budget_is_interrupted():
    start = time.monotonic()
    with pytest.raises(TimedOut, match="within 0.2 s"), budget(0.2):
        time.sleep(30)
    assert time.monotonic() - start < 5
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_it_escapes_a_rule_that_catches_every_exception():
    def stubborn():
        try:
            time.sleep(30)
        except Exception:  # a rule's own error handling must not swallow the budget
            return "swallowed"
    with pytest.raises(TimedOut), budget(0.2):
        stubborn()


def test_work_within_the_budget_leaves_no_timer_and_the_old_handler():
    before = signal.getsignal(signal.SIGALRM)
    with budget(5.0):
        x = sum(range(1000))
    assert x == 499500
    time.sleep(0.01)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_an_outer_timer_due_sooner_governs_and_a_later_one_is_rearmed():
    fired = []
    old = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        with budget(0.5):
            pass
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < left <= 30  # re-armed, less the time spent
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with budget(10.0):  # the outer 0.2 s timer is sooner: ours is not armed
            time.sleep(0.5)
        assert fired == [1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_outside_the_main_thread_there_is_no_budget():
    done = []

    def work():
        with budget(0.05):
            time.sleep(0.2)
        done.append(True)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert done == [True]


def test_check_op_reports_a_slow_rule_as_timed_out():
    def slow(g, out, x):
        time.sleep(30)
        return 2 * g * x

    op = Op("budget_slow_square", np.square, (slow,))
    start = time.monotonic()
    r = verify.check_op(op, seed=0, options=Options(timeout=0.3))
    assert time.monotonic() - start < 5  # caught before derive's proof (60 s budget) waits
    assert not r.ok
    first, *rest = r.cases
    assert all(c.verdict == "fail" for c in first.checks)
    assert "timed out: budget_slow_square on case" in first.checks[0].detail
    assert "0.3 s" in first.checks[0].detail
    assert all(c.verdict == "skipped" and "not run" in c.detail for case in rest
               for c in case.checks)


def test_a_proof_past_its_budget_skips_the_symbolic_check_saying_so():
    def rule(g, out, x):  # quick on numbers, hangs on derive's symbols
        if np.asarray(x).dtype == object:
            time.sleep(30)
        return 2 * g * x

    op = Op("budget_slow_to_prove", np.square, (rule,))
    r = verify.check_op(op, (3,), options=Options(proof_timeout=0.3))
    sym = r.cases[0].get("symbolic")
    assert r.ok and sym.verdict == "skipped"
    assert "derive's proof of budget_slow_to_prove" in sym.detail and "0.3 s" in sym.detail
    assert all(c.verdict == "pass" for c in r.cases[0].checks if c.check in ("fd", "adjoint"))
