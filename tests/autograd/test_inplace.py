"""In-place ops and autograd, against torch: version counters, the "modified by an inplace
operation" error, in-place on leaves that require grad, gradients through in-place ops on
non-leaves, setitem."""
import re

import numpy as np
import pytest
import torch

import ember
from tests.ops.harness import assert_close

A = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float32)

INPLACE = {
    "add_": lambda x, lib: x.add_(2.0),
    "add_tensor": lambda x, lib: x.add_(lib.ones(3), alpha=0.5),
    "sub_": lambda x, lib: x.sub_(1.5),
    "mul_": lambda x, lib: x.mul_(3.0),
    "div_": lambda x, lib: x.div_(4.0),
    "zero_": lambda x, lib: x.zero_(),
    "fill_": lambda x, lib: x.fill_(7.0),
    "copy_": lambda x, lib: x.copy_(lib.full((2, 3), 0.25)),
    "clamp_": lambda x, lib: x.clamp_(-0.5, 0.5),
    "relu_": lambda x, lib: x.relu_(),
    "exp_": lambda x, lib: x.exp_(),
    "neg_": lambda x, lib: x.neg_(),
    "pow_": lambda x, lib: x.pow_(2),
    "iadd": lambda x, lib: x.__iadd__(1.0),
    "isub": lambda x, lib: x.__isub__(lib.ones(2, 3)),
    "imul": lambda x, lib: x.__imul__(2.0),
    "itruediv": lambda x, lib: x.__itruediv__(2.0),
    "setitem_scalar": lambda x, lib: x.__setitem__((0, 1), 5.0),
    "setitem_row": lambda x, lib: x.__setitem__(1, lib.tensor([1.0, 2.0, 3.0])),
    "setitem_mask": lambda x, lib: x.__setitem__(x > 0.3, 0.0),
    "setitem_slice": lambda x, lib: x.__setitem__((slice(None), slice(0, 2)), -1.0),
}


def _pair(values=A, requires_grad=False):
    return (ember.tensor(values, requires_grad=requires_grad),
            torch.tensor(values, requires_grad=requires_grad))


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_value_and_version_counter(name):
    e, t = _pair()
    op = INPLACE[name]
    re, rt = op(e, ember), op(t, torch)
    assert_close(e, t, 1e-6, 1e-6, name)
    assert e._version == t._version, name
    if not name.startswith("setitem"):
        assert re is e and rt is t
    op(e, ember)
    op(t, torch)
    assert e._version == t._version, name


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_in_place_on_leaf_requiring_grad_raises(name):
    e, t = _pair(requires_grad=True)
    with pytest.raises(RuntimeError) as t_info:
        INPLACE[name](t, torch)
    with pytest.raises(RuntimeError) as e_info:
        INPLACE[name](e, ember)
    if name != "setitem_mask":  # see the report: ember says "a view of a leaf" here
        assert str(e_info.value) == str(t_info.value)
    assert "leaf Variable that requires grad is being used in an in-place operation." in \
        str(e_info.value)


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_in_place_on_leaf_under_no_grad_is_allowed(name):
    e, t = _pair(requires_grad=True)
    with ember.no_grad():
        INPLACE[name](e, ember)
    with torch.no_grad():
        INPLACE[name](t, torch)
    assert_close(e.detach(), t.detach(), 1e-6, 1e-6, name)
    assert e.requires_grad and e.is_leaf


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_gradient_through_in_place_on_non_leaf(name):
    e, t = _pair(requires_grad=True)
    grads = []
    for x, lib in ((e, ember), (t, torch)):
        y = x * 1.5 + 0.1
        INPLACE[name](y, lib)
        (y * y).sum().backward()
        grads.append(x.grad)
    assert_close(grads[0], grads[1], 1e-5, 1e-5, name)


@pytest.mark.parametrize("name", ["add_", "mul_", "zero_", "fill_", "copy_", "setitem_scalar",
                                  "clamp_", "iadd"])
def test_modifying_a_saved_tensor_raises_on_backward(name):
    msgs = []
    for lib in (ember, torch):
        x = lib.tensor(A, requires_grad=True)
        y = x * 2
        z = (y * y).sum()  # MulBackward0 saves y
        INPLACE[name](y, lib)
        with pytest.raises(RuntimeError) as info:
            z.backward()
        msgs.append(str(info.value))
    assert "one of the variables needed for gradient computation has been modified by an " \
           "inplace operation: [torch.FloatTensor [2, 3]], which is output 0 of" in msgs[0]
    # the node's name differs where ember's grad_fn names differ from torch's (see the report)
    e_msg, t_msg = (re.sub(r"output 0 of [^,]+,", "output 0 of <node>,", m) for m in msgs)
    assert e_msg == t_msg


def test_modifying_a_saved_output_raises():
    msgs = []
    for lib in (ember, torch):
        x = lib.tensor(A, requires_grad=True)
        y = x.exp()  # ExpBackward0 saves its output
        w = y.exp()
        y.mul_(2)
        with pytest.raises(RuntimeError) as info:
            w.sum().backward()
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_modifying_an_unsaved_tensor_is_fine():
    e, t = _pair(requires_grad=True)
    for x in (e, t):
        y = x * 2
        z = y + 1  # AddBackward0 saves nothing
        y.add_(1)
        (z * 3).sum().backward()
    assert_close(e.grad, t.grad, 0, 0)


def test_version_counter_shared_by_views_and_detach():
    e, t = _pair()
    for x in (e, t):
        v = x[0]
        d = x.detach()
        v.mul_(2)
        d.add_(1)
        x[1, 1] = 0.0
    assert e._version == t._version == 3
    assert e[0]._version == t[0]._version


def test_in_place_on_view_of_leaf_raises():
    e, t = _pair(requires_grad=True)
    with pytest.raises(RuntimeError) as t_info:
        t[0].mul_(2)
    with pytest.raises(RuntimeError) as e_info:
        e[0].mul_(2)
    assert "view of a leaf Variable that requires grad" in str(t_info.value)
    assert "view of a leaf Variable that requires grad" in str(e_info.value)


def test_in_place_dtype_rules():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError):
            lib.tensor([1, 2]).mul_(1.5)
        x = lib.tensor([1.0, 2.0])
        x.add_(lib.tensor([1, 1]))
        assert x.tolist() == [2.0, 3.0]
    with pytest.raises(RuntimeError):
        torch.ones(2).add_(torch.ones(3, 2))
    with pytest.raises(RuntimeError):
        ember.ones(2).add_(ember.ones(3, 2))


def test_requires_grad_propagates_into_tensor_written_in_place():
    e, t = ember.zeros(3), torch.zeros(3)
    we, wt = ember.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
    e.add_(we * 2)
    t.add_(wt * 2)
    assert e.requires_grad == t.requires_grad is True
    assert e.grad_fn.name() == t.grad_fn.name()
    (e * e).sum().backward()
    (t * t).sum().backward()
    assert_close(we.grad, wt.grad, 0, 0)


def test_setitem_with_tensor_value_that_requires_grad():
    e, t = ember.zeros(2, 3), torch.zeros(2, 3)
    ve, vt = ember.tensor([1.0, 2.0, 3.0], requires_grad=True), \
        torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    e[0] = ve * 2
    t[0] = vt * 2
    assert e.requires_grad and t.requires_grad
    (e * ember.arange(6.0).view(2, 3)).sum().backward()
    (t * torch.arange(6.0).view(2, 3)).sum().backward()
    assert_close(ve.grad, vt.grad, 0, 0)


def test_sgd_style_update_under_no_grad():
    e, t = _pair(requires_grad=True)
    for x in (e, t):
        (x * x).sum().backward()
        with (ember if isinstance(x, ember.Tensor) else torch).no_grad():
            x -= 0.1 * x.grad
            x.grad.zero_()
    assert_close(e, t, 1e-7, 1e-7)
    assert e.is_leaf and e.grad.tolist() == [[0.0] * 3] * 2
    assert e._version == t._version
