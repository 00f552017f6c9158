"""``ember.signal``: signal processing, as ``torch.signal`` (its ``windows`` package)."""
from ember.signal import windows

__all__ = ["windows"]
