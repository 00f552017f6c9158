"""``ember.cuda``: ember has no CUDA backend yet, so this answers torch's queries honestly.

Scripts commonly write ``device = "cuda" if torch.cuda.is_available() else "cpu"``; here that
picks the CPU. Creating a tensor on a CUDA device raises a RuntimeError saying ember has none.
"""


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def manual_seed(seed):
    """Accepted and ignored (no CUDA generators exist), as torch does without CUDA."""


def manual_seed_all(seed):
    """Accepted and ignored (no CUDA generators exist), as torch does without CUDA."""


def synchronize(device=None):
    """Nothing to wait for on the CPU."""


def empty_cache():
    """Nothing is cached without CUDA."""


def current_device():
    raise RuntimeError("ember has no CUDA backend: no CUDA device is available")


def get_device_name(device=None):
    raise RuntimeError("ember has no CUDA backend: no CUDA device is available")
