"""CTC loss, sliding blocks (unfold / fold), spatial transformers (affine_grid / grid_sample)
and gumbel_softmax, as in ``torch.nn.functional``.

CTC runs the alpha-beta recursion in log space, vectorised over the batch and the extended
label sequence (loop over time only); its gradient comes from the same pass, in one fused node.
``unfold`` (im2col) and ``fold`` (col2im) are each the other's adjoint, so each one's backward
is the other op and every order of derivative comes free. ``grid_sample`` is one fused node
whose backward returns the gradients for the input and the grid.
"""
import builtins
import warnings

from ember._backend import np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register

_int = builtins.int


# --- CTC loss ----------------------------------------------------------------------------------

def _logsumexp3(a, b, c):
    m = np.maximum(np.maximum(a, b), c)
    safe = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        return np.log(np.exp(a - safe) + np.exp(b - safe) + np.exp(c - safe)) + safe


def _shift(a, k, fill):
    """``a`` moved ``k`` places along its last axis (right for k > 0), ``fill`` coming in."""
    out = np.full_like(a, fill)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


class _CtcLoss(Node):
    """Per-sample negative log-likelihood ``(N,)`` of padded targets under ``log_probs``
    ``(T, N, C)``. The gradient is torch's: ``exp(lp) - exp(log(sum_s alpha*beta) + nll - lp)``
    at each class, which is the true gradient once ``lp`` comes out of a log_softmax."""

    def forward(ctx, lp, targets, in_len, tgt_len, blank, zero_infinity):
        t_max, n = lp.shape[:2]
        s_max = targets.shape[1]
        width = 2 * s_max + 1
        pos = np.arange(width)
        valid = pos[None, :] < 2 * tgt_len[:, None] + 1
        ext = np.full((n, width), blank, dtype=np.int64)
        ext[:, 1::2] = targets
        ext = np.where(valid, ext, blank)
        prev2 = _shift(ext, 2, -1)
        skip = (ext != blank) & (ext != prev2) & (pos >= 2)
        lpe = lp[:, np.arange(n)[:, None], ext]
        lpe[:, ~valid] = -np.inf
        neg = lp.dtype.type(-np.inf)

        alpha = np.full((t_max, n, width), neg, dtype=lp.dtype)
        alpha[0, :, :2] = lpe[0, :, :2]
        for t in range(1, t_max):
            a = alpha[t - 1]
            a2 = np.where(skip, _shift(a, 2, neg), neg)
            alpha[t] = _logsumexp3(a, _shift(a, 1, neg), a2) + lpe[t]
        rows = np.arange(n)
        last = np.maximum(in_len - 1, 0)
        end = alpha[last, rows, 2 * tgt_len]
        before = np.where(tgt_len > 0, alpha[last, rows, np.maximum(2 * tgt_len - 1, 0)], neg)
        nll = -np.logaddexp(end, before)
        ctx.args = (lp, ext, skip, lpe, alpha, nll, in_len, tgt_len, zero_infinity)
        if zero_infinity:
            nll = np.where(np.isinf(nll), 0, nll).astype(lp.dtype)
        return nll

    def backward(ctx, g):
        lp, ext, skip, lpe, alpha, nll, in_len, tgt_len, zero_infinity = ctx.args
        t_max, n, c = lp.shape
        width = ext.shape[1]
        neg = lp.dtype.type(-np.inf)
        rows = np.arange(n)
        skip_next = _shift(skip, -2, False)
        beta = np.full_like(alpha, neg)
        for t in range(t_max - 1, -1, -1):
            if t + 1 < t_max:
                b = beta[t + 1]
                b2 = np.where(skip_next, _shift(b, -2, neg), neg)
                beta[t] = _logsumexp3(b, _shift(b, -1, neg), b2) + lpe[t]
            start = np.nonzero(in_len - 1 == t)[0]
            if start.size:
                init = np.full((start.size, width), neg, dtype=lp.dtype)
                s_end = 2 * tgt_len[start]
                init[np.arange(start.size), s_end] = lpe[t, start, s_end]
                has = tgt_len[start] > 0
                init[np.arange(start.size)[has], s_end[has] - 1] = lpe[t, start[has],
                                                                     s_end[has] - 1]
                beta[t, start] = init
        ab = alpha + beta
        m = ab.max(axis=2, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        onehot = np.zeros((n, width, c), dtype=lp.dtype)
        onehot[rows[:, None], np.arange(width)[None, :], ext] = 1
        sums = np.matmul(np.exp(ab - m).transpose(1, 0, 2), onehot).transpose(1, 0, 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            grad = np.exp(lp) - np.exp(np.log(sums) + m + nll[None, :, None] - lp)
        active = np.arange(t_max)[:, None] < in_len[None, :]
        scale = g._data[None, :] * active
        if zero_infinity:
            scale = np.where(np.isinf(nll)[None, :], 0, scale)
        grad = np.where(scale[..., None] != 0, grad * scale[..., None], 0).astype(lp.dtype)
        return _make(grad), None

    def name(self):
        return "CtcLossBackward0"


def _lengths(value, what):
    if isinstance(value, Tensor):
        return value._data.reshape(-1).astype(np.int64)
    return np.asarray([_int(v) for v in value], dtype=np.int64)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The Connectionist Temporal Classification loss.

    Args:
        log_probs: ``(T, N, C)`` or unbatched ``(T, C)`` log-probabilities (log_softmax output).
        targets: ``(N, S)`` padded, or all targets concatenated in one 1-d tensor.
        input_lengths, target_lengths: ``(N)`` tensors or tuples of ints (both the same kind).
        blank: the blank label. reduction: ``'none'`` | ``'mean'`` (each loss divided by its
            target length, then averaged) | ``'sum'``.
        zero_infinity: zero infinite losses (impossible alignments) and their gradients.

    Example:
        >>> import ember
        >>> lp = ember.zeros(4, 1, 3).log_softmax(2)
        >>> loss = ctc_loss(lp, ember.tensor([[1, 2]]), (4,), (2,), reduction="sum")
        >>> round(loss.item(), 4)
        1.6864
    """
    from ember.ops.loss import _check_reduction

    _check_reduction(reduction)
    if isinstance(input_lengths, Tensor) != isinstance(target_lengths, Tensor) or not all(
            isinstance(v, (Tensor, tuple, list)) for v in (input_lengths, target_lengths)):
        raise TypeError("ctc_loss() received an invalid combination of arguments: "
                        "input_lengths and target_lengths must both be Tensors or both be "
                        "tuples of ints")
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    t_max, n, c = lp.shape
    in_len = _lengths(input_lengths, "input_lengths")
    tgt_len = _lengths(target_lengths, "target_lengths")
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    if in_len.size != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tgt_len.size != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    tg = targets._data.astype(np.int64)
    if not batched and tg.ndim == 1:
        tg = tg[None]
    if tg.ndim == 1:
        offsets = np.concatenate([[0], np.cumsum(tgt_len)])
        padded = np.zeros((n, max(_int(tgt_len.max(initial=0)), 1)), dtype=np.int64)
        for i in range(n):
            padded[i, :tgt_len[i]] = tg[offsets[i]:offsets[i + 1]]
        tg = padded
    else:
        longest = _int(tgt_len.max(initial=0))
        if tg.shape[1] < longest:
            raise RuntimeError("Expected tensor to have size at least %d at dimension 1, but got "
                               "size %d for argument #2 'targets' (while checking arguments for "
                               "ctc_loss_allocate_outputs)" % (longest, tg.shape[1]))
    if in_len.size and in_len.max() > t_max:
        raise RuntimeError("Expected input_lengths to have value at most %d, but got value %d "
                           "(while checking arguments for ctc_loss_allocate_outputs)"
                           % (t_max, in_len.max()))
    tg = np.where(np.arange(tg.shape[1])[None, :] < tgt_len[:, None], tg, blank)
    loss = _CtcLoss.apply((lp,), tg, in_len, tgt_len, blank, bool(zero_infinity))
    if not batched:
        loss = loss.squeeze(0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        div = np.maximum(tgt_len, 1).astype(lp._data.dtype)
        return (loss / _make(div if batched else div[0])).mean()
    return loss


# --- unfold / fold -------------------------------------------------------------------------------

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
            xp = np.zeros((n, c) + geom.padded(), dtype=x.dtype)
            xp[_ALL2 + geom.interior()] = x
        else:
            xp = x
        k = geom.kernel[0] * geom.kernel[1]
        cols = np.empty((n, c, k) + geom.blocks, dtype=x.dtype)
        for i, sl in enumerate(geom.slices()):
            cols[:, :, i] = xp[_ALL2 + sl]
        return cols.reshape(n, c * k, geom.blocks[0] * geom.blocks[1])

    def backward(ctx, g):
        return _Fold.apply((g,), ctx.geom)

    def name(self):
        return "Im2ColBackward0"


class _Fold(Node):
    """``(N, C*kh*kw, L)`` -> ``(N, C, H, W)``: adds each kernel offset's slice back."""

    def forward(ctx, cols, geom):
        ctx.geom = geom
        n = cols.shape[0]
        k = geom.kernel[0] * geom.kernel[1]
        c = cols.shape[1] // k
        cols = cols.reshape((n, c, k) + geom.blocks)
        xp = np.zeros((n, c) + geom.padded(), dtype=cols.dtype)
        for i, sl in enumerate(geom.slices()):
            xp[_ALL2 + sl] += cols[:, :, i]
        if any(geom.padding):
            xp = np.ascontiguousarray(xp[_ALL2 + geom.interior()])
        return xp

    def backward(ctx, g):
        return _Unfold.apply((g,), ctx.geom)

    def name(self):
        return "Col2ImBackward0"


def _pair(value, name):
    if isinstance(value, (_int, np.integer)):
        return (_int(value),) * 2
    value = tuple(_int(v) for v in value)
    if len(value) != 2:
        raise RuntimeError("It is expected %s equals to 2, but got size %d" % (name, len(value)))
    return value


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
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    size = tuple(x.shape[2:])
    blocks = _block_grid(size, kernel, dilation, padding, stride)
    out = _Unfold.apply((x,), _Blocks(kernel, dilation, padding, stride, size, blocks))
    return out if batched else out.squeeze(0)


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
    batched = input.dim() == 3
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


# --- affine_grid / grid_sample -----------------------------------------------------------------

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False "
                  "since 1.3.0. Please specify align_corners=True if the old behavior is desired. "
                  "See the documentation of grid_sample for details.")


def _base_coords(steps, align_corners, dtype):
    """Normalised pixel coordinates in [-1, 1] along one axis (pixel centres unless aligned)."""
    if steps <= 1:
        return np.zeros(max(steps, 0), dtype=dtype)
    coords = np.linspace(-1, 1, steps, dtype=dtype)
    return coords if align_corners else coords * dtype.type((steps - 1) / steps)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid ``(N, H, W, 2)`` (or ``(N, D, H, W, 3)``) of the affine maps ``theta``
    ``(N, 2, 3)`` (or ``(N, 3, 4)``) for an output of ``size``; grid values are (x, y[, z])
    in [-1, 1]. Differentiable in ``theta``.

    Example:
        >>> import ember
        >>> theta = ember.tensor([[[1., 0., 0.], [0., 1., 0.]]])
        >>> affine_grid(theta, (1, 1, 2, 2), align_corners=True)[0, 0]
        tensor([[-1., -1.],
                [ 1., -1.]])
    """
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError("Expected theta to have floating point type, but got %s" % theta.dtype)
    size = tuple(_int(s) for s in size)
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[1:]) != (2, 3):
            raise ValueError("Expected a batch of 2D affine matrices of shape Nx2x3 for size %s. "
                             "Got %s." % (size, theta.shape))
        spatial = size[2:]
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[1:]) != (3, 4):
            raise ValueError("Expected a batch of 3D affine matrices of shape Nx3x4 for size %s. "
                             "Got %s." % (size, theta.shape))
        spatial = size[2:]
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  "affine transforms, respectively. Got size %s." % (size,))
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids "
                      "when align_corners=True. This is not an intended use case of affine_grid. "
                      "See the documentation of affine_grid for details.", stacklevel=2)
    if min(size) <= 0:
        raise ValueError("Expected non-zero, positive output size. Got %s" % (size,))
    if theta.shape[0] != size[0]:
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           "[%d, %d] but got: [%d, %d]." % (size[0], len(spatial) + 1,
                                                            theta.shape[0], len(spatial) + 1))
    dtype = theta._data.dtype
    axes = [_base_coords(s, align_corners, dtype) for s in reversed(spatial)]  # x, y[, z]
    mesh = list(np.meshgrid(*axes[::-1], indexing="ij")[::-1])
    base = np.stack(mesh + [np.ones(spatial, dtype=dtype)], axis=-1)
    base = _make(base.reshape(1, -1, len(spatial) + 1))
    grid = base.matmul(theta.transpose(1, 2))
    return grid.reshape((size[0],) + spatial + (len(spatial),))


def _source_coords(g, size, padding_mode, align_corners):
    """Pixel coordinates for normalised grid values ``g`` along an axis of ``size`` pixels,
    after padding; and d(coordinate)/d(g), 0 where a clip or a degenerate reflection holds."""
    dt = g.dtype.type
    scale = dt((size - 1) / 2) if align_corners else dt(size / 2)
    x = (g + dt(1)) * scale
    if not align_corners:
        x = x - dt(0.5)
    d = np.full_like(x, scale)
    if padding_mode == "reflection":
        low, high = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        if low == high:
            return np.zeros_like(x), np.zeros_like(x)
        lo, span = dt(low / 2), dt((high - low) / 2)
        y = x - lo
        sign = np.where(y < 0, dt(-1), dt(1))
        y = np.abs(y)
        extra = np.fmod(y, span)
        odd = np.floor(y / span) % 2 == 1
        x = np.where(odd, span - extra + lo, extra + lo)
        d = d * sign * np.where(odd, dt(-1), dt(1))
    if padding_mode in ("border", "reflection"):
        inside = (x > 0) & (x < size - 1)
        x = np.clip(x, 0, size - 1)
        d = d * inside
    return x, d


class _GridSample(Node):
    """Sample ``x`` ``(N, C, H, W)`` at ``grid`` ``(N, Ho, Wo, 2)``; bilinear or nearest."""

    save = (0,)

    def forward(ctx, x, grid, mode, padding_mode, align_corners):
        n, c, h, w = x.shape
        ho, wo = grid.shape[1:3]
        ix, dx = _source_coords(grid[..., 0].reshape(n, -1), w, padding_mode, align_corners)
        iy, dy = _source_coords(grid[..., 1].reshape(n, -1), h, padding_mode, align_corners)
        if mode == "nearest":
            xs, ys = np.rint(ix), np.rint(iy)
            corners = [(xs, ys, np.ones_like(ix))]
        else:
            x0, y0 = np.floor(ix), np.floor(iy)
            x1, y1 = x0 + 1, y0 + 1
            wx0, wx1, wy0, wy1 = x1 - ix, ix - x0, y1 - iy, iy - y0
            corners = [(x0, y0, wx0 * wy0), (x1, y0, wx1 * wy0), (x0, y1, wx0 * wy1),
                       (x1, y1, wx1 * wy1)]
            ctx.interp = (wx0, wx1, wy0, wy1, dx, dy)
        # Each corner: its flat row in the (N*H*W, C) channel-last image, whether it lies
        # inside the image (outside ones read zeros), and its weight.
        base = (np.arange(n) * (h * w))[:, None]
        taps = []
        for cx, cy, wt in corners:
            inside = ((cx >= 0) & (cx <= w - 1) & (cy >= 0) & (cy <= h - 1)).reshape(-1, 1)
            flat = base + np.clip(cy, 0, h - 1).astype(np.int64) * w + \
                np.clip(cx, 0, w - 1).astype(np.int64)
            taps.append((flat.reshape(-1), inside, wt.reshape(-1, 1) * inside))
        xt = x.transpose(0, 2, 3, 1).reshape(-1, c)
        out = sum(xt[flat] * wt for flat, _, wt in taps)
        ctx.taps, ctx.mode, ctx.shapes = taps, mode, (x.shape, grid.shape)
        return np.ascontiguousarray(out.reshape(n, ho, wo, c).transpose(0, 3, 1, 2))

    def backward(ctx, g):
        (n, c, h, w), gshape = ctx.shapes
        need = ctx.needs_input_grad
        gt = g._data.transpose(0, 2, 3, 1).reshape(-1, c)
        gx = ggrid = None
        if need[0]:
            acc = np.zeros((n * h * w, c), dtype=gt.dtype)
            for flat, _, wt in ctx.taps:
                np.add.at(acc, flat, gt * wt)
            gx = _make(np.ascontiguousarray(acc.reshape(n, h, w, c).transpose(0, 3, 1, 2)))
        if need[1]:
            ggrid = np.zeros(gshape, dtype=gt.dtype)
            if ctx.mode != "nearest":
                x = ctx.saved_tensors[0]._data
                xt = x.transpose(0, 2, 3, 1).reshape(-1, c)
                wx0, wx1, wy0, wy1, dx, dy = (a.reshape(-1) for a in ctx.interp)
                # each corner's value (zero outside) against the upstream gradient, over channels
                v00, v10, v01, v11 = ((xt[flat] * gt).sum(axis=1) * inside[:, 0]
                                      for flat, inside, _ in ctx.taps)
                gix = (v10 - v00) * wy0 + (v11 - v01) * wy1
                giy = (v01 - v00) * wx0 + (v11 - v10) * wx1
                ggrid[..., 0] = (gix * dx).reshape(gshape[:3])
                ggrid[..., 1] = (giy * dy).reshape(gshape[:3])
            ggrid = _make(ggrid)
        return gx, ggrid

    def name(self):
        return "GridSampler2DBackward0"


_SAMPLE_MODES = ("bilinear", "nearest")
_PADDING_MODES = ("zeros", "border", "reflection")


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` ``(N, C, H, W)`` at the normalised locations ``grid`` ``(N, Ho, Wo, 2)``
    (x, y in [-1, 1]); out-of-range locations follow ``padding_mode`` (``'zeros'``,
    ``'border'``, ``'reflection'``). Modes ``'bilinear'`` (differentiable in both) and
    ``'nearest'`` (zero gradient for the grid).

    Example:
        >>> import ember
        >>> x = ember.arange(4.).reshape(1, 1, 2, 2)
        >>> grid_sample(x, ember.zeros(1, 1, 1, 2), align_corners=True)
        tensor([[[[1.5000]]]])
    """
    if mode not in _SAMPLE_MODES + ("bicubic",):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' "
                         "or 'bicubic', but got: '%s'" % mode)
    if padding_mode not in _PADDING_MODES:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         "'border', or 'reflection', but got: '%s'" % padding_mode)
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if input.dim() != grid.dim() or input.shape[0] != grid.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but "
                           "got input with sizes %s and grid with sizes %s"
                           % (list(input.shape), list(grid.shape)))
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError("grid_sampler(): expected grid to have size %d in last dimension, but "
                           "got grid with sizes %s" % (input.dim() - 2, list(grid.shape)))
    if input.dim() != 4:
        raise NotImplementedError("grid_sample: only 4-D input (2-d sampling) is implemented")
    if mode == "bicubic":
        raise NotImplementedError("grid_sample: mode 'bicubic' is not implemented")
    if input.dtype != grid.dtype:
        from ember.ops.conv import _scalar_name

        raise RuntimeError("expected scalar type %s but found %s"
                           % (_scalar_name(input), _scalar_name(grid)))
    return _GridSample.apply((input, grid), mode, padding_mode, bool(align_corners))


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """Softmax of ``(logits + Gumbel noise) / tau``; with ``hard`` the one-hot of its argmax in
    the forward and the soft sample's gradient in the backward (straight-through).

    Example:
        >>> import ember
        >>> y = gumbel_softmax(ember.zeros(2, 5), hard=True)
        >>> y.sum(1).tolist()
        [1.0, 1.0]
    """
    from ember import random

    noise = np.asarray(random._rng(None).exponential(size=tuple(logits.shape)),
                       dtype=logits._data.dtype)
    gumbels = (logits - _make(np.log(noise))) / tau
    y_soft = gumbels.softmax(dim)
    if not hard:
        return y_soft
    index = y_soft._data.argmax(axis=dim)
    one_hot = np.zeros_like(y_soft._data)
    np.put_along_axis(one_hot, np.expand_dims(index, dim), 1, axis=dim)
    return _make(one_hot) - y_soft.detach() + y_soft


# --- registry records ----------------------------------------------------------------------------

def _nn(name, func, samples, errors=None, **kw):
    register(OpInfo("nn.functional." + name, func, samples, errors,
                    torch_name="nn.functional." + name, **kw))


def _ctc_on_logits(logits, *args, **kwargs):
    """ctc_loss of ``log_softmax(logits)``: torch's CTC gradient is the true one only there."""
    return ctc_loss(logits.log_softmax(-1), *args, **kwargs)


def _ctc_ref(torch, logits, *args, **kwargs):
    return torch.nn.functional.ctc_loss(logits.log_softmax(-1), *args, **kwargs)


def _ints(*shape, low, high, values=None):
    return T(*shape, low=low, high=high, dtype="int64", grad=False, values=values)


def _ctc_samples(dtype):
    # (T, N, C) = (5, 3, 4); padded targets, lengths as tensors or tuples, every reduction
    il, tl = _ints(3, low=0, high=1, values=[5, 4, 3]), _ints(3, low=0, high=1, values=[2, 3, 0])
    tg = _ints(3, 3, low=1, high=4, values=[[1, 2, 0], [3, 3, 1], [0, 0, 0]])
    yield SampleInput(T(5, 3, 4), tg, il, tl)
    yield SampleInput(T(5, 3, 4), tg, il, tl, reduction="none")
    yield SampleInput(T(5, 3, 4), tg, (5, 4, 3), (2, 3, 0), reduction="sum")
    # concatenated targets, another blank
    yield SampleInput(T(4, 2, 3), _ints(3, low=0, high=2, values=[0, 1, 0]),
                      _ints(2, low=0, high=1, values=[4, 4]), _ints(2, low=0, high=1,
                                                                   values=[2, 1]), blank=2)
    # impossible alignment (target longer than the input) zeroed by zero_infinity
    yield SampleInput(T(3, 2, 4), _ints(2, 3, low=1, high=4, values=[[1, 1, 1], [2, 3, 1]]),
                      (3, 3), (3, 2), reduction="none", zero_infinity=True)
    # unbatched
    yield SampleInput(T(6, 4), _ints(3, low=1, high=4, values=[1, 3, 3]),
                      _ints(low=0, high=1, values=6), _ints(low=0, high=1, values=3))


def _ctc_errors():
    lp = T(5, 2, 4)
    tg = _ints(2, 3, low=1, high=4, values=[[1, 2, 3], [1, 1, 1]])
    yield ErrorInput(SampleInput(lp, tg, (6, 5), (2, 2)), RuntimeError,
                     "Expected input_lengths to have value at most 5, but got value 6")
    yield ErrorInput(SampleInput(lp, tg, (5, 5), (4, 2)), RuntimeError,
                     "Expected tensor to have size at least 4 at dimension 1, but got size 3")
    yield ErrorInput(SampleInput(lp, tg, (5, 5, 5), (2, 2, 2)), RuntimeError,
                     "input_lengths must be of size batch_size")
    yield ErrorInput(SampleInput(lp, tg, (5, 5), (2, 2), blank=4), RuntimeError,
                     "blank must be in label range")
    yield ErrorInput(SampleInput(lp, tg, 5, 2), TypeError, "ctc_loss")


_nn("ctc_loss", _ctc_on_logits, _ctc_samples, _ctc_errors, ref=_ctc_ref, gradgrad=False,
    atol=1e-5, rtol=1e-5)


def _unfold_samples(dtype):
    yield SampleInput(T(2, 3, 4, 5), 2)
    yield SampleInput(T(1, 2, 5, 6), (2, 3), dilation=(2, 1), padding=1, stride=(1, 2))
    yield SampleInput(T(2, 5, 5, noncontig=True), 3, padding=(1, 0), stride=2)


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


def _fold_samples(dtype):
    yield SampleInput(T(2, 12, 12), (4, 5), 2)
    yield SampleInput(T(1, 12, 15), (5, 6), (2, 3), dilation=(2, 1), padding=1, stride=(1, 2))
    yield SampleInput(T(18, 4, noncontig=True), (4, 5), 3, padding=(1, 0), stride=2)


def _fold_errors():
    yield ErrorInput(SampleInput(T(2, 13, 12), (4, 5), 2), RuntimeError,
                     "to be divisible by the product of kernel_size")
    yield ErrorInput(SampleInput(T(2, 12, 11), (4, 5), 2), RuntimeError,
                     "calculated number of sliding blocks 3 \\* 4 = 12, but got input.size\\(2\\)=11")
    yield ErrorInput(SampleInput(T(12), (4, 5), 2), RuntimeError, "Expected 2D or 3D")


_nn("unfold", unfold, _unfold_samples, _unfold_errors)
_nn("fold", fold, _fold_samples, _fold_errors)


def _affine_samples(dtype):
    yield SampleInput(T(2, 2, 3), (2, 3, 4, 5), align_corners=False)
    yield SampleInput(T(1, 2, 3), (1, 1, 3, 2), align_corners=True)
    yield SampleInput(T(2, 3, 4), (2, 1, 2, 3, 2), align_corners=False)
    yield SampleInput(T(1, 3, 4), (1, 2, 3, 2, 2), align_corners=True)


def _affine_errors():
    yield ErrorInput(SampleInput(T(2, 3, 3), (2, 3, 4, 5), align_corners=False), ValueError,
                     "Expected a batch of 2D affine matrices of shape Nx2x3")
    yield ErrorInput(SampleInput(T(2, 2, 3), (2, 3, 4), align_corners=False),
                     NotImplementedError, "affine_grid only supports 4D and 5D sizes")
    yield ErrorInput(SampleInput(T(2, 2, 3), (2, 3, 0, 5), align_corners=False), ValueError,
                     "Expected non-zero, positive output size")


_nn("affine_grid", affine_grid, _affine_samples, _affine_errors)


def _grid_samples(dtype):
    # grid values reach past [-1, 1] so that every padding mode's out-of-range path runs
    for mode in _SAMPLE_MODES:
        for padding_mode in _PADDING_MODES:
            for align in (False, True):
                yield SampleInput(T(2, 2, 3, 4), T(2, 2, 3, 2, low=-1.6, high=1.6), mode=mode,
                                  padding_mode=padding_mode, align_corners=align)
    yield SampleInput(T(1, 3, 1, 5), T(1, 4, 2, 2, low=-2.5, high=2.5),
                      padding_mode="reflection", align_corners=True)
    yield SampleInput(T(1, 2, 5, 4, noncontig=True), T(1, 3, 3, 2, low=-3.5, high=3.5),
                      padding_mode="reflection", align_corners=False)


def _grid_errors():
    yield ErrorInput(SampleInput(T(1, 2, 3, 4), T(1, 2, 2, 2), mode="linear",
                                 align_corners=False), ValueError, "expected mode to be")
    yield ErrorInput(SampleInput(T(1, 2, 3, 4), T(1, 2, 2, 2), padding_mode="wrap",
                                 align_corners=False), ValueError, "expected padding_mode to be")
    yield ErrorInput(SampleInput(T(1, 2, 3, 4), T(2, 2, 2, 2), align_corners=False),
                     RuntimeError, "expected grid and input to have same batch size")
    yield ErrorInput(SampleInput(T(1, 2, 3, 4), T(1, 2, 2, 3), align_corners=False),
                     RuntimeError, "expected grid to have size 2 in last dimension")


_nn("grid_sample", grid_sample, _grid_samples, _grid_errors, gradgrad=False)
_nn("gumbel_softmax", gumbel_softmax,
    lambda dt: iter([SampleInput(T(3, 5)), SampleInput(T(2, 3, 4), 0.5, True, dim=1)]),
    grad=False, nondeterministic=True)
