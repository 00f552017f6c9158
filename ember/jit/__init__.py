"""``ember.jit``: TorchScript's entry points, running eagerly.

ember has no compiler: ``script`` and ``trace`` return callables that run the original Python
eagerly, with the same results, so scripts that script or trace a model for speed keep working.
TorchScript files are neither written nor read: ``save`` (and a scripted module's ``.save``) and
``load`` raise a RuntimeError that names the alternatives, ``torch.save(model.state_dict(), f)``
and ``torch.onnx.export``. The decorators (``ignore``, ``unused``, ``export``, ``interface``) mark
nothing and return what they decorate.
"""
import builtins
import copy
import functools
import warnings

__all__ = [
    "Future",
    "ScriptFunction",
    "ScriptModule",
    "ScriptWarning",
    "TracerWarning",
    "annotate",
    "export",
    "fork",
    "freeze",
    "ignore",
    "interface",
    "is_scripting",
    "is_tracing",
    "isinstance",
    "load",
    "optimize_for_inference",
    "optimized_execution",
    "save",
    "script",
    "script_if_tracing",
    "script_method",
    "set_module",
    "trace",
    "trace_module",
    "unused",
    "wait",
]

_NO_FILES = ("ember does not produce or read TorchScript files: save the weights with "
             "torch.save(model.state_dict(), f) (ember.save) and rebuild the model in Python, or "
             "export it with torch.onnx.export")


class TracerWarning(Warning):
    """Warning category torch's tracer uses."""


class ScriptWarning(Warning):
    """Warning category torch's scripting uses."""


class ScriptModule:
    """Base class of torch's compiled modules; ember makes none, so nothing is an instance."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("ember has no TorchScript: use the nn.Module itself")


class ScriptFunction:
    """Type of torch's compiled functions; ember makes none, so nothing is an instance."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("ember has no TorchScript: call the Python function itself")


def _deprecated(name):
    warnings.warn("`torch.jit.%s` is deprecated. Please switch to `torch.compile` or "
                  "`torch.export`." % name, DeprecationWarning, stacklevel=3)


def _refuse_save(*args, **kwargs):
    raise RuntimeError(_NO_FILES)


def save(m, f, _extra_files=None):
    """Refuses: ember writes no TorchScript archives (see the module doc for what to use)."""
    raise RuntimeError(_NO_FILES)


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    """Refuses: ember cannot run TorchScript archives (see the module doc for what to use)."""
    raise RuntimeError("cannot load the TorchScript archive %r: %s" % (f, _NO_FILES))


def _eager(obj):
    """A callable that runs ``obj`` eagerly and refuses ``.save``: a shallow copy of a module
    (sharing its parameters, as torch's scripted module does) or a wrapper of a function."""
    from ember.nn import Module

    if builtins.isinstance(obj, Module):
        eager = copy.copy(obj)
        object.__setattr__(eager, "save", _refuse_save)
        return eager
    if not callable(obj):
        raise TypeError("torch.jit.script/trace expects a function or nn.Module, got %s"
                        % type(obj).__name__)

    @functools.wraps(obj)
    def eager_function(*args, **kwargs):
        return obj(*args, **kwargs)

    eager_function.save = _refuse_save
    return eager_function


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Return ``obj`` (a module, function or class) ready to run eagerly (see the module doc)."""
    _deprecated("script")
    if builtins.isinstance(obj, type):
        return obj  # a scripted class is the class
    return _eager(obj)


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None,
          check_tolerance=1e-5, strict=True, _force_outplace=False, _module_class=None,
          _compilation_unit=None, example_kwarg_inputs=None, _store_inputs=True):
    """Run ``func`` once on the example inputs, as torch's tracer does, and return it eager."""
    _deprecated("trace")
    if example_inputs is None and example_kwarg_inputs is None:
        raise RuntimeError("example_kwarg_inputs or example_inputs must be given to trace")
    if example_kwarg_inputs is not None:
        func(**example_kwarg_inputs)
    else:
        func(*(example_inputs if builtins.isinstance(example_inputs, tuple)
               else (example_inputs,)))
    return _eager(func)


def trace_module(mod, inputs, *args, **kwargs):
    """Trace the methods named in ``inputs`` (``{name: example}``); returns the module eager."""
    for name, example in inputs.items():
        getattr(mod, name)(*(example if builtins.isinstance(example, tuple) else (example,)))
    return _eager(mod)


def script_if_tracing(fn):
    return fn


def _mark(fn=None, **kwargs):
    if fn is None:
        return lambda f: f
    return fn


ignore = unused = export = interface = script_method = _mark


def annotate(the_type, the_value):
    """Type hint for the compiler; returns the value."""
    return the_value


def is_scripting():
    return False


def is_tracing():
    return False


def isinstance(obj, target_type):
    """``torch.jit.isinstance``: the built-in check for plain classes."""
    return builtins.isinstance(obj, getattr(target_type, "__origin__", target_type))


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    return mod


def optimize_for_inference(mod, other_methods=None):
    return mod


def set_module(obj, mod):
    obj.__module__ = mod


class optimized_execution:
    """Context manager switching the graph executor's optimizations: nothing to switch here."""

    def __init__(self, should_optimize):
        self.should_optimize = should_optimize

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Future:
    """The result of ``fork``: the call already ran (eagerly); ``wait()`` returns its value."""

    def __init__(self, value=None):
        self._value = value

    def wait(self):
        return self._value

    def value(self):
        return self._value

    def done(self):
        return True


def fork(func, *args, **kwargs):
    """Run ``func`` now (ember has no inter-op thread pool for TorchScript) and return a Future."""
    return Future(func(*args, **kwargs))


def wait(future):
    return future.wait()

