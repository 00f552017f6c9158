import math

import ember
from ember._tensor import Size
from ember.distributions._simple import LocScale
from ember.distributions.distribution import Distribution
from ember.distributions.utils import _finfo, euler_constant

__all__ = ["Gumbel"]


class Gumbel(LocScale, Distribution):
    """The Gumbel (type-I extreme value) distribution with location ``loc`` and scale ``scale``.

    Example::

        >>> import ember
        >>> ember.distributions.Gumbel(0.0, 1.0).log_prob(ember.tensor(1.0))
        tensor(-1.3679)
    """

    @property
    def mean(self):
        return self.loc + self.scale * euler_constant

    @property
    def stddev(self):
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        fi = _finfo(self.loc)
        u = ember.rand(shape, dtype=self.loc.dtype).clamp(min=float(fi.tiny),
                                                          max=1 - float(fi.eps))
        return self.loc - self.scale * (-u.log()).log()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        y = (self.loc - value) / self.scale
        return (y - y.exp()) - self.scale.log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (-((self.loc - value) / self.scale).exp()).exp()

    def icdf(self, value):
        return self.loc - self.scale * (-value.log()).log()

    def entropy(self):
        return self.scale.log() + (1 + euler_constant)
