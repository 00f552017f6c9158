"""``repr(tensor)`` equals torch's (with "torch." read as "ember.") for many tensors."""
import numpy as np
import pytest
import torch

import ember

_NAN, _INF = float("nan"), float("inf")

CASES = {
    "ints_as_floats": ([1.0, 2.0, 3.0], "float32"),
    "decimals": ([1.5, -2.25, 3.125], "float32"),
    "four_decimals": ([0.123456, 1.0], "float32"),
    "sci_wide_range": ([1e-5, 1.0, 1e5], "float32"),
    "sci_large": ([1e9, 2.0], "float32"),
    "sci_small": ([1e-5, 2e-5], "float32"),
    "large_integral": ([1e8, 1.0], "float32"),
    "negative_zero": ([-0.0, 1.0], "float32"),
    "only_negative_zero": ([-0.0, 0.0], "float32"),
    "nan_inf": ([_NAN, _INF, -_INF, 1.5], "float32"),
    "all_nan": ([_NAN, _NAN], "float32"),
    "nan_ints": ([_NAN, 2.0], "float32"),
    "zeros": ([0.0, 0.0], "float32"),
    "negatives": ([-1.0, -10.0, 100.0], "float32"),
    "float64": ([1.0, 2.5], "float64"),
    "float16": ([1.0, 2.5], "float16"),
    "ints": ([1, -20, 300], "int64"),
    "int32": ([1, 2], "int32"),
    "uint8": ([0, 255], "uint8"),
    "int8": ([-128, 5], "int8"),
    "bools": ([True, False], "bool"),
    "matrix": ([[1.0, 2.5], [-3.0, 4.0]], "float32"),
    "int_matrix": ([[1, 22], [333, 4]], "int64"),
    "three_d": (np.arange(24).reshape(2, 3, 4) / 7.0, "float32"),
    "four_d": (np.arange(16).reshape(2, 2, 2, 2), "int64"),
    "scalar_float": (3.5, "float32"),
    "scalar_int": (7, "int64"),
    "scalar_bool": (True, "bool"),
    "scalar_float64": (2.0, "float64"),
    "scalar_nan": (_NAN, "float32"),
    "scalar_neg_zero": (-0.0, "float32"),
    "scalar_sci": (1e-7, "float32"),
    "empty_1d": (np.zeros(0), "float32"),
    "empty_2d": (np.zeros((2, 0)), "float32"),
    "empty_3d": (np.zeros((0, 3, 1)), "float32"),
    "empty_int": (np.zeros(0), "int64"),
    "empty_float64": (np.zeros((0, 2)), "float64"),
    "empty_bool": (np.zeros(0), "bool"),
    "summarised_1d": (np.arange(2000) / 3.0, "float32"),
    "summarised_2d": (np.arange(2000).reshape(40, 50), "int64"),
    "summarised_3d": (np.arange(3000).reshape(10, 15, 20) * 1.5, "float32"),
    "wide_row": (np.arange(40) / 3.0, "float32"),
    "wide_int_row": (np.arange(100) * 1001, "int64"),
    "wide_matrix": (np.arange(60).reshape(2, 30) * 1.25, "float32"),
    "random": (np.random.default_rng(0).standard_normal((4, 5)), "float32"),
    "random_sci": (np.random.default_rng(1).standard_normal(6) * 1e6, "float32"),
    "random_float64": (np.random.default_rng(2).standard_normal((3, 3)), "float64"),
    "long_column": (np.arange(10).reshape(10, 1) / 4.0, "float32"),
    "wide_float64_row": (np.arange(30) / 7.0, "float64"),
    "wide_int32_row": (np.arange(25) * 1000, "int32"),
    "bool_matrix": ([[True, False], [False, True]], "bool"),
    "summarised_with_nan": (np.where(np.arange(1500) % 7 == 0, np.nan, np.arange(1500.0)),
                            "float32"),
    "summarised_float16": (np.arange(1200) / 8.0, "float16"),
    "mixed_nan_wide": ([_NAN, 1e-6, 3.0], "float64"),
    "one_element": ([0.5], "float32"),
}


def _both(values, dtype):
    arr = np.array(values).astype(dtype)
    return ember.tensor(arr), torch.tensor(arr)


def _expected(t):
    return repr(t).replace("torch.", "ember.")


@pytest.mark.parametrize("name", sorted(CASES))
def test_repr_matches_torch(name):
    e, t = _both(*CASES[name])
    assert repr(e) == _expected(t)
    assert str(e) == str(t).replace("torch.", "ember.")


@pytest.mark.parametrize("name", ["decimals", "matrix", "scalar_float", "empty_2d",
                                  "float64", "wide_float64_row", "wide_row", "summarised_1d"])
def test_repr_with_requires_grad(name):
    values, dtype = CASES[name]
    if dtype not in ("float32", "float64"):
        return
    e, t = _both(values, dtype)
    e.requires_grad_()
    t.requires_grad_()
    assert repr(e) == _expected(t)


@pytest.mark.parametrize("op", [
    lambda x: x * 2,
    lambda x: x + 1,
    lambda x: x - 1,
    lambda x: x / 3,
    lambda x: x.sum(),
    lambda x: x.mean(),
    lambda x: x.view(-1),
    lambda x: x.exp(),
    lambda x: x.transpose(0, 1),
    lambda x: x.permute(1, 0),
    lambda x: x[[0, 1]],
    lambda x: x.unsqueeze(0),
    lambda x: x.relu(),
    lambda x: x[0] @ x[1],
    lambda x: -x,
    lambda x: x.pow(2),
    lambda x: x.clone(),
    lambda x: x.double(),
    lambda x: 1 - x,
    lambda x: x.softmax(1),
    lambda x: x.log_softmax(1),
    lambda x: x[:1].expand(3, 2),
])
def test_repr_with_grad_fn(op):
    arr = np.array([[1.0, 2.0], [3.0, 4.5]], dtype=np.float32)
    e = ember.tensor(arr, requires_grad=True)
    t = torch.tensor(arr, requires_grad=True)
    assert repr(op(e)) == _expected(op(t))


def test_repr_under_non_default_dtype():
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for values, dtype in (([1.5, 2.0], "float64"), ([1.5, 2.0], "float32"), ([1, 2], "int64")):
            e, t = _both(values, dtype)
            assert repr(e) == _expected(t)
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("opts", [{"precision": 2}, {"sci_mode": True}, {"sci_mode": False},
                                  {"threshold": 5}, {"edgeitems": 1, "threshold": 5},
                                  {"linewidth": 40}, {"profile": "full"}])
def test_set_printoptions(opts):
    arr = np.arange(12, dtype=np.float32).reshape(3, 4) / 7.0 * 1000
    e, t = ember.tensor(arr), torch.tensor(arr)
    ember.set_printoptions(**opts)
    torch.set_printoptions(**opts)
    try:
        assert repr(e) == _expected(t)
    finally:
        ember.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
        ember.set_printoptions(sci_mode=None)
        torch.set_printoptions(sci_mode=None)
