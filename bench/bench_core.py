"""Core overhead benchmark: per-op cost, a 10-op chain, and an MLP training step, ember vs torch.

Run: ``python bench/bench_core.py [--threads 1] [--rounds 5]`` (default: both libraries' default
thread counts). Speed > 1 means ember is faster.
The MLP step is timed twice: as PyTorch users write it (nn.Linear, ReLU, F.cross_entropy,
optim.SGD with momentum), and with core tensor ops only (matmul, add, relu, log_softmax, gather,
mean, a hand-written momentum update), identical code for both libraries.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import compare, parse_args, report, setup_clock, setup_threads  # noqa: E402


def per_op_cases(torch, ember):
    cases = []
    for n, shape in (("1-element", (1,)), ("64x64", (64, 64))):
        for rg in (False, True):
            ea = ember.randn(*shape, requires_grad=rg)
            eb = ember.randn(*shape, requires_grad=rg)
            ta = torch.randn(*shape, requires_grad=rg)
            tb = torch.randn(*shape, requires_grad=rg)
            cases.append(("a + b, %s, requires_grad=%s" % (n, rg),
                          lambda ea=ea, eb=eb: ea + eb, lambda ta=ta, tb=tb: ta + tb))
    return cases


def chain_case(lib, x):
    def run():
        y = x
        for _ in range(5):
            y = (y * x).tanh()
        y.sum().backward()
    return run


def mlp_step_factory(lib, params, velocities, data, lr=0.01, momentum=0.9):
    w1, b1, w2, b2, w3, b3 = params
    x, y = data

    def step():
        h = (x @ w1.T + b1).relu()
        h = (h @ w2.T + b2).relu()
        logits = h @ w3.T + b3
        loss = -lib.log_softmax(logits, dim=1).gather(1, y[:, None]).mean()
        loss.backward()
        with lib.no_grad():
            for p, v in zip(params, velocities):
                v.mul_(momentum).add_(p.grad)
                p.sub_(v, alpha=lr)
                p.grad = None
        return loss
    return step


def mlp_setup(torch, ember, batch):
    rng = np.random.default_rng(0)
    shapes = [(256, 784), (256,), (128, 256), (128,), (10, 128), (10,)]
    arrays = [(rng.standard_normal(s) * 0.05).astype(np.float32) for s in shapes]
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    e_params = [ember.tensor(a, requires_grad=True) for a in arrays]
    t_params = [torch.tensor(a, requires_grad=True) for a in arrays]
    e_vel = [ember.zeros_like(p) for p in e_params]
    t_vel = [torch.zeros_like(p) for p in t_params]
    e_step = mlp_step_factory(ember, e_params, e_vel, (ember.tensor(x), ember.tensor(y)))
    t_step = mlp_step_factory(torch, t_params, t_vel, (torch.tensor(x), torch.tensor(y)))
    # Same arithmetic in both: check the first few losses agree before timing.
    for _ in range(3):
        le, lt = float(e_step().detach()), float(t_step().detach())
        assert abs(le - lt) < 1e-3 * max(1.0, abs(lt)), (le, lt)
    return e_step, t_step


def nn_mlp_setup(torch, ember, batch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    steps = []
    state = None
    for lib in (ember, torch):
        model = lib.nn.Sequential(lib.nn.Linear(784, 256), lib.nn.ReLU(), lib.nn.Linear(256, 128),
                                  lib.nn.ReLU(), lib.nn.Linear(128, 10))
        if state is None:
            state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
        model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
        opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        xb, yb = lib.tensor(x), lib.tensor(y)

        def step(model=model, opt=opt, xb=xb, yb=yb, F=lib.nn.functional):
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            return loss
        steps.append(step)
    for _ in range(3):
        le, lt = float(steps[0]().detach()), float(steps[1]().detach())
        assert abs(le - lt) < 1e-3 * max(1.0, abs(lt)), (le, lt)
    return steps


def main():
    args = parse_args(__doc__)
    import torch

    import ember

    threads = setup_threads(args.threads)
    setup_clock(args)
    min_time = 0.05 if args.quick else 0.2
    rounds = 1 if args.quick else args.rounds
    print("%s, rounds=%d (median); speed = torch time / ember time" % (threads, rounds))
    cases = per_op_cases(torch, ember)
    ex = ember.randn(64, requires_grad=True)
    tx = torch.randn(64, requires_grad=True)
    cases.append(("10-op chain forward+backward", chain_case(ember, ex), chain_case(torch, tx)))
    res = compare(cases, rounds=rounds, min_time=min_time)
    report(res, unit="us")
    per = {}
    mlp_cases = []
    for batch in (64, 256):
        e_step, t_step = nn_mlp_setup(torch, ember, batch)
        name = "MLP train step (nn, optim), batch %d" % batch
        per[name] = batch
        mlp_cases.append((name, e_step, t_step))
    for batch in (64, 256):
        e_step, t_step = mlp_setup(torch, ember, batch)
        name = "MLP train step (core ops), batch %d" % batch
        per[name] = batch
        mlp_cases.append((name, e_step, t_step))
    report(compare(mlp_cases, rounds=rounds, min_time=min_time), per=per)


if __name__ == "__main__":
    main()
