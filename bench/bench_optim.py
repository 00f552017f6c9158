"""Optimizer step cost, ember against torch, on the parameters of a 784-256-128-10 MLP.

Both run in this process on one thread, in interleaved rounds with a pause between blocks (so
one library's idle threads do not slow the other); the median per-step time is reported.

    python bench/bench_optim.py [--rounds 7] [--steps 200]
"""
import argparse
import statistics
import time

import numpy as np
import torch

import ember

SHAPES = [(256, 784), (256,), (128, 256), (128,), (10, 128), (10,)]

CONFIGS = [
    ("SGD(momentum=0.9)", "SGD", dict(lr=0.01, momentum=0.9)),
    ("SGD(momentum=0.9, nesterov, wd)", "SGD",
     dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)),
    ("Adam", "Adam", dict(lr=1e-3)),
    ("AdamW", "AdamW", dict(lr=1e-3)),
]


def _setup(lib, name, kwargs, values, grads):
    params = [lib.tensor(v.copy(), requires_grad=True) for v in values]
    for p, g in zip(params, grads):
        p.grad = lib.tensor(g.copy())
    return getattr(lib.optim, name)(params, **kwargs)


def _time(opt, steps):
    opt.step()  # state allocation happens on the first step: not what is measured
    start = time.perf_counter()
    for _ in range(steps):
        opt.step()
    return (time.perf_counter() - start) / steps * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(1)
    ember.set_num_threads(1)
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(s).astype(np.float32) * 0.05 for s in SHAPES]
    grads = [rng.standard_normal(s).astype(np.float32) * 1e-3 for s in SHAPES]
    n = sum(v.size for v in values)
    print("parameters: %d tensors, %d floats; %d rounds x %d steps, median"
          % (len(SHAPES), n, args.rounds, args.steps))
    print("%-34s %12s %12s %8s" % ("optimizer", "ember us", "torch us", "ratio"))
    for label, name, kwargs in CONFIGS:
        times = {"ember": [], "torch": []}
        for _ in range(args.rounds):
            for lib_name, lib in (("ember", ember), ("torch", torch)):
                opt = _setup(lib, name, kwargs, values, grads)
                times[lib_name].append(_time(opt, args.steps))
                time.sleep(0.5)
        e, t = statistics.median(times["ember"]), statistics.median(times["torch"])
        print("%-34s %12.1f %12.1f %7.2fx" % (label, e, t, e / t))
    print("ratio = ember time / torch time (below 1: ember is faster)")


if __name__ == "__main__":
    main()
