"""An MLP 784-256-128-10 trained with cross-entropy and manual SGD follows torch step by step."""
import numpy as np

import ember
import torch
from tests.nn._helpers import copy_weights, to_ember


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def test_mlp_sgd_steps_match_torch():
    t_net, e_net = _mlp(torch), _mlp(ember)
    copy_weights(t_net, e_net)
    g = torch.Generator().manual_seed(0)
    lr = 0.1
    for step in range(4):
        x = torch.randn(64, 784, generator=g)
        y = torch.randint(0, 10, (64,), generator=g)
        t_loss = torch.nn.functional.cross_entropy(t_net(x), y)
        e_loss = ember.nn.functional.cross_entropy(e_net(to_ember(x)), to_ember(y))
        np.testing.assert_allclose(e_loss.item(), t_loss.item(), rtol=1e-5)
        t_net.zero_grad()
        e_net.zero_grad()
        t_loss.backward()
        e_loss.backward()
        with torch.no_grad():
            for p in t_net.parameters():
                p -= lr * p.grad
        with ember.no_grad():
            for p in e_net.parameters():
                p -= lr * p.grad
        for (name, tp), ep in zip(t_net.named_parameters(), e_net.parameters()):
            np.testing.assert_allclose(ep.detach().numpy(), tp.detach().numpy(), rtol=1e-4,
                                       atol=1e-6, err_msg="step %d %s" % (step, name))


def test_second_derivative_through_linear_and_cross_entropy():
    t_net, e_net = torch.nn.Linear(5, 3), ember.nn.Linear(5, 3)
    copy_weights(t_net, e_net)
    x = torch.randn(4, 5, dtype=torch.float32)
    y = torch.tensor([0, 2, 1, 2])
    tx, ex = x.clone().requires_grad_(), to_ember(x).requires_grad_()
    t_loss = torch.nn.functional.cross_entropy(t_net(tx), y, label_smoothing=0.1)
    e_loss = ember.nn.functional.cross_entropy(e_net(ex), to_ember(y), label_smoothing=0.1)
    (tg,) = torch.autograd.grad(t_loss, tx, create_graph=True)
    (eg,) = ember.autograd.grad(e_loss, ex, create_graph=True)
    np.testing.assert_allclose(eg.detach().numpy(), tg.detach().numpy(), rtol=1e-5, atol=1e-7)
    (tg * tg).sum().backward()
    (eg * eg).sum().backward()
    np.testing.assert_allclose(e_net.weight.grad.numpy(), t_net.weight.grad.numpy(), rtol=1e-4,
                               atol=1e-7)
