"""Sliding blocks: ``unfold`` (im2col) and ``fold`` (col2im)."""
from ember._backend import array_module, np
from ember.autograd.function import Node
from ember.ops._util import check_dtype
from ember.ops.nn.upsampling import _int
from ember.ops.registry import ErrorInput, SampleInput, T, register_nn


class _Blocks:
    """Sliding-block geometry: kernel, dilation, padding, stride, image size, block grid."""

    __slots__ = ("kernel", "dilation", "padding", "stride", "size", "blocks")

    def __init__(self, kernel, dilation, padding, stride, size, blocks):
        self.kernel, self.dilation, self.padding = kernel, dilation, padding
        self.stride, self.size, self.blocks = stride, size, blocks

    def slices(self):
        """For each kernel offset (row-major), the slices of the padded image it reads."""
        (kh, kw), (dh, dw), (sh, sw), (oh, ow) = self.kernel, self.dilation, self.stride, \
            self.blocks
        for i in range(kh):
            for j in range(kw):
                yield (slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
                       slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))

    def padded(self):
        return tuple(s + 2 * p for s, p in zip(self.size, self.padding))

    def interior(self):
        return tuple(slice(p, p + s) for p, s in zip(self.padding, self.size))


_ALL2 = (slice(None), slice(None))


class _Unfold(Node):
    """``(N, C, H, W)`` -> ``(N, C*kh*kw, L)``: one strided slice copy per kernel offset."""

    def forward(ctx, x, geom):
        ctx.geom = geom
        n, c = x.shape[:2]
        if any(geom.padding):
            xp = array_module(x).zeros((n, c) + geom.padded(), dtype=x.dtype)
            xp[_ALL2 + geom.interior()] = x
        else:
            xp = x
        k = geom.kernel[0] * geom.kernel[1]
        cols = array_module(x).empty((n, c, k) + geom.blocks, dtype=x.dtype)
        for i, sl in enumerate(geom.slices()):
            cols[:, :, i] = xp[_ALL2 + sl]
        return cols.reshape(n, c * k, geom.blocks[0] * geom.blocks[1])

    def backward(ctx, g):
        return _Fold.apply((g,), ctx.geom)

    def name(self):
        return "Im2ColBackward0"

    @staticmethod
    def onnx(call):
        # one strided Slice per kernel offset, stacked on a new axis: (N, C, k, oh, ow)
        g, geom, x = call.g, call.params[0], call.inputs[0]
        ph, pw = geom.padding
        if ph or pw:
            x = g.op("Pad", x, g.ints([0, 0, ph, pw, 0, 0, ph, pw]), call.scalar(0),
                     mode="constant")
        parts = [g.unsqueeze(g.slice(x, [h.start, w.start], [h.stop, w.stop], [2, 3],
                                     [h.step, w.step]), [2]) for h, w in geom.slices()]
        cols = parts[0] if len(parts) == 1 else g.op("Concat", *parts, axis=2)
        return g.op("Reshape", cols, g.ints([0, call.outs[0].shape[1], -1]))


class _Fold(Node):
    """``(N, C*kh*kw, L)`` -> ``(N, C, H, W)``: adds each kernel offset's slice back."""

    def forward(ctx, cols, geom):
        ctx.geom = geom
        n = cols.shape[0]
        k = geom.kernel[0] * geom.kernel[1]
        c = cols.shape[1] // k
        cols = cols.reshape((n, c, k) + geom.blocks)
        xp = array_module(cols).zeros((n, c) + geom.padded(), dtype=cols.dtype)
        for i, sl in enumerate(geom.slices()):
            xp[_ALL2 + sl] += cols[:, :, i]
        if any(geom.padding):
            xp = array_module(xp).ascontiguousarray(xp[_ALL2 + geom.interior()])
        return xp

    def backward(ctx, g):
        return _Unfold.apply((g,), ctx.geom)

    def name(self):
        return "Col2ImBackward0"


def _block_params(kernel_size, dilation, padding, stride):
    kernel = _pair(kernel_size, "kernel_size")
    dilation = _pair(dilation, "dilation")
    padding = _pair(padding, "padding")
    stride = _pair(stride, "stride")
    if min(kernel) <= 0:
        raise RuntimeError("kernel size should be greater than zero, but got kernel_height: %d "
                           "kernel_width: %d" % kernel)
    if min(stride) <= 0:
        raise RuntimeError("stride should be greater than zero, but got stride_height: %d "
                           "stride_width: %d" % stride)
    if min(dilation) <= 0:
        raise RuntimeError("dilation should be greater than zero, but got dilation_height: %d "
                           "dilation_width: %d" % dilation)
    if min(padding) < 0:
        raise RuntimeError("padding should be non-negative, but got pad_height: %d pad_width: %d"
                           % padding)
    return kernel, dilation, padding, stride


def _block_grid(size, kernel, dilation, padding, stride):
    blocks = tuple((s + 2 * p - (d * (k - 1) + 1)) // st + 1
                   for s, k, d, p, st in zip(size, kernel, dilation, padding, stride))
    if min(blocks) < 1:
        raise RuntimeError(
            "Given input with spatial size (%d, %d), kernel_size=(%d, %d), dilation=(%d, %d), "
            "padding=(%d, %d), calculated shape of the array of sliding blocks as (%d, %d), but "
            "its components must be at least one." % (size + kernel + dilation + padding + blocks))
    return blocks


def _check_non_zero(input, batched, expected):
    """Only the batch dimension may be empty (torch checks it after the block parameters)."""
    if 0 in input.shape[1 if batched else 0:]:
        raise RuntimeError("Expected %s, but got: %s" % (expected, list(input.shape)))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks (im2col): ``(N, C, H, W)`` -> ``(N, C*prod(kernel), L)``,
    ``L`` the number of blocks; a 3-d input is one unbatched image.

    Example:
        >>> import ember
        >>> unfold(ember.arange(16.).reshape(1, 1, 4, 4), 2, stride=2)[0, :, 0]
        tensor([0., 1., 4., 5.])
    """
    if input.dim() < 3:
        # torch reads the size of dim 2 before checking the rank
        raise IndexError("Dimension out of range (expected to be in range of [%d, %d], but got "
                         "2)" % (-max(input.dim(), 1), max(input.dim(), 1) - 1))
    if input.dim() != 3 and input.dim() != 4:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and "
                           "other non-zero dimensions for input, but got: %s" % list(input.shape))
    kernel, dilation, padding, stride = _block_params(kernel_size, dilation, padding, stride)
    check_dtype("im2col_out_cpu", input, kinds="fb")  # torch's kernel: floats and bool
    batched = input.dim() == 4
    _check_non_zero(input, batched, "3D or 4D (batch mode) tensor with possibly 0 batch size and "
                    "other non-zero dimensions for input")
    x = input if batched else input.unsqueeze(0)
    size = tuple(x.shape[2:])
    blocks = _block_grid(size, kernel, dilation, padding, stride)
    out = _Unfold.apply((x,), _Blocks(kernel, dilation, padding, stride, size, blocks))
    return out if batched else out.squeeze(0)


def _unfold_samples(dtype):
    yield SampleInput(T(2, 3, 4, 5), 2)
    yield SampleInput(T(1, 2, 5, 6), (2, 3), dilation=(2, 1), padding=1, stride=(1, 2))
    yield SampleInput(T(2, 5, 5, noncontig=True), 3, padding=(1, 0), stride=2)
    yield SampleInput(T(0, 2, 4, 5), 2, name="empty batch")


def _unfold_errors():
    yield ErrorInput(SampleInput(T(4, 5), 2), IndexError, "Dimension out of range")
    yield ErrorInput(SampleInput(T(1, 1, 2, 4, 5), 2), RuntimeError, "Expected 3D or 4D")
    yield ErrorInput(SampleInput(T(1, 2, 4, 5), 6), RuntimeError,
                     "calculated shape of the array of sliding blocks")
    yield ErrorInput(SampleInput(T(1, 2, 4, 5), 2, stride=0), RuntimeError,
                     "stride should be greater than zero")
    yield ErrorInput(SampleInput(T(1, 2, 4, 5), 2, padding=-1), RuntimeError,
                     "padding should be non-negative")
    yield ErrorInput(SampleInput(T(1, 2, 4, 5), (2, 2, 2)), RuntimeError,
                     "It is expected kernel_size equals to 2")
    for shape in ((2, 0, 4, 5), (0, 4, 5), (2, 3, 0, 5)):  # only a batch may be empty
        yield ErrorInput(SampleInput(T(*shape), 6), RuntimeError, "other non-zero dimensions")
    yield ErrorInput(SampleInput(T(0, 2, 4, 5, dtype="int8"), 2), NotImplementedError,
                     "\"im2col_out_cpu\" not implemented for 'Char'")


register_nn("unfold", unfold, _unfold_samples, _unfold_errors)


def _pair(value, name):
    if isinstance(value, (_int, np.integer)):
        return (_int(value),) * 2
    value = tuple(_int(v) for v in value)
    if len(value) != 2:
        raise RuntimeError("It is expected %s equals to 2, but got size %d" % (name, len(value)))
    return value


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding local blocks into an image (col2im, summing overlaps): the adjoint of
    ``unfold``. ``(N, C*prod(kernel), L)`` -> ``(N, C, *output_size)``.

    Example:
        >>> import ember
        >>> fold(ember.ones(1, 4, 4), (3, 3), 2)[0, 0]
        tensor([[1., 2., 1.],
                [2., 4., 2.],
                [1., 2., 1.]])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch "
                           "size and non-zero dimensions for input, but got: %s"
                           % list(input.shape))
    size = _pair(output_size, "output_size")
    kernel, dilation, padding, stride = _block_params(kernel_size, dilation, padding, stride)
    check_dtype("col2im_out_cpu", input, kinds="fb")  # torch's kernel: floats and bool
    batched = input.dim() == 3
    _check_non_zero(input, batched, "2D or 3D (batch mode) tensor for input with possibly 0 "
                    "batch size and non-zero dimensions for input")
    x = input if batched else input.unsqueeze(0)
    k = kernel[0] * kernel[1]
    if x.shape[1] % k:
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product "
                           "of kernel_size, but got input.size(1)=%d and kernel_size=(%d, %d)."
                           % ((x.shape[1],) + kernel))
    blocks = _block_grid(size, kernel, dilation, padding, stride)
    if x.shape[2] != blocks[0] * blocks[1]:
        raise RuntimeError(
            "Given output_size=(%d, %d), kernel_size=(%d, %d), dilation=(%d, %d), padding=(%d, "
            "%d), stride=(%d, %d), expected size of input's dimension 2 to match the calculated "
            "number of sliding blocks %d * %d = %d, but got input.size(2)=%d."
            % (size + kernel + dilation + padding + stride + blocks
               + (blocks[0] * blocks[1], x.shape[2])))
    out = _Fold.apply((x,), _Blocks(kernel, dilation, padding, stride, size, blocks))
    return out if batched else out.squeeze(0)


def _fold_samples(dtype):
    yield SampleInput(T(2, 12, 12), (4, 5), 2)
    yield SampleInput(T(1, 12, 15), (5, 6), (2, 3), dilation=(2, 1), padding=1, stride=(1, 2))
    yield SampleInput(T(18, 4, noncontig=True), (4, 5), 3, padding=(1, 0), stride=2)
    # small enough for gradcheck
    yield SampleInput(T(1, 4, 4), (3, 3), 2)
    yield SampleInput(T(8, 6), (3, 4), 2, dilation=(1, 1), stride=1)
    yield SampleInput(T(0, 8, 12), (4, 5), 2, name="empty batch")


def _fold_errors():
    yield ErrorInput(SampleInput(T(2, 13, 12), (4, 5), 2), RuntimeError,
                     "to be divisible by the product of kernel_size")
    yield ErrorInput(SampleInput(T(2, 12, 11), (4, 5), 2), RuntimeError,
                     "calculated number of sliding blocks 3 \\* 4 = 12, but got "
                     "input.size\\(2\\)=11")
    yield ErrorInput(SampleInput(T(12), (4, 5), 2), RuntimeError, "Expected 2D or 3D")
    for shape in ((2, 0, 12), (0, 12), (2, 8, 0)):  # only a batch may be empty
        yield ErrorInput(SampleInput(T(*shape), (4, 5), 2), RuntimeError, "non-zero dimensions")
    yield ErrorInput(SampleInput(T(0, 8, 12, dtype="int64"), (4, 5), 2), NotImplementedError,
                     "\"col2im_out_cpu\" not implemented for 'Long'")


register_nn("fold", fold, _fold_samples, _fold_errors)
