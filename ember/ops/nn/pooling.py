"""Pooling: max, average and power-average, 1-d to 3-d (adaptive pooling is in
``pooling_adaptive.py``, max-unpooling in ``unpooling.py``).

Windows are visited one kernel offset at a time as strided views of the (padded) input, so each
step is one whole-array ufunc call. Non-overlapping max pooling (kernel == stride, no padding,
the 2x2 case of every CNN) reduces with ``np.maximum`` over those views, rows first and then
columns (PERFORMANCE.md: 18x faster than ``reshape(...).max()``). The gradient goes to the
first maximum of each window in scan order, as in torch.

Each op is a pair of linear-adjoint nodes (pool/unpool, gather/scatter), so the backward of a
backward is the forward again and double backward works.
"""
import builtins
import math

from ember import _parallel
from ember._backend import array_module, np
from ember._tensor import _make
from ember.autograd.function import Node
from ember.ops.nn.conv import _Geometry, _shape_str
from ember.ops._util import check_dtype, ntuple
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register

_int = builtins.int
_ALL2 = (slice(None), slice(None))


def _ntuple(value, nd, fname, what):
    return ntuple(value, nd, lambda v: "%s: %s must either be a single int, or a tuple of %s ints"
                  % (fname, what, {1: "one", 2: "two", 3: "three"}[nd]))


def _batched(input, nd, fname):
    """``(input as (N, C, *S), was_batched)``; torch accepts ``(C, *S)`` too. Only a batch
    dimension may be empty (an unbatched input has none)."""
    batch = 1 if input.dim() == nd + 2 else 0
    if input.dim() not in (nd + 1, nd + 2) or any(s == 0 for s in input.shape[batch:]):
        raise RuntimeError("%s: Expected %dD or %dD (batch mode) tensor with optional 0 dim batch "
                           "size for input, but got:%s" % (fname, nd + 1, nd + 2,
                                                          _shape_str(input.shape)))
    if input.dim() == nd + 1:
        return input.unsqueeze(0), False
    return input, True


def _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, nd, fname):
    kernel = _ntuple(kernel_size, nd, fname, "kernel_size")
    stride = kernel if stride is None or (not isinstance(stride, _int) and len(stride) == 0) \
        else _ntuple(stride, nd, fname, "stride")
    padding = _ntuple(padding, nd, fname, "padding")
    dilation = _ntuple(dilation, nd, fname, "dilation")
    if any(k <= 0 for k in kernel):
        raise RuntimeError("kernel size should be greater than zero, but got %s"
                           % " ".join("k%d: %d" % (i, k) for i, k in enumerate(kernel)))
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride should not be zero" if any(s == 0 for s in stride)
                           else "stride should be greater than zero")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero, but got %s"
                           % " ".join("dilation%d: %d" % (i, d) for i, d in enumerate(dilation)))
    for p, k, d in zip(padding, kernel, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError("pad should be at most half of effective kernel size, but got "
                               "pad=%d, kernel_size=%d and dilation=%d" % (p, k, d))
    in_size = tuple(input.shape[2:])
    out_size, pad_hi = [], []
    for n, k, s, p, d in zip(in_size, kernel, stride, padding, dilation):
        span = n + 2 * p - d * (k - 1) - 1
        o = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1
        out_size.append(o)
        pad_hi.append(max(0, (o - 1) * s + d * (k - 1) + 1 - n - p))
    if any(o <= 0 for o in out_size):
        raise RuntimeError("Given input size: (%s). Calculated output size: (%s). Output size is "
                           "too small" % ("x".join(map(str, input.shape[1:])),
                                          "x".join(map(str, (input.shape[1],) + tuple(out_size)))))
    return _Geometry(kernel, stride, dilation, padding, tuple(pad_hi), 1, in_size,
                     tuple(out_size))


def _pad(x, geom, value):
    if not any(geom.pad_lo) and not any(geom.pad_hi):
        return x
    xp = array_module(x).full(x.shape[:2] + geom.padded, value, dtype=x.dtype)
    xp[_ALL2 + geom.interior()] = x
    return xp


def _non_overlapping(geom):
    return (geom.kernel == geom.stride and not any(geom.pad_lo) and not any(geom.pad_hi)
            and all(d == 1 for d in geom.dilation))


# --- max pooling --------------------------------------------------------------------------------

def _lowest(dtype):
    return -np.inf if dtype.kind in "fV" else np.iinfo(dtype).min  # "V": bfloat16


# Input bytes per chunk below which a max-pool kernel runs in one thread: handing a chunk to
# the pool costs ~30 us, and these kernels move ~10 bytes per ns.
_SPLIT_BYTES = 1 << 17


def _split(x):
    """Batch chunks of ``x`` for ``_parallel.run``."""
    per_image = max(1, x[0].nbytes) if x.shape[0] else 1
    return _parallel.chunks(x.shape[0], -(-_SPLIT_BYTES // per_image))


def _max_windows(x, geom, out):
    """Non-overlapping windows: ``out`` = the max over each window of ``x``, one axis at a time
    (the last axis reduced writes straight into ``out``)."""
    y = x[_ALL2 + tuple(slice(0, o * k) for o, k in zip(geom.out_size, geom.kernel))]
    axes = [(axis, k) for axis, k in enumerate(geom.kernel, start=2) if k > 1]
    if not axes:
        out[...] = y
    for n, (axis, k) in enumerate(axes):
        lead = (slice(None),) * axis
        part = np.maximum(y[lead + (slice(0, None, k),)], y[lead + (slice(1, None, k),)],
                          out=out if n == len(axes) - 1 else None)
        for j in range(2, k):
            np.maximum(part, y[lead + (slice(j, None, k),)], out=part)
        y = part


def _max_forward(x, geom):
    """(y, arg) where ``arg`` is the kernel offset of each window's maximum (or None): the first
    maximum, or in a window holding NaN its last NaN (torch's scan takes each NaN it meets)."""
    if _non_overlapping(geom):
        y = array_module(x).empty(x.shape[:2] + geom.out_size, dtype=x.dtype)
        _parallel.run(lambda lo, hi: _max_windows(x[lo:hi], geom, y[lo:hi]), _split(x))
        return y, None
    xp = _pad(x, geom, _lowest(x.dtype))
    offsets = list(geom.offsets())
    y = xp[_ALL2 + offsets[0]].copy()
    arg = array_module(y).zeros(y.shape, dtype=np.int16 if len(offsets) < 32768 else np.int32)
    nan_aware = x.dtype.kind == "f" and np.isnan(x).any()
    for i, sl in enumerate(offsets[1:], start=1):
        v = xp[_ALL2 + sl]
        upd = v > y
        if nan_aware:
            upd |= np.isnan(v)
        np.copyto(y, v, where=upd)
        arg[upd] = i
    return y, arg


def _max_arg(x, y, geom):
    """The maximum's offset in each window (as ``_max_forward``), recomputed from ``x`` and the
    pooled ``y``."""
    offsets = list(geom.offsets())
    arg = array_module(y).zeros(y.shape, dtype=np.int16 if len(offsets) < 32768 else np.int32)
    for i in range(len(offsets) - 1, -1, -1):
        np.copyto(arg, i, where=x[_ALL2 + offsets[i]] == y, casting="unsafe")
    if _has_nan(y):
        nan_window = np.isnan(y)
        for i, sl in enumerate(offsets):
            np.copyto(arg, i, where=np.isnan(x[_ALL2 + sl]) & nan_window, casting="unsafe")
    return arg


def _has_nan(y):
    return y.dtype.kind == "f" and bool(np.isnan(y).any())


class _PoolState:
    """What a max-pool's gradient nodes share: geometry, the argmax offsets (computed only when
    needed) or else the input and pooled output they are found from."""

    __slots__ = ("geom", "arg", "n", "c", "x", "y")

    def __init__(self, geom, arg, n, c):
        self.geom, self.arg, self.n, self.c = geom, arg, n, c
        self.x = self.y = None

    def argmax(self):
        if self.arg is None:
            self.arg = _max_arg(self.x, self.y, self.geom)
        return self.arg


# Pooled elements per tile of the batch in the fused backward, so that the tile's input, output
# and masks stay in cache between the passes over it; 2^16 measured best of 2^14..2^18 and no
# tiles (fewer, larger tiles also mean fewer GIL hand-overs when two threads share the work).
_TILE = 1 << 16


def _route_to_first_max(g, state):
    """Non-overlapping windows without NaN: each window's gradient goes to its first maximum in
    scan order.

    Offset ``i`` takes the windows where ``x == y`` that no earlier offset took; the last offset
    takes all that are left. Batch tiles run across the pool's threads."""
    geom, x, y = state.geom, state.x, state.y
    # the windows write every element unless they leave a remainder at the high edges: no
    # zero fill then (a memset of the whole input: 6 MiB per seed CNN step)
    covered = all(o * k == n for o, k, n in zip(geom.out_size, geom.kernel, geom.in_size))
    gx = (array_module(g).empty if covered else array_module(g).zeros)(
        (state.n, state.c) + geom.in_size, dtype=g.dtype)
    offsets = list(geom.offsets())
    per_image = max(1, y[0].size) if y.shape[0] else 1
    tile = max(1, _TILE // per_image)

    def part(lo, hi):
        for a in range(lo, hi, tile):
            b = min(a + tile, hi)
            xs, ys, gs, out = x[a:b], y[a:b], g[a:b], gx[a:b]
            taken = None
            for i, sl in enumerate(offsets):
                if taken is None:
                    m = xs[_ALL2 + sl] == ys
                    taken = m
                elif i == len(offsets) - 1:
                    m = np.logical_not(taken, out=taken)
                else:
                    m = xs[_ALL2 + sl] == ys
                    np.greater(m, taken, out=m)
                    taken |= m
                np.multiply(gs, m, out=out[_ALL2 + sl])

    _parallel.run(part, _split(x))
    return gx


class _MaxPool(Node):
    save = (0,)
    save_output = True

    def forward(ctx, x, geom, arg):
        y, a = _max_forward(x, geom) if arg is None else arg
        ctx.state = _PoolState(geom, a, x.shape[0], x.shape[1])
        return y

    def backward(ctx, g):
        state = ctx.state
        if state.arg is None and state.x is None:
            x, y = ctx.saved_tensors
            state.x, state.y = x._data, y._data
        return _MaxPoolGrad.apply((g,), state)

    def name(self):
        return "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def onnx(call):
        geom = call.params[0]
        return call.g.op("MaxPool", call.inputs[0], kernel_shape=list(geom.kernel),
                         strides=list(geom.stride), dilations=list(geom.dilation),
                         pads=list(geom.pad_lo) + list(geom.pad_hi))


class _MaxPoolGrad(Node):
    """Route each window's gradient to its argmax (adds where windows overlap)."""

    def forward(ctx, g, state):
        ctx.state = state
        if state.arg is None:
            if not _has_nan(state.y):
                return _route_to_first_max(g, state)
            state.argmax()  # a NaN window routes to its last NaN, not its first maximum
        geom, arg = state.geom, state.arg
        overlap = not _non_overlapping(geom)
        if overlap:
            gxp = array_module(g).zeros((state.n, state.c) + geom.padded, dtype=g.dtype)
        else:
            gxp = array_module(g).zeros((state.n, state.c) + geom.in_size, dtype=g.dtype)
        for i, sl in enumerate(geom.offsets()):
            if overlap:
                gxp[_ALL2 + sl] += g * (arg == i)
            else:
                np.multiply(g, arg == i, out=gxp[_ALL2 + sl])
        return gxp[_ALL2 + geom.interior()] if overlap else gxp

    def backward(ctx, gg):
        ctx.state.argmax()
        return _MaxPoolGather.apply((gg,), ctx.state)


class _MaxPoolGather(Node):
    """Adjoint of ``_MaxPoolGrad``: each window reads the value at its argmax."""

    def forward(ctx, gg, state):
        ctx.state = state
        geom = state.geom
        ggp = _pad(gg, geom, 0)
        out = array_module(gg).zeros(state.arg.shape, dtype=gg.dtype)
        for i, sl in enumerate(geom.offsets()):
            out += ggp[_ALL2 + sl] * (state.arg == i)
        return out

    def backward(ctx, g):
        return _MaxPoolGrad.apply((g,), ctx.state)


def _flat_indices(arg, geom):
    """torch's indices: the argmax's flat position within its (unpadded) input plane."""
    xp = array_module(arg)
    offsets = xp.array(list(np.ndindex(*geom.kernel)), dtype=np.int64).reshape(
        -1, len(geom.kernel))
    flat = xp.zeros(arg.shape, dtype=np.int64)
    nd = len(geom.kernel)
    for d in range(nd):
        shape = [1] * (nd + 2)
        shape[2 + d] = geom.out_size[d]
        start = (xp.arange(geom.out_size[d]) * geom.stride[d] - geom.pad_lo[d]).reshape(shape)
        pos = start + offsets[:, d][arg] * geom.dilation[d]
        flat = flat * geom.in_size[d] + pos
    return flat


def _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd,
                fname):
    x, batched = _batched(input, nd, fname)  # torch checks the shape before the dtype
    if nd == 1 and not return_indices:
        check_dtype("max_pool1d_impl", input)  # torch's 1-d kernel (no indices) is float only
    check_dtype("max_pool3d" if nd == 3 else "max_pool2d", input, kinds="fiu")
    geom = _pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode, nd, fname)
    pre = None
    if return_indices:
        pre = _max_forward(x._data, geom)
        if pre[1] is None:
            pre = (pre[0], _max_arg(x._data, pre[0], geom))
    out = _MaxPool.apply((x,), geom, pre)
    if not return_indices:
        return out if batched else out.squeeze(0)
    idx = _make(_flat_indices(pre[1], geom))
    if not batched:
        return out.squeeze(0), idx.squeeze(0)
    return out, idx


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-d max pooling over ``(N, C, L)``; ``stride`` defaults to ``kernel_size``."""
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                       1, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Applies 2-d max pooling over an input of planes.

    Args:
        input (Tensor): ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        kernel_size (int or tuple): the window size.
        stride (int or tuple, optional): the window step. Default: ``kernel_size``.
        padding (int or tuple): implicit ``-inf`` on both sides (at most half the window).
            Default: 0.
        dilation (int or tuple): the spacing between window elements. Default: 1.
        ceil_mode (bool): round the output size up instead of down. Default: ``False``.
        return_indices (bool): also return each maximum's flat index within its ``H x W``
            plane (what ``max_unpool2d`` takes). Default: ``False``.

    Shape:
        - Output: ``(N, C, H_out, W_out)`` with
          ``H_out = (H + 2 * padding - dilation * (kH - 1) - 1) // stride + 1`` (``W`` alike).

    Example:
        >>> import ember
        >>> max_pool2d(ember.arange(16.).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                       2, "max_pool2d")


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-d max pooling over ``(N, C, D, H, W)``; indices are flat within each ``D x H x W``
    volume (what ``max_unpool3d`` takes)."""
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                       3, "max_pool3d")


def _with_indices(pool, n_args):
    """``pool`` always returning ``(output, indices)`` (torch's ``*_with_indices`` forms; their
    ``return_indices`` argument, after the first ``n_args``, is ignored as in torch)."""
    def with_indices(*args, **kwargs):
        kwargs["return_indices"] = True
        return pool(*args[:n_args], **kwargs)

    with_indices.__name__ = with_indices.__qualname__ = pool.__name__ + "_with_indices"
    with_indices.__doc__ = "``%s`` returning ``(output, indices)``." % pool.__name__
    return with_indices


max_pool1d_with_indices = _with_indices(max_pool1d, 6)
max_pool2d_with_indices = _with_indices(max_pool2d, 6)
max_pool3d_with_indices = _with_indices(max_pool3d, 6)


# --- average pooling ------------------------------------------------------------------------------

def _avg_divisor(geom, count_include_pad, divisor_override, dtype):
    if divisor_override is not None:
        return dtype.type(divisor_override)
    div = None
    nd = len(geom.kernel)
    for d, (n, k, s, p, o) in enumerate(zip(geom.in_size, geom.kernel, geom.stride, geom.pad_lo,
                                            geom.out_size)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            size = end - start
        else:
            size = np.minimum(end, n) - np.maximum(start, 0)
        shape = [1] * nd
        shape[d] = o
        size = size.reshape(shape)
        div = size if div is None else div * size
    if np.all(div == div.flat[0]):
        return dtype.type(div.flat[0])
    return div.astype(dtype)


class _AvgPool(Node):
    """Window sums divided by ``div``; its adjoint is ``_AvgPoolGrad``."""

    def forward(ctx, x, geom, div):
        ctx.geom, ctx.div = geom, div
        xp = _pad(x, geom, 0)
        offsets = list(geom.offsets())
        y = xp[_ALL2 + offsets[0]].copy()
        for sl in offsets[1:]:
            y += xp[_ALL2 + sl]
        if y.dtype.kind in "iu":  # torch's int64 kernel divides rounding toward zero
            return np.sign(y) * (np.abs(y) // div)
        y /= div
        return y

    def backward(ctx, g):
        return _AvgPoolGrad.apply((g,), ctx.geom, ctx.div)

    def name(self):
        return "AvgPool2DBackward0"

    @staticmethod
    def onnx(call):
        # zero padding, an unpadded average, then the window size over ember's divisor
        # (count_include_pad, ceil_mode and divisor_override only change ``div``)
        g, x = call.g, call.inputs[0]
        geom, div = call.params
        lead = call.arrays[0].ndim - len(geom.kernel)
        if any(geom.pad_lo) or any(geom.pad_hi):
            pads = [0] * lead + list(geom.pad_lo) + [0] * lead + list(geom.pad_hi)
            x = g.op("Pad", x, g.ints(pads), call.scalar(0), mode="constant")
        y = g.op("AveragePool", x, kernel_shape=list(geom.kernel), strides=list(geom.stride))
        scale = float(np.prod(geom.kernel)) / np.asarray(div, dtype=np.float64)
        return y if np.all(scale == 1) else g.op("Mul", y, g.const(
            scale.astype(call.outs[0].dtype)))


class _AvgPoolGrad(Node):
    def forward(ctx, g, geom, div):
        ctx.geom, ctx.div = geom, div
        gs = g / div
        if _non_overlapping(geom):
            gx = array_module(g).zeros(g.shape[:2] + geom.in_size, dtype=g.dtype)
            for sl in geom.offsets():
                gx[_ALL2 + sl] = gs
            return gx
        gxp = array_module(g).zeros(g.shape[:2] + geom.padded, dtype=g.dtype)
        for sl in geom.offsets():
            gxp[_ALL2 + sl] += gs
        return gxp[_ALL2 + geom.interior()]

    def backward(ctx, gg):
        return _AvgPool.apply((gg,), ctx.geom, ctx.div)


def _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override, nd, fname):
    x, batched = _batched(input, nd, fname)  # torch checks the shape before the dtype
    if input._data.dtype != np.int64:  # torch averages int64 too, no other integer type
        if nd == 3:
            check_dtype("avg_pool3d_out_frame", input, half=False)
        else:
            check_dtype("avg_pool2d", input)
    geom = _pool_geometry(x, kernel_size, stride, padding, 1, ceil_mode, nd, fname)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    div = _avg_divisor(geom, count_include_pad, divisor_override, x._data.dtype)
    out = _AvgPool.apply((x,), geom, div)
    return out if batched else out.squeeze(0)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-d average pooling over ``(N, C, L)``."""
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None,
                       1, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-d average pooling; ``count_include_pad`` counts zero padding in the divisor and
    ``divisor_override`` replaces the divisor altogether."""
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override, 2, "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """3-d average pooling over ``(N, C, D, H, W)``."""
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override, 3, "avg_pool3d")


def _lp_poolnd(input, norm_type, kernel_size, stride, ceil_mode, nd, pool):
    from ember.ops.nn.activation import relu
    from ember.ops.unary import abs as _abs
    from ember.ops.unary import sign

    kernel = _ntuple(kernel_size, nd, "lp_pool%dd" % nd, "kernel_size")
    if stride is not None:
        out = pool(input.pow(norm_type), kernel, stride, 0, ceil_mode=ceil_mode)
    else:
        out = pool(input.pow(norm_type), kernel, padding=0, ceil_mode=ceil_mode)
    return (sign(out) * relu(_abs(out))).mul(math.prod(kernel)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: ``(sum over the window of x**p) ** (1/p)``."""
    return _lp_poolnd(input, norm_type, kernel_size, stride, ceil_mode, 1, avg_pool1d)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-d power-average pooling: ``(sum over the window of x**p) ** (1/p)``."""
    return _lp_poolnd(input, norm_type, kernel_size, stride, ceil_mode, 2, avg_pool2d)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-d power-average pooling: ``(sum over the window of x**p) ** (1/p)``."""
    return _lp_poolnd(input, norm_type, kernel_size, stride, ceil_mode, 3, avg_pool3d)


# --- scatter/gather per plane by flat index (max unpooling, adaptive max pooling) ---------------


class _PlaneScatter(Node):
    """Write (or add) ``x`` into zero planes of size ``plane`` at flat ``indices``."""

    def forward(ctx, x, indices, plane, accumulate):
        ctx.indices = indices
        lead = indices.shape[:2]
        rows, cells = _int(np.prod(lead)), _int(np.prod(indices.shape[2:]))
        flat_idx = indices.reshape(rows, cells)
        out = array_module(x).zeros((rows, _int(np.prod(plane))), dtype=x.dtype)
        if accumulate:
            base = (array_module(x).arange(rows) * out.shape[1])[:, None]
            out = np.bincount((flat_idx + base).ravel(), weights=x.reshape(rows, cells).ravel(),
                              minlength=out.size).astype(x.dtype).reshape(out.shape)
        else:
            np.put_along_axis(out, flat_idx, x.reshape(rows, cells), axis=1)
        return out.reshape(lead + tuple(plane))

    def backward(ctx, g):
        return _PlaneGather.apply((g,), ctx.indices)


class _PlaneGather(Node):
    """Read each plane of ``x`` at flat ``indices`` (adjoint of ``_PlaneScatter``)."""

    def forward(ctx, x, indices):
        ctx.indices, ctx.plane = indices, x.shape[2:]
        rows, cells = _int(np.prod(indices.shape[:2])), _int(np.prod(indices.shape[2:]))
        vals = np.take_along_axis(x.reshape(rows, _int(np.prod(x.shape[2:]))),
                                  indices.reshape(rows, cells), axis=1)
        return vals.reshape(indices.shape)

    def backward(ctx, g):
        return _PlaneScatter.apply((g,), ctx.indices, ctx.plane, True)


# --- registry records -----------------------------------------------------------------------------

def _max_pool1d_samples(dtype):
    yield SampleInput(T(2, 3, 8), 2)
    yield SampleInput(T(1, 2, 9), 3, stride=2, padding=1, dilation=2, ceil_mode=True)
    yield SampleInput(T(3, 7), 2, return_indices=True)
    yield SampleInput(T(1, 2, 7), 3, 2, 1, 1, True, True)
    yield SampleInput(T(1, 1, 6, values=[[[1.0, _NAN, 3.0, 2.0, _NAN, 0.0]]]), 2,
                      return_indices=True, name="edge: NaN is the maximum")
    for indices in (True, False):
        yield SampleInput(T(1, 1, 6, values=[[[1.0, _NAN, 3.0, _NAN, 2.0, 0.0]]]), 4, 2,
                          return_indices=indices, name="edge: several NaNs: the last one")


def _max_pool2d_samples(dtype):
    yield SampleInput(T(2, 3, 6, 6), 2)
    yield SampleInput(T(1, 2, 5, 7), 3, stride=2, padding=1)
    yield SampleInput(T(1, 2, 5, 5), (2, 3), stride=(2, 1), padding=(1, 1), dilation=(2, 1),
                      ceil_mode=True)
    yield SampleInput(T(2, 5, 5), 2, ceil_mode=True, return_indices=True)
    yield SampleInput(T(1, 1, 4, 5, noncontig=True), 2, return_indices=True)
    if dtype == "float32":
        # ties are not differentiable (gradcheck runs float64): checked against torch only
        yield SampleInput(T(1, 1, 4, 4, values=[[[[1., 1, 2, 2], [1, 1, 2, 2], [0, 3, 3, 0],
                                                   [3, 0, 0, 3]]]]), 2, return_indices=True,
                          name="ties go to the first maximum")
        yield SampleInput(T(1, 1, 3, 3, values=[[[[1., 1, 1], [1, 1, 1], [1, 1, 1]]]]), 2, 1,
                          name="overlapping ties")
        yield SampleInput(T(4, 8, 12, 12), 2)
        yield SampleInput(T(2, 4, 9, 9), 3, 3)
    yield SampleInput(T(1, 1, 2, 4, values=[[[[1.0, _NAN, 3.0, 2.0], [0.0, 5.0, 4.0, -1.0]]]]), 2,
                      return_indices=True, name="edge: NaN is the maximum")
    yield SampleInput(T(1, 1, 3, 3, values=[[[[1.0, _NAN, 3.0], [2.0, 5.0, 4.0],
                                              [0.0, 1.0, 2.0]]]]), 2, 1, name="edge: NaN, overlap")
    several = T(1, 1, 3, 4, values=[[[[1.0, _NAN, 2.0, _NAN], [_NAN, 0.0, _NAN, 7.0],
                                      [3.0, 4.0, 5.0, _NAN]]]])
    yield SampleInput(several, 2, 1, return_indices=True, name="edge: several NaNs, overlap")
    yield SampleInput(several, 2, 1, name="edge: several NaNs, overlap")
    yield SampleInput(several, (3, 2), name="edge: several NaNs, non-overlapping")


_NAN = float("nan")


def _pool_errors(nd, avg=False):
    """Error inputs of ``max_pool{nd}d`` or (``avg``) ``avg_pool{nd}d``: the window checks
    they share, the dtypes torch's kernels lack, then each one's own."""
    def errors():
        sp = (5,) * nd
        kernel = ("avg_pool3d_out_frame" if nd == 3 else "avg_pool2d") if avg else \
            "max_pool1d_impl" if nd == 1 else "max_pool%dd" % nd
        for dt, word in (("int8", "Char"), ("bool", "Bool")) if avg or nd == 1 else \
                (("bool", "Bool"),):
            yield ErrorInput(SampleInput(T(2, 2, *sp, dtype=dt), 2), NotImplementedError,
                             "\"%s\" not implemented for '%s'" % (kernel, word))
        if avg or nd == 1:
            yield ErrorInput(SampleInput(T(0, 2, *sp, dtype="int8"), 2), NotImplementedError,
                             "not implemented for 'Char'")
        if avg and nd == 3:  # torch's 3-d average has no float16 kernel, even for no batch
            yield ErrorInput(SampleInput(T(0, 2, *sp, dtype="float16"), 2), NotImplementedError,
                             "\"%s\" not implemented for 'Half'" % kernel)
        # an unbatched input has no batch dimension that may be empty; torch checks it first
        yield ErrorInput(SampleInput(T(0, *sp, dtype="int8"), 2), RuntimeError, "Expected")
        yield ErrorInput(SampleInput(T(1, 2, *sp), 2, padding=2), RuntimeError,
                         "pad should be at most half of effective kernel size")
        yield ErrorInput(SampleInput(T(1, 2, *(1,) * nd), 2), RuntimeError,
                         "Output size is too small")
        yield ErrorInput(SampleInput(T(1, 2, *sp), 2, stride=0), RuntimeError,
                         "stride should not be zero")
        if avg and nd == 2:
            yield ErrorInput(SampleInput(T(1, 2, *sp), 2, divisor_override=0), RuntimeError,
                             "divisor must be not zero")
        elif not avg:
            yield ErrorInput(SampleInput(T(3), 2), RuntimeError, "Expected")
            yield ErrorInput(SampleInput(T(1, 2, *sp), (2,) * (nd + 1)), RuntimeError,
                             "kernel_size must either be a single int")
    return errors


def _max_pool3d_samples(dtype):
    yield SampleInput(T(1, 1, 3, 4, 4), 2, 1)
    yield SampleInput(T(2, 2, 4, 4, 4), 2)
    yield SampleInput(T(1, 2, 5, 4, 6), (3, 2, 2), stride=(2, 1, 2), padding=1,
                      dilation=(1, 2, 1), ceil_mode=True)
    yield SampleInput(T(2, 5, 3, 4), 2, 1, return_indices=True)


def _with_indices_samples(samples):
    """The samples of a ``max_pool{n}d`` record, for its ``*_with_indices`` form."""
    def without_flag(dtype):
        for s in samples(dtype):
            if not s.name and "return_indices" not in s.kwargs and len(s.args) < 6:
                yield s
    return without_flag


def _with_indices_errors(nd):
    """The forms with indices take integers (even 1-d) but not bool, not even an empty batch."""
    def errors():
        yield ErrorInput(SampleInput(T(0, 3, *(4,) * nd, dtype="bool"), 2), NotImplementedError,
                         "\"max_pool%dd\" not implemented for 'Bool'" % max(nd, 2))
    return errors


def _avg_pool1d_samples(dtype):
    yield SampleInput(T(2, 3, 8), 2)
    yield SampleInput(T(1, 2, 9, dtype="int64", low=-50, high=50), 3, 2, 1, True, False,
                      name="int64 rounds toward zero")
    yield SampleInput(T(1, 2, 9), 3, stride=2, padding=1, ceil_mode=True)
    yield SampleInput(T(1, 2, 9), 3, 2, 1, True, False)
    yield SampleInput(T(3, 7), 4, 3, 2)


def _avg_pool2d_samples(dtype):
    yield SampleInput(T(2, 3, 6, 6), 2)
    yield SampleInput(T(1, 2, 5, 7), 3, stride=2, padding=1)
    yield SampleInput(T(1, 2, 5, 7), 3, stride=2, padding=1, count_include_pad=False)
    yield SampleInput(T(1, 2, 6, 5), (3, 2), stride=(2, 2), padding=(1, 1), ceil_mode=True,
                      count_include_pad=False)
    yield SampleInput(T(1, 2, 6, 5), (3, 2), stride=(2, 2), padding=(1, 1), ceil_mode=True)
    yield SampleInput(T(2, 5, 5), 2, divisor_override=3)
    yield SampleInput(T(2, 5, 5, dtype="int64", low=-50, high=50), 2, divisor_override=3,
                      name="int64 rounds toward zero")
    yield SampleInput(T(1, 1, 4, 5, noncontig=True), 2, 1)


def _avg_pool3d_samples(dtype):
    yield SampleInput(T(1, 1, 3, 4, 4), 2, 1, 1)
    yield SampleInput(T(2, 2, 4, 4, 4), 2)
    yield SampleInput(T(1, 2, 5, 4, 6), (3, 2, 2), stride=(2, 1, 2), padding=1,
                      count_include_pad=False, ceil_mode=True)
    yield SampleInput(T(2, 3, 4, 5), 2, divisor_override=5)


def _lp_pool1d_samples(dtype):
    yield SampleInput(T(2, 3, 8, low=0.5, high=2.0), 2, 2)
    yield SampleInput(T(1, 2, 7, low=0.5, high=2.0), 3.0, 3, stride=2, ceil_mode=True)


def _lp_pool2d_samples(dtype):
    yield SampleInput(T(2, 2, 4, 4, low=0.5, high=2.0), 2, 2)
    yield SampleInput(T(1, 2, 5, 6, low=0.5, high=2.0), 3.0, (2, 3), stride=(1, 2))
    yield SampleInput(T(1, 2, 5, 5, low=0.5, high=2.0), 1.5, 2, ceil_mode=True)


def _lp_pool3d_samples(dtype):
    yield SampleInput(T(1, 1, 3, 4, 4, low=0.5, high=2.0), 2, 2, 1)
    yield SampleInput(T(1, 2, 4, 4, 4, low=0.5, high=2.0), 2, 2)
    yield SampleInput(T(2, 3, 4, 5, low=0.5, high=2.0), 3.0, (2, 2, 3), stride=(1, 2, 1))


def _lp_pool3d_errors():
    # float16 reaches torch's 3-d average kernel, which has no float16 version
    yield ErrorInput(SampleInput(T(0, 1, 3, 4, 4, dtype="float16"), 2, 2, 1), NotImplementedError,
                     "\"avg_pool3d_out_frame\" not implemented for 'Half'")


_F = "nn.functional."
register(OpInfo("max_pool1d", max_pool1d, _max_pool1d_samples, _pool_errors(1),
                torch_name=_F + "max_pool1d"))
register(OpInfo("max_pool2d", max_pool2d, _max_pool2d_samples, _pool_errors(2),
                torch_name=_F + "max_pool2d"))
register(OpInfo("avg_pool1d", avg_pool1d, _avg_pool1d_samples, _pool_errors(1, avg=True),
                torch_name=_F + "avg_pool1d"))
register(OpInfo("avg_pool2d", avg_pool2d, _avg_pool2d_samples, _pool_errors(2, avg=True),
                torch_name=_F + "avg_pool2d"))
register(OpInfo("lp_pool1d", lp_pool1d, _lp_pool1d_samples, torch_name=_F + "lp_pool1d",
                atol=1e-5, rtol=1e-5))
register(OpInfo("lp_pool2d", lp_pool2d, _lp_pool2d_samples, torch_name=_F + "lp_pool2d",
                atol=1e-5, rtol=1e-5))
register(OpInfo("max_pool3d", max_pool3d, _max_pool3d_samples, _pool_errors(3),
                torch_name=_F + "max_pool3d"))
register(OpInfo("avg_pool3d", avg_pool3d, _avg_pool3d_samples, _pool_errors(3, avg=True),
                torch_name=_F + "avg_pool3d"))
register(OpInfo("lp_pool3d", lp_pool3d, _lp_pool3d_samples, _lp_pool3d_errors,
                torch_name=_F + "lp_pool3d", atol=1e-5, rtol=1e-5))
register(OpInfo("max_pool1d_with_indices", max_pool1d_with_indices,
                _with_indices_samples(_max_pool1d_samples), _with_indices_errors(1),
                torch_name=_F + "max_pool1d_with_indices"))
register(OpInfo("max_pool2d_with_indices", max_pool2d_with_indices,
                _with_indices_samples(_max_pool2d_samples), _with_indices_errors(2),
                torch_name=_F + "max_pool2d_with_indices"))
register(OpInfo("max_pool3d_with_indices", max_pool3d_with_indices,
                _with_indices_samples(_max_pool3d_samples), _with_indices_errors(3),
                torch_name=_F + "max_pool3d_with_indices"))
del _F
