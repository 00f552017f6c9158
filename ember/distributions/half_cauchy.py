import math

import ember
from ember.distributions._half import _Half
from ember.distributions.cauchy import Cauchy

__all__ = ["HalfCauchy"]


class HalfCauchy(_Half):
    """``|X|`` for ``X ~ Cauchy(0, scale)``.

    Example::

        >>> import ember
        >>> ember.distributions.HalfCauchy(1.0).log_prob(ember.tensor(1.0))
        tensor(-1.1447)
    """

    _base = Cauchy

    @property
    def mean(self):
        return ember.full(self._extended_shape(), math.inf, dtype=self.scale.dtype)

    @property
    def mode(self):
        return ember.zeros_like(self.scale)

    @property
    def variance(self):
        return self.base_dist.variance
