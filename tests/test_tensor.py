"""ember.Tensor's own behaviour against torch: metadata, conversion, autograd attributes,
Python protocols and every operator with its reflected and in-place forms."""
import operator

import numpy as np
import pytest
import torch

import ember
from tests.ops.harness import assert_close


def _pair(values, dtype="float32"):
    arr = np.array(values, dtype=dtype)
    return ember.tensor(arr), torch.tensor(arr)


def _dtype_name(d):
    return str(d).split(".")[-1]


def _raises_like(fn_e, fn_t):
    """Both calls raise, with the same exception type; returns (ember msg, torch msg)."""
    with pytest.raises(Exception) as t_info:
        fn_t()
    with pytest.raises(type(t_info.value)) as e_info:
        fn_e()
    return str(e_info.value), str(t_info.value)


# --- metadata -------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 2, 3, 4)])
def test_shape_metadata_matches_torch(shape):
    n = int(np.prod(shape))
    e, t = ember.arange(n).float().reshape(shape), torch.arange(n).float().reshape(shape)
    assert tuple(e.shape) == tuple(t.shape)
    assert e.size() == tuple(t.size())
    assert isinstance(e.size(), tuple) and isinstance(e.shape, ember.Size)
    assert repr(e.shape) == repr(t.shape).replace("torch", "ember")
    assert e.dim() == t.dim() and e.ndim == t.ndim and e.ndimension() == t.ndimension()
    assert e.numel() == t.numel() and e.nelement() == t.nelement()
    assert e.stride() == t.stride()
    assert e.is_contiguous() == t.is_contiguous()
    for d in range(-len(shape), len(shape)):
        assert e.size(d) == t.size(d)
        assert e.stride(d) == t.stride(d)


def test_size_is_a_tuple_with_torch_repr_and_numel():
    s = ember.zeros(2, 3, 4).shape
    assert s == (2, 3, 4)
    assert s[1:] == ember.Size([3, 4]) and isinstance(s[1:], ember.Size)
    assert s.numel() == torch.zeros(2, 3, 4).shape.numel() == 24
    assert repr(ember.Size([])) == repr(torch.Size([])).replace("torch", "ember")


def test_size_of_out_of_range_dim_raises_index_error():
    msg_e, msg_t = _raises_like(lambda: ember.zeros(2, 3).size(2),
                                lambda: torch.zeros(2, 3).size(2))
    assert msg_e == msg_t


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int16", "int32",
                                   "int64", "uint8", "bool"])
def test_dtype_and_device(dtype):
    e, t = _pair([1, 0, 1], dtype)
    assert _dtype_name(e.dtype) == _dtype_name(t.dtype)
    assert e.dtype is getattr(ember, dtype)
    assert e.device == ember.device("cpu") and str(e.device) == str(t.device) == "cpu"
    assert repr(e.device) == repr(t.device)
    assert e.is_floating_point() == t.is_floating_point()
    assert e.element_size() == t.element_size()
    assert e.is_cuda is False


def test_T_and_mT_match_torch():
    arr = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for a in (arr[0, 0], arr[0], arr):
        e, t = ember.tensor(a), torch.tensor(a)
        assert_close(e.T, t.T, 0, 0, "T")
    e, t = ember.tensor(arr), torch.tensor(arr)
    assert_close(e.mT, t.mT, 0, 0, "mT")
    assert e.mT.stride() == t.mT.stride()
    _raises_like(lambda: ember.zeros(3).mT, lambda: torch.zeros(3).mT)


# --- conversion -----------------------------------------------------------------------------

@pytest.mark.parametrize("values,dtype", [(3.5, "float32"), (7, "int64"), (True, "bool"),
                                          ([2.0], "float64"), ([[4]], "int32")])
def test_item_and_tolist(values, dtype):
    e, t = _pair(values, dtype)
    assert e.item() == t.item() and type(e.item()) is type(t.item())
    assert e.tolist() == t.tolist()
    assert type(e.tolist()) is type(t.tolist())


def test_tolist_of_matrix_gives_python_numbers():
    e, t = _pair([[1, 2], [3, 4]], "int64")
    assert e.tolist() == t.tolist() == [[1, 2], [3, 4]]
    assert type(e.tolist()[0][0]) is int


def test_item_of_many_elements_raises_torch_error():
    msg_e, msg_t = _raises_like(lambda: ember.zeros(3).item(), lambda: torch.zeros(3).item())
    assert "3" in msg_e


def test_numpy_shares_memory_and_refuses_requires_grad():
    e = ember.zeros(3)
    a = e.numpy()
    a[0] = 5
    assert e[0].item() == 5
    eg, tg = ember.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
    msg_e, msg_t = _raises_like(eg.numpy, tg.numpy)
    assert msg_e == msg_t
    assert eg.detach().numpy() is not None


def test_array_protocol():
    e = ember.tensor([[1.0, 2.0]])
    arr = np.asarray(e)
    assert arr.dtype == np.float32 and arr.shape == (1, 2)
    assert np.array(e, dtype=np.float64).dtype == np.float64
    assert np.asarray(e).tolist() == np.asarray(torch.tensor([[1.0, 2.0]])).tolist()


def test_array_protocol_refuses_requires_grad():
    msg_e, msg_t = _raises_like(lambda: np.asarray(ember.ones(2, requires_grad=True)),
                                lambda: np.asarray(torch.ones(2, requires_grad=True)))
    assert msg_e == msg_t


def test_from_numpy_shares_memory_both_ways():
    arr = np.zeros(4, dtype=np.float32)
    e = ember.from_numpy(arr)
    arr[1] = 3
    assert e[1].item() == 3
    e[2] = 7
    assert arr[2] == 7
    e.add_(1)
    assert arr.tolist() == [1, 4, 8, 1]


def test_as_tensor_shares_when_it_can():
    arr = np.ones(3, dtype=np.float32)
    e, t = ember.as_tensor(arr), torch.as_tensor(arr)
    arr[0] = 9
    assert e[0].item() == t[0].item() == 9
    e64 = ember.as_tensor(arr, dtype=ember.float64)
    arr[0] = 2
    assert e64[0].item() == 9
    x = ember.ones(2)
    assert ember.as_tensor(x) is x
    assert ember.as_tensor([1, 2]).dtype == ember.int64


@pytest.mark.parametrize("method", ["float", "double", "long", "int", "bool", "half", "short",
                                    "char", "byte"])
def test_conversion_methods(method):
    e, t = _pair([-1.5, 0.0, 2.7], "float32")
    er, tr = getattr(e, method)(), getattr(t, method)()
    assert_close(er, tr, 0, 0, method)


def test_to_dtype_and_device():
    e, t = _pair([1.0, 2.0])
    assert e.to(ember.float32) is e
    assert e.to("cpu") is e and e.to(ember.device("cpu")) is e
    assert e.cpu() is e
    assert_close(e.to(ember.int64), t.to(torch.int64), 0, 0, "to int64")
    assert_close(e.to("cpu", ember.float64), t.to("cpu", torch.float64), 0, 0, "to cpu f64")
    assert_close(e.to(dtype=ember.float16), t.to(dtype=torch.float16), 0, 0, "to kw")
    assert e.to(ember.zeros(1, dtype=ember.int32)).dtype == ember.int32
    assert e.to(ember.float32, copy=True) is not e
    assert e.type() == t.type()
    assert e.type(ember.float64).dtype == ember.float64
    assert e.type_as(ember.zeros(1, dtype=ember.int16)).dtype == ember.int16


def test_to_keeps_autograd():
    e = ember.tensor([1.0, 2.0], requires_grad=True)
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    (e.double() * 3).sum().backward()
    (t.double() * 3).sum().backward()
    assert_close(e.grad, t.grad, 0, 0, "grad through cast")


def test_clone_is_a_copy_in_the_graph():
    e = ember.tensor([1.0, 2.0], requires_grad=True)
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    ec, tc = e.clone(), t.clone()
    assert ec.grad_fn.name() == tc.grad_fn.name() == "CloneBackward0"
    assert not np.shares_memory(ec.detach().numpy(), e.detach().numpy())
    (ec * ec).sum().backward()
    (tc * tc).sum().backward()
    assert_close(e.grad, t.grad, 0, 0, "clone grad")


def test_contiguous_and_stride_of_views():
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    e, t = ember.tensor(arr), torch.tensor(arr)
    assert e.contiguous() is e
    for fe, ft in ((e.t(), t.t()), (e[:, ::2], t[:, ::2]), (e[1:], t[1:]),
                   (e.unsqueeze(1), t.unsqueeze(1)), (e.expand(2, 3, 4), t.expand(2, 3, 4))):
        assert fe.is_contiguous() == ft.is_contiguous()
        assert fe.stride() == ft.stride()
        c = fe.contiguous()
        assert c.is_contiguous() and c.stride() == ft.contiguous().stride()
        assert_close(c, ft.contiguous(), 0, 0, "contiguous")


def test_storage_offset_of_slices():
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    e, t = ember.tensor(arr), torch.tensor(arr)
    assert e[1:, 2:].storage_offset() == t[1:, 2:].storage_offset()


# --- autograd attributes ----------------------------------------------------------------------

def test_autograd_attributes_of_leaves_and_results():
    e = ember.tensor([1.0, 2.0])
    t = torch.tensor([1.0, 2.0])
    assert e.requires_grad is t.requires_grad is False
    assert e.is_leaf and e.grad is None and e.grad_fn is None
    assert e.requires_grad_() is e and e.requires_grad
    t.requires_grad_()
    ye, yt = e * 2, t * 2
    assert ye.requires_grad and not ye.is_leaf and ye.grad_fn is not None
    assert ye.grad_fn.name() == yt.grad_fn.name()
    ye.sum().backward()
    yt.sum().backward()
    assert_close(e.grad, t.grad, 0, 0, "grad")
    assert ye.grad is None


def test_requires_grad_on_integer_tensor_raises():
    msg_e, msg_t = _raises_like(lambda: ember.tensor([1, 2]).requires_grad_(),
                                lambda: torch.tensor([1, 2]).requires_grad_())
    assert "floating point" in msg_e
    _raises_like(lambda: ember.ones(2, dtype=ember.int64, requires_grad=True),
                 lambda: torch.ones(2, dtype=torch.int64, requires_grad=True))


def test_requires_grad_false_on_non_leaf_raises():
    e = ember.ones(2, requires_grad=True) * 2
    t = torch.ones(2, requires_grad=True) * 2
    _raises_like(lambda: e.requires_grad_(False), lambda: t.requires_grad_(False))


def test_detach_shares_memory_and_cuts_graph():
    e = ember.ones(3, requires_grad=True)
    d = e.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d[0] = 5
    assert e[0].item() == 5


def test_detach_in_place():
    e = ember.ones(3, requires_grad=True) * 2
    t = torch.ones(3, requires_grad=True) * 2
    assert e.detach_() is e
    t.detach_()
    assert e.requires_grad == t.requires_grad is False
    assert e.grad_fn is None and e.is_leaf


def test_data_attribute():
    e = ember.ones(2, requires_grad=True)
    d = e.data
    assert not d.requires_grad
    d.mul_(3)
    assert e.tolist() == [3.0, 3.0]
    e.data = ember.zeros(2)
    assert e.tolist() == [0.0, 0.0] and e.requires_grad


def test_grad_setter_checks_shape():
    e = ember.ones(2, requires_grad=True)
    t = torch.ones(2, requires_grad=True)
    e.grad = ember.full((2,), 4.0)
    assert e.grad.tolist() == [4.0, 4.0]
    _raises_like(lambda: setattr(e, "grad", ember.ones(3)),
                 lambda: setattr(t, "grad", torch.ones(3)))
    e.grad = None
    assert e.grad is None


def test_retain_grad_and_register_hook():
    e = ember.tensor([1.0, 2.0], requires_grad=True)
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    me, mt = e * 3, t * 3
    me.retain_grad()
    mt.retain_grad()
    assert me.retains_grad and mt.retains_grad
    seen = []
    he = e.register_hook(lambda g: seen.append(g.tolist()))
    (me * me).sum().backward()
    (mt * mt).sum().backward()
    assert_close(me.grad, mt.grad, 0, 0, "retained")
    assert seen == [t.grad.tolist()]
    he.remove()
    _raises_like(lambda: ember.ones(1).register_hook(lambda g: g),
                 lambda: torch.ones(1).register_hook(lambda g: g))


# --- Python protocols ---------------------------------------------------------------------------

def test_len_and_iteration():
    e, t = _pair([[1, 2], [3, 4], [5, 6]], "int64")
    assert len(e) == len(t) == 3
    rows = list(e)
    assert [r.tolist() for r in rows] == [r.tolist() for r in t]
    assert all(isinstance(r, ember.Tensor) for r in rows)
    _raises_like(lambda: len(ember.tensor(1.0)), lambda: len(torch.tensor(1.0)))
    _raises_like(lambda: iter(ember.tensor(1.0)), lambda: iter(torch.tensor(1.0)))


@pytest.mark.parametrize("values", [[2.5], 0.0, [[2]], [True], [-1]])
def test_scalar_protocols_on_one_element_tensors(values):
    arr = np.array(values)
    e, t = ember.tensor(arr), torch.tensor(arr)
    assert bool(e) == bool(t)
    assert float(e) == float(t)
    assert int(e) == int(t)
    if arr.dtype.kind in "iub":
        assert operator.index(e) == operator.index(t)
        assert [10, 20, 30][e] == [10, 20, 30][t]


@pytest.mark.parametrize("conv", [bool, float, int])
@pytest.mark.parametrize("n", [0, 2])
def test_scalar_protocols_raise_on_many_elements(conv, n):
    msg_e, msg_t = _raises_like(lambda: conv(ember.zeros(n)), lambda: conv(torch.zeros(n)))
    assert msg_e == msg_t


def test_index_of_float_tensor_raises():
    _raises_like(lambda: operator.index(ember.tensor(1.0)),
                 lambda: operator.index(torch.tensor(1.0)))
    _raises_like(lambda: operator.index(ember.tensor([1, 2])),
                 lambda: operator.index(torch.tensor([1, 2])))


def test_contains():
    e, t = _pair([[1, 2], [3, 4]], "int64")
    for item in (2, 5, 2.0, True, np.int64(3)):
        assert (item in e) == (item in t)
    assert (ember.tensor([3, 4]) in e) == (torch.tensor([3, 4]) in t)
    assert (ember.tensor([3, 5]) in e) == (torch.tensor([3, 5]) in t)
    msg_e, msg_t = _raises_like(lambda: [1] in e, lambda: [1] in t)
    assert msg_e == msg_t


def test_format_of_zero_dim():
    assert "%.2f" % ember.tensor(1.5) == "%.2f" % torch.tensor(1.5)
    assert "{:.3f}".format(ember.tensor(2.0)) == "{:.3f}".format(torch.tensor(2.0))


def test_allclose_isclose_equal():
    a, b = [1.0, 2.0, float("nan")], [1.0, 2.0 + 1e-9, float("nan")]
    ea, eb = ember.tensor(a), ember.tensor(b)
    ta, tb = torch.tensor(a), torch.tensor(b)
    assert ember.allclose(ea, eb) == torch.allclose(ta, tb)
    assert ember.allclose(ea, eb, equal_nan=True) == torch.allclose(ta, tb, equal_nan=True)
    assert_close(ember.isclose(ea, eb), torch.isclose(ta, tb), 0, 0, "isclose")
    assert ember.equal(ea[:2], ea[:2].clone()) == torch.equal(ta[:2], ta[:2].clone())
    assert ember.equal(ea[:2], eb[:2]) == torch.equal(ta[:2], tb[:2])


def test_module_level_queries():
    e = ember.zeros(2, 3)
    assert ember.is_tensor(e) and not ember.is_tensor(np.zeros(2))
    assert ember.numel(e) == torch.numel(torch.zeros(2, 3))
    assert ember.is_floating_point(e) and not ember.is_floating_point(ember.zeros(1).long())
    assert ember.is_nonzero(ember.tensor([1.5])) == torch.is_nonzero(torch.tensor([1.5]))
    for n in (0, 2):
        msg_e, msg_t = _raises_like(lambda: ember.is_nonzero(ember.zeros(n)),
                                    lambda: torch.is_nonzero(torch.zeros(n)))
        assert msg_e == msg_t
    assert ember.get_device(e) == torch.get_device(torch.zeros(1)) == -1
    assert ember.is_distributed(e) == torch.is_distributed(torch.zeros(2, 3)) is False
    assert e.is_distributed() == torch.zeros(1).is_distributed() is False
    msg_e, msg_t = _raises_like(lambda: ember.is_distributed(3), lambda: torch.is_distributed(3))
    assert msg_e == msg_t
    n = ember.get_num_threads()
    ember.set_num_threads(n)
    assert ember.get_num_threads() == n


# --- operators ------------------------------------------------------------------------------

_ARITH = ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow"]
_BITS = ["and_", "or_", "xor"]
_CMP = ["eq", "ne", "lt", "le", "gt", "ge"]


@pytest.mark.parametrize("op", _ARITH + _CMP)
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_binary_operators_and_reflected_forms(op, dtype):
    a = np.array([[1, 2, 3], [4, 5, 6]], dtype=dtype)
    b = np.array([2, 3, 2], dtype=dtype)
    ea, eb, ta, tb = ember.tensor(a), ember.tensor(b), torch.tensor(a), torch.tensor(b)
    fn = getattr(operator, op)
    assert_close(fn(ea, eb), fn(ta, tb), 1e-6, 1e-6, op)
    for scalar in (2, 1.5):
        assert_close(fn(ea, scalar), fn(ta, scalar), 1e-6, 1e-6, "%s scalar" % op)
        assert_close(fn(scalar, ea), fn(scalar, ta), 1e-6, 1e-6, "reflected %s" % op)


@pytest.mark.parametrize("op", _BITS + ["lshift", "rshift"])
def test_bitwise_operators(op):
    a = np.array([1, 6, 12], dtype=np.int64)
    b = np.array([3, 2, 1], dtype=np.int64)
    fn = getattr(operator, op)
    assert_close(fn(ember.tensor(a), ember.tensor(b)), fn(torch.tensor(a), torch.tensor(b)),
                 0, 0, op)
    assert_close(fn(ember.tensor(a), 1), fn(torch.tensor(a), 1), 0, 0, op + " scalar")
    if op in _BITS:
        assert_close(fn(3, ember.tensor(a)), fn(3, torch.tensor(a)), 0, 0, "reflected " + op)
        bb = np.array([True, False, True])
        assert_close(fn(ember.tensor(bb), ember.tensor(bb[::-1].copy())),
                     fn(torch.tensor(bb), torch.tensor(bb[::-1].copy())), 0, 0, op + " bool")


@pytest.mark.parametrize("op", ["neg", "pos", "abs", "invert"])
def test_unary_operators(op):
    fn = getattr(operator, op)
    dtype = "int64" if op == "invert" else "float32"
    e, t = _pair([-2, 0, 3], dtype)
    assert_close(fn(e), fn(t), 0, 0, op)
    if op == "invert":
        e, t = _pair([True, False], "bool")
        assert_close(fn(e), fn(t), 0, 0, "invert bool")


def test_matmul_operator_and_reflected():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert_close(ember.tensor(a) @ ember.tensor(b), torch.tensor(a) @ torch.tensor(b), 1e-6, 1e-6,
                 "matmul")
    c = np.arange(8, dtype=np.float32).reshape(4, 2)
    assert_close(ember.tensor(a).__rmatmul__(ember.tensor(c)),
                 torch.tensor(a).__rmatmul__(torch.tensor(c)), 1e-6, 1e-6, "rmatmul")


@pytest.mark.parametrize("op", ["iadd", "isub", "imul", "itruediv", "ifloordiv", "imod", "ipow"])
def test_in_place_operators_mutate_self(op):
    fn = getattr(operator, op)
    e, t = _pair([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    other = np.array([2.0, 3.0, 0.5], dtype=np.float32)
    ids = id(e)
    e = fn(e, ember.tensor(other))
    t = fn(t, torch.tensor(other))
    assert id(e) == ids
    assert_close(e, t, 1e-6, 1e-6, op)
    e = fn(e, 2)
    t = fn(t, 2)
    assert_close(e, t, 1e-6, 1e-6, op + " scalar")


@pytest.mark.parametrize("op", ["iand", "ior", "ixor"])
def test_in_place_bitwise_operators(op):
    fn = getattr(operator, op)
    e, t = _pair([1, 6, 12], "int64")
    ids = id(e)
    e = fn(e, 3)
    t = fn(t, 3)
    assert id(e) == ids
    assert_close(e, t, 0, 0, op)


def test_in_place_operator_cannot_change_dtype():
    e, t = _pair([1, 2], "int64")
    msg_e, msg_t = _raises_like(lambda: operator.iadd(e, 1.5), lambda: operator.iadd(t, 1.5))
    assert msg_e == msg_t
    e, t = _pair([1.0, 2.0])
    e += ember.tensor([1, 1])
    t += torch.tensor([1, 1])
    assert_close(e, t, 0, 0, "float += int")


def test_invert_of_float_raises_type_error():
    _raises_like(lambda: ~ember.tensor([1.5]), lambda: ~torch.tensor([1.5]))


def test_division_by_zero_is_silent():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = ember.tensor([0.0, 1.0, -1.0]) / ember.tensor([0.0, 0.0, 0.0])
    assert_close(e, torch.tensor([0.0, 1.0, -1.0]) / torch.tensor([0.0, 0.0, 0.0]), 0, 0)


def test_eq_with_unsupported_type_is_not_implemented():
    e, t = ember.ones(2), torch.ones(2)
    assert e.__eq__("a") is NotImplemented and t.__eq__("a") is NotImplemented
    assert (e == "a") is (t == "a") is False


def test_eq_with_none_and_hash_identity():
    e = ember.zeros(2)
    assert (e == None) is False  # noqa: E711 - torch's behaviour
    assert (e != None) is True  # noqa: E711
    assert len({e, e, ember.zeros(2)}) == 2


def test_legacy_constructor():
    assert ember.Tensor(2, 3).shape == torch.Tensor(2, 3).shape
    assert_close(ember.Tensor([1, 2]), torch.Tensor([1, 2]), 0, 0, "Tensor(list)")
    assert ember.Tensor().shape == torch.Tensor().shape
