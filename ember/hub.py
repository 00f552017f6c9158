"""``ember.hub``: torch.hub's names; ember downloads no hub code or weights by itself.

``load``, ``list`` and ``help`` fetch and run a GitHub repository's ``hubconf.py``: ember refuses
them with a RuntimeError saying they need the network and torch's code. ``load_state_dict_from_url``
loads a checkpoint that is already in the hub cache (``get_dir()/checkpoints``, as torch stores
it) and otherwise says where to put the file.
"""
import os
import re
import typing

from ember._tensor import device as _device

__all__ = ["download_url_to_file", "get_dir", "help", "list", "load", "load_state_dict_from_url",
           "set_dir"]

ENV_TORCH_HOME = "TORCH_HOME"
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"
DEFAULT_CACHE_DIR = "~/.cache"
MODULE_HUBCONF = "hubconf.py"
ENV_GITHUB_TOKEN = "GITHUB_TOKEN"
VAR_DEPENDENCY = "dependencies"
READ_DATA_CHUNK = 128 * 1024
# matches the hash prefix in a checkpoint's file name (``resnet18-f37072fd.pth``)
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")
# the type of ``load``'s ``map_location`` argument
MAP_LOCATION = typing.Optional[typing.Union[typing.Callable[[typing.Any, str], typing.Any],
                                            _device, str, typing.Dict[str, str]]]

_hub_dir = None


def get_dir():
    """The hub cache folder: ``set_dir``'s, else ``$TORCH_HOME/hub``, else
    ``$XDG_CACHE_HOME/torch/hub`` (default ``~/.cache/torch/hub``), as torch's."""
    if _hub_dir is not None:
        return _hub_dir
    torch_home = os.path.expanduser(os.getenv(ENV_TORCH_HOME, os.path.join(
        os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR), "torch")))
    return os.path.join(torch_home, "hub")


def set_dir(d):
    global _hub_dir
    _hub_dir = os.path.expanduser(os.fspath(d))


def _needs_network(what):
    return RuntimeError("torch.hub.%s needs the network and the repository's own code, which "
                        "ember does not fetch: build the model in Python and load its weights "
                        "with torch.load" % what)


def load(repo_or_dir, model, *args, **kwargs):
    raise _needs_network("load")


def list(github, force_reload=False, skip_validation=False, trust_repo=None, verbose=True):
    raise _needs_network("list")


def help(github, model, force_reload=False, skip_validation=False, trust_repo=None):
    raise _needs_network("help")


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    raise _needs_network("download_url_to_file")


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True,
                             check_hash=False, file_name=None, weights_only=False):
    """Load the checkpoint ``url`` names from the hub cache, where torch would have saved it.

    Raises:
        RuntimeError: the file is not in the cache (ember does not download it).
    """
    from ember.serialization import load as _load

    model_dir = model_dir or os.path.join(get_dir(), "checkpoints")
    path = os.path.join(model_dir, file_name or os.path.basename(url.split("?")[0]))
    if not os.path.exists(path):
        raise RuntimeError("%s is not in the hub cache and ember does not download it: fetch it "
                           "yourself and save it as %s" % (url, path))
    return _load(path, map_location=map_location, weights_only=weights_only)
