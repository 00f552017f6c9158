"""Fractional max pooling (Graham, 2014), 2-d and 3-d, as torch's.

Each output cell pools a ``kernel_size`` window whose start along an axis is drawn from one
random number ``u`` per (batch, channel, axis) (``_random_samples``, uniform in [0, 1) unless
given): with ``alpha = (in - k) / (out - 1)`` the starts are ``int((i + u) alpha) - int(u alpha)``
for ``i < out - 1`` and ``in - k`` for the last, computed in the input's dtype as torch's kernel
does, so the same samples give the same windows, values and indices. The maximum is the first
one in scan order (the last NaN when a window holds NaN); the gradient flows to it.
"""
from ember._backend import array_module, np
from ember._tensor import _make
from ember.ops._util import check_dtype
from ember.ops.nn.conv import _shape_str
from ember.ops.nn.pooling import _int, _ntuple, _PlaneGather, _with_indices
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register
from ember.random import rand

_AXES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _starts(samples, in_size, out_size, kernel):
    """Window starts along one axis for every (batch, channel): shape ``samples.shape + (out,)``."""
    xp = array_module(samples)
    starts = xp.empty(samples.shape + (out_size,), dtype=np.int64)
    if out_size == 0:
        return starts
    if out_size > 1:
        dtype = samples.dtype.type
        alpha = dtype(in_size - kernel) / dtype(out_size - 1)
        steps = xp.arange(out_size - 1).astype(samples.dtype)
        offset = (samples * alpha).astype(np.int64)[..., None]
        starts[..., :-1] = ((steps + samples[..., None]) * alpha).astype(np.int64) - offset
    starts[..., -1] = in_size - kernel
    return starts


def _fractional_indices(x, samples, kernel, out_size):
    """Flat per-plane index of each output cell's maximum, shape ``(N, C) + out_size``."""
    n, c = x.shape[:2]
    in_size = x.shape[2:]
    nd = len(in_size)
    # torch's 2-d kernel reads the samples width first, its 3-d kernel time first
    coords = []
    for d in range(nd):
        sample = samples[:n, :, nd - 1 - d if nd == 2 else d]
        start = _starts(sample, in_size[d], out_size[d], kernel[d])
        # (N, C, out_d, k_d), broadcast over the other axes' (out, k) pairs
        coord = start[..., None] + array_module(x).arange(kernel[d])
        shape = [n, c] + [1] * (2 * nd)
        shape[2 + d], shape[2 + nd + d] = out_size[d], kernel[d]
        coords.append(coord.reshape(shape))
    flat = coords[0]
    for d in range(1, nd):
        flat = flat * in_size[d] + coords[d]
    cells, window = _int(np.prod(out_size)), _int(np.prod(kernel))
    flat = np.broadcast_to(flat, (n, c) + tuple(out_size) + tuple(kernel)).reshape(
        n, c, cells, window)
    plane = _int(np.prod(in_size))
    values = np.take_along_axis(x.reshape(n, c, plane), flat.reshape(n, c, cells * window),
                                axis=2).reshape(flat.shape)
    best = np.argmax(values, axis=3)
    if values.dtype.kind == "f":
        isnan = np.isnan(values)
        if isnan.any():
            last = window - 1 - np.argmax(isnan[..., ::-1], axis=3)
            best = np.where(isnan.any(axis=3), last, best)
    idx = np.take_along_axis(flat, best[..., None], axis=3)[..., 0]
    return idx.reshape((n, c) + tuple(out_size))


def _fractional_max_poolnd(input, kernel_size, output_size, output_ratio, return_indices,
                           _random_samples, nd):
    fname = "fractional_max_pool%dd" % nd
    if output_size is None and output_ratio is None:
        raise ValueError("%s requires specifying either an output_size or an output_ratio"
                         % fname)
    if output_size is None:
        if nd == 2 and isinstance(output_ratio, (tuple, list)) and len(output_ratio) > 2:
            raise ValueError("fractional_max_pool2d requires output_ratio to either be a single "
                             "Int or tuple of Ints.")
        ratio = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else \
            (output_ratio,) * nd
        output_size = [_int(input.size(d - nd) * ratio[d]) for d in range(nd)]
    if _random_samples is None:
        batch = 1 if input.dim() == nd + 1 else input.size(0)
        check_dtype("check_uniform_bounds", input)
        _random_samples = rand(batch, input.size(-nd - 1), nd, dtype=input.dtype)
    kernel = _ntuple(kernel_size, nd, fname, "kernel_size")
    out_size = _ntuple(output_size, nd, fname, "output_size")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError("%s(): Expected %dD or %dD tensor, but got: %s"
                           % (fname, nd + 1, nd + 2, _shape_str(input.shape)))
    for d in range(1, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError("%s(): Expected input to have non-zero size for non-batch "
                               "dimensions, but got%s with dimension %d being empty."
                               % (fname, _shape_str(input.shape), d))
    in_size = input.shape[-nd:]
    for axis, o, k, s in zip(_AXES[nd], out_size, kernel, in_size):
        # torch's 3-d check is one stricter than its 2-d one (out + k - 1 < in, not <=)
        if o + k - 1 > s - (nd == 3):
            raise RuntimeError("%s%s(): pool %s %d too large relative to input %s %d"
                               % (fname, "_out" if nd == 3 else "", axis, k, axis, s))
    samples = _random_samples
    if samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.dim() != 3:
        raise RuntimeError("Expect _random_samples to be 3D tensor, got: %dD" % samples.dim())
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    if samples.size(0) < x.shape[0]:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.size(1) != x.shape[1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.size(2) != nd:
        raise RuntimeError("Expect _random_samples.size(2) equals to %d; got %d."
                           % (nd, samples.size(2)))
    if x.shape[0]:
        check_dtype(fname + "_out_frame", input)
    idx = _fractional_indices(x._data, samples._data, kernel, out_size)
    out = _PlaneGather.apply((x,), idx)
    if not batched:
        out, idx = out.squeeze(0), idx[0]
    return (out, _make(idx)) if return_indices else out


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """2-d fractional max pooling over windows of ``kernel_size`` placed pseudo-randomly so that
    the output is ``output_size`` (or ``output_ratio`` times the input size).

    Example:
        >>> import ember
        >>> x = ember.arange(25.).reshape(1, 1, 5, 5)
        >>> ember.nn.functional.fractional_max_pool2d(
        ...     x, 2, output_size=2, _random_samples=ember.tensor([[[0.5, 0.5]]]))
        tensor([[[[ 6.,  9.],
                  [21., 24.]]]])
    """
    return _fractional_max_poolnd(input, kernel_size, output_size, output_ratio, return_indices,
                                  _random_samples, 2)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """3-d fractional max pooling (``fractional_max_pool2d`` over time, height and width)."""
    return _fractional_max_poolnd(input, kernel_size, output_size, output_ratio, return_indices,
                                  _random_samples, 3)


fractional_max_pool2d_with_indices = _with_indices(fractional_max_pool2d, 4)
fractional_max_pool3d_with_indices = _with_indices(fractional_max_pool3d, 4)


# --- registry records -----------------------------------------------------------------------------

def _samples_tensor(values):
    return T(len(values), len(values[0]), len(values[0][0]), values=values, grad=False)


def _fractional2d_samples(dtype):
    yield SampleInput(T(2, 3, 9, 11), 2, output_size=(4, 5), _random_samples=_samples_tensor(
        [[[0.1, 0.7], [0.35, 0.9], [0.5, 0.2]], [[0.8, 0.05], [0.6, 0.3], [0.25, 0.45]]]))
    yield SampleInput(T(2, 7, 8), (3, 2), output_ratio=(0.5, 0.6), return_indices=True,
                      _random_samples=_samples_tensor([[[0.3, 0.6], [0.9, 0.15]]]))
    yield SampleInput(T(1, 1, 6, 6), 3, output_size=(4, 1),
                      _random_samples=_samples_tensor([[[0.4, 0.55]]]))
    yield SampleInput(T(0, 2, 5, 5), 2, output_size=2,
                      _random_samples=_samples_tensor([[[0.4, 0.55], [0.1, 0.2]]]),
                      name="empty batch")
    if dtype == "float32":
        nan = float("nan")
        yield SampleInput(T(1, 1, 4, 4, values=[[[[1., nan, 2, 2], [1, 1, nan, 2], [0, 3, 3, 0],
                                                   [3, 0, 0, 3]]]]), 2, output_size=3,
                          return_indices=True, _random_samples=_samples_tensor([[[0.2, 0.8]]]),
                          name="edge: NaN windows take the last NaN; ties the first maximum")


def _fractional3d_samples(dtype):
    yield SampleInput(T(2, 2, 7, 8, 9), 2, output_size=(3, 4, 5), _random_samples=_samples_tensor(
        [[[0.1, 0.7, 0.4], [0.35, 0.9, 0.6]], [[0.8, 0.05, 0.5], [0.6, 0.3, 0.95]]]))
    yield SampleInput(T(1, 6, 7, 8), (2, 3, 2), output_ratio=0.5, return_indices=True,
                      _random_samples=_samples_tensor([[[0.3, 0.6, 0.45]]]))
    yield SampleInput(T(1, 1, 4, 4, 4), 2, output_size=2,
                      _random_samples=_samples_tensor([[[0.3, 0.6, 0.45]]]))


def _fractional_errors(nd):
    name = "fractional_max_pool%dd" % nd
    fine = T(1, 2, *([6] * nd))
    samples = T(1, 2, nd, grad=False)

    def errors():
        yield ErrorInput(SampleInput(fine, 2), ValueError, "output_size or an output_ratio")
        yield ErrorInput(SampleInput(fine, 2, output_size=6, _random_samples=samples),
                         RuntimeError, "too large relative to input")
        yield ErrorInput(SampleInput(T(1, 0, *([6] * nd)), 2, output_size=3,
                                     _random_samples=T(1, 0, nd, grad=False)),
                         RuntimeError, "non-zero size")
        yield ErrorInput(SampleInput(fine, 2, output_size=3,
                                     _random_samples=T(1, 3, nd, grad=False)),
                         RuntimeError, "channel size")
        yield ErrorInput(SampleInput(fine, 2, output_size=3,
                                     _random_samples=T(1, 2, 1, grad=False)),
                         RuntimeError, "size\\(2\\)")
        yield ErrorInput(SampleInput(fine, 2, output_size=3, _random_samples=T(
            1, 2, nd, dtype="float64", grad=False)), RuntimeError, "same dtype")
        yield ErrorInput(SampleInput(T(*([6] * nd)), 2, output_size=3), IndexError,
                         "out of range")
    errors.__name__ = name + "_errors"
    return errors


_F = "nn.functional."
register(OpInfo("fractional_max_pool2d", fractional_max_pool2d, _fractional2d_samples,
                _fractional_errors(2), torch_name=_F + "fractional_max_pool2d"))
register(OpInfo("fractional_max_pool3d", fractional_max_pool3d, _fractional3d_samples,
                _fractional_errors(3), torch_name=_F + "fractional_max_pool3d"))
register(OpInfo("fractional_max_pool2d_with_indices", fractional_max_pool2d_with_indices,
                _fractional2d_samples, torch_name=_F + "fractional_max_pool2d_with_indices"))
register(OpInfo("fractional_max_pool3d_with_indices", fractional_max_pool3d_with_indices,
                _fractional3d_samples, torch_name=_F + "fractional_max_pool3d_with_indices"))
del _F
