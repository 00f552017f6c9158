"""Creation functions against torch: tensor (dtype inference), zeros, ones, full, empty, eye,
arange, range, linspace, logspace, from_numpy, as_tensor/asarray, the *_like functions and the
new_* methods."""
import numpy as np
import pytest
import torch

import ember
from tests.ops.harness import assert_close


def _same(e, t, atol=0.0, rtol=0.0):
    assert_close(e, t, atol, rtol)


def _raises_like(fn_e, fn_t):
    with pytest.raises(Exception) as t_info:
        fn_t()
    with pytest.raises(type(t_info.value)) as e_info:
        fn_e()
    return str(e_info.value), str(t_info.value)


@pytest.mark.parametrize("data", [
    1, 2.5, True, [1, 2], [1.0, 2], [True, False], [[1, 2], [3, 4]], [], [[]], [1, 2.0, True],
    [True, 2], np.float64(1.5), np.int32(3), np.array([1, 2], dtype=np.int16),
    np.array([1.5], dtype=np.float64), np.array(2.0, dtype=np.float16), (1, 2, 3), -0.0,
], ids=repr)
def test_tensor_infers_dtype_like_torch(data):
    _same(ember.tensor(data), torch.tensor(data))


def test_tensor_from_tensors_and_lists_of_scalars():
    _same(ember.tensor([ember.tensor(1.5), ember.tensor(2.0)]),
          torch.tensor([torch.tensor(1.5), torch.tensor(2.0)]))
    src = ember.ones(2)
    copy = ember.tensor(src.numpy())
    copy[0] = 5
    assert src[0].item() == 1


@pytest.mark.parametrize("dtype", ["float16", "float64", "int32", "uint8", "bool"])
def test_tensor_with_dtype(dtype):
    _same(ember.tensor([0, 1.7, 3], dtype=getattr(ember, dtype)),
          torch.tensor([0, 1.7, 3], dtype=getattr(torch, dtype)))


def test_tensor_requires_grad_and_bad_data():
    e = ember.tensor([1.0], requires_grad=True)
    assert e.requires_grad and e.is_leaf
    _raises_like(lambda: ember.tensor([[1, 2], [3]]), lambda: torch.tensor([[1, 2], [3]]))
    _raises_like(lambda: ember.tensor("abc"), lambda: torch.tensor("abc"))
    _raises_like(lambda: ember.tensor([1], requires_grad=True),
                 lambda: torch.tensor([1], requires_grad=True))


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("size", [(), (0,), (3,), (2, 3)])
def test_filled_shapes_and_dtypes(name, size):
    ef, tf = getattr(ember, name), getattr(torch, name)
    for args in ((size,), size) if size else ((size,),):
        e, t = ef(*args), tf(*args)
        assert tuple(e.shape) == tuple(t.shape) and str(e.dtype) == str(t.dtype).replace(
            "torch", "ember")
        if name != "empty":
            _same(e, t)
    e, t = ef(size, dtype=ember.int32), tf(size, dtype=torch.int32)
    assert e.dtype is ember.int32 and tuple(e.shape) == tuple(t.shape)
    e = ef(*size, requires_grad=True)
    assert e.requires_grad and e.is_leaf


def test_sizes_accept_size_and_reject_negative():
    _same(ember.zeros(ember.Size([2, 1])), torch.zeros(torch.Size([2, 1])))
    _same(ember.ones([2, 2]), torch.ones([2, 2]))
    _raises_like(lambda: ember.zeros(-1), lambda: torch.zeros(-1))
    msg_e, msg_t = _raises_like(lambda: ember.ones(2, -3), lambda: torch.ones(2, -3))
    assert msg_e == msg_t
    for name in ("empty", "rand", "randn"):
        _raises_like(lambda: getattr(ember, name)(2, -1), lambda: getattr(torch, name)(2, -1))
    _raises_like(lambda: ember.full((-1,), 2.0), lambda: torch.full((-1,), 2.0))


@pytest.mark.parametrize("fill", [1, 2.5, True, -3, np.float32(1.5), np.int64(7)], ids=repr)
def test_full_infers_dtype_from_fill_value(fill):
    _same(ember.full((2, 3), fill), torch.full((2, 3), fill))
    _same(ember.full((2,), fill, dtype=ember.float64), torch.full((2,), fill, dtype=torch.float64))


def test_full_with_tensor_fill_and_int_size():
    _same(ember.full([3], 4.0), torch.full([3], 4.0))
    _same(ember.full((2,), ember.tensor(3)), torch.full((2,), torch.tensor(3)))


@pytest.mark.parametrize("args", [(3,), (2, 4), (4, 2), (0,), (1, 0)])
def test_eye(args):
    _same(ember.eye(*args), torch.eye(*args))
    _same(ember.eye(*args, dtype=ember.int64), torch.eye(*args, dtype=torch.int64))


def test_eye_negative_raises():
    _raises_like(lambda: ember.eye(-1), lambda: torch.eye(-1))


@pytest.mark.parametrize("args", [
    (5,), (2, 7), (1, 10, 3), (10, 1, -3), (0, 1, 0.25), (-1.0, 1.0, 0.3), (0.5,), (3, -2, -1),
    (1, 1), (0, 10, 2.5), (1.5, 4), (5, 0, -2), (0, 1, 0.1),
])
def test_arange(args):
    _same(ember.arange(*args), torch.arange(*args), 1e-6, 1e-6)


def test_arange_dtype_and_errors():
    _same(ember.arange(5, dtype=ember.float64), torch.arange(5, dtype=torch.float64))
    for args in ((0.5, 3, 1), (0, 2.5, 1), (0, 3, 1.5), (-1.5, 2.2, 1.0)):
        _same(ember.arange(*args, dtype=ember.int64), torch.arange(*args, dtype=torch.int64))
    _raises_like(lambda: ember.arange(0, 2, 0.5, dtype=ember.int64),
                 lambda: torch.arange(0, 2, 0.5, dtype=torch.int64))
    _same(ember.arange(ember.tensor(3)), torch.arange(torch.tensor(3)))
    _raises_like(lambda: ember.arange(0, 5, 0), lambda: torch.arange(0, 5, 0))
    _raises_like(lambda: ember.arange(5, 0, 1), lambda: torch.arange(5, 0, 1))


def test_range_includes_end():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for args in ((1, 4), (0, 1, 0.25), (3, 0, -1)):
            _same(ember.range(*args), torch.range(*args))


@pytest.mark.parametrize("args", [(0, 1, 5), (-2, 2, 1), (1, 1, 3), (0, 10, 0), (3, -3, 7),
                                  (0.1, 0.9, 4), (0, 1, 100)])
def test_linspace(args):
    _same(ember.linspace(*args), torch.linspace(*args), 1e-6, 1e-6)
    _same(ember.linspace(*args, dtype=ember.float64), torch.linspace(*args, dtype=torch.float64),
          1e-12, 1e-12)


@pytest.mark.parametrize("args,kw", [((0, 2, 3), {}), ((-1, 1, 5), {}), ((0, 3, 4), {"base": 2}),
                                     ((1, 0, 2), {"base": 3.0})])
def test_logspace(args, kw):
    _same(ember.logspace(*args, **kw), torch.logspace(*args, **kw), 1e-5, 1e-6)


def test_linspace_negative_steps_raises():
    _raises_like(lambda: ember.linspace(0, 1, -1), lambda: torch.linspace(0, 1, -1))


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "rand_like",
                                  "randn_like"])
def test_like_functions_keep_shape_and_dtype(name):
    for dtype in ("float32", "float64"):
        e = getattr(ember, name)(ember.ones(2, 3, dtype=getattr(ember, dtype)))
        t = getattr(torch, name)(torch.ones(2, 3, dtype=getattr(torch, dtype)))
        assert tuple(e.shape) == tuple(t.shape) and e.dtype is getattr(ember, dtype)
        if name in ("zeros_like", "ones_like"):
            _same(e, t)
    e = getattr(ember, name)(ember.ones(2), dtype=ember.float64, requires_grad=True)
    assert e.dtype is ember.float64 and e.requires_grad


def test_full_like_and_randint_like():
    x = ember.zeros(2, 2, dtype=ember.int32)
    _same(ember.full_like(x, 7), torch.full_like(torch.zeros(2, 2, dtype=torch.int32), 7))
    _same(ember.full_like(ember.zeros(3), 2.5), torch.full_like(torch.zeros(3), 2.5))
    r = ember.randint_like(x, 3, 6)
    assert r.dtype is ember.int32 and r.shape == (2, 2)
    assert ((r >= 3) & (r < 6)).all().item()
    r = ember.randint_like(ember.zeros(100), 4)
    assert r.dtype is ember.float32 and 0 <= r.min().item() and r.max().item() <= 3


def test_like_functions_do_not_share_or_track():
    x = ember.ones(3, requires_grad=True)
    z = ember.zeros_like(x)
    assert not z.requires_grad and z.is_leaf


@pytest.mark.parametrize("dtype", ["float32", "int64", "float64"])
def test_new_methods(dtype):
    e = ember.ones(2, dtype=getattr(ember, dtype))
    t = torch.ones(2, dtype=getattr(torch, dtype))
    _same(e.new_zeros(3, 2), t.new_zeros(3, 2))
    _same(e.new_zeros((3,)), t.new_zeros((3,)))
    _same(e.new_ones([2, 1]), t.new_ones([2, 1]))
    _same(e.new_full((2,), 3), t.new_full((2,), 3))
    _same(e.new_tensor([1, 2]), t.new_tensor([1, 2]))
    _same(e.new_zeros(2, dtype=ember.int32), t.new_zeros(2, dtype=torch.int32))
    assert e.new_empty(4, 1).shape == t.new_empty(4, 1).shape
    assert e.new_empty(4).dtype is e.dtype
    if dtype != "int64":
        assert e.new_ones(2, requires_grad=True).requires_grad


def test_from_numpy_rejects_non_arrays_and_bad_dtypes():
    _raises_like(lambda: ember.from_numpy([1, 2]), lambda: torch.from_numpy([1, 2]))
    _raises_like(lambda: ember.from_numpy(np.zeros(2, dtype=np.complex128).astype("U1")),
                 lambda: torch.from_numpy(np.zeros(2, dtype=np.complex128).astype("U1")))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int16", "int32",
                                   "int64", "uint8", "bool"])
def test_from_numpy_dtypes(dtype):
    arr = np.array([0, 1, 1], dtype=dtype)
    _same(ember.from_numpy(arr), torch.from_numpy(arr))


def test_from_numpy_of_non_contiguous_array():
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)[:, ::2]
    e, t = ember.from_numpy(arr), torch.from_numpy(arr)
    _same(e, t)
    assert e.stride() == t.stride()
    arr[0, 0] = 100
    assert e[0, 0].item() == 100


def test_asarray_and_as_tensor():
    _same(ember.asarray([1, 2]), torch.asarray([1, 2]))
    _same(ember.as_tensor([1.5, 2]), torch.as_tensor([1.5, 2]))
    _same(ember.as_tensor([1, 2], dtype=ember.float64),
          torch.as_tensor([1, 2], dtype=torch.float64))
    x = ember.ones(2)
    y = ember.as_tensor(x, dtype=ember.float64)
    assert y.dtype is ember.float64 and y is not x


def test_device_arguments():
    assert ember.zeros(2, device="cpu").device == "cpu"
    assert ember.tensor([1], device=ember.device("cpu")).device.type == "cpu"
    with pytest.raises(RuntimeError):
        ember.zeros(2, device="nope")


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_size_keyword_as_torch(name):
    for size in ((2, 3), [4], ()):
        assert tuple(getattr(ember, name)(size=size).shape) == tuple(
            getattr(torch, name)(size=size).shape)
    with pytest.raises(TypeError):
        getattr(torch, name)(2, size=(3,))
    with pytest.raises(TypeError):
        getattr(ember, name)(2, size=(3,))
