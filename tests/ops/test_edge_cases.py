"""Edge cases of issue 10 that are not a registry sample (creation, Python-scalar operands,
gradient flags of ops without a derivative): each against torch."""
import numpy as np
import pytest
import torch

import ember


def _both(fn):
    """``fn(lib)`` in ember and torch: (result, exception type) for each."""
    out = []
    for lib in (ember, torch):
        try:
            out.append((fn(lib), None))
        except Exception as e:  # noqa: BLE001 - compared below
            out.append((None, type(e)))
    return out


def _same(fn):
    (e, e_err), (t, t_err) = _both(fn)
    if t_err is not None:
        assert e_err is not None and issubclass(e_err, t_err), (e_err, t_err)
        return
    assert e_err is None, e_err
    np.testing.assert_array_equal(np.asarray(e), np.asarray(t))


@pytest.mark.parametrize("dtype,values,op,scalar", [
    ("uint8", [100, 250], "add", 300), ("int8", [3, -5], "mul", 1000),
    ("int16", [7, 8], "sub", 70000), ("uint8", [1, 2], "mul", -1),
    ("int32", [5, 6], "add", 2 ** 33)])
def test_python_int_operand_wraps_into_the_tensor_dtype(dtype, values, op, scalar):
    _same(lambda L: getattr(L, op)(L.tensor(values, dtype=getattr(L, dtype)), scalar).tolist())
    _same(lambda L: str(getattr(L, op)(L.tensor(values, dtype=getattr(L, dtype)), scalar).dtype)
          .split(".")[-1])


@pytest.mark.parametrize("values,dtype", [
    ([300], "uint8"), ([-1], "uint8"), ([-255], "uint8"), ([-256], "uint8"), ([128], "int8"),
    ([-129], "int8"), ([[1, 70000]], "int16"), ([2 ** 31], "int32"), ([255], "uint8")])
def test_tensor_refuses_python_ints_out_of_range(values, dtype):
    _same(lambda L: L.tensor(values, dtype=getattr(L, dtype)).tolist())


@pytest.mark.parametrize("fn", [
    lambda L, x: L.bincount(L.tensor([0, 2, 2]), weights=x),
    lambda L, x: L.heaviside(x, L.tensor([0.5])),
    lambda L, x: L.unique(x),
    lambda L, x: L.floor_divide(x, 2.0),
], ids=["bincount", "heaviside", "unique", "floor_divide"])
def test_ops_without_derivative_keep_requires_grad_and_raise_in_backward(fn):
    outs = []
    for lib in (ember, torch):
        x = lib.tensor([1.5, -2.0, 0.0], requires_grad=True)
        y = fn(lib, x)
        assert y.requires_grad
        with pytest.raises(RuntimeError, match="is not implemented"):
            y.sum().backward()
        with lib.no_grad():
            outs.append(fn(lib, x).requires_grad)
    assert outs == [False, False]


@pytest.mark.parametrize("fn", [
    lambda L: L.full((1000,), 10.0, dtype=L.float16).norm(),
    lambda L: L.linalg.vector_norm(L.full((4, 500), 10.0, dtype=L.float16), 3, dim=1),
    lambda L: L.full((5000,), 0.1, dtype=L.float16).cumsum(0),
    lambda L: L.full((3, 2000), 0.3, dtype=L.float16).cumsum(1),
], ids=["norm", "vector_norm-p3", "cumsum", "cumsum-dim1"])
def test_float16_reductions_accumulate_in_float32_as_torch(fn):
    (e, _), (t, _) = _both(fn)
    assert e.dtype == ember.float16
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("fn,shape,factor", [("pixel_unshuffle", (2, 4, 6), 2),
                                             ("pixel_shuffle", (8, 2, 3), 2)])
def test_pixel_shuffles_of_an_empty_batch_keep_the_shape_rule(fn, shape, factor):
    # A deliberate difference (the fuzzer draws no empty input for these two): torch's
    # pixel_unshuffle returns an empty input unchanged, (0, 2, 4, 6) -> (0, 2, 4, 6), so
    # pixel_shuffle's backward, which calls it, fails on an empty batch. ember keeps the shape
    # rule torch follows for any non-empty batch, and differentiates.
    one = getattr(torch.nn.functional, fn)(torch.zeros(1, *shape), factor).shape
    x = ember.zeros(0, *shape, requires_grad=True)
    y = getattr(ember.nn.functional, fn)(x, factor)
    assert tuple(y.shape) == (0,) + tuple(one[1:])
    (g,) = ember.autograd.grad(y.sum(), x)
    assert tuple(g.shape) == (0,) + shape
