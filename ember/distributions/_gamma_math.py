"""The regularized lower incomplete gamma ``P(a, x)`` and its derivative in ``a`` (NumPy), for
Gamma's ``cdf`` and the implicit reparameterization gradient of gamma samples:
``dx/da = -(dP/da) / p(x; a)`` (a sample is ``x = P^{-1}(u; a)`` for a uniform ``u``)."""
import ember
from ember._backend import np


def _digamma(a):
    return ember.digamma(ember.from_numpy(np.asarray(a, dtype=np.float64))).numpy()


def _lgamma(a):
    return ember.lgamma(ember.from_numpy(np.asarray(a, dtype=np.float64))).numpy()


def gammainc_and_da(a, x):
    """``(P(a, x), dP/da)`` by the series ``P = x^a e^-x / Gamma(a+1) sum_n x^n / (a+1)_n``.

    The terms are positive, summed in log space relative to the largest, so nothing
    overflows; about ``x + 10 sqrt(x)`` terms reach double precision.
    """
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    xs = np.maximum(x, 1e-300)
    n_terms = int(np.max(x, initial=0.0) + 10 * np.sqrt(np.max(x, initial=0.0)) + 40)
    log_t = np.zeros_like(a)          # log of term n: log(x^n / (a+1)...(a+n))
    harmonic = np.zeros_like(a)       # sum_{k<=n} 1 / (a + k)
    logs, harm = [log_t], [harmonic]
    for n in range(1, n_terms):
        log_t = log_t + np.log(xs) - np.log(a + n)
        harmonic = harmonic + 1.0 / (a + n)
        logs.append(log_t)
        harm.append(harmonic)
    logs, harm = np.stack(logs), np.stack(harm)
    top = logs.max(0)
    w = np.exp(logs - top)
    s = w.sum(0)
    ds = -(w * harm).sum(0)
    log_pref = a * np.log(xs) - x - _lgamma(a + 1) + top
    pref = np.exp(log_pref)
    p = np.where(x <= 0, 0.0, np.minimum(pref * s, 1.0))
    dp = np.where(x <= 0, 0.0, pref * ((np.log(xs) - _digamma(a + 1)) * s + ds))
    return p, dp


def standard_gamma_grad(x, a):
    """``dx/da`` of a standard gamma sample ``x`` with concentration ``a``."""
    _, dp = gammainc_and_da(a, x)
    log_pdf = (a - 1) * np.log(x) - x - _lgamma(a)
    return -dp / np.exp(log_pdf)
