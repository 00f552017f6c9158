"""``ember.backends``: torch's backend switches, answered for ember's NumPy CPU backend.

``torch.backends.cudnn.benchmark = True`` and ``torch.backends.mps.is_available()`` are common in
scripts; they work here and change nothing (there is no cuDNN or MPS).
"""
import types

cudnn = types.SimpleNamespace(enabled=False, benchmark=False, deterministic=False,
                              allow_tf32=False, is_available=lambda: False,
                              version=lambda: None)
mps = types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
cuda = types.SimpleNamespace(is_built=lambda: False,
                             matmul=types.SimpleNamespace(allow_tf32=False))
mkldnn = types.SimpleNamespace(enabled=False, is_available=lambda: False)
openmp = types.SimpleNamespace(is_available=lambda: False)
