"""``ember.utils.dlpack``: exchanging tensors with other libraries through DLPack, as
``torch.utils.dlpack`` (``ember.from_dlpack`` and ``ember.to_dlpack`` are these functions).

Example::

    >>> import ember
    >>> from ember.utils.dlpack import from_dlpack, to_dlpack
    >>> x = ember.arange(3.)
    >>> y = from_dlpack(to_dlpack(x))
    >>> x[0] = 7.0
    >>> y
    tensor([7., 1., 2.])
"""
from ember._backend import np
from ember._tensor import _make

__all__ = ["from_dlpack", "to_dlpack"]


class _Capsule:
    """Hands a DLPack capsule to ``np.from_dlpack``, which wants an object with ``__dlpack__``."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU


def from_dlpack(ext_tensor):
    """A tensor sharing memory with ``ext_tensor`` (any CPU array with ``__dlpack__``: a torch
    tensor, a NumPy array, ...) or with a DLPack capsule."""
    if not hasattr(ext_tensor, "__dlpack__"):
        ext_tensor = _Capsule(ext_tensor)
    return _make(np.from_dlpack(ext_tensor))


def to_dlpack(tensor):
    """A DLPack capsule of ``tensor``'s memory (for ``torch.from_dlpack`` and others)."""
    return tensor._data.__dlpack__()

