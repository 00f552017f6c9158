"""``ember.mps``: Apple's Metal backend, answered as torch answers on a machine without it."""
from ember.accelerator import _refusing

__all__ = [
    "current_allocated_memory",
    "device_count",
    "driver_allocated_memory",
    "empty_cache",
    "get_rng_state",
    "is_available",
    "manual_seed",
    "recommended_max_memory",
    "seed",
    "set_rng_state",
    "synchronize",
]


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Accepted and ignored (no MPS generator exists), as torch does without MPS."""


def _needs_mps(name, call):
    return _refusing(name, RuntimeError, "Cannot execute %s() without MPS backend." % call)


seed = _needs_mps("seed", "getDefaultGenerator")
get_rng_state = _needs_mps("get_rng_state", "getDefaultGenerator")
set_rng_state = _needs_mps("set_rng_state", "getDefaultGenerator")
synchronize = _needs_mps("synchronize", "deviceSynchronize")
empty_cache = _needs_mps("empty_cache", "emptyCache")
current_allocated_memory = _needs_mps("current_allocated_memory", "getCurrentAllocatedMemory")
driver_allocated_memory = _needs_mps("driver_allocated_memory", "getDriverAllocatedMemory")
recommended_max_memory = _needs_mps("recommended_max_memory", "getRecommendedMaxMemory")
