"""``torch.amp.autocast`` for ember: a context manager and decorator that changes no dtype."""
import functools
import warnings

from ember._tensor import device as _device

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available"]

_DEFAULT_DTYPE = {"cpu": "bfloat16", "cuda": "float16"}
# device type -> (enabled, dtype name) of the innermost active region
_STATE = {}
_warned_cpu = []


def is_autocast_available(device_type):
    """Whether torch's autocast supports ``device_type`` (ember runs it on ``'cpu'`` only)."""
    _device(device_type)  # torch's error for an unknown device type
    return device_type in ("cpu", "cuda")


def is_autocast_enabled(device_type="cuda"):
    return _STATE.get(device_type, (False, None))[0]


def get_autocast_dtype(device_type):
    import ember

    name = _STATE.get(device_type, (False, None))[1] or _DEFAULT_DTYPE.get(device_type, "float16")
    return getattr(ember, name, name)


class autocast:
    """Region (or decorated function) where torch would run ops in lower precision.

    ember runs them in their inputs' dtype. On ``"cuda"`` it warns and disables itself, as a torch
    without CUDA does; on ``"cpu"`` it records the region (``is_autocast_enabled("cpu")`` is True
    inside) and warns once that ember does not lower the precision.

    Args:
        device_type (str): ``"cpu"`` or ``"cuda"``.
        dtype: the dtype torch would compute in (default bfloat16 on CPU, float16 on CUDA).
        enabled (bool): whether the region is active.
        cache_enabled (bool): accepted; there is no cast cache.
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError("Expected `device_type` of type `str`, got: `%s`" % type(device_type))
        _device(device_type)
        self.device = device_type
        self.fast_dtype = dtype
        if enabled and device_type == "cuda":
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          UserWarning, stacklevel=2)
            enabled = False
        elif enabled and device_type == "cpu" and not _warned_cpu:
            _warned_cpu.append(True)
            warnings.warn("ember's autocast computes in the inputs' dtype: results can differ "
                          "from torch's lower-precision ones in the last bits", UserWarning,
                          stacklevel=2)
        self._enabled = enabled

    def __enter__(self):
        self._prev = _STATE.get(self.device)
        name = None if self.fast_dtype is None else str(self.fast_dtype).rpartition(".")[2]
        _STATE[self.device] = (self._enabled, name)
        return self

    def __exit__(self, *exc):
        if self._prev is None:
            del _STATE[self.device]
        else:
            _STATE[self.device] = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def run_in_region(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return run_in_region


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for a custom Function's ``forward`` under autocast: ember runs it as written."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for a custom Function's ``backward`` under autocast: ember runs it as written."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
