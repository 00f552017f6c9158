"""``tensor[idx] = value`` against torch: values, gradients through a non-leaf, broadcasting,
casting, version counting and the errors torch raises."""
import numpy as np
import pytest
import torch

import ember

_INDICES = [
    ("int", lambda m: 1),
    ("negative int", lambda m: -1),
    ("slice", lambda m: (slice(1, None), slice(None, None, 2))),
    ("ellipsis", lambda m: (Ellipsis, 2)),
    ("int tensor", lambda m: m.tensor([2, 0])),
    ("list", lambda m: [0, 2]),
    ("mask", lambda m: m.tensor([[True, False, True, False], [False] * 4, [True] * 4])),
    ("row mask", lambda m: m.tensor([True, False, True])),
    ("mixed", lambda m: (m.tensor([0, 2]), slice(1, 3))),
    ("point", lambda m: (m.tensor([0, 2]), m.tensor([3, 1]))),
]


@pytest.mark.parametrize("name,make_index", _INDICES, ids=[n for n, _ in _INDICES])
@pytest.mark.parametrize("broadcast", [False, True], ids=["full", "broadcast"])
def test_setitem_non_leaf_gradients_match_torch(name, make_index, broadcast):
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((3, 4))
    shape = tuple(torch.zeros(3, 4)[make_index(torch)].shape)
    v_shape = shape[-1:] if broadcast and shape else shape
    v0 = rng.standard_normal(v_shape)
    w = rng.standard_normal((3, 4))
    results = []
    for m in (torch, ember):
        x = m.tensor(x0, requires_grad=True)
        v = m.tensor(v0, requires_grad=True)
        y = x * 2
        y[make_index(m)] = v * 3
        (y * m.tensor(w)).sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy(), v.grad.numpy()))
    for t, e in zip(*results):
        np.testing.assert_allclose(e, t, rtol=1e-12, atol=1e-12)


def test_setitem_scalar_and_cast_values():
    e = ember.zeros(2, 3)
    t = torch.zeros(2, 3)
    for obj in (e, t):
        obj[0] = 1.5
        obj[1, 1:] = 2
        obj[:, 0] = (ember if obj is e else torch).tensor([7, 8])
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    ei = ember.zeros(3, dtype=ember.int64)
    ti = torch.zeros(3, dtype=torch.int64)
    ei[0] = ember.tensor(2.7)
    ti[0] = torch.tensor(2.7)
    ei[1:] = 3.9
    ti[1:] = 3.9
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())
    assert ei.dtype == ember.int64


def test_setitem_on_leaf_requiring_grad_raises_like_torch():
    for m in (torch, ember):
        x = m.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                               "in an in-place operation"):
            x[0] = 2.0
        with m.no_grad():
            x[0] = 2.0
        assert x[0].item() == 2.0 and x.is_leaf


def test_setitem_shape_mismatch_raises_like_torch():
    for m in (torch, ember):
        x = m.zeros(3, 4)
        with pytest.raises(RuntimeError, match="shape mismatch|must match"):
            x[m.tensor([0, 1])] = m.ones(3)
        with pytest.raises(IndexError):
            x[3] = 1.0


def test_setitem_bumps_version_so_saved_values_are_checked():
    for m in (torch, ember):
        a = m.ones(3, requires_grad=True)
        b = a * 1
        c = b.sin()
        v0 = b._version
        b[0] = 5.0
        assert b._version == v0 + 1
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            c.sum().backward()


def test_setitem_writes_through_views():
    e = ember.zeros(3, 4)
    row = e[1]
    col = e[:, 2]
    e[1, 2] = 5.0
    assert row[2].item() == 5.0 and col[1].item() == 5.0
    row[0] = 3.0
    assert e[1, 0].item() == 3.0


def test_setitem_double_backward():
    def f(x, v):
        y = x * 1
        y[ember.tensor([0, 2]), 1:] = v * v
        return y * y

    x = ember.randn(3, 3, dtype=ember.float64, requires_grad=True)
    v = ember.randn(2, 2, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(f, (x, v))
    assert ember.autograd.gradgradcheck(f, (x, v))
