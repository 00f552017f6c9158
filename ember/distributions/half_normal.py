import math

import ember
from ember.distributions._half import _Half
from ember.distributions.normal import Normal

__all__ = ["HalfNormal"]


class HalfNormal(_Half):
    """``|X|`` for ``X ~ Normal(0, scale)``.

    Example::

        >>> import ember
        >>> ember.distributions.HalfNormal(1.0).log_prob(ember.tensor(1.0))
        tensor(-0.7258)
    """

    _base = Normal

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self):
        return ember.zeros_like(self.scale)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)
