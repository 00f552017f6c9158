"""Convolution layers against torch: outputs and gradients with torch's weights copied in,
state_dict layout, repr, default initialisation, padding modes, and the notes' small CNN."""
import math
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
import ember.nn as enn


def copy_torch_state(e_mod, t_mod):
    """Load ``t_mod``'s state_dict into ``e_mod`` (through NumPy); keys must agree in order."""
    t_sd = t_mod.state_dict()
    assert list(e_mod.state_dict().keys()) == list(t_sd.keys())
    e_mod.load_state_dict(OrderedDict((k, ember.from_numpy(v.detach().numpy().copy()))
                                      for k, v in t_sd.items()))


def compare_module(e_mod, t_mod, shape, atol=1e-5, rtol=1e-5, seed=0, steps=1, dtype="float32",
                   extra_args=(), grads=True):
    """Run both modules on the same input ``steps`` times: outputs, input/parameter gradients
    and buffers (running statistics) must match torch's."""
    copy_torch_state(e_mod, t_mod)
    rng = np.random.default_rng(seed)
    for step in range(steps):
        x = rng.standard_normal(shape).astype(dtype)
        ex = ember.from_numpy(x.copy()).requires_grad_(grads)
        tx = torch.from_numpy(x.copy()).requires_grad_(grads)
        e_out, t_out = e_mod(ex, *extra_args), t_mod(tx, *extra_args)
        if isinstance(t_out, tuple):
            np.testing.assert_array_equal(e_out[1].numpy(), t_out[1].numpy())
            e_out, t_out = e_out[0], t_out[0]
        assert tuple(e_out.shape) == tuple(t_out.shape)
        np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), atol=atol,
                                   rtol=rtol, err_msg="output, step %d" % step)
        if grads:
            w = rng.standard_normal(tuple(t_out.shape)).astype(dtype)
            (e_out * ember.from_numpy(w)).sum().backward()
            (t_out * torch.from_numpy(w)).sum().backward()
            np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), atol=atol * 10,
                                       rtol=rtol * 10, err_msg="input grad, step %d" % step)
            e_params = dict(e_mod.named_parameters())
            for name, tp in t_mod.named_parameters():
                assert e_params[name].grad is not None, name
                np.testing.assert_allclose(e_params[name].grad.numpy(), tp.grad.numpy(),
                                           atol=atol * 10, rtol=rtol * 10,
                                           err_msg="%s grad, step %d" % (name, step))
        e_bufs = dict(e_mod.named_buffers())
        for name, tb in t_mod.named_buffers():
            np.testing.assert_allclose(e_bufs[name].numpy(), tb.numpy(), atol=atol, rtol=rtol,
                                       err_msg="buffer %s, step %d" % (name, step))
    return e_out, t_out


CONV_CASES = [
    ("Conv1d", (3, 4, 3), {}, (2, 3, 9)),
    ("Conv1d", (4, 6, 2), dict(stride=2, padding=1, dilation=2, groups=2, bias=False),
     (2, 4, 11)),
    ("Conv1d", (2, 3, 4), dict(padding="same", padding_mode="circular"), (2, 2, 7)),
    ("Conv2d", (3, 32, 3, 1, 1), {}, (2, 3, 6, 6)),
    ("Conv2d", (4, 6, (3, 2)), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2),
     (2, 4, 9, 8)),
    ("Conv2d", (3, 4, 3), dict(padding=2, padding_mode="reflect"), (2, 3, 6, 7)),
    ("Conv2d", (3, 4, 3), dict(padding=(1, 2), padding_mode="replicate"), (2, 3, 5, 6)),
    ("Conv2d", (3, 4, 3), dict(padding=1, padding_mode="circular", stride=2), (2, 3, 6, 6)),
    ("Conv2d", (2, 4, 4), dict(padding="same", padding_mode="reflect", dilation=2), (1, 2, 9, 9)),
    ("Conv2d", (3, 3, 3), dict(groups=3, padding="valid"), (3, 6, 6)),
    ("Conv3d", (2, 4, 3), dict(padding=1), (2, 2, 4, 5, 4)),
    ("Conv3d", (2, 2, (2, 3, 1)), dict(padding=1, padding_mode="replicate"), (1, 2, 3, 4, 3)),
    ("ConvTranspose1d", (4, 2, 3), dict(stride=2, padding=1, output_padding=1), (2, 4, 5)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, output_padding=1, groups=2), (2, 4, 5, 4)),
    ("ConvTranspose2d", (3, 2, (2, 3)), dict(stride=(1, 2), padding=(0, 1), dilation=2,
                                             bias=False), (2, 3, 4, 4)),
    ("ConvTranspose3d", (2, 2, 2), dict(stride=2), (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("cls,args,kwargs,shape", CONV_CASES,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(CONV_CASES)])
def test_conv_module_matches_torch(cls, args, kwargs, shape):
    e_mod = getattr(enn, cls)(*args, **kwargs)
    t_mod = getattr(torch.nn, cls)(*args, **kwargs)
    assert repr(e_mod) == repr(t_mod)
    assert [(n, tuple(p.shape)) for n, p in e_mod.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in t_mod.named_parameters()]
    compare_module(e_mod, t_mod, shape, atol=1e-5, rtol=1e-4)


def test_conv_transpose_output_size_picks_output_padding():
    e_mod, t_mod = enn.ConvTranspose2d(3, 2, 3, stride=2, padding=1), \
        torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    copy_torch_state(e_mod, t_mod)
    x = np.random.default_rng(1).standard_normal((1, 3, 4, 4)).astype("float32")
    e_out = e_mod(ember.from_numpy(x), output_size=[8, 8])
    t_out = t_mod(torch.from_numpy(x), output_size=[8, 8])
    assert tuple(e_out.shape) == (1, 2, 8, 8)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), atol=1e-5)
    with pytest.raises(ValueError, match="requested an output size"):
        e_mod(ember.from_numpy(x), output_size=[10, 10])
    with pytest.raises(ValueError):
        t_mod(torch.from_numpy(x), output_size=[10, 10])


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(groups=0), ValueError, "groups must be a positive integer"),
    (dict(groups=2), ValueError, "in_channels must be divisible by groups"),
    (dict(padding="full"), ValueError, "Invalid padding string"),
    (dict(padding="same", stride=2), ValueError, "not supported for strided convolutions"),
    (dict(padding_mode="mirror"), ValueError, "padding_mode must be one of"),
])
def test_conv_constructor_errors_match_torch(kwargs, error, match):
    with pytest.raises(error, match=match):
        enn.Conv2d(3, 4, 3, **kwargs)
    with pytest.raises(error):
        torch.nn.Conv2d(3, 4, 3, **kwargs)


def test_conv_transpose_rejects_padding_modes_like_torch():
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported'):
        enn.ConvTranspose2d(3, 4, 3, padding_mode="reflect")
    with pytest.raises(ValueError):
        torch.nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect")


def test_conv_forward_rejects_wrong_channels_like_torch():
    e_mod = enn.Conv2d(3, 32, 3)
    with pytest.raises(RuntimeError, match=r"weight of size \[32, 3, 3, 3\], expected "
                                           r"input\[1, 4, 6, 6\] to have 3 channels"):
        e_mod(ember.randn(1, 4, 6, 6))


def test_default_init_bounds_on_large_layer():
    # fan_in = 64 * 5 * 5 = 1600: weight and bias ~ U(-1/40, 1/40)
    m = enn.Conv2d(64, 128, 5)
    bound = 1 / math.sqrt(64 * 25)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert w.shape == (128, 64, 5, 5) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.mean()) < 0.02 * bound and abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.8 * bound
    t = enn.ConvTranspose2d(64, 32, 3, groups=2)
    # transposed weight (in, out/groups, k, k): fan_in = out/groups * k * k = 16 * 9
    tb = 1 / math.sqrt(16 * 9)
    assert tuple(t.weight.shape) == (64, 16, 3, 3)
    assert np.abs(t.weight.detach().numpy()).max() <= tb
    assert np.abs(t.weight.detach().numpy()).max() > 0.9 * tb


def test_double_backward_through_conv_matches_torch():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 2, 5, 5))
    w = rng.standard_normal((3, 2, 3, 3))
    res = []
    for lib, conv in ((ember, ember.nn.functional.conv2d),
                      (torch, torch.nn.functional.conv2d)):
        xt = lib.from_numpy(x.copy()).requires_grad_(True)
        wt = lib.from_numpy(w.copy()).requires_grad_(True)
        y = conv(xt, wt, stride=2, padding=1)
        gx, = lib.autograd.grad((y * y).sum(), xt, create_graph=True)
        gx.pow(2).sum().backward()
        res.append((gx.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()))
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


def test_notes_network_trains_like_torch():
    def build(nn):
        return nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(3, 32, 3, 1, 1)), ("relu1", nn.ReLU()),
            ("pool", nn.MaxPool2d(2)), ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(32 * 3 * 3, 128)), ("relu2", nn.ReLU()),
            ("fc2", nn.Linear(128, 10))]))

    e_net, t_net = build(enn), build(torch.nn)
    assert repr(e_net) == repr(t_net)
    copy_torch_state(e_net, t_net)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3, 6, 6)).astype("float32")
    labels = rng.integers(0, 10, 8)
    for _ in range(3):
        losses = []
        for lib, net in ((ember, e_net), (torch, t_net)):
            out = net(lib.from_numpy(x.copy()))
            loss = lib.nn.functional.cross_entropy(out, lib.from_numpy(labels.copy()))
            net.zero_grad()
            loss.backward()
            with lib.no_grad():
                for p in net.parameters():
                    p -= 0.1 * p.grad
            losses.append(loss.item())
        assert abs(losses[0] - losses[1]) < 1e-5
    for (name, ep), (_, tp) in zip(e_net.named_parameters(), t_net.named_parameters()):
        np.testing.assert_allclose(ep.detach().numpy(), tp.detach().numpy(), atol=1e-5,
                                   err_msg=name)


def test_conv_output_is_contiguous_nchw():
    # torch code calls .view on conv outputs; the channel-major GEMM result must not leak out
    y = enn.Conv2d(2, 4, 3, padding=1)(ember.randn(3, 2, 5, 5))
    assert y.is_contiguous()
    assert tuple(y.view(3, -1).shape) == (3, 100)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_mode_gradcheck_and_gradgradcheck(mode):
    m = enn.Conv2d(1, 1, 3, padding=(1, 2), padding_mode=mode).double()
    x = ember.randn(1, 1, 3, 4, dtype=ember.float64).requires_grad_(True)
    assert ember.autograd.gradcheck(m, (x,))
    assert ember.autograd.gradgradcheck(m, (x,))


@pytest.mark.parametrize("nd, kwargs", [(1, dict(stride=2, padding=1)),
                                        (2, dict(stride=(2, 1), padding=1, groups=2)),
                                        (3, dict(dilation=2, padding=(0, 1, 1)))])
def test_nn_grad_conv_input_and_weight_match_torch(nd, kwargs):
    rng = np.random.default_rng(nd)
    x = rng.standard_normal((2, 4) + (7,) * nd).astype(np.float32)
    w = rng.standard_normal((6, 4 // kwargs.get("groups", 1)) + (3,) * nd).astype(np.float32)
    conv = getattr(torch.nn.functional, "conv%dd" % nd)
    go = rng.standard_normal(conv(torch.tensor(x), torch.tensor(w), **kwargs).shape)
    go = go.astype(np.float32)
    for which, args in (("input", lambda lib: (x.shape, lib.tensor(w), lib.tensor(go))),
                        ("weight", lambda lib: (lib.tensor(x), w.shape, lib.tensor(go)))):
        name = "conv%dd_%s" % (nd, which)
        mine = getattr(ember.nn.grad, name)(*args(ember), **kwargs)
        theirs = getattr(torch.nn.grad, name)(*args(torch), **kwargs)
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-4, atol=1e-5)
