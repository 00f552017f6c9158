"""torch.amp without CUDA: autocast and GradScaler warn and disable themselves as torch does."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _warnings(make):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make()
    return [(w.category.__name__, str(w.message)) for w in caught]


@pytest.mark.parametrize("make", [lambda lib: lib.amp.GradScaler("cuda"),
                                  lambda lib: lib.cuda.amp.GradScaler(),
                                  lambda lib: lib.autocast("cuda"),
                                  lambda lib: lib.cuda.amp.autocast()])
def test_cuda_amp_warns_and_disables_as_torch(make):
    assert _warnings(lambda: make(ember)) == _warnings(lambda: make(torch))


def test_disabled_scaler_trains_like_plain_steps():
    scaler = ember.amp.GradScaler(enabled=False)
    model = ember.nn.Linear(2, 1)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    before = model.weight.detach().clone()
    loss = model(ember.ones(1, 2)).sum()
    assert scaler.scale(loss) is loss and not scaler.is_enabled()
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    np.testing.assert_allclose(model.weight.detach().numpy(), before.numpy() - 0.1, rtol=1e-6)
    t_scaler = torch.amp.GradScaler(enabled=False)
    assert scaler.get_scale() == t_scaler.get_scale() and scaler.state_dict() == {}


def test_cpu_autocast_region():
    assert ember.amp.is_autocast_available("cpu") and not ember.is_autocast_enabled("cpu")
    model = ember.nn.Linear(2, 2)
    with ember.autocast("cpu"):
        assert ember.is_autocast_enabled("cpu")
        assert ember.get_autocast_dtype("cpu") is ember.bfloat16
        assert torch.get_autocast_dtype("cpu") is torch.bfloat16
        out = model(ember.ones(1, 2))
    assert out.dtype == ember.bfloat16 and not ember.is_autocast_enabled("cpu")

    @ember.autocast("cpu", enabled=False)
    def run():
        return ember.is_autocast_enabled("cpu")

    assert run() is False
    with pytest.raises(RuntimeError):
        ember.autocast("nowhere")


def test_custom_fwd_bwd_decorate_as_written():
    def forward(ctx, x):
        return x

    assert ember.amp.custom_fwd(forward, device_type="cpu") is forward
    assert ember.amp.custom_bwd(device_type="cuda")(forward) is forward
