"""The argument rules torch's Python argument parser applies to every native function, applied
once here to ember's public functions and Tensor methods.

* NumPy-style keyword aliases: ``axis`` for ``dim``, ``keepdims`` for ``keepdim``, ``x``/``a``/
  ``x1`` for ``input`` and ``x2`` for ``other`` (``torch.sum(t, axis=1, keepdims=True)``).
* ``out=``: the result is written into ``out`` with torch's rules: a result dtype that cannot be
  cast to ``out``'s (float into an integer tensor, anything but bool into bool) raises; an
  ``out`` of another shape is resized, with torch's deprecation warning when it held elements;
  no autograd (an input or ``out`` that requires grad raises); tuple results fill a tuple of
  ``out`` tensors.

``install()`` wraps the public function of every registry op (``OPS[name].func``, which
``ember.<name>`` exports, and the Tensor method the registry attached). Ember's own code calls
the unwrapped functions, so only calls from user code pay for the wrapper (one ``if kwargs``).
Methods share the function's wrapper, so they accept ``out=`` and the ``input`` aliases too,
which torch's methods refuse (a leniency, not a difference in results).
"""
import functools
import inspect
import warnings

from ember._backend import array_module, np
from ember._tensor import Tensor
from ember._tensor_str import dtype_word
from ember.autograd.function import _Batching
from ember.autograd.grad_mode import _State

# canonical parameter -> the aliases torch's parser accepts for it
ALIASES = {"dim": ("axis",), "keepdim": ("keepdims",), "input": ("x", "a", "x1"),
           "other": ("x2",)}


def _renames(fn):
    """{alias: parameter} for the aliases ``fn`` does not itself take. A first parameter named
    otherwise (``A`` in the linalg-style functions) stands for torch's ``input``."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return {}
    names = {p.name for p in params}
    renames = {alias: canon for canon, aliases in ALIASES.items() if canon in names
               for alias in aliases if alias not in names}
    if "input" not in names and params and params[0].kind is params[0].POSITIONAL_OR_KEYWORD:
        first = params[0].name
        renames.update((alias, first) for alias in ("input",) + ALIASES["input"]
                       if alias not in names)
    return renames


def _translate(kwargs, renames, name):
    out = {}
    for key, value in kwargs.items():
        canon = renames.get(key, key)
        if canon in out:
            raise TypeError("%s() got multiple values for argument '%s'" % (name, canon))
        out[canon] = value
    return out


# the joining ops check out='s dtype in cat's argument check (a TypeError)
_JOINING = {"cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack", "row_stack",
            "column_stack"}


def _can_cast(src, dst):
    if src.kind == "f" and dst.kind in "iub":
        return False
    return not (src.kind != "b" and dst.kind == "b")


def _write_one(result, out, name):
    if not isinstance(out, Tensor):
        raise TypeError("%s(): argument 'out' must be Tensor, not %s"
                        % (name, type(out).__name__))
    if not isinstance(result, Tensor):
        raise TypeError("%s() does not take an out= argument" % name)
    if _State.enabled and (result._requires_grad or out._requires_grad):
        raise RuntimeError("%s(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad." % name)
    src, dst = result._data, out._data
    if not _can_cast(src.dtype, dst.dtype):
        if name in _JOINING:
            raise TypeError("torch.cat(): input types can't be cast to the desired output type "
                            "%s" % dtype_word(dst.dtype))
        raise RuntimeError("result type %s can't be cast to the desired output type %s"
                           % (dtype_word(src.dtype), dtype_word(dst.dtype)))
    if src.shape != dst.shape:
        if dst.size:
            warnings.warn(
                "An output with one or more elements was resized since it had shape [%s], which "
                "does not match the required output shape [%s]. This behavior is deprecated, and "
                "in a future PyTorch release outputs will not be resized unless they have zero "
                "elements. You can explicitly reuse an out tensor t by resizing it, inplace, to "
                "zero elements with t.resize_(0)." % (", ".join(map(str, dst.shape)),
                                                      ", ".join(map(str, src.shape))),
                UserWarning, stacklevel=4)
        out._data = dst = array_module(src).empty(src.shape, dtype=dst.dtype)
    np.copyto(dst, src, casting="unsafe")
    out._bump_version()
    return out


def write_out(result, out, name):
    """Write ``result`` (a tensor or a tuple of tensors) into ``out`` with torch's rules."""
    if isinstance(out, (tuple, list)):
        if not isinstance(result, tuple) or len(result) != len(out):
            raise TypeError("%s(): argument 'out' must be a tuple of %d Tensors"
                            % (name, len(result) if isinstance(result, tuple) else 1))
        for r, o in zip(result, out):
            _write_one(r, o, name)
        return type(result)(*out) if hasattr(result, "_fields") else tuple(out)
    return _write_one(result, out, name)


def public_function(fn, name=None, qualname=None):
    """``fn`` accepting torch's keyword aliases and ``out=`` (see the module doc); under vmap
    the call goes to vmap's function-level rules under the registry name ``qualname``."""
    name = name or fn.__name__
    qualname = qualname or name
    renames = _renames(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if kwargs:
            if renames and not renames.keys().isdisjoint(kwargs):
                kwargs = _translate(kwargs, renames, name)
            if "out" in kwargs:
                out = kwargs.pop("out")
                if out is not None:
                    return write_out(fn(*args, **kwargs), out, name)
        if _Batching.depth:
            return _Batching.public(qualname, fn, args, kwargs)
        return fn(*args, **kwargs)

    return wrapper


def install_one(info):
    """Give the registry op ``info`` the rule: its public function is wrapped; the Tensor method
    bound to the same function becomes the same wrapper (so tools that patch ops by identity,
    like the ONNX tracer, see one object)."""
    raw = info.func
    if getattr(raw, "_ember_public", False):
        return
    public = public_function(raw, info.name.rpartition(".")[2], info.name)
    public._ember_public = True
    info.func = public
    if info.method and Tensor.__dict__.get(info.method) is raw:
        setattr(Tensor, info.method, public)


def install():
    """Apply the rule to every registry op, and to those registered later (lazy modules)."""
    from ember.ops.registry import AFTER_REGISTER, OPS

    for info in OPS.values():
        install_one(info)
    if install_one not in AFTER_REGISTER:
        AFTER_REGISTER.append(install_one)
