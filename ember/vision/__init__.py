"""``ember.vision``: datasets, transforms and image utilities mirroring torchvision.

Needs Pillow (``pip install ember[vision]``); ``import ember`` never loads it.
"""
import importlib as _importlib

_SUBMODULES = ("datasets", "transforms", "utils")


def __getattr__(name):
    if name in _SUBMODULES:
        return _importlib.import_module("ember.vision." + name)
    raise AttributeError("module 'ember.vision' has no attribute %r" % name)
