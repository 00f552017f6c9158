"""DDP scaling: examples/s of the seed CNN (``ember train``'s ``net``) on 1 and on 2 processes.

Each process uses one BLAS thread and a per-process batch of ``--batch`` (so 2 processes train a
global batch twice as large); both runs take the same number of steps. Also reported: how much of
the gradient all-reduce time backward hides (1 - the time the last gradient hook waits for the
buckets / the time the same all-reduces take alone).

    python bench/bench_ddp.py [--batch 64] [--steps 30]

It starts itself under ``mpiexec -n 1`` and ``-n 2`` (ember.distributed.run's mpiexec).
"""
import argparse
import os
import subprocess
import sys
import time

_ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                      "MKL_NUM_THREADS")}


def _worker(batch, steps):
    import numpy as np

    import ember
    import ember.distributed as dist
    from ember.cli.models import build_model
    from ember.nn.parallel import DistributedDataParallel

    ember.set_num_threads(1)
    dist.init_process_group()
    rank, world = dist.get_rank(), dist.get_world_size()
    ember.manual_seed(0)
    model = build_model("net")
    ddp = DistributedDataParallel(model) if world > 1 else model
    opt = ember.optim.SGD(ddp.parameters(), lr=0.01, momentum=0.9)
    gen = np.random.default_rng(rank)
    x = ember.tensor(gen.standard_normal((batch, 1, 28, 28)).astype(np.float32))
    y = ember.tensor(gen.integers(0, 10, batch))

    def step():
        opt.zero_grad()
        ember.nn.functional.cross_entropy(ddp(x), y).backward()
        opt.step()

    for _ in range(3):
        step()
    if world > 1:
        ddp._reduction_wait_s = 0.0
    dist.barrier()
    began = time.perf_counter()
    for _ in range(steps):
        step()
    dist.barrier()
    elapsed = time.perf_counter() - began
    hidden = ""
    if world > 1:
        waited = ddp._reduction_wait_s / steps
        began = time.perf_counter()
        for _ in range(steps):
            works = [ddp._all_reduce_flat(b.send, b.recv) for b in ddp._buckets]
            for w in works:
                w.wait()
        alone = (time.perf_counter() - began) / steps
        hidden = " allreduce_alone_ms=%.2f waited_ms=%.2f hidden=%.0f%%" % (
            1e3 * alone, 1e3 * waited, 100 * max(0.0, 1 - waited / alone))
    if rank == 0:
        print("RESULT world=%d examples_per_s=%.1f step_ms=%.1f%s"
              % (world, world * batch * steps / elapsed, 1e3 * elapsed / steps, hidden),
              flush=True)
    dist.destroy_process_group()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        return _worker(args.batch, args.steps)
    from ember.distributed.run import mpiexec_path

    env = dict(os.environ, **_ONE_THREAD)
    rates = {}
    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    for world in (1, 2):
        out = subprocess.run([mpiexec_path(), "-n", str(world), sys.executable, __file__,
                              "--worker", "--batch", str(args.batch), "--steps",
                              str(args.steps)], env=env, capture_output=True, text=True,
                             timeout=1800)
        if out.returncode:
            sys.exit(out.stdout + out.stderr)
        line = [text for text in out.stdout.splitlines() if text.startswith("RESULT")][0]
        print(line[len("RESULT "):])
        rates[world] = float(line.split("examples_per_s=")[1].split()[0])
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    print("speedup 2 processes / 1 process: %.2fx" % (rates[2] / rates[1]))


if __name__ == "__main__":
    main()
