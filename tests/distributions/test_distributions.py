"""ember.distributions against torch.distributions on the same parameters and values:
log_prob, entropy, cdf/icdf, moments, shapes, expand, gradients of log_prob (float64), and
validate_args errors; sample shapes and moments are checked statistically with a fixed seed."""
import doctest
import importlib
import pkgutil

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED
from tests.ops.harness import assert_close

RNG = np.random.default_rng(3)


def pos(*shape, low=0.5, high=3.0):
    return RNG.uniform(low, high, shape)


def real(*shape):
    return RNG.standard_normal(shape)


def unit(*shape):
    return RNG.uniform(0.1, 0.9, shape)


def simplex(*shape):
    x = RNG.uniform(0.2, 1.0, shape)
    return x / x.sum(-1, keepdims=True)


def _spd(n, batch=()):
    a = RNG.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


COV = _spd(3, (2,))
# name, positional parameters, keyword parameters, values for log_prob (shape allows broadcast)
CASES = [
    ("Normal", (real(2, 3), pos(2, 3)), {}, real(4, 2, 3)),
    ("Bernoulli", (), {"probs": unit(2, 3)}, RNG.integers(0, 2, (2, 3)).astype(float)),
    ("Bernoulli", (), {"logits": real(3)}, RNG.integers(0, 2, (4, 3)).astype(float)),
    ("Categorical", (), {"probs": simplex(2, 4)}, RNG.integers(0, 4, (3, 2))),
    ("Categorical", (), {"logits": real(4)}, RNG.integers(0, 4, (5,))),
    ("Uniform", (real(3) - 2, real(3) + 2), {}, RNG.uniform(-0.5, 0.5, (2, 3))),
    ("MultivariateNormal", (real(2, 3),), {"covariance_matrix": COV}, real(4, 2, 3)),
    ("MultivariateNormal", (real(3),), {"scale_tril": np.linalg.cholesky(COV)}, real(2, 3)),
    ("MultivariateNormal", (real(3),), {"precision_matrix": COV[0]}, real(5, 3)),
    ("Beta", (pos(3), pos(3)), {}, unit(2, 3)),
    ("Gamma", (pos(2, 3), pos(2, 3)), {}, pos(2, 3)),
    ("Dirichlet", (pos(2, 3),), {}, simplex(2, 3)),
    ("Exponential", (pos(3),), {}, pos(2, 3)),
    ("Laplace", (real(3), pos(3)), {}, real(2, 3)),
    ("LogNormal", (real(3), pos(3)), {}, pos(2, 3)),
    ("Poisson", (pos(3),), {}, RNG.integers(0, 6, (2, 3)).astype(float)),
    ("Binomial", (np.array([5.0, 7.0, 9.0]),), {"probs": unit(3)},
     RNG.integers(0, 5, (2, 3)).astype(float)),
    ("Binomial", (6,), {"logits": real(3)}, RNG.integers(0, 6, (3,)).astype(float)),
    ("Multinomial", (5,), {"probs": simplex(2, 3)}, np.array([[1.0, 2.0, 2.0], [0.0, 5.0, 0.0]])),
    ("OneHotCategorical", (), {"probs": simplex(2, 3)}, np.eye(3)[RNG.integers(0, 3, (2,))]),
    ("Cauchy", (real(3), pos(3)), {}, real(2, 3)),
    ("StudentT", (pos(3, low=1.5, high=5.0), real(3), pos(3)), {}, real(2, 3)),
    ("Chi2", (pos(3),), {}, pos(2, 3)),
    ("Geometric", (), {"probs": unit(3)}, RNG.integers(0, 5, (2, 3)).astype(float)),
    ("Gumbel", (real(3), pos(3)), {}, real(2, 3)),
    ("HalfNormal", (pos(3),), {}, pos(2, 3)),
    ("HalfCauchy", (pos(3),), {}, pos(2, 3)),
    ("Pareto", (pos(3), pos(3, low=2.5, high=4.0)), {}, pos(2, 3, low=3.0, high=5.0)),
    ("Weibull", (pos(3), pos(3)), {}, pos(2, 3)),
    ("InverseGamma", (pos(3, low=2.5, high=4.0), pos(3)), {}, pos(2, 3)),
    ("Kumaraswamy", (pos(3, low=1.2), pos(3, low=1.2)), {}, unit(2, 3)),
    ("LogisticNormal", (real(2, 3), pos(2, 3)), {}, simplex(2, 4)),
    ("RelaxedBernoulli", (np.array(0.7),), {"probs": unit(3)}, unit(2, 3)),
    ("RelaxedOneHotCategorical", (np.array(0.7),), {"logits": real(2, 3)}, simplex(2, 3)),
    ("NegativeBinomial", (pos(3),), {"logits": real(3)}, RNG.integers(0, 6, (2, 3)).astype(float)),
    ("FisherSnedecor", (pos(3, low=3.0, high=6.0), pos(3, low=5.0, high=8.0)), {}, pos(2, 3)),
    ("ContinuousBernoulli", (), {"probs": np.array([0.2, 0.4995, 0.8])}, unit(2, 3)),
    ("ContinuousBernoulli", (), {"logits": real(3)}, unit(2, 3)),
    ("VonMises", (real(3), np.array([0.5, 3.0, 8.0])), {}, RNG.uniform(-3, 3, (2, 3))),
    ("LowRankMultivariateNormal", (real(2, 3), real(2, 3, 2), pos(2, 3)), {}, real(4, 2, 3)),
    ("LowRankMultivariateNormal", (real(3), real(3, 1), pos(3)), {}, real(3)),
    ("Wishart", (pos(2, low=3.0, high=5.0),), {"covariance_matrix": COV}, COV[::-1].copy()),
    ("Wishart", (np.array(4.0),), {"scale_tril": np.linalg.cholesky(COV[0])}, COV),
    ("Wishart", (np.array(4.0),), {"precision_matrix": COV[0]}, COV),
    ("MixtureSameFamily", (simplex(2, 3), real(2, 3), pos(2, 3)), {}, real(4, 2)),
]
IDS = ["%s-%d" % (c[0], i) for i, c in enumerate(CASES)]


def _to(lib, x, grad=False):
    if isinstance(x, np.ndarray):
        t = lib.tensor(x)
        if grad and x.dtype.kind == "f":
            t.requires_grad_(True)
        return t
    return x


def _build(lib, case, grad=False):
    name, args, kwargs, _ = case
    D = ED if lib is ember else TD
    a = [_to(lib, x, grad) for x in args]
    k = {n: _to(lib, x, grad) for n, x in kwargs.items()}
    if name == "MixtureSameFamily":
        return D.MixtureSameFamily(D.Categorical(*a[:1]), D.Normal(*a[1:])), a
    return getattr(D, name)(*a, **k), a + list(k.values())


def _compare(e, t, tol=1e-8):
    assert_close(e, t.detach(), tol, tol)


def _try(fn):
    try:
        return fn(), None
    except NotImplementedError as err:
        return None, err


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_values_match_torch(case):
    ed, _ = _build(ember, case)
    td, _ = _build(torch, case)
    assert tuple(ed.batch_shape) == tuple(td.batch_shape)
    assert tuple(ed.event_shape) == tuple(td.event_shape)
    assert ed.has_rsample == td.has_rsample
    value = case[3]
    ev, tv = ember.tensor(value), torch.tensor(value)
    _compare(ed.log_prob(ev), td.log_prob(tv))
    for prop in ("mean", "mode", "variance", "stddev"):
        t, t_err = _try(lambda: getattr(td, prop))
        if t_err is None:
            _compare(getattr(ed, prop), t)
    t, t_err = _try(td.entropy)
    if t_err is None:
        _compare(ed.entropy(), t, 1e-6)  # torch's Multinomial entropy has float32 terms
    if case[0] not in ("Gamma", "Chi2", "Beta"):  # torch has no Gamma cdf on grads; see below
        t, t_err = _try(lambda: td.cdf(tv))
        if t_err is None:
            _compare(ed.cdf(ev), t)
            q = torch.tensor(unit(*value.shape))
            t, t_err = _try(lambda: td.icdf(q))
            if t_err is None:
                _compare(ed.icdf(ember.tensor(q.numpy())), t)
    if td.has_enumerate_support:
        t, t_err = _try(td.enumerate_support)
        if t_err is None:
            _compare(ed.enumerate_support(), t)
            _compare(ed.enumerate_support(False), td.enumerate_support(False))
        else:
            with pytest.raises(NotImplementedError):
                ed.enumerate_support()
    assert repr(ed).split("(")[0] == repr(td).split("(")[0]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_log_prob_and_entropy_gradients_match_torch(case):
    ed, ep = _build(ember, case, grad=True)
    td, tp = _build(torch, case, grad=True)
    ev, tv = ember.tensor(case[3]), torch.tensor(case[3])
    el, tl = ed.log_prob(ev).sum(), td.log_prob(tv).sum()
    t_ent, err = _try(td.entropy)
    if err is None and t_ent.requires_grad:
        el = el + ed.entropy().sum()
        tl = tl + t_ent.sum()
    params = [(e, t) for e, t in zip(ep, tp) if isinstance(t, torch.Tensor) and t.requires_grad]
    eg = ember.autograd.grad(el, [e for e, _ in params], allow_unused=True)
    tg = torch.autograd.grad(tl, [t for _, t in params], allow_unused=True)
    for a, b in zip(eg, tg):
        assert (a is None) == (b is None)
        if b is not None and case[0] == "Wishart" and "scale_tril" in case[2] and b.dim() == 2:
            # torch's cholesky_solve gives the unread upper triangle of scale_tril a gradient;
            # ember's triangular solves do not (the lower triangles agree)
            b = b.tril()
        if b is not None:
            _compare(a, b, 1e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expand_and_sample_shapes(case):
    ed, _ = _build(ember, case)
    td, _ = _build(torch, case)
    new_batch = (2,) + tuple(td.batch_shape)
    ee, te = ed.expand(new_batch), td.expand(new_batch)
    assert tuple(ee.batch_shape) == tuple(te.batch_shape)
    assert tuple(ee.event_shape) == tuple(te.event_shape)
    value = te.sample()
    _compare(ee.log_prob(ember.tensor(value.numpy())), te.log_prob(value))
    s = ed.sample((5,))
    assert tuple(s.shape) == tuple(td.sample((5,)).shape)
    assert bool(ed.support.check(s).all())
    if ed.has_rsample:
        assert tuple(ed.rsample((2,)).shape) == (2,) + tuple(ed.batch_shape) + tuple(
            ed.event_shape)


@pytest.mark.parametrize("name,args,moments", [
    ("Normal", (1.5, 2.0), (1.5, 4.0)),
    ("Gamma", (3.0, 2.0), (1.5, 0.75)),
    ("Beta", (2.0, 3.0), (0.4, 0.04)),
    ("Poisson", (3.5,), (3.5, 3.5)),
    ("Binomial", (10, ember.tensor(0.3)), (3.0, 2.1)),
    ("Exponential", (2.0,), (0.5, 0.25)),
    ("Laplace", (1.0, 0.5), (1.0, 0.5)),
    ("Geometric", (ember.tensor(0.4),), (1.5, 3.75)),
    ("Uniform", (-1.0, 3.0), (1.0, 16 / 12)),
    ("StudentT", (ember.tensor(6.0),), (0.0, 1.5)),
    ("Gumbel", (0.0, 1.0), (0.5772, np.pi ** 2 / 6)),
])
def test_sample_moments(name, args, moments):
    ember.manual_seed(0)
    d = getattr(ED, name)(*args)
    x = d.sample((20000,)).double().numpy()
    mean, var = moments
    # 5 standard errors of the sample mean / variance (fixed seed: deterministic)
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / x.size), (x.mean(), mean)
    assert abs(x.var() - var) < 0.1 * var, (x.var(), var)


def test_von_mises_samples_have_the_mean_resultant_length():
    ember.manual_seed(0)
    d = ED.VonMises(ember.tensor(0.5, dtype=ember.float64), ember.tensor(4.0, dtype=ember.float64))
    x = d.sample((20000,)).numpy()
    assert (x >= -np.pi).all() and (x < np.pi).all()
    # E[cos(x - loc)] = I1(k) / I0(k) = 1 - circular variance
    assert abs(np.cos(x - 0.5).mean() - (1 - float(d.variance))) < 0.005


def test_categorical_and_multivariate_sample_moments():
    ember.manual_seed(0)
    p = np.array([0.2, 0.5, 0.3])
    x = ED.Categorical(ember.tensor(p)).sample((20000,)).numpy()
    np.testing.assert_allclose(np.bincount(x, minlength=3) / x.size, p, atol=0.02)
    cov = COV[0]
    mvn = ED.MultivariateNormal(ember.zeros(3, dtype=ember.float64), ember.tensor(cov))
    np.testing.assert_allclose(np.cov(mvn.sample((20000,)).numpy().T), cov,
                               atol=0.1 * np.abs(cov).max())
    counts = ED.Multinomial(10, ember.tensor(p)).sample((5000,)).numpy()
    assert (counts.sum(-1) == 10).all()
    np.testing.assert_allclose(counts.mean(0), 10 * p, atol=0.1)
    w = ED.Wishart(ember.tensor(5.0, dtype=ember.float64), ember.tensor(cov)).sample((5000,))
    np.testing.assert_allclose(w.numpy().mean(0), 5 * cov, atol=0.1 * 5 * np.abs(cov).max())
    d = ED.Dirichlet(ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64)).sample((20000,))
    np.testing.assert_allclose(d.numpy().mean(0), [1 / 6, 2 / 6, 3 / 6], atol=0.01)


@pytest.mark.parametrize("make", [
    lambda D, L: D.Normal(L.tensor([0.0]), L.tensor([-1.0])),
    lambda D, L: D.Bernoulli(probs=L.tensor([1.5])),
    lambda D, L: D.Bernoulli(probs=L.tensor([0.5]), logits=L.tensor([0.0])),
    lambda D, L: D.Categorical(probs=L.tensor(0.5)),
    lambda D, L: D.Uniform(L.tensor([1.0]), L.tensor([0.0])),
    lambda D, L: D.Gamma(L.tensor([1.0]), L.tensor([0.0])),
    lambda D, L: D.Normal(0.0, 1.0).log_prob(1.0),
    lambda D, L: D.Exponential(L.tensor([1.0])).log_prob(L.tensor([-1.0])),
    lambda D, L: D.Normal(L.zeros(3), L.ones(3)).log_prob(L.zeros(2)),
    lambda D, L: D.Dirichlet(L.ones(3)).log_prob(L.tensor([0.5, 0.6, 0.1])),
    lambda D, L: D.MultivariateNormal(L.zeros(2)),
    lambda D, L: D.MultivariateNormal(L.zeros(2), L.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda D, L: D.Independent(D.Normal(L.zeros(3), L.ones(3)), 2),
    lambda D, L: D.Multinomial(L.tensor(2), L.ones(2)),
    lambda D, L: D.Poisson(L.tensor([1.0])).log_prob(L.tensor([0.5])),
])
def test_validation_errors_match_torch(make):
    with pytest.raises(Exception) as t_info:
        make(TD, torch)
    with pytest.raises(type(t_info.value)):
        make(ED, ember)


def test_validation_message_names_parameter_and_constraint():
    with pytest.raises(ValueError, match=r"Expected parameter scale .* GreaterThan\(lower_bound="
                                         r"0.0\)"):
        ED.Normal(ember.tensor([0.0]), ember.tensor([-1.0]))
    with pytest.raises(ValueError, match="within the support"):
        ED.Exponential(ember.tensor([1.0])).log_prob(ember.tensor([-1.0]))
    ED.Normal(ember.tensor([0.0]), ember.tensor([-1.0]), validate_args=False)


def test_generalized_pareto_matches_torch_in_float32():
    # torch's GeneralizedPareto compares with a float32 zero, so it only runs in float32
    args = [a.astype(np.float32) for a in (real(3), pos(3), np.array([0.0, 0.3, -0.2]))]
    value = pos(2, 3, low=0.1, high=1.0).astype(np.float32)
    ep = [ember.tensor(a, requires_grad=True) for a in args]
    tp = [torch.tensor(a, requires_grad=True) for a in args]
    ed, td = ED.GeneralizedPareto(*ep), TD.GeneralizedPareto(*tp)
    ev, tv = ember.tensor(value) + ep[0].detach(), torch.tensor(value) + tp[0].detach()
    for fn in (lambda d, v: d.log_prob(v), lambda d, v: d.cdf(v), lambda d, v: d.entropy(),
               lambda d, v: d.icdf(v * 0 + 0.3), lambda d, v: d.mean, lambda d, v: d.variance):
        e, t = fn(ed, ev), fn(td, tv)
        assert_close(e, t.detach(), 1e-5, 1e-5)
    eg = ember.autograd.grad(ed.log_prob(ev).sum(), ep)
    tg = torch.autograd.grad(td.log_prob(tv).sum(), tp)
    for a, b in zip(eg, tg):
        assert_close(a, b, 1e-5, 1e-5)


def test_lkj_cholesky_matches_torch():
    conc = pos(2)
    ed = ED.LKJCholesky(3, ember.tensor(conc))
    ember.manual_seed(0)
    s = ed.sample((4,))
    assert tuple(s.shape) == (4, 2, 3, 3) and bool(ed.support.check(s).all())
    ec = ember.tensor(conc, requires_grad=True)
    tc = torch.tensor(conc, requires_grad=True)
    el = ED.LKJCholesky(3, ec).log_prob(s)
    tl = TD.LKJCholesky(3, tc).log_prob(torch.tensor(s.numpy()))
    _compare(el, tl)
    _compare(ember.autograd.grad(el.sum(), ec)[0], torch.autograd.grad(tl.sum(), tc)[0])
    assert tuple(ed.expand((5, 2)).batch_shape) == (5, 2)


def test_docstring_examples_run():
    for info in pkgutil.iter_modules(ED.__path__):
        mod = importlib.import_module("ember.distributions." + info.name)
        assert doctest.testmod(mod).failed == 0, info.name


@pytest.mark.parametrize("name,arrays", [
    ("MultivariateNormal", (real(2, 3), COV)),
    ("LowRankMultivariateNormal", (real(2, 3), real(2, 3, 2), pos(2, 3))),
])
def test_matrix_parameterizations_match_torch(name, arrays):
    ed = getattr(ED, name)(*[ember.tensor(a) for a in arrays])
    td = getattr(TD, name)(*[torch.tensor(a) for a in arrays])
    for prop in ("covariance_matrix", "precision_matrix", "scale_tril"):
        _compare(getattr(ed, prop), getattr(td, prop), 1e-8)
