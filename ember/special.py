"""``ember.special``: special functions, as ``torch.special``.

The functions live in ``ember/ops/special.py``, ``special_bessel.py`` and
``special_polynomials.py`` (where their records are registered) or are the top-level functions
torch's namespace re-exports; this module is the public namespace, loaded on first use of
``ember.special``.
"""
from ember.ops.nn.activation_softmax import log_softmax, softmax
from ember.ops.reduction import logsumexp
from ember.ops.special import (digamma, entr, erf, erfc, erfcx, erfinv, i0, i0e, i1, i1e,
                               log_ndtr, logit, multigammaln, ndtr, ndtri, polygamma, sinc,
                               xlog1py, xlogy, zeta)
from ember.ops.special import igamma as gammainc
from ember.ops.special import igammac as gammaincc
from ember.ops.special import lgamma as gammaln
from ember.ops.special import digamma as psi
from ember.ops.special_bessel import (
    airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, modified_bessel_i0, modified_bessel_i1,
    modified_bessel_k0, modified_bessel_k1, scaled_modified_bessel_k0, scaled_modified_bessel_k1,
    spherical_bessel_j0)
from ember.ops.special_polynomials import (
    chebyshev_polynomial_t, chebyshev_polynomial_u, chebyshev_polynomial_v, chebyshev_polynomial_w,
    hermite_polynomial_h, hermite_polynomial_he, laguerre_polynomial_l, legendre_polynomial_p,
    shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u, shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w)
from ember.ops.unary import exp2, expm1, log1p, round, sigmoid as expit

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
           "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma",
           "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc",
           "gammaincc", "gammaln", "hermite_polynomial_h", "hermite_polynomial_he", "i0", "i0e",
           "i1", "i1e", "laguerre_polynomial_l", "legendre_polynomial_p", "log1p", "log_ndtr",
           "log_softmax", "logit", "logsumexp", "modified_bessel_i0", "modified_bessel_i1",
           "modified_bessel_k0", "modified_bessel_k1", "multigammaln", "ndtr", "ndtri",
           "polygamma", "psi", "round", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
           "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "sinc", "softmax",
           "spherical_bessel_j0", "xlog1py", "xlogy", "zeta"]
