"""``ember.cuda``: ember has no CUDA backend, so this answers as torch does on a CPU-only machine.

Scripts commonly write ``device = "cuda" if torch.cuda.is_available() else "cpu"``; here that
picks the CPU. Queries that a CPU-only torch answers (``device_count()``, ``memory_allocated()``,
``get_arch_list()``, ...) answer the same; what needs a CUDA device raises torch's
``AssertionError: Torch not compiled with CUDA enabled``, and so does moving a tensor to
``"cuda"``. ``torch.cuda.amp`` warns and disables itself as torch does.
"""
import collections
import contextlib

from ember._legacy import CUDA_LEGACY_TYPES
from ember.accelerator import _refusing
from ember.amp import GradScaler as _GradScaler
from ember.amp import _deprecated
from ember.amp import autocast as _autocast

__all__ = [
    "OutOfMemoryError",
    "amp",
    "current_device",
    "current_stream",
    "default_stream",
    "device",
    "device_count",
    "device_of",
    "empty_cache",
    "get_arch_list",
    "get_device_capability",
    "get_device_name",
    "get_device_properties",
    "get_gencode_flags",
    "get_rng_state",
    "get_rng_state_all",
    "host_memory_stats",
    "host_memory_stats_as_nested_dict",
    "init",
    "initial_seed",
    "ipc_collect",
    "is_available",
    "is_bf16_supported",
    "is_initialized",
    "is_tf32_supported",
    "manual_seed",
    "manual_seed_all",
    "max_memory_allocated",
    "max_memory_cached",
    "max_memory_reserved",
    "mem_get_info",
    "memory_allocated",
    "memory_cached",
    "memory_reserved",
    "memory_stats",
    "memory_stats_as_nested_dict",
    "seed",
    "seed_all",
    "set_device",
    "set_rng_state",
    "set_rng_state_all",
    "stream",
    "synchronize",
]

_NOT_COMPILED = ("Torch not compiled with CUDA enabled (ember has no CUDA backend; tensors live "
                 "on the CPU)")


class OutOfMemoryError(RuntimeError):
    """torch's CUDA out-of-memory error (never raised by ember; defined so ``except`` works)."""


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def manual_seed(seed):
    """Accepted and ignored (no CUDA generators exist), as torch does without CUDA."""


manual_seed_all = manual_seed


def seed():
    """Nothing to seed without CUDA."""


seed_all = seed


def synchronize(device=None):
    """Nothing to wait for on the CPU."""


def empty_cache():
    """Nothing is cached without CUDA."""


def get_arch_list():
    return []


def get_gencode_flags():
    return ""


def is_bf16_supported(including_emulation=True):
    return False


def is_tf32_supported():
    return False


def get_rng_state_all():
    return []


def _zero(device=None):
    return 0


memory_allocated = max_memory_allocated = memory_reserved = _zero
max_memory_reserved = memory_cached = max_memory_cached = _zero


def memory_stats(device=None):
    return collections.OrderedDict()


def host_memory_stats():
    return collections.OrderedDict()


def memory_stats_as_nested_dict(device=None):
    return {}


def host_memory_stats_as_nested_dict():
    return {}


def _needs_cuda(name):
    return _refusing(name, AssertionError, _NOT_COMPILED)


current_device = _needs_cuda("current_device")
get_device_name = _needs_cuda("get_device_name")
get_device_capability = _needs_cuda("get_device_capability")
get_device_properties = _needs_cuda("get_device_properties")
get_rng_state = _needs_cuda("get_rng_state")
set_rng_state = _needs_cuda("set_rng_state")
set_rng_state_all = _needs_cuda("set_rng_state_all")
initial_seed = _needs_cuda("initial_seed")
init = _needs_cuda("init")
set_device = _needs_cuda("set_device")
current_stream = _needs_cuda("current_stream")
default_stream = _needs_cuda("default_stream")
mem_get_info = _needs_cuda("mem_get_info")
ipc_collect = _needs_cuda("ipc_collect")


class device:
    """Context manager selecting a CUDA device: refused on entry, as torch does without CUDA
    (``device(None)`` and negative indices select nothing and pass)."""

    def __init__(self, device):
        self.idx = device if device is None or isinstance(device, int) else getattr(
            device, "index", device)

    def __enter__(self):
        if self.idx is not None and not (isinstance(self.idx, int) and self.idx < 0):
            raise RuntimeError("PyTorch was compiled without CUDA support (ember has no CUDA "
                               "backend)")
        return self

    def __exit__(self, *exc):
        return False


def device_of(obj):
    """The CUDA device of a tensor as a context manager: a CPU tensor selects nothing."""
    return device(None)


def stream(stream):
    """Context manager selecting a CUDA stream; ``None`` (the only stream here) does nothing."""
    if stream is not None:
        raise AssertionError(_NOT_COMPILED)
    return contextlib.nullcontext()


class _AmpModule:
    """``torch.cuda.amp``: deprecated aliases of ``torch.amp`` with device ``'cuda'``."""

    def GradScaler(self, *args, **kwargs):
        _deprecated("torch.cuda.amp.GradScaler(args...)", "torch.amp.GradScaler('cuda', args...)")
        return _GradScaler("cuda", *args, **kwargs)

    def autocast(self, enabled=True, dtype=None, cache_enabled=True):
        _deprecated("torch.cuda.amp.autocast(args...)", "torch.amp.autocast('cuda', args...)")
        return _autocast("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


amp = _AmpModule()
globals().update(CUDA_LEGACY_TYPES)  # torch.cuda.FloatTensor, ...: refuse, as without CUDA
