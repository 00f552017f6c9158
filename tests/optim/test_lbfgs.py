"""LBFGS against torch: closure-driven steps, with and without the strong-Wolfe line search."""
import copy

import numpy as np
import pytest
import torch

import ember
from tests.optim._problem import (assert_traces_close, initial_values, loss_fn, make_params,
                                  torch_state_to_ember)

CASES = [dict(lr=1, max_iter=4),
         dict(lr=0.5, max_iter=6, history_size=3),
         dict(lr=1, max_iter=5, line_search_fn="strong_wolfe"),
         dict(lr=1, max_iter=8, max_eval=10, history_size=4, line_search_fn="strong_wolfe")]


def _closure(lib, opt, params, evals):
    def closure():
        opt.zero_grad()
        loss = loss_fn(lib, params)
        loss.backward()
        evals.append(loss.item())
        return loss

    return closure


def _run(lib, kwargs, steps, params=None, opt=None, state=None):
    params = params or make_params(lib, initial_values())
    opt = opt or lib.optim.LBFGS(params, **kwargs)
    if state is not None:
        opt.load_state_dict(state)
    trace, evals = [], []
    for _ in range(steps):
        loss = opt.step(_closure(lib, opt, params, evals))
        assert isinstance(loss, lib.Tensor)
        trace.append([p.detach().numpy().copy() for p in params])
    return opt, params, trace, evals


@pytest.mark.parametrize("kwargs", CASES, ids=[str(c) for c in CASES])
def test_lbfgs_matches_torch(kwargs):
    # Three steps: later on the problem is ill-conditioned enough that torch itself, started one
    # ulp away, drifts by ~7e-5 (measured), which is what the tolerance allows for.
    e_opt, _, e_trace, e_evals = _run(ember, kwargs, 3)
    t_opt, _, t_trace, t_evals = _run(torch, kwargs, 3)
    # Same number of function evaluations means the same branch decisions were taken.
    assert len(e_evals) == len(t_evals)
    np.testing.assert_allclose(e_evals, t_evals, rtol=1e-5)
    assert_traces_close(e_trace, t_trace, rtol=1e-4, atol=1e-4)
    e_state = e_opt.state_dict()["state"][0]
    t_state = t_opt.state_dict()["state"][0]
    assert e_state.keys() == t_state.keys()
    assert e_state["func_evals"] == t_state["func_evals"]
    assert e_state["n_iter"] == t_state["n_iter"]
    assert len(e_state["old_dirs"]) == len(t_state["old_dirs"])


def test_lbfgs_state_round_trip_and_torch_state_loads():
    kwargs = CASES[3]
    _, _, straight, _ = _run(ember, kwargs, 5)
    opt, params, _, _ = _run(ember, kwargs, 2)
    saved = copy.deepcopy(opt.state_dict())
    values = dict(zip(initial_values(), (p.detach().numpy().copy() for p in params)))
    fresh = make_params(ember, values)
    _, _, resumed, _ = _run(ember, kwargs, 3, params=fresh, state=saved)
    assert_traces_close(resumed, straight[2:], rtol=0, atol=0)

    t_opt, t_params, _, _ = _run(torch, kwargs, 2)
    values = dict(zip(initial_values(), (p.detach().numpy().copy() for p in t_params)))
    e_params = make_params(ember, values)
    _, _, e_trace, _ = _run(ember, kwargs, 1, params=e_params,
                            state=torch_state_to_ember(t_opt.state_dict()))
    _, _, t_trace, _ = _run(torch, kwargs, 1, params=t_params, opt=t_opt)
    assert_traces_close(e_trace, t_trace, rtol=1e-4, atol=1e-4)


def test_lbfgs_stops_at_optimum_and_rejects_groups():
    w = ember.zeros(3, requires_grad=True)
    opt = ember.optim.LBFGS([w])
    calls = []

    def closure():
        opt.zero_grad()
        loss = (w * w).dot(ember.ones(3))
        loss.backward()
        calls.append(1)
        return loss

    opt.step(closure)
    assert len(calls) == 1  # the gradient is already zero: one evaluation, no iteration
    a, b = ember.zeros(2, requires_grad=True), ember.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="per-parameter options"):
        ember.optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(RuntimeError, match="strong_wolfe"):
        w2 = ember.ones(2, requires_grad=True)
        opt2 = ember.optim.LBFGS([w2], line_search_fn="armijo")

        def closure2():
            opt2.zero_grad()
            loss = (w2 * w2).dot(ember.ones(2))
            loss.backward()
            return loss

        opt2.step(closure2)
