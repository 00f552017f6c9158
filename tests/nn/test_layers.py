"""Every layer against torch: same weights, same inputs; outputs, input and parameter gradients,
in train and eval mode; repr and state_dict keys as torch's."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.nn._helpers import compare_module, ember_repr, to_ember

X = (3, 4)


def _x(*shape, low=-2.0, high=2.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g) * (high - low) + low


def _idx(*shape, high):
    return torch.randint(0, high, shape, generator=torch.Generator().manual_seed(1))


# (constructor expression evaluated with nn = torch.nn or ember.nn, inputs)
CASES = [
    ("nn.Linear(4, 3)", lambda: [_x(5, 4)]),
    ("nn.Linear(4, 3, bias=False)", lambda: [_x(2, 5, 4)]),
    ("nn.Bilinear(2, 3, 4)", lambda: [_x(5, 2), _x(5, 3, seed=1)]),
    ("nn.Identity(3, k=1)", lambda: [_x(*X)]),
    ("nn.Flatten()", lambda: [_x(2, 3, 4)]),
    ("nn.Flatten(0, 1)", lambda: [_x(2, 3, 4)]),
    ("nn.Unflatten(1, (2, 2))", lambda: [_x(3, 4)]),
    ("nn.ReLU()", lambda: [_x(*X)]),
    ("nn.ReLU6()", lambda: [_x(*X, low=-3, high=8)]),
    ("nn.LeakyReLU(0.2)", lambda: [_x(*X)]),
    ("nn.PReLU()", lambda: [_x(2, 3, 4)]),
    ("nn.PReLU(3, init=0.1)", lambda: [_x(2, 3, 4)]),
    ("nn.ELU(alpha=0.5)", lambda: [_x(*X)]),
    ("nn.SELU()", lambda: [_x(*X)]),
    ("nn.CELU(alpha=2.0)", lambda: [_x(*X)]),
    ("nn.GELU()", lambda: [_x(*X)]),
    ("nn.GELU(approximate='tanh')", lambda: [_x(*X)]),
    ("nn.SiLU()", lambda: [_x(*X)]),
    ("nn.Mish()", lambda: [_x(*X)]),
    ("nn.Sigmoid()", lambda: [_x(*X)]),
    ("nn.Tanh()", lambda: [_x(*X)]),
    ("nn.Hardtanh(-0.5, 0.7)", lambda: [_x(*X)]),
    ("nn.Hardsigmoid()", lambda: [_x(*X, low=-4, high=4)]),
    ("nn.Hardswish()", lambda: [_x(*X, low=-4, high=4)]),
    ("nn.Softplus(beta=2, threshold=3)", lambda: [_x(*X)]),
    ("nn.Softsign()", lambda: [_x(*X)]),
    ("nn.Softshrink(0.3)", lambda: [_x(*X)]),
    ("nn.Hardshrink(0.3)", lambda: [_x(*X)]),
    ("nn.Tanhshrink()", lambda: [_x(*X)]),
    ("nn.Threshold(0.1, 20)", lambda: [_x(*X)]),
    ("nn.GLU()", lambda: [_x(3, 4)]),
    ("nn.LogSigmoid()", lambda: [_x(*X)]),
    ("nn.Softmax(dim=1)", lambda: [_x(*X)]),
    ("nn.LogSoftmax(dim=-1)", lambda: [_x(*X)]),
    ("nn.Softmin(dim=0)", lambda: [_x(*X)]),
    ("nn.Softmax2d()", lambda: [_x(2, 3, 2, 2)]),
    ("nn.RReLU(0.1, 0.3)", lambda: [_x(*X)]),
    ("nn.Dropout(p=0.3)", lambda: [_x(*X)]),
    ("nn.Dropout1d()", lambda: [_x(2, 3, 4)]),
    ("nn.Dropout2d(p=0.2)", lambda: [_x(2, 3, 2, 2)]),
    ("nn.Dropout3d(p=0.2)", lambda: [_x(2, 3, 2, 2, 2)]),
    ("nn.AlphaDropout(p=0.2)", lambda: [_x(*X)]),
    ("nn.FeatureAlphaDropout(p=0.2)", lambda: [_x(2, 3, 2, 2)]),
    ("nn.Embedding(10, 3)", lambda: [_idx(2, 5, high=10)]),
    ("nn.Embedding(10, 3, padding_idx=-1)", lambda: [_idx(4, 5, high=10)]),
    ("nn.Embedding(10, 3, scale_grad_by_freq=True)", lambda: [_idx(4, 5, high=10)]),
    ("nn.EmbeddingBag(10, 3)", lambda: [_idx(2, 5, high=10)]),
    ("nn.EmbeddingBag(10, 3, mode='sum')", lambda: [_idx(7, high=10), torch.tensor([0, 2, 2, 5])]),
    ("nn.EmbeddingBag(10, 3, mode='max')", lambda: [_idx(3, 4, high=10)]),
    ("nn.ZeroPad2d((1, 2, 0, 3))", lambda: [_x(1, 2, 3, 3)]),
    ("nn.ConstantPad2d(2, 3.5)", lambda: [_x(1, 2, 3, 3)]),
    ("nn.ConstantPad1d((1, -1), 1.0)", lambda: [_x(2, 3, 4)]),
    ("nn.ReflectionPad2d((1, 2, 2, 1))", lambda: [_x(1, 2, 3, 4)]),
    ("nn.ReflectionPad1d(2)", lambda: [_x(2, 3, 4)]),
    ("nn.ReplicationPad2d(2)", lambda: [_x(1, 2, 3, 4)]),
    ("nn.CircularPad2d((1, 1, 2, 0))", lambda: [_x(1, 2, 3, 4)]),
    ("nn.ZeroPad1d((2, 1))", lambda: [_x(2, 3, 4)]),
    ("nn.ZeroPad3d((1, 0, 2, 1, 0, 1))", lambda: [_x(1, 2, 2, 3, 2)]),
    ("nn.ConstantPad3d(1, -0.5)", lambda: [_x(1, 2, 2, 3, 2)]),
    ("nn.ReflectionPad3d((1, 1, 0, 1, 1, 0))", lambda: [_x(1, 2, 2, 3, 2)]),
    ("nn.ReplicationPad1d((3, 1))", lambda: [_x(2, 3, 4)]),
    ("nn.ReplicationPad3d((1, 2, 0, 1, 2, 0))", lambda: [_x(1, 2, 2, 3, 2)]),
    ("nn.CircularPad1d((2, 1))", lambda: [_x(2, 3, 4)]),
    ("nn.CircularPad3d((1, 0, 1, 1, 0, 1))", lambda: [_x(1, 2, 2, 3, 2)]),
    ("nn.Upsample(scale_factor=2)", lambda: [_x(1, 2, 3, 4)]),
    ("nn.Upsample(size=(5, 7), mode='bilinear')", lambda: [_x(1, 2, 3, 4)]),
    ("nn.Upsample(scale_factor=1.5, mode='bilinear', align_corners=True)",
     lambda: [_x(1, 2, 3, 4)]),
    ("nn.UpsamplingNearest2d(scale_factor=3)", lambda: [_x(1, 1, 2, 2)]),
    ("nn.UpsamplingBilinear2d(size=(3, 5))", lambda: [_x(1, 2, 2, 3)]),
    ("nn.PixelShuffle(2)", lambda: [_x(2, 8, 2, 3)]),
    ("nn.PixelUnshuffle(2)", lambda: [_x(2, 2, 4, 4)]),
    ("nn.CosineSimilarity(dim=1)", lambda: [_x(3, 4), _x(3, 4, seed=2)]),
    ("nn.PairwiseDistance(p=1.5, keepdim=True)", lambda: [_x(3, 4), _x(3, 4, seed=2)]),
    ("nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2))", lambda: [_x(3, 4)]),
]
RANDOM = ("Dropout", "RReLU")  # training mode differs in random draws: compared in eval only


@pytest.mark.parametrize("expr,inputs", CASES, ids=[c[0] for c in CASES])
def test_module_matches_torch(expr, inputs):
    t_mod = eval(expr, {"nn": torch.nn})
    e_mod = eval(expr, {"nn": ember.nn})
    assert repr(e_mod) == ember_repr(t_mod)
    assert list(e_mod.state_dict().keys()) == list(t_mod.state_dict().keys())
    xs = inputs()
    modes = (False,) if any(r in expr for r in RANDOM) else (True, False)
    for train in modes:
        compare_module(t_mod, e_mod, *xs, train=train)


LOSSES = [
    ("nn.CrossEntropyLoss()", lambda: [_x(4, 5), _idx(4, high=5)]),
    ("nn.CrossEntropyLoss(weight=W5, ignore_index=2, label_smoothing=0.1)",
     lambda: [_x(6, 5), _idx(6, high=5)]),
    ("nn.CrossEntropyLoss(reduction='sum')", lambda: [_x(2, 5, 3, 3), _idx(2, 3, 3, high=5)]),
    ("nn.CrossEntropyLoss(reduction='none')", lambda: [_x(4, 5), torch.softmax(_x(4, 5), 1)]),
    ("nn.NLLLoss(weight=W5)", lambda: [torch.log_softmax(_x(4, 5), 1), _idx(4, high=5)]),
    ("nn.MSELoss()", lambda: [_x(3, 4), _x(3, 4, seed=3)]),
    ("nn.L1Loss(reduction='sum')", lambda: [_x(3, 4), _x(3, 4, seed=3)]),
    ("nn.SmoothL1Loss(beta=0.5)", lambda: [_x(3, 4), _x(3, 4, seed=3)]),
    ("nn.HuberLoss(delta=0.4)", lambda: [_x(3, 4), _x(3, 4, seed=3)]),
    ("nn.BCELoss(weight=W4)", lambda: [_x(3, 4, low=0.05, high=0.95), _x(3, 4, low=0, high=1)]),
    ("nn.BCEWithLogitsLoss(pos_weight=W4)", lambda: [_x(3, 4), _x(3, 4, low=0, high=1)]),
    ("nn.KLDivLoss(reduction='batchmean')",
     lambda: [torch.log_softmax(_x(3, 4), 1), torch.softmax(_x(3, 4, seed=2), 1)]),
    ("nn.PoissonNLLLoss()", lambda: [_x(3, 4), _x(3, 4, low=0, high=3)]),
    ("nn.GaussianNLLLoss()", lambda: [_x(3, 4), _x(3, 4, seed=2), _x(3, 4, low=0.1, high=1)]),
    ("nn.MarginRankingLoss(margin=0.2)", lambda: [_x(5), _x(5, seed=2), SIGN5]),
    ("nn.HingeEmbeddingLoss()", lambda: [_x(5), SIGN5]),
    ("nn.CosineEmbeddingLoss(margin=0.1)", lambda: [_x(5, 3), _x(5, 3, seed=2), SIGN5]),
    ("nn.TripletMarginLoss(margin=0.5)", lambda: [_x(4, 3), _x(4, 3, seed=2), _x(4, 3, seed=3)]),
    ("nn.MultiLabelSoftMarginLoss()", lambda: [_x(3, 4), (_x(3, 4) > 0).float()]),
    ("nn.MultiMarginLoss()", lambda: [_x(4, 5), _idx(4, high=5)]),
    ("nn.SoftMarginLoss()", lambda: [_x(5), SIGN5]),
    ("nn.MultiLabelMarginLoss()", lambda: [_x(2, 4), torch.tensor([[3, 0, -1, 1], [1, 2, 3, -1]])]),
    ("nn.TripletMarginWithDistanceLoss(margin=0.5)",
     lambda: [_x(4, 3), _x(4, 3, seed=2), _x(4, 3, seed=3)]),
    ("nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1), swap=True)",
     lambda: [_x(4, 3), _x(4, 3, seed=2), _x(4, 3, seed=3)]),
]
W5 = torch.tensor([0.5, 1.0, 2.0, 1.5, 0.7])
W4 = torch.tensor([0.5, 1.0, 2.0, 1.5])
SIGN5 = torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0])


@pytest.mark.parametrize("expr,inputs", LOSSES, ids=[c[0] for c in LOSSES])
def test_loss_module_matches_torch(expr, inputs):
    t_mod = eval(expr, {"nn": torch.nn, "W5": W5, "W4": W4})
    e_mod = eval(expr, {"nn": ember.nn, "W5": to_ember(W5), "W4": to_ember(W4)})
    assert repr(e_mod) == ember_repr(t_mod)
    assert list(e_mod.state_dict().keys()) == list(t_mod.state_dict().keys())
    compare_module(t_mod, e_mod, *inputs(), constant=(1,) if "SoftMargin" in expr else ())


def _bound_check(values, bound):
    assert values.min() >= -bound and values.max() <= bound
    # a U(-b, b) sample of this size fills its range and has variance b^2 / 3
    assert values.min() < -0.95 * bound and values.max() > 0.95 * bound
    np.testing.assert_allclose(values.var(), bound * bound / 3, rtol=0.05)


def test_linear_default_init_matches_torch_distribution():
    m = ember.nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    _bound_check(m.weight.detach().numpy(), bound)
    assert np.abs(m.bias.detach().numpy()).max() <= bound
    t = torch.nn.Linear(400, 300)
    assert abs(t.weight.detach().numpy().var() - m.weight.detach().numpy().var()) < 0.05 * bound**2


def test_other_default_inits():
    _bound_check(ember.nn.Bilinear(50, 20, 60).weight.detach().numpy(), 1 / math.sqrt(50))
    w = ember.nn.Embedding(300, 100).weight.detach().numpy()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02
    e = ember.nn.Embedding(30, 4, padding_idx=3)
    assert not e.weight.detach().numpy()[3].any()
    assert (ember.nn.PReLU(3).weight.detach().numpy() == 0.25).all()


def test_parameters_are_float32_and_dtype_argument():
    assert ember.nn.Linear(3, 2).weight.dtype == ember.float32
    assert ember.nn.Linear(3, 2, dtype=ember.float64).weight.dtype == ember.float64


def test_dropout_statistics_scaling_and_eval_identity():
    ember.manual_seed(0)
    x = ember.ones(200, 500)
    out = ember.nn.functional.dropout(x, 0.3).numpy()
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    m = ember.nn.Dropout(0.3)
    m.eval()
    assert m(x) is x
    ember.manual_seed(5)
    a = ember.nn.functional.dropout(x, 0.5).numpy()
    ember.manual_seed(5)
    b = ember.nn.functional.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, b)
    xg = ember.ones(4, 6, requires_grad=True)
    y = ember.nn.functional.dropout(xg, 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(xg.grad.numpy(), y.detach().numpy())


def test_dropout2d_drops_whole_channels():
    ember.manual_seed(1)
    out = ember.nn.functional.dropout2d(ember.ones(8, 16, 3, 3), 0.5).numpy()
    per_channel = out.reshape(8, 16, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
    assert 0.3 < (per_channel == 0).all(-1).mean() < 0.7


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(w.message) for w in caught]


@pytest.mark.parametrize("name, shape, constant_over", [
    ("Dropout2d", (40, 30), None), ("Dropout2d", (6, 40, 5), (2,)),
    ("Dropout3d", (40, 3, 4), (1, 2)), ("Dropout2d", (2, 40, 3, 3), (2, 3))])
def test_feature_dropout_warns_and_runs_as_torch(name, shape, constant_over):
    ember.manual_seed(0)
    out, messages = _warnings_of(lambda: getattr(ember.nn, name)(0.5)(ember.ones(*shape)))
    _, expected = _warnings_of(lambda: getattr(torch.nn, name)(0.5)(torch.ones(*shape)))
    assert messages == expected
    out = out.numpy()
    assert set(np.unique(out)) == {0.0, 2.0}
    if constant_over is None:  # single elements dropped
        assert (out == 0).any(axis=1).all() and (out == 2).any(axis=1).all()
    else:
        assert (out == out.max(axis=constant_over, keepdims=True)).all()


def test_alpha_dropout_keeps_mean_and_variance():
    ember.manual_seed(2)
    x = ember.randn(400, 500)
    out = ember.nn.functional.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.03


def test_rrelu_training_slopes_in_range():
    x = -ember.ones(1000)
    out = ember.nn.functional.rrelu(x, 0.1, 0.3, training=True).numpy()
    assert (out <= -0.1).all() and (out >= -0.3).all() and out.std() > 0.03


def test_embedding_from_pretrained_and_max_norm():
    w = torch.randn(6, 3) * 3
    t_emb = torch.nn.Embedding.from_pretrained(w.clone(), max_norm=1.0)
    e_emb = ember.nn.Embedding.from_pretrained(to_ember(w), max_norm=1.0)
    assert not e_emb.weight.requires_grad
    assert repr(e_emb) == repr(t_emb)
    idx = torch.tensor([[0, 2], [2, 5]])
    np.testing.assert_allclose(e_emb(to_ember(idx)).numpy(), t_emb(idx).numpy(), rtol=1e-6)
    np.testing.assert_allclose(e_emb.weight.detach().numpy(), t_emb.weight.detach().numpy(),
                               rtol=1e-6)
    with pytest.raises(IndexError, match="index out of range"):
        e_emb(ember.tensor([6]))


@pytest.mark.parametrize("name", ["ReLU", "ReLU6", "SELU", "SiLU", "Mish", "Hardsigmoid",
                                  "Hardswish"])
def test_inplace_flag_shows_in_repr_as_in_torch(name):
    for flag in (False, True):
        assert repr(getattr(ember.nn, name)(inplace=flag)) == \
            repr(getattr(torch.nn, name)(inplace=flag)), (name, flag)
