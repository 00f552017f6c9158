"""In-process A/B of one of ember's module constants on bench_speed's cases.

On a noisy machine two separate runs of ``bench_speed.py`` can differ by 1.5x, which hides a
kernel change of 10-30%. This script keeps everything in one process and alternates the two
values of a constant (a threshold, a switch) between interleaved rounds of ember's steps, so
both values see the same machine; it prints the median time per step of each. Only ember runs.

Run: python bench/bench_ab.py MODULE ATTR VALUE_A VALUE_B [--threads 2] [--rounds 9]
                              [--cases "LeNet-5 train 64" "LSTM train 64" ...]
Example: python bench/bench_ab.py ember.ops.nn.pooling _SPLIT_BYTES "1<<17" "1<<40"
(values are Python expressions; ATTR may be dotted, e.g. ``_RowGrads._BLOCKS``)
"""
import argparse
import ast
import importlib
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_speed  # noqa: E402

import ember  # noqa: E402


def _value(text):
    """A Python expression of literals and arithmetic (``1<<17``, ``False``, ``0.002``)."""
    tree = ast.parse(text, mode="eval")
    allowed = (ast.Expression, ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator,
               ast.unaryop, ast.Tuple, ast.Load)
    if not all(isinstance(node, allowed) for node in ast.walk(tree)):
        raise SystemExit("values are literals and arithmetic, got %r" % text)
    return eval(compile(tree, "<value>", "eval"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("module")
    ap.add_argument("attr")
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--cases", nargs="+", default=["LeNet-5 train 64", "seed CNN train 64",
                                                   "LSTM train 64", "LeNet-5 infer 256"])
    args = ap.parse_args()
    print("python bench/bench_ab.py %s" % " ".join(sys.argv[1:]))
    print("ember %d threads; load average %.2f %.2f %.2f" % ((args.threads,) + os.getloadavg()))
    ember.set_num_threads(args.threads)
    owner = importlib.import_module(args.module)
    *path, name = args.attr.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, name)
    values = {args.a: _value(args.a), args.b: _value(args.b)}
    try:
        for case in args.cases:
            model, mode, batch = case.rsplit(" ", 2)
            step = bench_speed._steps(model, mode == "train", int(batch))["ember"]
            times = {k: [] for k in values}
            for _ in range(args.rounds):
                for k, v in values.items():
                    setattr(owner, name, v)
                    step()
                    step()
                    t0 = time.perf_counter()
                    for _ in range(args.steps):
                        step()
                    times[k].append((time.perf_counter() - t0) / args.steps * 1e3)
            print("%-20s " % case + "   ".join("%s=%s %.2f ms" % (name, k, statistics.median(v))
                                              for k, v in times.items()), flush=True)
    finally:
        setattr(owner, name, original)


if __name__ == "__main__":
    main()
