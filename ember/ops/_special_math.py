"""Host kernels of the special functions, on NumPy arrays: NumPy only, no SciPy.

Each kernel computes in float64 and returns the input's dtype. The methods are the textbook ones:
a power series and a continued fraction for erf/erfc (the incomplete gamma function at a = 1/2),
Halley's iteration on erf/erfc for erfinv, the Taylor series of lgamma about 2 (its coefficients
are values of the Riemann zeta function) with Stirling's series for large arguments, the shift
recurrence and the asymptotic series for digamma, and the Hurwitz zeta function (Euler-Maclaurin)
for polygamma. Accuracy against torch is measured in ``bench/bench_special_math.py``.
"""
import functools
import math

from ember._backend import np

_SQRT_PI = math.sqrt(math.pi)
_EULER_GAMMA = 0.5772156649015329
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
# Bernoulli numbers B_2, B_4, ..., B_20.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)
# 1 / (2n+1)!! for n = 0, 1, ...: the coefficients of erf's power series in 2 x^2.
_DOUBLE_FACTORIAL_RECIPROCALS = tuple(1 / math.prod(range(1, 2 * n + 2, 2)) for n in range(40))


def _float64(a):
    """``a`` as a 1-d float64 array (so boolean-mask assignments work on 0-d inputs too)."""
    return np.asarray(a, dtype=np.float64).reshape(-1)


def _like(res, a):
    """``res`` (computed by ``_float64`` on ``a``) back in ``a``'s shape and dtype."""
    return np.asarray(res).reshape(np.shape(a)).astype(a.dtype, copy=False)


def _exp_neg_square(x):
    """``exp(-x * x)`` without the rounding error of ``x * x`` (which exp would magnify)."""
    hi = np.floor(x * 16.0) / 16.0  # few significant bits: hi * hi is exact
    return np.exp(-hi * hi) * np.exp(-(x - hi) * (x + hi))


def _erf_series(x, terms):
    """erf on ``0 <= x``: ``2x exp(-x^2)/sqrt(pi) * sum (2x^2)^n / (2n+1)!!`` (positive terms,
    no cancellation; 18 terms reach 1 ulp below 0.75, 32 below 2)."""
    two_x2 = 2.0 * x * x
    total = np.full_like(x, _DOUBLE_FACTORIAL_RECIPROCALS[terms - 1])
    for c in _DOUBLE_FACTORIAL_RECIPROCALS[terms - 2::-1]:
        total *= two_x2
        total += c
    return 2.0 / _SQRT_PI * x * np.exp(-x * x) * total


def _erfc_fraction(x, terms):
    """erfc on ``x >= 0.75``: the even continued fraction of the upper incomplete gamma function
    Q(1/2, x^2), ``1 / (b_0 + a_1 / (b_1 + ...))`` with ``b_k = x^2 + 2k + 1/2`` and
    ``a_k = -k (k - 1/2)``, evaluated from the tail (stable) with ``terms`` terms."""
    x = np.minimum(x, 30.0)  # erfc(30) underflows to 0 already
    t = x * x + 0.5
    denominator = t + 2 * terms
    for k in range(terms, 0, -1):
        denominator = (t + 2 * (k - 1)) - k * (k - 0.5) / denominator
    return _exp_neg_square(x) * x / _SQRT_PI / denominator


# Lower ends of |x| and the terms of the continued fraction that reach 1 ulp of erfc from there.
_ERFC_BANDS = ((0.75, 150), (1.25, 60), (2.0, 30), (3.0, 15), (5.0, 10))


def _erf_erfc(a, erfc_accurate):
    """``(erf(|a|), erfc(|a|))`` in float64. erf is accurate to 1 ulp; erfc to 1 ulp of itself
    when ``erfc_accurate``, else only to 1 ulp of 1 (enough for ``erf = 1 - erfc``), which
    lets the cheap power series run further."""
    x = np.abs(_float64(a))
    erf = np.full_like(x, np.nan)
    erfc = np.full_like(x, np.nan)
    split = 0.75 if erfc_accurate else 2.0
    small = x < split
    erf[small] = _erf_series(x[small], 18 if erfc_accurate else 32)
    erfc[small] = 1.0 - erf[small]
    bands = [(lower, terms) for lower, terms in _ERFC_BANDS if lower >= split]
    for (lower, terms), (upper, _) in zip(bands, bands[1:] + [(np.inf, 0)]):
        band = (x >= lower) & (x < upper) | ((upper == np.inf) & (x == np.inf))
        erfc[band] = _erfc_fraction(x[band], terms)
        erf[band] = 1.0 - erfc[band]
    return erf, erfc


def erf(a):
    e, _ = _erf_erfc(a, erfc_accurate=False)
    return _like(np.copysign(e, np.reshape(a, -1)), a)


def erfc(a):
    e, c = _erf_erfc(a, erfc_accurate=True)
    return _like(np.where(np.signbit(np.reshape(a, -1)), 1.0 + e, c), a)


def erfinv(a):
    """The inverse of erf: Winitzki's closed form, then Halley steps on erf (or on erfc near +-1,
    where ``1 - |y|`` is exact)."""
    y = np.abs(_float64(a))
    with np.errstate(divide="ignore", invalid="ignore"):
        # Winitzki's approximation (relative error below 2e-3), written without cancellation.
        k = 0.147
        log_1my2 = np.log1p(-y) + np.log1p(y)
        c = 2 / (math.pi * k) + log_1my2 / 2
        x = np.sqrt((-log_1my2 / k) / (np.sqrt(c * c - log_1my2 / k) + c))
        x = np.where(y < 1e-8, y * (_SQRT_PI / 2), x)
        inner = (y < 1) & (y > 0)
        near_one = y > 0.5
        for _ in range(4):
            e, ec = _erf_erfc(np.where(inner, x, 0.0), erfc_accurate=True)
            f = np.where(near_one, (1.0 - y) - ec, e - y)
            ratio = f / (2 / _SQRT_PI * _exp_neg_square(x))
            x = np.where(inner, x - ratio / (1.0 + x * ratio), x)
        x = np.where(y == 1, np.inf, x)
        x = np.where(y > 1, np.nan, x)
    return _like(np.copysign(x, np.reshape(a, -1)), a)


@functools.cache
def _lgamma_taylor_coefficients():
    """Coefficients of ``lgamma(2 + z) = (1 - gamma) z + sum_k (-1)^k (zeta(k) - 1) / k z^k``
    (|z| < 2), highest power first; ``zeta(k) - 1`` is the Hurwitz zeta function at 2."""
    coefficients = [(-1) ** k * float(_hurwitz_zeta(k, np.array([2.0]))[0]) / k
                    for k in range(60, 1, -1)]
    return coefficients + [1.0 - _EULER_GAMMA, 0.0]


def _lgamma_about_2(z):
    """``lgamma(2 + z)`` for ``|z| <= 1`` (Horner on the Taylor series)."""
    res = np.zeros_like(z)
    for c in _lgamma_taylor_coefficients():
        res = res * z + c
    return res


def _lgamma_positive(x):
    """lgamma for ``x > 0``: the series about 2 on (0, 2.5) (shifted by ``log x`` below 1.5), the
    recurrence down onto [1.5, 2.5) up to 13, Stirling's series above."""
    res = np.empty_like(x)
    low = x < 1.5
    res[low] = _lgamma_about_2(x[low] - 1.0) - np.log(x[low])
    mid = ~low & (x < 13.0)
    xm = x[mid]
    product = np.ones_like(xm)
    for _ in range(11):
        down = xm >= 2.5
        xm = np.where(down, xm - 1.0, xm)
        product = np.where(down, product * xm, product)
    res[mid] = _lgamma_about_2(xm - 2.0) + np.log(product)
    high = x >= 13.0
    xh = x[high]
    inv, inv2 = 1.0 / xh, 1.0 / (xh * xh)
    series = np.zeros_like(xh)
    for k in range(8, 0, -1):
        series = series * inv2 + _BERNOULLI[k - 1] / (2 * k * (2 * k - 1))
    with np.errstate(over="ignore", invalid="ignore"):
        res[high] = (xh - 0.5) * np.log(xh) - xh + _HALF_LOG_2PI + series * inv
        res[high & np.isinf(x)] = np.inf  # inf - inf above
    return res


def _abs_sinpi(x):
    """``|sin(pi x)|`` with the argument reduced exactly (so integers give exactly 0)."""
    r = np.fmod(np.abs(x), 1.0)
    return np.sin(math.pi * np.minimum(r, 1.0 - r))


def gammaln(a):
    """``log|gamma(a)|``; +inf at the poles (0 and the negative integers) and at -inf."""
    x = _float64(a)
    res = np.full_like(x, np.nan)
    pos = x > 0
    res[pos] = _lgamma_positive(x[pos])
    neg = x <= 0
    xn = x[neg]
    with np.errstate(divide="ignore", invalid="ignore"):
        # Reflection: gamma(x) gamma(1 - x) = pi / sin(pi x).
        res[neg] = math.log(math.pi) - np.log(_abs_sinpi(xn)) - _lgamma_positive(1.0 - xn)
    res[neg & ((x == np.floor(x)) | np.isinf(x))] = np.inf
    return _like(res, a)


def _digamma(x):
    """digamma in float64 (the scheme torch uses): reflection below 0, the recurrence up to 10,
    the asymptotic series there; -inf at +0, +inf at -0, NaN at the negative integers."""
    res = np.zeros_like(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        neg = x < 0
        res[neg] = -math.pi / np.tan(math.pi * np.fmod(x[neg], 1.0))
        x = np.where(neg, 1.0 - x, x)
        while np.any(x < 10):
            up = x < 10
            res = np.where(up, res - 1.0 / x, res)
            x = np.where(up, x + 1.0, x)
        inv2 = 1.0 / (x * x)
        series = np.zeros_like(x)
        for k in range(8, 0, -1):
            series = series * inv2 + _BERNOULLI[k - 1] / (2 * k)
        res = res + np.log(x) - 0.5 / x - series * inv2
    return res


def _hurwitz_zeta(s, q):
    """``zeta(s, q) = sum_k (q + k)^-s`` for an integer ``s >= 2`` and float64 ``q``: the first
    terms summed until ``q + k >= 10 + s``, then the Euler-Maclaurin tail; +inf at the
    non-positive integers."""
    q = _float64(q)
    start = 10.0 + s
    total = np.zeros_like(q)
    w = np.where(np.isnan(q) | (q == -np.inf), start, q)  # those are set at the end
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while True:
            up = w < start
            if not up.any():
                break
            total = np.where(up, total + np.power(w, -s), total)
            w = np.where(up, w + 1.0, w)
        power = np.power(w, -float(s))  # w^-s
        tail = np.power(w, 1.0 - s) / (s - 1) + 0.5 * power
        rising = s / 2  # s (s + 1) ... (s + 2j - 2) / (2j)!
        term = power / w  # w^(-s - 2j + 1)
        for j in range(1, len(_BERNOULLI) + 1):
            tail = tail + _BERNOULLI[j - 1] * rising * term
            rising *= (s + 2 * j - 1) * (s + 2 * j) / ((2 * j + 1) * (2 * j + 2))
            term = term / (w * w)
        res = total + tail
    res[np.isnan(q)] = np.nan
    res[(q <= 0) & (q == np.floor(q))] = np.inf
    return res


def polygamma(n, a):
    """The ``n``-th derivative of digamma: digamma for ``n = 0``, else
    ``(-1)^(n+1) n! zeta(n + 1, a)``."""
    x = _float64(a)
    if n == 0:
        res = _digamma(x)
        res = np.where(x == 0, np.where(np.signbit(x), np.inf, -np.inf), res)
        res = np.where((x < 0) & (x == np.floor(x)), np.nan, res)
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            factorial = math.factorial(n) if n <= 170 else math.inf
            res = (-1.0) ** (n + 1) * factorial * _hurwitz_zeta(n + 1, x)
        if n == 1:
            res[x == -np.inf] = np.nan
        else:
            res[x == np.inf] = np.nan  # as torch (the limit is 0; torch computes inf * 0)
    return _like(res, a)
