"""Build a torch module and its ember twin with the same weights, and compare them."""
import numpy as np
import torch

import ember


def to_ember(t, requires_grad=None):
    e = ember.from_numpy(t.detach().numpy().copy())
    if requires_grad if requires_grad is not None else t.requires_grad:
        e.requires_grad_(True)
    return e


def copy_weights(t_mod, e_mod):
    """Load torch's state_dict into the ember module through NumPy."""
    state = {k: ember.from_numpy(v.detach().numpy().copy()) for k, v in t_mod.state_dict().items()}
    result = e_mod.load_state_dict(state)
    assert not result.missing_keys and not result.unexpected_keys


def ember_repr(t_mod):
    return repr(t_mod).replace("torch.", "ember.")


def assert_close(e, t, atol=1e-5, rtol=1e-5, what=""):
    ea = e.detach().numpy() if isinstance(e, ember.Tensor) else np.asarray(e)
    ta = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    assert ea.shape == ta.shape, "%s: shape %s != %s" % (what, ea.shape, ta.shape)
    np.testing.assert_allclose(ea, ta, atol=atol, rtol=rtol, err_msg=what)


def compare_module(t_mod, e_mod, *inputs, train=True, atol=1e-5, rtol=1e-5, grad=True,
                   constant=()):
    """Same weights, same inputs: outputs, input gradients and parameter gradients agree.
    Inputs at the positions in ``constant`` do not require grad."""
    copy_weights(t_mod, e_mod)
    t_mod.train(train)
    e_mod.train(train)
    assert e_mod.training is train
    t_in = [x.detach().clone().requires_grad_(grad and x.is_floating_point()
                                              and i not in constant)
            if isinstance(x, torch.Tensor) else x for i, x in enumerate(inputs)]
    e_in = [to_ember(x) if isinstance(x, torch.Tensor) else x for x in t_in]
    t_out = t_mod(*t_in)
    e_out = e_mod(*e_in)
    assert_close(e_out, t_out, atol, rtol, "output")
    if not grad or not t_out.requires_grad:
        return
    w = torch.randn(t_out.shape, dtype=t_out.dtype)
    (t_out * w).sum().backward()
    (e_out * to_ember(w)).sum().backward()
    for i, (ti, ei) in enumerate(zip(t_in, e_in)):
        if isinstance(ti, torch.Tensor) and ti.requires_grad:
            if ti.grad is None:
                assert ei.grad is None or not ei.grad.numpy().any(), "grad of input %d" % i
                continue
            assert_close(ei.grad, ti.grad, atol * 10, rtol * 10, "grad of input %d" % i)
    e_params = dict(e_mod.named_parameters())
    for name, tp in t_mod.named_parameters():
        if tp.grad is None:
            assert e_params[name].grad is None or not e_params[name].grad.numpy().any(), name
            continue
        assert_close(e_params[name].grad, tp.grad, atol * 10, rtol * 10, "grad of " + name)
