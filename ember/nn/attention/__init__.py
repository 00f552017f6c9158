"""``torch.nn.attention``: choosing the kernel behind ``scaled_dot_product_attention``.

torch picks among a math kernel and fused ones (flash, memory-efficient, cuDNN);
``sdpa_kernel`` restricts the choice. ember has one kernel, the math formula, whose results the
fused kernels reproduce up to rounding; it honours the restriction as torch does on the CPU
(where only the math and flash kernels exist): with both of them off, attention raises.
Alternative flash-attention implementations (torch's FA3/FA4 are CUDA kernels) can be
registered by name, but ember ships none.
"""
import contextlib
import enum
import logging

from ember.ops.nn import attention as _attention

__all__ = ["SDPBackend", "sdpa_kernel", "WARN_FOR_UNFUSED_KERNELS",
           "register_flash_attention_impl", "activate_flash_attention_impl",
           "list_flash_attention_impls", "current_flash_attention_impl",
           "restore_flash_attention_impl"]

# torch warns, when set, each time a fused kernel cannot be used
WARN_FOR_UNFUSED_KERNELS = False

_logger = logging.getLogger(__name__)


class SDPBackend(enum.IntEnum):
    """The kernels of ``scaled_dot_product_attention``."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """Context manager enabling only ``backends`` (an ``SDPBackend`` or a list of them) for
    ``scaled_dot_product_attention`` inside it; ``set_priority`` orders them (ember has one
    kernel, so the order changes nothing)."""
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend "
                             "instances, got %s" % type(backends).__name__)
    if isinstance(backends, SDPBackend):
        backends = [backends]
    previous = set(_attention._sdpa_backends)
    _attention._sdpa_backends.clear()
    _attention._sdpa_backends.update(int(b) for b in backends)
    try:
        yield {}
    finally:
        _attention._sdpa_backends.clear()
        _attention._sdpa_backends.update(previous)


_registry = {}
_active = None  # (name, handle returned by its register_fn) or None for the default


def register_flash_attention_impl(impl, *, register_fn):
    """Make ``impl`` activatable: ``activate_flash_attention_impl(impl)`` calls
    ``register_fn()`` (which may return a handle with ``remove()``)."""
    _registry[impl] = register_fn


def list_flash_attention_impls():
    """The names of the registered flash-attention implementations."""
    return list(_registry)


def current_flash_attention_impl():
    """The name of the active implementation, or None for the default."""
    return None if _active is None else _active[0]


def activate_flash_attention_impl(impl):
    """Switch to the registered implementation ``impl``."""
    global _active
    if impl not in _registry:
        raise ValueError("Unknown flash attention impl '%s'. Available implementations: %s"
                         % (impl, list(_registry)))
    if _active is not None and _active[0] == impl:
        return
    restore_flash_attention_impl(_raise_warn=False)
    _active = (impl, _registry[impl]())


def restore_flash_attention_impl(_raise_warn=True):
    """Go back to the default implementation."""
    global _active
    handle = None if _active is None else _active[1]
    if handle is not None:
        handle.remove()
    elif _raise_warn:
        _logger.warning("Trying to restore default FA2 impl when no custom impl was activated")
    _active = None
