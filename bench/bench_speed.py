"""The speed table: training and inference throughput, ember against torch, in one process.

Headline: both libraries at their default thread counts (what users get; torch uses every core).
Second table: one thread each. Cases: MLP 784-256-128-10, the seed CNN and LeNet-5 training
steps (forward, cross-entropy, backward, SGD with momentum) at batch 64, LSTM(28, 128) over 28
steps at batch 64, and inference under ``no_grad`` at batch 256. Rounds alternate between the
libraries with a pause between blocks (the idle threads of one slow the other); the median wall
time per step is reported with the load average. Then the peak memory of a training step, each
library in a fresh process (peak RSS during three steps less the RSS before them).

Run: python bench/bench_speed.py [--rounds 7] [--steps 10] [--quick] [--no-memory]
                                 [--cases LeNet-5 LSTM ...]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import OrderedDict

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402
import bench_lstm  # noqa: E402
from bench_cnn import _setup, lenet5, seed_cnn  # noqa: E402

import ember  # noqa: E402


def mlp(nn):
    return nn.Sequential(OrderedDict([
        ("flatten", nn.Flatten()), ("fc1", nn.Linear(784, 256)), ("relu1", nn.ReLU()),
        ("fc2", nn.Linear(256, 128)), ("relu2", nn.ReLU()), ("fc3", nn.Linear(128, 10))]))


MODELS = {"MLP": mlp, "seed CNN": seed_cnn, "LeNet-5": lenet5}


def _steps(name, train, batch):
    """{library: step function} for one case, both from the same weights and data."""
    rng = np.random.default_rng(0)
    if name == "LSTM":
        ref = bench_lstm.Net(torch)
        state = OrderedDict([("lstm." + k, v.detach().numpy().copy())
                             for k, v in ref.lstm.state_dict().items()] +
                            [("fc." + k, v.detach().numpy().copy())
                             for k, v in ref.fc.state_dict().items()])
        x = rng.standard_normal((batch, bench_lstm.SEQ, bench_lstm.INPUT)).astype(np.float32)
        y = rng.integers(0, bench_lstm.CLASSES, batch)
        return {lib.__name__: bench_lstm.make_step(lib, state, x, y) for lib in (ember, torch)}
    build = MODELS[name]
    state = OrderedDict((k, v.detach().numpy().copy())
                        for k, v in build(torch.nn).state_dict().items())
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    return {lib.__name__: _setup(lib, build, state, x, y, train) for lib in (ember, torch)}


CASES = [("MLP", True, 64), ("seed CNN", True, 64), ("LeNet-5", True, 64), ("LSTM", True, 64),
         ("MLP", False, 256), ("seed CNN", False, 256), ("LeNet-5", False, 256)]


def _block(step, n):
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - t0) / n


def table(title, rounds, steps, only=None):
    print("\n%s: torch %d threads, ember %d threads; load average before %.2f %.2f %.2f"
          % ((title, torch.get_num_threads(), ember.get_num_threads()) + os.getloadavg()))
    print("%-24s %14s %14s %8s" % ("case", "ember", "torch", "speed"))
    for name, train, batch in CASES:
        if only and name not in only:
            continue
        fns = _steps(name, train, batch)
        for fn in fns.values():
            _block(fn, 2)
        times = {k: [] for k in fns}
        for _ in range(rounds):
            for k, fn in fns.items():
                time.sleep(0.5)
                times[k].append(_block(fn, steps))
        e, t = (statistics.median(times[k]) for k in ("ember", "torch"))
        print("%-24s %11.2f ms %11.2f ms %7.2fx" % ("%s %s b%d" % (
            name, "train" if train else "infer", batch), e * 1e3, t * 1e3, t / e), flush=True)
    print("(speed = torch time / ember time; above 1 means ember is faster; load average after "
          "%.2f %.2f %.2f)" % os.getloadavg())


_MEMORY_PROBE = """
import sys
sys.path.insert(0, %r)
import bench_speed
step = bench_speed._steps(sys.argv[2], True, 64)[sys.argv[1]]
def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key)) / 1024
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # resets the peak (VmHWM) to the current RSS
before = status("VmRSS")
for _ in range(3):
    step()
print(status("VmHWM") - before)
"""


def memory():
    print("\npeak memory of a training step, batch 64 (MiB above the RSS before the first step)")
    print("%-24s %14s %14s %8s" % ("case", "ember", "torch", "ratio"))
    probe = _MEMORY_PROBE % os.path.dirname(os.path.abspath(__file__))
    for name in ("MLP", "seed CNN", "LeNet-5", "LSTM"):
        mib = {}
        for lib in ("ember", "torch"):
            out = subprocess.run([sys.executable, "-c", probe, lib, name], capture_output=True,
                                 text=True, check=True)
            mib[lib] = float(out.stdout.split()[-1])
        print("%-24s %10.1f MiB %10.1f MiB %7.2fx" % (name + " train b64", mib["ember"],
                                                        mib["torch"], mib["ember"] /
                                                        max(mib["torch"], 1e-9)))
    print("(ratio = ember / torch; the issue's bound is 1.5x)")


def _blas():
    """One line naming the GEMM kernels each library runs (they set the ceiling of every case):
    NumPy's OpenBLAS core (``OPENBLAS_CORETYPE`` forces one) and torch's CPU capability."""
    import ctypes
    import glob

    core = "unknown"
    libdir = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in glob.glob(os.path.join(libdir, "*openblas*")):
        lib = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_corename64_", "openblas_get_corename"):
            fn = getattr(lib, name, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                core = fn().decode()
    forced = os.environ.get("OPENBLAS_CORETYPE")
    cap = torch.backends.cpu.get_cpu_capability()
    return "NumPy OpenBLAS core %s%s; torch CPU capability %s" % (
        core, " (OPENBLAS_CORETYPE=%s)" % forced if forced else "", cap)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="2 rounds of 3 steps (a smoke run)")
    ap.add_argument("--no-memory", dest="memory", action="store_false")
    ap.add_argument("--cases", nargs="+", choices=sorted(set(c[0] for c in CASES)),
                    help="only these models (default: all)")
    args = ap.parse_args()
    rounds, steps = (2, 3) if args.quick else (args.rounds, args.steps)
    print("python bench/bench_speed.py%s" % "".join(" " + a for a in sys.argv[1:]))
    print(_blas())
    print(_common.openblas_setting())
    table("default threads (headline)", rounds, steps, args.cases)
    torch.set_num_threads(1)
    ember.set_num_threads(1)
    table("one thread each", rounds, steps, args.cases)
    if args.memory:
        memory()


if __name__ == "__main__":
    main()
