"""``ember.amp``: torch's automatic mixed precision, on a machine without CUDA.

ember computes in the dtype of its inputs: ``autocast`` on the CPU runs the region at full
precision (it warns once that it does not lower to float16/bfloat16, so numbers can differ from
torch's in the last bits); ``autocast("cuda")`` and ``GradScaler("cuda")`` warn and disable
themselves, as a CPU-only torch does. ``GradScaler`` disabled passes losses and steps through.
"""
import warnings

from ember.amp.autocast_mode import (
    autocast,
    custom_bwd,
    custom_fwd,
    get_autocast_dtype,
    is_autocast_available,
    is_autocast_enabled,
)
from ember.amp.grad_scaler import GradScaler

__all__ = [
    "GradScaler",
    "autocast",
    "get_autocast_dtype",
    "is_autocast_enabled",
    "autocast_mode",
    "custom_bwd",
    "custom_fwd",
    "grad_scaler",
    "is_autocast_available",
]


def _deprecated(old, new):
    warnings.warn("`%s` is deprecated. Please use `%s` instead." % (old, new), FutureWarning,
                  stacklevel=3)
