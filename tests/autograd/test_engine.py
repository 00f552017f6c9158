"""The backward engine against torch: accumulation, retain_graph, seeds, deep chains, diamonds,
shared subgraphs, hooks, retain_grad, autograd.grad (grad_outputs, allow_unused,
create_graph), higher-order gradients and backward(inputs=...)."""
import numpy as np
import pytest
import torch

import ember
from tests.ops.harness import assert_close

A = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float32)
B = np.array([1.0, -2.0, 0.5], dtype=np.float32)


def _leaves(*arrays, dtype=None):
    e = [ember.tensor(a if dtype is None else a.astype(dtype), requires_grad=True) for a in arrays]
    t = [torch.tensor(a if dtype is None else a.astype(dtype), requires_grad=True) for a in arrays]
    return e, t


def _close(e, t, tol=1e-6):
    assert_close(e, t, tol, tol)


def _raises_like(fn_e, fn_t):
    with pytest.raises(Exception) as t_info:
        fn_t()
    with pytest.raises(type(t_info.value)) as e_info:
        fn_e()
    return str(e_info.value), str(t_info.value)


def test_gradients_accumulate_across_backward_calls():
    (ea, eb), (ta, tb) = _leaves(A, B)
    for _ in range(3):
        ((ea * eb).exp().sum()).backward()
        ((ta * tb).exp().sum()).backward()
        _close(ea.grad, ta.grad, 1e-5)
        _close(eb.grad, tb.grad, 1e-5)


def test_second_backward_through_freed_graph_raises():
    (ea,), (ta,) = _leaves(A)
    ey, ty = (ea.exp() * ea).sum(), (ta.exp() * ta).sum()
    ey.backward()
    ty.backward()
    msg_e, msg_t = _raises_like(ey.backward, ty.backward)
    assert "Trying to backward through the graph a second time" in msg_e
    assert msg_e == msg_t


def test_retain_graph_allows_second_backward():
    (ea,), (ta,) = _leaves(A)
    ey, ty = (ea.exp() * ea).sum(), (ta.exp() * ta).sum()
    ey.backward(retain_graph=True)
    ty.backward(retain_graph=True)
    ey.backward()
    ty.backward()
    _close(ea.grad, ta.grad, 1e-5)


def test_backward_of_non_scalar_needs_gradient():
    (ea,), (ta,) = _leaves(A)
    msg_e, msg_t = _raises_like((ea * 2).backward, (ta * 2).backward)
    assert msg_e == msg_t


def test_backward_with_gradient_argument():
    (ea,), (ta,) = _leaves(A)
    g = np.arange(6, dtype=np.float32).reshape(2, 3)
    (ea * ea).backward(ember.tensor(g))
    (ta * ta).backward(torch.tensor(g))
    _close(ea.grad, ta.grad)
    # torch's message
    with pytest.raises(RuntimeError) as info:
        (ea * 3).backward(ember.ones(3))
    assert str(info.value) == ("Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) "
                               "and output[0] has a shape of torch.Size([2, 3]).")


def test_backward_of_tensor_without_grad_raises():
    msg_e, msg_t = _raises_like(lambda: ember.ones(2).sum().backward(),
                                lambda: torch.ones(2).sum().backward())
    assert msg_e == msg_t


def test_scalar_seed_of_integer_output_raises():
    _raises_like(lambda: ember.autograd.backward(ember.tensor(1.0, requires_grad=True).long()),
                 lambda: torch.autograd.backward(torch.tensor(1.0, requires_grad=True).long()))


def test_deep_chain_has_no_recursion_limit():
    x = ember.ones(1, requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y * 1.0
        y = y + 0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]


def test_diamond_graph():
    (ea,), (ta,) = _leaves(A)
    for lib, x in ((ember, ea), (torch, ta)):
        top = x * 2
        left, right = top.sin(), top.cos()
        (left * right + left).sum().backward()
    _close(ea.grad, ta.grad, 1e-5)


def test_shared_subgraph_used_many_times():
    (ea, eb), (ta, tb) = _leaves(A, B)
    for x, w in ((ea, eb), (ta, tb)):
        h = (x * w).tanh()
        out = h.sum() + (h * h).sum() + h[0].sum() * h[1].sum()
        out.backward()
    _close(ea.grad, ta.grad, 1e-5)
    _close(eb.grad, tb.grad, 1e-5)


def test_same_leaf_twice_in_one_op():
    (ea,), (ta,) = _leaves(A)
    (ea * ea * ea).sum().backward()
    (ta * ta * ta).sum().backward()
    _close(ea.grad, ta.grad, 1e-5)


def test_leaf_hook_modifies_gradient():
    (ea,), (ta,) = _leaves(A)
    ea.register_hook(lambda g: g * 2)
    ta.register_hook(lambda g: g * 2)
    (ea * ea).sum().backward()
    (ta * ta).sum().backward()
    _close(ea.grad, ta.grad)


def test_non_leaf_hook_modifies_gradient_flowing_on():
    (ea,), (ta,) = _leaves(A)
    seen_e, seen_t = [], []
    for x, seen in ((ea, seen_e), (ta, seen_t)):
        mid = x.exp()
        mid.register_hook(lambda g, seen=seen: seen.append(g.tolist()) or g * 0 + 1)
        (mid * 3).sum().backward()
    assert np.allclose(seen_e, seen_t)
    _close(ea.grad, ta.grad, 1e-6)


def test_hook_removal():
    x = ember.ones(2, requires_grad=True)
    h = x.register_hook(lambda g: g * 100)
    h.remove()
    x.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_retain_grad_on_non_leaf():
    (ea,), (ta,) = _leaves(A)
    em, tm = ea * 2, ta * 2
    em.retain_grad()
    tm.retain_grad()
    (em.sin() * em).sum().backward()
    (tm.sin() * tm).sum().backward()
    _close(em.grad, tm.grad, 1e-6)
    assert (ea * 2).grad is None


def test_autograd_grad_with_grad_outputs_does_not_accumulate():
    (ea, eb), (ta, tb) = _leaves(A, B)
    g = np.full((2, 3), 0.5, dtype=np.float32)
    ge = ember.autograd.grad(ea * eb, (ea, eb), grad_outputs=ember.tensor(g))
    gt = torch.autograd.grad(ta * tb, (ta, tb), grad_outputs=torch.tensor(g))
    for x, y in zip(ge, gt):
        _close(x, y)
    assert ea.grad is None and eb.grad is None
    assert not ge[0].requires_grad


def test_autograd_grad_allow_unused():
    (ea, eb), (ta, tb) = _leaves(A, B)
    msg_e, msg_t = _raises_like(lambda: ember.autograd.grad(ea.sum(), (ea, eb)),
                                lambda: torch.autograd.grad(ta.sum(), (ta, tb)))
    assert msg_e == msg_t
    ge = ember.autograd.grad(ea.sum(), (ea, eb), allow_unused=True)
    gt = torch.autograd.grad(ta.sum(), (ta, tb), allow_unused=True)
    assert ge[1] is None and gt[1] is None
    _close(ge[0], gt[0])
    ge = ember.autograd.grad(ea.sum(), (ea, eb), materialize_grads=True)
    gt = torch.autograd.grad(ta.sum(), (ta, tb), materialize_grads=True)
    _close(ge[1], gt[1])


def test_autograd_grad_of_non_leaf_input():
    (ea,), (ta,) = _leaves(A)
    em, tm = ea.exp(), ta.exp()
    _close(ember.autograd.grad((em * em).sum(), em)[0], torch.autograd.grad((tm * tm).sum(), tm)[0],
           1e-5)


def _f(lib, x, w):
    return ((x @ w).tanh() * x.sum(1)).sum() + (x * x * x).sum()


def test_hessian_vector_product_matches_torch():
    W = np.array([[0.3], [-0.2], [0.8]])
    (ex, ew), (tx, tw) = _leaves(A, W, dtype=np.float64)
    v = np.linspace(-1, 1, 6).reshape(2, 3)
    results = []
    for lib, x, w in ((ember, ex, ew), (torch, tx, tw)):
        (gx,) = lib.autograd.grad(_f(lib, x, w), x, create_graph=True)
        assert gx.requires_grad
        hv = lib.autograd.grad((gx * lib.tensor(v)).sum(), (x, w))
        results.append(hv)
    for e, t in zip(*results):
        _close(e, t, 1e-10)


def test_third_derivative():
    ex, tx = ember.tensor(0.7, dtype=ember.float64, requires_grad=True), \
        torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    out = []
    for lib, x in ((ember, ex), (torch, tx)):
        y = (x * x.sin()).exp()
        g1, = lib.autograd.grad(y, x, create_graph=True)
        g2, = lib.autograd.grad(g1, x, create_graph=True)
        g3, = lib.autograd.grad(g2, x)
        out.append((g1.item(), g2.item(), g3.item()))
    assert np.allclose(out[0], out[1], rtol=1e-10)


def test_gradient_penalty_matches_torch():
    W = np.array([[0.3, 0.1], [-0.2, 0.4], [0.8, -0.5]], dtype=np.float32)
    (ex, ew), (tx, tw) = _leaves(A, W)
    for lib, x, w in ((ember, ex, ew), (torch, tx, tw)):
        y = (x @ w).sigmoid().sum()
        (gx,) = lib.autograd.grad(y, x, create_graph=True)
        penalty = ((gx * gx).sum(1).sqrt() - 1).pow(2).mean()
        (y + 10 * penalty).backward()
    _close(ew.grad, tw.grad, 1e-5)
    _close(ex.grad, tx.grad, 1e-5)


def test_backward_create_graph_makes_grad_differentiable():
    ex = ember.tensor([1.5, -0.5], requires_grad=True)
    tx = torch.tensor([1.5, -0.5], requires_grad=True)
    (ex ** 3).sum().backward(create_graph=True)
    (tx ** 3).sum().backward(create_graph=True)
    assert ex.grad.requires_grad == tx.grad.requires_grad
    (eg2,) = ember.autograd.grad(ex.grad.sum(), ex)
    (tg2,) = torch.autograd.grad(tx.grad.sum(), tx)
    _close(eg2, tg2)


def test_backward_inputs_restricts_accumulation():
    (ea, eb), (ta, tb) = _leaves(A, B)
    (ea * eb).sum().backward(inputs=[eb])
    (ta * tb).sum().backward(inputs=[tb])
    assert ea.grad is None and ta.grad is None
    _close(eb.grad, tb.grad)
    ember.autograd.backward((ea * eb).sum(), inputs=ea)
    torch.autograd.backward((ta * tb).sum(), inputs=ta)
    _close(ea.grad, ta.grad)
    _close(eb.grad, tb.grad)


def test_backward_inputs_non_leaf():
    (ea,), (ta,) = _leaves(A)
    em, tm = ea * 2, ta * 2
    (em * em).sum().backward(inputs=[em])
    (tm * tm).sum().backward(inputs=[tm])
    _close(em.grad, tm.grad)
    assert ea.grad is None and ta.grad is None


def test_autograd_backward_of_several_outputs():
    (ea,), (ta,) = _leaves(A)
    ember.autograd.backward([(ea * 2).sum(), ea.exp().sum()])
    torch.autograd.backward([(ta * 2).sum(), ta.exp().sum()])
    _close(ea.grad, ta.grad, 1e-6)


def test_no_grad_results_do_not_track():
    (ea,), _ = _leaves(A)
    with ember.no_grad():
        y = ea * 2
    assert not y.requires_grad and y.grad_fn is None


def test_grad_dtype_matches_leaf():
    x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    (x.float() * 2).sum().backward()
    assert x.grad.dtype is ember.float64


def test_next_functions_walks_the_graph():
    ea = ember.tensor([1.0], requires_grad=True)
    ta = torch.tensor([1.0], requires_grad=True)
    ey, ty = (ea * 2).exp(), (ta * 2).exp()
    assert ey.grad_fn.next_functions[0][0].name() == ty.grad_fn.next_functions[0][0].name()
    e_acc = ey.grad_fn.next_functions[0][0].next_functions[0][0]
    t_acc = ty.grad_fn.next_functions[0][0].next_functions[0][0]
    assert e_acc.variable is ea and t_acc.variable is ta
