"""Complex dtypes against torch: dtype objects, promotion, tensor creation, printing, conversion,
serialization, the ops torch refuses for complex inputs, and reductions with real results.

Elementwise ops on complex tensors are checked by the registry's generated tests (the ops whose
records list ``complex64``/``complex128`` in ``dtypes``).
"""
import io
import warnings

import numpy as np
import pytest
import torch

import ember

_DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool",
           "complex64", "complex128"]


def _name(d):
    return str(d).split(".")[-1]


@pytest.mark.parametrize("name", ["complex64", "complex128", "cfloat", "cdouble", "float32",
                                  "float16", "int64", "bool"])
def test_dtype_attributes(name):
    e, t = getattr(ember, name), getattr(torch, name)
    assert (e.is_complex, e.is_floating_point, e.is_signed, e.itemsize) == \
        (t.is_complex, t.is_floating_point, t.is_signed, t.itemsize)
    assert _name(e.to_real()) == _name(t.to_real())
    if name in ("float16",):
        with pytest.raises(TypeError, match="complex32"):
            e.to_complex()
    elif name in ("int64", "bool"):
        with pytest.raises(RuntimeError, match="Unknown Complex ScalarType for"):
            e.to_complex()
        with pytest.raises(RuntimeError):
            t.to_complex()
    else:
        assert _name(e.to_complex()) == _name(t.to_complex())
    assert repr(e) == repr(t).replace("torch", "ember")


def test_promote_types_matches_torch():
    for a in _DTYPES:
        for b in _DTYPES:
            e = ember.promote_types(getattr(ember, a), getattr(ember, b))
            assert _name(e) == _name(torch.promote_types(getattr(torch, a), getattr(torch, b))), \
                (a, b)


@pytest.mark.parametrize("case", [
    lambda m: (m.ones(2), 1j), lambda m: (m.ones(2, dtype=m.float64), 1j),
    lambda m: (m.ones(2, dtype=m.int32), 1j), lambda m: (m.ones(2, dtype=m.float64), m.tensor(1j)),
    lambda m: (m.ones(2, dtype=m.int64), m.tensor(1j, dtype=m.complex128)),
    lambda m: (m.tensor(1j), 1.0), lambda m: (m.tensor(1.0, dtype=m.float64), 1j),
    lambda m: (m.ones(2, dtype=m.complex64), m.tensor(1.0, dtype=m.float64)),
    lambda m: (m.ones(2, dtype=m.complex64), np.float64(1.0)),
    lambda m: (m.ones(2), np.complex128(1.0)), lambda m: (m.ones(2, dtype=m.bool), 2j),
], ids=range(11))
def test_result_type_matches_torch(case):
    assert _name(ember.result_type(*case(ember))) == _name(torch.result_type(*case(torch)))


def test_float16_with_complex_scalar_tensor_names_complex32():
    # torch gives complex32 (ComplexHalf), a dtype NumPy (and so ember) lacks
    with pytest.raises(TypeError, match="complex32"):
        ember.result_type(ember.ones(2, dtype=ember.float16), ember.tensor(1j))


@pytest.mark.parametrize("data", [
    [1 + 2j], np.array([1 + 2j]), [1, 2j], np.complex64(1j), [np.complex64(1j), 1.0],
    [np.complex128(1j)], [np.float64(1), 1j], 3j, [[1j, 2], [3, 4.5]], np.array([1j], np.complex64),
], ids=range(10))
def test_tensor_from_complex_data(data):
    e, t = ember.tensor(data), torch.tensor(data)
    assert _name(e.dtype) == _name(t.dtype)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    assert e.is_complex() and ember.is_complex(e) and not e.is_floating_point()


def test_dtype_argument_spellings():
    for spec in (complex, "complex64", "cdouble", ember.cfloat, np.complex64):
        ref = {complex: torch.complex128, "complex64": torch.complex64,
               "cdouble": torch.complex128, ember.cfloat: torch.complex64,
               np.complex64: torch.complex64}[spec]
        assert _name(ember.tensor([1, 2], dtype=spec).dtype) == _name(ref)
    assert _name(ember.zeros(2, dtype=ember.cdouble).dtype) == "complex128"


def test_set_default_dtype_refuses_complex():
    with pytest.raises(TypeError, match="only floating-point types are supported"):
        ember.set_default_dtype(ember.complex64)
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.complex64)


def test_default_complex_follows_default_dtype():
    old = ember.get_default_dtype()
    try:
        ember.set_default_dtype(ember.float64)
        assert ember.tensor([1j]).dtype is ember.complex128
        assert (ember.ones(2) * 1j).dtype is ember.complex128
    finally:
        ember.set_default_dtype(old)


_PRINTED = [
    [1 + 2j, 3 - 1j], [1.5 + 2j, -3 - 1j], [0j], [1e-5 + 1j, 100 + 2j], [1e10 + 1j, 1 + 1e-8j],
    [[1 + 2j, 3 - 1j], [0.5j, -0.25]], 1 + 2j, -0.0 - 0.0j, complex(float("nan"), 1),
    complex(float("inf"), -float("inf")), [1 - 0j, 2 + 0j], [12345.678 + 0.001j], [-1 - 1j],
    list(np.linspace(0, 5, 30) + 1j * np.linspace(-3, 2, 30)), list(np.arange(2000) * (1 + 1j)),
]


@pytest.mark.parametrize("dtype", [None, "complex64", "complex128"])
def test_repr_matches_torch(dtype):
    for data in _PRINTED:
        e = ember.tensor(data, dtype=dtype and getattr(ember, dtype))
        t = torch.tensor(data, dtype=dtype and getattr(torch, dtype))
        assert repr(e) == repr(t).replace("torch.", "ember."), data


def test_repr_suffixes_match_torch():
    for make in (lambda m: m.tensor([1j], requires_grad=True),
                 lambda m: m.zeros(0, dtype=m.complex64), lambda m: m.zeros(2, 0, dtype=m.cdouble),
                 lambda m: m.tensor([1j, 2]) * m.tensor(2.0, requires_grad=True)):
        assert repr(make(ember)) == repr(make(torch)).replace("torch.", "ember.")
    old = ember.get_default_dtype()
    try:
        ember.set_default_dtype(ember.float64)
        torch.set_default_dtype(torch.float64)
        for make in (lambda m: m.tensor([1j, 2]), lambda m: m.tensor([1j], dtype=m.complex64)):
            assert repr(make(ember)) == repr(make(torch)).replace("torch.", "ember.")
    finally:
        ember.set_default_dtype(old)
        torch.set_default_dtype(torch.float32)
    assert ember.tensor([1j]).type() == torch.tensor([1j]).type()


def test_python_scalars():
    for m in (ember, torch):
        pass
    for value in (1 + 0j, 1 + 1j, 0j):
        for kind in (float, int, bool, complex):
            t_res = e_res = None
            try:
                t_res = kind(torch.tensor(value))
            except RuntimeError as err:
                with pytest.raises(RuntimeError, match=str(err)):
                    kind(ember.tensor(value))
                continue
            e_res = kind(ember.tensor(value))
            assert e_res == t_res and type(e_res) is type(t_res)
    assert ember.tensor([1j, 2]).tolist() == torch.tensor([1j, 2]).tolist()
    assert ember.tensor(2 - 1j).item() == torch.tensor(2 - 1j).item()


def test_casts_to_real_warn_and_keep_the_real_part():
    z = ember.tensor([1 + 2j, -3.5 - 1j])
    for to in ("float32", "float64", "int64"):
        with pytest.warns(UserWarning, match="discards the imaginary part"):
            e = z.to(getattr(ember, to))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = torch.tensor([1 + 2j, -3.5 - 1j]).to(getattr(torch, to))
        assert _name(e.dtype) == _name(t.dtype)
        np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("make", [
    lambda m: m.ones(2, 3) * 1j + 2, lambda m: m.ones(3, dtype=m.int32) + 1j,
    lambda m: m.tensor([1 + 1j, 2], dtype=m.complex64) + m.ones(2, dtype=m.float64),
    lambda m: m.tensor([1 + 1j, 2]) * m.tensor(2.0, dtype=m.float64),
    lambda m: m.tensor([1 + 1j, 2 - 3j]) / m.tensor([2j, 0.5]),
    lambda m: m.tensor([1 + 1j, 2 - 3j]) ** 2, lambda m: 2 ** m.tensor([1 + 1j, 2 - 3j]),
    lambda m: m.tensor([1 + 1j, 2 - 3j]) ** m.tensor([0.5j, 2]),
    lambda m: m.tensor([1 + 1j, 2 - 3j], dtype=m.cdouble).sum(),
    lambda m: m.tensor([1 + 1j, 2 - 3j]).prod(), lambda m: m.tensor([1 + 1j, 2 - 3j]).mean(),
    lambda m: m.tensor([1 + 1j, 2 - 3j, 0.5]).var(), lambda m: m.tensor([1 + 1j, 2 - 3j]).std(),
    lambda m: m.tensor([[1 + 1j, 2 - 3j]]).norm(), lambda m: m.tensor([3 + 4j, 0]).sgn(),
    lambda m: m.tensor([1 + 1j, 2 - 3j]).sigmoid(), lambda m: m.tensor([1j, 2 + 0j]).isreal(),
    lambda m: m.tensor([1 + 1j, 2 - 3j]) == m.tensor([1 + 1j, 2]),
    lambda m: m.tensor([1 + 1j, 2 - 3j]).cumsum(0), lambda m: m.tensor([1 + 1j, 2 - 3j]) - 1.5,
    lambda m: m.tensor([1 + 1j, 2 - 3j]).neg(), lambda m: m.tensor([1 + 1j, 2 - 3j]).exp(),
    lambda m: m.tensor([1 + 1j, 2 - 3j]).float_power(2), lambda m: m.ones(2).float_power(1j),
], ids=range(24))
def test_arithmetic_matches_torch(make):
    e, t = make(ember), make(torch)
    assert _name(e.dtype) == _name(t.dtype)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=1e-6)


_REFUSED = [
    "z < z", "z <= 1", "z > z", "z >= z", "z.lt(z)", "z.max()", "z.min()", "z.amax()", "z.amin()",
    "z.max(0)", "z.min(0)", "z.argmax()", "z.argmin()", "torch.aminmax(z)", "z.sort()",
    "z.argsort()", "z.topk(1)", "z.msort()", "z.floor()", "z.ceil()", "z.trunc()", "z.fix()",
    "z.round()", "z.round(decimals=1)", "z.sign()", "z.clamp(0, 1)", "z.clamp(min=0)",
    "torch.relu(z)", "torch.maximum(z, z)", "torch.minimum(z, z)", "torch.fmax(z, z)",
    "torch.fmin(z, z)", "z // 2", "z % 2", "torch.fmod(z, z)", "torch.isposinf(z)",
    "torch.isneginf(z)", "torch.signbit(z)", "torch.erf(z)", "torch.lgamma(z)",
    "torch.hypot(z, z)", "torch.atan2(z, z)", "z.frac()", "torch.xlogy(z, z)",
    "torch.special.xlog1py(z, z)", "torch.logit(z)", "torch.deg2rad(z)", "torch.rad2deg(z)",
    "torch.nansum(z)", "torch.median(z)", "torch.nanmedian(z)", "z.kthvalue(1)", "z.mode()",
    "torch.unique(z)", "z.cummax(0)", "z.cummin(0)", "torch.arange(3, dtype=torch.complex64)",
]


@pytest.mark.parametrize("expr", _REFUSED)
def test_refusals_match_torch(expr):
    data = [1 + 2j, 3 - 1j]
    with pytest.raises(Exception) as t_err:
        eval(expr, {"torch": torch, "z": torch.tensor(data)})
    with pytest.raises(type(t_err.value)) as e_err:
        eval(expr, {"torch": ember, "z": ember.tensor(data)})
    assert type(e_err.value) is type(t_err.value)
    if "not implemented for" in str(t_err.value) or "complex" in str(t_err.value):
        if "ember" not in str(e_err.value):
            assert str(e_err.value) == str(t_err.value)


def test_save_load_roundtrip_and_torch_checkpoints():
    state = {"a": ember.tensor([1 + 2j, -0.5j]), "b": ember.tensor([[1j]], dtype=ember.cdouble),
             "view": ember.tensor([1j, 2, 3 + 3j])[::2], "dtype": ember.complex64}
    buf = io.BytesIO()
    ember.save(state, buf)
    buf.seek(0)
    back = ember.load(buf)
    for key in ("a", "b", "view"):
        assert back[key].dtype is state[key].dtype
        np.testing.assert_array_equal(back[key].numpy(), state[key].numpy())
    assert back["dtype"] is ember.complex64
    buf.seek(0)
    loaded = torch.load(buf)  # torch reads ember's checkpoint
    assert loaded["b"].dtype is torch.complex128 and loaded["dtype"] is torch.complex64
    np.testing.assert_array_equal(loaded["view"].numpy(), state["view"].numpy())
    buf = io.BytesIO()
    torch.save({"w": torch.tensor([1 + 2j, 3j]), "d": torch.tensor([2j], dtype=torch.cdouble),
                "kind": torch.cfloat}, buf)
    buf.seek(0)
    got = ember.load(buf)
    assert got["w"].dtype is ember.complex64 and got["d"].dtype is ember.complex128
    assert got["kind"] is ember.complex64
    np.testing.assert_array_equal(got["w"].numpy(), np.array([1 + 2j, 3j], np.complex64))


def test_real_imag_are_views_and_settable_as_torch():
    for lib in (ember, torch):
        z = lib.tensor([1 + 2j, 3 - 1j])
        re, im = z.real, z.imag
        re[0] = 7.0
        im[1] = 5.0
        z.real = lib.tensor([8.0, 9.0])
        assert z.tolist() == [8 + 2j, 9 + 5j]
        x = lib.ones(2)
        assert lib.real(x) is x and x.real is x
        x.real = lib.tensor([5.0, 6.0])
        assert x.tolist() == [5.0, 6.0]
        with pytest.raises(RuntimeError, match="imag is not implemented for tensors with non-"):
            x.imag = lib.tensor([1.0, 2.0])


@pytest.mark.parametrize("make", [
    lambda m: m.randn(3, 3, 2)[:, ::2], lambda m: m.randn(5, 2)[::2], lambda m: m.randn(3, 2)[1:],
    lambda m: m.tensor([1.0, 2.0])[None][0], lambda m: m.zeros(0, 2),
], ids=range(5))
def test_view_as_complex_shares_memory_with_torch_strides(make):
    e, t = make(ember), make(torch)
    ec, tc = ember.view_as_complex(e), torch.view_as_complex(t)
    assert ec.shape == tc.shape and ec.stride() == tc.stride() and ec.dtype is ember.complex64
    if ec.numel():
        e[(0,) * e.dim()] = 42.0
        assert ec.reshape(-1)[0].real.item() == 42.0
        back = ember.view_as_real(ec)
        assert back.shape == e.shape and back.stride() == e.stride()


@pytest.mark.parametrize("expr", [
    "torch.view_as_complex(torch.ones(3, 4))", "torch.view_as_complex(torch.ones(2, 3).T)",
    "torch.view_as_complex(torch.ones(3, 6)[:, 1:3])", "torch.view_as_complex(torch.ones(4)[1:3])",
    "torch.view_as_complex(torch.tensor(1.0))",
    "torch.view_as_complex(torch.ones(3, 2, dtype=torch.int64))",
    "torch.view_as_real(torch.ones(2))", "torch.view_as_real(torch.ones(2) * 1j).conj()",
    "torch.view_as_real((torch.ones(2) * 1j).conj())", "torch.imag(torch.ones(2))",
    "torch.complex(torch.ones(2), torch.ones(2, dtype=torch.float64))",
    "torch.complex(torch.ones(2, dtype=torch.int64), torch.ones(2, dtype=torch.int64))",
    "torch.complex(torch.ones(2), torch.ones(3))", "torch.complex(1.0, 2.0)",
    "torch.polar(torch.ones(2), torch.ones(2, dtype=torch.float64))",
])
def test_complex_view_errors_match_torch(expr):
    try:
        eval(expr, {"torch": torch})
        t_err = None
    except Exception as err:  # noqa: BLE001 - compared below
        t_err = err
    if t_err is None:
        eval(expr, {"torch": ember})
        return
    with pytest.raises(type(t_err)) as e_err:
        eval(expr, {"torch": ember})
    assert str(e_err.value) == str(t_err)


def test_conj_marks_like_torch():
    for lib in (ember, torch):
        z = lib.tensor([1 + 2j, 3 - 1j])
        c = z.conj()
        assert c.is_conj() and not z.is_conj() and not lib.is_conj(c.resolve_conj())
        assert c.resolve_conj().tolist() == [1 - 2j, 3 + 1j]
        assert not z.conj_physical().is_conj() and lib.conj_physical(z).tolist() == c.tolist()
        x = lib.ones(2)
        assert x.conj() is x and lib.resolve_conj(x) is x and not x.is_neg()
        assert lib.angle(z).dtype is lib.float32
        np.testing.assert_allclose(lib.angle(z).numpy(), np.angle([1 + 2j, 3 - 1j]), rtol=1e-6)
