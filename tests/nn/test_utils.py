"""ember.nn.utils against torch: gradient clipping and parameter/vector conversion."""
import numpy as np
import pytest
import torch

import ember
from tests.nn._helpers import copy_weights, to_ember


def _pair_with_grads():
    t = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2))
    e = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.Linear(3, 2))
    copy_weights(t, e)
    x = torch.randn(5, 4) * 10
    t(x).pow(2).sum().backward()
    e(to_ember(x)).pow(2).sum().backward()
    return t, e


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    t, e = _pair_with_grads()
    t_total = torch.nn.utils.clip_grad_norm_(t.parameters(), max_norm, norm_type)
    e_total = ember.nn.utils.clip_grad_norm_(e.parameters(), max_norm, norm_type)
    assert isinstance(e_total, ember.Tensor)
    np.testing.assert_allclose(e_total.item(), t_total.item(), rtol=1e-5)
    for tp, ep in zip(t.parameters(), e.parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_nonfinite_error():
    p = ember.nn.Parameter(ember.ones(2))
    p.grad = ember.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        ember.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch():
    t, e = _pair_with_grads()
    torch.nn.utils.clip_grad_value_(t.parameters(), 0.7)
    ember.nn.utils.clip_grad_value_(e.parameters(), 0.7)
    for tp, ep in zip(t.parameters(), e.parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-6)


def test_parameters_to_vector_and_back():
    t, e = _pair_with_grads()
    tv = torch.nn.utils.parameters_to_vector(t.parameters())
    ev = ember.nn.utils.parameters_to_vector(e.parameters())
    np.testing.assert_allclose(ev.detach().numpy(), tv.detach().numpy(), rtol=1e-6)
    ember.nn.utils.vector_to_parameters(ev * 0 + 1, e.parameters())
    assert all((p.detach().numpy() == 1).all() for p in e.parameters())
    with pytest.raises(TypeError):
        ember.nn.utils.vector_to_parameters([1.0], e.parameters())
