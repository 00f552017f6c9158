import math

import ember
from ember._tensor import Size
from ember.distributions._simple import LocScale
from ember.distributions.distribution import Distribution

__all__ = ["Cauchy"]


class Cauchy(LocScale, Distribution):
    """The Cauchy (Lorentz) distribution with median ``loc`` and half width ``scale``.

    Example::

        >>> import ember
        >>> ember.distributions.Cauchy(0.0, 1.0).log_prob(ember.tensor(1.0))
        tensor(-1.8379)
    """

    @property
    def mean(self):
        return ember.full(self._extended_shape(), float("nan"), dtype=self.loc.dtype)

    @property
    def variance(self):
        return ember.full(self._extended_shape(), float("inf"), dtype=self.loc.dtype)

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        eps = ember.empty(shape, dtype=self.loc.dtype).cauchy_()
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (-math.log(math.pi) - self.scale.log()
                - (((value - self.loc) / self.scale) ** 2).log1p())

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value):
        return (math.pi * (value - 0.5)).tan() * self.scale + self.loc

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()
