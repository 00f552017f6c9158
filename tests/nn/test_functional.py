"""The functional namespace mirrors torch's names (that each function is registered or tested
against torch is checked by tests/ops/test_coverage.py)."""
import torch

import ember


def _public(mod):
    return {n for n in dir(mod) if not n.startswith("_") and callable(getattr(mod, n))}


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
