"""Shared by the registry vmap test and its report script: one registry sample batched."""
import numpy as np
import torch

import ember
from ember.ops.registry import T
from tests.ops.harness import make_array, torch_fn

BATCH = 3


def _specs(sample):
    """The ``T`` leaves of a sample in order (args, then kwargs), through lists and tuples."""
    out = []

    def walk(x):
        if isinstance(x, T):
            out.append(x)
        elif isinstance(x, (list, tuple)):
            for y in x:
                walk(y)
    for a in sample.args:
        walk(a)
    for v in sample.kwargs.values():
        walk(v)
    return out


def _rebuild(sample, tensors):
    it = iter(tensors)

    def fill(x):
        if isinstance(x, T):
            return next(it)
        if isinstance(x, (list, tuple)) and any(isinstance(y, T) for y in x):
            return type(x)(fill(y) for y in x)
        return x
    args = [fill(a) for a in sample.args]
    kwargs = {k: fill(v) for k, v in sample.kwargs.items()}
    return args, kwargs


def batched_arrays(sample, dtype, batched):
    """One array per T leaf: BATCH stacked samples where ``batched[i]``, else one sample."""
    rng = np.random.default_rng(0)
    arrays = []
    for spec, b in zip(_specs(sample), batched):
        if spec.noncontig or spec.values is not None:
            one = make_array(T(*spec.shape, low=spec.low, high=spec.high, dtype=spec.dtype,
                               values=spec.values), dtype, rng)
            arrays.append(np.stack([one] * BATCH) if b else one)
        else:
            arrays.append(np.stack([make_array(spec, dtype, rng) for _ in range(BATCH)]) if b
                          else make_array(spec, dtype, rng))
    return arrays


def run(lib, fn, sample, arrays, batched, randomness="error"):
    """vmap of ``fn`` over the batched leaves in ``lib`` (ember or torch)."""
    tensors = [(ember.from_numpy if lib is ember else torch.from_numpy)(a.copy())
               for a in arrays]

    def call(*ts):
        args, kwargs = _rebuild(sample, ts)
        return fn(*args, **kwargs)
    in_dims = tuple(0 if b else None for b in batched)
    return lib.vmap(call, in_dims=in_dims, randomness=randomness)(*tensors)


def torch_op(info):
    return torch_fn(info)


def loop_torch(fn, sample, arrays, batched):
    """The oracle: torch's op once per sample, results stacked."""
    outs = []
    for b in range(BATCH):
        ts = [torch.from_numpy(np.array(a[b] if f else a)) for a, f in zip(arrays, batched)]
        args, kwargs = _rebuild(sample, ts)
        outs.append(fn(*args, **kwargs))
    first = outs[0]
    if isinstance(first, torch.Tensor):
        return torch.stack(outs)
    if isinstance(first, tuple):
        return tuple(torch.stack([o[i] for o in outs]) if isinstance(first[i], torch.Tensor)
                     else first[i] for i in range(len(first)))
    return first
