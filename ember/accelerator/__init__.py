"""``ember.accelerator``: torch's device-agnostic accelerator API, answered for a CPU-only machine.

ember computes on the CPU, which torch does not count as an accelerator: ``is_available()`` is
False, ``current_accelerator()`` is None and ``device_count()`` is 0, so the usual

    device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"

picks the CPU. What needs a device raises torch's RuntimeError.
"""
__all__ = ["Graph", "current_accelerator", "current_device_idx", "current_device_index",
           "current_stream", "device_count", "device_index", "empty_cache", "empty_host_cache",
           "get_device_capability", "get_memory_info", "is_available", "max_memory_allocated",
           "max_memory_reserved", "memory_allocated", "memory_reserved", "memory_stats",
           "reset_accumulated_memory_stats", "reset_peak_memory_stats", "set_device_idx",
           "set_device_index", "set_stream", "synchronize"]

_NO_ACCELERATOR = "Cannot access accelerator device when none is available."


def is_available():
    """False: ember has no accelerator."""
    return False


def current_accelerator(check_available=False):
    """None: there is no accelerator."""
    return None


def device_count():
    return 0


def _refusing(name, error, message):
    """A function ``name`` that raises ``error(message)``: what torch does for a device it lacks
    (shared by ``ember.cuda`` and ``ember.mps``)."""
    def refuse(*args, **kwargs):
        raise error(message)

    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = "Raises %s, as torch does without the device." % error.__name__
    return refuse


def _needs_accelerator(name):
    return _refusing(name, RuntimeError, _NO_ACCELERATOR)


current_device_idx = _needs_accelerator("current_device_idx")
current_device_index = _needs_accelerator("current_device_index")
current_stream = _needs_accelerator("current_stream")
empty_cache = _needs_accelerator("empty_cache")
empty_host_cache = _needs_accelerator("empty_host_cache")
get_device_capability = _needs_accelerator("get_device_capability")
get_memory_info = _needs_accelerator("get_memory_info")
max_memory_allocated = _needs_accelerator("max_memory_allocated")
max_memory_reserved = _needs_accelerator("max_memory_reserved")
memory_allocated = _needs_accelerator("memory_allocated")
memory_reserved = _needs_accelerator("memory_reserved")
memory_stats = _needs_accelerator("memory_stats")
reset_accumulated_memory_stats = _needs_accelerator("reset_accumulated_memory_stats")
reset_peak_memory_stats = _needs_accelerator("reset_peak_memory_stats")
set_device_idx = _needs_accelerator("set_device_idx")
set_device_index = _needs_accelerator("set_device_index")
set_stream = _needs_accelerator("set_stream")
synchronize = _needs_accelerator("synchronize")


class device_index:
    """Context manager that makes ``device`` current; ``None`` (the only index without an
    accelerator) does nothing."""

    def __init__(self, device):
        self.idx = device

    def __enter__(self):
        if self.idx is not None:
            raise RuntimeError(_NO_ACCELERATOR)
        return self

    def __exit__(self, *exc):
        return False


from ember.accelerator import graphs, memory  # noqa: E402,F401
from ember.accelerator.graphs import Graph  # noqa: E402,F401
