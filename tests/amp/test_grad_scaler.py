"""``GradScaler("cpu")`` against torch's: the scale's trajectory (growth, backoff after an inf or
nan gradient, skipped steps), the parameters it leaves, its state dict and its errors."""
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember


def _model(m):
    m.manual_seed(0)
    return m.nn.Sequential(m.nn.Linear(3, 4), m.nn.Tanh(), m.nn.Linear(4, 1))


def _copy_weights(tnet, enet):
    enet.load_state_dict({k: ember.tensor(v.detach().numpy())
                          for k, v in tnet.state_dict().items()})


def _train(m, net, bad_steps, unscale_first, dtype=None, steps=9):
    """A scaler trajectory: ``bad_steps`` get an inf (or nan) gradient injected."""
    opt = m.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    scaler = m.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=3)
    gen = np.random.default_rng(0)
    trace = []
    for step in range(steps):
        x = m.tensor(gen.standard_normal((5, 3)).astype(np.float32))
        opt.zero_grad()
        if dtype is None:
            loss = net(x).pow(2).mean()
        else:
            with m.autocast("cpu", dtype=getattr(m, dtype)):
                loss = net(x).pow(2).mean()
        scaler.scale(loss).backward()
        if step in bad_steps:
            net[0].weight.grad[0, 0] = bad_steps[step]
        if unscale_first:
            scaler.unscale_(opt)
            m.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        result = scaler.step(opt)
        scaler.update()
        trace.append((scaler.get_scale(), scaler._get_growth_tracker(), result,
                      float(loss.detach().float())))
    return trace, [p.detach().float().numpy() for p in net.parameters()], scaler


@pytest.mark.parametrize("unscale_first", [False, True])
@pytest.mark.parametrize("dtype", [None, "bfloat16"])
def test_trajectory_as_torch(unscale_first, dtype):
    bad = {2: float("inf"), 6: float("nan")}
    tnet, enet = _model(torch), _model(ember)
    _copy_weights(tnet, enet)
    t_trace, t_params, t_scaler = _train(torch, tnet, bad, unscale_first, dtype)
    e_trace, e_params, e_scaler = _train(ember, enet, bad, unscale_first, dtype)
    assert [r[:3] for r in e_trace] == [r[:3] for r in t_trace]
    np.testing.assert_allclose([r[3] for r in e_trace], [r[3] for r in t_trace], rtol=2e-2)
    for e, t in zip(e_params, t_params):
        np.testing.assert_allclose(e, t, rtol=2e-2, atol=2e-3)
    assert e_scaler.state_dict() == t_scaler.state_dict()


def test_state_dict_round_trip_and_setters():
    e = ember.amp.GradScaler("cpu", init_scale=8.0, growth_interval=5)
    t = torch.amp.GradScaler("cpu", init_scale=8.0, growth_interval=5)
    assert e.state_dict() == t.state_dict() and e.is_enabled() and e.get_scale() == 8.0
    e.scale(ember.ones(()))
    e.load_state_dict({"scale": 32.0, "growth_factor": 4.0, "backoff_factor": 0.25,
                       "growth_interval": 7, "_growth_tracker": 3})
    assert (e.get_scale(), e.get_growth_factor(), e.get_backoff_factor(),
            e.get_growth_interval(), e._get_growth_tracker()) == (32.0, 4.0, 0.25, 7, 3)
    e.set_growth_factor(3.0)
    e.set_backoff_factor(0.125)
    e.set_growth_interval(2)
    assert e.state_dict() == {"scale": 32.0, "growth_factor": 3.0, "backoff_factor": 0.125,
                              "growth_interval": 2, "_growth_tracker": 3}
    e.update(5.0)
    assert e.get_scale() == 5.0
    e.update(ember.tensor([6.0]))
    assert e.get_scale() == 6.0
    back = pickle.loads(pickle.dumps(e))
    assert back.state_dict() == e.state_dict()
    with pytest.raises(RuntimeError, match="saved from a disabled instance"):
        ember.amp.GradScaler("cpu").load_state_dict({})
    with pytest.raises(AssertionError, match="growth factor must be > 1.0"):
        ember.amp.GradScaler("cpu", growth_factor=1.0)


def _error(m, make):
    net = m.nn.Linear(2, 1)
    opt = m.optim.SGD(net.parameters(), lr=0.1)
    scaler = m.amp.GradScaler("cpu")
    try:
        make(m, net, opt, scaler)
    except (RuntimeError, AssertionError, ValueError) as err:
        return type(err), str(err)
    return None


def _twice(m, net, opt, scaler):
    scaler.scale(net(m.ones(1, 2)).sum()).backward()
    scaler.unscale_(opt)
    scaler.unscale_(opt)


def _after_step(m, net, opt, scaler):
    scaler.scale(net(m.ones(1, 2)).sum()).backward()
    scaler.step(opt)
    scaler.unscale_(opt)


def _step_twice(m, net, opt, scaler):
    scaler.scale(net(m.ones(1, 2)).sum()).backward()
    scaler.step(opt)
    scaler.step(opt)


def _no_scale(m, net, opt, scaler):
    net(m.ones(1, 2)).sum().backward()
    scaler.step(opt)


def _closure(m, net, opt, scaler):
    scaler.step(opt, closure=lambda: None)


def _update_without_step(m, net, opt, scaler):
    scaler.scale(net(m.ones(1, 2)).sum()).backward()
    scaler.update()


def _half_grads(m, net, opt, scaler):
    net.half()
    scaler.scale(net(m.ones(1, 2, dtype=m.float16)).sum()).backward()
    scaler.step(opt)


def _not_a_tensor(m, net, opt, scaler):
    scaler.scale("loss")


@pytest.mark.parametrize("make", [_twice, _after_step, _step_twice, _no_scale, _closure,
                                  _update_without_step, _half_grads, _not_a_tensor])
def test_errors_as_torch(make):
    assert _error(ember, make) == _error(torch, make)


def test_scale_of_iterables_and_cuda_spelling():
    scaler = ember.amp.GradScaler("cpu", init_scale=4.0)
    out = scaler.scale([ember.ones(2), (ember.ones(()), ember.ones(1, dtype=ember.bfloat16))])
    assert out[0].tolist() == [4.0, 4.0] and isinstance(out[1], tuple)
    # a bfloat16 tensor with dimensions outranks the float32 0-d scale; a 0-d loss does not
    t = torch.amp.GradScaler("cpu", init_scale=4.0)
    for shape in ((1,), ()):
        e_out = scaler.scale(ember.ones(shape, dtype=ember.bfloat16))
        t_out = t.scale(torch.ones(shape, dtype=torch.bfloat16))
        assert str(e_out.dtype)[6:] == str(t_out.dtype)[6:]
    for m in (ember, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert not m.cuda.amp.GradScaler().is_enabled()
        assert any("deprecated" in str(w.message) for w in caught)
