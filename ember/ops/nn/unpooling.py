"""Max-unpooling, 1-d to 3-d (torch's ``max_unpool*``): the partial inverse of max pooling, each
value written back at its flat per-plane index (``_PlaneScatter`` of ``pooling.py``), zeros
elsewhere."""
from ember._backend import np
from ember._tensor import _make
from ember.ops._util import check_dtype
from ember.ops.nn.conv import _shape_str
from ember.ops.nn.pooling import _int, _ntuple, _PlaneScatter, max_pool2d, max_pool3d
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register


# --- max unpooling ------------------------------------------------------------------------------

def _max_unpoolnd(input, indices, kernel_size, stride, padding, output_size, nd, fname):
    kernel = _ntuple(kernel_size, nd, fname, "kernel_size")
    stride = kernel if stride is None else _ntuple(stride, nd, fname, "stride")
    padding = _ntuple(padding, nd, fname, "padding")
    in_size = tuple(input.shape[input.dim() - nd:])
    default = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(in_size, stride, padding,
                                                                  kernel))
    if input._data.size:  # as torch: an empty input of any dtype gives an empty output
        check_dtype(fname, input)
    if output_size is None:
        out_size = default
        if any(o < 0 for o in out_size):
            raise ValueError("max_unpooling: output_size must contain non-negative spatial "
                             "dimensions, but got output_size[%d]=%d"
                             % next((d, o) for d, o in enumerate(out_size) if o < 0))
    else:
        out_size = tuple(_int(s) for s in output_size)
        if len(out_size) == nd + 2:
            out_size = out_size[2:]
        elif len(out_size) == nd + 1:
            out_size = out_size[1:]
        if len(out_size) != nd:
            raise ValueError("output_size should be a sequence containing %d or %d elements, "
                             "but it has a length of '%d'" % (nd, nd + 2, len(output_size)))
        for d, (o, m) in enumerate(zip(out_size, default)):
            lo, hi = m - stride[d], m + stride[d]
            if not lo < o < hi:
                raise ValueError('invalid output_size "%s" (dim %d must be between %d and %d)'
                                 % (tuple(output_size), d, lo, hi))
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError("Expected shape of indices to be same as that of the input tensor (%s) "
                           "but got indices tensor with shape: %s"
                           % (_shape_str(input.shape), _shape_str(indices.shape)))
    if indices.dtype.is_floating_point:
        raise RuntimeError("elements in indices should be type int64 but got: %s"
                           % str(indices.dtype).split(".")[-1].capitalize())
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    idx = indices._data if batched else indices._data[None]
    plane = _int(np.prod(out_size))
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = idx.max() if idx.max() >= plane else idx.min()
        raise RuntimeError("Found an invalid max index: %d (output volumes are of size %s)"
                           % (bad, "x".join(map(str, out_size))))
    out = _PlaneScatter.apply((x,), idx.astype(np.int64), out_size, False)
    return out if batched else out.squeeze(0)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool1d``: values go back to their indices, zeros elsewhere."""
    return _max_unpoolnd(input, indices, kernel_size, stride, padding, output_size, 1,
                         "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool2d``: values go back to their flat per-plane ``indices``."""
    return _max_unpoolnd(input, indices, kernel_size, stride, padding, output_size, 2,
                         "max_unpool2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool3d``: values go back to their flat per-volume ``indices``."""
    return _max_unpoolnd(input, indices, kernel_size, stride, padding, output_size, 3,
                         "max_unpool3d")


# --- registry records ---------------------------------------------------------------------------

def _max_unpool3d_samples(dtype):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 2, 4, 4, 6))
    _, idx = max_pool3d(_make(x), 2, return_indices=True)
    yield SampleInput(T(2, 2, 2, 2, 3), T(2, 2, 2, 2, 3, dtype="int64", values=idx._data.tolist(),
                                          grad=False), 2)
    yield SampleInput(T(2, 2, 2, 2, 3), T(2, 2, 2, 2, 3, dtype="int64", values=idx._data.tolist(),
                                          grad=False), 2, output_size=(5, 5, 7))


def _max_unpool2d_samples(dtype):
    # indices taken from a real max_pool2d so they are unique within each plane
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 6, 6))
    _, idx = max_pool2d(_make(x), 2, return_indices=True)
    yield SampleInput(T(2, 3, 3, 3), T(2, 3, 3, 3, dtype="int64", values=idx._data.tolist(),
                                       grad=False), 2)
    yield SampleInput(T(2, 3, 3, 3), T(2, 3, 3, 3, dtype="int64", values=idx._data.tolist(),
                                       grad=False), 2, output_size=(7, 7))
    _, idx = max_pool2d(_make(x[0]), 2, 2, 1, return_indices=True)
    yield SampleInput(T(3, 4, 4), T(3, 4, 4, dtype="int64", values=idx._data.tolist(),
                                    grad=False), 2, 2, 1)


def _max_unpool2d_errors():
    yield ErrorInput(SampleInput(T(1, 2, 2, 2), T(1, 2, 2, 2, dtype="int64", values=[[[[30, 0],
                     [1, 2]], [[0, 1], [2, 3]]]], grad=False), 2), RuntimeError,
                     "Found an invalid max index: 30")
    yield ErrorInput(SampleInput(T(1, 2, 2, 2), T(1, 2, 2, 3, dtype="int64", low=0, high=3,
                                                  grad=False), 2), RuntimeError,
                     "Expected shape of indices to be same as that of the input tensor")
    yield ErrorInput(SampleInput(T(1, 2, 2, 2), T(1, 2, 2, 2, dtype="int64", low=0, high=3,
                                                  grad=False), 2, output_size=(7, 7)),
                     ValueError, "invalid output_size")
    yield ErrorInput(SampleInput(T(3, 0, 4), T(3, 4, 4, dtype="int64", low=0, high=3,
                                               grad=False), 2, 2, 1),
                     ValueError, "output_size must contain non-negative spatial dimensions")
    yield ErrorInput(SampleInput(T(1, 2, 2, 2, dtype="int32"), T(1, 2, 2, 2, dtype="int64",
                                                                 low=0, high=3, grad=False), 2),
                     NotImplementedError, "\"max_unpool2d\" not implemented for 'Int'")


def _max_unpool3d_errors():
    yield ErrorInput(SampleInput(T(1, 2, 2, 2, 3, dtype="int8"), T(1, 2, 2, 2, 3, dtype="int64",
                                                                    low=0, high=3, grad=False), 2),
                     NotImplementedError, "\"max_unpool3d\" not implemented for 'Char'")


_F = "nn.functional."
register(OpInfo("max_unpool2d", max_unpool2d, _max_unpool2d_samples, _max_unpool2d_errors,
                torch_name=_F + "max_unpool2d"))
register(OpInfo("max_unpool3d", max_unpool3d, _max_unpool3d_samples, _max_unpool3d_errors,
                torch_name=_F + "max_unpool3d"))
del _F
