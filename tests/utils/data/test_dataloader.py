"""DataLoader in the main process: batches, lengths and argument checks equal torch's for the
same sampler order."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import ember
from ember.utils.data import BatchSampler, DataLoader, IterableDataset, TensorDataset
from tests.utils.data._helpers import ArrayDataset, to_plain

ORDER = [5, 3, 22, 0, 9, 1, 14, 7, 18, 2, 11, 4, 20, 6, 13]


def batches(loader):
    return [to_plain(b) for b in loader]


@pytest.mark.parametrize("kwargs", [
    dict(batch_size=4, sampler=ORDER),
    dict(batch_size=4, sampler=ORDER, drop_last=True),
    dict(batch_size=1),
    dict(batch_size=5),
    dict(batch_size=None, sampler=ORDER),
    dict(batch_sampler=[[1, 2], [7], [3, 4, 5]]),
    dict(batch_size=3, collate_fn=lambda b: len(b)),
])
def test_batches_match_torch(kwargs):
    ds = ArrayDataset()
    ours, theirs = DataLoader(ds, **kwargs), tud.DataLoader(ds, **kwargs)
    assert len(ours) == len(theirs)
    assert batches(ours) == batches(theirs)


def test_tensor_dataset_batches():
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    ours = DataLoader(TensorDataset(ember.from_numpy(x), ember.arange(10)), batch_size=4,
                      sampler=[9, 8, 1, 2, 3, 0, 4, 5, 7, 6])
    theirs = tud.DataLoader(tud.TensorDataset(torch.from_numpy(x), torch.arange(10)),
                            batch_size=4, sampler=[9, 8, 1, 2, 3, 0, 4, 5, 7, 6])
    assert batches(ours) == batches(theirs)


def test_shuffle_reproducible_with_seed_and_generator():
    ds = list(range(30))
    ember.manual_seed(7)
    a = [b.tolist() for b in DataLoader(ds, batch_size=8, shuffle=True)]
    ember.manual_seed(7)
    assert [b.tolist() for b in DataLoader(ds, batch_size=8, shuffle=True)] == a
    assert sorted(sum(a, [])) == ds and sum(a, []) != ds
    loader = DataLoader(ds, batch_size=8, shuffle=True, generator=ember.Generator().manual_seed(3))
    e1, e2 = [sum((b.tolist() for b in loader), []) for _ in range(2)]
    assert e1 != e2  # a new order every epoch
    loader2 = DataLoader(ds, batch_size=8, shuffle=True,
                         generator=ember.Generator().manual_seed(3))
    assert sum((b.tolist() for b in loader2), []) == e1


class Stream(IterableDataset):
    def __init__(self, n, length=None):
        self.n, self.length = n, length

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.length if self.length is not None else self.n


class TStream(tud.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


@pytest.mark.parametrize("kwargs", [dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                    dict(batch_size=None)])
def test_iterable_dataset_matches_torch(kwargs):
    ours, theirs = DataLoader(Stream(10), **kwargs), tud.DataLoader(TStream(10), **kwargs)
    assert len(ours) == len(theirs)
    assert batches(ours) == batches(theirs)


def test_iterable_length_warning():
    loader = DataLoader(Stream(5, length=2), batch_size=1)
    assert len(loader) == 2
    with pytest.warns(UserWarning, match="was reported to be 2"):
        list(loader)


@pytest.mark.parametrize("kwargs", [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2),
    dict(persistent_workers=True), dict(shuffle=True, sampler=[0, 1]),
    dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_size=None, drop_last=True), dict(num_workers=1, prefetch_factor=-1),
])
def test_argument_errors_match_torch(kwargs):
    with pytest.raises(ValueError):
        tud.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(ValueError):
        DataLoader(list(range(4)), **kwargs)


@pytest.mark.parametrize("kwargs", [dict(shuffle=True), dict(sampler=[0]),
                                    dict(batch_sampler=[[0]])])
def test_iterable_rejects_samplers(kwargs):
    with pytest.raises(ValueError):
        DataLoader(Stream(3), **kwargs)


def test_attributes_frozen_and_misc():
    loader = DataLoader(list(range(4)), batch_size=2)
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 3
    loader.num_workers = 0  # not frozen in torch either
    with pytest.raises(AssertionError):
        iter(DataLoader(list(range(4)), timeout=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert [b.tolist() for b in DataLoader([1, 2], pin_memory=True)] == [[1], [2]]
    assert isinstance(DataLoader([1]).batch_sampler, BatchSampler)
