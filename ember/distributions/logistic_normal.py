from ember.distributions import constraints
from ember.distributions.log_normal import _Wrapped
from ember.distributions.normal import Normal
from ember.distributions.transforms import StickBreakingTransform

__all__ = ["LogisticNormal"]


class LogisticNormal(_Wrapped):
    """A distribution on the simplex: a Normal pushed through ``StickBreakingTransform``.

    Example::

        >>> import ember
        >>> d = ember.distributions.LogisticNormal(ember.zeros(2), ember.ones(2))
        >>> d.event_shape
        ember.Size([3])
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        base_dist = Normal(loc, scale, validate_args=validate_args)
        if not base_dist.batch_shape:
            base_dist = base_dist.expand([1])
        super().__init__(base_dist, StickBreakingTransform(), validate_args=validate_args)

    @property
    def loc(self):
        return self.base_dist.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.base_dist.scale
