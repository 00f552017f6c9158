"""Transforms, TransformedDistribution, constraints and biject_to/transform_to against torch:
forward and inverse values, log-Jacobians, shapes, support checks and the registry."""
import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED
from tests.distributions.test_distributions import pos, real, simplex, unit
from tests.ops.harness import assert_close

X = real(2, 3)
LOC, SCALE = real(3), pos(3)


def _close(e, t, tol=1e-9):
    assert_close(e, t.detach(), tol, tol)


@pytest.mark.parametrize("make,x", [
    (lambda T, L: T.ExpTransform(), X),
    (lambda T, L: T.SigmoidTransform(), X),
    (lambda T, L: T.TanhTransform(), X),
    (lambda T, L: T.SoftplusTransform(), X),
    (lambda T, L: T.AffineTransform(L.tensor(LOC), L.tensor(SCALE)), X),
    (lambda T, L: T.AffineTransform(1.5, -2.0), X),
    (lambda T, L: T.AffineTransform(L.tensor(LOC), L.tensor(SCALE), event_dim=1), X),
    (lambda T, L: T.PowerTransform(L.tensor(2.5)), pos(2, 3)),
    (lambda T, L: T.StickBreakingTransform(), X),
    (lambda T, L: T.LowerCholeskyTransform(), real(2, 3, 3)),
    (lambda T, L: T.ComposeTransform([T.ExpTransform(), T.AffineTransform(1.0, 2.0)]), X),
    (lambda T, L: T.ExpTransform().inv, pos(2, 3)),
    (lambda T, L: T.IndependentTransform(T.ExpTransform(), 1), X),
    (lambda T, L: T.ReshapeTransform((2, 3), (6,)), X),
    (lambda T, L: T.CorrCholeskyTransform(), real(2, 6)),
])
def test_transform_matches_torch(make, x):
    et, tt = make(ED.transforms, ember), make(TD.transforms, torch)
    ex, tx = ember.tensor(x), torch.tensor(x)
    ey, ty = et(ex), tt(tx)
    _close(ey, ty)
    _close(et.inv(ey), tt.inv(ty), 1e-7)
    try:
        t_ladj = tt.log_abs_det_jacobian(tx, ty)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            et.log_abs_det_jacobian(ex, ey)
    else:
        _close(et.log_abs_det_jacobian(ex, ey), t_ladj)
    assert et.bijective == tt.bijective
    assert et.domain.event_dim == tt.domain.event_dim
    assert et.codomain.event_dim == tt.codomain.event_dim
    assert tuple(et.forward_shape(x.shape)) == tuple(tt.forward_shape(x.shape))


def test_softmax_and_abs_are_not_bijective():
    for name in ("SoftmaxTransform", "AbsTransform"):
        et, tt = getattr(ED.transforms, name)(), getattr(TD.transforms, name)()
        _close(et(ember.tensor(X)), tt(torch.tensor(X)))
        assert not et.bijective and not tt.bijective


def test_cache_and_equality():
    t = ED.transforms.ExpTransform(cache_size=1)
    x = ember.tensor(X)
    y = t(x)
    assert t.inv(y) is x
    assert ED.transforms.ExpTransform() == ED.transforms.ExpTransform()
    assert ED.transforms.ExpTransform() != ED.transforms.SigmoidTransform()
    with pytest.raises(ValueError):
        ED.transforms.ExpTransform(cache_size=2)


def test_transformed_distribution_matches_torch():
    loc, scale = real(3), pos(3)
    parts = lambda T, L: [T.AffineTransform(L.tensor(1.0), L.tensor(2.0)),  # noqa: E731
                          T.SigmoidTransform()]
    ed = ED.TransformedDistribution(ED.Normal(ember.tensor(loc), ember.tensor(scale)),
                                    parts(ED.transforms, ember))
    td = TD.TransformedDistribution(TD.Normal(torch.tensor(loc), torch.tensor(scale)),
                                    parts(TD.transforms, torch))
    v = unit(2, 3)
    _close(ed.log_prob(ember.tensor(v)), td.log_prob(torch.tensor(v)))
    _close(ed.cdf(ember.tensor(v)), td.cdf(torch.tensor(v)))
    _close(ed.icdf(ember.tensor(v)), td.icdf(torch.tensor(v)), 1e-7)
    assert tuple(ed.sample((4,)).shape) == (4, 3)
    # a change of event dim: stick-breaking maps R^2 to the 3-simplex
    ed = ED.TransformedDistribution(ED.Normal(ember.zeros(2, dtype=ember.float64),
                                              ember.ones(2, dtype=ember.float64)),
                                    ED.transforms.StickBreakingTransform())
    td = TD.TransformedDistribution(TD.Normal(torch.zeros(2, dtype=torch.float64),
                                              torch.ones(2, dtype=torch.float64)),
                                    TD.transforms.StickBreakingTransform())
    assert tuple(ed.event_shape) == tuple(td.event_shape) == (3,)
    s = simplex(3)
    _close(ed.log_prob(ember.tensor(s)), td.log_prob(torch.tensor(s)))


@pytest.mark.parametrize("name,args", [
    ("real", ()), ("positive", ()), ("nonnegative", ()), ("unit_interval", ()),
    ("simplex", ()), ("lower_cholesky", ()), ("positive_definite", ()),
    ("greater_than", (1.5,)), ("less_than", (-1.0,)), ("interval", (-2.0, 3.0)),
    ("real_vector", ()), ("corr_cholesky", ()),
])
def test_constraints_and_biject_to_match_torch(name, args):
    ec, tc = getattr(ED.constraints, name), getattr(TD.constraints, name)
    if args:
        ec, tc = ec(*args), tc(*args)
    assert repr(ec) == repr(tc)
    assert ec.event_dim == tc.event_dim and ec.is_discrete == tc.is_discrete
    shape = {0: (4,), 1: (4, 3), 2: (4, 3, 3)}[tc.event_dim]
    for x in (real(*shape), pos(*shape), simplex(*shape)):
        assert np.array_equal(ec.check(ember.tensor(x)).numpy(), tc.check(torch.tensor(x)).numpy())
    for registry in ("biject_to", "transform_to"):
        try:
            tt = getattr(TD, registry)(tc)
        except NotImplementedError:
            with pytest.raises(NotImplementedError):
                getattr(ED, registry)(ec)
            continue
        et = getattr(ED, registry)(ec)
        x = real(*({0: (4,), 1: (4, 2 if name == "simplex" else 3), 2: (4, 3, 3)}[tc.event_dim]))
        if name == "corr_cholesky":
            x = real(4, 3)
        ey, ty = et(ember.tensor(x)), tt(torch.tensor(x))
        _close(ey, ty, 1e-8)
        assert bool(ec.check(ey).all())
        if et.bijective:
            _close(et.log_abs_det_jacobian(ember.tensor(x), ey),
                   tt.log_abs_det_jacobian(torch.tensor(x), ty), 1e-8)


def test_registry_errors():
    with pytest.raises(NotImplementedError, match="Cannot transform"):
        ED.biject_to(ED.constraints.boolean)
    with pytest.raises(TypeError):
        ED.biject_to.register(3, lambda c: None)
