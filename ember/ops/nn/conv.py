"""Convolutions (1-d, 2-d, 3-d, transposed) as im2col + one GEMM per group.

The column matrix is built channel-major, ``cols[c, k, n, *out]`` (``cols[c, k, *out, n]`` for
narrow outputs, see ``_batch_axis``), from one strided-slice copy per kernel offset
(PERFORMANCE.md measured this 6x faster than ``sliding_window_view`` plus a transpose);
``W.reshape(O, C*K) @ cols.reshape(C*K, N*L)`` is then a single BLAS call. The input gradient
is the same GEMM transposed followed by col2im, which adds the ``K`` slices back into a zero
buffer (never ``np.add.at``). Large batches are cut into chunks that run on ember's intra-op
pool (``ember._parallel``), each chunk's columns staying warm in its core's cache. (Computing
stride-1 outputs over "wide rows" of the padded plane, fewer but longer copies, was slower
here: 1.1x for the seed CNN and LeNet-5 steps, measured in #13.)

Three nodes close the algebra under differentiation, so double backward works:
``_Conv`` (y = conv(x, w)), ``_ConvInputGrad`` (the adjoint in x, i.e. the transposed convolution)
and ``_ConvWeightGrad`` (the adjoint in w). Each one's backward is written with the other two.
"""
import builtins
import functools
import itertools

from ember import _parallel
from ember._backend import array_module, as_strided, np
from ember.autograd.function import Node
from ember.autograd.grad_mode import _State
from ember.ops._util import check_dtype, joined_zeros, ntuple
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register

_int = builtins.int


class _Geometry:
    """Kernel size, stride, dilation, padding (low/high per dim), groups and spatial sizes.

    ``in_size`` is the spatial size of the convolution's input, ``out_size`` that of its output;
    both are stored (not recomputed) so a transposed convolution's ``output_padding`` fits.
    """

    __slots__ = ("kernel", "stride", "dilation", "pad_lo", "pad_hi", "groups", "in_size",
                 "out_size")

    def __init__(self, kernel, stride, dilation, pad_lo, pad_hi, groups, in_size, out_size):
        self.kernel, self.stride, self.dilation = kernel, stride, dilation
        self.pad_lo, self.pad_hi, self.groups = pad_lo, pad_hi, groups
        self.in_size, self.out_size = in_size, out_size

    @property
    def padded(self):
        return tuple(n + lo + hi for n, lo, hi in zip(self.in_size, self.pad_lo, self.pad_hi))

    def offsets(self, lead=0):
        """For each kernel offset (scan order), the slices of the padded input it reads, after
        ``lead`` whole leading axes."""
        return _offsets(self.kernel, self.dilation, self.stride, self.out_size, lead)

    def interior(self):
        return tuple(slice(lo, lo + n) for lo, n in zip(self.pad_lo, self.in_size))


_ALL = slice(None)


@functools.lru_cache(maxsize=256)
def _offsets(kernel, dilation, stride, out_size, lead):
    lead = (_ALL,) * lead
    return tuple(lead + tuple(slice(o * d, o * d + s * (n - 1) + 1, s) for o, d, s, n in
                              zip(offs, dilation, stride, out_size))
                 for offs in itertools.product(*[range(k) for k in kernel]))


# Output rows narrower than this many elements put the batch innermost in the column matrix
# (``cols[c, k, *out, n]``): each kernel offset's copy then moves runs of ``out_w * N`` floats
# instead of ``out_w``, 2.4x faster for LeNet-5's conv2 (10 wide), at the cost of transposing
# the output and its gradient, which wide rows (28, the seed CNN) do not repay.
_NARROW = 16


def _batch_axis(geom):
    """Where the batch sits in the internal layout ``(C, ...)``: 1 (``(C, N, *sp)``) or -1
    (``(C, *sp, N)``, for narrow outputs)."""
    return -1 if geom.out_size[-1] < _NARROW else 1


def _per_image(geom, o, ck):
    """Whether the GEMMs run one image at a time on the ``(C*K, N, *out)`` column matrix: when
    the output (``o`` channels) is at least as large as the columns (``ck`` rows), as in the
    seed CNN's 1->32 3x3 conv, where the forward then writes NCHW directly (1.8x for that
    product with its transposing bias add, CPU, one thread) and the weight gradient needs no
    transposed copy of the output gradient (1.3x); LeNet-5's 1->6 5x5 conv gained nothing."""
    return geom.groups == 1 and _batch_axis(geom) == 1 and o >= ck


def _columns(spatial, geom, n):
    """The internal layout's shape after its channel axis: ``(n, *spatial)`` or
    ``(*spatial, n)``."""
    return spatial + (n,) if _batch_axis(geom) == -1 else (n,) + spatial


def _at(sl, bax):
    """Index of the internal layout selecting spatial slices ``sl`` of every channel/image."""
    return (_ALL,) + sl if bax == -1 else (_ALL, _ALL) + sl


def _to_internal(ndim, bax):
    """Axis order taking ``(N, C, *sp)`` to the internal layout."""
    return (1,) + tuple(range(2, ndim)) + (0,) if bax == -1 else (1, 0) + tuple(range(2, ndim))


def _to_external(ndim, bax):
    """Axis order taking the internal layout back to ``(N, C, *sp)``."""
    return (ndim - 1,) + tuple(range(ndim - 1)) if bax == -1 else (1, 0) + tuple(range(2, ndim))


def _internal(x, geom):
    """``x`` ``(N, C, *in)`` in the internal layout, contiguous, zeros in the padding."""
    bax = _batch_axis(geom)
    xt = x.transpose(_to_internal(x.ndim, bax))
    if not (any(geom.pad_lo) or any(geom.pad_hi)):
        return array_module(xt).ascontiguousarray(xt) if bax == -1 else xt
    n, c = x.shape[:2]
    xp = array_module(x).zeros((c,) + _columns(geom.padded, geom, n), dtype=x.dtype)
    xp[_at(geom.interior(), bax)] = xt
    return xp


def _im2col(x, geom):
    """``cols[c, k, n, *out]`` or ``cols[c, k, *out, n]`` (see ``_batch_axis``), contiguous,
    for input ``x`` of shape ``(N, C, *in_size)``."""
    n, c = x.shape[:2]
    bax = _batch_axis(geom)
    xp = _internal(x, geom)
    cols = array_module(x).empty((c, _prod(geom.kernel)) + _columns(geom.out_size, geom, n),
                                 dtype=x.dtype)
    if bax == -1:
        # narrow outputs: all kernel offsets in one strided copy, (C, *kernel, *out, N) read
        # from the padded (C, *padded, N) input; a LeNet-5 training step 7.7 -> 6.7 ms (one
        # thread) and 7.1 -> 6.5 (two), in one process (bench/bench_ab.py). Wide rows keep one
        # copy per offset (a single copy was 4-7% slower on the LeNet-5 and seed CNN steps).
        sp = xp.strides[1:-1]
        shape = (c,) + geom.kernel + geom.out_size + (n,)
        strides = ((xp.strides[0],) + tuple(s * d for s, d in zip(sp, geom.dilation)) +
                   tuple(s * t for s, t in zip(sp, geom.stride)) + (xp.strides[-1],))
        cols.reshape(shape)[...] = as_strided(xp, shape, strides)
        return cols
    for i, index in enumerate(geom.offsets(2)):
        cols[:, i] = xp[index]
    return cols


def _col2im(gcols, geom, n, c, dtype):
    """Adjoint of ``_im2col``: ``(N, C, *in_size)``, summing each offset's slice back."""
    bax = _batch_axis(geom)
    gxp = array_module(gcols).zeros((c,) + _columns(geom.padded, geom, n), dtype=dtype)
    for i, index in enumerate(geom.offsets(1 if bax == -1 else 2)):
        gxp[index] += gcols[:, i]
    gx = gxp[_at(geom.interior(), bax)]
    gx = gx.transpose(_to_external(gx.ndim, bax))
    return array_module(gx).ascontiguousarray(gx) if bax == -1 else gx


def _grad_matrix(gy, geom):
    """``gy`` ``(N, O, *out)`` as the ``(O, N*out)`` matrix matching ``_im2col``'s columns."""
    o = gy.shape[1]
    gt = array_module(gy).ascontiguousarray(gy.transpose(_to_internal(gy.ndim, _batch_axis(geom))))
    return gt.reshape(o, gy.size // max(o, 1))


def _external(y, o, geom, n):
    """The GEMM's ``(O, columns)`` output as an ``(N, O, *out)`` view."""
    shape = (o,) + _columns(geom.out_size, geom, n)
    return y.reshape(shape).transpose(_to_external(len(shape), _batch_axis(geom)))


# Work per chunk (multiply-adds) below which splitting the batch across threads does not pay.
_CHUNK_WORK = 1 << 20


def _chunks(x, geom, o):
    """Batch chunks for ``_parallel.run``: each image's GEMM work is ``o * C*K * columns``."""
    per_image = o * _prod(x.shape[1:]) * _prod(geom.kernel)
    return _parallel.chunks(x.shape[0], -(-_CHUNK_WORK // max(per_image, 1)))


# Bytes of column matrix and output per batch tile. Inference at batch 256 ran 1.25x (seed CNN)
# to 1.4x (LeNet-5 conv2) faster in tiles of about this size than in one piece; at batch 64
# (4-8 MiB in one piece) tiles did not pay, so a batch is cut only into whole multiples of it.
_TILE_BYTES = 1 << 22


def _tiles(x, geom, o, lo, hi):
    """``range(lo, hi)`` of the batch cut evenly into cache-sized ``(start, stop)`` tiles."""
    per_image = (x.shape[1] * _prod(geom.kernel) + o) * _prod(geom.out_size) * x.itemsize
    count = max(1, min(hi - lo, per_image * (hi - lo) // _TILE_BYTES))
    step, extra = divmod(hi - lo, count)
    bounds = [lo]
    for i in range(count):
        bounds.append(bounds[-1] + step + (i < extra))
    return list(zip(bounds[:-1], bounds[1:]))


def _prod(values):
    p = 1
    for v in values:
        p *= v
    return p


def _conv_forward(x, w, b, geom, keep):
    """``(y, cols)``: the convolution of ``x`` and, when ``keep``, the column matrices of its
    batch tiles (for the weight gradient)."""
    n = x.shape[0]
    o, g = w.shape[0], geom.groups
    out = array_module(x).empty((n, o) + geom.out_size, dtype=np.result_type(x, w))
    wm = w.reshape(g, o // g, w[0].size)

    def one(lo, hi):
        cols = _im2col(x[lo:hi], geom)
        cm = cols.reshape(g, cols.shape[0] // g * cols.shape[1], cols[0, 0].size)
        if _per_image(geom, o, cols.shape[0] * cols.shape[1]):
            # one product per image straight into the NCHW output: no transposing copy after
            m, size = hi - lo, _prod(geom.out_size)
            view = out[lo:hi].reshape(m, o, size)
            np.matmul(wm[0], cm[0].reshape(-1, m, size).transpose(1, 0, 2), out=view)
            if b is not None:
                np.add(view, b.reshape(o, 1), out=view)
            return cols if keep else None
        y = np.matmul(wm, cm) if g > 1 else _parallel.wide_matmul(wm[0], cm[0])
        y = _external(y, o, geom, hi - lo)
        view = out[lo:hi]
        if b is not None:
            np.add(y, b.reshape((o,) + (1,) * len(geom.out_size)), out=view)
        else:
            view[...] = y
        return cols if keep else None

    def part(lo, hi):
        return [(a, b, one(a, b)) for a, b in _tiles(x, geom, o, lo, hi)]

    parts = _chunks(x, geom, o)
    cols = _parallel.run(part, parts)
    return out, ((parts, cols) if keep else None)


def _conv_input_grad(gy, w, geom, n):
    """Transposed convolution of ``gy`` ``(N, O, *out)`` with ``w``: ``(N, C, *in)``."""
    o, g = w.shape[0], geom.groups
    c = w.shape[1] * g
    wm = w.reshape(g, o // g, w[0].size)

    def part(lo, hi):
        gm = _grad_matrix(gy[lo:hi], geom)
        gym = gm.reshape(g, o // g, gm.shape[1])
        if g > 1:
            gcols = np.matmul(wm.transpose(0, 2, 1), gym)
        else:
            gcols = _parallel.matmul(wm[0].T, gym[0])
        gcols = gcols.reshape((c, w[0, 0].size) + _columns(geom.out_size, geom, hi - lo))
        gx = _col2im(gcols, geom, hi - lo, c, gcols.dtype)
        if out is not None:
            out[lo:hi] = gx
        return gx

    parts = _parallel.chunks(n, -(-_CHUNK_WORK // max(1, o * w[0].size * _prod(geom.out_size))))
    if len(parts) == 1:
        out = None
        return part(0, n)
    out = array_module(gy).empty((n, c) + geom.in_size, dtype=np.result_type(gy, w))
    _parallel.run(part, parts)
    return out


def _conv_weight_grad(gy, x, geom, w_shape, cols=None):
    g = geom.groups
    if cols is None:
        parts, saved = _chunks(x, geom, w_shape[0]), None
    else:
        parts, saved = cols
    by_start = {} if saved is None else {lo: c for (lo, _), c in zip(parts, saved)}

    def one(lo, hi, cl):
        if cl is None:
            cl = _im2col(x[lo:hi], geom)
        m = cl[0, 0].size
        if _per_image(geom, w_shape[0], cl.shape[0] * cl.shape[1]):
            # per image, summed: no transposed copy of ``gy`` (1.1-1.3x on the CNNs' convs)
            size = _prod(geom.out_size)
            gy3 = gy[lo:hi].reshape(hi - lo, w_shape[0], size)
            return np.matmul(gy3, cl.reshape(-1, hi - lo, size).transpose(1, 2, 0)).sum(0)
        gym = _grad_matrix(gy[lo:hi], geom).reshape(g, w_shape[0] // g, m)
        cm = cl.reshape(g, cl.shape[0] // g * cl.shape[1], m)
        if g > 1:
            return np.matmul(gym, cm.transpose(0, 2, 1))
        return _parallel.matmul_nt(gym[0], cm[0])

    def part(lo, hi):
        tiles = by_start.get(lo) or [(a, b, None) for a, b in _tiles(x, geom, w_shape[0], lo, hi)]
        gw = None
        for a, b, cl in tiles:
            p = one(a, b, cl)
            if gw is None:
                gw = p
            else:
                gw += p
        return gw

    partial = _parallel.run(part, parts)
    gw = partial[0]
    for p in partial[1:]:
        gw += p
    return gw.reshape(w_shape)


class _Conv(Node):
    """y = conv(x, w) + b over ``geom``; inputs ``(x, w)`` or ``(x, w, b)``."""

    save = (0, 1)

    def forward(ctx, x, w, *rest):
        geom = rest[-1]
        b = rest[0] if len(rest) == 2 else None
        ctx.geom = geom
        out, ctx.cols = _conv_forward(x, w, b, geom, _State.enabled)
        return out

    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        geom = ctx.geom
        gx = _ConvInputGrad.apply((gy, w), geom, x.shape[0]) if need[0] else None
        gw = _ConvWeightGrad.apply((gy, x), geom, tuple(w.shape), ctx.cols) if need[1] else None
        if len(need) == 3:
            # the batch first (whole rows added), then each channel's plane: 2.7-3.7x faster
            # than one sum over (0, 2, ...) on LeNet-5's and the seed CNN's gradients
            gb = gy.sum(0).sum(tuple(range(1, gy.dim() - 1))) if need[2] else None
            return gx, gw, gb
        return gx, gw

    def name(self):
        return "ConvolutionBackward0"

    @staticmethod
    def onnx(call):
        return call.g.op("Conv", *call.inputs, **_onnx_attrs(call.params[-1]))


def _onnx_attrs(geom):
    return {"kernel_shape": list(geom.kernel), "strides": list(geom.stride),
            "dilations": list(geom.dilation), "group": geom.groups,
            "pads": list(geom.pad_lo) + list(geom.pad_hi)}



class _ConvInputGrad(Node):
    """gx = conv_transpose(gy, w): the adjoint of ``_Conv`` in its input."""

    save = (0, 1)

    def forward(ctx, gy, w, geom, n):
        ctx.geom = geom
        return _conv_input_grad(gy, w, geom, n)

    def backward(ctx, ggx):
        gy, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        geom = ctx.geom
        d_gy = _Conv.apply((ggx, w), geom) if need[0] else None
        d_w = _ConvWeightGrad.apply((gy, ggx), geom, tuple(w.shape), None) if need[1] else None
        return d_gy, d_w

    def name(self):
        return "ConvolutionBackward0"

    @staticmethod
    def onnx(call):
        # the transposed convolution: the input gradient of the convolution with ``geom``
        geom = call.params[0]
        extra = [n_out - ((n_in - 1) * s - lo - hi + d * (k - 1) + 1)
                 for n_out, n_in, k, s, d, lo, hi in zip(
                     geom.in_size, geom.out_size, geom.kernel, geom.stride, geom.dilation,
                     geom.pad_lo, geom.pad_hi)]
        return call.g.op("ConvTranspose", *call.inputs, output_padding=extra,
                         **_onnx_attrs(geom))


class _ConvWeightGrad(Node):
    """gw = the adjoint of ``_Conv`` in its weight, for output gradient gy and input x."""

    save = (0, 1)

    def forward(ctx, gy, x, geom, w_shape, cols):
        ctx.geom = geom
        return _conv_weight_grad(gy, x, geom, w_shape, cols)

    def backward(ctx, ggw):
        gy, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        geom = ctx.geom
        d_gy = _Conv.apply((x, ggw), geom) if need[0] else None
        d_x = _ConvInputGrad.apply((gy, ggw), geom, x.shape[0]) if need[1] else None
        return d_gy, d_x

    def name(self):
        return "ConvolutionBackwardBackward0"


# --- argument handling ---------------------------------------------------------------------------

def _ntuple(value, nd, name):
    return ntuple(value, nd, lambda v: "expected %s to be a single integer value or a list of %d "
                  "values to match the convolution dimensions, but got %s=%s"
                  % (name, nd, name, list(v)))


def _shape_str(shape):
    return "[%s]" % ", ".join(str(s) for s in shape)


def _check_tensors(input, weight, bias, nd, fname):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError("Expected %dD (unbatched) or %dD (batched) input to %s, but got input "
                           "of size: %s" % (nd + 1, nd + 2, fname, _shape_str(input.shape)))
    if weight.dim() != nd + 2:
        raise RuntimeError("weight should have %d dimensions for %s, but got weight of size %s"
                           % (nd + 2, fname, _shape_str(weight.shape)))
    if input.dtype != weight.dtype:
        raise RuntimeError("expected scalar type %s but found %s"
                           % (_scalar_name(weight), _scalar_name(input)))
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError("Input type (%s) and bias type (%s) should be the same"
                           % (str(input.dtype).split(".")[-1].replace("float32", "float")
                              .replace("float64", "double"),
                              str(bias.dtype).split(".")[-1].replace("float32", "float")
                              .replace("float64", "double")))


def _scalar_name(t):
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
            "float16": "Half"}.get(str(t.dtype).split(".")[-1], str(t.dtype))


def _check_params(stride, dilation):
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero, but got %s" % list(dilation))


def _check_empty_input(input, nd):
    """torch computes an empty convolution only for an empty batch or no channels."""
    if input._data.size == 0 and input.shape[0] and input.shape[1]:
        shape = tuple(input.shape)
        raise RuntimeError("Only zero batch or zero channel inputs are supported, but got input "
                           "shape: %s" % _shape_str(shape[:2] + (1,) + shape[2:] if nd == 1
                                                    else shape))


def _convnd(input, weight, bias, stride, padding, dilation, groups, nd, fname):
    _check_tensors(input, weight, bias, nd, fname)
    batched = input.dim() == nd + 2
    if not batched:
        input = input.unsqueeze(0)
    stride = _ntuple(stride, nd, "stride")
    dilation = _ntuple(dilation, nd, "dilation")
    _check_params(stride, dilation)
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pad_lo = pad_hi = (0,) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dilation, kernel)]
            pad_lo = tuple(t // 2 for t in total)
            pad_hi = tuple(t - t // 2 for t in total)
        else:
            raise RuntimeError("Invalid padding string: '%s'" % padding)
    else:
        pad_lo = pad_hi = _ntuple(padding, nd, "padding")
        if any(p < 0 for p in pad_lo):
            raise RuntimeError("negative padding is not supported")
    groups = _int(groups)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    o = weight.shape[0]
    if o < groups:
        raise RuntimeError("Given groups=%d, expected weight to be at least %d at dimension 0, "
                           "but got weight of size %s instead"
                           % (groups, groups, _shape_str(weight.shape)))
    if o % groups:
        raise RuntimeError("Given groups=%d, expected weight to be divisible by %d at dimension "
                           "0, but got weight of size [%s] instead"
                           % (groups, groups, _shape_str(weight.shape)))
    c = input.shape[1]
    if c != weight.shape[1] * groups:
        raise RuntimeError("Given groups=%d, weight of size %s, expected input%s to have %d "
                           "channels, but got %d channels instead"
                           % (groups, _shape_str(weight.shape), _shape_str(input.shape),
                              weight.shape[1] * groups, c))
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != o):
        raise RuntimeError("Given weight of size %s, expected bias to be 1-dimensional with %d "
                           "elements, but got bias of size %s instead"
                           % (_shape_str(weight.shape), o, _shape_str(bias.shape)))
    in_size = tuple(input.shape[2:])
    padded = [n + lo + hi for n, lo, hi in zip(in_size, pad_lo, pad_hi)]
    eff = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError("Calculated padded input size per channel: (%s). Kernel size: (%s). "
                           "Kernel size can't be greater than actual input size"
                           % (" x ".join(map(str, padded)), " x ".join(map(str, eff))))
    out_size = tuple((p - e) // s + 1 for p, e, s in zip(padded, eff, stride))
    inputs = (input, weight) if bias is None else (input, weight, bias)
    _check_empty_input(input, nd)
    if c == 0:  # torch's empty path: no channels in, none out
        out = joined_zeros(inputs, (input.shape[0], 0) + out_size)
        return out if batched else out.squeeze(0)
    if input._data.size:  # torch's kernels refuse bool (an empty batch never reaches one)
        check_dtype("compute_columns3d" if nd == 3 else "slow_conv2d_cpu", input, kinds="fiu")
    geom = _Geometry(kernel, stride, dilation, pad_lo, pad_hi, groups, in_size, out_size)
    out = _Conv.apply(inputs, geom)
    return out if batched else out.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution over ``(N, C_in, L)``; ``weight`` is ``(C_out, C_in/groups, k)``.

    ``padding`` is an int, a tuple, ``'valid'`` or ``'same'``.
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Applies a 2-d convolution (cross-correlation, as torch) over an input of planes.

    Args:
        input (Tensor): ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
        weight (Tensor): the filters, ``(C_out, C_in / groups, kH, kW)``.
        bias (Tensor, optional): ``(C_out)``. Default: ``None``.
        stride (int or tuple): the step of the window. Default: 1.
        padding (int, tuple or str): implicit zeros on both sides, or ``'valid'`` / ``'same'``.
            Default: 0.
        dilation (int or tuple): the spacing between kernel elements. Default: 1.
        groups (int): split the channels into this many groups. Default: 1.

    Shape:
        - Output: ``(N, C_out, H_out, W_out)`` with
          ``H_out = (H + 2 * padding - dilation * (kH - 1) - 1) // stride + 1`` (``W`` alike).

    Example:
        >>> import ember
        >>> x = ember.ones(1, 1, 4, 4)
        >>> conv2d(x, ember.ones(1, 1, 3, 3), padding=1)[0, 0, 0]
        tensor([4., 6., 6., 4.])
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution over ``(N, C_in, D, H, W)``."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation,
                      nd, fname):
    if isinstance(padding, str):
        raise TypeError("%s(): argument 'padding' must be tuple of ints, not str" % fname)
    _check_tensors(input, weight, bias, nd, fname)
    batched = input.dim() == nd + 2
    if not batched:
        input = input.unsqueeze(0)
    stride = _ntuple(stride, nd, "stride")
    dilation = _ntuple(dilation, nd, "dilation")
    padding = _ntuple(padding, nd, "padding")
    output_padding = _ntuple(output_padding, nd, "output_padding")
    _check_params(stride, dilation)
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        names = ("depth", "height", "width")[3 - nd:] if nd > 1 else ("width",)
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got %s"
            % " ".join(["output_padding_%s: %d" % (nm, v) for nm, v in zip(names, output_padding)]
                       + ["stride_%s: %d" % (nm, v) for nm, v in zip(names, stride)]
                       + ["dilation_%s: %d" % (nm, v) for nm, v in zip(names, dilation)]))
    groups = _int(groups)
    c_in = weight.shape[0]
    if c_in < groups:
        raise RuntimeError("Given groups=%d, expected weight to be at least %d at dimension 0, "
                           "but got weight of size %s instead"
                           % (groups, groups, _shape_str(weight.shape)))
    if input.shape[1] != c_in:
        raise RuntimeError("Given transposed=1, weight of size %s, expected input%s to have %d "
                           "channels, but got %d channels instead"
                           % (_shape_str(weight.shape), _shape_str(input.shape), c_in,
                              input.shape[1]))
    if c_in % groups:
        raise RuntimeError("Given groups=%d, expected weight to be divisible by %d at dimension "
                           "0, but got weight of size [%s] instead"
                           % (groups, groups, _shape_str(weight.shape)))
    c_out = weight.shape[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != c_out):
        raise RuntimeError("Given transposed=1, weight of size %s, expected bias to be "
                           "1-dimensional with %d elements, but got bias of size %s instead"
                           % (_shape_str(weight.shape), c_out, _shape_str(bias.shape)))
    _check_empty_input(input, nd)
    if weight._data.size == 0:  # no output channels
        if input._data.size == 0:  # torch's empty path reads the weight's first element
            raise IndexError("select(): index 0 out of range for tensor of size [0] at "
                             "dimension 0")
        shape = _shape_str(tuple(weight.shape[:2]) + (1,) * (nd == 1) + tuple(weight.shape[2:]))
        raise RuntimeError("non-empty 5D (n_output_plane x n_input_plane x kernel_depth x "
                           "kernel_height x kernel_width) tensor expected for weight, but got: %s"
                           % shape if nd == 3 else
                           "non-empty 2D or 4D weight tensor expected, but got: %s" % shape)
    if input._data.size and input._data.dtype != np.int64:  # floats and int64 only
        check_dtype("slow_conv_transpose%dd_out_cpu" % max(nd, 2), input)
    kernel = tuple(weight.shape[2:])
    in_size = tuple(input.shape[2:])
    out_size = tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in
                     zip(in_size, stride, padding, dilation, kernel, output_padding))
    if any(s <= 0 for s in out_size):
        raise RuntimeError("Given input size per channel: (%s). Calculated output size per "
                           "channel: (%s). Output size is too small"
                           % (" x ".join(map(str, in_size)), " x ".join(map(str, out_size))))
    # The transposed convolution is the input gradient of the convolution mapping an
    # ``out_size`` input to ``in_size`` outputs with the same stride, padding and dilation.
    geom = _Geometry(kernel, stride, dilation, padding, padding, groups, out_size, in_size)
    out = _ConvInputGrad.apply((input, weight), geom, input.shape[0])
    if bias is not None:
        out = out + bias.reshape((c_out,) + (1,) * nd)
    return out if batched else out.squeeze(0)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed 1-d convolution; ``weight`` is ``(C_in, C_out/groups, k)``."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed 2-d convolution ("deconvolution"); ``weight`` is ``(C_in, C_out/groups, kH, kW)``.

    Output size per dim: ``(L - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding
    + 1``.
    """
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 2, "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """Transposed 3-d convolution; ``weight`` is ``(C_in, C_out/groups, kD, kH, kW)``."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 3, "conv_transpose3d")


# --- registry records -----------------------------------------------------------------------------

def _conv1d_samples(dtype):
    yield SampleInput(T(2, 3, 7), T(4, 3, 3), T(4))
    yield SampleInput(T(2, 4, 9), T(4, 2, 2), None, stride=2, padding=1, dilation=2, groups=2)
    yield SampleInput(T(3, 8), T(2, 3, 3), padding="same")
    yield SampleInput(T(1, 2, 6), T(2, 2, 4), T(2), padding="same", dilation=1)
    yield SampleInput(T(2, 2, 5, noncontig=True), T(3, 2, 1), T(3), padding="valid")


def _conv2d_samples(dtype):
    if dtype == "float32":
        yield SampleInput(T(4, 3, 10, 9), T(8, 3, 3, 3), T(8), padding=1)
    yield SampleInput(T(2, 2, 5, 5), T(3, 2, 3, 3), T(3), stride=1, padding=1)
    yield SampleInput(T(2, 1, 3, 18), T(2, 1, 3, 3), T(2), padding=1)  # wide rows: batch outside
    yield SampleInput(T(2, 1, 4, 17), T(5, 1, 2, 2), T(5))  # wide, outputs >= columns: per image
    yield SampleInput(T(1, 2, 6, 5), T(2, 1, 2, 3), T(2), stride=(2, 1), padding=(1, 0),
                      dilation=(1, 2), groups=2)
    yield SampleInput(T(1, 1, 4, 4), T(2, 1, 2, 2), padding="same")
    yield SampleInput(T(2, 4, 4), T(2, 2, 3, 3), T(2), stride=2, padding=1)
    yield SampleInput(T(1, 2, 5, 5, noncontig=True), T(2, 2, 3, 1), None, stride=(1, 2))
    yield SampleInput(T(0, 2, 5, 5), T(3, 2, 3, 3), T(3))


def _conv3d_samples(dtype):
    yield SampleInput(T(1, 2, 3, 3, 3), T(2, 2, 2, 2, 2), T(2), padding=(0, 1, 0))
    if dtype == "float32":
        yield SampleInput(T(2, 2, 5, 6, 4), T(4, 1, 3, 2, 2), T(4), stride=2, padding=1,
                          groups=2, dilation=(1, 2, 1))


def _with_no_channels(samples, nd):
    def more(dtype):  # torch's empty path: no channels in, none out (and zero gradients)
        yield from samples(dtype)
        yield SampleInput(T(1, 0, *(3,) * nd), T(2, 0, *(2,) * nd), T(2), padding=1)
    return more


def _conv_errors(nd, fn):
    def errors():
        sp = (6,) * nd
        yield ErrorInput(SampleInput(T(1, 4, *sp), T(5, 3, *(3,) * nd)), RuntimeError,
                         r"Given groups=1, weight of size \[5, 3%s\], expected input\[1, 4%s\] to "
                         r"have 3 channels, but got 4 channels instead"
                         % (", 3" * nd, ", 6" * nd))
        yield ErrorInput(SampleInput(T(3), T(5, 3, *(3,) * nd)), RuntimeError,
                         "Expected %dD \\(unbatched\\) or %dD \\(batched\\) input to %s"
                         % (nd + 1, nd + 2, fn))
        yield ErrorInput(SampleInput(T(1, 3, *(2,) * nd), T(5, 3, *(3,) * nd)), RuntimeError,
                         "Kernel size can't be greater than actual input size")
        yield ErrorInput(SampleInput(T(1, 3, *sp), T(3, 1, *(3,) * nd), groups=2), RuntimeError,
                         "expected weight to be divisible by 2 at dimension 0")
        yield ErrorInput(SampleInput(T(1, 3, *sp), T(5, 3, *(3,) * nd), stride=0), RuntimeError,
                         "non-positive stride is not supported")
        yield ErrorInput(SampleInput(T(1, 3, *sp), T(5, 3, *(3,) * nd), padding=-1),
                         RuntimeError, "negative padding is not supported")
        yield ErrorInput(SampleInput(T(1, 3, *sp), T(5, 3, *(3,) * nd), T(3)), RuntimeError,
                         "expected bias to be 1-dimensional with 5 elements")
        yield ErrorInput(SampleInput(T(1, 3, *sp), T(5, 3, *(3,) * nd), stride=2,
                                     padding="same"), RuntimeError,
                         "padding='same' is not supported for strided convolutions")
        yield ErrorInput(SampleInput(T(1, 3, *sp), T(5, 3, *(3,) * nd), padding="full"),
                         RuntimeError, "Invalid padding string")
        yield ErrorInput(SampleInput(T(1, 2, *sp[1:], 0), T(2, 2, *(2,) * nd), padding=1),
                         RuntimeError, "Only zero batch or zero channel inputs are supported")
        yield ErrorInput(SampleInput(T(1, 2, *sp, dtype="bool"), T(2, 2, *(2,) * nd,
                                                                  dtype="bool")),
                         NotImplementedError, "not implemented for 'Bool'")
        yield ErrorInput(SampleInput(T(1, 3, *sp, dtype="float64"), T(5, 3, *(3,) * nd)),
                         RuntimeError, "expected scalar type Float but found Double")
    return errors


def _conv_transpose1d_samples(dtype):
    yield SampleInput(T(2, 3, 5), T(3, 2, 3), T(2))
    yield SampleInput(T(1, 4, 4), T(4, 1, 3), T(2), stride=2, padding=1, output_padding=1,
                      groups=2, dilation=1)
    yield SampleInput(T(3, 6), T(3, 2, 2), None, stride=3, dilation=2, output_padding=1)


def _conv_transpose2d_samples(dtype):
    yield SampleInput(T(2, 3, 4, 4), T(3, 2, 3, 3), T(2), stride=2, padding=1, output_padding=1)
    yield SampleInput(T(1, 2, 3, 4), T(2, 2, 2, 3), None, stride=(1, 2), dilation=(2, 1),
                      groups=2)
    yield SampleInput(T(2, 3, 3), T(2, 1, 3, 3), T(1), padding=1)
    if dtype == "float32":
        yield SampleInput(T(4, 6, 7, 7), T(6, 4, 4, 4), T(4), stride=2, padding=1)


def _conv_transpose3d_samples(dtype):
    yield SampleInput(T(1, 2, 2, 3, 2), T(2, 1, 2, 2, 2), T(1), stride=(1, 2, 1))


def _conv_transpose_errors(nd, fn):
    def errors():
        sp = (4,) * nd
        yield ErrorInput(SampleInput(T(1, 4, *sp), T(3, 2, *(3,) * nd)), RuntimeError,
                         "Given transposed=1, weight of size .*expected input.* to have 3 "
                         "channels, but got 4 channels instead")
        yield ErrorInput(SampleInput(T(1, 3, *sp), T(3, 2, *(3,) * nd), stride=2,
                                     output_padding=2), RuntimeError,
                         "output padding must be smaller than either stride or dilation")
        yield ErrorInput(SampleInput(T(1, 3, *sp), T(3, 2, *(3,) * nd), padding="same"),
                         TypeError, "argument 'padding' must be tuple of ints, not str")
        yield ErrorInput(SampleInput(T(1, 2, *sp[1:], 0), T(2, 3, *(2,) * nd)), RuntimeError,
                         "Only zero batch or zero channel inputs are supported")
        yield ErrorInput(SampleInput(T(1, 2, *sp), T(2, 0, *(2,) * nd)), RuntimeError,
                         "non-empty .*tensor expected")
        yield ErrorInput(SampleInput(T(0, 2, *sp), T(2, 0, *(2,) * nd)), IndexError, "select")
        yield ErrorInput(SampleInput(T(1, 2, *sp, dtype="int8"), T(2, 3, *(2,) * nd,
                                                                  dtype="int8")),
                         NotImplementedError, "\"slow_conv_transpose%dd_out_cpu\" not "
                         "implemented for 'Char'" % max(nd, 2))
    return errors


for _nd, _fn, _s in ((1, conv1d, _conv1d_samples), (2, conv2d, _conv2d_samples),
                     (3, conv3d, _conv3d_samples)):
    register(OpInfo(_fn.__name__, _fn, _with_no_channels(_s, _nd),
                    _conv_errors(_nd, _fn.__name__),
                    torch_name="nn.functional." + _fn.__name__, atol=1e-4, rtol=1e-4))
for _nd, _fn, _s in ((1, conv_transpose1d, _conv_transpose1d_samples),
                     (2, conv_transpose2d, _conv_transpose2d_samples),
                     (3, conv_transpose3d, _conv_transpose3d_samples)):
    register(OpInfo(_fn.__name__, _fn, _s, _conv_transpose_errors(_nd, _fn.__name__),
                    torch_name="nn.functional." + _fn.__name__, atol=1e-4, rtol=1e-4))
del _nd, _fn, _s
