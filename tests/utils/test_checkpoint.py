"""utils.checkpoint: the segment is recomputed in backward and gradients equal torch's."""
import numpy as np
import pytest
import torch

import ember


def _pair(dropout=0.0):
    t_layers = [torch.nn.Linear(4, 4), torch.nn.Tanh(), torch.nn.Dropout(dropout),
                torch.nn.Linear(4, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)]
    e_layers = [ember.nn.Linear(4, 4), ember.nn.Tanh(), ember.nn.Dropout(dropout),
                ember.nn.Linear(4, 4), ember.nn.ReLU(), ember.nn.Linear(4, 2)]
    t_model, e_model = torch.nn.Sequential(*t_layers), ember.nn.Sequential(*e_layers)
    e_model.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t_model.state_dict().items()})
    return e_model, t_model


def _grads(model):
    return [p.grad.numpy() for p in model.parameters()]


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_gradients_match_torch(use_reentrant):
    e_model, t_model = _pair()
    x = np.random.randn(3, 4).astype(np.float32)
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    calls = []

    def segment(h):
        calls.append(1)
        return e_model[:3](h)

    e_out = e_model[3:](ember.utils.checkpoint.checkpoint(segment, ex,
                                                          use_reentrant=use_reentrant))
    t_out = t_model[3:](torch.utils.checkpoint.checkpoint(t_model[:3], tx,
                                                          use_reentrant=use_reentrant))
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5)
    assert len(calls) == 1
    e_out.sum().backward()
    t_out.sum().backward()
    assert len(calls) == 2  # recomputed in backward
    for e, t in zip(_grads(e_model), _grads(t_model)):
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_recomputation_replays_dropout():
    e_model, _ = _pair(dropout=0.5)
    x = ember.randn(8, 4, requires_grad=True)
    ember.manual_seed(3)
    out = ember.utils.checkpoint.checkpoint(e_model, x, use_reentrant=False)
    out.sum().backward()
    expected = [g.copy() for g in _grads(e_model)] + [x.grad.numpy().copy()]
    e_model.zero_grad()
    x.grad = None
    ember.manual_seed(3)
    e_model(x).sum().backward()
    for e, g in zip(expected, _grads(e_model) + [x.grad.numpy()]):
        np.testing.assert_allclose(e, g, rtol=1e-6)


def test_checkpoint_sequential_and_warnings():
    e_model, t_model = _pair()
    x = np.random.randn(3, 4).astype(np.float32)
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    e_out = ember.utils.checkpoint.checkpoint_sequential(e_model, 3, ex, use_reentrant=True)
    t_out = torch.utils.checkpoint.checkpoint_sequential(t_model, 3, tx, use_reentrant=True)
    e_out.sum().backward()
    t_out.sum().backward()
    for e, t in zip(_grads(e_model), _grads(t_model)):
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed"):
        ember.utils.checkpoint.checkpoint(e_model, ex)
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad"):
        ember.utils.checkpoint.checkpoint(e_model, ember.ones(1, 4), use_reentrant=True)
    with pytest.raises(ValueError, match="Unexpected keyword arguments"):
        ember.utils.checkpoint.checkpoint(e_model, ex, use_reentrant=True, foo=1)


def test_checkpoint_settings_and_helpers_match_torch():
    import torch.utils.checkpoint as tc

    import ember.utils.checkpoint as ec
    for lib in (tc, ec):
        assert lib.DefaultDeviceType.get_device_type() == "cpu"
        assert lib.get_device_states(lib.__name__ and (torch.ones(2) if lib is tc
                                                       else ember.ones(2)), 3) == ([], [])
        lib.set_device_states([], [])
        with lib.set_checkpoint_early_stop(False):
            assert lib._enable_checkpoint_early_stop is False
        with lib.set_checkpoint_debug_enabled(True):
            assert lib._checkpoint_debug_enabled is True
        assert lib._enable_checkpoint_early_stop is None and lib._checkpoint_debug_enabled is None
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        ec.check_backward_validity([ember.ones(2), 3])
    ec.check_backward_validity([ember.ones(2, requires_grad=True)])
