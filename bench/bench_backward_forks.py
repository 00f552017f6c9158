"""Do the fused kernels' raw-array backward paths pay? An MLP training step (nn.Linear, LayerNorm,
F.cross_entropy, SGD), each fused backward run with its raw-array path and with its
ember-op formula only (the one ``create_graph=True`` uses).

Run: ``python bench/bench_backward_forks.py [--rounds 5]``. Ratio > 1 means the raw-array path is
faster. CPU time, 1 thread, interleaved rounds, median.
"""
import os
import sys
import types

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import parse_args  # noqa: E402


def mlp_step(ember, batch, norm):
    F = ember.nn.functional
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((batch, 784)).astype(np.float32))
    y = ember.tensor(rng.integers(0, 10, batch))
    layers = [ember.nn.Linear(784, 256)] + ([ember.nn.LayerNorm(256)] if norm else []) + [
        ember.nn.ReLU(), ember.nn.Linear(256, 128), ember.nn.ReLU(), ember.nn.Linear(128, 10)]
    model = ember.nn.Sequential(*layers)
    opt = ember.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return step


def cpu_rate(step, seconds):
    import time

    n, t0 = 0, time.process_time()
    while time.process_time() - t0 < seconds:
        step()
        n += 1
    return n / (time.process_time() - t0)


def main():
    args = parse_args(__doc__)
    import statistics

    import ember
    from ember.ops.nn import linear, loss, normalization

    ember.set_num_threads(1)
    graph_only = types.SimpleNamespace(enabled=True)
    print("steps/s (CPU time), median of %d interleaved rounds" % args.rounds)
    for name, mod, norm in (("linear", linear, False), ("cross_entropy", loss, False),
                            ("layer_norm", normalization, True)):
        for batch in (64, 256):
            real = mod._State
            fast, slow = mlp_step(ember, batch, norm), mlp_step(ember, batch, norm)
            a, b = [], []
            for _ in range(args.rounds):
                mod._State = real
                a.append(cpu_rate(fast, 0.3))
                mod._State = graph_only
                b.append(cpu_rate(slow, 0.3))
            mod._State = real
            a, b = statistics.median(a), statistics.median(b)
            print("%-14s batch %3d: raw-array path %6.0f, ember-op formula %6.0f, ratio %.2fx"
                  % (name, batch, a, b, a / b))


if __name__ == "__main__":
    main()
