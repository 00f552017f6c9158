"""LSTM training throughput, ember against torch in the same process.

Model: LSTM(28, 128) over 28 steps (an MNIST image read row by row), batch 64, the last output
through Linear(128, 10) and cross-entropy. Training step = forward + loss + backward + SGD step.
Both libraries start from the same weights and data; rounds alternate between them with a pause
between blocks; CPU time (``time.process_time``), both libraries at their default threads unless
``--threads``.

Run: python bench/bench_lstm.py [--rounds 5] [--threads 1] [--quick] [--wall]
"""
import os
import sys
from collections import OrderedDict

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

import ember  # noqa: E402

SEQ, BATCH, INPUT, HIDDEN, CLASSES = 28, 64, 28, 128, 10


class Net:
    """LSTM + Linear on the last step, built from either library's ``nn``."""

    def __init__(self, lib):
        self.lib = lib
        self.lstm = lib.nn.LSTM(INPUT, HIDDEN, batch_first=True)
        self.fc = lib.nn.Linear(HIDDEN, CLASSES)

    def parameters(self):
        return list(self.lstm.parameters()) + list(self.fc.parameters())

    def load(self, state):
        for mod, prefix in ((self.lstm, "lstm."), (self.fc, "fc.")):
            mod.load_state_dict(OrderedDict(
                (k[len(prefix):], self.lib.from_numpy(v.copy()))
                for k, v in state.items() if k.startswith(prefix)))

    def __call__(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


def make_step(lib, state, x, y):
    net = Net(lib)
    net.load(state)
    opt = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    xt, yt = lib.from_numpy(x.copy()), lib.from_numpy(y.copy())
    ce = lib.nn.functional.cross_entropy

    def step():
        opt.zero_grad()
        loss = ce(net(xt), yt)
        loss.backward()
        opt.step()
    return step


def main():
    args = _common.parse_args(__doc__.splitlines()[0])
    _common.setup_clock(args)
    threads = _common.setup_threads(args.threads)
    rng = np.random.default_rng(0)
    ref = Net(torch)
    state = OrderedDict([("lstm." + k, v.detach().numpy().copy())
                         for k, v in ref.lstm.state_dict().items()] +
                        [("fc." + k, v.detach().numpy().copy())
                         for k, v in ref.fc.state_dict().items()])
    x = rng.standard_normal((BATCH, SEQ, INPUT)).astype(np.float32)
    y = rng.integers(0, CLASSES, BATCH)
    name = "LSTM(28,128) x28 b64 train step"
    results = _common.compare([(name, make_step(ember, state, x, y),
                                make_step(torch, state, x, y))],
                              rounds=2 if args.quick else args.rounds,
                              min_time=0.1 if args.quick else 0.3)
    print("%s, %s time" % (threads, "wall" if args.wall else "CPU"))
    _common.report(results, unit="ms", per={name: BATCH})
    e, t = results[name]
    print("ember/torch throughput: %.2fx" % (t / e))


if __name__ == "__main__":
    main()
