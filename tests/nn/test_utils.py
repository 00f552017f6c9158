"""ember.nn.utils against torch: gradient clipping and parameter/vector conversion."""
import numpy as np
import pytest
import torch

import ember
from tests.nn._helpers import copy_weights, to_ember


def _pair_with_grads():
    t = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2))
    e = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.Linear(3, 2))
    copy_weights(t, e)
    x = torch.randn(5, 4) * 10
    t(x).pow(2).sum().backward()
    e(to_ember(x)).pow(2).sum().backward()
    return t, e


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    t, e = _pair_with_grads()
    t_total = torch.nn.utils.clip_grad_norm_(t.parameters(), max_norm, norm_type)
    e_total = ember.nn.utils.clip_grad_norm_(e.parameters(), max_norm, norm_type)
    assert isinstance(e_total, ember.Tensor)
    np.testing.assert_allclose(e_total.item(), t_total.item(), rtol=1e-5)
    for tp, ep in zip(t.parameters(), e.parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_nonfinite_error():
    p = ember.nn.Parameter(ember.ones(2))
    p.grad = ember.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        ember.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch():
    t, e = _pair_with_grads()
    torch.nn.utils.clip_grad_value_(t.parameters(), 0.7)
    ember.nn.utils.clip_grad_value_(e.parameters(), 0.7)
    for tp, ep in zip(t.parameters(), e.parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-6)


def test_parameters_to_vector_and_back():
    t, e = _pair_with_grads()
    tv = torch.nn.utils.parameters_to_vector(t.parameters())
    ev = ember.nn.utils.parameters_to_vector(e.parameters())
    np.testing.assert_allclose(ev.detach().numpy(), tv.detach().numpy(), rtol=1e-6)
    ember.nn.utils.vector_to_parameters(ev * 0 + 1, e.parameters())
    assert all((p.detach().numpy() == 1).all() for p in e.parameters())
    with pytest.raises(TypeError):
        ember.nn.utils.vector_to_parameters([1.0], e.parameters())


@pytest.mark.parametrize("norm_type", [2.0, 0.5, float("inf"), -float("inf"), 0])
def test_get_total_norm_and_clip_grads_with_norm_match_torch(norm_type):
    t, e = _pair_with_grads()
    t_total = torch.nn.utils.get_total_norm([p.grad for p in t.parameters()], norm_type)
    e_total = ember.nn.utils.get_total_norm([p.grad for p in e.parameters()], norm_type)
    np.testing.assert_allclose(e_total.item(), t_total.item(), rtol=1e-5)
    torch.nn.utils.clip_grads_with_norm_(t.parameters(), 0.7, t_total)
    ember.nn.utils.clip_grads_with_norm_(e.parameters(), 0.7, e_total)
    for tp, ep in zip(t.parameters(), e.parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-7)
    assert ember.nn.utils.get_total_norm([]).item() == torch.nn.utils.get_total_norm([]).item()


@pytest.mark.parametrize("transpose", [False, True])
def test_fuse_conv_bn_eval_matches_torch(transpose):
    conv_cls = "ConvTranspose2d" if transpose else "Conv2d"
    tc, ec = getattr(torch.nn, conv_cls)(3, 4, 3), getattr(ember.nn, conv_cls)(3, 4, 3)
    tb, eb = torch.nn.BatchNorm2d(4), ember.nn.BatchNorm2d(4)
    copy_weights(tc, ec)
    x = torch.randn(2, 3, 6, 6)
    tb(tc(x))
    eb(ec(to_ember(x)))
    for m in (tc, ec, tb, eb):
        m.eval()
    with torch.no_grad():
        tb.weight.uniform_(0.5, 2.0)
        tb.bias.uniform_(-1, 1)
    copy_weights(tb, eb)
    tf = torch.nn.utils.fuse_conv_bn_eval(tc, tb, transpose)
    ef = ember.nn.utils.fuse_conv_bn_eval(ec, eb, transpose)
    assert isinstance(ef, type(ec)) and ef is not ec
    assert isinstance(ef.weight, ember.nn.Parameter)
    np.testing.assert_allclose(ef(to_ember(x)).detach().numpy(), tf(x).detach().numpy(),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ef(to_ember(x)).detach().numpy(),
                               eb(ec(to_ember(x))).detach().numpy(), rtol=1e-4, atol=1e-5)
    ec.train()
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        ember.nn.utils.fuse_conv_bn_eval(ec, eb)


def test_fuse_linear_bn_eval_matches_torch():
    tl, el = torch.nn.Linear(5, 4), ember.nn.Linear(5, 4, bias=False)
    tl.bias = None
    tb, eb = torch.nn.BatchNorm1d(4), ember.nn.BatchNorm1d(4)
    copy_weights(tl, el)
    x = torch.randn(6, 5)
    tb(tl(x))
    eb(el(to_ember(x)))
    for m in (tl, el, tb, eb):
        m.eval()
    tf, ef = torch.nn.utils.fuse_linear_bn_eval(tl, tb), ember.nn.utils.fuse_linear_bn_eval(el, eb)
    np.testing.assert_allclose(ef(to_ember(x)).detach().numpy(), tf(x).detach().numpy(),
                               rtol=1e-4, atol=1e-5)
    w, b = ember.nn.utils.fuse_linear_bn_weights(el.weight, None, eb.running_mean,
                                                 eb.running_var, eb.eps, eb.weight, eb.bias)
    np.testing.assert_allclose(b.detach().numpy(), tf.bias.detach().numpy(), rtol=1e-5)
    with pytest.raises(AssertionError, match="linear.out_features == bn.num_features"):
        ember.nn.utils.fuse_linear_bn_eval(el, ember.nn.BatchNorm1d(3).eval())


def test_skip_init_and_stateless_functional_call():
    m = ember.nn.utils.skip_init(ember.nn.Linear, 5, out_features=2)
    assert isinstance(m, ember.nn.Linear) and tuple(m.weight.shape) == (2, 5)
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match="Expected a Module"):
            lib.nn.utils.skip_init(int)
        with pytest.raises(RuntimeError, match="Module must support a 'device' arg"):
            lib.nn.utils.skip_init(lib.nn.ReLU)
    lin = ember.nn.Linear(2, 1)
    params = {"weight": ember.ones(1, 2), "bias": ember.zeros(1)}
    with pytest.warns(FutureWarning, match="torch.func.functional_call"):
        out = ember.nn.utils.stateless.functional_call(lin, params, (ember.tensor([[1., 2.]]),))
    assert out.item() == 3.0
