"""ember.nn.init: distributions (bounds and moments on large tensors), exact fills, errors."""
import math
import re
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.nn import init


def _w(*shape):
    return ember.nn.Parameter(ember.empty(*shape))


@pytest.mark.parametrize("nonlinearity,param", [("linear", None), ("conv2d", None),
                                                ("sigmoid", None), ("tanh", None),
                                                ("relu", None), ("leaky_relu", None),
                                                ("leaky_relu", 0.2), ("selu", None)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(
        nonlinearity, param)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("foo")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "x")


def test_uniform_normal_constant_in_place_without_graph():
    w = _w(300, 400)
    assert init.uniform_(w, -2, 3) is w
    a = w.detach().numpy()
    assert a.min() >= -2 and a.max() < 3 and abs(a.mean() - 0.5) < 0.02
    assert w.grad_fn is None and w.requires_grad
    init.normal_(w, 1.0, 2.0)
    assert abs(w.detach().numpy().mean() - 1) < 0.02 and abs(w.detach().numpy().std() - 2) < 0.02
    init.constant_(w, 0.3)
    assert (w.detach().numpy() == np.float32(0.3)).all()
    init.zeros_(w)
    assert not w.detach().numpy().any()
    init.ones_(w)
    assert (w.detach().numpy() == 1).all()


def test_trunc_normal_bounds_and_moments():
    w = _w(200, 500)
    init.trunc_normal_(w, mean=0.5, std=1.0, a=-1.0, b=2.0)
    a = w.detach().numpy()
    t = torch.nn.init.trunc_normal_(torch.empty(200, 500), mean=0.5, std=1.0, a=-1.0, b=2.0)
    assert a.min() >= -1 and a.max() <= 2
    assert abs(a.mean() - t.mean().item()) < 0.02 and abs(a.std() - t.std().item()) < 0.02


@pytest.mark.parametrize("fn,kwargs", [
    ("xavier_uniform_", {"gain": 2.0}), ("xavier_normal_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}), ("kaiming_normal_", {"mode": "fan_out",
                                                                    "nonlinearity": "relu"}),
    ("kaiming_uniform_", {"nonlinearity": "relu"})])
def test_fan_based_inits_match_torch_statistics(fn, kwargs):
    shape = (64, 32, 3, 3)
    e = getattr(init, fn)(_w(*shape), **kwargs).detach().numpy()
    t = getattr(torch.nn.init, fn)(torch.empty(shape), **kwargs).numpy()
    np.testing.assert_allclose(e.std(), t.std(), rtol=0.03)
    if "uniform" in fn:
        np.testing.assert_allclose(np.abs(e).max(), np.abs(t).max(), rtol=0.01)


def test_eye_dirac_orthogonal_sparse():
    w = init.eye_(_w(3, 5)).detach().numpy()
    np.testing.assert_array_equal(w, np.eye(3, 5))
    d = init.dirac_(_w(4, 2, 3, 3), groups=2).detach().numpy()
    np.testing.assert_array_equal(d, torch.nn.init.dirac_(torch.empty(4, 2, 3, 3), 2).numpy())
    q = init.orthogonal_(_w(6, 10), gain=2.0).detach().numpy()
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(6), atol=1e-5)
    s = init.sparse_(_w(10, 7), sparsity=0.3).detach().numpy()
    assert ((s == 0).sum(0) >= 3).all()
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(_w(2, 2, 2))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(_w(5))
    with pytest.raises(ValueError, match="Mode fan_x not supported"):
        init.kaiming_uniform_(_w(3, 3), mode="fan_x")


def test_init_is_reproducible_with_manual_seed():
    ember.manual_seed(3)
    a = ember.nn.Linear(5, 4).weight.detach().numpy().copy()
    ember.manual_seed(3)
    b = ember.nn.Linear(5, 4).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name, args", [
    ("uniform", ((3, 4),)), ("normal", ((3, 4),)), ("constant", ((3, 4), 0.5)),
    ("eye", ((3, 5),)), ("dirac", ((4, 2, 3),)), ("xavier_uniform", ((3, 4),)),
    ("xavier_normal", ((3, 4),)), ("kaiming_uniform", ((3, 4),)),
    ("kaiming_normal", ((3, 4),)), ("orthogonal", ((3, 4),)), ("sparse", ((6, 4), 0.5))])
def test_legacy_spellings_warn_as_torch_and_fill(name, args):
    shape, rest = args[0], args[1:]
    with warnings.catch_warnings(record=True) as mine:
        warnings.simplefilter("always")
        e = getattr(init, name)(_w(*shape), *rest)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        t = getattr(torch.nn.init, name)(torch.empty(shape), *rest)
    assert [(w.category, str(w.message)) for w in mine] == \
        [(w.category, str(w.message)) for w in theirs]
    assert mine[0].filename == __file__
    if name in ("eye", "dirac", "constant"):
        np.testing.assert_array_equal(e.detach().numpy(), t.numpy())
    if name == "sparse":
        assert ((e.detach().numpy() == 0).sum(0) == (t.numpy() == 0).sum(0)).all()


@pytest.mark.parametrize("shape, groups", [((6, 4, 3), 1), ((4, 6, 3, 3), 2),
                                           ((2, 3, 3, 2, 4), 1)])
def test_dirac_matches_torch(shape, groups):
    e = init.dirac_(_w(*shape), groups).detach().numpy()
    np.testing.assert_array_equal(e, torch.nn.init.dirac_(torch.empty(shape), groups).numpy())


def test_init_errors_match_torch():
    for fn, args in (("dirac_", ((3, 3),)), ("dirac_", ((3, 2, 3), 2)), ("sparse_", ((3,), 0.1)),
                     ("eye_", ((3,),))):
        with pytest.raises(Exception) as theirs:
            getattr(torch.nn.init, fn)(torch.empty(args[0]), *args[1:])
        with pytest.raises(theirs.type, match=re.escape(str(theirs.value))):
            getattr(init, fn)(_w(*args[0]), *args[1:])
