"""``ember.tensor`` infers dtypes from nested data exactly as ``torch.tensor`` does."""
import numpy as np
import pytest
import torch

import ember

CASES = [
    [np.float64(1.5), np.float64(2)], [np.int32(1), np.int32(2)], [1.5, np.float64(2)],
    [1.5, 2.0], np.float32(3), [np.float32(1), 2.5], [1, 2], [np.int32(1), 2],
    [np.int32(1), 2.5], np.int16(4), [True, np.bool_(False)], [[1, 2], [3, 4]], 7, 2.5, True,
    np.array([1, 2], dtype=np.uint8), [[np.float16(1)], [np.float16(2)]],
]


@pytest.mark.parametrize("data", CASES, ids=[repr(c)[:40] for c in CASES])
def test_dtype_inference_matches_torch(data):
    e, t = ember.tensor(data), torch.tensor(data)
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    np.testing.assert_array_equal(e.numpy(), t.numpy())
