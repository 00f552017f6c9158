"""``torch.version``: build facts of the torch release whose API ember follows."""
from ember.cli.compat import TorchVersion as _TorchVersion

__all__ = ["__version__", "cuda", "debug", "git_version", "hip", "rocm", "xpu"]

__version__ = _TorchVersion("2.13.0+ember." + __import__("ember").__version__)
cuda = None
hip = None
rocm = None
xpu = None
debug = False
git_version = "ember"
