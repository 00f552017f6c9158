"""torch's legacy tensor types: ``torch.FloatTensor``, ``torch.LongTensor``, ... of old tutorials.

Each is a constructor (``torch.FloatTensor(2, 3)`` is uninitialised, ``torch.LongTensor([1, 2])``
copies data) and a type test (``isinstance(x, torch.FloatTensor)`` checks the dtype), and
``x.type(torch.DoubleTensor)`` converts, as in torch. ``torch.cuda.FloatTensor`` and friends exist
but refuse, as in a torch built without CUDA.
"""
import warnings

from ember import _dtype
from ember._tensor_str import _LEGACY

__all__ = ["LEGACY_TYPES", "legacy_dtype", "set_default_tensor_type"]


class _LegacyTensorType(type):
    """Metaclass of the legacy types: calling one builds a tensor, isinstance checks the dtype."""

    @property
    def dtype(cls):  # looked up on use: ``bfloat16`` loads ml_dtypes
        return getattr(_dtype, cls._dtype_name)

    def __instancecheck__(cls, obj):
        from ember._tensor import Tensor

        return isinstance(obj, Tensor) and cls.is_cuda is False and obj.dtype == cls.dtype

    def __call__(cls, *args, device=None):
        import ember

        legacy_dtype(cls)  # refuses the CUDA types
        if len(args) == 1 and not isinstance(args[0], int):
            source = args[0]
            if isinstance(source, ember.Tensor):
                if source.dtype != cls.dtype:
                    raise TypeError("expected %s (got %s)" % (cls.dtype, source.dtype))
                return source.detach()
            if isinstance(source, ember.Size):
                return ember.empty(tuple(source), dtype=cls.dtype, device=device)
            return ember.tensor(source, dtype=cls.dtype, device=device)
        return ember.empty(args if args else (0,), dtype=cls.dtype, device=device)

    def __repr__(cls):
        return "<class '%s.%s'>" % (cls.__module__, cls.__name__)


def _legacy(name, dtype_name, is_cuda=False):
    module = "torch.cuda" if is_cuda else "torch"
    return _LegacyTensorType(name, (), {
        "_dtype_name": dtype_name, "is_cuda": is_cuda, "__module__": module,
        "__doc__": "Legacy constructor of torch.%s tensors." % dtype_name})


_NAMES = {name: dtype_name for dtype_name, name in _LEGACY.items()}

# name -> type, for torch (CPU) and torch.cuda (refusing)
LEGACY_TYPES = {name: _legacy(name, dtype) for name, dtype in _NAMES.items()}
CUDA_LEGACY_TYPES = {name: _legacy(name, dtype, is_cuda=True) for name, dtype in _NAMES.items()}


def legacy_dtype(kind):
    """The dtype a legacy type or its name (``'torch.FloatTensor'``) stands for.

    Raises:
        ValueError: an unknown name; TypeError (via the constructor's message) for CUDA types.
    """
    if isinstance(kind, _LegacyTensorType):
        if kind.is_cuda:
            raise TypeError("type %s.%s not available. Torch not compiled with CUDA enabled."
                            % (kind.__module__, kind.__name__))
        return kind.dtype
    module, _, name = kind.rpartition(".")
    if module in ("torch.cuda", "ember.cuda") and name in _NAMES:
        return legacy_dtype(CUDA_LEGACY_TYPES[name])
    if module not in ("torch", "ember") or name not in _NAMES:
        raise ValueError("invalid type: %r" % kind)
    return getattr(_dtype, _NAMES[name])


def set_default_tensor_type(t):
    """Deprecated in torch: set the default floating dtype from a legacy type or its name."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    dtype = legacy_dtype(t)
    if not dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtype.set_default_dtype(dtype)
