"""DDP scaling: examples/s of the seed CNN (``ember train``'s ``net``) on 1 and on 2 processes.

Each process uses one BLAS thread and a per-process batch of ``--batch`` (so 2 processes train a
global batch twice as large); every run takes the same number of steps. Also reported, for the
2-process run: the time the gradient all-reduces take alone (the same buckets, no compute), the
time backward still waits for them at its end, and the fraction hidden behind backward
(1 - exposed / alone, where exposed is the time from the end of the slower rank's backward to the
end of the wait; the time spent waiting for the slower rank is reported apart, as imbalance).
The 2-process run is made with DDP's progress thread on and with it off (the all-reduces then
move only inside the main thread's MPI calls: at each gradient hook and in the final wait), to
show what the thread buys. DDP turns the thread on only where the ranks' threads leave a CPU
free (not for 2 one-thread ranks on 2 cores); the speedup line uses what DDP picks.

    python bench/bench_ddp.py [--batch 64] [--steps 30] [--repeat 3]

It starts itself under ``mpiexec -n 1`` and ``-n 2`` (ember.distributed.run's mpiexec).
"""
import argparse
import os
import subprocess
import sys
import time

_ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                      "MKL_NUM_THREADS")}


def _worker(batch, steps, progress):
    import numpy as np

    import ember
    import ember.distributed as dist
    from ember.cli.models import build_model
    from ember.nn.parallel import DistributedDataParallel
    from ember.nn.parallel import distributed as ddp_module

    ember.set_num_threads(1)
    default = ddp_module._spare_cpu()  # what DDP would choose here
    ddp_module._spare_cpu = lambda: progress
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
    marks = []  # per step: (this rank's backward done, its gradients averaged)
    dist.barrier()
    began, cpu_began = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
        if world > 1:
            marks.append(ddp._last_reduction)
    cpu = time.process_time() - cpu_began  # this rank's CPU time, all its threads
    dist.barrier()
    elapsed = time.perf_counter() - began
    result = "world=%d examples_per_s=%.1f step_ms=%.1f cpu_ms=%.1f default_thread=%d" % (
        world, world * batch * steps / elapsed, 1e3 * elapsed / steps, 1e3 * cpu / steps,
        default)
    if world > 1:
        # The final all-reduce cannot end before the slowest rank's backward has ended; waiting
        # for that rank is imbalance, not communication. So the exposed communication time of a
        # step is from the last rank's end of backward (perf_counter is the machine's monotonic
        # clock, shared by the processes) to the end of this rank's wait.
        ends = ember.zeros(world, steps, dtype=ember.float64)
        dist.all_gather_into_tensor(ends, ember.tensor([m[0] for m in marks],
                                                         dtype=ember.float64))
        last_end = ends.numpy().max(axis=0)
        waited = float(np.mean([done - min(max(end, mine), done)
                                for (mine, done), end in zip(marks, last_end)]))
        imbalance = float(np.mean([max(0.0, end - mine)
                                   for (mine, _), end in zip(marks, last_end)]))
        dist.barrier()
        began = time.perf_counter()
        for _ in range(steps):
            works = [ddp._all_reduce_flat(b.send, b.recv) for b in ddp._buckets]
            for w in works:
                w.wait()
        alone = (time.perf_counter() - began) / steps
        result += " allreduce_alone_ms=%.2f waited_ms=%.2f imbalance_ms=%.2f hidden_pct=%.0f" % (
            1e3 * alone, 1e3 * waited, 1e3 * imbalance, 100 * max(0.0, 1 - waited / alone))
    if rank == 0:
        print("RESULT " + result, flush=True)
    dist.destroy_process_group()


def _best(world, args, progress=True):
    """The fastest of ``--repeat`` runs (other load on the machine only ever slows a run)."""
    runs = [_run(world, args, progress) for _ in range(args.repeat)]
    return max(runs, key=lambda r: float(r["examples_per_s"]))


def _run(world, args, progress=True):
    from ember.distributed.run import mpiexec_path

    command = [mpiexec_path(), "-n", str(world), sys.executable, __file__, "--worker",
               "--batch", str(args.batch), "--steps", str(args.steps)]
    if not progress:
        command.append("--no-progress-thread")
    out = subprocess.run(command, env=dict(os.environ, **_ONE_THREAD), capture_output=True,
                         text=True, timeout=1800)
    if out.returncode:
        sys.exit(out.stdout + out.stderr)
    line = [text for text in out.stdout.splitlines() if text.startswith("RESULT ")][0]
    return dict(item.split("=") for item in line.split()[1:])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--repeat", type=int, default=3, help="runs per setting; the best counts")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--no-progress-thread", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        return _worker(args.batch, args.steps, not args.no_progress_thread)
    print("DDP scaling of the seed CNN (ember train's net): batch %d per process, %d steps, "
          "one BLAS thread per process, best of %d runs per setting"
          % (args.batch, args.steps, args.repeat))
    print("command: python bench/bench_ddp.py --batch %d --steps %d --repeat %d"
          % (args.batch, args.steps, args.repeat))
    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    one = _best(1, args)
    on = _best(2, args)
    off = _best(2, args, progress=False)
    default_on = on["default_thread"] == "1"
    print("1 process:   %8s examples/s  (%s ms/step, CPU %s ms/step)"
          % (one["examples_per_s"], one["step_ms"], one["cpu_ms"]))
    for name, r in (("2 processes, progress thread on", on),
                    ("2 processes, progress thread off", off)):
        print("%s: %8s examples/s  (%s ms/step, CPU %s ms/step on rank 0); all-reduce alone %s "
              "ms/step, exposed after the last rank's backward %s ms/step (hidden behind "
              "backward: %s%%); waiting for the slower rank %s ms/step"
              % (name, r["examples_per_s"], r["step_ms"], r["cpu_ms"], r["allreduce_alone_ms"],
                 r["waited_ms"], r["hidden_pct"], r["imbalance_ms"]))
    two = on if default_on else off
    print("DDP's default on this machine (a CPU spare beside the ranks' threads?): progress "
          "thread %s" % ("on" if default_on else "off"))
    print("speedup 2 processes (DDP's default) / 1 process: %.2fx (target >= 1.6x)"
          % (float(two["examples_per_s"]) / float(one["examples_per_s"])))
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
