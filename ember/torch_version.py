"""``torch.torch_version``: the ``TorchVersion`` string type (and ``Version`` to parse one)."""
from ember.cli.compat import TorchVersion

__all__ = ["InvalidVersion", "TorchVersion", "Version"]

try:
    from packaging.version import InvalidVersion, Version
except ImportError:  # packaging is optional; TorchVersion compares without it
    Version = InvalidVersion = None


def __getattr__(name):
    if name == "internal_version":
        from ember.version import __version__

        return __version__
    raise AttributeError("module 'ember.torch_version' has no attribute %r" % name)
