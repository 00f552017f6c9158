"""Lines per file of the ember package, and the files over budget.

Run: ``python tools/line_budget.py [--all]``. Exits 1 when a file in ``ember/`` has more than
``BUDGET`` lines and is not in ``LISTED`` (with the reason it may stay whole); ``--all`` prints
every file, not only the largest.
"""
import os
import sys

BUDGET = 800
ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ember")

# Files allowed over the budget, each with its reason.
LISTED = {
    "optim/lr_scheduler.py": "every scheduler in one file, as torch's lr_scheduler.py",
    "distributions/transforms.py": "every transform in one file, as torch's "
                                   "distributions/transforms.py",
}


def count(root=ROOT):
    """``{relative path: lines}`` for every .py file under ``root``."""
    sizes = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8") as f:
                    sizes[os.path.relpath(path, root).replace(os.sep, "/")] = sum(1 for _ in f)
    return sizes


def over_budget(sizes):
    """The files over ``BUDGET`` lines that ``LISTED`` does not name."""
    return sorted(p for p, n in sizes.items() if n > BUDGET and p not in LISTED)


def main(argv):
    sizes = count()
    shown = sorted(sizes.items(), key=lambda kv: -kv[1])
    for path, n in shown if "--all" in argv else shown[:15]:
        mark = " (listed: %s)" % LISTED[path] if path in LISTED and n > BUDGET else ""
        print("%6d  ember/%s%s" % (n, path, mark))
    print("%6d  total in %d files" % (sum(sizes.values()), len(sizes)))
    bad = over_budget(sizes)
    for path in bad:
        print("over budget: ember/%s has %d lines (> %d); split it or list it with a reason"
              % (path, sizes[path], BUDGET))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
