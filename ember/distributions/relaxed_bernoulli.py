import numbers

import ember
from ember._tensor import Size
from ember.distributions import constraints
from ember.distributions.bernoulli import Bernoulli, _ProbsOrLogits
from ember.distributions.distribution import Distribution
from ember.distributions.log_normal import _Wrapped
from ember.distributions.transforms import SigmoidTransform
from ember.distributions.utils import clamp_probs

__all__ = ["LogitRelaxedBernoulli", "RelaxedBernoulli"]


class LogitRelaxedBernoulli(_ProbsOrLogits, Distribution):
    """The logit of a RelaxedBernoulli sample (a logistic with location ``logits`` and scale
    ``temperature``)."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self.temperature = temperature
        is_scalar = self._set_param(probs, logits, is_binary=True)
        batch_shape = Size() if is_scalar else self._param.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LogitRelaxedBernoulli, _instance)
        batch_shape = Size(batch_shape)
        new.temperature = self.temperature
        self._expand_param(new, batch_shape)
        super(LogitRelaxedBernoulli, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    logits = Bernoulli.logits
    probs = Bernoulli.probs

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(shape))
        uniforms = clamp_probs(ember.rand(shape, dtype=probs.dtype))
        return (uniforms.log() - (-uniforms).log1p() + probs.log() - (-probs).log1p()) / \
            self.temperature

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = ember.broadcast_tensors(self.logits, value)
        diff = logits - value * self.temperature
        temperature = self.temperature
        log_t = ember.log(temperature) if not isinstance(temperature, numbers.Number) \
            else ember.tensor(temperature, dtype=diff.dtype).log()
        return log_t + diff - 2 * diff.exp().log1p()


class _RelaxedParams:
    """Parameters of a relaxed distribution, forwarded to its base distribution."""

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs


class RelaxedBernoulli(_RelaxedParams, _Wrapped):
    """A continuous relaxation of Bernoulli on ``(0, 1)`` (the binary Concrete distribution).

    Example::

        >>> import ember
        >>> d = ember.distributions.RelaxedBernoulli(ember.tensor(0.5), ember.tensor(0.3))
        >>> d.log_prob(ember.tensor(0.5))
        tensor(-0.8675)
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base_dist = LogitRelaxedBernoulli(temperature, probs, logits)
        super().__init__(base_dist, SigmoidTransform(), validate_args=validate_args)
