"""The Optimizer base: construction, groups, errors, zero_grad, hooks and state_dict layout,
each checked against torch's behaviour."""
import pickle

import numpy as np
import pytest
import torch

import ember


def _both(shape=(3,)):
    arr = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    return (ember.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True))


def _errors(lib, build):
    try:
        build(lib)
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e), str(e)
    return None, None


ERROR_CASES = {
    "empty": lambda lib: lib.optim.SGD([], lr=0.1),
    "tensor_not_iterable": lambda lib: lib.optim.SGD(lib.ones(2, requires_grad=True), lr=0.1),
    "two_groups": lambda lib: (lambda p: lib.optim.Adam([{"params": [p]}, {"params": [p]}]))(
        lib.ones(2, requires_grad=True)),
    "non_leaf": lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True) * 2], lr=0.1),
    "negative_lr": lambda lib: lib.optim.Adam([lib.ones(2, requires_grad=True)], lr=-0.1),
    "negative_lr_sgd": lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)], lr=-1.0),
    "bad_beta": lambda lib: lib.optim.Adam([lib.ones(2, requires_grad=True)], betas=(1.0, 0.9)),
    "bad_momentum": lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)], momentum=-1),
    "nesterov": lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)], nesterov=True),
    "not_tensor": lambda lib: lib.optim.SGD([1.0], lr=0.1),
    "set": lambda lib: lib.optim.SGD([{"params": {lib.ones(2, requires_grad=True)}}], lr=0.1),
    "rprop_etas": lambda lib: lib.optim.Rprop([lib.ones(2, requires_grad=True)],
                                              etas=(1.5, 1.2)),
    "adafactor_lr": lambda lib: lib.optim.Adafactor([lib.ones(2, requires_grad=True)], lr=-1.0),
    "adafactor_beta2": lambda lib: lib.optim.Adafactor([lib.ones(2, requires_grad=True)],
                                                       beta2_decay=0.5),
    "adafactor_eps": lambda lib: lib.optim.Adafactor([lib.ones(2, requires_grad=True)],
                                                     eps=(-1.0, 1e-3)),
    "adafactor_eps2": lambda lib: lib.optim.Adafactor([lib.ones(2, requires_grad=True)],
                                                      eps=(None, -1e-3)),
    "adafactor_d": lambda lib: lib.optim.Adafactor([lib.ones(2, requires_grad=True)], d=0.5),
    "adafactor_wd": lambda lib: lib.optim.Adafactor([lib.ones(2, requires_grad=True)],
                                                    weight_decay=-1),
    "mixed_names": lambda lib: lib.optim.SGD([("a", lib.ones(2, requires_grad=True)),
                                              lib.ones(2, requires_grad=True)]),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_match_torch(case):
    e_type, e_msg = _errors(ember, ERROR_CASES[case])
    t_type, t_msg = _errors(torch, ERROR_CASES[case])
    assert t_type is not None and e_type is t_type
    if case not in ("not_tensor", "tensor_not_iterable"):
        assert e_msg == t_msg


def test_group_defaults_and_add_param_group():
    e1, t1 = _both()
    e2, t2 = _both((2, 2))
    e_opt = ember.optim.SGD([e1], lr=0.1, momentum=0.9)
    t_opt = torch.optim.SGD([t1], lr=0.1, momentum=0.9)
    e_opt.add_param_group({"params": e2, "lr": 0.5})
    t_opt.add_param_group({"params": t2, "lr": 0.5})
    strip = [{k: v for k, v in g.items() if k != "params"} for g in t_opt.param_groups]
    assert [{k: v for k, v in g.items() if k != "params"} for g in e_opt.param_groups] == strip
    assert e_opt.param_groups[1]["params"] == [e2]
    assert e_opt.defaults == t_opt.defaults
    with pytest.raises(ValueError, match="more than one parameter group"):
        e_opt.add_param_group({"params": [e1]})


def test_named_parameters_are_recorded():
    e1, t1 = _both()
    e2, t2 = _both((2,))
    e_opt = ember.optim.Adam([("a", e1), ("b.weight", e2)])
    t_opt = torch.optim.Adam([("a", t1), ("b.weight", t2)])
    assert e_opt.param_groups[0]["param_names"] == t_opt.param_groups[0]["param_names"]
    assert e_opt.state_dict()["param_groups"] == t_opt.state_dict()["param_groups"]


def test_zero_grad():
    for set_to_none in (True, False):
        e, t = _both()
        for lib, p in ((ember, e), (torch, t)):
            opt = lib.optim.SGD([p], lr=0.1)
            (p * p).dot(lib.ones(3)).backward()
            opt.zero_grad(set_to_none=set_to_none)
        if set_to_none:
            assert e.grad is None and t.grad is None
        else:
            assert np.array_equal(e.grad.numpy(), t.grad.numpy())
            assert not e.grad.requires_grad


def test_step_returns_closure_loss_and_runs_it_with_grad():
    e, _ = _both()
    opt = ember.optim.SGD([e], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (e * e).dot(ember.ones(3))
        assert loss.requires_grad
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 5.0
    np.testing.assert_allclose(e.detach().numpy(), [0.0, 0.8, 1.6], rtol=1e-6)
    assert opt.step() is None


def test_step_hooks_order_and_removal():
    e, _ = _both()
    opt = ember.optim.Adam([e])
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o, args)))
    h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", o)))
    g = ember.optim.optimizer.register_optimizer_step_pre_hook(
        lambda o, args, kwargs: calls.append(("global", o)))
    try:
        opt.step()
        assert [c[0] for c in calls] == ["global", "pre", "post"]
        assert calls[1][1] is opt and calls[1][2] == (opt,)
    finally:
        g.remove()
    h1.remove()
    h2.remove()
    calls.clear()
    opt.step()
    assert calls == []


def test_pre_hook_may_replace_arguments():
    e, _ = _both()
    opt = ember.optim.SGD([e], lr=0.1)
    seen = []

    def closure():
        seen.append(1)
        return ember.tensor(7.0)

    opt.register_step_pre_hook(lambda o, args, kwargs: (args, {"closure": closure}))
    assert opt.step().item() == 7.0 and seen == [1]
    opt.register_step_pre_hook(lambda o, args, kwargs: 3)
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        opt.step()


def test_custom_optimizer_subclass_gets_hooks():
    class Sign(ember.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    p.data.sub_(p.grad.sign() * group["lr"])

    e, _ = _both()
    opt = Sign([e])
    fired = []
    opt.register_step_post_hook(lambda *a: fired.append(1))
    (e * e).dot(ember.ones(3)).backward()
    opt.step()
    assert fired == [1]
    np.testing.assert_allclose(e.detach().numpy(), [0.0, 0.9, 1.9], rtol=1e-6)


def test_state_dict_layout_matches_torch():
    e1, t1 = _both()
    e2, t2 = _both((2, 2))
    e_opt = ember.optim.Adam([{"params": [e1]}, {"params": [e2], "lr": 0.1}], amsgrad=True)
    t_opt = torch.optim.Adam([{"params": [t1]}, {"params": [t2], "lr": 0.1}], amsgrad=True)
    for lib, opt, ps in ((ember, e_opt, (e1, e2)), (torch, t_opt, (t1, t2))):
        for p in ps:
            (p * p).flatten().dot(lib.ones(p.numel())).backward()
        opt.step()
    e_sd, t_sd = e_opt.state_dict(), t_opt.state_dict()
    assert e_sd["param_groups"] == t_sd["param_groups"]
    assert list(e_sd["state"]) == list(t_sd["state"]) == [0, 1]
    for idx in (0, 1):
        assert list(e_sd["state"][idx]) == list(t_sd["state"][idx])
        for key, value in t_sd["state"][idx].items():
            np.testing.assert_allclose(e_sd["state"][idx][key].numpy(), value.numpy(),
                                       rtol=1e-6)


def test_load_state_dict_validates_and_copies():
    e1, _ = _both()
    opt = ember.optim.Adam([e1])
    (e1 * e1).dot(ember.ones(3)).backward()
    opt.step()
    sd = opt.state_dict()
    other = ember.optim.Adam([ember.ones(3, requires_grad=True), ember.ones(2,
                                                                            requires_grad=True)])
    with pytest.raises(ValueError, match="doesn't match the size"):
        other.load_state_dict(sd)
    two = ember.optim.Adam([{"params": [ember.ones(3, requires_grad=True)]},
                            {"params": [ember.ones(3, requires_grad=True)]}])
    with pytest.raises(ValueError, match="different number of parameter groups"):
        two.load_state_dict(sd)
    p = ember.ones(3, dtype=ember.float64, requires_grad=True)
    fresh = ember.optim.Adam([p])
    fresh.load_state_dict(sd)
    st = fresh.state[p]
    assert st["exp_avg"].dtype == ember.float64 and st["step"].dtype == ember.float32
    assert st["exp_avg_sq"] is not sd["state"][0]["exp_avg_sq"]


def test_state_dict_hooks():
    e1, _ = _both()
    opt = ember.optim.SGD([e1], lr=0.1)
    log = []
    opt.register_state_dict_pre_hook(lambda o: log.append("pre"))
    opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
    opt.register_load_state_dict_pre_hook(lambda o, sd: log.append("load_pre"))
    opt.register_load_state_dict_post_hook(lambda o: log.append("load_post"))
    sd = opt.state_dict()
    assert sd["extra"] == 1
    opt.load_state_dict(sd)
    assert log == ["pre", "load_pre", "load_post"]


def test_pickle_and_repr():
    e1, t1 = _both()
    e_opt = ember.optim.SGD([e1], lr=0.1, momentum=0.9)
    t_opt = torch.optim.SGD([t1], lr=0.1, momentum=0.9)
    assert repr(e_opt) == repr(t_opt)
    copy = pickle.loads(pickle.dumps(e_opt))
    assert copy.param_groups[0]["lr"] == 0.1 and copy.defaults == e_opt.defaults
    copy.register_step_pre_hook(lambda *a: None)


def test_differentiable_is_refused():
    with pytest.raises(NotImplementedError):
        ember.optim.Adam([ember.ones(2, requires_grad=True)], differentiable=True)


def test_tensor_lr():
    e, t = _both()
    for lib, p in ((ember, e), (torch, t)):
        opt = lib.optim.Adam([p], lr=lib.tensor(0.1))
        (p * p).dot(lib.ones(3)).backward()
        opt.step()
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6)


def _muon_run(lib, steps=4, **options):
    rng = np.random.default_rng(7)
    tall = lib.nn.Parameter(lib.tensor(rng.standard_normal((5, 3)).astype(np.float32)))
    wide = lib.nn.Parameter(lib.tensor(rng.standard_normal((2, 4)).astype(np.float32)))
    opt = lib.optim.Muon([tall, wide], lr=0.02, **options)
    target = lib.tensor(rng.standard_normal((5, 4)).astype(np.float32))
    for _ in range(steps):
        opt.zero_grad()
        loss = ((lib.tanh(tall @ lib.ones(3, 2)) @ wide - target) ** 2).sum()
        loss.backward()
        opt.step()
    return [p.detach().numpy() for p in (tall, wide)], opt


@pytest.mark.parametrize("options", [{}, {"nesterov": False, "momentum": 0.8},
                                     {"adjust_lr_fn": "match_rms_adamw", "weight_decay": 0.0}])
def test_muon_matches_torch(options):
    # torch orthogonalizes in bfloat16; ember rounds each float32 step to bfloat16 as torch's
    # kernels do, so the trajectories agree to float32 rounding (measured: <= 4e-9)
    (e_params, e_opt), (t_params, t_opt) = (_muon_run(lib, **options) for lib in (ember, torch))
    for e, t in zip(e_params, t_params):
        np.testing.assert_allclose(e, t, atol=1e-6)
    assert list(e_opt.state_dict()["state"][0]) == list(t_opt.state_dict()["state"][0])
    assert e_opt.param_groups[0].keys() == t_opt.param_groups[0].keys()


def test_muon_bfloat16_rounding_is_torchs():
    from ember.optim._muon import _round_bfloat16

    values = np.array([1.0, 1.00390625, 1.01171875, -3.14159, 1e-40, np.inf, -np.inf, np.nan,
                       65504.0, 3.4e38], dtype=np.float32)
    expected = torch.tensor(values).bfloat16().float().numpy()
    np.testing.assert_array_equal(_round_bfloat16(values), expected)


MUON_ERRORS = {
    "muon_1d": lambda lib: lib.optim.Muon([lib.ones(2, requires_grad=True)]),
    "muon_lr": lambda lib: lib.optim.Muon([lib.ones(2, 2, requires_grad=True)], lr=-1.0),
    "muon_momentum": lambda lib: lib.optim.Muon([lib.ones(2, 2, requires_grad=True)],
                                                momentum=-1.0),
    "muon_wd": lambda lib: lib.optim.Muon([lib.ones(2, 2, requires_grad=True)],
                                          weight_decay=-1.0),
    "muon_adjust": lambda lib: lib.optim.Muon([lib.ones(2, 2, requires_grad=True)],
                                              adjust_lr_fn="sqrt"),
}


@pytest.mark.parametrize("case", sorted(MUON_ERRORS))
def test_muon_errors_match_torch(case):
    e_type, e_msg = _errors(ember, MUON_ERRORS[case])
    assert (e_type, e_msg.replace("ember.Size", "torch.Size")) == _errors(torch,
                                                                          MUON_ERRORS[case])


def _swap_run(lib, edit=None):
    """An Adam step on swapped-in parameters and state; what each side holds afterwards."""
    rng = np.random.default_rng(3)
    live = [lib.nn.Parameter(lib.tensor(rng.standard_normal(s).astype(np.float32)))
            for s in ((2, 2), (3,))]
    opt = lib.optim.Adam([{"params": live[:1]}, {"params": live[1:], "lr": 0.5}], lr=0.1)
    for p in live:
        p.grad = lib.ones(p.shape)
    opt.step()
    swapin = {"a": lib.nn.Parameter(lib.zeros(2, 2)), "b": lib.nn.Parameter(lib.zeros(3))}
    for p in swapin.values():
        p.grad = lib.full(p.shape, 2.0)
    state = {"state": {k: {n: v.clone() for n, v in s.items()}
                       for k, s in opt.state_dict()["state"].items()},
             "param_groups": [dict(g) for g in opt.state_dict()["param_groups"]]}
    state["param_groups"][1]["lr"] = 0.01
    if edit is not None:
        edit(state, swapin)
    with lib.optim.swap_in_optimizer_params_and_state(opt, swapin, state):
        opt.step()
        inside = [opt.param_groups[1]["lr"], len(opt.state)]
    return ([p.detach().numpy() for p in swapin.values()] + [p.detach().numpy() for p in live]
            + [state["state"][0]["exp_avg"].numpy(), opt.state[live[0]]["exp_avg"].numpy()],
            inside + [opt.param_groups[1]["lr"], opt.param_groups[0]["params"][0] is live[0]])


def test_swap_in_optimizer_params_and_state_matches_torch():
    (e_arrays, e_facts), (t_arrays, t_facts) = _swap_run(ember), _swap_run(torch)
    assert e_facts == t_facts == [0.01, 2, 0.5, True]
    for e, t in zip(e_arrays, t_arrays):
        np.testing.assert_allclose(e, t, rtol=1e-6)


SWAP_ERRORS = {
    "groups": lambda s, p: s.update(param_groups=s["param_groups"][:1]),
    "keys": lambda s, p: s["param_groups"][0].pop("lr"),
    "ids": lambda s, p: s["param_groups"][0].update(params=["a"]),
    "count": lambda s, p: s["param_groups"][0].update(params=[0, 1]),
    "extra": lambda s, p: s["state"].update({7: {}}),
    "entries": lambda s, p: s["state"].update({0: 3}),
    "params": lambda s, p: p.pop("b"),
}


@pytest.mark.parametrize("case", sorted(SWAP_ERRORS))
def test_swap_in_errors_match_torch(case):
    def run(lib):
        try:
            _swap_run(lib, SWAP_ERRORS[case])
        except Exception as e:  # noqa: BLE001 - the type and message are compared
            return type(e), str(e)

    assert run(ember) == run(torch) and run(torch) is not None
