"""Shared helpers: datasets usable by both torch and ember, and structure comparison."""
import numpy as np
import torch

import ember


def to_plain(x):
    """Turn a (nested) batch of either framework into comparable Python/NumPy values, keeping
    container types (namedtuple, dict, list, tuple) and tensor dtypes visible."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        return ("tensor", str(x.dtype).split(".")[-1], x.numpy().tolist(), tuple(x.shape))
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, tuple(to_plain(v) for v in x))
    if isinstance(x, dict):
        return ("dict", {k: to_plain(v) for k, v in x.items()})
    if isinstance(x, list):
        return ("list", [to_plain(v) for v in x])
    if isinstance(x, tuple):
        return ("tuple", [to_plain(v) for v in x])
    if isinstance(x, np.ndarray):
        return ("ndarray", x.dtype.str, x.tolist())
    return (type(x).__name__, x)


class ArrayDataset:
    """Map-style dataset of plain NumPy/Python samples (no framework tensors), so the same
    instance can feed ember's and torch's DataLoader."""

    def __init__(self, n=23):
        rng = np.random.default_rng(0)
        self.x = rng.standard_normal((n, 3)).astype(np.float32)
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": self.x[i], "y": int(i) % 4, "name": "s%d" % i}, float(i) / 2
