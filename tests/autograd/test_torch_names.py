"""grad_fn names and leaf errors exactly as torch's (``repr`` shows ``grad_fn=<...>``)."""
import pytest
import torch

import ember


def test_masked_setitem_on_leaf_message():
    # torch: index_put_ on the leaf itself, not a view
    x = ember.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        x[x > 0] = 0.0
    assert str(info.value) == ("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")


@pytest.mark.parametrize("op,expected", [
    (lambda x: x.reshape(-1), "ViewBackward0"), (lambda x: x.t(), "TBackward0"),
    (lambda x: x.T, "PermuteBackward0"), (lambda x: x[0], "SelectBackward0"),
    (lambda x: x[:1], "SliceBackward0"), (lambda x: x @ x, "MmBackward0"),
    (lambda x: x[:1].squeeze(0), "SqueezeBackward1"), (lambda x: x.flatten(), "ViewBackward0"),
    (lambda x: x.sum(0), "SumBackward1"), (lambda x: 2 / x, "MulBackward0"),
    (lambda x: 2 ** x, "PowBackward2"), (lambda x: x.clamp(0, 1), "ClampBackward1"),
    (lambda x: x.square(), "PowBackward0"),
    (lambda x: x.new_zeros(0).__class__ and __import__(type(x).__module__.split(".")[0]).stack(
        [x, x]), "StackBackward0"),
    (lambda x: x ** x, "PowBackward1"),
])
def test_grad_fn_names_match_torch(op, expected):
    x = ember.tensor([[1.0, 2.0], [3.0, 4.5]], requires_grad=True)
    t = torch.tensor([[1.0, 2.0], [3.0, 4.5]], requires_grad=True)
    assert op(t).grad_fn.name() == expected  # the oracle
    assert op(x).grad_fn.name() == expected


_LOSSES = ["mse_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "soft_margin_loss", "l1_loss", "cross_entropy",
           "nll_loss", "multilabel_margin_loss", "multi_margin_loss"]


def _loss_args(lib, name):
    x = lib.tensor([[0.2, 0.7, 0.4], [0.9, 0.1, 0.5]], requires_grad=True)
    if name in ("cross_entropy", "nll_loss", "multi_margin_loss"):
        return x, lib.tensor([0, 2])
    if name == "multilabel_margin_loss":
        return x, lib.tensor([[2, -1, 0], [0, 1, -1]])
    if name == "soft_margin_loss":
        return x, lib.tensor([[1.0, -1.0, 1.0], [-1.0, 1.0, 1.0]])
    return x, lib.tensor([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5]])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", _LOSSES)
def test_loss_grad_fn_names_match_torch(name, reduction):
    e = getattr(ember.nn.functional, name)(*_loss_args(ember, name), reduction=reduction)
    t = getattr(torch.nn.functional, name)(*_loss_args(torch, name), reduction=reduction)
    assert e.grad_fn.name() == t.grad_fn.name()


@pytest.mark.parametrize("kwargs", [{"label_smoothing": 0.1}, {}])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_variants_names(kwargs, reduction):
    probs = [[0.2, 0.8, 0.0], [1.0, 0.0, 0.0]]
    for target_of in (lambda lib: lib.tensor([0, 2]), lambda lib: lib.tensor(probs)):
        e = ember.nn.functional.cross_entropy(_loss_args(ember, "mse_loss")[0], target_of(ember),
                                               reduction=reduction, **kwargs)
        t = torch.nn.functional.cross_entropy(_loss_args(torch, "mse_loss")[0], target_of(torch),
                                              reduction=reduction, **kwargs)
        assert e.grad_fn.name() == t.grad_fn.name()


@pytest.mark.parametrize("shape", [(3,), (2, 3), (4, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_and_full_max_names(shape, bias):
    e_layer, t_layer = ember.nn.Linear(3, 2, bias=bias), torch.nn.Linear(3, 2, bias=bias)
    assert e_layer(ember.ones(*shape)).grad_fn.name() == t_layer(
        torch.ones(*shape)).grad_fn.name()
    x = ember.ones(2, 2, requires_grad=True)
    assert (x.max().grad_fn.name(), x.min().grad_fn.name(), x.amax().grad_fn.name()) == (
        "MaxBackward1", "MinBackward1", "AmaxBackward0")
