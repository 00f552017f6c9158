"""Accuracy and speed of ember's NumPy special-function kernels (``ember/ops/_special_math.py``).

Accuracy: the largest relative error of ember and of torch (float64) against mpmath at 40 digits
(mpmath comes with torch, through sympy), on random arguments spread over each function's range.
Speed: CPU time per call on 100,000 float64 elements, ember kernel vs torch, 1 thread.

Run: ``python bench/bench_special_math.py [--quick]``.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import compare, parse_args, report, setup_threads  # noqa: E402


def _relative_error(values, reference):
    finite = np.isfinite(reference)
    same = (values == reference) | (np.isnan(values) & np.isnan(reference))
    error = np.abs(values - reference) / np.maximum(np.abs(reference), 1e-300)
    return float(np.max(np.where(finite, error, np.where(same, 0.0, np.inf))))


def main():
    args = parse_args(__doc__.splitlines()[0])
    import mpmath
    import torch

    from ember.ops import _special_math as S

    setup_threads(args.threads)
    mpmath.mp.dps = 40
    rng = np.random.default_rng(0)
    n = 200 if args.quick else 2000
    wide = np.concatenate([rng.uniform(-6, 6, n), 10 ** rng.uniform(-300, 1.4, n // 4)])
    unit = np.concatenate([rng.uniform(-1, 1, n), 1 - 10 ** rng.uniform(-16, -1, n // 4)])
    positive = np.concatenate([rng.uniform(0, 30, n), 10 ** rng.uniform(-300, 300, n // 4)])
    negative = rng.uniform(-20, 0, n // 4)
    cases = [
        ("erf", S.erf, torch.erf, mpmath.erf, wide),
        ("erfc", S.erfc, torch.erfc, mpmath.erfc, wide),
        ("erfinv", S.erfinv, torch.erfinv, mpmath.erfinv, unit),
        ("lgamma x>0", S.gammaln, torch.lgamma, mpmath.loggamma, positive),
        ("lgamma x<0", S.gammaln, torch.lgamma, lambda v: mpmath.re(mpmath.loggamma(v)),
         negative),
        ("digamma", lambda a: S.polygamma(0, a), torch.digamma, mpmath.digamma, positive),
    ]
    for k in (1, 2, 3, 10):
        cases.append(("polygamma(%d)" % k, lambda a, k=k: S.polygamma(k, a),
                      lambda t, k=k: torch.polygamma(k, t),
                      lambda v, k=k: mpmath.polygamma(k, v), positive[positive < 1e100]))
    print("%-16s %16s %16s" % ("function", "ember vs mpmath", "torch vs mpmath"))
    for name, ours, theirs, exact, x in cases:
        reference = np.array([float(exact(mpmath.mpf(float(v)))) for v in x])
        print("%-16s %16.2e %16.2e" % (name, _relative_error(ours(x), reference),
                                       _relative_error(theirs(torch.from_numpy(x)).numpy(),
                                                       reference)))
    big = rng.standard_normal(100_000)
    big_t = torch.from_numpy(big)
    timed = [("%s (1e5 float64)" % name, lambda f=ours: f(big), lambda f=theirs: f(big_t))
             for name, ours, theirs, _, _ in cases[:6]]
    report(compare(timed, rounds=1 if args.quick else args.rounds), unit="ms")


if __name__ == "__main__":
    main()
