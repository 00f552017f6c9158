"""The legacy API still in tutorials and books behaves as in torch: legacy tensor types,
Variable, ``x.type(...)``, ``volatile``, ``set_default_tensor_type``, losses' ``size_average``,
``F.sigmoid``, ``init.xavier_uniform``, ``torch.Tensor(2, 3)``, the math constants."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember

_TYPES = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
          "CharTensor", "ByteTensor", "BoolTensor", "BFloat16Tensor"]


@pytest.mark.parametrize("name", _TYPES)
def test_legacy_types_construct_check_and_convert(name):
    e_type, t_type = getattr(ember, name), getattr(torch, name)
    assert repr(e_type) == repr(t_type)
    assert str(e_type(2, 3).dtype)[6:] == str(t_type(2, 3).dtype)[6:]
    assert tuple(e_type(2, 3).shape) == tuple(t_type(2, 3).shape) == (2, 3)
    assert tuple(e_type().shape) == tuple(t_type().shape) == (0,)
    data = [1.7, 0.0, -2.2] if name not in ("ByteTensor",) else [1.7, 0.0, 2.2]
    # values compared as float64 (torch's bfloat16 tensors have no .numpy())
    np.testing.assert_array_equal(e_type(data).double().numpy(), t_type(data).double().numpy())
    x, y = ember.tensor([1.5, -2.0]), torch.tensor([1.5, -2.0])
    np.testing.assert_array_equal(x.type(e_type).double().numpy(),
                                  y.type(t_type).double().numpy())
    assert x.type(e_type).type() == y.type(t_type).type() == "torch." + name
    assert x.type("torch." + name).type() == "torch." + name
    for e, t in ((x, y), (x.long(), y.long())):
        assert isinstance(e, e_type) == isinstance(t, t_type)


def test_legacy_type_errors():
    with pytest.raises(ValueError):
        ember.ones(2).type("torch.NoSuchTensor")
    with pytest.raises(TypeError, match="not compiled with CUDA"):
        ember.ones(2).type(ember.cuda.FloatTensor)
    with pytest.raises(TypeError):
        torch.FloatTensor(torch.ones(2, dtype=torch.int64))
    with pytest.raises(TypeError):
        ember.FloatTensor(ember.ones(2, dtype=ember.int64))


def test_variable():
    x, tx = ember.ones(2), torch.ones(2)
    v, tv = ember.autograd.Variable(x, requires_grad=True), torch.autograd.Variable(
        tx, requires_grad=True)
    assert (v is x, v.requires_grad, x.requires_grad) == (tv is tx, tv.requires_grad,
                                                          tx.requires_grad)
    assert isinstance(x, ember.autograd.Variable) and isinstance(tx, torch.autograd.Variable)
    (v * 3).sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [3.0, 3.0])
    v.data.fill_(5)  # shares the data, as in torch
    assert x[0].item() == 5
    with pytest.warns(UserWarning, match="volatile was removed"):
        ember.autograd.Variable(x, volatile=True)
    with pytest.warns(UserWarning, match="volatile was removed"):
        assert x.volatile is False


def test_set_default_tensor_type():
    with pytest.warns(UserWarning, match="deprecated"):
        ember.set_default_tensor_type(ember.DoubleTensor)
    assert ember.ones(1).dtype == ember.float64
    with pytest.warns(UserWarning):
        ember.set_default_tensor_type("torch.FloatTensor")
    assert ember.ones(1).dtype == ember.float32
    with pytest.raises(TypeError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.set_default_tensor_type(ember.LongTensor)


def test_old_spellings_match_torch():
    x = np.linspace(-2, 2, 5, dtype=np.float32)
    for name in ("sigmoid", "tanh"):
        np.testing.assert_allclose(getattr(ember.nn.functional, name)(ember.tensor(x)).numpy(),
                                   getattr(torch.nn.functional, name)(torch.tensor(x)).numpy(),
                                   rtol=1e-6)
    w = ember.empty(3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.nn.init.xavier_uniform(w)
    assert float(w.abs().max()) <= math.sqrt(6 / 7) + 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loss = ember.nn.MSELoss(size_average=False)(ember.tensor(x), ember.zeros(5))
        expected = torch.nn.MSELoss(size_average=False)(torch.tensor(x), torch.zeros(5))
    assert loss.item() == pytest.approx(expected.item())
    assert tuple(ember.Tensor(2, 3).shape) == tuple(torch.Tensor(2, 3).shape)


def test_constants():
    for name in ("pi", "e", "inf", "nan", "newaxis"):
        mine, theirs = getattr(ember, name), getattr(torch, name)
        assert mine == theirs or (math.isnan(mine) and math.isnan(theirs))


def test_compile_returns_a_model_with_the_same_results():
    model = ember.nn.Linear(3, 2)
    compiled = ember.compile(model, mode="max-autotune", fullgraph=True)
    x = ember.randn(4, 3)
    np.testing.assert_array_equal(compiled(x).detach().numpy(), model(x).detach().numpy())

    @ember.compile(dynamic=True)
    def double(x):
        return x * 2

    assert double(ember.tensor(2.0)).item() == 4.0
    with pytest.raises(AssertionError, match="callable function is expected"):
        ember.compile(3)
    with pytest.raises(AssertionError, match="callable function is expected"):
        torch.compile(3)
