"""The NumPy kernels of ``torch.special``'s functions (``ember/ops/_special_math.py``) against
torch in float64 over wide ranges: 0, -0, +-inf, NaN, tiny and huge arguments, negatives; and,
where torch's own float64 kernels are only accurate to about 1e-6 (J_n, Y_n, Ai, gammainc for
large a), against mpmath (a dependency of torch) at sample points."""
import mpmath
import numpy as np
import pytest
import torch

from ember.ops import _special_math as S
from tests.ops.test_special_math import _finite_or_equal

_RNG = np.random.default_rng(1)
_SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -0.5, 1e-310, -1e-310, 1e-20,
            -1e-20, 30.0, -30.0, 700.0, -700.0, 1e300, -1e300]


def _wide():
    huge = 10 ** _RNG.uniform(-300, 300, 300)
    return np.concatenate([_RNG.uniform(-40, 40, 3000), _RNG.uniform(-2, 2, 500), huge, -huge,
                           _SPECIAL])


def _unit():
    return np.concatenate([_RNG.uniform(0, 1, 2000), 10 ** _RNG.uniform(-320, -1, 300),
                           1 - 10 ** _RNG.uniform(-16, -1, 300), [0.0, 1.0, 0.5, -0.5, 1.5,
                                                                  np.nan, np.inf, -np.inf]])


def _ndtr_reference(t):
    # torch's ndtr is 0.5 (1 + erf(x / sqrt 2)): in the lower tail it only has absolute accuracy
    # (ember's is relative there); the comparison below allows for that with atol.
    return torch.special.ndtr(t)


# name, ember kernel, torch function, inputs, rtol, atol
CASES = [
    ("erfcx", S.erfcx, torch.special.erfcx, _wide(), 4e-15, 0),
    ("log_ndtr", S.log_ndtr, torch.special.log_ndtr, _wide(), 4e-15, 1e-300),
    ("ndtr", S.ndtr, _ndtr_reference, _wide(), 4e-15, 2e-16),
    ("ndtri", S.ndtri, torch.special.ndtri, _unit(), 1e-12, 0),
    ("i0", S.i0, torch.special.i0, _wide(), 1e-14, 0),
    ("i0e", S.i0e, torch.special.i0e, _wide(), 1e-14, 0),
    ("i1", S.i1, torch.special.i1, _wide(), 1e-14, 0),
    ("i1e", S.i1e, torch.special.i1e, _wide(), 1e-14, 0),
    ("modified_bessel_k0", S.modified_bessel_k0, torch.special.modified_bessel_k0, _wide(),
     2e-14, 0),
    ("modified_bessel_k1", S.modified_bessel_k1, torch.special.modified_bessel_k1, _wide(),
     2e-14, 0),
    ("scaled_modified_bessel_k0", S.scaled_modified_bessel_k0,
     torch.special.scaled_modified_bessel_k0, _wide(), 2e-14, 0),
    ("scaled_modified_bessel_k1", S.scaled_modified_bessel_k1,
     torch.special.scaled_modified_bessel_k1, _wide(), 2e-14, 0),
    ("modified_bessel_i0", S.i0, torch.special.modified_bessel_i0, _wide(), 1e-14, 0),
    ("spherical_bessel_j0", S.spherical_bessel_j0, torch.special.spherical_bessel_j0, _wide(),
     1e-14, 1e-300),
    # torch's float64 J, Y and Ai are accurate to ~1e-6 only (mpmath below checks ember's)
    ("bessel_j0", S.bessel_j0, torch.special.bessel_j0, _wide(), 1e-6, 1e-6),
    ("bessel_j1", S.bessel_j1, torch.special.bessel_j1, _wide(), 1e-6, 1e-6),
    ("bessel_y0", S.bessel_y0, torch.special.bessel_y0, _wide(), 1e-6, 1e-6),
    ("bessel_y1", S.bessel_y1, torch.special.bessel_y1, _wide(), 1e-6, 1e-6),
    ("airy_ai", S.airy_ai, torch.special.airy_ai, np.concatenate([_RNG.uniform(-40, 40, 2000),
                                                                  _SPECIAL]), 1e-6, 3e-6),
]


@pytest.mark.parametrize("name, kernel, torch_fn, x, rtol, atol", CASES, ids=[c[0] for c in CASES])
def test_float64_matches_torch(name, kernel, torch_fn, x, rtol, atol):
    if name in ("bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "airy_ai"):
        x = x[np.abs(x) < 1e6]  # there both reduce huge arguments with their own rounding
    with np.errstate(all="ignore"):
        ours = kernel(x)
    theirs = torch_fn(torch.from_numpy(x)).numpy()
    assert ours.dtype == np.float64
    bad = _finite_or_equal(ours, theirs, rtol, atol)
    assert not bad.any(), "%s differs at %s: ember %s, torch %s" % (
        name, x[bad][:5], ours[bad][:5], theirs[bad][:5])


def test_ndtr_is_accurate_in_the_lower_tail():
    # exp(-x^2/2) / (-x sqrt(2 pi)) (1 - 1/x^2 + 3/x^4) is within 1e-6 relative at x = -30
    x = np.array([-30.0])
    approx = np.exp(-450.0) / (30.0 * np.sqrt(2 * np.pi)) * (1 - 1 / 900 + 3 / 810000)
    np.testing.assert_allclose(S.ndtr(x), approx, rtol=1e-6)
    np.testing.assert_allclose(S.ndtri(S.ndtr(x)), x, rtol=1e-13)


_POINTS = np.concatenate([np.random.default_rng(2).uniform(0, 60, 40),
                          10 ** np.random.default_rng(3).uniform(-5, 3, 20), [2.0, 25.0, 25.5]])


@pytest.mark.parametrize("name, kernel, reference, points, tol", [
    ("bessel_j0", S.bessel_j0, lambda x: mpmath.besselj(0, x), _POINTS, 2e-15),
    ("bessel_j1", S.bessel_j1, lambda x: mpmath.besselj(1, x), -_POINTS, 2e-15),
    ("bessel_y0", S.bessel_y0, lambda x: mpmath.bessely(0, x), _POINTS, 2e-15),
    ("bessel_y1", S.bessel_y1, lambda x: mpmath.bessely(1, x), _POINTS, 2e-15),
    ("airy_ai", S.airy_ai, mpmath.airyai, np.concatenate([_POINTS[:40] - 30, [-3.0, 2.0, 2.5]]),
     1e-13),
])
def test_bessel_and_airy_against_mpmath(name, kernel, reference, points, tol):
    ours = kernel(points)
    exact = np.array([float(reference(p)) for p in points])
    # absolute error against the size of the oscillation's envelope (values cross zero)
    envelope = np.maximum(1.0, np.abs(exact)) if name != "airy_ai" else np.where(
        points < 0, np.abs(points) ** -0.25, np.maximum(np.abs(exact), 1e-300))
    assert np.all(np.abs(ours - exact) <= tol * envelope), name


def test_incomplete_gamma_and_zeta_against_mpmath():
    rng = np.random.default_rng(4)
    a, x = rng.uniform(0.1, 60, 40), rng.uniform(0.01, 80, 40)
    exact = np.array([float(mpmath.gammainc(ai, 0, xi, regularized=True)) for ai, xi in zip(a, x)])
    np.testing.assert_allclose(S.gammainc(a, x), exact, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(S.gammainc(a, x, upper=True), 1 - exact, rtol=1e-12, atol=1e-15)
    s, q = rng.uniform(1.1, 30, 30), rng.uniform(0.05, 50, 30)
    with mpmath.workdps(40):  # its Hurwitz zeta loses digits at the default 15
        exact = np.array([float(mpmath.zeta(si, qi)) for si, qi in zip(s, q)])
    np.testing.assert_allclose(S.zeta(s, q), exact, rtol=1e-12)  # w^-s: s times the rounding


def test_incomplete_gamma_and_zeta_edges_as_torch():
    inf, nan = np.inf, np.nan
    a = np.array([0.0, 0.0, 1.0, 1.0, -1.0, 1.0, inf, inf, 2.0, nan, 0.5])
    x = np.array([0.0, 1.0, 0.0, -1.0, 1.0, inf, 1.0, inf, inf, 1.0, 1e-300])
    for upper, fn in ((False, torch.special.gammainc), (True, torch.special.gammaincc)):
        theirs = fn(torch.from_numpy(a), torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(S.gammainc(a, x, upper), theirs, rtol=1e-14)
    s = np.array([1.0, 0.5, 2.0, 2.0, 2.0, 3.0, 2.0, inf, 2.0, nan, 2.0, 1.5])
    q = np.array([1.0, 1.0, 0.0, -1.0, -1.5, -1.5, inf, 2.0, 1e-300, 1.0, nan, 1e9])
    theirs = torch.special.zeta(torch.from_numpy(s), torch.from_numpy(q)).numpy()
    np.testing.assert_allclose(S.zeta(s, q), theirs, rtol=1e-14)
