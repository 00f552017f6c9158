"""dtypes and type promotion against torch: promote_types, result_type and the dtypes real ops
(add, mul, div) produce for tensor/tensor, tensor/scalar and 0-d/tensor combinations."""
import itertools
import pickle

import numpy as np
import pytest
import torch

import ember

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _name(d):
    return str(d).split(".")[-1]


def _make(lib, name, ndim):
    shape = (2,) * ndim
    d = getattr(lib, name)
    return lib.ones(shape, dtype=d)


def test_dtype_objects_and_aliases():
    for name in NAMES:
        d = getattr(ember, name)
        td = getattr(torch, name)
        assert repr(d) == repr(td).replace("torch", "ember")
        assert d.is_floating_point == td.is_floating_point
        assert d.is_signed == td.is_signed
        assert d.itemsize == td.itemsize
        assert d.is_complex is False
        assert pickle.loads(pickle.dumps(d)) is d
    for alias, target in [("float", "float32"), ("double", "float64"), ("half", "float16"),
                          ("long", "int64"), ("int", "int32"), ("short", "int16")]:
        assert getattr(ember, alias) is getattr(ember, target)
        assert getattr(torch, alias) is getattr(torch, target)


def test_default_dtype_get_set():
    assert ember.get_default_dtype() is ember.float32
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        assert ember.get_default_dtype() is ember.float64
        for e, t in [(ember.tensor(1.5), torch.tensor(1.5)), (ember.zeros(2), torch.zeros(2)),
                     (ember.arange(0.0, 1.0, 0.5), torch.arange(0.0, 1.0, 0.5)),
                     (ember.ones(2, dtype=ember.int64) * 0.5,
                      torch.ones(2, dtype=torch.int64) * 0.5),
                     (ember.rand(2), torch.rand(2))]:
            assert _name(e.dtype) == _name(t.dtype) == "float64"
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)
    for bad in (ember.int64, ember.bool):
        with pytest.raises(TypeError):
            ember.set_default_dtype(bad)
        with pytest.raises(TypeError):
            torch.set_default_dtype(getattr(torch, _name(bad)))


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_promote_types_grid(a, b):
    assert _name(ember.promote_types(getattr(ember, a), getattr(ember, b))) == \
        _name(torch.promote_types(getattr(torch, a), getattr(torch, b)))


@pytest.mark.parametrize("ndims", [(1, 1), (0, 1), (1, 0), (0, 0)])
@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_result_type_tensor_tensor_grid(a, b, ndims):
    ea, eb = _make(ember, a, ndims[0]), _make(ember, b, ndims[1])
    ta, tb = _make(torch, a, ndims[0]), _make(torch, b, ndims[1])
    assert _name(ember.result_type(ea, eb)) == _name(torch.result_type(ta, tb))


SCALARS = [True, 3, -2, 2.5, np.float64(1.5), np.int64(4)]


@pytest.mark.parametrize("ndim", [0, 1])
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
@pytest.mark.parametrize("a", NAMES)
def test_result_type_tensor_scalar_grid(a, scalar, ndim):
    e, t = _make(ember, a, ndim), _make(torch, a, ndim)
    assert _name(ember.result_type(e, scalar)) == _name(torch.result_type(t, scalar))
    assert _name(ember.result_type(scalar, e)) == _name(torch.result_type(scalar, t))


@pytest.mark.parametrize("op", ["add", "mul", "div", "sub"])
@pytest.mark.parametrize("ndims", [(1, 1), (0, 1), (1, 0)])
@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_real_ops_promote_like_torch(a, b, ndims, op):
    ea, eb = _make(ember, a, ndims[0]), _make(ember, b, ndims[1])
    ta, tb = _make(torch, a, ndims[0]), _make(torch, b, ndims[1])
    try:
        t_out = getattr(torch, op)(ta, tb)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            getattr(ember, op)(ea, eb)
        return
    e_out = getattr(ember, op)(ea, eb)
    assert _name(e_out.dtype) == _name(t_out.dtype)
    np.testing.assert_allclose(e_out.numpy().astype(np.float64),
                               t_out.numpy().astype(np.float64), rtol=1e-3)


@pytest.mark.parametrize("op", ["add", "mul", "truediv", "sub", "floordiv", "pow"])
@pytest.mark.parametrize("scalar", [True, 3, 2.5], ids=repr)
@pytest.mark.parametrize("a", NAMES)
def test_operators_with_python_scalars(a, scalar, op):
    import operator

    fn = getattr(operator, op)
    e, t = _make(ember, a, 1), _make(torch, a, 1)
    for args_e, args_t in (((e, scalar), (t, scalar)), ((scalar, e), (scalar, t))):
        try:
            t_out = fn(*args_t)
        except RuntimeError:
            with pytest.raises(RuntimeError):
                fn(*args_e)
            continue
        e_out = fn(*args_e)
        assert _name(e_out.dtype) == _name(t_out.dtype), (args_t, t_out.dtype)


def test_named_promotion_facts():
    i = ember.tensor([1, 2])
    assert (i * 1.5).dtype is ember.float32
    assert (i / i).dtype is ember.float32
    assert ember.tensor(3).dtype is ember.int64
    assert (ember.tensor([True]) + i).dtype is ember.int64
    assert (ember.ones(1, dtype=ember.uint8) + ember.ones(1, dtype=ember.int8)).dtype is ember.int16
    assert (ember.ones(1, dtype=ember.int64) + ember.ones(1, dtype=ember.float16)).dtype \
        is ember.float16
    assert (ember.ones(2, dtype=ember.int32) + ember.tensor(5)).dtype is ember.int32
    assert (ember.ones(2, dtype=ember.int32) + ember.tensor(5.0)).dtype is ember.float32
    assert (ember.ones(2, dtype=ember.float16) + ember.tensor(5.0, dtype=ember.float64)).dtype \
        is ember.float16


@pytest.mark.parametrize("spec,expected", [(float, "float32"), (int, "int64"), (bool, "bool"),
                                           (np.float64, "float64"), (np.int32, "int32"),
                                           ("float64", "float64")])
def test_dtype_arguments_accept_python_and_numpy_types(spec, expected):
    assert ember.zeros(1, dtype=spec).dtype is getattr(ember, expected)


def test_numpy_dtypes_torch_lacks_are_rejected():
    with pytest.raises(TypeError):
        ember.from_numpy(np.zeros(2, dtype=np.clongdouble))
    with pytest.raises(TypeError):
        torch.from_numpy(np.zeros(2, dtype=np.clongdouble))
    with pytest.raises(TypeError):
        torch.from_numpy(np.array(["a"]))
    with pytest.raises(TypeError):
        ember.from_numpy(np.array(["a"]))
