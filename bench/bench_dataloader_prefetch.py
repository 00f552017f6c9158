"""DataLoader prefetching: workers must keep loading while the main process trains on a batch.

Items cost 2 ms, one in four 60 ms (a slow file, a cache miss); the main process spends 12 ms per
batch (the training step); 2 workers, ``prefetch_factor`` 4, 256 KB batches (more than a pipe
holds). A loader whose workers stop while a finished batch waits to be read pays for every slow
item; one that buffers hides them. ember and torch in the same process:

    python bench/bench_dataloader_prefetch.py [--batches 150] [--rounds 3]
"""
import argparse
import random
import statistics
import time

import numpy as np


class SpikyItems:
    """Map-style dataset: item ``i`` sleeps 2 ms, or 60 ms for one item in four (fixed by i)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        time.sleep(random.Random(i).choice([0.002, 0.002, 0.002, 0.06]))
        return np.full((64, 1024), i, np.float32)


def epoch_seconds(loader_cls, dataset):
    loader = loader_cls(dataset, batch_size=None, num_workers=2, prefetch_factor=4)
    t0 = time.perf_counter()
    for _ in loader:
        time.sleep(0.012)
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import torch.utils.data as tud

    from ember.utils.data import DataLoader

    ds = SpikyItems(args.batches)
    loading = sum(random.Random(i).choice([2, 2, 2, 60]) for i in range(args.batches)) / 1000
    times = {"ember": [], "torch": []}
    for _ in range(args.rounds):
        for name, cls in (("ember", DataLoader), ("torch", tud.DataLoader)):
            times[name].append(epoch_seconds(cls, ds))
    print("%d batches: loading %.2f s of waits over 2 workers, training %.2f s; median of %d"
          % (args.batches, loading, 0.012 * args.batches, args.rounds))
    for name, t in times.items():
        print("%-6s %.2f s" % (name, statistics.median(t)))
    print("ember/torch: %.2f"
          % (statistics.median(times["ember"]) / statistics.median(times["torch"])))


if __name__ == "__main__":
    main()
