"""AdaptiveLogSoftmaxWithLoss and ChannelShuffle against torch: outputs, loss, gradients,
log_prob, predict, state_dict keys, repr, errors."""
import numpy as np
import pytest
import torch

import ember
from tests.nn._helpers import assert_close, copy_weights, ember_repr, to_ember


def _pair(**kwargs):
    args = dict(in_features=8, n_classes=12, cutoffs=[3, 7], div_value=2.0)
    args.update(kwargs)
    t, e = torch.nn.AdaptiveLogSoftmaxWithLoss(**args), ember.nn.AdaptiveLogSoftmaxWithLoss(**args)
    copy_weights(t, e)
    return t, e


@pytest.mark.parametrize("kwargs, target", [
    ({}, [0, 4, 11, 2, 7, 5]), ({"head_bias": True}, [1, 1, 2, 0, 2, 1]),
    ({"cutoffs": [2], "div_value": 4.0}, [9, 3, 10, 11, 4, 6])])
def test_adaptive_log_softmax_matches_torch(kwargs, target):
    t, e = _pair(**kwargs)
    assert ember_repr(t) == repr(e) and list(e.state_dict()) == list(t.state_dict())
    x = torch.randn(6, 8, requires_grad=True)
    xe = to_ember(x)
    out_t, out_e = t(x, torch.tensor(target)), e(xe, ember.tensor(target))
    assert_close(out_e.output, out_t.output)
    assert_close(out_e.loss, out_t.loss)
    out_t.loss.backward()
    out_e.loss.backward()
    assert_close(xe.grad, x.grad)
    for (name, tp), ep in zip(t.named_parameters(), e.parameters()):
        if tp.grad is None:
            assert ep.grad is None, name
        else:
            assert_close(ep.grad, tp.grad, what=name)
    assert_close(e.log_prob(xe), t.log_prob(x))
    np.testing.assert_array_equal(e.predict(xe).numpy(), t.predict(x).numpy())
    one_t, one_e = t(x[0], torch.tensor(target[0])), e(xe[0], ember.tensor(target[0]))
    assert_close(one_e.output, one_t.output)


def test_adaptive_log_softmax_errors_match_torch():
    cases = [(dict(cutoffs=[]), None), (dict(cutoffs=[5, 3]), None),
             (dict(cutoffs=[3, 12]), None), ({}, ([2, 8], [1, 2, 3])),
             ({}, ([2, 8], [1, 12])), ({}, ([8], [1, 2])), ({}, ([2, 8], [[1], [2]]))]
    for kwargs, call in cases:
        args = dict(in_features=8, n_classes=12, cutoffs=[3, 7])
        args.update(kwargs)
        outcomes = []
        for lib in (torch, ember):
            with pytest.raises(Exception) as info:
                module = lib.nn.AdaptiveLogSoftmaxWithLoss(**args)
                module(lib.randn(*call[0]), lib.tensor(call[1]))
            outcomes.append((info.type, str(info.value).replace("torch.", "ember.")))
        assert outcomes[1] == outcomes[0]


def test_channel_shuffle_module_matches_torch():
    t, e = torch.nn.ChannelShuffle(3), ember.nn.ChannelShuffle(3)
    assert ember_repr(t) == repr(e)
    x = torch.randn(2, 6, 2, 2)
    assert_close(e(to_ember(x)), t(x))


@pytest.mark.parametrize("kwargs, target_shape", [
    ({}, (5,)), ({"bias": True, "label_smoothing": 0.1, "reduction": "sum"}, (5,)),
    ({"out_features": (2,), "bias": True, "reduction": "none", "ignore_index": 1}, (5, 2))])
def test_linear_cross_entropy_loss_matches_torch(kwargs, target_shape):
    t = torch.nn.LinearCrossEntropyLoss(4, 3, **kwargs)
    e = ember.nn.LinearCrossEntropyLoss(4, 3, **kwargs)
    copy_weights(t, e)
    assert ember_repr(t) == repr(e) and list(e.state_dict()) == list(t.state_dict())
    x = torch.randn(5, 4, requires_grad=True)
    xe = to_ember(x)
    target = torch.randint(0, 3, target_shape)
    lt, le = t(x, target), e(xe, to_ember(target))
    assert_close(le, lt)
    lt.sum().backward()
    le.sum().backward()
    assert_close(xe.grad, x.grad)
    assert_close(e.linear.weight.grad, t.linear.weight.grad)


def test_linear_cross_entropy_options_match_torch():
    for lib in (torch, ember):
        options = lib.nn.LinearCrossEntropyOptions(batch_chunk_size=2)
        x, w = lib.ones(3, 4), lib.ones(5, 4)
        loss = lib.nn.functional.linear_cross_entropy(x, w, lib.tensor([0, 1, 4]),
                                                      options=options)
        assert abs(loss.item() - np.log(5)) < 1e-5
        with pytest.warns(UserWarning, match="``options`` ignored"):
            lib.nn.functional.linear_cross_entropy(x, w, lib.tensor([0, 1, 4]),
                                                   label_smoothing=0.1, options=options)
        for bad in (dict(acc_policy="fast"), dict(chunking_method="rows"),
                    dict(batch_chunk_size=0)):
            with pytest.raises(ValueError):
                lib.nn.LinearCrossEntropyOptions(**bad)
    assert repr(ember.nn.LinearCrossEntropyOptions()) == repr(torch.nn.LinearCrossEntropyOptions())
