"""A catalogue of bad inputs: ember raises the same exception type as torch, and the message
names the offending sizes."""
import numpy as np
import pytest
import torch

import ember


def _t(lib, *shape, dtype="float32", requires_grad=False):
    n = int(np.prod(shape)) if shape else 1
    arr = (np.arange(n) % 5).reshape(shape).astype(dtype)
    return lib.tensor(arr, requires_grad=requires_grad)


# name -> (call(lib), strings ember's message must contain: the sizes, dims or dtypes at fault)
CASES = {
    "matmul_inner": (lambda L: L.matmul(_t(L, 2, 3), _t(L, 4, 5)), ["2x3", "4x5"]),
    "matmul_vec": (lambda L: L.matmul(_t(L, 3), _t(L, 4)), ["3", "4"]),
    "matmul_batched": (lambda L: _t(L, 2, 2, 3) @ _t(L, 2, 4, 5), ["3", "4"]),
    "matmul_0d": (lambda L: L.matmul(_t(L), _t(L, 3)), ["0"]),
    "mm_inner": (lambda L: L.mm(_t(L, 2, 3), _t(L, 2, 3)), ["2x3"]),
    "mm_1d": (lambda L: L.mm(_t(L, 3), _t(L, 3, 2)), ["matrix"]),
    "bmm_batch": (lambda L: L.bmm(_t(L, 2, 3, 4), _t(L, 3, 4, 5)), []),
    "dot_sizes": (lambda L: L.dot(_t(L, 3), _t(L, 4)), ["3", "4"]),
    "mv_sizes": (lambda L: L.mv(_t(L, 2, 3), _t(L, 4)), ["2x3", "4"]),
    "matmul_dtype": (lambda L: L.matmul(_t(L, 2, 2), _t(L, 2, 2, dtype="float64")),
                     ["float", "double"]),
    "mm_int_float": (lambda L: L.mm(_t(L, 2, 2, dtype="int64"), _t(L, 2, 2)), ["long", "float"]),
    "add_broadcast": (lambda L: _t(L, 2, 3) + _t(L, 4), ["3", "4", "1"]),
    "mul_broadcast": (lambda L: _t(L, 5, 2) * _t(L, 3, 1), ["5", "3", "0"]),
    "sub_broadcast": (lambda L: L.sub(_t(L, 2, 3, 4), _t(L, 3, 3)), ["4", "3"]),
    "where_broadcast": (lambda L: L.where(_t(L, 2, dtype="bool"), _t(L, 3), _t(L, 2)), ["2", "3"]),
    "inplace_broadcast": (lambda L: _t(L, 3).add_(_t(L, 2, 3)), ["[3]", "[2, 3]"]),
    "view_numel": (lambda L: _t(L, 2, 3).view(4), ["[4]", "6"]),
    "view_two_minus_one": (lambda L: _t(L, 2, 3).view(-1, -1), []),
    "view_stride": (lambda L: _t(L, 2, 3).t().view(6), ["view"]),
    "reshape_numel": (lambda L: _t(L, 2, 3).reshape(5, 2), ["[5, 2]", "6"]),
    "reshape_infer": (lambda L: _t(L, 2, 3).reshape(-1, 4), ["[-1, 4]", "6"]),
    "expand_size": (lambda L: _t(L, 2, 3).expand(2, 4), ["4", "3"]),
    "expand_fewer_dims": (lambda L: _t(L, 2, 3).expand(3), ["3", "2"]),
    "cat_sizes": (lambda L: L.cat([_t(L, 2, 3), _t(L, 2, 4)]), ["3", "4"]),
    "cat_dims": (lambda L: L.cat([_t(L, 2, 3), _t(L, 3)]), ["2", "1"]),
    "cat_empty_list": (lambda L: L.cat([]), []),
    "stack_sizes": (lambda L: L.stack([_t(L, 2, 3), _t(L, 3, 2)]), ["[2, 3]", "[3, 2]"]),
    "gather_index_dims": (lambda L: L.gather(_t(L, 2, 3), 1, _t(L, 2, dtype="int64")), []),
    "gather_out_of_range": (lambda L: L.gather(_t(L, 2, 3), 1,
                                               L.tensor([[0, 5], [1, 2]])), ["5", "3"]),
    "gather_float_index": (lambda L: L.gather(_t(L, 2, 3), 1, _t(L, 2, 2)), []),
    "index_out_of_range": (lambda L: _t(L, 3, 4)[3], ["3", "0", "size 3"]),
    "index_out_of_range_dim1": (lambda L: _t(L, 3, 4)[:, 4], ["4", "1", "size 4"]),
    "index_negative": (lambda L: _t(L, 3)[-4], ["-4", "3"]),
    "too_many_indices": (lambda L: _t(L, 3)[0, 0], ["dimension 1"]),
    "index_list_out_of_range": (lambda L: _t(L, 3)[[0, 7]], ["7", "3"]),
    "mask_shape": (lambda L: _t(L, 3, 2)[L.ones(2, 2, dtype=L.bool)], ["2", "3"]),
    "sum_dim": (lambda L: _t(L, 2, 3).sum(2), ["[-2, 1]", "2"]),
    "softmax_dim": (lambda L: _t(L, 2, 3).softmax(-3), ["[-2, 1]", "-3"]),
    "transpose_dim": (lambda L: _t(L, 2, 3).transpose(0, 5), ["[-2, 1]", "5"]),
    "permute_count": (lambda L: _t(L, 2, 3).permute(0, 1, 2), ["2", "3"]),
    "permute_repeat": (lambda L: _t(L, 2, 3).permute(0, 0), []),
    "unsqueeze_dim": (lambda L: _t(L, 2, 3).unsqueeze(4), ["[-3, 2]", "4"]),
    "squeeze_dim": (lambda L: _t(L, 2, 3).squeeze(3), ["[-2, 1]", "3"]),
    "size_dim": (lambda L: _t(L, 2, 3).size(2), ["[-2, 1]", "2"]),
    "flatten_dims": (lambda L: _t(L, 2, 3).flatten(0, 4), ["4"]),
    "split_dim": (lambda L: _t(L, 2, 3).split(1, dim=2), ["2"]),
    "log_softmax_dim": (lambda L: _t(L, 4).log_softmax(1), ["[-1, 0]", "1"]),
    "item_many": (lambda L: _t(L, 3).item(), ["3"]),
    "float_many": (lambda L: float(_t(L, 2)), []),
    "numpy_requires_grad": (lambda L: _t(L, 2, requires_grad=True).numpy(), ["detach"]),
    "backward_no_grad": (lambda L: _t(L, 2).sum().backward(), ["does not require grad"]),
    "backward_non_scalar": (lambda L: (_t(L, 2, requires_grad=True) * 2).backward(),
                            ["scalar"]),
    "requires_grad_int": (lambda L: _t(L, 2, dtype="int64").requires_grad_(), ["floating"]),
    "grad_of_unused": (lambda L: (lambda a, b: L.autograd.grad(a.sum(), (a, b)))(
        _t(L, 2, requires_grad=True), _t(L, 2, requires_grad=True)), ["allow_unused"]),
    "bitwise_float": (lambda L: _t(L, 2) & _t(L, 2), ["Float"]),
    "inplace_int_float": (lambda L: _t(L, 2, dtype="int64").add_(1.5), ["Float", "Long"]),
    "zeros_negative": (lambda L: L.zeros(2, -1), ["-1"]),
    "randint_range": (lambda L: L.randint(3, 3, (2,)), ["3"]),
    "arange_step_zero": (lambda L: L.arange(0, 3, 0), []),
    "tensor_ragged": (lambda L: L.tensor([[1, 2], [3]]), []),
    "len_0d": (lambda L: len(_t(L)), []),
    "mT_1d": (lambda L: _t(L, 3).mT, ["1"]),
    "eye_negative": (lambda L: L.eye(-2), ["-2"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_exception_as_torch_naming_the_sizes(name):
    call, needles = CASES[name]
    with pytest.raises(Exception) as t_info:
        call(torch)
    with pytest.raises(Exception) as e_info:
        call(ember)
    t_err, e_err = t_info.value, e_info.value
    assert isinstance(e_err, type(t_err)), "ember raised %r, torch %r" % (e_err, t_err)
    msg = str(e_err)
    for needle in needles:
        assert needle in msg, "%r not in ember's message %r (torch: %r)" % (needle, msg,
                                                                            str(t_err))


def test_catalogue_is_large_enough():
    assert len(CASES) >= 30
