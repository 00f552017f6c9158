"""``ember.utils``: helpers mirroring ``torch.utils`` (``ember.utils.data`` loads on first use)."""
import importlib as _importlib


def __getattr__(name):
    if name == "data":
        return _importlib.import_module("ember.utils.data")
    raise AttributeError("module 'ember.utils' has no attribute %r" % name)
