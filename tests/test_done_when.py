"""The issue's acceptance loop: a softmax-regression training loop written for torch runs with
``import ember as torch`` and gives torch's losses and weights after every step, from the same
initial weights and data."""
import numpy as np
import torch

import ember


def _batches(rng, n_batches=4, batch=32):
    return [(rng.standard_normal((batch, 784)).astype(np.float32),
             rng.integers(0, 10, size=batch).astype(np.int64)) for _ in range(n_batches)]


def _train(torch, w0, batches):
    """The issue's loop verbatim; ``torch`` is either ember or torch."""
    w = torch.tensor(w0, requires_grad=True)
    b = torch.zeros(10, requires_grad=True)
    history = []
    for xa, ya in batches:
        x, y = torch.from_numpy(xa), torch.from_numpy(ya)
        loss = -torch.log_softmax(x @ w + b, dim=1).gather(1, y[:, None]).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
            w.grad.zero_()
            b.grad.zero_()
        history.append((loss.item(), w.detach().numpy().copy(), b.detach().numpy().copy()))
    return history, w, b


def test_acceptance_loop_matches_torch():
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((784, 10)).astype(np.float32)
    batches = _batches(rng)
    e_hist, ew, eb = _train(ember, w0, batches)
    t_hist, tw, tb = _train(torch, w0, batches)
    for step, ((el, ewk, ebk), (tl, twk, tbk)) in enumerate(zip(e_hist, t_hist)):
        np.testing.assert_allclose(el, tl, rtol=1e-5, err_msg="loss at step %d" % step)
        np.testing.assert_allclose(ewk, twk, rtol=1e-5, atol=1e-6, err_msg="w at step %d" % step)
        np.testing.assert_allclose(ebk, tbk, rtol=1e-5, atol=1e-6, err_msg="b at step %d" % step)
    assert e_hist[-1][0] != e_hist[0][0]
    assert ew.is_leaf and ew.requires_grad and ew.grad.abs().sum().item() == 0
    assert ew.dtype is ember.float32 and eb.dtype is ember.float32


def test_acceptance_loop_with_randn_initialisation_runs():
    # the exact first line: ember's own randn (its numbers differ from torch's stream)
    ember.manual_seed(0)
    w = ember.randn(784, 10, requires_grad=True)
    b = ember.zeros(10, requires_grad=True)
    rng = np.random.default_rng(1)
    losses = []
    for xa, ya in _batches(rng, n_batches=3):
        x, y = ember.tensor(xa), ember.tensor(ya)
        loss = -ember.log_softmax(x @ w + b, dim=1).gather(1, y[:, None]).mean()
        loss.backward()
        with ember.no_grad():
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
            w.grad.zero_()
            b.grad.zero_()
        losses.append(loss.item())
    assert all(np.isfinite(losses)) and w.is_leaf
