"""Arrays written between the forward and the backward pass cannot change a gradient (issue 9,
item 6): the engine copies the arrays it is given (leaves, plain array inputs, array params) —
or, for large float64 arrays, lends them and checks a checksum in backward — and hands out its
own values read-only, so a write misses the graph, is refused, or stops backward naming the op.
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


def test_an_index_array_written_after_the_forward():
    x = Tensor([1.0, 2.0, 3.0])
    index = np.array([0, 0])
    y = x[index].sum()
    index[:] = 2
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 0.0])


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
# Large float64 arrays are lent, not copied: a write is caught by backward, naming the op
# ---------------------------------------------------------------------------------------------
BIG = 10_000  # elements: above numeric.borrow's size for lending


def test_a_large_leaf_is_lent_not_copied_and_gives_the_right_gradient():
    a = np.random.default_rng(3).normal(size=BIG)
    x = Tensor(a)
    assert np.shares_memory(x.value, a) and not x.value.flags.writeable and a.flags.writeable
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * a)


@pytest.mark.parametrize("write", [
    lambda a: a.__setitem__(0, 5.0),
    lambda a: a.__setitem__(BIG - 1, a[BIG - 1] * (1 + 1e-12)),
    lambda a: a.__setitem__(slice(None), a[::-1].copy()),  # a permutation: same sum
    lambda a: np.random.default_rng(4).shuffle(a),
], ids=["first", "last-tiny-relative", "reversed", "shuffled"])
def test_a_write_to_a_lent_leaf_is_an_error_naming_the_op(write):
    a = np.random.default_rng(3).normal(size=BIG)
    x = Tensor(a)
    y = (x * x).sum()
    write(a)
    with pytest.raises(RuntimeError, match=r"^multiply: an input array of shape \(10000,\)"):
        y.backward()
    assert x.grad is None


def test_a_write_to_a_large_plain_input_is_an_error_naming_the_op():
    c = np.random.default_rng(5).normal(size=(100, 100))
    w = Tensor(np.ones(100))
    y = np.tanh(c @ w).sum()
    c[7, 7] += 1.0
    with pytest.raises(RuntimeError, match="^matmul: "):
        y.backward()


def test_a_write_seen_through_a_view_of_a_lent_leaf_stops_backward_before_any_rule():
    a = np.random.default_rng(6).normal(size=BIG)
    x = Tensor(a)
    w = Tensor(np.ones((100, 100)))
    y = (x.reshape(100, 100) * w).sum()  # multiply reads the view of a: w's rule is g * x
    a[0] = 9.0
    with pytest.raises(RuntimeError, match="^reshape: "):
        y.backward()
    assert w.grad is None and x.grad is None


def test_a_lent_constant_is_checked_by_the_ops_that_read_it():
    a = np.random.default_rng(7).normal(size=BIG)
    c = Tensor(a, requires_grad=False)
    x = Tensor(np.ones(BIG))
    y = (x * c).sum()
    a[5] = 0.0
    with pytest.raises(RuntimeError, match="^multiply: "):
        y.backward()


@pytest.mark.parametrize("a", [
    np.r_[np.nan, np.ones(BIG)],  # a NaN would hide later writes in its block's sum: copied
    np.ones(BIG, dtype=np.float32),  # only float64 is lent
    np.ones((BIG, 2))[:, 0],  # not contiguous
], ids=["nan", "float32", "strided"])
def test_arrays_that_are_not_lent_are_copied(a):
    x = Tensor(a)
    assert not np.shares_memory(x.value, a)
    y = (x * x).sum()
    want = 2 * a.copy()
    a[1] = 4.0
    y.backward()
    np.testing.assert_array_equal(x.grad, want)


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
