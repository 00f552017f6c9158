"""default_collate / default_convert against torch on the same samples."""
import collections

import numpy as np
import pytest
import torch
from torch.utils.data import default_collate as t_collate
from torch.utils.data import default_convert as t_convert

import ember
from ember.utils.data import default_collate, default_convert
from tests.utils.data._helpers import to_plain

Point = collections.namedtuple("Point", ["x", "y"])

CASES = {
    "ints": [1, 2, 3],
    "bools": [True, False],
    "floats": [0.5, 1.5],
    "strings": ["a", "bc"],
    "bytes": [b"a", b"b"],
    "arrays_f32": [np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)],
    "arrays_u8": [np.arange(4, dtype=np.uint8), np.arange(4, dtype=np.uint8)],
    "arrays_i32": [np.arange(3, dtype=np.int32)] * 2,
    "arrays_bool": [np.array([True, False])] * 3,
    "np_f64_scalars": [np.float64(1.5), np.float64(2.0)],
    "np_i32_scalars": [np.int32(1), np.int32(7)],
    "np_bool_scalars": [np.bool_(True), np.bool_(False)],
    "0d_arrays": [np.array(1.0), np.array(2.0)],
    "dicts": [{"a": 1, "b": np.ones(2, np.float32)}, {"a": 2, "b": np.zeros(2, np.float32)}],
    "namedtuples": [Point(1, 2.0), Point(3, 4.0)],
    "tuples": [(np.ones(2, np.float64), 1, "x"), (np.zeros(2, np.float64), 2, "y")],
    "lists": [[1, 2.5], [3, 4.5]],
    "nested": [{"p": Point(np.float32(1), [1, 2]), "t": (0.5, "q")},
               {"p": Point(np.float32(2), [3, 4]), "t": (1.5, "r")}],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_default_collate_matches_torch(name):
    batch = CASES[name]
    assert to_plain(default_collate(batch)) == to_plain(t_collate(batch))


def test_collate_tensors_stacks_with_dtype():
    arrs = [np.arange(6, dtype=np.int16).reshape(2, 3) + i for i in range(4)]
    ours = default_collate([ember.from_numpy(a) for a in arrs])
    theirs = t_collate([torch.from_numpy(a) for a in arrs])
    assert to_plain(ours) == to_plain(theirs)


@pytest.mark.parametrize("batch, exc", [
    ([[1, 2], [3]], RuntimeError),              # lists of unequal size
    ([object(), object()], TypeError),          # unsupported element
    ([np.array(["a"]), np.array(["b"])], TypeError),  # string arrays
])
def test_default_collate_errors_like_torch(batch, exc):
    with pytest.raises(exc):
        t_collate(batch)
    with pytest.raises(exc):
        default_collate(batch)


def test_collate_unequal_tensors_raises():
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([ember.zeros(2), ember.zeros(3)])


@pytest.mark.parametrize("data", [
    0, "s", np.array([0, 1]), np.float32(2.5), Point(np.array(0), np.array(1)),
    [np.array([0, 1]), np.array([2, 3])], (np.ones(2), "x"), {"a": np.zeros(2, np.int64)},
    np.array(["x", "y"]),
], ids=repr)
def test_default_convert_matches_torch(data):
    assert to_plain(default_convert(data)) == to_plain(t_convert(data))


def test_collate_fn_map_is_extensible():
    from ember.utils.data._utils.collate import collate, default_collate_fn_map

    class Box:
        def __init__(self, v):
            self.v = v

    fns = dict(default_collate_fn_map)
    fns[Box] = lambda batch, *, collate_fn_map: sum(b.v for b in batch)
    assert collate([(Box(1), 2), (Box(3), 4)], collate_fn_map=fns)[0] == 4
