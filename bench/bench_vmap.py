"""Per-sample gradients of a small MLP: ``vmap(grad(loss))`` over ``functional_call`` against a
Python loop of ``grad`` calls, in ember and in torch (torch's tutorial idiom).

Both libraries batch ``vmap(grad(...))`` through their ops' batching rules (one call per op
for the whole batch); the loop calls ``grad`` once per sample. The machine is shared: each
figure is the median of ``--rounds`` rounds.

    python bench/bench_vmap.py [--rounds 5] [--reps 5] [--batch 64]
"""
import argparse
import statistics
import time

import numpy as np
import torch

import ember


def _setup(lib, batch):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(32, 64), lib.nn.ReLU(), lib.nn.Linear(64, 10))
    params = {k: v.detach() for k, v in model.named_parameters()}
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, 32)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))

    def loss(p, xi, yi):
        out = lib.func.functional_call(model, p, (xi.unsqueeze(0),))
        return lib.nn.functional.cross_entropy(out, yi.unsqueeze(0))

    grad = lib.func.grad(loss)
    batched = lib.func.vmap(grad, in_dims=(None, 0, 0))

    def with_vmap():
        return batched(params, x, y)

    def with_loop():
        grads = [grad(params, x[i], y[i]) for i in range(batch)]
        return {k: lib.stack([g[k] for g in grads]) for k in params}

    return with_vmap, with_loop


def _time(fn, reps):
    """Milliseconds per call: the fastest of ``reps`` timed calls after a warm-up call (the
    fastest is the one the machine's other load disturbed least)."""
    fn()
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--reps", type=int, default=5, help="timed calls per round")
    args = parser.parse_args()
    torch.set_num_threads(1)
    ember.set_num_threads(1)
    fns = {lib.__name__: _setup(lib, args.batch) for lib in (ember, torch)}
    times = {(lib, kind): [] for lib in fns for kind in ("vmap", "loop")}
    for _ in range(args.rounds):
        for lib, (with_vmap, with_loop) in fns.items():
            times[lib, "vmap"].append(_time(with_vmap, args.reps))
            times[lib, "loop"].append(_time(with_loop, args.reps))
    print("per-sample gradients, MLP 32-64-10, batch %d, median over %d rounds of the fastest "
          "of %d calls (ms)" % (args.batch, args.rounds, args.reps))
    print("%-8s %10s %10s %14s" % ("library", "vmap", "loop", "loop / vmap"))
    for lib in fns:
        v = statistics.median(times[lib, "vmap"])
        lo = statistics.median(times[lib, "loop"])
        print("%-8s %10.2f %10.2f %14.2f" % (lib, v, lo, lo / v))


if __name__ == "__main__":
    main()
