"""Run existing PyTorch scripts on ember: ``ember run SCRIPT.py [ARGS]``.

``run_script`` executes a script with ``torch`` (and every ``torch.*`` module),
``torchvision`` and ``torchvision.*`` resolved to ember's modules: ``torch.nn`` is
``ember.nn``, ``torch.utils.data`` is ``ember.utils.data``, ``torchvision.transforms`` is
``ember.vision.transforms``. The aliases exist only while the script runs; ``import ember`` never
installs them, and a real torch imported before is put back afterwards.

What the script uses but ember lacks fails clearly: ``torch.fft_thing`` raises
``AttributeError: ember does not implement torch.fft_thing yet`` and ``import torch.distributed``
raises ``ModuleNotFoundError`` with the same words.

How much of torch's surface ember covers is counted by ``coverage_table()`` (the census of
``ember._census``; run ``python -m ember.cli.compat --coverage`` to print it).

Example::

    $ python -m ember.cli.compat train.py --epochs 2
"""
import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import operator
import os
import re
import runpy
import sys
import types

__all__ = ["run_script", "torch_aliases", "coverage_table", "main"]

# torch's top-level packages and the ember package each one maps to.
_ROOTS = {"torch": "ember", "torchvision": "ember.vision"}

def _ember_name(torch_name):
    """``'torch.nn.functional'`` -> ``'ember.nn.functional'``; None if not a torch name."""
    root, _, rest = torch_name.partition(".")
    if root not in _ROOTS:
        return None
    return _ROOTS[root] + ("." + rest if rest else "")


def _is_aliased(name):
    return name.partition(".")[0] in _ROOTS


class TorchVersion(str):
    """``torch.__version__`` under ``ember run``: the torch release whose API ember follows,
    tagged with ember's version (``2.13.0+ember.0.1.0``). It compares with strings and tuples
    as torch's ``TorchVersion`` does (``torch.__version__ >= "1.8"`` is True) and parses with
    ``packaging.version``."""

    def _release(self, other=None):
        text = self if other is None else other
        if isinstance(text, tuple):
            return tuple(int(x) for x in text)
        return tuple(int(x) for x in re.findall(r"\d+", str(text).split("+")[0])[:3])

    def _compare(self, other, op):
        return op(self._release(), self._release(other))

    def __lt__(self, other):
        return self._compare(other, operator.lt)

    def __le__(self, other):
        return self._compare(other, operator.le)

    def __gt__(self, other):
        return self._compare(other, operator.gt)

    def __ge__(self, other):
        return self._compare(other, operator.ge)

    def __eq__(self, other):
        return self._compare(other, operator.eq)

    def __ne__(self, other):
        return self._compare(other, operator.ne)

    __hash__ = str.__hash__


TorchVersion.__module__ = "torch.torch_version"  # prints as torch's class does

def _torch_version():
    from ember import __version__

    return TorchVersion("2.13.0+ember." + __version__)


TORCH_VERSION = _torch_version()


class _TorchModule(types.ModuleType):
    """A torch module name standing for an ember module: attributes come from the ember module.

    Submodules come back as their torch aliases, so ``torch.nn.Foo`` reports ``torch.nn`` in its
    error; what ember lacks raises ``AttributeError: ember does not implement torch.<name> yet``.
    """

    def __init__(self, torch_name, ember_module):
        super().__init__(torch_name, ember_module.__doc__)
        self.__dict__["_ember_module"] = ember_module
        self.__file__ = getattr(ember_module, "__file__", None)
        if hasattr(ember_module, "__path__"):
            self.__path__ = []  # a package: its submodules are found by _TorchFinder

    def __getattr__(self, name):
        ember_module = self.__dict__["_ember_module"]
        if name == "__version__" and self.__name__ == "torch":
            return TORCH_VERSION
        try:
            value = getattr(ember_module, name)
        except (AttributeError, ImportError):
            if name.startswith("__"):
                raise AttributeError(name) from None
            raise AttributeError("ember does not implement %s.%s yet"
                                 % (self.__name__, name)) from None
        if isinstance(value, types.ModuleType) and value.__name__.startswith("ember"):
            return importlib.import_module(self.__name__ + "." + name)
        return value

    def __dir__(self):
        return sorted(set(dir(self.__dict__["_ember_module"])) | set(self.__dict__))


class _TorchFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch``/``torchvision`` modules as aliases of ember's while a script runs."""

    def find_spec(self, fullname, path=None, target=None):
        ember_name = _ember_name(fullname)
        if ember_name is None:
            return None
        try:
            found = importlib.util.find_spec(ember_name) is not None
        except ImportError:
            found = False
        if not found:
            raise ModuleNotFoundError("ember does not implement %s yet" % fullname)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        return _TorchModule(spec.name, importlib.import_module(_ember_name(spec.name)))

    def exec_module(self, module):
        pass


@contextlib.contextmanager
def torch_aliases():
    """Within this context, ``import torch`` (and ``torchvision``) gives ember's modules.

    Modules of a real torch that were imported before are hidden during the context and put
    back after it, so a process can hold both.
    """
    from ember import _dtype

    hidden = {name: sys.modules.pop(name) for name in list(sys.modules) if _is_aliased(name)}
    finder = _TorchFinder()
    sys.meta_path.insert(0, finder)
    prefix = _dtype.DISPLAY_PREFIX[0]
    _dtype.DISPLAY_PREFIX[0] = "torch"
    try:
        yield
    finally:
        _dtype.DISPLAY_PREFIX[0] = prefix
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if _is_aliased(n)]:
            del sys.modules[name]
        sys.modules.update(hidden)


def run_script(path, argv=()):
    """Run the PyTorch script at ``path`` on ember, as ``python path *argv`` would.

    The script runs as ``__main__`` with ``sys.argv == [path, *argv]`` and its folder first on
    ``sys.path``; ``torch`` and ``torchvision`` resolve to ember for the duration only.
    ``SystemExit`` from the script propagates.

    Args:
        path (str): the script.
        argv (sequence of str): its command-line arguments.

    Returns:
        dict: the script's global variables when it finishes.
    """
    path = os.fspath(path)
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [path, *argv]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        with torch_aliases():
            return runpy.run_path(path, run_name="__main__")
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path


def coverage_table():
    """The census of the torch surface (``ember._census``): per namespace the share of torch's
    public names ember provides, then the missing names and the deliberate omissions with their
    reasons. It compares with the installed torch, so it needs torch.

    Raises:
        ModuleNotFoundError: torch is not installed.
    """
    from ember import _census

    try:
        importlib.import_module("torch")
    except ImportError:
        raise ModuleNotFoundError("the census compares ember with torch's public names: install "
                                  "torch to see it") from None
    return _census.coverage_table() + "\n" + _census.coverage_details()


def main(argv=None):
    """``ember run SCRIPT.py [ARGS]``: run a PyTorch script on ember (``--coverage`` prints
    the covered surface)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "run":
        argv = argv[1:]
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: ember run SCRIPT.py [ARGS...]\n       python -m ember.cli.compat SCRIPT.py "
              "[ARGS...]\n       python -m ember.cli.compat --coverage")
        return 0 if argv else 2
    if argv[0] == "--coverage":
        print(coverage_table(), end="")
        return 0
    run_script(argv[0], argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
