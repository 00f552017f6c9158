"""Datasets and random_split, compared with torch.utils.data on the same inputs."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import ember
from ember.utils.data import (ChainDataset, ConcatDataset, Dataset, IterableDataset,
                              StackDataset, Subset, TensorDataset, random_split)
from tests.utils.data._helpers import to_plain


def test_tensor_dataset():
    x, y = np.arange(12.0, dtype=np.float32).reshape(4, 3), np.arange(4)
    ours = TensorDataset(ember.from_numpy(x), ember.from_numpy(y))
    theirs = tud.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    assert len(ours) == 4
    assert to_plain(ours[2]) == to_plain(theirs[2])
    with pytest.raises(AssertionError):
        TensorDataset(ember.zeros(3), ember.zeros(4))


def test_concat_and_add():
    a, b = list(range(3)), list(range(10, 15))

    class L(Dataset):
        def __init__(self, items):
            self.items = items

        def __len__(self):
            return len(self.items)

        def __getitem__(self, i):
            return self.items[i]

    cat = L(a) + L(b)
    ref = tud.ConcatDataset([a, b])
    assert isinstance(cat, ConcatDataset) and cat.cumulative_sizes == ref.cumulative_sizes
    assert [cat[i] for i in range(-8, 8)] == [ref[i] for i in range(-8, 8)]
    with pytest.raises(ValueError):
        cat[-9]
    with pytest.raises(AssertionError):
        ConcatDataset([])


def test_stack_dataset():
    a, b = [1, 2, 3], ["x", "y", "z"]
    assert StackDataset(a, b)[1] == tud.StackDataset(a, b)[1] == (2, "y")
    assert StackDataset(p=a, q=b)[2] == {"p": 3, "q": "z"}
    assert StackDataset(a, b).__getitems__([0, 2]) == [(1, "x"), (3, "z")]
    assert StackDataset(p=a, q=b).__getitems__([1]) == [{"p": 2, "q": "y"}]
    with pytest.raises(ValueError):
        StackDataset(a, [1])
    with pytest.raises(ValueError):
        StackDataset(a, q=b)


def test_chain_dataset():
    class R(IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n

    chain = R(2) + R(3)
    assert isinstance(chain, ChainDataset) and list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5
    with pytest.raises(AssertionError):
        list(ChainDataset([[1, 2]]))


def test_subset():
    s = Subset(list(range(100, 110)), [3, 1, 4])
    assert len(s) == 3 and s[0] == 103 and s.__getitems__([2, 1]) == [104, 101]

    class Bad(Subset):
        def __getitem__(self, i):
            return 0

    with pytest.raises(NotImplementedError):
        Bad([1], [0])


@pytest.mark.parametrize("n, lengths", [(10, [3, 7]), (30, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]),
                                        (7, [0.1, 0.1, 0.8]), (5, [0.2, 0.8])])
def test_random_split_sizes_match_torch(n, lengths):
    ours = random_split(range(n), lengths, generator=ember.Generator().manual_seed(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = tud.random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert sorted(i for s in ours for i in s) == list(range(n))  # disjoint cover


def test_random_split_reproducible_and_errors():
    def split(seed):
        return [list(s) for s in random_split(range(20), [5, 15],
                                              generator=ember.Generator().manual_seed(seed))]

    assert split(1) == split(1) and split(1) != split(2)
    ember.manual_seed(4)
    a = [list(s) for s in random_split(range(20), [10, 10])]
    ember.manual_seed(4)
    assert a == [list(s) for s in random_split(range(20), [10, 10])]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(5), [2, 2])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(1), [0.1, 0.9])
