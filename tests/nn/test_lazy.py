"""Lazy modules against torch: repr before and after the first call, the class they become,
state_dict keys and shapes; parameters keep their identity."""
import numpy as np
import pytest
import torch

import ember

_CASES = [
    ("nn.LazyLinear(3)", (2, 5)), ("nn.LazyLinear(4, bias=False)", (2, 3, 6)),
    ("nn.LazyConv1d(4, 3)", (2, 3, 8)),
    ("nn.LazyConv2d(4, 3, stride=2, padding=1)", (2, 3, 7, 7)),
    ("nn.LazyConv2d(4, 3)", (3, 6, 6)), ("nn.LazyConv3d(2, 2)", (1, 2, 4, 4, 4)),
    ("nn.LazyConvTranspose1d(4, 2)", (2, 3, 5)),
    ("nn.LazyConvTranspose2d(2, 3, groups=1)", (1, 4, 5, 5)),
    ("nn.LazyConvTranspose3d(2, 2)", (1, 2, 3, 3, 3)), ("nn.LazyBatchNorm1d()", (4, 3)),
    ("nn.LazyBatchNorm2d(momentum=0.3)", (2, 3, 4, 4)), ("nn.LazyBatchNorm3d()", (2, 2, 2, 2, 2)),
    ("nn.LazyInstanceNorm1d()", (2, 3, 5)), ("nn.LazyInstanceNorm2d(affine=False)", (2, 3, 4, 4)),
    ("nn.LazyInstanceNorm3d()", (2, 2, 3, 3, 3)),
]


@pytest.mark.parametrize("spec, shape", _CASES)
def test_lazy_module_becomes_torchs(spec, shape):
    e_mod, t_mod = eval(spec, {"nn": ember.nn}), eval(spec, {"nn": torch.nn})
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert e_mod.has_uninitialized_params() and t_mod.has_uninitialized_params()
    before = list(e_mod.parameters())
    x = np.random.randn(*shape).astype(np.float32)
    e_out, t_out = e_mod(ember.tensor(x)), t_mod(torch.tensor(x))
    assert tuple(e_out.shape) == tuple(t_out.shape)
    assert type(e_mod).__name__ == type(t_mod).__name__ and repr(e_mod) == repr(t_mod)
    assert [(k, tuple(v.shape)) for k, v in e_mod.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in t_mod.state_dict().items()]
    assert all(a is b for a, b in zip(before, e_mod.parameters()))
    assert all(type(p) is ember.nn.Parameter for p in e_mod.parameters())


def test_optimizer_made_before_the_first_call_trains():
    model = ember.nn.Sequential(ember.nn.LazyLinear(4), ember.nn.ReLU(), ember.nn.LazyLinear(1))
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    x, y = ember.randn(8, 3), ember.randn(8, 1)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = ember.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert repr(ember.nn.UninitializedParameter()) == repr(torch.nn.UninitializedParameter())
