import math

import ember
from ember._tensor import Size
from ember.distributions import constraints
from ember.distributions.beta import Beta
from ember.distributions.distribution import Distribution
from ember.distributions.utils import _finfo, broadcast_all

__all__ = ["LKJCholesky"]


def _mvlgamma(a, p):
    """The multivariate log-gamma function of dimension ``p``."""
    result = p * (p - 1) / 4 * math.log(math.pi)
    for j in range(p):
        result = result + (a - j / 2).lgamma()
    return result


class LKJCholesky(Distribution):
    """The LKJ distribution over Cholesky factors of ``dim x dim`` correlation matrices, with
    density proportional to ``det(L L^T)^(concentration - 1)``; sampled by the onion method.

    Example::

        >>> import ember
        >>> ember.distributions.LKJCholesky(3, 0.5).log_prob(ember.eye(3))
        tensor(-2.5310)
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError("Expected dim to be an integer greater than or equal to 2. Found "
                             "dim=%s." % dim)
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        marginal_conc = self.concentration + 0.5 * (self.dim - 2)
        offset = ember.arange(self.dim - 1, dtype=self.concentration.dtype)
        offset = ember.cat([offset.new_zeros((1,)), offset])
        self._beta = Beta(offset + 0.5, marginal_conc.unsqueeze(-1) - 0.5 * offset)
        super().__init__(self.concentration.size(), Size((dim, dim)), validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LKJCholesky, _instance)
        batch_shape = Size(batch_shape)
        new.dim = self.dim
        new.concentration = self.concentration.expand(batch_shape)
        new._beta = self._beta.expand(tuple(batch_shape) + (self.dim,))
        super(LKJCholesky, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape=Size()):
        with ember.no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            u_normal = ember.randn(self._extended_shape(sample_shape), dtype=y.dtype).tril(-1)
            u_hypersphere = u_normal / u_normal.norm(dim=-1, keepdim=True).clamp(
                min=float(_finfo(y).tiny))
            first_row = (ember.arange(self.dim) > 0).to(y.dtype).unsqueeze(-1)
            w = y.sqrt() * u_hypersphere * first_row
            diag = (1 - (w ** 2).sum(-1)).clamp(min=float(_finfo(w).tiny)).sqrt()
            return w + diag.diag_embed()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diag_elems = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = ember.arange(2, self.dim + 1, dtype=self.concentration.dtype)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized_log_pdf = (order * diag_elems.log()).sum(-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        normalize_term = (0.5 * dm1 * math.log(math.pi) + _mvlgamma(alpha - 0.5, dm1)
                          - alpha.lgamma() * dm1)
        return unnormalized_log_pdf - normalize_term
