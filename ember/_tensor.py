"""``ember.Tensor``: an ndarray with autograd metadata, mirroring ``torch.Tensor``.

Ops are defined in ``ember/ops``; the registry attaches their method forms here, so this file
holds only what is specific to the tensor object: construction, metadata, conversion,
autograd entry points, operators and printing.
"""
import builtins
import warnings

from ember import _dtype
from ember._backend import device_of, np


class Size(tuple):
    """A tensor's shape: a tuple with torch's repr (``ember.Size([2, 3])``)."""

    def __repr__(self):
        return "%s.Size([%s])" % (_dtype.DISPLAY_PREFIX[0], ", ".join(str(s) for s in self))

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        res = tuple.__getitem__(self, item)
        return Size(res) if isinstance(item, slice) else res

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


class device:
    """A device, like ``torch.device``; ember runs on ``'cpu'`` (CuPy adds ``'cuda'``)."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if ":" in type:
            type, idx = type.split(":")
            index = int(idx)
        if type not in _DEVICE_TYPES:
            raise RuntimeError("Expected one of %s device type at start of device string: %s"
                               % (", ".join(_DEVICE_TYPES), type))
        self.type, self.index = type, index

    def __repr__(self):
        if self.index is None:
            return "device(type='%s')" % self.type
        return "device(type='%s', index=%d)" % (self.type, self.index)

    def __str__(self):
        return self.type if self.index is None else "%s:%d" % (self.type, self.index)

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


# torch's device types: every one can be named; only the CPU holds tensors.
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")
_CPU = device("cpu")


def _check_device(dev):
    """Refuse a device that holds no tensors here with the error a CPU-only torch raises."""
    if dev is None:
        return
    d = device(dev) if not isinstance(dev, device) else dev
    if d.type == "cpu":
        return
    if d.type == "cuda":
        # a CPU-only torch asserts here; scripts that catch it expect this type
        raise AssertionError("Torch not compiled with CUDA enabled (ember has no CUDA backend; "
                             "tensors live on the CPU)")
    if d.type == "mps":
        raise RuntimeError("PyTorch is not linked with support for mps devices (ember has no MPS "
                           "backend; tensors live on the CPU)")
    raise RuntimeError("ember has no %s backend; only 'cpu' tensors exist" % d.type)


def _make(data, requires_grad=False, grad_fn=None):
    """Wrap an ndarray without copying (the hot path of every op)."""
    if data.__class__ is not _ndarray:
        # NumPy reductions and ufuncs on 0-d input return scalars; a tensor always holds a
        # (writable, 0-d if need be) array.
        data = _as_ndarray(data)
    t = _new(Tensor)
    t._data = data
    t._requires_grad = requires_grad
    t._grad_fn = grad_fn
    return t


_ndarray = np.ndarray


def _as_ndarray(data):
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, np.generic):
        return np.array(data)
    return data  # another array library's array (CuPy)


_new = object.__new__


class Tensor:
    """A multi-dimensional array that records operations for automatic differentiation.

    Mirrors ``torch.Tensor``. ``ember.Tensor(data)`` / ``ember.Tensor(2, 3)`` construct a float
    tensor the legacy way; prefer ``ember.tensor`` and the creation functions.

    Example:
        >>> import ember
        >>> x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> x.shape, x.dtype, x.requires_grad
        (ember.Size([2, 2]), ember.float32, True)
        >>> y = (x * x).sum()
        >>> y
        tensor(30., grad_fn=<SumBackward0>)
        >>> y.backward()
        >>> x.grad
        tensor([[2., 4.],
                [6., 8.]])
    """

    # Only the three fields every op touches are slots; the rest default at class level and land
    # in the instance __dict__ when set (views, leaves with gradients, hooks), so creating an op's
    # result costs three assignments.
    __slots__ = ("_data", "_requires_grad", "_grad_fn", "__dict__", "__weakref__")
    _grad = None  # .grad
    _vc = None  # version counter: a one-element list shared with views, created on demand
    _base = None  # the tensor this one is a view of
    _output_nr = 0  # which output of its grad_fn this tensor is
    _hooks = None  # gradient hooks of a leaf
    __array_priority__ = 1000

    def __new__(cls, *args, **kwargs):
        t = _new(cls)
        dtype = _dtype.get_default_dtype()
        if kwargs.get("device") is not None:
            _check_device(kwargs["device"])
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            src = args[0]
            if isinstance(src, Tensor):
                arr = src._data
            else:
                arr = _as_array(src, dtype)
        else:
            # ``Tensor()`` is an empty 1-d tensor, as torch's.
            arr = np.empty(tuple(int(s) for s in args) if args else (0,), dtype=dtype.np)
        t._data = arr
        t._requires_grad = False
        t._grad_fn = None
        return t

    def __init__(self, *args, **kwargs):
        pass

    # --- metadata -----------------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return device(device_of(self._data))

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_nested = False
    layout = "strided"

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def is_signed(self):
        return self.dtype.is_signed

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def stride(self, dim=None):
        item = self._data.itemsize
        strides = tuple(s // item for s in self._data.strides)
        if self._data.size == 0 or self._data.ndim == 0:
            strides = _contiguous_strides(self._data.shape) if self._data.ndim else ()
        if dim is None:
            return strides
        return strides[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self):
        base = self._data
        while base.base is not None and isinstance(base.base, np.ndarray):
            base = base.base
        return (self._data.__array_interface__["data"][0]
                - base.__array_interface__["data"][0]) // self._data.itemsize

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def untyped_storage(self):
        base = self._data
        while isinstance(base.base, np.ndarray):
            base = base.base
        return base

    def is_contiguous(self, memory_format=None):
        arr = self._data
        if arr.flags.c_contiguous:
            return True
        # NumPy also calls size-1 dims with odd strides non-contiguous; torch ignores them.
        expected = 1
        for size, stride in zip(reversed(arr.shape), reversed(arr.strides)):
            if size != 1 and stride != expected * arr.itemsize:
                return False
            expected *= size
        return True

    @property
    def T(self):
        if self._data.ndim > 2:
            from ember import ops

            return ops.views.permute(self, tuple(range(self._data.ndim - 1, -1, -1)))
        if self._data.ndim == 2:
            from ember import ops

            return ops.views.permute(self, (1, 0))
        return self

    @property
    def mT(self):
        if self._data.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                               "Got %d-D tensor." % self._data.ndim)
        return self.transpose(-2, -1)

    @property
    def H(self):
        from ember.ops._util import conj

        return conj(self.T)

    @property
    def mH(self):
        from ember.ops._util import conj

        return conj(self.mT)

    # --- autograd metadata --------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        if self._grad_fn is not None and not requires_grad:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If "
                               "you want to use a computed variable in a subgraph that doesn't "
                               "require differentiation use var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind not in "fc" and \
                not _dtype.is_bfloat16(self._data.dtype):
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        if self._grad_fn is None:
            self._requires_grad = builtins.bool(requires_grad)
        return self

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError("assigned grad expected to be a Tensor or None but got grad of "
                                "type %s" % type(value).__name__)
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def data(self):
        return _make(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError("data must be a Tensor, got %s" % type(value).__name__)
        self._data = value._data

    @property
    def _version(self):
        return 0 if self._vc is None else self._vc[0]

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def retains_grad(self):
        fn = self._grad_fn
        if fn is None or fn._pre_hooks is None:
            return False
        return any(getattr(h, "retain", False) and h.tensor_ref() is self
                   for h in fn._pre_hooks.values())

    def detach(self):
        """Returns a new tensor sharing this one's data, cut from the graph: it never requires
        grad (it shares the version counter, so in-place changes are seen by autograd).

        Example:
            >>> import ember
            >>> x = ember.ones(2, requires_grad=True)
            >>> y = (x * 3).detach()
            >>> y, y.requires_grad
            (tensor([3., 3.]), False)
        """
        t = _make(self._data)
        t._vc = self._share_vc()
        t._base = self if self._base is None else self._base
        return t

    def detach_(self):
        if self._base is not None and self._grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    def _share_vc(self):
        vc = self._vc
        if vc is None:
            vc = self._vc = [0]
        return vc

    def _bump_version(self):
        vc = self._vc
        if vc is None:
            self._vc = [1]
        else:
            vc[0] += 1

    def retain_grad(self):
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None:
            return
        from ember.autograd.engine import retain_grad

        retain_grad(self)

    def register_hook(self, hook):
        """Run ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from ember.autograd.engine import register_tensor_hook

        return register_tensor_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        from ember.autograd.engine import register_post_accumulate_hook

        return register_post_accumulate_hook(self, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf that requires grad.

        Args:
            gradient: d(loss)/d(self), needed unless ``self`` has one element. Default: None.
            retain_graph: keep the graph's saved tensors for another backward. Default: the value
                of ``create_graph``.
            create_graph: record the backward itself, for higher-order gradients.
            inputs: accumulate into these tensors only.

        Example:
            >>> import ember
            >>> x = ember.tensor(3.0, requires_grad=True)
            >>> (x ** 2).backward()
            >>> x.grad
            tensor(6.)
        """
        from ember.autograd.engine import backward

        backward((self,), None if gradient is None else (gradient,), retain_graph, create_graph,
                 inputs=inputs)

    # --- conversion ---------------------------------------------------------------------------
    def numpy(self, *, force=False):
        """Returns the tensor's data as a NumPy array sharing its memory (a tensor that requires
        grad needs ``detach()`` first, or ``force=True``).

        Example:
            >>> import ember
            >>> x = ember.zeros(2)
            >>> a = x.numpy()
            >>> a[0] = 5.0
            >>> x
            tensor([5., 0.])
        """
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __dlpack__(self, *args, **kwargs):
        """The DLPack capsule of this tensor's memory (``torch.from_dlpack(t)`` reads it)."""
        return self._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        if copy:
            return self._data.copy()
        return self._data

    def item(self):
        """Returns the value of a one-element tensor as a Python number.

        Example:
            >>> import ember
            >>> ember.tensor([[2.5]]).item()
            2.5
        """
        if self._data.size != 1:
            raise RuntimeError("a Tensor with %d elements cannot be converted to Scalar"
                               % self._data.size)
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __contains__(self, element):
        if not isinstance(element, (Tensor, builtins.bool, builtins.int, builtins.float,
                                    np.generic)):
            raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you "
                               "passed in a %s." % type(element))
        return builtins.bool((self == element).any().item())

    def _scalar(self, kind):
        n = self._data.size
        if n != 1:
            if kind is builtins.bool:
                raise RuntimeError("Boolean value of Tensor with %s is ambiguous"
                                   % ("no values" if n == 0 else "more than one value"))
            raise ValueError("only one element tensors can be converted to Python scalars")
        value = self._data.reshape(()).item()
        if isinstance(value, complex) and kind in (builtins.float, builtins.int):
            if value.imag != 0:
                raise RuntimeError("value cannot be converted to type %s without overflow"
                                   % ("double" if kind is builtins.float else "int64_t"))
            value = value.real
        return kind(value)

    def __bool__(self):
        return self._scalar(builtins.bool)

    def __float__(self):
        return self._scalar(builtins.float)

    def __int__(self):
        return self._scalar(builtins.int)

    def __complex__(self):
        return self._scalar(complex)

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return builtins.int(self._data.reshape(()).item())

    def __hash__(self):
        return id(self)

    def __reduce_ex__(self, proto):
        return (_rebuild_tensor, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment. If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = _new(type(self))
        new._data = self._data.copy()
        new._requires_grad = self._requires_grad
        new._grad_fn = None
        import copy

        extra = {k: v for k, v in self.__dict__.items()
                 if k not in ("_grad", "_vc", "_base", "_output_nr", "_hooks")}
        new.__dict__.update(copy.deepcopy(extra, memo))
        if self._grad is not None:
            new._grad = self._grad.clone()
        memo[id(self)] = new
        return new

    def __repr__(self, *, tensor_contents=None):
        from ember._tensor_str import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """The legacy type name (``'torch.FloatTensor'``), or a copy converted to ``dtype``: a
        dtype, a legacy type (``torch.LongTensor``) or its name."""
        from ember._legacy import legacy_dtype
        from ember._tensor_str import legacy_type_name

        if dtype is None:
            return legacy_type_name(self.dtype)
        if not isinstance(dtype, _dtype.dtype):
            dtype = legacy_dtype(dtype)
        return self.to(dtype)

    @property
    def volatile(self):  # removed in torch 0.4: always False, with torch's warning
        warnings.warn("volatile was removed (Variable.volatile is always False)", UserWarning,
                      stacklevel=2)
        return False

    def type_as(self, other):
        return self.to(other.dtype)

    def to(self, *args, **kwargs):
        """Convert dtype and/or device; returns ``self`` when nothing changes, as torch does."""
        dtype = kwargs.get("dtype")
        dev = kwargs.get("device")
        copy = kwargs.get("copy", False)
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, _dtype.dtype):
                dtype = a
            elif isinstance(a, (str, device)):
                dev = a
            elif a is None:
                continue
            elif isinstance(a, builtins.bool):
                continue
            else:
                raise TypeError("to() received an invalid combination of arguments: %r" % (a,))
        _check_device(dev)
        if dtype is None or _dtype.as_dtype(dtype).np == self._data.dtype:
            return self.clone() if copy else self
        from ember.ops.arithmetic import _cast

        return _cast(self, _dtype.as_dtype(dtype))

    def cpu(self, memory_format=None):
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        _check_device("cuda")

    def float(self, memory_format=None):
        return self.to(_dtype.float32)

    def double(self, memory_format=None):
        return self.to(_dtype.float64)

    def half(self, memory_format=None):
        return self.to(_dtype.float16)

    def cfloat(self, memory_format=None):
        return self.to(_dtype.complex64)

    def cdouble(self, memory_format=None):
        return self.to(_dtype.complex128)

    def bfloat16(self, memory_format=None):
        return self.to(_dtype._bfloat16())

    def long(self, memory_format=None):
        return self.to(_dtype.int64)

    def int(self, memory_format=None):
        return self.to(_dtype.int32)

    def short(self, memory_format=None):
        return self.to(_dtype.int16)

    def char(self, memory_format=None):
        return self.to(_dtype.int8)

    def byte(self, memory_format=None):
        return self.to(_dtype.uint8)

    def bool(self, memory_format=None):
        return self.to(_dtype.bool)

    def pin_memory(self, device=None):
        return self

    def is_pinned(self, device=None):
        return False

    def share_memory_(self):
        """Move the data into shared memory (see ``ember.multiprocessing``) unless it is."""
        from ember.multiprocessing import reductions

        if not reductions.is_shared_array(self._data):
            self._data = reductions.share_array(self._data)
        return self

    def is_shared(self):
        from ember.multiprocessing import reductions
        return reductions.is_shared_array(self._data)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from ember.ops.creation import tensor

        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def _new_filled(self, fn, size, dtype, requires_grad, *extra):
        if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
            size = size[0]
        return fn(*extra, size=tuple(size), dtype=dtype or self.dtype,
                  requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        from ember.ops.creation import zeros

        return self._new_filled(lambda size, **k: zeros(size, **k), size, dtype, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        from ember.ops.creation import ones

        return self._new_filled(lambda size, **k: ones(size, **k), size, dtype, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        from ember.ops.creation import empty

        return self._new_filled(lambda size, **k: empty(size, **k), size, dtype, requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False, **kw):
        from ember.ops.creation import full

        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    # Operators are bound to the op functions in ember/ops/__init__.py.


def _rebuild_tensor(data, requires_grad):
    t = _make(data)
    t._requires_grad = requires_grad
    return t


def _contiguous_strides(shape):
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def _wrap_dim(dim, ndim):
    """Normalise a possibly negative dim as torch does, raising its IndexError when invalid."""
    n = ndim if ndim > 0 else 1
    if not isinstance(dim, (builtins.int, np.integer)) or isinstance(dim, builtins.bool):
        if isinstance(dim, Tensor) and dim.numel() == 1:
            dim = builtins.int(dim.item())
        else:
            raise TypeError("dim must be an int, got %s" % type(dim).__name__)
    if dim < -n or dim >= n:
        raise IndexError("Dimension out of range (expected to be in range of [%d, %d], but got "
                         "%d)" % (-n, n - 1, dim))
    return dim + n if dim < 0 else dim


# Tensor(data) builds its array with _tensor_new, which needs Tensor: imported once it exists.
from ember._tensor_new import _as_array  # noqa: E402
