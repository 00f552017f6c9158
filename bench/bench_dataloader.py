"""DataLoader throughput: 2 worker processes against loading in the main process, on a dataset
whose item costs about 1 ms of CPU, for ember and torch in the same process.

    python bench/bench_dataloader.py [--items 2000] [--rounds 3] [--io]

``--io`` makes each item wait 1 ms (sleep, like a file read) instead of computing: it shows the
pipeline's own overhead when the machine's cores are busy with other work.
"""
import argparse
import statistics
import time

import numpy as np


def busy_ms(ms):
    """Spin the CPU for about ``ms`` milliseconds (pure Python, so it holds the GIL)."""
    end = time.process_time() + ms / 1000.0
    x = 0
    while time.process_time() < end:
        x += 1
    return x


class CostlyItems:
    """Map-style dataset: each item is a 1x28x28 float32 image costing ~1 ms of CPU."""

    def __init__(self, n, io=False):
        self.n, self.io = n, io
        self.images = np.random.default_rng(0).random((n, 1, 28, 28), dtype=np.float32)

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if self.io:
            time.sleep(0.001)
        else:
            busy_ms(1.0)
        return self.images[i], i % 10


def epoch_seconds(loader_cls, dataset, workers):
    loader = loader_cls(dataset, batch_size=64, shuffle=False, num_workers=workers)
    t0 = time.perf_counter()
    n = sum(len(y) for _, y in loader)
    assert n == len(dataset)
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--io", action="store_true", help="items sleep 1 ms instead")
    args = parser.parse_args()

    import torch
    import torch.utils.data as tud

    import ember
    from ember.utils.data import DataLoader

    torch.set_num_threads(1)
    ember.set_num_threads(1)
    ds = CostlyItems(args.items, io=args.io)
    loaders = {"ember": DataLoader, "torch": tud.DataLoader}
    times = {(name, w): [] for name in loaders for w in (0, 2)}
    for _ in range(args.rounds):
        for name, cls in loaders.items():
            for w in (0, 2):
                times[(name, w)].append(epoch_seconds(cls, ds, w))
                time.sleep(0.5)  # let the other library's threads settle
    print("%d items of ~1 ms %s, batch 64, median of %d rounds"
          % (args.items, "waiting" if args.io else "of CPU", args.rounds))
    for name in loaders:
        t0, t2 = (statistics.median(times[(name, w)]) for w in (0, 2))
        print("%-6s workers=0 %.3f s  workers=2 %.3f s  speed-up %.2fx"
              % (name, t0, t2, t0 / t2))
    e2, t2 = statistics.median(times[("ember", 2)]), statistics.median(times[("torch", 2)])
    print("ember/torch time with 2 workers: %.2f" % (e2 / t2))


if __name__ == "__main__":
    main()
