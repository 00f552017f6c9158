"""Adaptive pooling (average and max, 1-d to 3-d): each output cell pools the input bins
``[floor(i*n/o), ceil((i+1)*n/o))`` as in torch. Average pooling is one matmul per pooled axis
with a bin-averaging matrix; max pooling gathers each bin's first maximum in scan order.
"""
from ember._backend import array_module, np
from ember._tensor import _make
from ember.autograd.function import Node
from ember.ops._util import check_dtype
from ember.ops.nn.conv import _shape_str
from ember.ops.nn.pooling import _ALL2, _int, _PlaneGather, _with_indices
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register


def _adaptive_bins(n, o):
    return [((i * n) // o, -(-((i + 1) * n) // o)) for i in range(o)]


def _adaptive_args(input, output_size, nd, fname):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError("%s(): Expected %dD or %dD tensor, but got %s"
                           % (fname, nd + 1, nd + 2, _shape_str(input.shape)))
    if isinstance(output_size, (_int, np.integer)) or output_size is None:
        output_size = (output_size,) * nd
    output_size = tuple(output_size)
    if len(output_size) != nd:
        raise RuntimeError("%s: output_size must be %d" % (fname, nd))
    in_size = input.shape[input.dim() - nd:]
    output_size = tuple(n if o is None else _int(o) for o, n in zip(output_size, in_size))
    if any(o < 0 for o in output_size):
        raise RuntimeError("%s: elements of output_size must be greater than or equal to 0 but "
                           "received %s" % (fname, output_size))
    return output_size, tuple(in_size)


class _AxisMatmul(Node):
    """x multiplied along each trailing axis ``d`` by ``mats[d]`` (shape ``(out_d, in_d)``)."""

    def forward(ctx, x, mats):
        ctx.mats = mats
        nd = len(mats)
        for d, m in enumerate(mats):
            axis = x.ndim - nd + d
            x = np.moveaxis(np.matmul(m, np.moveaxis(x, axis, -2)), -2, axis)
        return array_module(x).ascontiguousarray(x)

    def backward(ctx, g):
        # torch runs the 1-d pool as a 2-d one, on (N, C, 1, L); dim 0 may be empty
        shape = g._data.shape[:-1] + (1,) * (2 - len(ctx.mats)) + g._data.shape[-1:]
        if 0 in shape[1:]:
            raise RuntimeError("adaptive_avg_pool2d_backward(): Expected grad_output to have "
                               "non-zero size for non-batch dimensions, but grad_output has "
                               "sizes %s with dimension %d being empty"
                               % (_shape_str(shape), shape.index(0, 1)))
        return _AxisMatmul.apply((g,), tuple(m.T for m in ctx.mats))

    def name(self):
        return "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def onnx(call):
        nd, mats = call.arrays[0].ndim, call.params[0]
        return call.g.along_axes(call.inputs[0], nd,
                                 [(nd - len(mats) + d, m) for d, m in enumerate(mats)])


def _adaptive_avg_poolnd(input, output_size, nd, fname):
    out_size, in_size = _adaptive_args(input, output_size, nd, fname)
    # torch's 3-d form refuses an empty dimension after the first, the others only empty bins
    first = 1 if nd == 3 else input.dim() - nd
    empty = [d for d in range(first, input.dim()) if input.shape[d] == 0]
    # torch's 1-d and 2-d shortcut for output size 1: a mean, with a mean's checks
    mean = nd < 3 and all(o == 1 for o in out_size)
    if empty and not mean:
        raise RuntimeError("%s(): Expected input to have non-zero size for non-batch dimensions, "
                           "but input has sizes %s with dimension %d being empty"
                           % (fname, _shape_str(input.shape), empty[0]))
    dtype = input._data.dtype
    if nd == 3:  # torch's 3-d kernel checks the dtype even for an empty input
        check_dtype("adaptive_avg_pool3d_cpu", input)
    elif input._data.size:  # the 1-d and 2-d ones return an empty input of any dtype as it is
        check_dtype("adaptive_avg_pool2d", input)
    if mean:
        return input.mean(tuple(range(-nd, 0)), keepdim=True)
    mats = []
    for n, o in zip(in_size, out_size):
        m = array_module(input._data).zeros((o, n), dtype=dtype)
        for i, (a, b) in enumerate(_adaptive_bins(n, o)):
            m[i, a:b] = 1.0 / (b - a)
        mats.append(m)
    return _AxisMatmul.apply((input,), tuple(mats))


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length: bin ``i`` covers
    ``[floor(i*L/out), ceil((i+1)*L/out))``."""
    return _adaptive_avg_poolnd(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed ``(H_out, W_out)``; ``None`` keeps that input size."""
    return _adaptive_avg_poolnd(input, output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input, output_size):
    """Average pooling to a fixed ``(D_out, H_out, W_out)``; ``None`` keeps that input size."""
    return _adaptive_avg_poolnd(input, output_size, 3, "adaptive_avg_pool3d")


def _adaptive_max_indices(x, out_size):
    """Flat per-plane index of the first maximum of each adaptive bin (or, as in torch, of the
    last NaN of a bin holding NaN)."""
    n, c = x.shape[:2]
    in_size = x.shape[2:]
    idx = array_module(x).empty((n, c) + tuple(out_size), dtype=np.int64)
    bins = [_adaptive_bins(s, o) for s, o in zip(in_size, out_size)]
    for pos in np.ndindex(*out_size):
        ranges = [bins[d][p] for d, p in enumerate(pos)]
        win = x[_ALL2 + tuple(slice(a, b) for a, b in ranges)]
        win = win.reshape(n, c, _int(np.prod(win.shape[2:])))
        local = np.argmax(win, axis=2)
        if win.dtype.kind == "f":
            isnan = np.isnan(win)
            if isnan.any():
                last = win.shape[2] - 1 - np.argmax(isnan[..., ::-1], axis=2)
                local = np.where(isnan.any(axis=2), last, local)
        flat = np.zeros_like(local)
        for d, (a, b) in enumerate(ranges):
            inner = _int(np.prod([bb - aa for aa, bb in ranges[d + 1:]]))
            coord = a + (local // inner) % (b - a)
            flat = flat * in_size[d] + coord
        idx[_ALL2 + pos] = flat
    return idx


def _adaptive_max_poolnd(input, output_size, return_indices, nd, fname):
    out_size, _ = _adaptive_args(input, output_size, nd, fname)
    # dim 0 is the batch (or, unbatched, the channels): only it may be empty
    if 0 in input.shape[1:]:
        raise RuntimeError("%s(): Expected input to have non-zero size for non-batch dimensions, "
                           "but input has sizes %s with dimension %d being empty"
                           % (fname, _shape_str(input.shape), input.shape.index(0, 1)))
    check_dtype("adaptive_max_pool3d_cpu" if nd == 3 else "adaptive_max_pool2d", input)
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    idx = _adaptive_max_indices(x._data, out_size)
    out = _PlaneGather.apply((x,), idx)
    if not batched:
        out = out.squeeze(0)
        idx = idx[0]
    if return_indices:
        return out, _make(idx)
    return out


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling to a fixed output length (bins as in ``adaptive_avg_pool1d``)."""
    return _adaptive_max_poolnd(input, output_size, return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed ``(H_out, W_out)``; indices are flat per input plane."""
    return _adaptive_max_poolnd(input, output_size, return_indices, 2, "adaptive_max_pool2d")


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling to a fixed ``(D_out, H_out, W_out)``; indices are flat per input volume."""
    return _adaptive_max_poolnd(input, output_size, return_indices, 3, "adaptive_max_pool3d")


adaptive_max_pool1d_with_indices = _with_indices(adaptive_max_pool1d, 2)
adaptive_max_pool2d_with_indices = _with_indices(adaptive_max_pool2d, 2)
adaptive_max_pool3d_with_indices = _with_indices(adaptive_max_pool3d, 2)


def _adaptive1d_samples(dtype):
    yield SampleInput(T(2, 3, 8), 4)
    yield SampleInput(T(0, 3, 8), 4, name="empty batch")
    yield SampleInput(T(0, 5), 1, name="unbatched, no channels")
    yield SampleInput(T(1, 2, 7), 3)
    yield SampleInput(T(3, 5), 1)
    yield SampleInput(T(1, 2, 3), 5)


def _adaptive2d_samples(dtype):
    yield SampleInput(T(2, 3, 6, 6), 2)
    yield SampleInput(T(0, 3, 6, 6), 2, name="empty batch")
    yield SampleInput(T(1, 2, 7, 5), (3, 4))
    yield SampleInput(T(2, 5, 5), (None, 2))
    yield SampleInput(T(1, 2, 4, 3), 1)
    yield SampleInput(T(1, 1, 3, 2), (4, 5))


def _adaptive3d_samples(dtype):
    yield SampleInput(T(2, 3, 3, 3), (2, 4, 1))
    yield SampleInput(T(1, 2, 5, 3, 4), (3, None, 2))
    yield SampleInput(T(2, 2, 4, 5, 6), 2)


_ADAPTIVE_SAMPLES = {1: _adaptive1d_samples, 2: _adaptive2d_samples, 3: _adaptive3d_samples}


def _adaptive_max_samples(nd):
    def samples(dtype):
        for s in _ADAPTIVE_SAMPLES[nd](dtype):
            yield s
            yield SampleInput(*s.args, return_indices=True)
        if nd == 2 and dtype == "float32":
            yield SampleInput(T(1, 1, 3, 4, values=[[[[1., 1, 0, 0], [2, 2, 0, 2], [2, 0, 2, 2]]]]),
                              (2, 3), True, name="ties")
            nan = float("nan")
            yield SampleInput(T(1, 1, 3, 4, values=[[[[1., nan, 0, 0], [nan, 2, 0, nan],
                                                      [2, nan, 2, 2]]]]),
                              (2, 3), True, name="edge: several NaNs: the last one")
    return samples


def _adaptive_errors(fname, nd):
    def errors():
        kernel = "adaptive_%s_pool%s" % ("max" if "max" in fname else "avg",
                                          "3d_cpu" if nd == 3 else "2d")
        yield ErrorInput(SampleInput(T(1, 2, *(4,) * nd, dtype="int64"), 2), NotImplementedError,
                         "\"%s\" not implemented for '%s'" % (kernel, "Long"))
        if nd == 3:  # the 3-d kernels refuse an empty batch of integers too
            yield ErrorInput(SampleInput(T(0, 3, 3, 3, dtype="int8"), (2, 4, 1)),
                             NotImplementedError, "\"%s\" not implemented for 'Char'" % kernel)
        yield ErrorInput(SampleInput(T(5), 2), RuntimeError, "Expected")
        yield ErrorInput(SampleInput(T(2, 3, *(0,) + (6,) * (nd - 1)), 2), RuntimeError,
                         "Expected input to have non-zero size for non-batch dimensions")
        if "max" in fname:  # the channels may not be empty either (the average's may)
            yield ErrorInput(SampleInput(T(2, 0, *(6,) * nd), 2), RuntimeError,
                             "dimension 1 being empty")
        yield ErrorInput(SampleInput(T(1, 2, *(4,) * nd), (2,) * (nd + 1)), RuntimeError,
                         "output_size must be %d" % nd)
    return errors


_F = "nn.functional."
register(OpInfo("adaptive_avg_pool1d", adaptive_avg_pool1d, _adaptive1d_samples,
                _adaptive_errors("adaptive_avg_pool1d", 1), torch_name=_F + "adaptive_avg_pool1d"))


register(OpInfo("adaptive_avg_pool2d", adaptive_avg_pool2d, _adaptive2d_samples,
                _adaptive_errors("adaptive_avg_pool2d", 2), torch_name=_F + "adaptive_avg_pool2d"))


register(OpInfo("adaptive_max_pool1d", adaptive_max_pool1d, _adaptive_max_samples(1),
                _adaptive_errors("adaptive_max_pool1d", 1), torch_name=_F + "adaptive_max_pool1d"))


register(OpInfo("adaptive_max_pool2d", adaptive_max_pool2d, _adaptive_max_samples(2),
                _adaptive_errors("adaptive_max_pool2d", 2), torch_name=_F + "adaptive_max_pool2d"))
register(OpInfo("adaptive_avg_pool3d", adaptive_avg_pool3d, _adaptive3d_samples,
                _adaptive_errors("adaptive_avg_pool3d", 3), torch_name=_F + "adaptive_avg_pool3d"))
register(OpInfo("adaptive_max_pool3d", adaptive_max_pool3d, _adaptive_max_samples(3),
                _adaptive_errors("adaptive_max_pool3d", 3), torch_name=_F + "adaptive_max_pool3d"))


def _first_samples(samples, count):
    """The first ``count`` samples of a record (for the ``*_with_indices`` forms)."""
    def first(dtype):
        for i, s in enumerate(samples(dtype)):
            if i == count:
                return
            yield s
    return first


register(OpInfo("adaptive_max_pool1d_with_indices", adaptive_max_pool1d_with_indices,
                _first_samples(_adaptive1d_samples, 2),
                _adaptive_errors("adaptive_max_pool1d", 1),
                torch_name=_F + "adaptive_max_pool1d_with_indices"))
register(OpInfo("adaptive_max_pool2d_with_indices", adaptive_max_pool2d_with_indices,
                _first_samples(_adaptive2d_samples, 3),
                _adaptive_errors("adaptive_max_pool2d", 2),
                torch_name=_F + "adaptive_max_pool2d_with_indices"))
register(OpInfo("adaptive_max_pool3d_with_indices", adaptive_max_pool3d_with_indices,
                _first_samples(_adaptive3d_samples, 2),
                _adaptive_errors("adaptive_max_pool3d", 3),
                torch_name=_F + "adaptive_max_pool3d_with_indices"))
del _F
