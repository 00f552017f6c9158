"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/empty/eye, ranges, and the
``*_like`` forms. Random creation lives in ``ember/random.py``. None of these is differentiable;
``tests/test_creation.py`` covers them."""
import builtins

from ember import _dtype
from ember._backend import as_strided, np
from ember._tensor import Tensor, _check_device, _make
from ember._tensor_new import _as_array
from ember.ops.views import parse_shape


def _finish(arr, requires_grad):
    t = _make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype_or_default(dtype):
    return _dtype.get_default_dtype() if dtype is None else _dtype.as_dtype(dtype)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Copy ``data`` (nested sequences, scalars, arrays, tensors) into a new leaf tensor.

    Python floats give the default dtype, Python ints int64, bools bool, as torch infers.

    Args:
        data: the initial values.
        dtype: the tensor's dtype. Default: inferred from ``data``.
        device: only ``'cpu'`` (or None).
        requires_grad: record operations on the result for autograd. Default: ``False``.

    Example:
        >>> import ember
        >>> ember.tensor([[1, 2], [3, 4]])
        tensor([[1, 2],
                [3, 4]])
        >>> ember.tensor([0.5, 1.5], dtype=ember.float64, requires_grad=True)
        tensor([0.5000, 1.5000], dtype=ember.float64, requires_grad=True)
    """
    _check_device(device)
    return _finish(_as_array(data, dtype), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Share memory with ``data`` when it is a tensor or ndarray of the right dtype."""
    _check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(_dtype.as_dtype(dtype))
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        if dtype is None or _dtype.as_dtype(dtype).np == data.dtype:
            return _make(data)
        return _make(data.astype(_dtype.as_dtype(dtype).np))
    return tensor(data, dtype=dtype)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing ``ndarray``'s memory: writes through either are seen by the other."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError("expected np.ndarray (got %s)" % type(ndarray).__name__)
    _dtype.from_numpy_dtype(ndarray.dtype)
    return _make(ndarray)


def _size(size, keyword=None, name="zeros"):
    """The shape ``f(2, 3)`` / ``f((2, 3))`` / ``f(Size)`` / ``f(size=(2, 3))`` ask for,
    refusing negative sizes."""
    if keyword is not None:
        if size:
            raise TypeError("%s() got multiple values for argument 'size'" % name)
        size = (keyword,)
    shape = parse_shape(size)
    for s in shape:
        if s < 0:
            raise RuntimeError("Trying to create tensor with negative dimension %d: [%s]"
                               % (s, ", ".join(str(x) for x in shape)))
    return shape


def zeros(*args, size=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    """Returns a tensor filled with 0 of the given size.

    Args:
        *args (int or tuple of ints): the shape (or ``size=`` as a keyword).
        dtype (ember.dtype, optional): default: the default dtype (float32).
        requires_grad (bool): record operations on the result. Default: ``False``.

    Example:
        >>> import ember
        >>> ember.zeros(2, 3)
        tensor([[0., 0., 0.],
                [0., 0., 0.]])
        >>> ember.zeros((2,), dtype=ember.int64)
        tensor([0, 0])
    """
    _check_device(device)
    shape = _size(args, size, "zeros")
    return _finish(np.zeros(shape, dtype=_dtype_or_default(dtype).np), requires_grad)


def ones(*args, size=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    _check_device(device)
    shape = _size(args, size, "ones")
    return _finish(np.ones(shape, dtype=_dtype_or_default(dtype).np), requires_grad)


def empty(*args, size=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, memory_format=None):
    _check_device(device)
    shape = _size(args, size, "empty")
    return _finish(np.empty(shape, dtype=_dtype_or_default(dtype).np), requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    """``size`` filled with ``fill_value``; the dtype is inferred from the value as torch does."""
    _check_device(device)
    if dtype is None:
        if isinstance(fill_value, Tensor):
            fill_value = fill_value.item()
        dtype = _dtype._scalar_dtype(fill_value)
    return _finish(np.full(_size((size,)) if isinstance(size, builtins.int) else _size(size),
                           fill_value, dtype=_dtype.as_dtype(dtype).np), requires_grad)


def _like(input, dtype):
    return input._data.dtype if dtype is None else _dtype.as_dtype(dtype).np


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _finish(np.zeros(input._data.shape, dtype=_like(input, dtype)), requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _finish(np.ones(input._data.shape, dtype=_like(input, dtype)), requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _finish(np.empty(input._data.shape, dtype=_like(input, dtype)), requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _finish(np.full(input._data.shape, fill_value, dtype=_like(input, dtype)),
                   requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    _check_device(device)
    if n < 0:
        raise RuntimeError("n must be greater or equal to 0, got %d" % n)
    return _finish(np.eye(n, n if m is None else m, dtype=_dtype_or_default(dtype).np),
                   requires_grad)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values in [start, end) by ``step``; int arguments give int64, any float the default."""
    _check_device(device)
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        is_float = builtins.any(isinstance(v, (builtins.float, np.floating)) for v in vals)
        dtype = _dtype.get_default_dtype() if is_float else _dtype.int64
    dtype = _dtype.as_dtype(dtype)
    if dtype.is_complex:
        from ember._tensor_str import dtype_word

        raise NotImplementedError('"arange_cpu" not implemented for \'%s\''
                                  % dtype_word(dtype.np))
    if not dtype.is_floating_point:
        # torch truncates the bounds and step to integers first (0.5 becomes a zero step).
        start, end, step = builtins.int(start), builtins.int(end), builtins.int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = builtins.int(np.ceil((end - start) / step))
    arr = (start + np.arange(n, dtype=np.float64) * step) if dtype.is_floating_point else \
        np.arange(start, end, step)
    return _finish(arr.astype(dtype.np), requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated torch.range: includes ``end``; floats by default."""
    if end is None:
        start, end = 0, start
    n = builtins.int(np.floor((end - start) / step)) + 1
    arr = start + np.arange(n, dtype=np.float64) * step
    return _finish(arr.astype(_dtype_or_default(dtype).np), requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    _check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    arr = np.linspace(float(start), float(end), builtins.int(steps))
    return _finish(arr.astype(_dtype_or_default(dtype).np), requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    _check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    arr = np.power(base, np.linspace(float(start), float(end), builtins.int(steps)))
    return _finish(arr.astype(_dtype_or_default(dtype).np), requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor of ``size`` with the element strides ``stride``."""
    _check_device(device)
    shape, stride = _size(size), tuple(builtins.int(s) for s in stride)
    if len(shape) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    dt = _dtype_or_default(dtype).np
    extent = 1 + builtins.sum((n - 1) * s for n, s in zip(shape, stride)) if all(shape) else 0
    buf = np.zeros(extent, dtype=dt)
    arr = as_strided(buf, shape, tuple(s * dt.itemsize for s in stride))
    return _finish(arr, requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """An uninitialised tensor of ``size`` laid out in memory in the order ``physical_layout``
    (outermost first)."""
    _check_device(device)
    shape, order = _size(size), tuple(physical_layout)
    if sorted(order) != list(builtins.range(len(shape))):
        raise RuntimeError("Number of dimensions in size does not match the length of the "
                           "physical_layout; or physical_layout is not a permutation")
    buf = np.empty(tuple(shape[d] for d in order), dtype=_dtype_or_default(dtype).np)
    return _finish(buf.transpose(np.argsort(order)), requires_grad)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """A 0-d tensor holding ``s``, in the default dtype unless told (not inferred)."""
    _check_device(device)
    if isinstance(s, Tensor):
        s = s.item()
    return _finish(np.asarray(s, dtype=_dtype_or_default(dtype).np), requires_grad)


def _triangle_indices(row, col, offset, dtype, lower):
    if _dtype.as_dtype(dtype).np.kind not in "iu":
        raise RuntimeError('"%s_indices" not implemented for \'%s\'' % (
            "tril" if lower else "triu", _dtype.as_dtype(dtype).name.capitalize()))
    rows, cols = np.tril_indices(row, offset, col) if lower else np.triu_indices(row, offset, col)
    return _make(np.stack([rows, cols]).astype(_dtype.as_dtype(dtype).np).reshape(2, -1))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None,
                 pin_memory=False):
    """The ``2 x N`` coordinates of the lower triangle of a ``row x col`` matrix (row-major)."""
    _check_device(device)
    return _triangle_indices(row, col, offset, dtype or _dtype.int64, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None,
                 pin_memory=False):
    """The ``2 x N`` coordinates of the upper triangle of a ``row x col`` matrix (row-major)."""
    _check_device(device)
    return _triangle_indices(row, col, offset, dtype or _dtype.int64, False)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-d tensor sharing memory with a Python buffer (``bytearray``, ``array``, ...)."""
    arr = np.frombuffer(buffer, dtype=_dtype.as_dtype(dtype).np, count=count, offset=offset)
    if not arr.flags.writeable:
        import warnings

        warnings.warn("The given buffer is not writable, and PyTorch does not support "
                      "non-writable tensors.", UserWarning, stacklevel=2)
        arr = arr.copy()
    return _finish(arr, requires_grad)


def _window(name, periodic, window_length, dtype, requires_grad, fn):
    if window_length < 0:
        raise RuntimeError("%s requires non-negative window_length, got window_length=%d"
                           % (name, window_length))
    dt = _dtype_or_default(dtype)
    if not dt.is_floating_point:
        raise RuntimeError("%s expects floating point dtypes, got: %s" % (name, dt))
    if window_length == 0:
        return _finish(np.zeros(0, dtype=dt.np), requires_grad)
    if window_length == 1:
        return _finish(np.ones(1, dtype=dt.np), requires_grad)
    n = window_length + 1 if periodic else window_length
    return _finish(fn(n)[:window_length].astype(dt.np), requires_grad)


def _cosine_sum(*coeffs):
    def fn(n):
        k = np.arange(n, dtype=np.float64) * (2 * np.pi / (n - 1))
        return builtins.sum((-1) ** i * c * np.cos(i * k) for i, c in enumerate(coeffs))

    return fn


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False):
    return _window("hann_window", periodic, window_length, dtype, requires_grad,
                   _cosine_sum(0.5, 0.5))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, requires_grad=False):
    return _window("hamming_window", periodic, window_length, dtype, requires_grad,
                   _cosine_sum(alpha, beta))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    return _window("blackman_window", periodic, window_length, dtype, requires_grad,
                   _cosine_sum(0.42, 0.5, 0.08))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    return _window("bartlett_window", periodic, window_length, dtype, requires_grad,
                   lambda n: 1 - np.abs(2 * np.arange(n, dtype=np.float64) / (n - 1) - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False):
    return _window("kaiser_window", periodic, window_length, dtype, requires_grad,
                   lambda n: np.kaiser(n, beta))
