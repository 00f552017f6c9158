"""``ember.utils``: helpers mirroring ``torch.utils`` (submodules load on first use)."""
import importlib as _importlib


def __getattr__(name):
    if name in ("data", "checkpoint", "benchmark"):
        return _importlib.import_module("ember.utils." + name)
    raise AttributeError("module 'ember.utils' has no attribute %r" % name)
