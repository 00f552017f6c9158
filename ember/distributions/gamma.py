import ember
from ember._backend import np
from ember._tensor import Size
from ember.autograd.function import Function
from ember.distributions import constraints
from ember.distributions._gamma_math import gammainc_and_da, standard_gamma_grad
from ember.distributions._simple import broadcast_params, expand_params
from ember.distributions.exp_family import ExponentialFamily
from ember.distributions.utils import _finfo, _rng, _sample_array

__all__ = ["Gamma"]


class _StandardGamma(Function):
    """Gamma(``alpha``, 1) samples; backward is the implicit reparameterization gradient."""

    @staticmethod
    def forward(ctx, alpha):
        a = alpha.detach().numpy().astype(np.float64)
        x = np.maximum(_rng().standard_gamma(a), float(_finfo(alpha).tiny))
        out = _sample_array(x, alpha)
        ctx.save_for_backward(alpha, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        alpha, x = ctx.saved_tensors
        dx = standard_gamma_grad(x.detach().numpy(), alpha.detach().numpy())
        return grad * _sample_array(dx, alpha)


class _GammaInc(Function):
    """``P(a, x)``, the regularized lower incomplete gamma function, with gradients."""

    @staticmethod
    def forward(ctx, a, x):
        p, dp = gammainc_and_da(a.detach().numpy(), x.detach().numpy())
        ctx.save_for_backward(a, x)
        ctx.dp = _sample_array(dp, x)
        return _sample_array(p, x)

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        pdf = ((a - 1) * x.log() - x - a.lgamma()).exp()
        return grad * ctx.dp, grad * pdf


def standard_gamma(alpha):
    return _StandardGamma.apply(alpha)


class Gamma(ExponentialFamily):
    """The gamma distribution with shape ``concentration`` and ``rate`` (inverse scale).

    Example::

        >>> import ember
        >>> ember.distributions.Gamma(2.0, 1.0).log_prob(ember.tensor(1.0))
        tensor(-1.)
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args=None):
        batch_shape = broadcast_params(self, ("concentration", "rate"), (concentration, rate))
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return expand_params(self, Gamma, ("concentration", "rate"), batch_shape, _instance)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        tiny = float(_finfo(value).tiny)
        return ember.where(value.detach() < tiny, tiny, value)

    def log_prob(self, value):
        value = ember.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (ember.xlogy(self.concentration, self.rate)
                + ember.xlogy(self.concentration - 1, value)
                - self.rate * value - self.concentration.lgamma())

    def entropy(self):
        c = self.concentration
        return c - self.rate.log() + c.lgamma() + (1.0 - c) * c.digamma()

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return (x + 1).lgamma() + (x + 1) * (-y.reciprocal()).log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a, x = ember.broadcast_tensors(self.concentration, self.rate * value)
        return _GammaInc.apply(a, x)
