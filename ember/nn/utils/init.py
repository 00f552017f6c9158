"""``skip_init``: make a module without running its parameter initialisation's result through
anything, as ``torch.nn.utils.init``."""
import inspect

from ember.nn.modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """``module_cls(*args, **kwargs)`` for a module class that takes a ``device`` argument.

    torch builds the module on its ``meta`` device and then allocates uninitialised storage;
    ember has no ``meta`` device, so the module is built (and initialised) on the CPU: its values
    are valid ones where torch's are arbitrary, which code calling ``skip_init`` overwrites anyway.
    """
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError("Expected a Module; got %s" % (module_cls,))
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    kwargs["device"] = kwargs.pop("device", "cpu")
    return module_cls(*args, **kwargs)
