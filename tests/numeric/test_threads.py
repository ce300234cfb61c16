"""Grad mode is per thread (a ContextVar): one thread's ``no_grad`` or backward pass never
switches recording off for another, so concurrent ``grad`` calls are all exact (issue 9, item 5).
"""

import contextvars
import sys
import threading

import numpy as np
import pytest

import numeric
from numeric import Tensor, grad, is_grad_enabled, no_grad


@pytest.fixture
def busy_switching():
    """Switch threads every microsecond, so races that need an unlucky switch happen."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def _run(threads: int, work) -> list:
    """Run ``work(k)`` in ``threads`` threads started together; re-raise the first error."""
    results: list = [None] * threads
    errors: list = []
    start = threading.Barrier(threads)

    def body(k):
        try:
            start.wait()
            results[k] = work(k)
        except BaseException as e:  # noqa: BLE001 - handed to the main thread
            errors.append(e)

    pool = [threading.Thread(target=body, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_no_grad_in_one_thread_leaves_another_recording():
    inside, checked = threading.Event(), threading.Event()
    seen = {}

    def quiet():
        with no_grad():
            inside.set()
            checked.wait(5)
            seen["quiet"] = is_grad_enabled()

    def loud():
        inside.wait(5)
        x = Tensor([3.0])
        y = (x * x).sum()
        seen["loud"] = (is_grad_enabled(), y.requires_grad)
        checked.set()

    pool = [threading.Thread(target=quiet), threading.Thread(target=loud)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert seen == {"quiet": False, "loud": (True, True)}
    assert is_grad_enabled()


def test_a_thread_started_under_no_grad_records():
    seen = []
    with no_grad():
        t = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_a_copied_context_keeps_the_mode_it_was_copied_in():
    with no_grad():
        ctx = contextvars.copy_context()
    assert ctx.run(is_grad_enabled) is False
    assert is_grad_enabled()


@pytest.mark.usefixtures("busy_switching")
def test_concurrent_grad_calls_are_all_exact():
    # Before grad mode was per thread, 1-23 of 600 such calls returned all-zero gradients.
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(8, 200, 3))

    def f(x):
        return (np.tanh(x) * x + x ** 3).sum()

    def want(x):
        return (1 - np.tanh(x) ** 2) * x + np.tanh(x) + 3 * x ** 2

    def work(k):
        df = grad(f)
        return [df(x) for x in xs[k]]

    got = np.array(_run(8, work))
    wrong = [(k, i) for k in range(8) for i in range(200)
             if not np.allclose(got[k, i], want(xs[k, i]), rtol=1e-13, atol=0)]
    assert not wrong, f"{len(wrong)} of 1600 gradients wrong, first at (thread, call) {wrong[0]}"


@pytest.mark.usefixtures("busy_switching")
def test_concurrent_grad_calls_sharing_a_closed_over_leaf():
    # A parameter Tensor shared by every thread (not a target of any call): each call's
    # gradient with respect to its own argument is exact, and the shared leaf is not written.
    rng = np.random.default_rng(1)
    w = Tensor(rng.normal(size=(3, 3)))
    xs = rng.normal(size=(4, 100, 3))

    def work(k):
        df = grad(lambda x: np.tanh(w @ x).sum())
        return [df(x) for x in xs[k]]

    got = np.array(_run(4, work))
    for k in range(4):
        for i in range(100):
            z = w.value @ xs[k, i]
            np.testing.assert_allclose(got[k, i], w.value.T @ (1 - np.tanh(z) ** 2), rtol=1e-13)
    assert w.grad is None


@pytest.mark.usefixtures("busy_switching")
def test_concurrent_backward_with_no_grad_in_other_threads():
    # Half the threads evaluate under no_grad while the other half differentiate.
    rng = np.random.default_rng(2)
    xs = rng.normal(size=(6, 100, 2))

    def work(k):
        out = []
        for x in xs[k]:
            if k % 2:
                with no_grad():
                    out.append(numeric.Tensor(x) * 2.0)
                    assert not out[-1].requires_grad
            else:
                t = Tensor(x)
                (t * t * t).sum().backward()
                out.append(t.grad)
        return out

    got = _run(6, work)
    for k in range(0, 6, 2):
        for x, g in zip(xs[k], got[k]):
            np.testing.assert_allclose(g, 3 * x ** 2, rtol=1e-14)
