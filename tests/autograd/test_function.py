"""Custom ``autograd.Function``: the same Function written against ember and against torch gives
the same values and gradients (save_for_backward, needs_input_grad, mark_non_differentiable,
once_differentiable, non-tensor arguments, several outputs), and detect_anomaly names the op
whose backward produced NaN."""
import numpy as np
import pytest
import torch

import ember
from tests.ops.harness import assert_close

X = np.array([0.5, -1.0, 2.0], dtype=np.float64)


def _functions(lib):
    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    class ScaleShift(lib.autograd.Function):
        """Non-tensor arguments and needs_input_grad."""

        @staticmethod
        def forward(ctx, x, scale, shift, flag):
            ctx.scale = scale
            ctx.flags = ctx.needs_input_grad
            return x * scale + shift

        @staticmethod
        def backward(ctx, g):
            return (g * ctx.scale if ctx.needs_input_grad[0] else None, None,
                    g.sum(0) if ctx.needs_input_grad[2] else None, None)

    class SortWithIndex(lib.autograd.Function):
        """Two outputs, one non-differentiable."""

        @staticmethod
        def forward(ctx, x):
            order = np.argsort(x.detach().numpy(), kind="stable")
            idx = lib.tensor(order)
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return x[idx], idx

        @staticmethod
        def backward(ctx, g, g_idx):
            (idx,) = ctx.saved_tensors
            out = lib.zeros_like(g)
            out[idx] = g
            return out

    class MulAdd(lib.autograd.Function):
        """Two differentiable outputs of two inputs."""

        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b, a + b

        @staticmethod
        def backward(ctx, g_prod, g_sum):
            a, b = ctx.saved_tensors
            return g_prod * b + g_sum, g_prod * a + g_sum

    class OnceCube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    return Exp, ScaleShift, SortWithIndex, MulAdd, OnceCube


def _leaf(lib, values=X):
    return lib.tensor(values, requires_grad=True)


def _close(e, t):
    assert_close(e, t, 1e-12, 1e-12)


def test_exp_with_save_for_backward():
    e, t = _leaf(ember), _leaf(torch)
    E, T = _functions(ember)[0], _functions(torch)[0]
    ey, ty = E.apply(e), T.apply(t)
    _close(ey, ty)
    assert ey.grad_fn.name() == ty.grad_fn.name() == "ExpBackward"
    (ey * ey).sum().backward()
    (ty * ty).sum().backward()
    _close(e.grad, t.grad)


def test_exp_double_backward_through_custom_function():
    e, t = _leaf(ember), _leaf(torch)
    E, T = _functions(ember)[0], _functions(torch)[0]
    (ge,) = ember.autograd.grad(E.apply(e).sum(), e, create_graph=True)
    (gt,) = torch.autograd.grad(T.apply(t).sum(), t, create_graph=True)
    ge.sum().backward()
    gt.sum().backward()
    _close(e.grad, t.grad)


def test_non_tensor_args_and_needs_input_grad():
    ex, tx = _leaf(ember), _leaf(torch)
    es, ts = ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64), \
        torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    E, T = _functions(ember)[1], _functions(torch)[1]
    ey, ty = E.apply(ex, 2.5, es, "flag"), T.apply(tx, 2.5, ts, "flag")
    assert ey.grad_fn.flags == ty.grad_fn.flags == (True, False, False, False)
    ey.sum().backward()
    ty.sum().backward()
    _close(ex.grad, tx.grad)


def test_mark_non_differentiable_and_multiple_outputs():
    e, t = _leaf(ember), _leaf(torch)
    E, T = _functions(ember)[2], _functions(torch)[2]
    (ev, ei), (tv, ti) = E.apply(e), T.apply(t)
    assert ei.requires_grad == ti.requires_grad is False
    assert ev.requires_grad and ei.tolist() == ti.tolist()
    w = np.array([1.0, 10.0, 100.0])
    (ev * ember.tensor(w)).sum().backward()
    (tv * torch.tensor(w)).sum().backward()
    _close(e.grad, t.grad)


def test_two_differentiable_outputs():
    (ea, eb), (ta, tb) = (_leaf(ember), _leaf(ember, X[::-1].copy())), \
        (_leaf(torch), _leaf(torch, X[::-1].copy()))
    E, T = _functions(ember)[3], _functions(torch)[3]
    ep, es = E.apply(ea, eb)
    tp, ts = T.apply(ta, tb)
    assert ep.grad_fn is es.grad_fn and es.output_nr == ts.output_nr == 1
    (ep.sum() * 2 + (es * es).sum()).backward()
    (tp.sum() * 2 + (ts * ts).sum()).backward()
    _close(ea.grad, ta.grad)
    _close(eb.grad, tb.grad)
    # only one output used: the other's gradient is materialised as zeros
    ea.grad = eb.grad = ta.grad = tb.grad = None
    E.apply(ea, eb)[1].sum().backward()
    T.apply(ta, tb)[1].sum().backward()
    _close(ea.grad, ta.grad)


def test_once_differentiable():
    e, t = _leaf(ember), _leaf(torch)
    E, T = _functions(ember)[4], _functions(torch)[4]
    E.apply(e).sum().backward()
    T.apply(t).sum().backward()
    _close(e.grad, t.grad)
    (ge,) = ember.autograd.grad(E.apply(e).sum(), e, create_graph=True)
    (gt,) = torch.autograd.grad(T.apply(t).sum(), t, create_graph=True)
    assert ge.requires_grad == gt.requires_grad is False
    _close(ge, gt)


def test_function_returning_its_input():
    def make(lib):
        class Identity(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2

        return Identity

    e, t = _leaf(ember), _leaf(torch)
    ey, ty = make(ember).apply(e), make(torch).apply(t)
    assert ey is not e and ty is not t
    assert ey.grad_fn.name() == ty.grad_fn.name()
    (ey * 3).sum().backward()
    (ty * 3).sum().backward()
    _close(e.grad, t.grad)


def test_function_without_grad_inputs_records_nothing():
    E = _functions(ember)[0]
    y = E.apply(ember.tensor(X))
    assert not y.requires_grad and y.grad_fn is None
    with ember.no_grad():
        assert E.apply(_leaf(ember)).grad_fn is None


def test_wrong_number_of_gradients_raises():
    def make(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, g):
                return g

        return Bad

    ex, ey = _leaf(ember), _leaf(ember)
    tx, ty = _leaf(torch), _leaf(torch)
    with pytest.raises(RuntimeError) as t_info:
        make(torch).apply(tx, ty).sum().backward()
    with pytest.raises(RuntimeError) as e_info:
        make(ember).apply(ex, ey).sum().backward()
    assert "incorrect number of gradients" in str(t_info.value)
    assert "expected 2, got 1" in str(e_info.value) and "expected 2, got 1" in str(t_info.value)


def test_saved_tensor_modified_in_place_raises():
    E = _functions(ember)[0]
    x = _leaf(ember)
    y = E.apply(x)
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_detect_anomaly_names_the_op_that_made_nan(lib):
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    with pytest.warns(UserWarning) if lib is torch else _nothing(), \
            lib.autograd.detect_anomaly():
        y = ((x / lib.tensor([0.0, 1.0])) * 0).sum()
        with pytest.raises(RuntimeError) as info:
            y.backward()
    assert "Function 'DivBackward0' returned nan values in its 0th output." in str(info.value)
    x.grad = None
    with pytest.warns(UserWarning) if lib is torch else _nothing(), \
            lib.autograd.detect_anomaly():
        with pytest.raises(RuntimeError) as info:
            (x / x).sum().backward()
    assert "Function 'DivBackward0' returned nan values in its 1th output." in str(info.value)


def test_set_detect_anomaly():
    x = ember.tensor([0.0, 1.0], requires_grad=True)
    ember.autograd.set_detect_anomaly(True)
    try:
        assert ember.autograd.is_anomaly_enabled()
        with pytest.raises(RuntimeError, match="DivBackward0"):
            (x / x).sum().backward()
    finally:
        ember.autograd.set_detect_anomaly(False)
    assert not ember.autograd.is_anomaly_enabled()
    (x / x).sum().backward()
    assert np.isnan(x.grad.numpy()[0])
    with ember.autograd.set_detect_anomaly(True):
        assert ember.autograd.is_anomaly_enabled()
    assert not ember.autograd.is_anomaly_enabled()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
