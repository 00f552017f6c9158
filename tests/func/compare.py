"""Helpers shared by the transform tests: the same arrays in ember and torch, and a comparison
of nested results (tensors inside tuples, lists and dicts)."""
import torch

import ember
from tests.ops.harness import assert_close


def both(*arrays):
    return (tuple(ember.tensor(a) for a in arrays), tuple(torch.tensor(a) for a in arrays))


def close(e, t, tol=1e-10):
    if isinstance(t, torch.Tensor):
        assert_close(e, t, tol, tol)
    elif isinstance(t, dict):
        assert set(e) == set(t)
        for k in t:
            close(e[k], t[k], tol)
    else:
        assert isinstance(e, (tuple, list)) and len(e) == len(t), (e, t)
        for a, b in zip(e, t):
            close(a, b, tol)
