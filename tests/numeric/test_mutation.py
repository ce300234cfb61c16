"""Arrays written between the forward and the backward pass cannot change a gradient (issue 9,
item 6): the engine copies the arrays it is given (leaves, plain array inputs, array params)
and hands out its own values read-only, so a write either misses the graph or is refused.
"""

import numpy as np
import pytest
from numdiff_util import bound, differentiated, standard_items

import numeric
from numeric import Tensor, apply, no_grad
from numeric.cases import sample_inputs

OPS = numeric.all_ops()
STANDARD = standard_items(OPS)


def test_the_issue_repro_a_leaf_s_source_array_written_after_the_forward():
    a = np.array([1.0, 2.0])
    x = Tensor(a, requires_grad=True)
    y = (x * x).sum()
    a[0] = 5
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])  # was [10, 4]
    assert a[0] == 5 and a.flags.writeable  # the caller's array stays theirs


def test_writing_a_leaf_s_value_is_refused():
    x = Tensor([1.0, 2.0])
    y = (x * x).sum()
    with pytest.raises(ValueError, match="read-only"):
        x.value[0] = 5
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_writing_an_op_s_result_is_refused():
    # exp's rule reads its result (g * out): a write to it would change x's gradient.
    x = Tensor([0.0, 1.0])
    y = x.exp()
    with pytest.raises(ValueError, match="read-only"):
        y.value[0] = 100.0
    with pytest.raises(ValueError, match="read-only"):
        y.numpy()[:] = 0.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.exp([0.0, 1.0]))


def test_an_array_from_np_asarray_is_read_only_too():
    x = Tensor([1.0, 2.0], requires_grad=False)
    with no_grad():
        with pytest.raises(ValueError, match="read-only"):
            np.asarray(x)[0] = 3.0


def test_a_plain_array_input_written_after_the_forward():
    x = Tensor([1.0, 2.0])
    c = np.array([3.0, 4.0])
    y = (x * c).sum()
    c[:] = 100.0
    y.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_a_plain_array_reached_through_a_constant_view():
    # transpose of a plain array is a view; the constant Tensor holding it must not see writes.
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    c = apply("transpose", a)
    x = Tensor(np.ones((2, 2)))
    y = (x * c).sum()
    a[:] = -1.0
    y.backward()
    np.testing.assert_array_equal(x.grad, [[1.0, 3.0], [2.0, 4.0]])


def test_ops_that_record_nothing_use_caller_arrays_without_copying(monkeypatch):
    import numeric.tensor

    x = Tensor([1.0, 2.0])
    a = np.array([3.0, 4.0])
    monkeypatch.setattr(numeric.tensor, "private", lambda v: pytest.fail("copied"))
    with no_grad():
        np.testing.assert_array_equal((x * a).value, [3.0, 8.0])
        np.testing.assert_array_equal(apply("tanh", a).value, np.tanh(a))
    np.testing.assert_array_equal(apply("add", a, a).value, [6.0, 8.0])  # constants only


def test_an_unrecorded_view_of_a_caller_array_is_copied():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    with no_grad():
        c = apply("reshape", a, shape=(4,))
    a[0, 0] = 9.0
    np.testing.assert_array_equal(c.value, [1.0, 2.0, 3.0, 4.0])


def test_an_index_array_written_after_the_forward():
    x = Tensor([1.0, 2.0, 3.0])
    index = np.array([0, 0])
    y = x[index].sum()
    index[:] = 2
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 0.0])


def test_an_index_array_inside_a_tuple_written_after_the_forward():
    x = Tensor(np.arange(6.0).reshape(3, 2))
    rows = np.array([0, 0, 1])
    y = (x[rows, 1] * np.array([1.0, 2.0, 3.0])).sum()
    rows[:] = 2
    y.backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 3.0], [0.0, 3.0], [0.0, 0.0]])


def test_a_broadcast_view_is_copied_as_the_block_it_repeats():
    base = np.array([1.0, 2.0])
    c = np.broadcast_to(base, (1_000_000, 2))  # 16 MB if materialised
    x = Tensor(np.ones(2))
    y = (x * c).sum()
    base[0] = 50.0  # writes through every row of c
    y.backward()
    np.testing.assert_array_equal(x.grad, [1e6, 2e6])
    assert Tensor(c).value.base.nbytes <= 16


def test_a_constant_tensor_s_source_array_written_after_the_forward():
    a = np.array([5.0, 6.0])
    c = Tensor(a, requires_grad=False)
    x = Tensor([1.0, 1.0])
    y = (x * c).sum()
    a[:] = 0.0
    y.backward()
    np.testing.assert_array_equal(x.grad, [5.0, 6.0])


def test_replacing_a_recorded_value_names_the_op():
    y = Tensor([1.0]).tanh()
    with pytest.raises(AttributeError, match="'tanh'"):
        y.value = np.array([0.5])


def test_replacing_a_leaf_s_value_copies_it():
    x = Tensor([1.0])
    a = np.array([2.0])
    x.value = a
    a[0] = 7.0
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0])


def test_detach_shares_the_read_only_value():
    x = Tensor([1.0, 2.0])
    d = x.detach()
    assert d.value is x.value and not d.requires_grad


def test_functional_grad_is_unaffected_by_writes_inside_f():
    # f scribbles on the array it was called with after using it: grad copied it first.
    a = np.array([1.0, 3.0])

    def f(x):
        y = (x * x).sum()
        a[:] = 0.0
        return y

    np.testing.assert_array_equal(numeric.grad(f)(a), [2.0, 6.0])


# ---------------------------------------------------------------------------------------------
# Large arrays: copied into pooled buffers, reused only once nothing can see them
# ---------------------------------------------------------------------------------------------
BIG = 40_000  # float64 elements: above the size numeric.copies pools


@pytest.mark.parametrize("write", [
    lambda a: a.__setitem__(0, 5.0),
    lambda a: np.random.default_rng(4).shuffle(a),
], ids=["one", "shuffled"])
def test_a_large_leaf_s_source_array_written_after_the_forward(write):
    a = np.random.default_rng(3).normal(size=BIG)
    want = 2 * a
    x = Tensor(a)
    assert not np.shares_memory(x.value, a)
    y = (x * x).sum()
    write(a)
    y.backward()
    np.testing.assert_array_equal(x.grad, want)


def test_a_large_plain_input_written_after_the_forward():
    c = np.random.default_rng(5).normal(size=(200, 200))
    want = c.T @ (1 - np.tanh(c @ np.ones(200)) ** 2)
    w = Tensor(np.ones(200))
    y = np.tanh(c @ w).sum()
    c[7, 7] += 1.0
    y.backward()
    np.testing.assert_allclose(w.grad, want, rtol=1e-13)


def test_a_pooled_buffer_is_never_shared_by_live_tensors():
    rng = np.random.default_rng(6)
    arrays = [rng.normal(size=BIG) for _ in range(12)]  # more than the pool keeps per size
    ts = [Tensor(a) for a in arrays]
    for t, a in zip(ts, arrays):
        np.testing.assert_array_equal(t.value, a)
    for i in range(len(ts)):
        for j in range(i):
            assert not np.shares_memory(ts[i].value, ts[j].value)


def test_a_buffer_is_reused_only_after_every_view_of_it_is_gone():
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=BIG), rng.normal(size=BIG)
    x = Tensor(a)
    kept = x.value.reshape(200, 200)[:, 0]  # a view the caller holds on to
    y = (x * 2.0).sum()
    del x, y
    for _ in range(10):
        Tensor(b)  # would land in x's buffer if it were reused too early
    np.testing.assert_array_equal(kept, a.reshape(200, 200)[:, 0])
    # Once nothing sees it, a buffer is reused (what the pool is for): one buffer serves all.
    assert len({id(Tensor(b).value.base) for _ in range(10)}) == 1


def test_pooled_copies_from_many_threads_never_overlap():
    import threading

    rng = np.random.default_rng(8)
    arrays = [rng.normal(size=BIG) for _ in range(6)]
    bad = []

    def work(k):
        for _ in range(30):
            t = Tensor(arrays[k])
            g = numeric.grad(lambda x: (x * x).sum())(t.value)
            if not (np.array_equal(t.value, arrays[k]) and np.array_equal(g, 2 * arrays[k])):
                bad.append(k)

    pool = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert not bad


@pytest.mark.parametrize("name,case", STANDARD, ids=[f"{n}-{c}" for n, c in STANDARD])
def test_writes_after_the_forward_never_change_a_gradient(name, case):
    """Every op: differentiated inputs as leaves, the rest plain arrays; after the forward,
    every caller-owned array is overwritten and every value the engine hands out is refused."""
    op = bound(OPS[name], len(case.shapes))
    rng = np.random.default_rng(7)
    xs = sample_inputs(op, case, rng)
    params = dict(case.params)
    w = rng.normal(size=np.shape(op.fwd(*xs, **params)))
    diff = differentiated(op)

    def run(scribble):
        mine = [np.array(x) for x in xs]
        ps = {k: np.array(v) if isinstance(v, np.ndarray) else v for k, v in params.items()}
        ins = [Tensor(m) if i in diff else m for i, m in enumerate(mine)]
        out = apply(op, *ins, **ps)
        if scribble:
            for m in mine + [v for v in ps.values() if isinstance(v, np.ndarray)]:
                if m.dtype.kind == "f" and m.size:
                    m[...] = rng.normal(size=m.shape)
            for t in [out] + [t for t in ins if isinstance(t, Tensor)]:
                if t.value.size:
                    with pytest.raises(ValueError, match="read-only"):
                        t.value[(0,) * t.value.ndim] = 0.5
        (out * w).sum().backward()
        return [t.grad for t in ins if isinstance(t, Tensor)]

    for got, want in zip(run(True), run(False)):
        np.testing.assert_array_equal(got, want)


def test_list_parameters_written_after_the_forward_do_not_change_the_gradient():
    """clip bounds and pad widths given as lists are the caller's objects: they are copied."""
    x = Tensor([0.5, 1.5, -0.5])
    lo, hi = [0.0] * 3, [1.0] * 3
    y = np.clip(x, lo, hi).sum()
    hi[1], lo[2] = 2.0, -1.0
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 0.0])
    widths = [[1, 0]]
    w = Tensor([1.0, 2.0])
    u = (np.pad(w, widths) * np.array([5.0, 1.0, 2.0])).sum()
    widths[0][0] = 0
    u.backward()
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])


def test_np_array_of_a_constant_tensor_is_a_writable_copy():
    t = Tensor([1.0, 2.0], requires_grad=False)
    a = np.array(t)
    a[0] = 5.0
    np.testing.assert_array_equal(t.value, [1.0, 2.0])
    assert not np.asarray(t).flags.writeable
