"""Every optimizer and option against torch: same start, same loss, same parameters after each
step; state dicts in torch's layout that round-trip, and torch state dicts that load."""
import copy

import numpy as np
import pytest
import torch

import ember
from tests.optim._problem import (assert_traces_close, build, initial_values, make_params,
                                  torch_state_to_ember, train)

STEPS = 25

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.05, maximize=True, eps=1e-6)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True, maximize=True)),
    ("Adamax", dict(lr=0.05)),
    ("Adamax", dict(lr=0.05, betas=(0.7, 0.95), weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, betas=(0.9, 0.9), weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, betas=(0.9, 0.9), weight_decay=0.1, decoupled_weight_decay=True,
                   maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.3, maximize=True, eps=1e-4)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.3)),
    ("Adagrad", dict(lr=0.1, eps=1e-6, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.6, t0=5, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, t0=3, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.02, etas=(0.3, 1.5), step_sizes=(1e-3, 0.05), maximize=True)),
    ("Adafactor", dict(lr=0.05)),
    ("Adafactor", dict(lr=0.03, beta2_decay=-0.5, eps=(1e-4, 1e-2), d=1.5, weight_decay=0.1,
                       maximize=True)),
]

IDS = ["%s-%s" % (name, "-".join("%s=%s" % kv for kv in kw.items())) for name, kw in CASES]


def _sign(kwargs):
    # ``maximize`` runs maximize the negated loss, so both variants stay bounded.
    return -1.0 if kwargs.get("maximize") else 1.0


def _run(lib, name, kwargs, steps, groups=False):
    params = make_params(lib, initial_values())
    opt = build(lib, name, kwargs, params, groups)
    return opt, params, train(lib, opt, params, steps, _sign(kwargs))


def _state_arrays(state_dict):
    out = {}
    for idx, st in state_dict["state"].items():
        for key, value in st.items():
            out[(idx, key)] = np.asarray(value.detach().numpy() if hasattr(value, "detach")
                                         else value, dtype=np.float64)
    return out


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_trajectory_matches_torch(name, kwargs):
    e_opt, _, e_trace = _run(ember, name, kwargs, STEPS)
    t_opt, _, t_trace = _run(torch, name, kwargs, STEPS)
    assert_traces_close(e_trace, t_trace)
    # The parameter without a gradient is never touched (and gets no state), as in torch.
    assert np.array_equal(e_trace[-1][4], initial_values()["unused"])
    e_sd, t_sd = e_opt.state_dict(), t_opt.state_dict()
    assert e_sd["param_groups"] == t_sd["param_groups"]
    e_state, t_state = _state_arrays(e_sd), _state_arrays(t_sd)
    assert e_state.keys() == t_state.keys()
    for key in t_state:
        np.testing.assert_allclose(e_state[key], t_state[key], rtol=1e-4, atol=1e-6,
                                   err_msg=str(key))
    for idx, st in e_sd["state"].items():
        if "step" in st and name != "SparseAdam":
            assert st["step"].dtype == ember.float32 and st["step"].dim() == 0


@pytest.mark.parametrize("name,kwargs", CASES[1::3], ids=IDS[1::3])
def test_param_groups_match_torch(name, kwargs):
    _, _, e_trace = _run(ember, name, kwargs, 10, groups=True)
    _, _, t_trace = _run(torch, name, kwargs, 10, groups=True)
    assert_traces_close(e_trace, t_trace)


@pytest.mark.parametrize("name,kwargs", CASES[::2], ids=IDS[::2])
def test_state_dict_round_trip(name, kwargs):
    n, m = 6, 6
    _, _, straight = _run(ember, name, kwargs, n + m)
    opt, params, _ = _run(ember, name, kwargs, n)
    saved = copy.deepcopy(opt.state_dict())
    values = {k: p.detach().numpy().copy() for k, p in zip(initial_values(), params)}
    fresh = make_params(ember, values)
    opt2 = build(ember, name, kwargs, fresh)
    opt2.load_state_dict(saved)
    resumed = train(ember, opt2, fresh, m, _sign(kwargs))
    assert_traces_close(resumed, straight[n:], rtol=0, atol=0)


@pytest.mark.parametrize("name,kwargs", CASES[1::2], ids=IDS[1::2])
def test_torch_state_dict_loads_and_continues(name, kwargs):
    n, m = 5, 10
    t_opt, t_params, _ = _run(torch, name, kwargs, n)
    values = {k: p.detach().numpy().copy() for k, p in zip(initial_values(), t_params)}
    e_params = make_params(ember, values)
    e_opt = build(ember, name, kwargs, e_params)
    e_opt.load_state_dict(torch_state_to_ember(t_opt.state_dict()))
    e_trace = train(ember, e_opt, e_params, m, _sign(kwargs))
    t_trace = train(torch, t_opt, t_params, m, _sign(kwargs))
    assert_traces_close(e_trace, t_trace)


def test_sparse_adam_matches_torch_on_present_rows():
    # Rows of zero gradient are absent, as in torch fed ``grad.to_sparse(sparse_dim=1)``.
    rng = np.random.default_rng(3)
    w0 = rng.uniform(-1, 1, size=(5, 3)).astype(np.float32)
    v0 = rng.uniform(-1, 1, size=(4,)).astype(np.float32)
    e_w, e_v = ember.tensor(w0, requires_grad=True), ember.tensor(v0, requires_grad=True)
    t_w, t_v = torch.tensor(w0, requires_grad=True), torch.tensor(v0, requires_grad=True)
    e_opt = ember.optim.SparseAdam([e_w, e_v], lr=0.05, betas=(0.8, 0.95))
    t_opt = torch.optim.SparseAdam([t_w, t_v], lr=0.05, betas=(0.8, 0.95))
    for step in range(15):
        gw = rng.standard_normal((5, 3)).astype(np.float32)
        gw[step % 5] = 0
        gw[(step + 2) % 5] = 0
        gv = rng.standard_normal(4).astype(np.float32)
        gv[step % 4] = 0
        e_w.grad, e_v.grad = ember.tensor(gw), ember.tensor(gv)
        t_w.grad = torch.tensor(gw).to_sparse(sparse_dim=1)
        t_v.grad = torch.tensor(gv).to_sparse()
        e_opt.step()
        t_opt.step()
        for e, t in ((e_w, t_w), (e_v, t_v)):
            np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-5,
                                       atol=1e-6)
    assert e_opt.state[e_w]["step"] == 15
    np.testing.assert_allclose(e_opt.state[e_w]["exp_avg_sq"].numpy(),
                               t_opt.state[t_w]["exp_avg_sq"].numpy(), rtol=1e-5, atol=1e-7)


def test_sparse_adam_scalar_parameter_and_maximize():
    e = ember.tensor(0.5, requires_grad=True)
    t = torch.tensor([0.5], requires_grad=True)
    e_opt = ember.optim.SparseAdam([e], lr=0.1, maximize=True)
    t_opt = torch.optim.SparseAdam([t], lr=0.1, maximize=True)
    for g in (0.3, 0.0, -0.2, 0.7):
        e.grad = ember.tensor(g)
        t.grad = torch.tensor([g]).to_sparse()
        e_opt.step()
        t_opt.step()
        np.testing.assert_allclose(e.item(), t.item(), rtol=1e-6)


def test_sgd_momentum_fits_logistic_regression():
    rng = np.random.default_rng(0)
    n, d = 200, 3
    x = rng.standard_normal((n, d)).astype(np.float32)
    true_w = np.array([2.0, -1.5, 0.5], np.float32)
    y = (x @ true_w + 0.3 > 0).astype(np.float32)
    xt, yt = ember.tensor(x), ember.tensor(y)
    w = ember.zeros(d, requires_grad=True)
    b = ember.zeros((), requires_grad=True)
    opt = ember.optim.SGD([w, b], lr=0.5, momentum=0.9)
    ones = ember.ones(n)

    def nll():
        z = xt.matmul(w) + b
        # log(1 + exp(-z)) for y = 1 and log(1 + exp(z)) for y = 0, averaged.
        s = z * (1 - 2 * yt)
        return (ember.log(ember.exp(s) + 1)).dot(ones) * (1.0 / n)

    first = nll().item()
    for _ in range(150):
        opt.zero_grad()
        loss = nll()
        loss.backward()
        opt.step()
    final = nll().item()
    pred = (x @ w.detach().numpy() + b.item() > 0).astype(np.float32)
    assert final < 0.25 * first
    assert (pred == y).mean() > 0.95
    # The direction of the weights is recovered.
    cos = w.detach().numpy() @ true_w / np.linalg.norm(w.detach().numpy()) / np.linalg.norm(
        true_w)
    assert cos > 0.95


def test_adafactor_factors_a_3d_parameter_like_torch():
    w0 = np.random.default_rng(7).uniform(-1, 1, size=(2, 3, 4)).astype(np.float32)
    params = {lib: lib.tensor(w0, requires_grad=True) for lib in (ember, torch)}
    opts = {lib: lib.optim.Adafactor([params[lib]], lr=0.05) for lib in (ember, torch)}
    for _ in range(5):
        for lib in (ember, torch):
            opts[lib].zero_grad()
            (params[lib] * params[lib]).sum().backward()
            opts[lib].step()
    np.testing.assert_allclose(params[ember].detach().numpy(), params[torch].detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    for key in ("row_var", "col_var"):
        np.testing.assert_allclose(opts[ember].state[params[ember]][key].numpy(),
                                   opts[torch].state[params[torch]][key].numpy(), rtol=1e-5)
