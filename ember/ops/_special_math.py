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
    if getattr(a, "dtype", None) is not None and a.dtype.kind == "c":
        raise NotImplementedError("ember's special functions have no complex kernels (torch's "
                                  "raise NotImplementedError too)")
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


def _euler_maclaurin_zeta(s, w, start):
    """``sum_k (w + k)^-s``: the terms summed until ``w + k >= start``, then the Euler-Maclaurin
    tail with ten Bernoulli terms (``s`` a number or an array like ``w``)."""
    total = np.zeros_like(w)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while True:
            up = w < start
            if not up.any():
                break
            total = np.where(up, total + np.power(w, -s), total)
            w = np.where(up, w + 1.0, w)
        power = np.power(w, -np.asarray(s, np.float64))  # w^-s
        tail = np.power(w, 1.0 - s) / (s - 1) + 0.5 * power
        rising = s / 2  # s (s + 1) ... (s + 2j - 2) / (2j)!
        term = power / w  # w^(-s - 2j + 1)
        for j in range(1, len(_BERNOULLI) + 1):
            tail = tail + _BERNOULLI[j - 1] * rising * term
            rising = rising * (s + 2 * j - 1) * (s + 2 * j) / ((2 * j + 1) * (2 * j + 2))
            term = term / (w * w)
        return total + tail


def _hurwitz_zeta(s, q):
    """``zeta(s, q) = sum_k (q + k)^-s`` for an integer ``s >= 2`` and float64 ``q``: the first
    terms summed until ``q + k >= 10 + s``, then the Euler-Maclaurin tail; +inf at the
    non-positive integers."""
    q = _float64(q)
    start = 10.0 + s
    w = np.where(np.isnan(q) | (q == -np.inf), start, q)  # those are set at the end
    res = _euler_maclaurin_zeta(s, w, start)
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


def _erfcx_positive(x):
    """``exp(x^2) erfc(x)`` for ``x >= 0`` in float64: the product below 0.75, there the
    continued fraction of erfc without its ``exp(-x^2)`` factor, and ``1 / (x sqrt(pi))``'s
    asymptotic series above 1e7 (where ``x^2`` of the fraction would lose range)."""
    res = np.empty_like(x)
    small = x < 0.75
    _, c = _erf_erfc(x[small], erfc_accurate=True)
    res[small] = np.exp(x[small] ** 2) * c
    bands = [(lower, terms) for lower, terms in _ERFC_BANDS] + [(1e7, 0)]
    for (lower, terms), (upper, _) in zip(bands[:-1], bands[1:]):
        band = (x >= lower) & (x < upper)
        xb = x[band]
        t = xb * xb + 0.5
        denominator = t + 2 * terms
        for k in range(terms, 0, -1):
            denominator = (t + 2 * (k - 1)) - k * (k - 0.5) / denominator
        res[band] = xb / _SQRT_PI / denominator
    large = x >= 1e7
    with np.errstate(divide="ignore"):
        res[large] = (1.0 - 0.5 / (x[large] * x[large])) / (x[large] * _SQRT_PI)
    return res


def erfcx(a):
    """The scaled complementary error function ``exp(x^2) erfc(x)`` (inf below about -26.6)."""
    x = _float64(a)
    ax = np.abs(x)
    res = _erfcx_positive(np.where(np.isnan(ax), 0.0, ax))
    with np.errstate(over="ignore"):
        res = np.where(x < 0, 2.0 * np.exp(x * x) - res, res)
    res[np.isnan(x)] = np.nan
    return _like(res, a)


_SQRT_HALF = math.sqrt(0.5)


def _log_ndtr(x):
    """``log(ndtr(x))`` in float64: ``log1p(-erfc(x / sqrt 2) / 2)`` above -1, below it
    ``log(erfcx(-x / sqrt 2) / 2) - x^2 / 2`` (no underflow down to -1e154)."""
    res = np.empty_like(x)
    upper = x > -1
    _, c = _erf_erfc(x[upper] * _SQRT_HALF, erfc_accurate=True)
    c = np.where(x[upper] < 0, 2.0 - c, c)
    res[upper] = np.log1p(-0.5 * c)
    xl = x[~upper]
    with np.errstate(over="ignore", invalid="ignore"):
        res[~upper] = np.log(0.5 * _erfcx_positive(-xl * _SQRT_HALF)) - 0.5 * xl * xl
    res[np.isnan(x)] = np.nan
    return res


def log_ndtr(a):
    """The log of the standard normal CDF."""
    return _like(_log_ndtr(_float64(a)), a)


def ndtr(a):
    """The standard normal CDF ``(1 + erf(x / sqrt 2)) / 2``, as ``erfc(-x / sqrt 2) / 2``
    (relatively accurate in the lower tail)."""
    x = _float64(a) * _SQRT_HALF
    e, c = _erf_erfc(x, erfc_accurate=True)
    return _like(np.where(x < 0, 0.5 * c, 0.5 + 0.5 * e), a)


_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def ndtri(a):
    """The inverse of :func:`ndtr`: a rational first guess (Abramowitz and Stegun 26.2.23,
    absolute error below 4.5e-4), then Newton steps on ``log(ndtr(x)) = log(q)`` in the lower
    half (``q = min(p, 1 - p)``, exact there), mirrored for ``p > 1/2``."""
    p = _float64(a)
    q = np.minimum(p, 1.0 - p)
    inner = (q > 0) & ~np.isnan(q)
    qi = np.where(inner, q, 0.5)
    t = np.sqrt(-2.0 * np.log(qi))
    x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
          / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3))
    log_q = np.log(qi)
    for _ in range(5):
        log_cdf = _log_ndtr(x)
        # d log(ndtr(x)) / dx = pdf(x) / ndtr(x)
        slope = np.exp(-0.5 * x * x - _LOG_SQRT_2PI - log_cdf)
        x = x - (log_cdf - log_q) / slope
    x = np.where(qi == 0.5, 0.0, x)
    res = np.where(p > 0.5, -x, x)
    res = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, res))
    res[(p < 0) | (p > 1) | np.isnan(p)] = np.nan
    return _like(res, a)


def _bessel_i_scaled(x, order):
    """``exp(-x) I_order(x)`` for ``x >= 0`` (order 0 or 1) in float64: the power series (all
    terms positive) up to 30, the asymptotic series ``sum (-1)^k a_k(order) / x^k /
    sqrt(2 pi x)`` above."""
    res = np.empty_like(x)
    small = x <= 30
    xs = x[small]
    quarter = 0.25 * xs * xs
    term = np.ones_like(xs) if order == 0 else 0.5 * xs
    total = term.copy()
    for k in range(1, 100):
        term = term * quarter / (k * (k + order))
        total += term
    res[small] = total * np.exp(-xs)
    xl = x[~small]
    mu = 4.0 * order * order
    term = np.ones_like(xl)
    total = term.copy()
    for k in range(1, 30):
        term = term * -(mu - (2 * k - 1) ** 2) / (8.0 * k * xl)
        total += term
    with np.errstate(divide="ignore", invalid="ignore"):
        res[~small] = total / np.sqrt(2 * math.pi * xl)
    res[np.isinf(x)] = 0.0
    return res


def i0e(a):
    """``exp(-|x|) I_0(x)``."""
    x = _float64(a)
    return _like(_bessel_i_scaled(np.abs(x), 0), a)


def i0(a):
    """The modified Bessel function of the first kind of order 0."""
    x = np.abs(_float64(a))
    with np.errstate(over="ignore", invalid="ignore"):
        res = _bessel_i_scaled(x, 0) * np.exp(x)
    res[x == np.inf] = np.nan  # as torch (its kernel computes inf * 0 there)
    return _like(res, a)


def i1e(a):
    """``exp(-|x|) I_1(x)`` (odd)."""
    x = _float64(a)
    return _like(np.copysign(_bessel_i_scaled(np.abs(x), 1), x), a)


def i1(a):
    """The modified Bessel function of the first kind of order 1 (odd)."""
    x = _float64(a)
    ax = np.abs(x)
    with np.errstate(over="ignore", invalid="ignore"):
        res = _bessel_i_scaled(ax, 1) * np.exp(ax)
    res[ax == np.inf] = np.nan  # as torch
    return _like(np.copysign(res, x), a)


def _bessel_k_scaled(x, order):
    """``exp(x) K_order(x)`` for ``x > 0`` (order 0 or 1) in float64: the power series about 0
    up to 2 (A&S 9.6.11); up to 30 the integral ``int_0^inf exp(-x (cosh t - 1)) cosh(order t)
    dt`` by the trapezoidal rule (its integrand is analytic and decays doubly exponentially, so
    the rule converges geometrically: 151 nodes on [0, 6] reach 1 ulp); above 30 the asymptotic
    series ``sqrt(pi / 2x) sum a_k(order) / x^k``."""
    res = np.empty_like(x)
    small = x <= 2
    xs = x[small]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_half = np.log(0.5 * xs)
        i_scaled = _bessel_i_scaled(xs, order) * np.exp(xs)  # I_order(x) (no overflow: x <= 2)
        quarter = 0.25 * xs * xs
        if order == 0:
            term = np.ones_like(xs)
            harmonic = 0.0
            total = np.zeros_like(xs)
            for k in range(1, 30):
                term = term * quarter / (k * k)
                harmonic += 1.0 / k
                total += harmonic * term
            k_value = -(log_half + _EULER_GAMMA) * i_scaled + total
        else:
            term = np.ones_like(xs)  # (x^2/4)^k / (k! (k+1)!)
            psi_sum = 2 * -_EULER_GAMMA + 1.0  # psi(1) + psi(2)
            total = psi_sum * term
            for k in range(1, 30):
                term = term * quarter / (k * (k + 1))
                psi_sum += 1.0 / k + 1.0 / (k + 1)
                total += psi_sum * term
            k_value = 1.0 / xs + log_half * i_scaled - 0.25 * xs * total
        res[small] = k_value * np.exp(xs)
    middle = ~small & (x <= 30)
    xm = x[middle][:, None]
    t = np.linspace(0.0, 6.0, 151)
    with np.errstate(over="ignore", invalid="ignore"):
        values = np.exp(-xm * (np.cosh(t) - 1.0)) * np.cosh(order * t)
    res[middle] = (t[1] - t[0]) * (values.sum(-1) - 0.5 * values[:, 0])
    large = x > 30
    xl = x[large]
    mu = 4.0 * order * order
    term = np.ones_like(xl)
    total = term.copy()
    for k in range(1, 30):
        term = term * (mu - (2 * k - 1) ** 2) / (8.0 * k * xl)
        total += term
    res[large] = total * np.sqrt(math.pi / (2 * xl))
    return res


def _bessel_k(a, order, scaled):
    x = _float64(a)
    res = np.full_like(x, np.nan)
    pos = x > 0
    with np.errstate(over="ignore", invalid="ignore"):
        values = _bessel_k_scaled(np.where(pos & np.isfinite(x), x, 1.0)[pos], order)
        res[pos] = values if scaled else values * np.exp(-x[pos])
    res[x == 0] = np.inf
    res[x == np.inf] = 0.0
    return _like(res, a)


def modified_bessel_k0(a):
    """The modified Bessel function of the second kind of order 0 (NaN below 0, inf at 0)."""
    return _bessel_k(a, 0, False)


def modified_bessel_k1(a):
    """The modified Bessel function of the second kind of order 1 (NaN below 0, inf at 0)."""
    return _bessel_k(a, 1, False)


def scaled_modified_bessel_k0(a):
    """``exp(x) K_0(x)``."""
    return _bessel_k(a, 0, True)


def scaled_modified_bessel_k1(a):
    """``exp(x) K_1(x)``."""
    return _bessel_k(a, 1, True)


def spherical_bessel_j0(a):
    """``sin(x) / x`` (1 at 0, 0 at +-inf)."""
    x = _float64(a)
    with np.errstate(invalid="ignore", divide="ignore"):
        res = np.where(x == 0, 1.0, np.sin(x) / np.where(x == 0, 1.0, x))
    res = np.where(np.isinf(x), 0.0, res)
    return _like(res, a)


# Bessel functions J_n, Y_n of orders 0 and 1. Up to |x| = 25, J_n(x) for n = 0..64 come from the
# trapezoidal rule on J_n(x) = (1 / 2 pi) int_0^{2 pi} cos(n t - x sin t) dt (a periodic
# analytic integrand: 160 nodes leave aliasing terms J_{160 - n}(x) below 1e-19), and Y_0, Y_1
# from Neumann's series in those J_n; above 25, Hankel's asymptotic expansions.
_TRAPEZOID_NODES = np.linspace(0.0, 2 * math.pi, 160, endpoint=False)
_ORDERS = np.arange(65)
_COS_NT = np.cos(np.outer(_TRAPEZOID_NODES, _ORDERS)) / 160
_SIN_NT = np.sin(np.outer(_TRAPEZOID_NODES, _ORDERS)) / 160


def _bessel_j_orders(x):
    """J_n(x) for n = 0..64 (shape ``x.shape + (65,)``), for ``|x| <= 25``."""
    phase = x[:, None] * np.sin(_TRAPEZOID_NODES)
    return np.cos(phase) @ _COS_NT + np.sin(phase) @ _SIN_NT


def _hankel_pq(x, order):
    """Hankel's P and Q series (24 terms) of order ``order`` at large ``x``."""
    mu = 4.0 * order * order
    term = np.ones_like(x)
    p, q = term.copy(), np.zeros_like(x)
    for k in range(1, 25):
        term = term * (mu - (2 * k - 1) ** 2) / (8.0 * k * x)
        sign = -1.0 if (k // 2) % 2 else 1.0
        if k % 2:
            q = q + sign * term
        else:
            p = p + sign * term
    return p, q


def _hankel(x, order):
    """(J_order(x), Y_order(x)) for ``x > 25`` by Hankel's expansions."""
    p, q = _hankel_pq(x, order)
    c, s = np.cos(x), np.sin(x)
    root = math.sqrt(0.5)
    # chi = x - (order / 2 + 1 / 4) pi, without rounding x - chi's constant
    if order == 0:
        cos_chi, sin_chi = root * (c + s), root * (s - c)
    else:
        cos_chi, sin_chi = root * (s - c), -root * (s + c)
    scale = np.sqrt(2.0 / (math.pi * x))
    return scale * (p * cos_chi - q * sin_chi), scale * (p * sin_chi + q * cos_chi)


def _bessel(a, order, kind):
    x = _float64(a)
    ax = np.abs(x)
    res = np.full_like(x, np.nan)
    small = ax <= 25
    xs = ax[small]
    if xs.size:
        jn = _bessel_j_orders(xs)
        if kind == "j":
            res[small] = jn[:, order]
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                log_term = np.log(0.5 * xs) + _EULER_GAMMA
                k = np.arange(1, 32)
                signs = (-1.0) ** k
                if order == 0:
                    series = (jn[:, 2 * k] * (signs / k)).sum(-1)
                    value = (2 / math.pi) * log_term * jn[:, 0] - (4 / math.pi) * series
                else:
                    series = ((jn[:, 2 * k - 1] - jn[:, 2 * k + 1]) * (signs / k)).sum(-1)
                    value = (2 / math.pi) * (log_term * jn[:, 1] - jn[:, 0] / xs) \
                        + (2 / math.pi) * series
            res[small] = value
    large = (ax > 25) & np.isfinite(ax)
    j, y = _hankel(ax[large], order)
    res[large] = j if kind == "j" else y
    res[np.isinf(ax)] = np.nan  # as torch (the limit is 0)
    if kind == "j":
        if order == 1:
            res = np.where(x < 0, -res, res)
    else:
        res[x < 0] = np.nan
        res[x == 0] = -np.inf
    res[np.isnan(x)] = np.nan
    return _like(res, a)


def bessel_j0(a):
    """The Bessel function of the first kind of order 0."""
    return _bessel(a, 0, "j")


def bessel_j1(a):
    """The Bessel function of the first kind of order 1."""
    return _bessel(a, 1, "j")


def bessel_y0(a):
    """The Bessel function of the second kind of order 0 (NaN below 0, -inf at 0)."""
    return _bessel(a, 0, "y")


def bessel_y1(a):
    """The Bessel function of the second kind of order 1 (NaN below 0, -inf at 0)."""
    return _bessel(a, 1, "y")


def zeta(s_in, q_in):
    """The Hurwitz zeta function ``sum_k (q + k)^-s`` (s > 1): the first terms summed until
    ``q + k`` passes ``12 + s`` (at most 200), then Euler-Maclaurin's tail with ten Bernoulli
    terms; torch's domain rules (inf at s = 1 and at the non-positive integers q, NaN for s < 1
    and for negative q with non-integer s)."""
    s, q = np.broadcast_arrays(np.asarray(s_in, np.float64), np.asarray(q_in, np.float64))
    s, q = s.reshape(-1).copy(), q.reshape(-1).copy()
    res = np.full_like(s, np.nan)
    ok = (s > 1) & np.isfinite(s) & np.isfinite(q) & ~((q <= 0) & (s != np.floor(s)))
    ss, qq = s[ok], q[ok]
    res[ok] = _euler_maclaurin_zeta(ss, qq.copy(), np.minimum(12.0 + ss, 200.0))
    res[(s == 1) & ~np.isnan(q)] = np.inf
    res[(q <= 0) & (q == np.floor(q)) & (s > 1) & np.isfinite(s)] = np.inf
    res[np.isnan(s) | np.isnan(q)] = np.nan
    return res.reshape(np.broadcast_shapes(np.shape(s_in), np.shape(q_in)))


def _log_gamma_prefactor(a, x):
    """``log(x^a exp(-x) / gamma(a))``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return a * np.log(x) - x - gammaln(a)


def _gammainc_series(a, x):
    """P(a, x) by its power series (for x < a + 1)."""
    term = 1.0 / a
    total = term.copy()
    for n in range(1, 3000):
        term = term * x / (a + n)
        total = total + term
        if np.all(np.abs(term) <= np.abs(total) * 1e-17):
            break
    return total * np.exp(_log_gamma_prefactor(a, x))


def _gammaincc_fraction(a, x):
    """Q(a, x) by its continued fraction (for x >= a + 1), evaluated by Lentz's method."""
    tiny = 1e-300
    b = x + 1.0 - a
    c = np.full_like(x, 1.0 / tiny)
    d = 1.0 / b
    h = d.copy()
    for i in range(1, 3000):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        delta = d * c
        h = h * delta
        if np.all(np.abs(delta - 1.0) <= 1e-16):
            break
    return np.exp(_log_gamma_prefactor(a, x)) * h


def gammainc(a_in, x_in, upper=False):
    """The regularized lower incomplete gamma function P(a, x) (Q = 1 - P when ``upper``),
    with torch's values at the edges (NaN for negative arguments, a = x = 0 and a = x = inf)."""
    a, x = np.broadcast_arrays(np.asarray(a_in, np.float64), np.asarray(x_in, np.float64))
    a, x = a.reshape(-1).copy(), x.reshape(-1).copy()
    p = np.full_like(a, np.nan)
    q = np.full_like(a, np.nan)
    ok = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    series = ok & (x < a + 1)
    fraction = ok & ~series
    p[series] = _gammainc_series(a[series], x[series])
    q[series] = 1.0 - p[series]
    q[fraction] = _gammaincc_fraction(a[fraction], x[fraction])
    p[fraction] = 1.0 - q[fraction]
    valid = (a >= 0) & (x >= 0) & ~np.isnan(a) & ~np.isnan(x)
    zero_x = valid & (x == 0) & (a > 0)
    p[zero_x], q[zero_x] = 0.0, 1.0
    zero_a = valid & (a == 0) & (x > 0)
    p[zero_a], q[zero_a] = 1.0, 0.0
    inf_x = valid & np.isinf(x) & np.isfinite(a) & (a > 0)
    p[inf_x], q[inf_x] = 1.0, 0.0
    inf_a = valid & np.isinf(a) & np.isfinite(x)
    p[inf_a], q[inf_a] = 0.0, 1.0
    res = q if upper else p
    return res.reshape(np.broadcast_shapes(np.shape(a_in), np.shape(x_in)))


# Airy's Ai: Maclaurin's series on [-3, 2]; above 2 through K_{1/3} (its integral by the
# trapezoidal rule up to zeta = 30, the asymptotic series beyond); below -3 through
# J_{1/3} + J_{-1/3}, each from its integral representation (Gauss-Legendre up to zeta = 30) or
# Hankel's expansion beyond. zeta = 2/3 |x|^(3/2).
_AI_0 = 0.35502805388781723926  # Ai(0) = 1 / (3^(2/3) gamma(2/3))
_AI_PRIME_0 = 0.25881940379280679840  # -Ai'(0) = 1 / (3^(1/3) gamma(1/3))
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(120)


def _airy_series(x):
    f = np.ones_like(x)
    g = x.copy()
    tf, tg = f.copy(), g.copy()
    cube = x ** 3
    for k in range(1, 60):
        tf = tf * cube / ((3 * k - 1) * (3 * k))
        tg = tg * cube / ((3 * k) * (3 * k + 1))
        f, g = f + tf, g + tg
    return _AI_0 * f - _AI_PRIME_0 * g


def _gauss_legendre(fn, lower, upper):
    """``int_lower^upper fn(t) dt`` (fn of a (n, 120) node array) with 120 Gauss-Legendre
    nodes."""
    half = 0.5 * (upper - lower)
    t = lower + half * (_GL_NODES + 1.0)
    return half * (fn(t) @ _GL_WEIGHTS)


def _bessel_j_fractional(x, order):
    """J_order(x) for non-integer ``order`` and 5 <= x <= 30:
    ``(1/pi) int_0^pi cos(order t - x sin t) dt
    - (sin(order pi) / pi) int_0^inf exp(-x sinh t - order t) dt``."""
    xc = x[:, None]
    first = _gauss_legendre(lambda t: np.cos(order * t - xc * np.sin(t)), 0.0, math.pi)
    second = _gauss_legendre(lambda t: np.exp(-xc * np.sinh(t) - order * t), 0.0, 6.0)
    return (first - math.sin(order * math.pi) * second) / math.pi


def _hankel_fractional(x, order):
    """J_order(x) for large x by Hankel's expansion (any real order)."""
    p, q = _hankel_pq(x, order)
    chi = x - (0.5 * order + 0.25) * math.pi
    return np.sqrt(2.0 / (math.pi * x)) * (p * np.cos(chi) - q * np.sin(chi))


def airy_ai(a):
    """Airy's function Ai, the solution of ``y'' = x y`` that decays as x -> +inf."""
    x = _float64(a)
    res = np.full_like(x, np.nan)
    finite = np.isfinite(x)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        mid = finite & (x >= -3) & (x <= 2)
        res[mid] = _airy_series(x[mid])
        pos = finite & (x > 2)
        xp = x[pos]
        zeta = 2.0 / 3.0 * xp ** 1.5
        near = zeta <= 30
        t = np.linspace(0.0, 6.0, 151)
        zc = zeta[near][:, None]
        values = np.exp(-zc * (np.cosh(t) - 1.0)) * np.cosh(t / 3.0)
        k_scaled = (t[1] - t[0]) * (values.sum(-1) - 0.5 * values[:, 0])
        out = np.empty_like(xp)
        out[near] = np.sqrt(xp[near] / 3.0) / math.pi * k_scaled * np.exp(-zeta[near])
        zf = zeta[~near]
        term = np.ones_like(zf)
        total = term.copy()
        for k in range(1, 25):
            term = term * -(6 * k - 5) * (6 * k - 3) * (6 * k - 1) / ((2 * k - 1) * 216.0 * k
                                                                     * zf)
            total += term
        out[~near] = np.exp(-zf) / (2 * math.sqrt(math.pi) * xp[~near] ** 0.25) * total
        res[pos] = out
        neg = finite & (x < -3)
        z = -x[neg]
        zeta = 2.0 / 3.0 * z ** 1.5
        near = zeta <= 30
        j_sum = np.empty_like(z)
        j_sum[near] = (_bessel_j_fractional(zeta[near], 1 / 3)
                       + _bessel_j_fractional(zeta[near], -1 / 3))
        j_sum[~near] = _hankel_fractional(zeta[~near], 1 / 3) \
            + _hankel_fractional(zeta[~near], -1 / 3)
        res[neg] = np.sqrt(z) / 3.0 * j_sum
    return _like(res, a)  # NaN at +-inf, as torch
