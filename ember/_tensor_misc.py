"""Tensor methods that are not ops of their own: queries (``is_cpu``, ``is_same_size``, ...),
in-place view changes (``t_``, ``unsqueeze_``, ``resize_``, ...), the method forms of
functions ember has (``x.where(cond, y)``, ``x.isclose(y)``, ...) and Python-level helpers
(``apply_``, ``map_``, ``new``, ``sum_to_size``)."""
import builtins
import warnings

from ember import _config
from ember._backend import np
from ember._tensor import Size, Tensor
from ember.autograd.grad_mode import _State


# ---- queries -------------------------------------------------------------------------------
Tensor.layout = _config.strided
Tensor.is_cpu = property(lambda self: True, doc="Always True: ember tensors live on the CPU.")
Tensor.is_mps = property(lambda self: False)
Tensor.name = property(lambda self: None, doc="None: ember tensors are never named.")
Tensor.grad_dtype = property(lambda self: self.dtype if self.is_floating_point() else None,
                             doc="The dtype ``.grad`` takes (None for non-float tensors).")


def get_device(self):
    """-1, torch's answer for a CPU tensor."""
    return -1


def is_inference(self):
    """Whether this tensor was made under ``inference_mode`` (ember marks such tensors)."""
    return bool(getattr(self, "_inference", False))


def is_same_size(self, other):
    return tuple(self.shape) == tuple(other.shape)


def is_nonzero(self):
    from ember import is_nonzero as fn

    return fn(self)


def dim_order(self, *, ambiguity_check=False):
    """The dimensions from outermost to innermost in memory (by decreasing stride)."""
    strides = self.stride()
    return tuple(sorted(range(self.dim()), key=lambda d: -strides[d]))


def const_data_ptr(self):
    return self.data_ptr()


def is_distributed(self):
    """False, as for torch's CPU tensors (a legacy query)."""
    return False


for _fn in (get_device, is_inference, is_same_size, is_nonzero, dim_order, const_data_ptr,
            is_distributed):
    setattr(Tensor, _fn.__name__, _fn)


# ---- method forms of functions -------------------------------------------------------------
def where(self, condition, y):
    """``torch.where(condition, self, y)``."""
    from ember.ops.registry import OPS

    return OPS["where"].func(condition, self, y)


def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    from ember.ops.comparison import isclose as fn

    return fn(self, other, rtol, atol, equal_nan)


def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    from ember.ops.comparison import allclose as fn

    return fn(self, other, rtol, atol, equal_nan)


def equal(self, other):
    from ember.ops.comparison import equal as fn

    return fn(self, other)


def hardshrink(self, lambd=0.5):
    from ember.ops.nn.activation import hardshrink as fn

    return fn(self, lambd)


def prelu(self, weight):
    from ember.ops.nn.activation import prelu as fn

    return fn(self, weight)


def flip(self, *dims):
    """``x.flip(0)``, ``x.flip(0, 1)`` or ``x.flip((0, 1))``: the method takes the dims as
    separate arguments too, as torch's does."""
    from ember.ops.registry import OPS

    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    return OPS["flip"].func(self, tuple(dims))


for _fn in (where, isclose, allclose, equal, hardshrink, prelu, flip):
    setattr(Tensor, _fn.__name__, _fn)


# ---- in-place changes of shape -------------------------------------------------------------
def _view_inplace(self, fn, *args):
    """Make ``self`` the view ``fn(self, *args)`` (its data, shape and, when recorded, its
    history), as torch's in-place view ops (``t_``, ``unsqueeze_``, ...) do."""
    from ember.ops.inplace import check_inplace_allowed

    if _State.enabled and self._requires_grad:
        if self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        res = fn(self, *args)
        self._grad_fn, self._output_nr = res._grad_fn, res._output_nr
    else:
        if self._requires_grad:
            check_inplace_allowed(self)
        res = fn(self.detach(), *args)
    self._data = res._data
    return self


def squeeze_(self, dim=None):
    from ember.ops.views import squeeze

    return _view_inplace(self, squeeze if dim is None else (lambda t: squeeze(t, dim)))


def unsqueeze_(self, dim):
    from ember.ops.views import unsqueeze

    return _view_inplace(self, unsqueeze, dim)


def t_(self):
    from ember.ops.views import t

    return _view_inplace(self, t)


def transpose_(self, dim0, dim1):
    from ember.ops.views import transpose

    return _view_inplace(self, transpose, dim0, dim1)


def swapaxes_(self, axis0, axis1):
    return transpose_(self, axis0, axis1)


def swapdims_(self, dim0, dim1):
    return transpose_(self, dim0, dim1)


for _fn in (squeeze_, unsqueeze_, t_, transpose_, swapaxes_, swapdims_):
    setattr(Tensor, _fn.__name__, _fn)


def _sizes(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    return tuple(builtins.int(s) for s in size)


def resize_(self, *sizes, memory_format=None):
    """Give ``self`` the shape ``sizes``: the elements it had keep their places in memory order;
    new ones are uninitialised (here: zeros)."""
    shape = _sizes(sizes)
    if any(s < 0 for s in shape):
        raise RuntimeError("Trying to create tensor with negative dimension %d: %s"
                           % (min(shape), list(shape)))
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    n = builtins.int(np.prod(shape, dtype=np.int64))
    flat = self._data.reshape(-1)
    if n <= flat.size and self._data.flags.c_contiguous:
        self._data = flat[:n].reshape(shape)
    else:
        data = np.zeros(n, dtype=self._data.dtype)
        k = min(n, flat.size)
        data[:k] = flat[:k]
        self._data = data.reshape(shape)
    self._bump_version()
    return self


def resize_as_(self, the_template, memory_format=None):
    return resize_(self, tuple(the_template.shape))


def resize(self, *sizes):
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    return resize_(self.detach().clone(), *sizes)


def resize_as(self, tensor):
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    return resize_(self.detach().clone(), tuple(tensor.shape))


for _fn in (resize_, resize_as_, resize, resize_as):
    setattr(Tensor, _fn.__name__, _fn)


# ---- Python-level helpers ------------------------------------------------------------------
def apply_(self, callable):
    """Replace each element ``v`` by ``callable(v)`` (a Python float/int/bool); CPU only, slow,
    as torch's."""
    if self._requires_grad:
        raise RuntimeError("apply_ is only implemented on CPU tensors that don't require grad")
    flat = self._data.reshape(-1)
    for i, v in enumerate(flat.tolist()):
        flat[i] = callable(v)
    if not self._data.flags.c_contiguous:
        raise RuntimeError("apply_ needs a contiguous tensor in ember")
    self._bump_version()
    return self


def map_(self, tensor, callable):
    """``self[i] = callable(self[i], tensor[i])`` with ``tensor`` broadcast to self's shape."""
    other = np.broadcast_to(tensor._data, self._data.shape)
    out = np.empty_like(self._data)
    for idx in np.ndindex(self._data.shape):
        out[idx] = callable(self._data[idx].item(), other[idx].item())
    np.copyto(self._data, out)
    self._bump_version()
    return self


def map2_(self, x, y, callable):
    a = np.broadcast_to(x._data, self._data.shape)
    b = np.broadcast_to(y._data, self._data.shape)
    out = np.empty_like(self._data)
    for idx in np.ndindex(self._data.shape):
        out[idx] = callable(self._data[idx].item(), a[idx].item(), b[idx].item())
    np.copyto(self._data, out)
    self._bump_version()
    return self


def new(self, *args, **kwargs):
    """The legacy constructor in self's dtype: ``x.new(2, 3)`` (uninitialised), ``x.new(data)``,
    ``x.new()`` (empty)."""
    from ember.ops.creation import empty, tensor

    if len(args) == 1 and not isinstance(args[0], (builtins.int, np.integer, Size)):
        src = args[0]
        if isinstance(src, Tensor):
            return src
        return tensor(src, dtype=self.dtype)
    return empty(_sizes(args) if args else (0,), dtype=self.dtype)


def new_empty_strided(self, size, stride, dtype=None, device=None, requires_grad=False,
                      layout=None, pin_memory=False):
    from ember.ops.creation import empty_strided

    return empty_strided(size, stride, dtype=dtype or self.dtype, requires_grad=requires_grad)


def sum_to_size(self, *size):
    """Sum broadcast dimensions away until the shape is ``size`` (which self must expand to)."""
    from ember.ops._util import sum_to_shape

    shape = _sizes(size)
    try:
        if np.broadcast_shapes(shape, tuple(self.shape)) != tuple(self.shape):
            raise ValueError
    except ValueError:
        raise RuntimeError("size {%s} is not expandable to size {%s}." % (
            ", ".join(map(str, shape)), ", ".join(map(str, self.shape)))) from None
    return sum_to_shape(self, shape)


def as_subclass(self, cls):
    """A ``cls`` instance sharing ``self``'s data and staying in its graph."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError("as_subclass(): argument 'cls' must be a subclass of Tensor")
    out = Tensor.__new__(cls, 0)
    out._data, out._requires_grad, out._grad_fn = self._data, self._requires_grad, self._grad_fn
    out._output_nr, out._vc, out._base = self._output_nr, self._share_vc(), self._base
    return out


def module_load(self, other, assign=False):
    """What ``load_state_dict`` stores for ``self`` given ``other``: ``other`` itself with
    ``assign``, else ``other`` as a detached tensor (the caller copies it into ``self``)."""
    if assign:
        return other.detach() if not other.requires_grad else other
    return other.detach()


for _fn in (apply_, map_, map2_, new, new_empty_strided, sum_to_size, as_subclass, module_load):
    setattr(Tensor, _fn.__name__, _fn)
del _fn
