"""``torch.accelerator.memory``: the accelerator's memory queries, which need a device and so
raise torch's RuntimeError here (the same functions as ``ember.accelerator``'s)."""
from ember.accelerator import (empty_cache, empty_host_cache, get_memory_info,  # noqa: F401
                               max_memory_allocated, max_memory_reserved, memory_allocated,
                               memory_reserved, memory_stats, reset_accumulated_memory_stats,
                               reset_peak_memory_stats)

__all__ = ["empty_cache", "empty_host_cache", "get_memory_info", "max_memory_allocated",
           "max_memory_reserved", "memory_allocated", "memory_reserved", "memory_stats",
           "reset_accumulated_memory_stats", "reset_peak_memory_stats"]
