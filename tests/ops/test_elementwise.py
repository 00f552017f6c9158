"""Elementwise behaviour the registry's samples cannot cover (discontinuities, scalar paths)."""
import numpy as np
import torch

import ember


def test_round_half_to_even_like_torch():
    values = [0.5, 1.5, 2.5, -0.5, -1.5, 1.25, 3.14159]
    e = ember.round(ember.tensor(values))
    t = torch.round(torch.tensor(values))
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_scalar_operands_keep_tensor_dtype_and_grad():
    for dtype in ("float32", "float64"):
        x = np.array([1.5, -2.0, 3.0], dtype=dtype)
        ex = ember.tensor(x, requires_grad=True)
        tx = torch.tensor(x, requires_grad=True)
        e = (2.0 - ex) * 3 / 2.5 + 1 - (4 / ex) + 2 ** ex + ex ** 2
        t = (2.0 - tx) * 3 / 2.5 + 1 - (4 / tx) + 2 ** tx + tx ** 2
        assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6)
        e.sum().backward()
        t.sum().backward()
        np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-6)


def test_integer_tensor_with_float_scalar_gives_default_dtype():
    for op in (lambda a: a * 2.5, lambda a: a + 0.5, lambda a: a / 2, lambda a: 1.5 - a):
        e = op(ember.tensor([1, 2, 3]))
        t = op(torch.tensor([1, 2, 3]))
        assert e.dtype == ember.float32 and t.dtype == torch.float32
        np.testing.assert_allclose(e.numpy(), t.numpy())


def test_fused_activation_second_derivatives_match_torch():
    x = np.array([-1.5, -0.2, 0.3, 2.0], dtype=np.float64)
    for name in ("tanh", "sigmoid", "relu"):
        ex = ember.tensor(x, requires_grad=True)
        tx = torch.tensor(x, requires_grad=True)
        (eg,) = ember.autograd.grad(getattr(ember, name)(ex).pow(2).sum(), ex, create_graph=True)
        (tg,) = torch.autograd.grad(getattr(torch, name)(tx).pow(2).sum(), tx, create_graph=True)
        (egg,) = ember.autograd.grad(eg.sum(), ex)
        (tgg,) = torch.autograd.grad(tg.sum(), tx)
        np.testing.assert_allclose(eg.detach().numpy(), tg.detach().numpy(), rtol=1e-10)
        np.testing.assert_allclose(egg.numpy(), tgg.numpy(), rtol=1e-10)


def test_inplace_fast_path_matches_out_of_place():
    a = ember.tensor([1.0, 2.0, 3.0])
    b = ember.tensor([0.5, 0.5, 0.5])
    with ember.no_grad():
        v0 = a._version
        a.add_(b, alpha=2).mul_(3).sub_(1.0).div_(2)
    assert a._version == v0 + 4
    np.testing.assert_allclose(a.numpy(), ((np.array([1, 2, 3.0]) + 1) * 3 - 1) / 2)
