"""``torch.functional``: the functions torch defines in Python, re-exported from ember's ops."""
import ember as _ember

_NAMES = ("atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_shapes",
          "broadcast_tensors", "cartesian_prod", "cdist", "chain_matmul", "einsum", "istft", "lu",
          "meshgrid", "norm", "pca_lowrank", "split", "stft", "svd_lowrank", "tensordot",
          "unique", "unique_consecutive", "unravel_index")
__all__ = [n for n in _NAMES if hasattr(_ember, n)]
globals().update((n, getattr(_ember, n)) for n in __all__)
