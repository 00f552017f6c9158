"""Reparameterized sampling against torch with the noise fixed (pathwise gradients of
``rsample``), kl_divergence against torch's registered pairs, and register_kl dispatch."""
import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED
from tests.distributions.test_distributions import pos, real, simplex, unit
from tests.ops.harness import assert_close

COV_A = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.0]])
COV_B = np.array([[1.0, -0.1, 0.0], [-0.1, 2.0, 0.4], [0.0, 0.4, 0.8]])


def _params(arrays, lib):
    return [lib.tensor(a, requires_grad=True) for a in arrays]


# Univariate reparameterized distributions: the pathwise gradient of x = F^-1(u; theta) is
# dx/dtheta = -(dF/dtheta)(x) / pdf(x), which torch's cdf and log_prob give at ember's sample.
@pytest.mark.parametrize("name,arrays", [
    ("Normal", (real(4), pos(4))),
    ("Uniform", (real(4) - 2, real(4) + 2)),
    ("Exponential", (pos(4),)),
    ("Laplace", (real(4), pos(4))),
    ("Cauchy", (real(4), pos(4))),
    ("Gumbel", (real(4), pos(4))),
    ("LogNormal", (real(4), pos(4))),
    ("HalfNormal", (pos(4),)),
    ("HalfCauchy", (pos(4),)),
])
def test_rsample_gradient_is_the_implicit_reparameterization(name, arrays):
    ember.manual_seed(1)
    ep = _params(arrays, ember)
    x = getattr(ED, name)(*ep).rsample()
    eg = ember.autograd.grad(x.sum(), ep)
    tp = _params(arrays, torch)
    td = getattr(TD, name)(*tp)
    tx = torch.tensor(x.detach().numpy())
    dF = torch.autograd.grad(td.cdf(tx).sum(), tp)
    pdf = td.log_prob(tx).exp().detach()
    for g, d in zip(eg, dF):
        assert_close(g, -d / pdf, 1e-7, 1e-6)


def test_gamma_rsample_gradient_matches_torch_standard_gamma_grad():
    ember.manual_seed(2)
    conc, rate = pos(6, low=0.3, high=8.0), pos(6)
    ec, er = _params((conc, rate), ember)
    x = ED.Gamma(ec, er).rsample()
    gc, gr = ember.autograd.grad(x.sum(), [ec, er])
    std = torch.tensor(x.detach().numpy() * rate)
    expected = torch._standard_gamma_grad(torch.tensor(conc), std) / torch.tensor(rate)
    # torch's kernel is an approximation good to ~1e-4 relative; ember sums the series of the
    # incomplete gamma's derivative (exact to ~1e-9 against finite differences)
    assert_close(gc, expected, 1e-7, 5e-4)
    assert_close(gr, torch.tensor(-x.detach().numpy() / rate), 1e-10, 1e-10)


def test_multivariate_normal_rsample_gradient_with_fixed_noise(monkeypatch):
    ember.manual_seed(3)
    loc, cov = real(2, 3), np.stack([COV_A, COV_B])
    el, ec = _params((loc, cov), ember)
    x = ED.MultivariateNormal(el, ec).rsample()
    eg = ember.autograd.grad((x * x).sum(), [el, ec])
    L = np.linalg.cholesky(cov)
    eps = np.linalg.solve(L, (x.detach().numpy() - loc)[..., None])[..., 0]
    monkeypatch.setattr(TD.multivariate_normal, "_standard_normal",
                        lambda shape, dtype, device: torch.tensor(eps))
    tl, tc = _params((loc, cov), torch)
    tx = TD.MultivariateNormal(tl, tc).rsample()
    assert_close(x, tx.detach(), 1e-10, 1e-10)
    for a, b in zip(eg, torch.autograd.grad((tx * tx).sum(), [tl, tc])):
        assert_close(a, b, 1e-8, 1e-8)


@pytest.mark.parametrize("name,arrays", [("Beta", (np.array(2.0), np.array(3.0))),
                                         ("Dirichlet", (np.array([1.5, 2.0, 3.0]),))])
def test_beta_dirichlet_rsample_gradients_are_unbiased(name, arrays):
    # The pathwise gradient of E[x_0] must match d/dalpha of the closed-form mean.
    ember.manual_seed(4)
    ep, tp = _params(arrays, ember), _params(arrays, torch)
    x = getattr(ED, name)(*ep).rsample((20000,))
    first = x[..., 0] if name == "Dirichlet" else x
    eg = ember.autograd.grad(first.mean(), ep)
    tm = getattr(TD, name)(*tp).mean
    tg = torch.autograd.grad(tm[..., 0].sum() if name == "Dirichlet" else tm, tp)
    for a, b in zip(eg, tg):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=0.01)


def _pair(name, p_arrays, q_arrays, kwargs_p=None, kwargs_q=None):
    return (name, p_arrays, q_arrays, kwargs_p or {}, kwargs_q or {})


KL_CASES = [
    ("Normal", "Normal", (real(3), pos(3)), (real(3), pos(3))),
    ("Bernoulli", "Bernoulli", (unit(3),), (unit(3),)),
    ("Categorical", "Categorical", (simplex(2, 4),), (simplex(2, 4),)),
    ("OneHotCategorical", "OneHotCategorical", (simplex(4),), (simplex(4),)),
    ("Uniform", "Uniform", (np.array([0.0, -1.0]), np.array([1.0, 1.0])),
     (np.array([-1.0, 0.0]), np.array([2.0, 2.0]))),
    ("Beta", "Beta", (pos(3), pos(3)), (pos(3), pos(3))),
    ("Gamma", "Gamma", (pos(3), pos(3)), (pos(3), pos(3))),
    ("Dirichlet", "Dirichlet", (pos(2, 3),), (pos(2, 3),)),
    ("Exponential", "Exponential", (pos(3),), (pos(3),)),
    ("Laplace", "Laplace", (real(3), pos(3)), (real(3), pos(3))),
    ("Poisson", "Poisson", (pos(3),), (pos(3),)),
    ("Binomial", "Binomial", (np.array([5.0, 7.0]), unit(2)), (np.array([5.0, 5.0]), unit(2))),
    ("Geometric", "Geometric", (unit(3),), (unit(3),)),
    ("Gumbel", "Gumbel", (real(3), pos(3)), (real(3), pos(3))),
    ("Cauchy", "Cauchy", (real(3), pos(3)), (real(3), pos(3))),
    ("HalfNormal", "HalfNormal", (pos(3),), (pos(3),)),
    ("LogNormal", "LogNormal", (real(3), pos(3)), (real(3), pos(3))),
    ("MultivariateNormal", "MultivariateNormal", (real(2, 3), np.stack([COV_A, COV_B])),
     (real(3), COV_B)),
    ("Uniform", "Normal", (real(3) - 2, real(3) + 2), (real(3), pos(3))),
    ("Normal", "Laplace", (real(3), pos(3)), (real(3), pos(3))),
    ("Exponential", "Gamma", (pos(3),), (pos(3), pos(3))),
    ("Beta", "Uniform", (pos(3), pos(3)), (np.array([-0.5, 0.0, 0.2]), np.array([1.0, 2.0, 1.0]))),
]


def _make(lib, name, arrays, grad=False):
    D = ED if lib is ember else TD
    ts = [lib.tensor(a, requires_grad=grad) for a in arrays]
    if name in ("Bernoulli", "Geometric", "Categorical", "OneHotCategorical"):
        return getattr(D, name)(probs=ts[0]), ts
    if name == "Binomial":
        return D.Binomial(ts[0].detach(), probs=ts[1]), ts[1:]
    return getattr(D, name)(*ts), ts


@pytest.mark.parametrize("p_name,q_name,p_arrays,q_arrays", KL_CASES,
                         ids=["%s-%s" % (c[0], c[1]) for c in KL_CASES])
def test_kl_divergence_matches_torch(p_name, q_name, p_arrays, q_arrays):
    ep, ep_t = _make(ember, p_name, p_arrays, True)
    eq, eq_t = _make(ember, q_name, q_arrays, True)
    tp, tp_t = _make(torch, p_name, p_arrays, True)
    tq, tq_t = _make(torch, q_name, q_arrays, True)
    ekl, tkl = ED.kl_divergence(ep, eq), TD.kl_divergence(tp, tq)
    assert_close(ekl, tkl.detach(), 1e-8, 1e-8)
    finite = torch.isfinite(tkl)
    if finite.any() and tkl.requires_grad:
        e_in, t_in = ep_t + eq_t, tp_t + tq_t
        eg = ember.autograd.grad(ekl[ember.tensor(finite.numpy())].sum(), e_in,
                                 allow_unused=True)
        tg = torch.autograd.grad(tkl[finite].sum(), t_in, allow_unused=True)
        for a, b in zip(eg, tg):
            if b is not None:
                assert_close(a, b, 1e-7, 1e-7)


def test_kl_of_independent_and_transformed_and_missing_pairs():
    loc, scale = real(2, 3), pos(2, 3)
    ep = ED.Independent(ED.Normal(ember.tensor(loc), ember.tensor(scale)), 1)
    eq = ED.Independent(ED.Normal(ember.zeros(2, 3, dtype=ember.float64),
                                  ember.ones(2, 3, dtype=ember.float64)), 1)
    tp = TD.Independent(TD.Normal(torch.tensor(loc), torch.tensor(scale)), 1)
    tq = TD.Independent(TD.Normal(torch.zeros(2, 3, dtype=torch.float64),
                                  torch.ones(2, 3, dtype=torch.float64)), 1)
    assert_close(ED.kl_divergence(ep, eq), TD.kl_divergence(tp, tq), 1e-10, 1e-10)
    with pytest.raises(NotImplementedError, match="No KL"):
        ED.kl_divergence(ED.Cauchy(0.0, 1.0), ED.Normal(0.0, 1.0))
    with pytest.raises(TypeError):
        ED.register_kl(int, ED.Normal)


_FACTORIES = {
    "Bernoulli": lambda: {"probs": unit(3)},
    "Beta": lambda: {"concentration1": pos(3), "concentration0": pos(3)},
    "ContinuousBernoulli": lambda: {"probs": unit(3)},
    "Exponential": lambda: {"rate": pos(3)},
    "Gamma": lambda: {"concentration": pos(3), "rate": pos(3)},
    "Gumbel": lambda: {"loc": real(3), "scale": pos(3)},
    "Laplace": lambda: {"loc": real(3), "scale": pos(3)},
    "Normal": lambda: {"loc": real(3), "scale": pos(3)},
    "Pareto": lambda: {"scale": pos(3), "alpha": pos(3)},
    "Poisson": lambda: {"rate": pos(3)},
    "Binomial": lambda: {"total_count": np.array([3.0, 4.0, 5.0]), "probs": unit(3)},
    "Uniform": lambda: (lambda r: {"low": r - 2, "high": r + 2})(real(3)),
}
_TORCH_PAIRS = sorted((p.__name__, q.__name__) for p, q in TD.kl._KL_REGISTRY
                      if p.__name__ in _FACTORIES and q.__name__ in _FACTORIES)


@pytest.mark.parametrize("p_name,q_name", _TORCH_PAIRS)
def test_every_registered_cross_pair_matches_torch(p_name, q_name):
    pk, qk = _FACTORIES[p_name](), _FACTORIES[q_name]()
    ep = getattr(ED, p_name)(**{k: ember.tensor(v) for k, v in pk.items()})
    eq = getattr(ED, q_name)(**{k: ember.tensor(v) for k, v in qk.items()})
    tp = getattr(TD, p_name)(**{k: torch.tensor(v) for k, v in pk.items()})
    tq = getattr(TD, q_name)(**{k: torch.tensor(v) for k, v in qk.items()})
    assert_close(ED.kl_divergence(ep, eq), TD.kl_divergence(tp, tq), 1e-8, 1e-8)


def test_exponential_family_bregman_divergence_matches_torch():
    pa, pb, qa, qb = pos(3), pos(3), pos(3), pos(3)
    ek = ED.kl._kl_expfamily_expfamily(ED.Gamma(ember.tensor(pa), ember.tensor(pb)),
                                       ED.Gamma(ember.tensor(qa), ember.tensor(qb)))
    tk = TD.kl._kl_expfamily_expfamily(TD.Gamma(torch.tensor(pa), torch.tensor(pb)),
                                       TD.Gamma(torch.tensor(qa), torch.tensor(qb)))
    assert_close(ek, tk.detach(), 1e-8, 1e-8)
    with pytest.raises(NotImplementedError, match="Bregman"):
        ED.kl_divergence(ED.Poisson(1.0), ED.Normal(0.0, 1.0))


@pytest.mark.parametrize("p_kind,q_kind", [("low", "low"), ("full", "low"), ("low", "full")])
def test_kl_between_full_and_low_rank_gaussians_matches_torch(p_kind, q_kind):
    def make(D, L, kind, arrays):
        loc, w, d, cov = (L.tensor(a) for a in arrays)
        if kind == "low":
            return D.LowRankMultivariateNormal(loc, w, d)
        return D.MultivariateNormal(loc, cov)

    args = [(real(2, 3), real(2, 3, 2), pos(2, 3), np.stack([COV_A, COV_B])) for _ in range(2)]
    ek = ED.kl_divergence(make(ED, ember, p_kind, args[0]), make(ED, ember, q_kind, args[1]))
    tk = TD.kl_divergence(make(TD, torch, p_kind, args[0]), make(TD, torch, q_kind, args[1]))
    assert_close(ek, tk, 1e-8, 1e-8)
