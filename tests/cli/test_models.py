"""The ``--model`` networks against the same networks written with torch.nn."""
from collections import OrderedDict

import numpy as np
import pytest
import torch
from torch import nn

import ember
from ember.cli.models import MODELS, build_model
from tests.nn._helpers import copy_weights, ember_repr


class TorchNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, 32, 3, 1, 1)), ("relu1", nn.ReLU()),
            ("pool", nn.MaxPool2d(2))]))
        self.dense = nn.Sequential(OrderedDict([
            ("dense1", nn.Linear(32 * 14 * 14, 128)), ("relu2", nn.ReLU()),
            ("dense2", nn.Linear(128, 10))]))

    def forward(self, x):
        x = self.conv(x)
        return self.dense(x.view(x.size(0), -1))


class TorchLeNet5(TorchNet):
    def __init__(self):
        nn.Module.__init__(self)
        self.conv = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(1, 6, 5, padding=2)), ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)), ("conv2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2))]))
        self.dense = nn.Sequential(OrderedDict([
            ("dense1", nn.Linear(400, 120)), ("relu3", nn.ReLU()), ("dense2", nn.Linear(120, 84)),
            ("relu4", nn.ReLU()), ("dense3", nn.Linear(84, 10))]))


class TorchMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Sequential(OrderedDict([
            ("dense1", nn.Linear(784, 256)), ("relu1", nn.ReLU()), ("dense2", nn.Linear(256, 10))]))

    def forward(self, x):
        return self.dense(x.view(x.size(0), -1))


TWINS = {"net": TorchNet, "lenet5": TorchLeNet5, "mlp": TorchMLP}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_matches_its_torch_twin(name):
    t_model, e_model = TWINS[name](), build_model(name)
    assert ember_repr(t_model).replace("Torch", "") == repr(e_model)
    assert {k: tuple(v.shape) for k, v in t_model.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in e_model.state_dict().items()}
    assert list(t_model.state_dict()) == list(e_model.state_dict())
    copy_weights(t_model, e_model)
    x = np.random.default_rng(0).standard_normal((5, 1, 28, 28)).astype(np.float32)
    t_out = t_model(torch.from_numpy(x))
    e_out = e_model(ember.from_numpy(x))
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), atol=2e-5,
                               rtol=1e-5)
    t_out.logsumexp(1).sum().backward()
    e_out.logsumexp(1).sum().backward()
    for (key, t_param), e_param in zip(t_model.named_parameters(), e_model.parameters()):
        np.testing.assert_allclose(e_param.grad.numpy(), t_param.grad.numpy(), atol=1e-4,
                                   rtol=1e-4, err_msg=key)


def test_the_notes_network_has_the_notes_size():
    assert sum(p.numel() for p in build_model("net").parameters()) == (
        32 * 9 + 32 + 6272 * 128 + 128 + 128 * 10 + 10)


def test_unknown_model_name():
    with pytest.raises(ValueError, match="unknown model 'vgg'"):
        build_model("vgg")
