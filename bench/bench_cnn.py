"""CNN throughput, ember against torch in the same process.

Models: the seed CNN (conv 1->32 3x3, ReLU, 2x2 max pool, 6272->128->10) and LeNet-5.
Training step = forward + cross-entropy + backward + SGD(momentum 0.9) update, batch 64;
inference = forward under no_grad, batch 256. Rounds alternate between the libraries with a
pause between blocks (idle BLAS/OpenMP threads of one library slow the other), and the median
per-step time of each is reported, at the libraries' default threads and then at 1 thread
(``--threads 0`` stands for the defaults).

Run: python bench/bench_cnn.py [--rounds 7] [--steps 10] [--threads 0 1]
"""
import argparse
import statistics
import time
from collections import OrderedDict

import numpy as np
import torch

import ember


def seed_cnn(nn):
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 32, 3, 1, 1)), ("relu1", nn.ReLU()), ("pool", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()), ("fc1", nn.Linear(32 * 14 * 14, 128)), ("relu2", nn.ReLU()),
        ("fc2", nn.Linear(128, 10))]))


def lenet5(nn):
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 6, 5, padding=2)), ("relu1", nn.ReLU()),
        ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()), ("fc1", nn.Linear(16 * 5 * 5, 120)), ("relu3", nn.ReLU()),
        ("fc2", nn.Linear(120, 84)), ("relu4", nn.ReLU()), ("fc3", nn.Linear(84, 10))]))


class _SGD:
    """SGD with momentum written by hand (used when a library has no ``optim.SGD``)."""

    def __init__(self, lib, params, lr, momentum):
        self.lib, self.params, self.lr, self.momentum = lib, list(params), lr, momentum
        self.bufs = [None] * len(self.params)

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        with self.lib.no_grad():
            for i, p in enumerate(self.params):
                if self.bufs[i] is None:
                    self.bufs[i] = p.grad.clone()
                else:
                    self.bufs[i].mul_(self.momentum).add_(p.grad)
                p.add_(self.bufs[i], alpha=-self.lr)


def _optimizer(lib, params, lr=0.01, momentum=0.9):
    optim = getattr(lib, "optim", None)
    if optim is not None and hasattr(optim, "SGD"):
        return optim.SGD(params, lr=lr, momentum=momentum)
    return _SGD(lib, params, lr, momentum)


def _setup(lib, build, state, x, y, train):
    net = build(lib.nn)
    net.load_state_dict(OrderedDict((k, lib.from_numpy(v.copy())) for k, v in state.items()))
    xt, yt = lib.from_numpy(x.copy()), lib.from_numpy(y.copy())
    if not train:
        net.eval()

        def step():
            with lib.no_grad():
                net(xt)
        return step
    opt = _optimizer(lib, net.parameters())
    ce = lib.nn.functional.cross_entropy

    def step():
        opt.zero_grad()
        loss = ce(net(xt), yt)
        loss.backward()
        opt.step()
    return step


def _time_block(step, n):
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - t0) / n


def bench(name, build, batch, train, rounds, steps):
    rng = np.random.default_rng(0)
    state = OrderedDict((k, v.detach().numpy().copy())
                        for k, v in build(torch.nn).state_dict().items())
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    fns = {"ember": _setup(ember, build, state, x, y, train),
           "torch": _setup(torch, build, state, x, y, train)}
    for fn in fns.values():  # warm-up
        _time_block(fn, 2)
    times = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            time.sleep(0.5)
            times[k].append(_time_block(fn, steps))
    med = {k: statistics.median(v) for k, v in times.items()}
    ips = {k: batch / v for k, v in med.items()}
    print("%-28s ember %8.0f img/s (%6.2f ms)  torch %8.0f img/s (%6.2f ms)  ratio %.2fx"
          % ("%s %s b%d" % (name, "train" if train else "infer", batch), ips["ember"],
             med["ember"] * 1e3, ips["torch"], med["torch"] * 1e3, ips["ember"] / ips["torch"]),
          flush=True)
    return ips["ember"] / ips["torch"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--threads", type=int, nargs="+", default=[0, 1])
    args = ap.parse_args()
    defaults = torch.get_num_threads(), ember.get_num_threads()
    for n in args.threads:
        torch.set_num_threads(n or defaults[0])
        ember.set_num_threads(n or defaults[1])
        print("-- %s threads (torch %s, ember %s)" % (n or "default", torch.get_num_threads(),
                                                     ember.get_num_threads()))
        for name, build in (("seed CNN", seed_cnn), ("LeNet-5", lenet5)):
            bench(name, build, 64, True, args.rounds, args.steps)
            bench(name, build, 256, False, args.rounds, args.steps)


if __name__ == "__main__":
    main()
