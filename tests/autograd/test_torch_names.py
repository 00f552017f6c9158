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
