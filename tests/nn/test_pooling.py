"""Pooling layers against torch: outputs, gradients, indices and repr."""
import numpy as np
import pytest
import torch

import ember
import ember.nn as enn
from tests.nn.test_conv import compare_module

POOL_CASES = [
    ("MaxPool1d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 10)),
    ("MaxPool1d", (2,), dict(return_indices=True), (2, 3, 9)),
    ("MaxPool2d", (2,), {}, (4, 8, 28, 28)),
    ("MaxPool2d", (2,), {}, (2, 3, 7, 9)),
    ("MaxPool2d", (3, 2, 1), dict(dilation=(1, 2)), (2, 3, 9, 10)),
    ("MaxPool2d", ((3, 2),), dict(stride=(2, 1), ceil_mode=True, return_indices=True),
     (2, 3, 8, 7)),
    ("MaxPool2d", (2,), {}, (3, 6, 6)),
    ("AvgPool1d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 10)),
    ("AvgPool2d", (2,), {}, (4, 8, 28, 28)),
    ("AvgPool2d", (3, 2, 1), dict(ceil_mode=True), (2, 3, 8, 9)),
    ("AvgPool2d", (3, 2, 1), dict(ceil_mode=True, count_include_pad=False), (2, 3, 8, 9)),
    ("AvgPool2d", ((2, 3),), dict(divisor_override=4), (2, 3, 6, 9)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 10)),
    ("AdaptiveAvgPool2d", ((3, 5),), {}, (2, 3, 7, 11)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 7, 7)),
    ("AdaptiveMaxPool1d", (3,), {}, (2, 3, 8)),
    ("AdaptiveMaxPool2d", ((3, None),), dict(return_indices=True), (2, 3, 7, 5)),
    ("AdaptiveMaxPool2d", (4,), {}, (2, 3, 9, 10)),
    ("LPPool1d", (2, 3), dict(stride=2), (2, 3, 9)),
    ("LPPool2d", (2, 2), {}, (2, 3, 6, 6)),
    ("LPPool2d", (3, (2, 3)), dict(stride=1, ceil_mode=True), (2, 3, 5, 6)),
    ("MaxPool3d", (2,), dict(return_indices=True), (2, 2, 4, 6, 5)),
    ("MaxPool3d", ((3, 2, 2), 2, 1), dict(ceil_mode=True, dilation=(1, 1, 2)), (1, 2, 5, 6, 7)),
    ("AvgPool3d", (2,), {}, (2, 2, 4, 6, 6)),
    ("AvgPool3d", (3, 2, 1), dict(count_include_pad=False, divisor_override=None), (2, 5, 6, 7)),
    ("AdaptiveAvgPool3d", ((2, None, 3),), {}, (2, 2, 5, 4, 7)),
    ("AdaptiveMaxPool3d", (2,), dict(return_indices=True), (2, 2, 5, 4, 7)),
    ("LPPool3d", (2, 2), {}, (1, 2, 4, 4, 4)),
]


@pytest.mark.parametrize("cls,args,kwargs,shape", POOL_CASES,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(POOL_CASES)])
def test_pool_module_matches_torch(cls, args, kwargs, shape):
    e_mod = getattr(enn, cls)(*args, **kwargs)
    t_mod = getattr(torch.nn, cls)(*args, **kwargs)
    assert repr(e_mod) == repr(t_mod)
    compare_module(e_mod, t_mod, shape, atol=1e-5, rtol=1e-5)


def _tied(shape, seed=0):
    """Values from a small integer set, so windows hold ties (as after ReLU)."""
    return np.random.default_rng(seed).integers(0, 3, shape).astype("float32")


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=2, stride=1), dict(kernel_size=3, stride=3)])
def test_max_pool_ties_route_gradient_to_first_maximum(kwargs):
    x = _tied((2, 3, 8, 8))
    ex = ember.from_numpy(x.copy()).requires_grad_(True)
    tx = torch.from_numpy(x.copy()).requires_grad_(True)
    e_out, e_idx = ember.nn.functional.max_pool2d(ex, return_indices=True, **kwargs)
    t_out, t_idx = torch.nn.functional.max_pool2d(tx, return_indices=True, **kwargs)
    np.testing.assert_array_equal(e_idx.numpy(), t_idx.numpy())
    g = np.random.default_rng(1).standard_normal(tuple(t_out.shape)).astype("float32")
    (e_out * ember.from_numpy(g)).sum().backward()
    (t_out * torch.from_numpy(g)).sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), atol=1e-6)


def test_max_pool_fast_path_gradient_on_tied_relu_output():
    # the 2x2 path computes its argmax lazily in backward; ReLU zeros make 4-way ties
    x = np.maximum(np.random.default_rng(2).standard_normal((4, 5, 12, 12)), 0).astype("f4")
    x[0, 0, :2, :2] = 0.0
    ex = ember.from_numpy(x.copy()).requires_grad_(True)
    tx = torch.from_numpy(x.copy()).requires_grad_(True)
    ember.nn.functional.max_pool2d(ex, 2).sum().backward()
    torch.nn.functional.max_pool2d(tx, 2).sum().backward()
    np.testing.assert_array_equal(ex.grad.numpy(), tx.grad.numpy())


def test_max_pool_nan_propagates_like_torch():
    x = np.random.default_rng(3).standard_normal((1, 1, 4, 4)).astype("f4")
    x[0, 0, 1, 2] = np.nan
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=1)):
        e = ember.nn.functional.max_pool2d(ember.from_numpy(x), **kw).numpy()
        t = torch.nn.functional.max_pool2d(torch.from_numpy(x), **kw).numpy()
        np.testing.assert_array_equal(np.isnan(e), np.isnan(t))
        np.testing.assert_allclose(e, t)


@pytest.mark.parametrize("pool,unpool,shape", [("MaxPool1d", "MaxUnpool1d", (2, 3, 9)),
                                               ("MaxPool2d", "MaxUnpool2d", (2, 3, 8, 8))])
def test_max_unpool_inverts_max_pool_like_torch(pool, unpool, shape):
    x = np.random.default_rng(4).standard_normal(shape).astype("f4")
    outs, reprs = [], []
    for lib in (ember, torch):
        pool_mod = getattr(lib.nn, pool)(2, return_indices=True)
        unpool_mod = getattr(lib.nn, unpool)(2)
        xt = lib.from_numpy(x.copy()).requires_grad_(True)
        y, idx = pool_mod(xt)
        z = unpool_mod(y, idx, output_size=xt.size())
        (z * z).sum().backward()
        outs.append((z.detach().numpy(), xt.grad.numpy()))
        reprs.append(repr(unpool_mod))
    assert reprs[0] == reprs[1]
    np.testing.assert_allclose(outs[0][0], outs[1][0])
    np.testing.assert_allclose(outs[0][1], outs[1][1])


def test_max_pool_2x2_keeps_input_dtype_and_is_contiguous():
    x = ember.randn(2, 3, 8, 8, dtype=ember.float64)
    y = ember.nn.MaxPool2d(2)(x)
    assert y.dtype == ember.float64 and y.is_contiguous()


def test_max_unpool3d_module_inverts_max_pool3d_like_torch():
    x = np.random.default_rng(4).standard_normal((2, 2, 4, 4, 6)).astype("f4")
    outs = []
    for lib in (torch, ember):
        pool, unpool = lib.nn.MaxPool3d(2, return_indices=True), lib.nn.MaxUnpool3d(2)
        assert repr(unpool) == "MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), " \
                               "padding=(0, 0, 0))"
        y, idx = pool(lib.tensor(x))
        outs.append(unpool(y, idx, output_size=(5, 5, 7)).numpy())
    np.testing.assert_array_equal(outs[1], outs[0])


@pytest.mark.parametrize("nd", [2, 3])
def test_fractional_max_pool_module_matches_torch(nd):
    rng = np.random.default_rng(nd)
    x = rng.standard_normal((2, 3) + (9,) * nd).astype(np.float32)
    samples = rng.random((2, 3, nd)).astype(np.float32)
    name = "FractionalMaxPool%dd" % nd
    for kwargs in ({"output_size": 4}, {"output_ratio": 0.5}):
        e_mod = getattr(ember.nn, name)(2, return_indices=True,
                                        _random_samples=ember.tensor(samples), **kwargs)
        t_mod = getattr(torch.nn, name)(2, return_indices=True,
                                        _random_samples=torch.tensor(samples), **kwargs)
        assert repr(e_mod) == repr(t_mod) and list(e_mod.state_dict()) == ["_random_samples"]
        assert (e_mod.kernel_size, e_mod.output_size, e_mod.output_ratio) == (
            t_mod.kernel_size, t_mod.output_size, t_mod.output_ratio)
        ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        (e_out, e_idx), (t_out, t_idx) = e_mod(ex), t_mod(tx)
        np.testing.assert_array_equal(e_out.detach().numpy(), t_out.detach().numpy())
        np.testing.assert_array_equal(e_idx.numpy(), t_idx.numpy())
        (e_out * e_out).sum().backward()
        (t_out * t_out).sum().backward()
        np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    # without samples each call draws its own windows: the shapes and the invariants hold
    out, idx = getattr(ember.nn, name)(3, output_size=5, return_indices=True)(ember.tensor(x))
    assert tuple(out.shape) == (2, 3) + (5,) * nd
    flat = ember.tensor(x).reshape(2, 3, -1)
    np.testing.assert_array_equal(ember.gather(flat, 2, idx.reshape(2, 3, -1)).numpy(),
                                  out.reshape(2, 3, -1).numpy())


@pytest.mark.parametrize("build", [
    lambda nn: nn.FractionalMaxPool2d(2),
    lambda nn: nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5),
    lambda nn: nn.FractionalMaxPool2d(2, output_ratio=1.5),
    lambda nn: nn.FractionalMaxPool3d(2, output_ratio=(0.5, 1.5, 0.5)),
])
def test_fractional_max_pool_module_errors(build):
    with pytest.raises(ValueError) as t_err:
        build(torch.nn)
    with pytest.raises(ValueError) as e_err:
        build(ember.nn)
    assert str(e_err.value) == str(t_err.value)
