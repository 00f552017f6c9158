"""Normalization layers against torch: outputs, gradients, running statistics (train and
eval), momentum=None, parameter/buffer names, repr."""
import numpy as np
import pytest
import torch

import ember
import ember.nn as enn
from tests.nn.test_conv import compare_module

NORM_CASES = [
    ("BatchNorm1d", (4,), {}, (8, 4)),
    ("BatchNorm1d", (3,), dict(momentum=None), (5, 3, 6)),
    ("BatchNorm1d", (3,), dict(affine=False, eps=1e-3), (5, 3)),
    ("BatchNorm1d", (3,), dict(bias=False), (5, 3)),
    ("BatchNorm2d", (4,), {}, (4, 4, 5, 5)),
    ("BatchNorm2d", (4,), dict(momentum=0.3, track_running_stats=False), (3, 4, 3, 5)),
    ("BatchNorm3d", (2,), {}, (2, 2, 3, 3, 3)),
    ("LayerNorm", (6,), {}, (3, 4, 6)),
    ("LayerNorm", ((4, 6),), dict(eps=1e-3, bias=False), (3, 4, 6)),
    ("LayerNorm", (5,), dict(elementwise_affine=False), (2, 5)),
    ("RMSNorm", (6,), {}, (3, 4, 6)),
    ("RMSNorm", ((4, 6),), dict(eps=1e-3), (3, 4, 6)),
    ("RMSNorm", (5,), dict(elementwise_affine=False), (2, 5)),
    ("GroupNorm", (2, 6), {}, (3, 6, 4, 4)),
    ("GroupNorm", (3, 3), dict(affine=False), (2, 3, 5)),
    ("InstanceNorm1d", (3,), dict(affine=True), (2, 3, 7)),
    ("InstanceNorm2d", (3,), {}, (2, 3, 5, 5)),
    ("InstanceNorm2d", (3,), dict(affine=True, track_running_stats=True), (2, 3, 4, 5)),
    ("InstanceNorm2d", (3,), {}, (3, 4, 5)),
    ("InstanceNorm3d", (2,), dict(affine=True, track_running_stats=True), (2, 2, 3, 4, 3)),
    ("LocalResponseNorm", (3,), {}, (2, 5, 4, 4)),
    ("LocalResponseNorm", (2,), dict(alpha=0.1, beta=0.5, k=2.0), (2, 6, 7)),
]


def _randomise_affine(t_mod):
    # ones/zeros would hide a swapped weight and bias
    with torch.no_grad():
        for p in t_mod.parameters():
            p.uniform_(0.5, 1.5)


@pytest.mark.parametrize("cls,args,kwargs,shape", NORM_CASES,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(NORM_CASES)])
def test_norm_module_matches_torch_train_then_eval(cls, args, kwargs, shape):
    e_mod = getattr(enn, cls)(*args, **kwargs)
    t_mod = getattr(torch.nn, cls)(*args, **kwargs)
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    _randomise_affine(t_mod)
    compare_module(e_mod, t_mod, shape, steps=3)
    e_mod.eval()
    t_mod.eval()
    compare_module(e_mod, t_mod, shape, steps=1, seed=7)


def test_batch_norm_running_stats_use_unbiased_variance_and_count_batches():
    m = enn.BatchNorm1d(2, momentum=0.5)
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]], dtype="float32")
    m(ember.from_numpy(x))
    np.testing.assert_allclose(m.running_mean.numpy(), 0.5 * x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(m.running_var.numpy(), 0.5 + 0.5 * x.var(0, ddof=1), rtol=1e-6)
    assert m.num_batches_tracked.item() == 1 and m.num_batches_tracked.dtype == ember.int64


def test_batch_norm_momentum_none_is_cumulative_average():
    m = enn.BatchNorm1d(3, momentum=None)
    rng = np.random.default_rng(0)
    batches = [rng.standard_normal((4, 3)).astype("float32") for _ in range(5)]
    for b in batches:
        m(ember.from_numpy(b))
    np.testing.assert_allclose(m.running_mean.numpy(), np.mean([b.mean(0) for b in batches], 0),
                               rtol=1e-5, atol=1e-6)


def test_batch_norm_errors_match_torch():
    with pytest.raises(ValueError, match="expected 4D input"):
        enn.BatchNorm2d(3)(ember.randn(2, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        enn.BatchNorm1d(3)(ember.randn(1, 3))
    with pytest.raises(ValueError):
        torch.nn.BatchNorm1d(3)(torch.randn(1, 3))
    with pytest.raises(ValueError, match="must be divisible by num_groups"):
        enn.GroupNorm(2, 3)
    with pytest.raises(ValueError, match="expected input's size at dim=1 to match num_features"):
        enn.InstanceNorm2d(4, affine=True)(ember.randn(2, 3, 4, 4))


def test_double_backward_through_batch_norm_matches_torch():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 3, 2))
    w = rng.uniform(0.5, 1.5, 3)
    res = []
    for lib in (ember, torch):
        xt = lib.from_numpy(x.copy()).requires_grad_(True)
        wt = lib.from_numpy(w.copy()).requires_grad_(True)
        y = lib.nn.functional.batch_norm(xt, None, None, wt, None, True)
        gx, = lib.autograd.grad((y ** 3).sum(), xt, create_graph=True)
        (gx * gx).sum().backward()
        res.append((gx.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-9)
