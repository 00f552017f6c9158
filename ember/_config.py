"""torch's top-level switches and type information: determinism, matmul precision, warn-always,
anomaly mode, the legacy per-device autocast functions, ``finfo``/``iinfo``, ``can_cast``,
``typename``, and the ``layout``/``memory_format`` types.

Switches that change how torch computes on devices ember lacks are stored and reported back,
so code that sets and reads them runs; what ember computes does not depend on them (ember's
kernels are deterministic and compute float32 matmuls at full precision).
"""
import builtins
import os
import warnings

from ember import _dtype
from ember._backend import np

_STATE = {"deterministic": False, "warn_only": False, "matmul_precision": "highest",
          "warn_always": False, "interop_threads": None, "autocast_cache": True}


# ---- determinism -----------------------------------------------------------------------------
def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record the determinism switch (ember's ops are deterministic either way)."""
    if not isinstance(mode, builtins.bool):
        raise TypeError("use_deterministic_algorithms expects a bool, but got %s"
                        % type(mode).__name__)
    _STATE["deterministic"], _STATE["warn_only"] = mode, builtins.bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _STATE["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _STATE["warn_only"]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode):
    """0/"default", 1/"warn" or 2/"error", as ``use_deterministic_algorithms`` with
    ``warn_only`` True/False."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               "`error`, but got %s" % debug_mode)
        debug_mode = _DEBUG_MODES[debug_mode]
    elif not isinstance(debug_mode, builtins.int):
        raise TypeError("debug_mode must be str or int, but got %s" % type(debug_mode).__name__)
    if debug_mode not in (0, 1, 2):
        raise RuntimeError("invalid value of debug_mode, expected 0, 1, or 2, but got %d"
                           % debug_mode)
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _STATE["deterministic"]:
        return 0
    return 1 if _STATE["warn_only"] else 2


# ---- precision, warnings, threads, denormals -------------------------------------------------
def set_float32_matmul_precision(precision):
    """"highest", "high" or "medium" (recorded; ember always computes in full float32)."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError("Invalid float32 matmul precision: %s" % precision)
    _STATE["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _STATE["matmul_precision"]


def set_warn_always(b):
    """Make warnings torch emits once emit every time (recorded)."""
    _STATE["warn_always"] = builtins.bool(b)


def is_warn_always_enabled():
    return _STATE["warn_always"]


def get_num_interop_threads():
    """The inter-op pool size torch would use (ember runs ops one after another)."""
    n = _STATE["interop_threads"]
    return n if n is not None else builtins.max(1, (os.cpu_count() or 2) // 2)


def set_num_interop_threads(num):
    if not isinstance(num, builtins.int) or num <= 0:
        raise RuntimeError("Expected positive number of threads")
    _STATE["interop_threads"] = num


def set_flush_denormal(mode):
    """False: NumPy gives no switch for flushing denormal floats to zero, so ember leaves them
    (torch returns False too where the CPU cannot do it)."""
    builtins.bool(mode)
    return False


# ---- anomaly mode ----------------------------------------------------------------------------
def set_anomaly_enabled(enabled, check_nan=True):
    from ember.autograd.grad_mode import _State

    _State.anomaly = builtins.bool(enabled)
    _State.anomaly_check_nan = builtins.bool(check_nan)


def is_anomaly_enabled():
    from ember.autograd.grad_mode import _State

    return _State.anomaly


def is_anomaly_check_nan_enabled():
    from ember.autograd.grad_mode import _State

    return getattr(_State, "anomaly_check_nan", True)


# ---- the deprecated per-device autocast functions ---------------------------------------------
def _autocast_state():
    from ember.amp import autocast_mode

    return autocast_mode


def _deprecated(old, new):
    warnings.warn("torch.%s() is deprecated. Please use torch.%s instead." % (old, new),
                  DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled():
    _deprecated("is_autocast_cpu_enabled", "is_autocast_enabled('cpu')")
    return _autocast_state().is_autocast_enabled("cpu")


def set_autocast_enabled(device_type, enabled=None):
    """``set_autocast_enabled(device_type, enabled)`` (or the old ``(enabled)`` for CUDA)."""
    if enabled is None:
        device_type, enabled = "cuda", device_type
    mode = _autocast_state()
    mode.set_state(device_type, builtins.bool(enabled),
                   mode._STATE.get(device_type, (False, None))[1])


def set_autocast_cpu_enabled(enabled):
    _deprecated("set_autocast_cpu_enabled", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def set_autocast_dtype(device_type, dtype):
    mode = _autocast_state()
    name = dtype.name if isinstance(dtype, _dtype.dtype) else str(dtype).split(".")[-1]
    mode.set_state(device_type, mode._STATE.get(device_type, (False, None))[0], name)


def set_autocast_cpu_dtype(dtype):
    _deprecated("set_autocast_cpu_dtype", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def set_autocast_gpu_dtype(dtype):
    _deprecated("set_autocast_gpu_dtype", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype)


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype", "get_autocast_dtype('cpu')")
    return _autocast_state().get_autocast_dtype("cpu")


def get_autocast_gpu_dtype():
    _deprecated("get_autocast_gpu_dtype", "get_autocast_dtype('cuda')")
    return _autocast_state().get_autocast_dtype("cuda")


def is_autocast_cache_enabled():
    return _STATE["autocast_cache"]


def set_autocast_cache_enabled(enabled):
    _STATE["autocast_cache"] = builtins.bool(enabled)


def clear_autocast_cache():
    """Forget the casts of parameters made in the current autocast region."""
    _autocast_state()._CACHE.clear()


# ---- type information ------------------------------------------------------------------------
def _fmt(x):
    return "%g" % x


class finfo:
    """Machine limits of a floating dtype (``bits``, ``eps``, ``max``, ``min``, ``tiny``,
    ``smallest_normal``, ``resolution``, ``dtype``)."""

    def __init__(self, type=None):
        dt = _dtype.get_default_dtype() if type is None else type
        if not isinstance(dt, _dtype.dtype) or not dt.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        info = np.finfo(dt.np)
        self.bits = info.bits
        self.eps, self.max, self.min = builtins.float(info.eps), builtins.float(info.max), \
            builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.tiny)
        self.resolution = 10.0 ** -info.precision
        self.dtype = dt.name

    def __repr__(self):
        return ("finfo(resolution=%s, min=%s, max=%s, eps=%s, smallest_normal=%s, tiny=%s, "
                "dtype=%s)" % (_fmt(self.resolution), _fmt(self.min), _fmt(self.max),
                               _fmt(self.eps), _fmt(self.smallest_normal), _fmt(self.tiny),
                               self.dtype))


class iinfo:
    """Machine limits of an integer (or bool) dtype (``bits``, ``max``, ``min``, ``dtype``)."""

    def __init__(self, type):
        if not isinstance(type, _dtype.dtype) or type.np.kind not in "iub":
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        if type.np.kind == "b":
            self.bits, self.min, self.max = 8, 0, 1
        else:
            info = np.iinfo(type.np)
            self.bits, self.min, self.max = info.bits, builtins.int(info.min), \
                builtins.int(info.max)
        self.dtype = type.name

    def __repr__(self):
        return "iinfo(min=%s, max=%s, dtype=%s)" % (_fmt(self.min), _fmt(self.max), self.dtype)


def can_cast(from_, to):
    """Whether torch's casting rules allow ``from_`` -> ``to`` (not float -> integer, not
    non-bool -> bool)."""
    for name, d in (("from_", from_), ("to", to)):
        if not isinstance(d, _dtype.dtype):
            raise TypeError("can_cast(): argument '%s' must be torch.dtype, not %s"
                            % (name, type(d).__name__))
    if from_.np.kind == "f" and to.np.kind in "iub":
        return False
    if from_.np.kind != "b" and to.np.kind == "b":
        return False
    return True


def typename(obj):
    """The type name torch prints: ``torch.FloatTensor`` for tensors, else the qualified name."""
    from ember._tensor import Tensor

    if isinstance(obj, Tensor):
        return obj.type().replace("ember.", "torch.") if obj.type().startswith("ember.") \
            else obj.type()
    module = getattr(type(obj), "__module__", "") or ""
    name = getattr(type(obj), "__qualname__", type(obj).__name__)
    if module in ("", "builtins", "__builtin__"):
        return name
    return module.replace("ember", "torch", 1) + "." + name if module.startswith("ember") \
        else module + "." + name


class _Named:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return _dtype.DISPLAY_PREFIX[0] + "." + self.name

    def __reduce__(self):
        return self.name


class layout(_Named):
    """A tensor memory layout (``strided``; ember tensors are all strided)."""

    __slots__ = ()


class memory_format(_Named):
    """A memory format (``contiguous_format``, ``channels_last``, ...)."""

    __slots__ = ()


strided = layout("strided")
contiguous_format = legacy_contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


# ---- device errors and modules ---------------------------------------------------------------
class AcceleratorError(RuntimeError):
    """Raised while executing on an accelerator device (ember has none)."""


class FatalError(Exception):
    """torch's error for unrecoverable internal failures."""


def get_device_module(device=None):
    """The module of ``device``'s type (``ember.cpu``, ``ember.cuda``, ``ember.mps``); without
    ``device`` the current accelerator's, or ``ember.cpu`` when there is none."""
    import importlib

    from ember._tensor import device as _device

    if device is None:
        name = "cpu"
    elif isinstance(device, str):
        name = _device(device).type
    elif isinstance(device, _device):
        name = device.type
    else:
        raise RuntimeError("Invalid value of device '%s', expect torch.device, str, or None"
                           % (device,))
    if name not in ("cpu", "cuda", "mps"):
        raise RuntimeError("Device '%s' does not have a corresponding module registered as "
                           "'torch.%s'." % (name, name))
    return importlib.import_module("ember." + name)
