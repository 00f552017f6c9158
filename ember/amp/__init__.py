"""``ember.amp``: torch's automatic mixed precision on the CPU.

``autocast("cpu")`` runs the ops torch's CPU autocast lists in bfloat16 (or float16), keeps the
ones it lists as float32 in float32 and promotes the rest of its list to the widest input
(``autocast_mode.CPU_POLICY``); ``GradScaler("cpu")`` scales losses and unscales gradients as
torch's does. ``autocast("cuda")`` and ``GradScaler("cuda")`` warn and disable themselves, as a
CPU-only torch does.
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
