"""The main job end to end: ``ember train`` against the same program written for torch.

Both are whole processes started the same way (``python -m ember train`` and
``python bench/_mnist_torch.py``), at their default thread counts, with the same initial weights
and the same sample order in every epoch (so they reach the same test accuracy), on the MNIST in
``--data`` or else the 5,000-digit sample shipped with ember. Rounds alternate between the two
with a pause; the median wall time from start to exit is reported, and the time until each run
first reached the accuracy both runs reach (read from the per-epoch lines as they are printed).
``ember train`` also draws curves.png after every epoch and predictions.png at the end, which
the torch program does not: the comparison leans towards torch.

Run: python bench/bench_train.py [--model net] [--epochs 6] [--rounds 3] [--data DIR]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_ACC = re.compile(r"test acc\s+([0-9.]+)%")


def _timed_run(cmd, env):
    """(seconds to exit, [(seconds, test accuracy %) per epoch line], output)."""
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    epochs, lines = [], []
    for line in proc.stdout:
        lines.append(line)
        m = _ACC.search(line)
        if m and line.lstrip().startswith("epoch"):
            epochs.append((time.perf_counter() - began, float(m.group(1))))
    proc.wait()
    total = time.perf_counter() - began
    if proc.returncode != 0:
        raise SystemExit("%s failed:\n%s" % (" ".join(cmd), "".join(lines)))
    return total, epochs, "".join(lines)


def _prepare(args, folder):
    """Write the initial weights and epoch orders ``ember train`` will use; return the data
    folder both programs read (the raw MNIST files)."""
    import numpy as np

    import ember
    from ember.cli.data import open_mnist
    from ember.cli.models import build_model
    from ember.cli.train import _epoch_order

    train_set, _, source = open_mnist(args.data or os.path.join(folder, "none"),
                                      download=False, sample=args.data is None,
                                      announce=lambda line: None)
    if source == "sample":
        import ember.vision.datasets as datasets

        raw = os.path.join(os.path.dirname(datasets.__file__), "_sample")
    else:
        raw = os.path.join(args.data, "MNIST", "raw")
    ember.manual_seed(0)
    model = build_model(args.model)
    arrays = {"state." + k: v.numpy() for k, v in model.state_dict().items()}
    for epoch in range(1, args.epochs + 1):
        arrays["order%d" % epoch] = np.array(_epoch_order(len(train_set), 0, epoch))
    np.savez(os.path.join(folder, "init.npz"), **arrays)
    return raw, source


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="net", choices=("net", "lenet5", "mlp"))
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--data", default=None, help="folder holding MNIST/raw (default: the sample)")
    args = ap.parse_args()
    print("python bench/bench_train.py%s" % "".join(" " + a for a in sys.argv[1:]), flush=True)
    sys.path.insert(0, HERE)
    import _common

    print(_common.openblas_setting(), flush=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (os.path.dirname(HERE),
                                                     env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory() as folder:
        raw, source = _prepare(args, folder)
        ember_cmd = [sys.executable, "-m", "ember", "train", "--model", args.model, "--epochs",
                     str(args.epochs), "--no-progress", "--out", os.path.join(folder, "e")]
        ember_cmd += ["--sample"] if source == "sample" else ["--data", args.data]
        torch_cmd = [sys.executable, os.path.join(HERE, "_mnist_torch.py"), "--data", raw,
                     "--init", os.path.join(folder, "init.npz"), "--model", args.model,
                     "--epochs", str(args.epochs), "--out", os.path.join(folder, "t")]
        runs = {"ember": [], "torch": []}
        for _ in range(args.rounds):
            for name, cmd in (("ember", ember_cmd), ("torch", torch_cmd)):
                runs[name].append(_timed_run(cmd, env))
                time.sleep(1.0)
    final = {k: v[-1][1][-1][1] for k, v in runs.items()}
    target = min(final.values())
    print("ember train --model %s, %d epochs on %s, default threads, %d rounds (median); load "
          "average %.2f %.2f %.2f" % ((args.model, args.epochs, "the 5,000-digit sample"
                                       if source == "sample" else "MNIST", args.rounds)
                                      + os.getloadavg()))
    print("%-8s %12s %22s %14s" % ("", "wall to exit", "to %.2f%% test acc" % target,
                                   "final test acc"))
    summary = {}
    for name, rs in runs.items():
        total = statistics.median(r[0] for r in rs)
        to_target = statistics.median(next(t for t, acc in r[1] if acc >= target) for r in rs)
        summary[name] = (total, to_target)
        print("%-8s %11.1fs %21.1fs %13.2f%%" % (name, total, to_target, final[name]))
    print("ember / torch speed (torch time / ember time): %.2fx to exit, %.2fx to the accuracy"
          % (summary["torch"][0] / summary["ember"][0],
             summary["torch"][1] / summary["ember"][1]))


if __name__ == "__main__":
    main()
