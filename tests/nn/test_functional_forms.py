"""``torch.nn.functional`` names that are not registry ops (in-place forms, aliases, the
deprecated ``upsample*``, random channel dropouts, ``embedding_bag``, ``max_unpool1d``,
``triplet_margin_with_distance_loss``): each against torch, values and gradients."""
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F
from tests.nn._helpers import assert_close, to_ember


def _x(*shape, low=-2.0, high=2.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=g, dtype=torch.float64) * (high - low) + low


def _pool1d_indices():
    x = _x(2, 3, 8, seed=5)
    return torch.nn.functional.max_pool1d(x, 2, return_indices=True)


# (function name, inputs: torch tensors or other values, keyword arguments)
CASES = [
    ("relu_", lambda: [_x(3, 4)], {}),
    ("elu_", lambda: [_x(3, 4)], dict(alpha=0.7)),
    ("hardtanh_", lambda: [_x(3, 4)], dict(min_val=-0.5, max_val=0.8)),
    ("leaky_relu_", lambda: [_x(3, 4)], dict(negative_slope=0.1)),
    ("rrelu_", lambda: [_x(3, 4)], dict(lower=0.1, upper=0.3, training=False)),
    ("threshold_", lambda: [_x(3, 4), 0.2, -1.0], {}),
    ("celu_", lambda: [_x(3, 4)], {}),
    ("selu_", lambda: [_x(3, 4)], {}),
    ("sigmoid", lambda: [_x(3, 4)], {}),
    ("tanh", lambda: [_x(3, 4)], {}),
    ("upsample", lambda: [_x(1, 2, 3, 4)], dict(scale_factor=2, mode="nearest")),
    ("upsample", lambda: [_x(1, 2, 3)], dict(size=5, mode="linear", align_corners=False)),
    ("upsample_nearest", lambda: [_x(1, 2, 3, 4)], dict(size=(5, 6))),
    ("upsample_bilinear", lambda: [_x(1, 2, 3, 4)], dict(scale_factor=2)),
    ("max_unpool1d", lambda: [*_pool1d_indices(), 2], {}),
    ("max_unpool1d", lambda: [*_pool1d_indices(), 2], dict(output_size=[9])),
    ("embedding_bag", lambda: [torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]), _x(10, 3),
                               torch.tensor([0, 4])], {}),
    ("embedding_bag", lambda: [torch.tensor([[1, 2, 4], [5, 4, 3]]), _x(10, 3)],
     dict(mode="max")),
    ("embedding_bag", lambda: [torch.tensor([1, 2, 4, 5]), _x(10, 3), torch.tensor([0, 1, 4])],
     dict(mode="sum", per_sample_weights=_x(4, seed=3), include_last_offset=True)),
    ("triplet_margin_with_distance_loss", lambda: [_x(4, 3), _x(4, 3, seed=1), _x(4, 3, seed=2)],
     {}),
    ("triplet_margin_with_distance_loss", lambda: [_x(4, 3), _x(4, 3, seed=1), _x(4, 3, seed=2)],
     dict(margin=0.3, swap=True, reduction="none")),
    ("alpha_dropout", lambda: [_x(3, 4)], dict(p=0.3, training=False)),
    ("feature_alpha_dropout", lambda: [_x(2, 3, 4)], dict(p=0.3, training=False)),
    ("dropout1d", lambda: [_x(2, 3, 4)], dict(p=0.3, training=False)),
    ("dropout2d", lambda: [_x(2, 3, 4, 4)], dict(p=0.3, training=False)),
    ("dropout3d", lambda: [_x(2, 3, 2, 2, 2)], dict(p=0.3, training=False)),
]


def _convert(values, to):
    out = []
    for v in values:
        if isinstance(v, torch.Tensor):
            v = v.detach().clone().requires_grad_(v.is_floating_point())
            out.append(v if to is torch else to_ember(v))
        else:
            out.append(v)
    return out


@pytest.mark.parametrize("name,inputs,kwargs", CASES,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(CASES)])
def test_functional_form_matches_torch(name, inputs, kwargs):
    t_in = _convert(inputs(), torch)
    e_in = _convert(t_in, ember)
    t_kw = dict(kwargs)
    e_kw = {k: to_ember(v) if isinstance(v, torch.Tensor) else v for k, v in kwargs.items()}
    inplace = name.endswith("_")
    # an in-place form needs a non-leaf input; the gradient flows back to the leaf
    t_args = [t_in[0] * 1] + t_in[1:] if inplace else t_in
    e_args = [e_in[0] * 1] + e_in[1:] if inplace else e_in
    t_out = getattr(torch.nn.functional, name)(*t_args, **t_kw)
    e_out = getattr(F, name)(*e_args, **e_kw)
    if inplace:
        assert e_out is e_args[0]
    assert e_out.dtype == ember.float64
    assert_close(e_out, t_out, 1e-12, 1e-10, name)
    w = torch.randn(t_out.shape, dtype=torch.float64)
    t_leaves = [v for v in t_in if isinstance(v, torch.Tensor) and v.requires_grad]
    e_leaves = [v for v in e_in if isinstance(v, ember.Tensor) and v.requires_grad]
    t_gr = torch.autograd.grad((t_out * w).sum(), t_leaves, allow_unused=True)
    e_gr = ember.autograd.grad((e_out * to_ember(w)).sum(), e_leaves, allow_unused=True)
    for k, (eg, tg) in enumerate(zip(e_gr, t_gr)):
        if tg is None:
            assert eg is None or not eg.numpy().any(), "%s grad %d" % (name, k)
        else:
            assert_close(eg, tg, 1e-10, 1e-8, "%s grad %d" % (name, k))


@pytest.mark.parametrize("name,shape,channel_dims", [
    ("dropout1d", (4, 6, 5), 2), ("dropout2d", (4, 6, 3, 3), 2), ("dropout3d", (4, 6, 2, 2, 2), 2),
    ("dropout1d", (6, 5), 1)])
def test_channel_dropout_zeroes_whole_channels_and_scales_the_rest(name, shape, channel_dims):
    x = ember.rand(*shape) + 1.0
    y = getattr(F, name)(x, p=0.4, training=True)
    assert tuple(y.shape) == tuple(getattr(torch.nn.functional, name)(
        torch.rand(*shape), p=0.4, training=True).shape)
    kept = y.numpy() != 0
    per_channel = kept.reshape(shape[:channel_dims] + (-1,))
    assert np.all(per_channel.all(-1) | ~per_channel.any(-1))  # all or nothing per channel
    assert 0 < per_channel.all(-1).sum() < per_channel.all(-1).size
    np.testing.assert_allclose(y.numpy()[kept], x.numpy()[kept] / 0.6, rtol=1e-6)


@pytest.mark.parametrize("name,shape", [("dropout1d", (2, 3, 4, 5)), ("dropout1d", (3,)),
                                        ("dropout2d", (3,)), ("dropout2d", (2, 3, 4)),
                                        ("dropout2d", (2, 3, 4, 5, 6)), ("dropout3d", (2, 3)),
                                        ("dropout3d", (2, 3, 4))])
def test_channel_dropout_odd_ranks_match_torch(name, shape):
    """torch raises for some ranks and warns for others, reading the input as (N, C, ...) or as
    unbatched (C, ...): ember raises, warns and picks the channel axes alike."""
    def call(lib, fn):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = [fn(lib.ones(*shape), p=0.5, training=True) for _ in range(20)]
            except RuntimeError as e:
                return e, caught
        return out, caught

    t_out, t_warned = call(torch, getattr(torch.nn.functional, name))
    e_out, e_warned = call(ember, getattr(F, name))
    if isinstance(t_out, RuntimeError):
        assert isinstance(e_out, RuntimeError), "torch raised %r, ember did not" % t_out
        return
    assert bool(e_warned) == bool(t_warned)
    assert tuple(e_out[0].shape) == tuple(t_out[0].shape)
    for axis in range(len(shape)):  # the mask varies along the same axes
        t_varies = any(bool((m != m.narrow(axis, 0, 1)).any()) for m in t_out)
        e_varies = any((m.numpy() != np.take(m.numpy(), [0], axis)).any() for m in e_out)
        assert t_varies == e_varies, "%s %s axis %d" % (name, shape, axis)


def test_alpha_dropout_rejects_p_outside_unit_interval_like_torch():
    with pytest.raises(ValueError):
        torch.nn.functional.alpha_dropout(torch.ones(3), p=1.5, training=True)
    with pytest.raises(ValueError):
        F.alpha_dropout(ember.ones(3), p=1.5, training=True)


def test_feature_alpha_dropout_training_keeps_channels_together():
    x = ember.randn(8, 6, 4)
    y = F.feature_alpha_dropout(x, p=0.5, training=True).numpy()
    # within a channel the affine map is the same for every element: dropped channels are constant
    spread = y.reshape(8, 6, -1).std(-1)
    assert (spread < 1e-6).any() and (spread > 1e-3).any()
