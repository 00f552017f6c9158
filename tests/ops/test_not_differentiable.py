"""Ops without a gradient (listed with ``not_differentiable`` beside their definitions) against
torch: isin, unravel_index, nonzero_static, unique_consecutive, histogram, histogramdd; and
fill_diagonal_."""
import numpy as np
import pytest
import torch

import ember
from tests.ops.harness import assert_close, flatten_outputs


def _pair(arr):
    return ember.from_numpy(np.array(arr)), torch.from_numpy(np.array(arr))


def _same(e, t, what):
    e_flat, t_flat = flatten_outputs(e), flatten_outputs(t)
    assert len(e_flat) == len(t_flat), what
    for a, b in zip(e_flat, t_flat):
        assert_close(a, b, 1e-6, 1e-6, what)


def test_isin():
    e, t = _pair([[1, 2, 3], [4, 5, 6]])
    te, tt = _pair([2, 5, 9])
    _same(ember.isin(e, te), torch.isin(t, tt), "isin")
    _same(ember.isin(e, te, invert=True), torch.isin(t, tt, invert=True), "isin invert")
    _same(ember.isin(e, 3), torch.isin(t, 3), "isin scalar test")
    _same(ember.isin(3, te), torch.isin(3, tt), "isin scalar element")
    fe, ft = _pair([0.5, float("nan"), 2.0])
    _same(ember.isin(fe, fe), torch.isin(ft, ft), "isin nan")


def test_unravel_index():
    e, t = _pair([0, 5, 11, -1])
    _same(ember.unravel_index(e, (3, 4)), torch.unravel_index(t, (3, 4)), "unravel")
    _same(ember.unravel_index(ember.tensor(7), (2, 2, 2)),
          torch.unravel_index(torch.tensor(7), (2, 2, 2)), "unravel 0-d")
    _same(ember.unravel_index(e, 12), torch.unravel_index(t, 12), "unravel int shape")
    _same(ember.unravel_index(e, (3, 3)), torch.unravel_index(t, (3, 3)), "wraps around")
    with pytest.raises(ValueError):
        ember.unravel_index(e, (3, -1))
    with pytest.raises(ValueError):
        torch.unravel_index(t, (3, -1))
    with pytest.raises(TypeError):
        ember.unravel_index(ember.tensor([1.0]), (2,))
    with pytest.raises(TypeError):
        torch.unravel_index(torch.tensor([1.0]), (2,))


@pytest.mark.parametrize("size", [0, 2, 3, 6])
def test_nonzero_static(size):
    e, t = _pair([[0, 1, 2], [3, 0, 4]])
    _same(ember.nonzero_static(e, size=size), torch.nonzero_static(t, size=size), "nz")
    _same(e.nonzero_static(size=size, fill_value=7), t.nonzero_static(size=size, fill_value=7),
          "nz fill")


@pytest.mark.parametrize("kw", [{}, {"return_inverse": True}, {"return_counts": True},
                                {"return_inverse": True, "return_counts": True},
                                {"dim": 0, "return_inverse": True, "return_counts": True},
                                {"dim": 1, "return_counts": True}])
def test_unique_consecutive(kw):
    e, t = _pair([[1, 1, 2], [1, 1, 2], [3, 3, 2], [1, 1, 2]])
    _same(ember.unique_consecutive(e, **kw), torch.unique_consecutive(t, **kw), str(kw))
    _same(e.unique_consecutive(**kw), t.unique_consecutive(**kw), str(kw))


def test_histogram():
    rng = np.random.default_rng(0)
    arr = rng.normal(size=50).astype("float32")
    e, t = ember.from_numpy(arr), torch.from_numpy(arr)
    w = rng.uniform(size=50).astype("float32")
    for kw in ({}, {"bins": 7}, {"bins": 5, "range": (-1.0, 1.0)}, {"bins": 4, "density": True}):
        _same(ember.histogram(e, **kw), torch.histogram(t, **kw), str(kw))
    _same(ember.histogram(e, 6, weight=ember.from_numpy(w)),
          torch.histogram(t, 6, weight=torch.from_numpy(w)), "weights")
    edges = np.array([-2.0, -0.5, 0.0, 0.3, 2.0], dtype="float32")
    _same(ember.histogram(e, ember.from_numpy(edges)), torch.histogram(t, torch.from_numpy(edges)),
          "edges")
    _same(e.histogram(3), t.histogram(3), "method")
    res = ember.histogram(e, 3)
    assert res.hist is res[0] and res.bin_edges is res[1]
    with pytest.raises(RuntimeError):
        ember.histogram(ember.tensor([1, 2]))
    with pytest.raises(RuntimeError):
        torch.histogram(torch.tensor([1, 2]))


def test_histogramdd():
    arr = np.random.default_rng(1).normal(size=(40, 2)).astype("float32")
    e, t = ember.from_numpy(arr), torch.from_numpy(arr)
    for kw in ({"bins": 3}, {"bins": [2, 4]}, {"bins": [3, 3], "range": [-1.0, 1.0, -2.0, 2.0]},
               {"bins": 2, "density": True}):
        _same(ember.histogramdd(e, **kw), torch.histogramdd(t, **kw), str(kw))


@pytest.mark.parametrize("shape,wrap", [((3, 3), False), ((5, 3), False), ((7, 3), True),
                                        ((3, 5), False), ((2, 2, 2), False)])
def test_fill_diagonal_(shape, wrap):
    e, t = ember.zeros(*shape), torch.zeros(*shape)
    assert e.fill_diagonal_(2.5, wrap) is e
    t.fill_diagonal_(2.5, wrap)
    _same(e, t, "fill_diagonal_")
    ei, ti = ember.zeros(3, 3, dtype=ember.int64), torch.zeros(3, 3, dtype=torch.int64)
    _same(ei.fill_diagonal_(4), ti.fill_diagonal_(4), "int")
    with pytest.raises(RuntimeError):
        ember.zeros(2, 3, 4).fill_diagonal_(1)
    with pytest.raises(RuntimeError):
        torch.zeros(2, 3, 4).fill_diagonal_(1)
