"""Shared timing harness: ember and torch in one process, interleaved rounds, median ratios."""
import argparse
import statistics
import time


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--wall", action="store_true", help="time wall clock instead of CPU time")
    p.add_argument("--threads", type=int, default=None,
                   help="threads for both libraries (default: each library's default)")
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median is reported)")
    p.add_argument("--quick", action="store_true", help="fewer iterations (smoke run)")
    return p.parse_args()


def setup_clock(args):
    global clock
    if getattr(args, "wall", False):
        clock = time.perf_counter


def setup_threads(n):
    """Set both libraries to ``n`` threads (None: leave their defaults); return a description."""
    import torch

    import ember

    if n is not None:
        torch.set_num_threads(n)
        ember.set_num_threads(n)
    return "%s threads (torch %d, ember %d)" % ("default" if n is None else n,
                                                torch.get_num_threads(), ember.get_num_threads())


# CPU time of this process rather than wall time: on a shared machine other processes' load
# inflates wall time for both libraries unevenly, while the CPU each library spends is what we
# compare. With more than one thread, CPU time also counts helper threads (spinning included),
# which is the cost that matters on a busy machine.
clock = time.process_time


def openblas_setting():
    """One line on how NumPy's OpenBLAS picks its GEMM kernels in this run. Some machines set
    ``OPENBLAS_CORETYPE`` (with ``OPENBLAS_L2_SIZE``) as a workaround for older OpenBLAS builds;
    it forces older kernels on a current NumPy (Haswell's AVX2 ones ran ember's products 1.5-2x
    slower than the AVX-512 ones OpenBLAS picks itself on the development machine), so to measure
    as a current NumPy runs, unset both for the benchmark's command alone."""
    import os

    forced = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
              if os.environ.get(k)}
    if not forced:
        return "OpenBLAS picks its own kernels (no OPENBLAS_CORETYPE in the environment)"
    return ("%s set in the environment: OpenBLAS runs the kernels it names; for its own choice "
            "run `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/...`"
            % ", ".join("%s=%s" % kv for kv in forced.items()))


def time_per_call(fn, min_time=0.2, warmup=3):
    """CPU seconds per call of ``fn``, timed over at least ``min_time`` seconds."""
    for _ in range(warmup):
        fn()
    n = 1
    while True:
        t0 = clock()
        for _ in range(n):
            fn()
        dt = clock() - t0
        if dt >= min_time:
            return dt / n
        n = max(n * 2, int(n * min_time / max(dt, 1e-9) * 1.2))


def compare(cases, rounds=5, min_time=0.2, pause=0.5):
    """For each (name, ember_fn, torch_fn): median seconds per call of each, interleaved.

    The pause between blocks lets the other library's idle threads stop spinning (they slowed
    the next block up to 25x in measurements here).
    """
    results = {}
    for name, e_fn, t_fn in cases:
        e_times, t_times = [], []
        for _ in range(rounds):
            e_times.append(time_per_call(e_fn, min_time))
            time.sleep(pause)
            t_times.append(time_per_call(t_fn, min_time))
            time.sleep(pause)
        results[name] = (statistics.median(e_times), statistics.median(t_times))
    return results


def report(results, unit="us", per=None):
    """Print a table: ember, torch, and torch_time / ember_time (>1 means ember is faster)."""
    print("%-44s %12s %12s %8s" % ("case", "ember", "torch", "speed"))
    for name, (e, t) in results.items():
        if per is not None and name in per:
            n = per[name]
            print("%-44s %9.0f/s %9.0f/s %7.2fx" % (name, n / e, n / t, t / e))
        else:
            scale = 1e6 if unit == "us" else 1e3
            print("%-44s %10.2f%s %10.2f%s %7.2fx"
                  % (name, e * scale, unit, t * scale, unit, t / e))
