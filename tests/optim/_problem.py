"""A small training problem built identically in ember and torch, for optimizer tests.

Parameters of several shapes (a matrix, vectors, a 0-d scalar, one parameter that never gets a
gradient), a smooth bounded-below loss, and helpers to run the same optimizer in both
frameworks and convert state dicts between them.
"""
import copy

import numpy as np
import torch

import ember

SHAPES = {"W": (4, 3), "b": (3,), "v": (5,), "s": (), "unused": (2,)}


def initial_values(seed=0):
    rng = np.random.default_rng(seed)
    return {k: rng.uniform(-1, 1, size=s).astype(np.float32) for k, s in SHAPES.items()}


def make_params(lib, values):
    return [lib.tensor(values[k].copy(), requires_grad=True) for k in SHAPES]


def _total(lib, t):
    # Sum via a dot product: keeps the problem to a handful of basic ops.
    flat = t.flatten()
    return flat.dot(lib.ones(flat.shape[0]))


_rng = np.random.default_rng(1234)
_X = _rng.uniform(-1, 1, size=(6, 4)).astype(np.float32)
_C = _rng.uniform(-1, 1, size=(6, 3)).astype(np.float32)


def loss_fn(lib, params, sign=1.0):
    """A smooth loss of all parameters but ``unused``; ``sign=-1`` for ``maximize`` runs."""
    W, b, v, s, _ = params
    x, c = lib.tensor(_X), lib.tensor(_C)
    h = lib.tanh(x.matmul(W) + b)
    loss = (_total(lib, h * c) + _total(lib, W * W) * 0.1 + _total(lib, lib.sin(v) * v) * 0.5
            + _total(lib, lib.exp(v * 0.3)) * 0.2 + s * s * 2.0 + lib.sin(s * 3.0))
    return loss * sign


def train(lib, opt, params, steps, sign=1.0, scheduler=None):
    """Run ``steps`` training steps; return the parameter values after each step."""
    trace = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(lib, params, sign)
        loss.backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        trace.append([p.detach().numpy().copy() for p in params])
    return trace


def build(lib, name, kwargs, params, groups=False):
    cls = getattr(lib.optim, name)
    if groups:
        # Two groups: the second overrides lr (and keeps every other option).
        lr = kwargs.get("lr", 1e-3)
        return cls([{"params": params[:2]}, {"params": params[2:], "lr": lr * 0.5}], **kwargs)
    return cls(params, **kwargs)


def torch_state_to_ember(state_dict):
    """Convert a torch optimizer state dict to ember (tensors through NumPy)."""

    def conv(v):
        if isinstance(v, torch.Tensor):
            return ember.from_numpy(v.detach().numpy().copy())
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return type(v)(conv(x) for x in v)
        return v

    return {"state": conv(state_dict["state"]),
            "param_groups": copy.deepcopy(state_dict["param_groups"])}


def assert_traces_close(e_trace, t_trace, rtol=1e-5, atol=1e-6):
    for step, (es, ts) in enumerate(zip(e_trace, t_trace)):
        for i, (e, t) in enumerate(zip(es, ts)):
            np.testing.assert_allclose(e, t, rtol=rtol, atol=atol,
                                       err_msg="step %d, parameter %d" % (step + 1, i))
