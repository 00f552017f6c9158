"""Samplers: deterministic ones equal torch's; random ones checked for their contract and for
reproducibility under ember's generators (ember's random streams are not torch's)."""
import collections

import pytest
import torch.utils.data as tud

import ember
from ember.utils.data import (BatchSampler, DistributedSampler, RandomSampler, SequentialSampler,
                              SubsetRandomSampler, WeightedRandomSampler)


def test_sequential():
    assert list(SequentialSampler(range(7))) == list(tud.SequentialSampler(range(7)))
    assert len(SequentialSampler(range(7))) == 7


@pytest.mark.parametrize("n, bs, drop", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False),
                                         (2, 5, True), (0, 2, False)])
def test_batch_sampler_matches_torch(n, bs, drop):
    order = [(7 * i) % max(n, 1) for i in range(n)]
    ours, theirs = BatchSampler(order, bs, drop), tud.BatchSampler(order, bs, drop)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)


@pytest.mark.parametrize("kwargs", [dict(batch_size=0, drop_last=False),
                                    dict(batch_size=True, drop_last=False),
                                    dict(batch_size=2, drop_last=1)])
def test_batch_sampler_rejects_like_torch(kwargs):
    with pytest.raises(ValueError):
        tud.BatchSampler(range(3), **kwargs)
    with pytest.raises(ValueError):
        BatchSampler(range(3), **kwargs)


def test_random_sampler_permutation_and_seed():
    s = RandomSampler(range(50), generator=ember.Generator().manual_seed(3))
    a = list(s)
    assert sorted(a) == list(range(50)) and a != list(range(50))
    assert list(RandomSampler(range(50), generator=ember.Generator().manual_seed(3))) == a
    # Unseeded samplers draw their seed from the default generator on each pass.
    ember.manual_seed(1)
    x = list(RandomSampler(range(50)))
    y = list(RandomSampler(range(50)))
    ember.manual_seed(1)
    assert list(RandomSampler(range(50))) == x and x != y


@pytest.mark.parametrize("replacement, num_samples", [(True, 70), (True, 5), (False, 23),
                                                      (False, 7)])
def test_random_sampler_num_samples(replacement, num_samples):
    s = RandomSampler(range(10), replacement=replacement, num_samples=num_samples)
    out = list(s)
    assert len(out) == len(s) == len(tud.RandomSampler(range(10), replacement, num_samples))
    assert all(0 <= i < 10 for i in out)
    if not replacement:  # chained permutations: each full block is a permutation
        for k in range(num_samples // 10):
            assert sorted(out[10 * k:10 * k + 10]) == list(range(10))
        assert len(set(out[10 * (num_samples // 10):])) == num_samples % 10


@pytest.mark.parametrize("kwargs, exc", [(dict(replacement=1), TypeError),
                                         (dict(num_samples=0), ValueError)])
def test_random_sampler_rejects_like_torch(kwargs, exc):
    with pytest.raises(exc):
        tud.RandomSampler(range(3), **kwargs)
    with pytest.raises(exc):
        RandomSampler(range(3), **kwargs)


def test_subset_random_sampler():
    idx = [5, 9, 11, 20]
    out = list(SubsetRandomSampler(idx, generator=ember.Generator().manual_seed(0)))
    assert sorted(out) == idx and len(SubsetRandomSampler(idx)) == 4


def test_weighted_random_sampler():
    g = ember.Generator().manual_seed(0)
    counts = collections.Counter(WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=g))
    assert counts[0] == 0 and 0.2 < counts[1] / 4000 < 0.3
    out = list(WeightedRandomSampler([1, 2, 3, 4, 5], 5, replacement=False))
    assert sorted(out) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError):
        WeightedRandomSampler([[1.0, 2.0]], 2)
    with pytest.raises(ValueError):
        WeightedRandomSampler([1.0, 2.0], 0)


@pytest.mark.parametrize("n, replicas, drop", [(10, 3, False), (10, 3, True), (9, 3, False),
                                               (2, 4, False), (11, 4, True)])
def test_distributed_sampler_matches_torch_unshuffled(n, replicas, drop):
    for rank in range(replicas):
        ours = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop)
        theirs = tud.DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_distributed_sampler_shuffled_shards_and_epochs():
    shards = [DistributedSampler(range(10), 3, r, seed=5) for r in range(3)]
    first = [list(s) for s in shards]
    assert all(len(f) == 4 for f in first)
    assert set(sum(first, [])) == set(range(10))  # every sample seen, two repeated as padding
    assert [list(s) for s in shards] == first  # same epoch, same order
    for s in shards:
        s.set_epoch(1)
    assert [list(s) for s in shards] != first
    with pytest.raises(ValueError):
        DistributedSampler(range(10), 2, 2)
