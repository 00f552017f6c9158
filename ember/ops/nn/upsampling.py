"""Resampling: interpolate and the upsample functions, affine_grid and grid_sample."""
import builtins
import math
import warnings

from ember._backend import add_at, array_module, np
from ember._tensor import _make
from ember.autograd.function import Node
from ember.ops._util import check_dtype, joined_zeros
from ember.ops.nn.padding import AxisMaps, _gather_matrix
from ember.ops.registry import ErrorInput, SampleInput, T, register_nn


def _interp_matrix(n_in, n_out, mode, align_corners, scale, dtype):
    """The (n_out, n_in) matrix of one axis of nearest / linear interpolation, with torch's
    source-index rules."""
    dst = np.arange(n_out)
    if mode in ("nearest", "nearest-exact"):
        s = np.float32(n_in / n_out if scale is None else 1.0 / scale)
        if mode == "nearest":
            src = np.floor(dst.astype(np.float32) * s).astype(np.int64)
        else:
            src = np.floor((dst.astype(np.float32) + np.float32(0.5)) * s).astype(np.int64)
        return _gather_matrix(np.minimum(src, n_in - 1), n_in, dtype)
    if mode == "bicubic":
        return _cubic_matrix(n_in, n_out, align_corners, scale, dtype)
    if align_corners:
        s = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        src = dst * s
    else:
        s = n_in / n_out if scale is None else 1.0 / scale
        src = np.maximum((dst + 0.5) * s - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    w1 = (src - i0).astype(dtype)
    m = np.zeros((n_out, n_in), dtype=dtype)
    rows = np.arange(n_out)
    add_at(m, (rows, i0), 1 - w1)
    add_at(m, (rows, i1), w1)
    return m


def _cubic_matrix(n_in, n_out, align_corners, scale, dtype):
    """One axis of bicubic interpolation: torch's cubic convolution (A = -0.75) over four
    taps whose indices are clamped to the edges."""
    dst = np.arange(n_out)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        src = (dst + 0.5) * (n_in / n_out if scale is None else 1.0 / scale) - 0.5
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    t = np.clip(src - i0, 0.0, 1.0)
    a = -0.75

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    m = np.zeros((n_out, n_in), dtype=dtype)
    rows = np.arange(n_out)
    for k, w in enumerate((far(t + 1), near(t), near(1 - t), far(2 - t))):
        add_at(m, (rows, np.clip(i0 - 1 + k, 0, n_in - 1)), w)
    return m


_INTERP_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _check_interp_sizes(input, in_sizes, sizes):
    """torch's resampling kernels need non-empty spatial sizes in and out, then channels."""
    if 0 in in_sizes or 0 in sizes:
        names = "DHW"[3 - len(sizes):]
        fmt = lambda ns: ", ".join("%s: %d" % nv for nv in zip(names, ns))  # noqa: E731
        raise RuntimeError("Input and output sizes should be greater than 0, but got input (%s)"
                           "%s output (%s)" % (fmt(in_sizes), " and" if len(sizes) == 1 else "",
                                               fmt(sizes)))
    if 0 in input.shape[1:]:
        raise RuntimeError("Non-empty %dD data tensor expected but got a tensor with sizes %s"
                           % (input.dim(), list(input.shape)))


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims (all dims after the first two) by ``size`` or
    ``scale_factor``. Modes: ``nearest``, ``nearest-exact``, ``linear``, ``bilinear``,
    ``bicubic``, ``trilinear`` (``align_corners`` as torch) and ``area`` (adaptive average
    pooling)."""
    nd = input._data.ndim
    if mode in ("nearest", "nearest-exact", "area"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif mode in _INTERP_DIMS:
        if align_corners is None:
            align_corners = False
        if nd != _INTERP_DIMS[mode] + 2:
            raise NotImplementedError("Got %dD input, but %s mode needs %dD input"
                                      % (nd, mode, _INTERP_DIMS[mode] + 2))
    else:
        raise NotImplementedError("Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  "%dD) for the modes: nearest | linear | bilinear | bicubic | "
                                  "trilinear | area | nearest-exact (got %s)" % (nd, mode))
    if nd < 3:
        raise ValueError("Input Error: Only 3D, 4D and 5D input Tensors supported (got %dD) for "
                         "the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                         "nearest-exact (got %s)" % (nd, mode))
    k = nd - 2
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    in_sizes = input._data.shape[2:]
    scales = [None] * k
    if size is not None:
        sizes = list(size) if isinstance(size, (tuple, list)) else [size] * k
        if len(sizes) != k:
            raise ValueError("Input and output must have the same number of spatial dimensions, "
                             "but got input with spatial dimensions of %s and output size of %s. "
                             "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             "output size in (o1, o2, ...,oK) format."
                             % (list(in_sizes), sizes))
    else:
        factors = list(scale_factor) if isinstance(scale_factor, (tuple, list)) else \
            [scale_factor] * k
        if len(factors) != k:
            raise ValueError("Input and scale_factor must have the same number of spatial "
                             "dimensions, but got input with spatial dimensions of %s and "
                             "scale_factor of shape %s. Please provide input tensor in (N, C, d1, "
                             "d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."
                             % (list(in_sizes), factors))
        sizes = [int(math.floor(float(n) * f)) for n, f in zip(in_sizes, factors)]
        if not recompute_scale_factor:
            scales = [float(f) for f in factors]
    if mode == "area":  # torch's area mode is adaptive average pooling, with its checks
        from ember.ops.nn import pooling_adaptive

        return getattr(pooling_adaptive, "adaptive_avg_pool%dd" % k)(input, sizes)
    _check_interp_dtype(input, mode, k)
    _check_interp_sizes(input, in_sizes, sizes)
    uint8 = input._data.dtype == np.uint8 and mode in ("bilinear", "bicubic")
    mats = []
    for i, (n_in, n_out) in enumerate(zip(in_sizes, sizes)):
        if n_in == n_out and scales[i] in (None, 1.0):
            continue
        mats.append((2 + i, _interp_matrix(n_in, int(n_out), mode, align_corners, scales[i],
                                           np.float64 if uint8 else input._data.dtype)))
    if not mats:
        return input.clone()
    if uint8:
        return _make(_resample_uint8(input._data, mats))
    return AxisMaps.apply((input,), mats)


def _check_interp_dtype(input, mode, k):
    """The dtypes of torch's resampling kernels: floats, and uint8 for the 2-d image modes."""
    if mode in ("nearest", "nearest-exact"):
        kernel = "upsample_nearest2d_channels_last" if k == 2 else \
            "compute_indices_weights_nearest"
    else:
        kernel = {"bilinear": "upsample_bilinear2d_channels_last",
                  "bicubic": "compute_indices_weights_cubic"}.get(mode,
                                                                   "compute_indices_weights_linear")
    if input._data.dtype != np.uint8 or mode not in ("nearest", "nearest-exact", "bilinear",
                                                      "bicubic"):
        check_dtype(kernel, input)


def _resample_uint8(x, mats):
    """torch's uint8 bilinear/bicubic kernel: one axis at a time, the last first, with integer
    weights holding as many fraction bits as fit in int16 (at most 22), each pass rounded and
    clamped to 0..255."""
    a = x.astype(np.int64)
    for d, m in reversed(mats):
        bits = 22
        while bits and round(float(np.abs(m).max()) * (1 << bits)) >= 1 << 15:
            bits -= 1
        w = (np.sign(m) * np.floor(np.abs(m) * (1 << bits) + 0.5)).astype(np.int64)
        a = np.moveaxis(np.moveaxis(a, d, -1) @ w.T, -1, d)
        a = np.clip((a + (1 << (bits - 1))) >> bits, 0, 255)
    return a.astype(np.uint8)


def _interp_samples(dtype):
    yield SampleInput(T(1, 2, 3, 4), scale_factor=2)
    yield SampleInput(T(1, 2, 5, 4), size=(3, 7))
    yield SampleInput(T(2, 2, 5), scale_factor=1.7)
    yield SampleInput(T(1, 2, 3, 4), size=(5, 6), mode="bilinear")
    yield SampleInput(T(1, 2, 3, 4), size=(5, 3), mode="bilinear", align_corners=True)
    yield SampleInput(T(1, 2, 4, 6), scale_factor=0.5, mode="bilinear")
    yield SampleInput(T(2, 2, 5), size=8, mode="linear")
    yield SampleInput(T(1, 2, 3, 4), scale_factor=(2.5, 1.5), mode="nearest-exact")
    yield SampleInput(T(1, 2, 3, 4), size=(5, 7), mode="bicubic")
    yield SampleInput(T(1, 2, 4, 3), size=(3, 5), mode="bicubic", align_corners=True)
    yield SampleInput(T(1, 2, 3, 4), scale_factor=(1.7, 0.6), mode="bicubic")
    yield SampleInput(T(1, 2, 7, 5), size=(3, 4), mode="area")
    yield SampleInput(T(2, 2, 7), scale_factor=0.5, mode="area")
    yield SampleInput(T(1, 1, 2, 3, 4), size=(3, 2, 5), mode="area")
    yield SampleInput(T(0, 2, 3, 4), scale_factor=2, mode="bicubic", name="empty batch")
    yield SampleInput(T(1, 0, 3, 4), scale_factor=2, mode="area",
                      name="edge: area, no channels (the backward raises)")
    yield SampleInput(T(0, 2, 3, 4), scale_factor=0.1, mode="area",
                      name="edge: area, empty output (the backward raises)")
    for mode in ("bilinear", "bicubic"):  # torch's fixed-point uint8 kernel
        yield SampleInput(T(1, 2, 5, 7, dtype="uint8", low=0, high=255), size=(9, 4), mode=mode)
        yield SampleInput(T(1, 2, 5, 7, dtype="uint8", low=0, high=255), scale_factor=(1, 1.6),
                          mode=mode, align_corners=True)


def _interp_errors():
    yield ErrorInput(SampleInput(T(1, 2, 3, 4), scale_factor=2, align_corners=True), ValueError,
                     "align_corners option")
    yield ErrorInput(SampleInput(T(1, 0, 3, 4), scale_factor=2, mode="bilinear"), RuntimeError,
                     r"Non-empty 4D data tensor expected but got a tensor with sizes "
                     r"\[1, 0, 3, 4\]")
    for mode, dt, kernel in (("nearest", "int8", "upsample_nearest2d_channels_last"),
                             ("bilinear", "bool", "upsample_bilinear2d_channels_last")):
        yield ErrorInput(SampleInput(T(0, 2, 3, 4, dtype=dt), scale_factor=2, mode=mode),
                         NotImplementedError, '"%s" not implemented' % kernel)
    yield ErrorInput(SampleInput(T(1, 2, 3, dtype="uint8"), scale_factor=2, mode="linear"),
                     NotImplementedError, '"compute_indices_weights_linear" not implemented')
    yield ErrorInput(SampleInput(T(1, 2, 0, 4), scale_factor=2), RuntimeError,
                     r"sizes should be greater than 0, but got input \(H: 0, W: 4\) output "
                     r"\(H: 0, W: 8\)")
    yield ErrorInput(SampleInput(T(1, 2, 3), scale_factor=0.1, mode="linear"), RuntimeError,
                     r"input \(W: 3\) and output \(W: 0\)")
    yield ErrorInput(SampleInput(T(1, 0, 3, 3, 3), scale_factor=2, mode="area"), RuntimeError,
                     "adaptive_avg_pool3d")


register_nn("interpolate", interpolate, _interp_samples, _interp_errors)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


_int = builtins.int


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


register_nn("affine_grid", affine_grid, _affine_samples, _affine_errors)


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
        # (sizes spelled out, never -1: any of them may be 0)
        ix, dx = _source_coords(grid[..., 0].reshape(n, ho * wo), w, padding_mode, align_corners)
        iy, dy = _source_coords(grid[..., 1].reshape(n, ho * wo), h, padding_mode, align_corners)
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
        base = (array_module(x).arange(n) * (h * w))[:, None]
        taps = []
        for cx, cy, wt in corners:
            inside = ((cx >= 0) & (cx <= w - 1) & (cy >= 0) & (cy <= h - 1)).reshape(-1, 1)
            flat = base + np.clip(cy, 0, h - 1).astype(np.int64) * w + \
                np.clip(cx, 0, w - 1).astype(np.int64)
            taps.append((flat.reshape(-1), inside, wt.reshape(-1, 1) * inside))
        xt = x.transpose(0, 2, 3, 1).reshape(n * h * w, c)
        out = sum(xt[flat] * wt for flat, _, wt in taps)
        ctx.taps, ctx.mode, ctx.shapes = taps, mode, (x.shape, grid.shape)
        return array_module(out).ascontiguousarray(out.reshape(n, ho, wo, c).transpose(0, 3, 1, 2))

    def backward(ctx, g):
        (n, c, h, w), gshape = ctx.shapes
        need = ctx.needs_input_grad
        gt = g._data.transpose(0, 2, 3, 1).reshape(g._data.size // c, c)
        gx = ggrid = None
        if need[0]:
            acc = array_module(gt).zeros((n * h * w, c), dtype=gt.dtype)
            for flat, _, wt in ctx.taps:
                add_at(acc, flat, gt * wt)
            gx = _make(array_module(acc).ascontiguousarray(
                acc.reshape(n, h, w, c).transpose(0, 3, 1, 2)))
        if need[1]:
            ggrid = array_module(gt).zeros(gshape, dtype=gt.dtype)
            if ctx.mode != "nearest":
                x = ctx.saved_tensors[0]._data
                xt = x.transpose(0, 2, 3, 1).reshape(n * h * w, c)
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
    if 0 in input.shape[2:]:
        raise RuntimeError("grid_sampler(): expected input to have non-empty spatial dimensions, "
                           "but input has sizes %s with dimension %d being empty"
                           % (list(input.shape), input.shape.index(0, 2)))
    if input.dim() != 4:
        raise NotImplementedError("grid_sample: only 4-D input (2-d sampling) is implemented")
    if mode == "bicubic":
        raise NotImplementedError("grid_sample: mode 'bicubic' is not implemented")
    if input.dtype != grid.dtype:
        from ember.ops.nn.conv import _scalar_name

        raise RuntimeError("expected scalar type %s but found %s"
                           % (_scalar_name(input), _scalar_name(grid)))
    shape = tuple(input.shape[:2]) + tuple(grid.shape[1:3])
    if not math.prod(shape):  # torch's kernel never runs (nor checks the dtype)
        return joined_zeros((input, grid), shape)
    check_dtype("grid_sampler_2d_cpu_kernel_impl", input)
    return _GridSample.apply((input, grid), mode, padding_mode, bool(align_corners))


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
    for x, grid in (((0, 2, 3, 4), (0, 2, 3, 2)), ((1, 0, 3, 4), (1, 2, 3, 2)),
                    ((2, 2, 3, 4), (2, 0, 3, 2))):  # empty batch, channels, output
        yield SampleInput(T(*x), T(*grid), align_corners=False)


def _grid_errors():
    yield ErrorInput(SampleInput(T(1, 2, 3, 4), T(1, 2, 2, 2), mode="linear",
                                 align_corners=False), ValueError, "expected mode to be")
    yield ErrorInput(SampleInput(T(1, 2, 3, 4), T(1, 2, 2, 2), padding_mode="wrap",
                                 align_corners=False), ValueError, "expected padding_mode to be")
    yield ErrorInput(SampleInput(T(1, 2, 3, 4), T(2, 2, 2, 2), align_corners=False),
                     RuntimeError, "expected grid and input to have same batch size")
    yield ErrorInput(SampleInput(T(1, 2, 3, 4), T(1, 2, 2, 3), align_corners=False),
                     RuntimeError, "expected grid to have size 2 in last dimension")
    yield ErrorInput(SampleInput(T(1, 2, 0, 4), T(1, 2, 3, 2), align_corners=False),
                     RuntimeError, "expected input to have non-empty spatial dimensions")
    yield ErrorInput(SampleInput(T(1, 2, 3, 4, dtype="int8"), T(1, 2, 3, 2, dtype="int8"),
                                 align_corners=False), NotImplementedError,
                     "\"grid_sampler_2d_cpu_kernel_impl\" not implemented for 'Char'")


register_nn("grid_sample", grid_sample, _grid_samples, _grid_errors, gradgrad=False)
