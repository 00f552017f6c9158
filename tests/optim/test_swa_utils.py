"""swa_utils against torch: averaged weights (SWA, EMA, buffers), SWALR rates, update_bn."""
import copy

import numpy as np
import pytest
import torch

import ember
from ember.optim import swa_utils


def _pair(seed=0):
    t_model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    e_model = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.Linear(4, 2))
    _perturb(e_model, t_model, np.random.default_rng(seed))
    return e_model, t_model


def _perturb(e_model, t_model, rng):
    """Give both models the same new random weights (a stand-in for training)."""
    with torch.no_grad():
        for e, t in zip(e_model.parameters(), t_model.parameters()):
            value = rng.standard_normal(tuple(t.shape)).astype(np.float32)
            t.copy_(torch.from_numpy(value))
            e._data[...] = value


def _compare(e_avg, t_avg):
    for e, t in zip(e_avg.parameters(), t_avg.parameters()):
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-7)
    assert int(e_avg.n_averaged.item()) == int(t_avg.n_averaged.item())


@pytest.mark.parametrize("kind", ["swa", "ema_multi", "ema_avg_fn", "swa_avg_fn"])
def test_averaged_model_matches_torch(kind):
    e_model, t_model = _pair()
    kwargs = {
        "swa": lambda m: {},
        "ema_multi": lambda m: {"multi_avg_fn": m.get_ema_multi_avg_fn(0.9)},
        "ema_avg_fn": lambda m: {"avg_fn": m.get_ema_avg_fn(0.8)},
        "swa_avg_fn": lambda m: {"avg_fn": m.get_swa_avg_fn()},
    }[kind]
    e_avg = swa_utils.AveragedModel(e_model, **kwargs(swa_utils))
    t_avg = torch.optim.swa_utils.AveragedModel(t_model, **kwargs(torch.optim.swa_utils))
    rng = np.random.default_rng(1)
    for _ in range(6):
        e_avg.update_parameters(e_model)
        t_avg.update_parameters(t_model)
        _compare(e_avg, t_avg)
        _perturb(e_model, t_model, rng)
    # The average is a separate copy: the model's own weights were left alone.
    assert not np.array_equal(e_avg.module[0].weight.detach().numpy(),
                              e_model[0].weight.detach().numpy())
    x = np.random.default_rng(2).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(e_avg(ember.tensor(x)).detach().numpy(),
                               t_avg(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_averaged_model_buffers_copied_or_averaged():
    for use_buffers in (False, True):
        e_model, t_model = _pair()
        e_model.register_buffer("stat", ember.zeros(3))
        t_model.register_buffer("stat", torch.zeros(3))
        e_avg = swa_utils.AveragedModel(e_model, use_buffers=use_buffers)
        t_avg = torch.optim.swa_utils.AveragedModel(t_model, use_buffers=use_buffers)
        for step in range(4):
            value = np.full(3, float(step), np.float32)
            e_model.stat._data[...] = value
            t_model.stat.copy_(torch.from_numpy(value))
            e_avg.update_parameters(e_model)
            t_avg.update_parameters(t_model)
            np.testing.assert_allclose(e_avg.module.stat.numpy(), t_avg.module.stat.numpy())
        expected = 1.5 if use_buffers else 3.0
        assert e_avg.module.stat.numpy()[0] == expected


def test_averaged_model_rejects_two_functions():
    e_model, _ = _pair()
    with pytest.raises(AssertionError):
        swa_utils.AveragedModel(e_model, avg_fn=swa_utils.get_swa_avg_fn(),
                                multi_avg_fn=swa_utils.get_swa_multi_avg_fn())
    with pytest.raises(ValueError, match="Invalid decay"):
        swa_utils.get_ema_avg_fn(1.5)


def _swalr_trace(lib, epochs, **kwargs):
    a = lib.zeros(2, requires_grad=True)
    opt = lib.optim.SGD([{"params": [a]}, {"params": [lib.zeros(1, requires_grad=True)],
                                           "lr": 0.3}], lr=0.5)
    base = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=40)
    sched = lib.optim.swa_utils.SWALR(opt, **kwargs)
    out = []
    for epoch in range(epochs):
        opt.step()
        if epoch < 5:
            base.step()
        else:
            sched.step()
        out.append(sched.get_last_lr())
    return opt, sched, out


@pytest.mark.parametrize("kwargs", [dict(swa_lr=0.05),
                                    dict(swa_lr=[0.05, 0.01], anneal_epochs=4,
                                         anneal_strategy="linear"),
                                    dict(swa_lr=0.02, anneal_epochs=0)])
def test_swalr_matches_torch(kwargs):
    _, e_sched, e_out = _swalr_trace(ember, 25, **kwargs)
    _, t_sched, t_out = _swalr_trace(torch, 25, **kwargs)
    np.testing.assert_allclose(e_out, t_out, rtol=1e-13)
    assert set(e_sched.state_dict()) == set(t_sched.state_dict())
    restored = _swalr_trace(ember, 1, **kwargs)[1]
    restored.load_state_dict(copy.deepcopy(e_sched.state_dict()))
    assert restored.anneal_func(0.5) == e_sched.anneal_func(0.5)


def test_swalr_errors():
    opt = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy"):
        swa_utils.SWALR(opt, 0.01, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs"):
        swa_utils.SWALR(opt, 0.01, anneal_epochs=-1)


def test_update_bn_matches_torch():
    e_bn = ember.nn.BatchNorm1d(3)
    t_bn = torch.nn.BatchNorm1d(3)
    e_model = ember.nn.Sequential(e_bn)
    t_model = torch.nn.Sequential(t_bn)
    e_model.eval()
    t_model.eval()
    rng = np.random.default_rng(0)
    batches = [rng.standard_normal((4, 3)).astype(np.float32) + i for i in range(5)]
    swa_utils.update_bn([(ember.tensor(b), 0) for b in batches], e_model)
    torch.optim.swa_utils.update_bn([(torch.tensor(b), 0) for b in batches], t_model)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(e_bn, name).numpy(), getattr(t_bn, name).numpy(),
                                   rtol=1e-5, err_msg=name)
    assert e_bn.momentum == t_bn.momentum == 0.1
    assert not e_model.training and not t_model.training
    # A model without batch norm is left alone.
    swa_utils.update_bn(batches, ember.nn.Sequential(ember.nn.Linear(3, 3)))
