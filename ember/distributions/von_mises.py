import math

import ember
from ember._backend import np
from ember._tensor import Size
from ember.distributions import constraints
from ember.distributions._simple import broadcast_params, expand_params
from ember.distributions.distribution import Distribution
from ember.distributions.utils import _rng, _sample_array

__all__ = ["VonMises"]

# Abramowitz & Stegun 9.8.1-9.8.4: polynomial approximations of I0 and I1 for x < 3.75 (in
# (x / 3.75)^2) and of sqrt(x) exp(-x) I_n(x) for x >= 3.75 (in 3.75 / x).
_SMALL = ([1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2],
          [0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2, 0.32411e-3])
_LARGE = ([0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2, 0.916281e-2, -0.2057706e-1,
           0.2635537e-1, -0.1647633e-1, 0.392377e-2],
          [0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1, 0.2282967e-1,
           -0.2895312e-1, 0.1787654e-1, -0.420059e-2])


def _horner(y, coef):
    result = coef[-1]
    for c in reversed(coef[:-1]):
        result = c + y * result
    return result


def _log_modified_bessel_fn(x, order=0):
    """``log(I_order(x))`` for ``x > 0`` and order 0 or 1 (differentiable)."""
    if order not in (0, 1):
        raise AssertionError("order must be 0 or 1, got %s" % order)
    y = (x / 3.75) ** 2
    small = _horner(y, _SMALL[order])
    if order == 1:
        small = x.abs() * small
    small = small.log()
    y = 3.75 / x
    large = x - 0.5 * x.log() + _horner(y, _LARGE[order]).log()
    return ember.where(x < 3.75, small, large)


def _rejection_sample(loc, kappa, shape):
    """Best and Fisher's (1979) wrapped-Cauchy envelope, vectorised over all entries."""
    rng = _rng()
    loc = np.broadcast_to(loc, shape).astype(np.float64)
    kappa = np.broadcast_to(kappa, shape).astype(np.float64)
    tau = 1 + np.sqrt(1 + 4 * kappa ** 2)
    rho = (tau - np.sqrt(2 * tau)) / np.maximum(2 * kappa, 1e-300)
    r = np.where(kappa < 1e-5, 1 / np.maximum(kappa, 1e-300) + kappa, (1 + rho ** 2) / (2 * rho))
    out = np.empty(shape)
    todo = np.ones(shape, dtype=bool)
    while todo.any():
        n = int(todo.sum())
        u1, u2, u3 = rng.random(n), rng.random(n), rng.random(n)
        rt, kt = r[todo], kappa[todo]
        z = np.cos(math.pi * u1)
        f = (1 + rt * z) / (rt + z)
        c = kt * (rt - f)
        accept = (c * (2 - c) - u2 > 0) | (np.log(c / u2) + 1 - c >= 0)
        theta = np.sign(u3 - 0.5) * np.arccos(np.clip(f, -1, 1))
        idx = np.flatnonzero(todo)[accept]
        out.flat[idx] = theta[accept]
        todo.flat[idx] = False
    return (out + math.pi + loc) % (2 * math.pi) - math.pi


class VonMises(Distribution):
    """The von Mises (circular normal) distribution with mean direction ``loc`` and
    ``concentration``, on ``[-pi, pi)``. Sampled by rejection (no ``rsample``).

    Example::

        >>> import ember
        >>> ember.distributions.VonMises(0.0, 1.0).log_prob(ember.tensor(0.5))
        tensor(-1.1962)
    """

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        batch_shape = broadcast_params(self, ("loc", "concentration"), (loc, concentration))
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return expand_params(self, VonMises, ("loc", "concentration"), batch_shape, _instance)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.concentration * (value - self.loc).cos()
        return (log_prob - math.log(2 * math.pi)
                - _log_modified_bessel_fn(self.concentration, order=0))

    def sample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        with ember.no_grad():
            x = _rejection_sample(self.loc.detach().numpy(),
                                  self.concentration.detach().numpy(), shape)
            return _sample_array(x, self.loc)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return 1 - (_log_modified_bessel_fn(self.concentration, order=1)
                    - _log_modified_bessel_fn(self.concentration, order=0)).exp()
