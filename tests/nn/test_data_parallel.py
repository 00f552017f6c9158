"""nn.DataParallel and nn.parallel.data_parallel on a machine without GPUs, as torch's."""
import numpy as np
import torch

import ember


def test_data_parallel_wraps_like_torch():
    t_model = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    e_model = ember.nn.DataParallel(ember.nn.Linear(3, 2))
    assert list(e_model.state_dict()) == list(t_model.state_dict()) == ["module.weight",
                                                                         "module.bias"]
    assert repr(e_model) == repr(t_model)
    assert e_model.device_ids == t_model.device_ids == []
    e_model.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t_model.state_dict().items()})
    x = np.random.randn(4, 3).astype(np.float32)
    e_out, t_out = e_model(ember.tensor(x)), t_model(torch.tensor(x))
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-6)
    e_out.sum().backward()
    t_out.sum().backward()
    np.testing.assert_allclose(e_model.module.weight.grad.numpy(),
                               t_model.module.weight.grad.numpy(), rtol=1e-6)
    assert e_model.module.weight is list(e_model.parameters())[0]


def test_functional_data_parallel():
    linear = ember.nn.Linear(3, 2)
    x = ember.randn(4, 3)
    out = ember.nn.parallel.data_parallel(linear, x)
    np.testing.assert_array_equal(out.detach().numpy(), linear(x).detach().numpy())
    bilinear = ember.nn.Bilinear(3, 3, 1)
    out = ember.nn.parallel.data_parallel(bilinear, (x, x), device_ids=None)
    assert tuple(out.shape) == (4, 1)
