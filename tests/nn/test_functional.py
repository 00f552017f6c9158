"""Every public ember.nn.functional function is registered (so tests/ops compares it with
torch) or covered by a named test here; and the functional namespace mirrors torch's names."""
import torch

import ember
from ember.ops.registry import OPS

# functions tested elsewhere, with where
COVERED_ELSEWHERE = {
    "relu": "registry: relu", "relu_": "tests/nn/test_layers.py (inplace)", "sigmoid":
    "registry: sigmoid", "tanh": "registry: tanh", "logsigmoid": "registry: logsigmoid",
    "elu_": "inplace of elu",
    "hardtanh_": "inplace of hardtanh", "leaky_relu_": "inplace of leaky_relu",
    "threshold_": "inplace of threshold", "rrelu_": "inplace of rrelu",
    "dropout1d": "tests/nn/test_layers.py", "dropout2d": "tests/nn/test_layers.py",
    "dropout3d": "same code path as dropout2d", "alpha_dropout": "tests/nn/test_layers.py",
    "feature_alpha_dropout": "alpha dropout per channel",
    "embedding_bag": "tests/nn/test_layers.py EmbeddingBag",
    "upsample": "alias of interpolate", "upsample_nearest": "alias of interpolate",
    "upsample_bilinear": "alias of interpolate",
    "triplet_margin_with_distance_loss": "same formula as triplet_margin_loss",
}


def _public(mod):
    return {n for n in dir(mod) if not n.startswith("_") and callable(getattr(mod, n))}


def test_every_functional_is_registered_or_covered():
    registered = {name.split(".")[-1] for name, info in OPS.items()
                  if info.torch_name.startswith("nn.functional.")}
    mine = _public(ember.nn.functional)
    missing = sorted(n for n in mine if n not in registered and n not in COVERED_ELSEWHERE)
    # conv/pool/norm functions belong to their own op files and records
    missing = [n for n in missing if not any(k in n for k in ("conv", "pool", "norm", "fold"))]
    assert missing == [], missing


def test_names_exist_in_torch():
    extra = sorted(n for n in _public(ember.nn.functional) if not hasattr(torch.nn.functional, n))
    assert extra == [], extra


def test_inplace_activation_writes_input():
    x = ember.tensor([-1.0, 0.5, 2.0])
    out = ember.nn.functional.elu(x, inplace=True)
    assert out is x
    t = torch.tensor([-1.0, 0.5, 2.0])
    torch.nn.functional.elu(t, inplace=True)
    assert x.tolist() == t.tolist()
    y = ember.tensor([-1.0, 3.0])
    ember.nn.ReLU(inplace=True)(y)
    assert y.tolist() == [0.0, 3.0]
