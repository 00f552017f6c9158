"""ember.testing.assert_close: torch's tolerances and messages."""
import math

import numpy as np
import pytest
import torch

import ember


def _message(lib, actual, expected, **kwargs):
    try:
        lib.testing.assert_close(actual, expected, **kwargs)
    except (AssertionError, ValueError, TypeError) as e:
        return type(e).__name__, str(e)
    return None


_CASES = [
    (lambda lib: lib.tensor([1.0, 2.0, 3.0]), lambda lib: lib.tensor([1.0, 2.5, 3.0]), {}),
    (lambda lib: lib.tensor([[1.0, 2.0], [3.0, 4.0]]),
     lambda lib: lib.tensor([[1.0, 2.0], [3.0, 5.0]]), {}),
    (lambda lib: lib.tensor([1.0, 2.0]), lambda lib: lib.tensor([1.0, 2.0 + 1e-6]), {}),
    (lambda lib: lib.tensor([1.0, 2.0]), lambda lib: lib.tensor([1.0, 2.1]),
     {"rtol": 0.1, "atol": 0.0}),
    (lambda lib: lib.tensor([1, 2]), lambda lib: lib.tensor([1, 3]), {}),
    (lambda lib: lib.ones(2), lambda lib: lib.ones(3), {}),
    (lambda lib: lib.ones(2), lambda lib: lib.ones(2, dtype=lib.float64), {}),
    (lambda lib: lib.ones(2), lambda lib: lib.ones(2, dtype=lib.float64), {"check_dtype": False}),
    (lambda lib: 1.0, lambda lib: 1.1, {}),
    (lambda lib: [lib.ones(2), lib.zeros(1)], lambda lib: [lib.ones(2), lib.ones(1)], {}),
    (lambda lib: {"a": lib.ones(1)}, lambda lib: {"a": lib.zeros(1)}, {}),
    (lambda lib: lib.tensor([math.nan]), lambda lib: lib.tensor([math.nan]), {}),
    (lambda lib: lib.tensor([math.nan]), lambda lib: lib.tensor([math.nan]), {"equal_nan": True}),
    (lambda lib: lib.tensor(1.0), lambda lib: lib.tensor(1.5), {}),
    (lambda lib: lib.ones(1), lambda lib: lib.ones(1), {"rtol": 1e-3}),
    (lambda lib: lib.tensor(1.0), lambda lib: lib.tensor(1.5), {"msg": "custom"}),
    (lambda lib: lib.tensor([True]), lambda lib: lib.tensor([False]), {}),
    (lambda lib: [1, 2], lambda lib: [1, 2, 3], {}),
    (lambda lib: lib.tensor([0.0, 1.0]), lambda lib: lib.tensor([1e-5, 1.0]), {}),
]


@pytest.mark.parametrize("actual, expected, kwargs", _CASES)
def test_assert_close_matches_torch(actual, expected, kwargs):
    assert _message(ember, actual(ember), expected(ember), **kwargs) == _message(
        torch, actual(torch), expected(torch), **kwargs)


def test_mixed_inputs_and_callable_msg():
    with pytest.raises(TypeError, match="No comparison pair"):
        ember.testing.assert_close(ember.ones(1), 1.0)
    with pytest.raises(AssertionError, match="^wrapped: Tensor-likes are not close"):
        ember.testing.assert_close(ember.ones(1), ember.zeros(1), msg=lambda m: "wrapped: " + m)
    ember.testing.assert_close(np.ones(2, np.float32), np.ones(2, np.float32))
    with pytest.warns(FutureWarning, match="assert_allclose"):
        ember.testing.assert_allclose(ember.ones(2), [1.0, 1.0])


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool"])
def test_make_tensor(dtype):
    t = ember.testing.make_tensor(3, 4, dtype=getattr(ember, dtype), device="cpu")
    reference = torch.testing.make_tensor(3, 4, dtype=getattr(torch, dtype), device="cpu")
    assert tuple(t.shape) == tuple(reference.shape) and str(t.dtype)[6:] == str(
        reference.dtype)[6:]
    if dtype != "bool":
        assert float(t.min()) >= (0 if dtype == "uint8" else -9) and float(t.max()) <= 10
    assert not ember.testing.make_tensor((2,), dtype=ember.float32, exclude_zero=True,
                                         low=0, high=0).eq(0).any()
    assert ember.testing.make_tensor(2, dtype=ember.float32, requires_grad=True).requires_grad
