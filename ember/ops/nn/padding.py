"""``pad`` in its modes: constant, reflect, replicate, circular."""
from ember._backend import array_module, np
from ember.autograd.function import Node
from ember.ops._util import shape_str
from ember.ops.registry import ErrorInput, SampleInput, T, register_nn


class ConstantPad(Node):
    """Pad (or crop, for negative amounts) the trailing dims with a constant; the backward is
    the opposite pad, so double backward comes free."""

    def forward(ctx, a, pads, value):
        ctx.pads = pads
        return _constant_pad_np(a, pads, value)

    def backward(ctx, g):
        return ConstantPad.apply((g,), [(-lo, -hi) for lo, hi in ctx.pads], 0)

    @staticmethod
    def onnx(call):
        pads, value = call.params
        return call.g.op("Pad", *call.operands(), call.g.ints([p[0] for p in pads] +
                                                              [p[1] for p in pads]),
                         call.scalar(value), mode="constant")


def _constant_pad_np(a, pads, value):
    """``pads`` lists (before, after) for every dim of ``a``; negative ones crop first (torch
    narrows, so cropping more than a dim holds is an error even where padding would refill
    it)."""
    if any(s + min(lo, 0) + min(hi, 0) < 0 for s, (lo, hi) in zip(a.shape, pads)):
        raise RuntimeError("narrow(): length must be non-negative.")
    crop = tuple(slice(max(-lo, 0), a.shape[d] - max(-hi, 0)) for d, (lo, hi) in enumerate(pads))
    a = a[crop]
    grow = [(max(lo, 0), max(hi, 0)) for lo, hi in pads]
    shape = tuple(s + lo + hi for s, (lo, hi) in zip(a.shape, grow))
    out = array_module(a).full(shape, value, dtype=a.dtype)
    out[tuple(slice(lo, lo + s) for s, (lo, _) in zip(a.shape, grow))] = a
    return out


class AxisMaps(Node):
    """Apply a matrix along each of some axes: ``out = M_d @ x`` along axis ``d``. Reflect,
    replicate and circular padding, nearest and linear interpolation are all such maps; the
    backward applies the transposed matrices."""

    def forward(ctx, a, mats):
        ctx.mats = mats
        for d, m in mats:
            a = np.moveaxis(np.tensordot(m, a, axes=([1], [d])), 0, d)
        return array_module(a).ascontiguousarray(a)

    def backward(ctx, g):
        return AxisMaps.apply((g,), [(d, m.T) for d, m in reversed(ctx.mats)])

    @staticmethod
    def onnx(call):
        return call.g.along_axes(call.inputs[0], call.arrays[0].ndim, call.params[0])


def _gather_matrix(src, n_in, dtype):
    m = np.zeros((len(src), n_in), dtype=dtype)
    m[np.arange(len(src)), src] = 1
    return m


_NP_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, ...)`` starting
    from the last dim. Modes: ``constant`` (negative pads crop), ``reflect``, ``replicate``,
    ``circular``."""
    pad = tuple(int(p) for p in pad)
    nd = input._data.ndim
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > nd:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension but got padding length %d and input of dimension %d"
                           % (len(pad), nd))
    k = len(pad) // 2
    pairs = [(0, 0)] * (nd - k) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]
    if mode == "constant":
        return ConstantPad.apply((input,), pairs, 0 if value is None else value)
    if mode not in _NP_PAD_MODES:
        raise NotImplementedError("Unrecognised padding mode %s" % mode)
    if value is not None and value != 0:
        raise RuntimeError('Padding mode "%s" doesn\'t take in value argument.' % mode)
    if not (1 <= k <= 3 and nd in (k + 1, k + 2)):
        raise NotImplementedError("Only 2D, 3D, 4D, 5D padding with non-constant padding are "
                                  "supported for now")
    if mode != "circular" and 0 in input.shape[1 if nd == k + 2 else 0:]:
        raise RuntimeError("Expected %dD or %dD (batch mode) tensor with possibly 0 batch size and "
                           "other non-zero dimensions for input, but got: %s"
                           % (k + 1, k + 2, list(input.shape)))
    mats = []
    for d in range(nd - k, nd):
        lo, hi = pairs[d]
        n = input._data.shape[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError("Argument #4: Padding size should be less than the corresponding "
                               "input dimension, but got: padding (%d, %d) at dimension %d of "
                               "input %s" % (lo, hi, d, list(input.shape)))
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        base = array_module(input._data).arange(n)[max(-lo, 0): n - max(-hi, 0)]
        src = np.pad(base, (max(lo, 0), max(hi, 0)), mode=_NP_PAD_MODES[mode])
        if mode == "circular" and (lo < 0 or hi < 0):
            src = np.pad(array_module(input._data).arange(n), (max(lo, 0), max(hi, 0)), mode="wrap")
            src = src[max(-lo, 0): len(src) - max(-hi, 0)]
        if lo or hi:
            mats.append((d, _gather_matrix(src, n, input._data.dtype)))
    if not mats:
        return input.clone()
    return AxisMaps.apply((input,), mats)


# --- padding by index (reflect, replicate, circular): the conv modules' padding_mode --------

def _pad_index(n, lo, hi, mode):
    idx = np.arange(-lo, n + hi)
    if mode == "reflect":
        period = 2 * (n - 1)
        idx = np.abs(idx) % period if period else np.zeros_like(idx)
        idx = np.where(idx >= n, period - idx, idx)
    elif mode == "replicate":
        idx = np.clip(idx, 0, n - 1)
    else:
        idx = idx % n
    return idx


class _IndexPad(Node):
    """Pad the trailing dims by gathering along index vectors (reflect/replicate/circular)."""

    def forward(ctx, x, indices):
        ctx.indices = indices
        ctx.sizes = x.shape[x.ndim - len(indices):]
        lead = (slice(None),) * (x.ndim - len(indices))
        return x[lead + np.ix_(*indices)]

    def backward(ctx, g):
        return _IndexPadBackward.apply((g,), ctx.indices, ctx.sizes)

    @staticmethod
    def onnx(call):
        # reflect / replicate / circular padding: a Gather per padded axis
        x, nd, indices = call.inputs[0], call.arrays[0].ndim, call.params[0]
        for axis, idx in zip(range(nd - len(indices), nd), indices):
            if idx is not None and not isinstance(idx, slice):
                x = call.g.op("Gather", x, call.g.const(np.asarray(idx, np.int64)), axis=axis)
        return x


class _IndexPadBackward(Node):
    """Adjoint of ``_IndexPad``: a one-hot matrix product per padded dim (sums duplicates)."""

    def forward(ctx, g, indices, sizes):
        ctx.indices = indices
        nd = len(indices)
        for i, (idx, n) in enumerate(zip(indices, sizes)):
            onehot = (idx[:, None] == array_module(g).arange(n)).astype(g.dtype)
            g = np.moveaxis(np.moveaxis(g, g.ndim - nd + i, -1) @ onehot, -1, g.ndim - nd + i)
        return array_module(g).ascontiguousarray(g)

    def backward(ctx, gg):
        return _IndexPad.apply((gg,), ctx.indices)


def _mode_pad(input, pads, mode):
    """Pad the last ``len(pads)`` dims by ``pads[i] = (lo, hi)`` in ``mode``; zeros via conv."""
    nd = len(pads)
    sizes = input.shape[input.dim() - nd:]
    if mode == "reflect":
        for (lo, hi), n in zip(pads, sizes):
            if lo >= n or hi >= n:
                raise RuntimeError("Argument #4: Padding size should be less than the "
                                   "corresponding input dimension, but got: padding (%d, %d) at "
                                   "dimension %d of input %s" % (lo, hi, input.dim() - 1,
                                                                 shape_str(input.shape)))
    if mode == "circular":
        for (lo, hi), n in zip(pads, sizes):
            if lo > n or hi > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
    indices = tuple(_pad_index(n, lo, hi, mode) for (lo, hi), n in zip(pads, sizes))
    return _IndexPad.apply((input,), indices)


def _pad_samples(dtype):
    yield SampleInput(T(2, 3, 4), (1, 2))
    yield SampleInput(T(2, 3, 4), (1, 0, -1, 2), value=1.5)
    yield SampleInput(T(2, 3, 4), (-4, 1, 0, -3), name="crops a whole dim")
    yield SampleInput(T(1, 2, 4, 5), (2, 1, 1, 3), mode="reflect")
    yield SampleInput(T(2, 3, 4), (3, 2), mode="replicate")
    yield SampleInput(T(1, 2, 4, 5), (2, 1, 1, 3), mode="circular")
    yield SampleInput(T(1, 2, 3, 4, 3), (1, 1, 2, 0, 1, 1), mode="replicate")


def _pad_errors():
    yield ErrorInput(SampleInput(T(2, 3), (1, 2, 3)), RuntimeError, "divisible by 2")
    yield ErrorInput(SampleInput(T(1, 2, 3), (3, 1), mode="reflect"), RuntimeError,
                     "Padding size should be less than")
    for mode in ("reflect", "replicate"):  # only a batch may be empty
        yield ErrorInput(SampleInput(T(1, 0, 4, 5), (1, 1, 1, 1), mode=mode), RuntimeError,
                         "other non-zero dimensions")
        yield ErrorInput(SampleInput(T(0, 5), (1, 1), mode=mode), RuntimeError,
                         "other non-zero dimensions")
    for shape, pads in (((2, 0, 4), (1, 0, -1, 2)), ((3,), (-2, -2)), ((2, 3), (-4, 5))):
        yield ErrorInput(SampleInput(T(*shape), pads), RuntimeError,
                         "narrow\\(\\): length must be non-negative")


register_nn("pad", pad, _pad_samples, _pad_errors)
