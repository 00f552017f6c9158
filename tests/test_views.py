"""Views share memory where torch's do: writes through a view (in-place op or setitem) reach the
base and writes to the base reach the view; ``view`` of an incompatible layout raises."""
import numpy as np
import pytest
import torch

import ember

VIEWS = {
    "view": lambda x: x.view(4, 3),
    "view_flat": lambda x: x.view(-1),
    "reshape_contiguous": lambda x: x.reshape(2, 6),
    "transpose": lambda x: x.transpose(0, 1),
    "t": lambda x: x.t(),
    "T": lambda x: x.T,
    "permute": lambda x: x.permute(1, 0),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "squeeze": lambda x: x.unsqueeze(1).squeeze(1),
    "slice_rows": lambda x: x[1:],
    "slice_step": lambda x: x[:, ::2],
    "select": lambda x: x[1],
    "ellipsis": lambda x: x[..., 2],
    "none_index": lambda x: x[None],
    "detach": lambda x: x.detach(),
    "flatten": lambda x: x.flatten(),
    "view_as": lambda x: x.view_as(x),
    "unflatten": lambda x: x.unflatten(1, (2, 2)),
    "movedim": lambda x: x.movedim(0, 1),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "unbind": lambda x: x.unbind(0)[1],
    "split": lambda x: x.split(2, dim=1)[0],
    "chunk": lambda x: x.chunk(2, dim=0)[0],
    "diagonal": lambda x: x.diagonal(),
}


def _base(lib):
    return lib.arange(12, dtype=lib.float32).reshape(3, 4).clone()


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_shares_memory_both_ways(name):
    fn = VIEWS[name]
    eb, tb = _base(ember), _base(torch)
    ev, tv = fn(eb), fn(tb)
    assert ev.tolist() == tv.tolist()
    # in-place op through the view
    ev.mul_(10)
    tv.mul_(10)
    assert eb.tolist() == tb.tolist()
    # setitem through the view
    ev[...] = -1.0
    tv[...] = -1.0
    assert eb.tolist() == tb.tolist()
    # write to the base, read the view
    eb.add_(5)
    tb.add_(5)
    assert ev.tolist() == tv.tolist()
    eb[0] = 100.0
    tb[0] = 100.0
    assert ev.tolist() == tv.tolist()


def test_expand_shares_memory_with_base():
    eb, tb = ember.zeros(3, 1), torch.zeros(3, 1)
    ev, tv = eb.expand(3, 4), tb.expand(3, 4)
    eb.add_(2)
    tb.add_(2)
    assert ev.tolist() == tv.tolist()
    assert ev.stride() == tv.stride()


def test_reshape_of_non_contiguous_copies_like_torch():
    eb, tb = _base(ember), _base(torch)
    er, tr = eb.t().reshape(-1), tb.t().reshape(-1)
    er.fill_(0)
    tr.fill_(0)
    assert eb.tolist() == tb.tolist() == _base(torch).tolist()


def test_contiguous_of_non_contiguous_copies():
    eb = _base(ember)
    c = eb.t().contiguous()
    c.zero_()
    assert eb.sum().item() == 66


def test_advanced_indexing_copies_like_torch():
    eb, tb = _base(ember), _base(torch)
    er, tr = eb[[0, 2]], tb[[0, 2]]
    er.zero_()
    tr.zero_()
    assert eb.tolist() == tb.tolist()
    em, tm = eb[eb > 5], tb[tb > 5]
    em.zero_()
    tm.zero_()
    assert eb.tolist() == tb.tolist()


def test_nested_views_share_with_the_root():
    eb, tb = _base(ember), _base(torch)
    ev, tv = eb.t()[1:].unsqueeze(0)[0, :, 1], tb.t()[1:].unsqueeze(0)[0, :, 1]
    ev.add_(1000)
    tv.add_(1000)
    assert eb.tolist() == tb.tolist()


def test_setitem_on_base_is_seen_by_numpy_view():
    arr = np.zeros((2, 2), dtype=np.float32)
    e = ember.from_numpy(arr)
    v = e[0]
    e[0, 1] = 3
    assert v.tolist() == [0.0, 3.0] and arr[0, 1] == 3


@pytest.mark.parametrize("make,shape", [(lambda x: x.t(), (12,)), (lambda x: x.t(), (2, 6)),
                                        (lambda x: x[:, ::3], (6,)),
                                        (lambda x: x.permute(1, 0), (2, 6))])
def test_view_of_incompatible_layout_raises(make, shape):
    with pytest.raises(RuntimeError) as t_info:
        make(_base(torch)).view(shape)
    with pytest.raises(RuntimeError) as e_info:
        make(_base(ember)).view(shape)
    assert "view size is not compatible with input tensor's size and stride" in str(t_info.value)
    assert str(e_info.value) == str(t_info.value)


@pytest.mark.parametrize("make,shape", [(lambda x: x.t(), (4, 3, 1)),
                                        (lambda x: x[:, ::2], (3, 2, 1)),
                                        (lambda x: x.t(), (2, 2, 3))])
def test_view_of_compatible_non_contiguous_layout_works(make, shape):
    ev, tv = make(_base(ember)).view(shape), make(_base(torch)).view(shape)
    assert ev.tolist() == tv.tolist() and ev.stride() == tv.stride()


def test_view_version_counter_is_shared():
    eb, tb = _base(ember), _base(torch)
    ev, tv = eb[0], tb[0]
    ev.add_(1)
    tv.add_(1)
    assert eb._version == tb._version == ev._version == tv._version == 1
    eb.mul_(2)
    tb.mul_(2)
    assert ev._version == tv._version == 2
    ed, td = eb.detach(), tb.detach()
    ed.zero_()
    td.zero_()
    assert eb._version == tb._version == 3


def test_view_base_attribute_and_is_view():
    eb = _base(ember)
    v = eb.view(-1)
    assert v._base is eb
    assert v[1:]._base is eb
