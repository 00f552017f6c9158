"""Construction and ``expand`` shared by the distributions whose parameters are broadcast
tensors (Uniform, Exponential, Gamma, ...), and the location-scale family's common part."""
import numbers

from ember._tensor import Size
from ember.distributions import constraints
from ember.distributions.distribution import Distribution
from ember.distributions.utils import broadcast_all


def broadcast_params(dist, names, values):
    """Broadcast ``values``, store them on ``dist`` under ``names``; returns the batch shape."""
    tensors = broadcast_all(*values)
    for n, t in zip(names, tensors):
        setattr(dist, n, t)
    if all(isinstance(v, numbers.Number) for v in values):
        return Size()
    return tensors[0].size()


def expand_params(dist, cls, names, batch_shape, _instance):
    """``dist.expand(batch_shape)`` for a distribution whose parameters are ``names``."""
    new = dist._get_checked_instance(cls, _instance)
    batch_shape = Size(batch_shape)
    for n in names:
        setattr(new, n, getattr(dist, n).expand(batch_shape))
    Distribution.__init__(new, batch_shape, validate_args=False)
    new._validate_args = dist._validate_args
    return new


class LocScale:
    """Mixin of the location-scale distributions (Normal, Laplace, Cauchy, Gumbel)."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        batch_shape = broadcast_params(self, ("loc", "scale"), (loc, scale))
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return expand_params(self, LocScale, ("loc", "scale"), batch_shape, _instance)

    @property
    def mode(self):
        return self.loc
