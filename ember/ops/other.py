"""Ops from torch's "Other Operations" and "Indexing, Slicing, Joining, Mutating Ops" groups that
ember builds from its own ops or small kernels: the ``*_scatter`` inverses of view ops,
``as_strided``, ``addr``, ``diagflat``, ``histogram``, ``unique_consecutive``, ``isin``,
``unravel_index``, ``nonzero_static``, ``fill_diagonal_``, ``index_reduce``, the trapezoid
rules, ``binomial``."""
import builtins

from ember import _backend, _dtype, return_types
from ember._backend import add_at, np
from ember._tensor import Tensor, _make
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.ops._util import shape_str, to_float, wrap_dim
from ember.ops.arithmetic import _out
from ember.ops.inplace import apply_inplace
from ember.ops.registry import (ALL, ErrorInput, INT_FLOAT, OpInfo, SampleInput, T,
                                not_differentiable, register)
from ember.ops.views import as_view


# ---- *_scatter: the input with one of its views replaced by ``src`` -------------------------
class ViewScatter(Node):
    """``input`` with ``view(input) = src`` (``view`` is a ``_View``)."""

    def forward(ctx, a, src, view):
        ctx.view, ctx.src_shape = view, src.shape
        out = a.copy()
        view.put(out, src)
        return out

    def backward(ctx, g):
        from ember.ops.creation import zeros

        hole = zeros(ctx.src_shape, dtype=g.dtype)
        return ViewScatter.apply((g, hole), ctx.view), ctx.view.tensor(g)


class _View:
    """``put(out, src)`` writes the array ``src`` into the view of the array ``out``;
    ``tensor(t)`` is the view of tensor ``t`` (differentiable)."""

    __slots__ = ("put", "tensor")

    def __init__(self, put, tensor):
        self.put, self.tensor = put, tensor


def _put_at(key):
    def put(out, src):
        out[key] = src

    return put


def _view_scatter(name, input, src, view):
    target = view.tensor(input.detach())
    if tuple(src.shape) != tuple(target.shape):
        raise RuntimeError("%s: expected src to have a size equal to the slice of self. src size "
                           "= %s, slice size = %s" % (name, shape_str(src.shape),
                                                       shape_str(target.shape)))
    if src.dtype != input.dtype:
        raise RuntimeError("%s(): expected src and self to have the same dtype, but got %s and %s"
                           % (name, dtype_word(src._data.dtype), dtype_word(input._data.dtype)))
    return ViewScatter.apply((input, src), view)


def select_scatter(input, src, dim, index):
    """``input`` with ``input.select(dim, index)`` replaced by ``src``."""
    d = wrap_dim(dim, input.dim())
    n = input.shape[d]
    if not -n <= index < n:
        raise IndexError("select(): index %d out of range for tensor of size %s at dimension %d"
                         % (index, shape_str(input.shape), d))
    key = (slice(None),) * d + (index,)
    return _view_scatter("select_scatter", input, src,
                         _View(_put_at(key), lambda t: t.select(d, index)))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """``input`` with ``input[..., start:end:step, ...]`` (along ``dim``) replaced by ``src``."""
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = wrap_dim(dim, input.dim())
    key = (slice(None),) * d + (slice(start, end, step),)
    return _view_scatter("slice_scatter", input, src,
                         _View(_put_at(key), lambda t: t[key]))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """``input`` with ``input.diagonal(offset, dim1, dim2)`` replaced by ``src``."""
    from ember.ops.slicing import _diag_view

    nd = input.dim()
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError("diagonal dimensions cannot be identical %d, %d" % (dim1, dim2))
    def put(out, src):
        _diag_view(out, offset, d1, d2)[...] = src

    return _view_scatter("diagonal_scatter", input, src,
                         _View(put, lambda t: t.diagonal(offset, d1, d2)))


def _scatter_samples(dtype):
    yield SampleInput(T(3, 4), T(4), 0, 1)
    yield SampleInput(T(3, 4), T(3), -1, -2)


def _slice_samples(dtype):
    yield SampleInput(T(5, 4), T(2, 4), 0, 1, 5, 2)
    yield SampleInput(T(3, 6), T(3, 3), dim=1, start=3)
    yield SampleInput(T(3, 6), T(3, 2), 1, None, 4, 2)


def _diagonal_samples(dtype):
    yield SampleInput(T(3, 4), T(3))
    yield SampleInput(T(3, 4), T(2), 2)
    yield SampleInput(T(2, 3, 4), T(4, 2), -1, 0, 2)


register(OpInfo("select_scatter", select_scatter, _scatter_samples, lambda: iter([
    ErrorInput(SampleInput(T(3, 4), T(3), 0, 1), RuntimeError, "expected src to have a size")]),
    method=True))
register(OpInfo("slice_scatter", slice_scatter, _slice_samples, method=True))
register(OpInfo("diagonal_scatter", diagonal_scatter, _diagonal_samples, method=True))


# ---- as_strided ------------------------------------------------------------------------------
class StorageMove(Node):
    """Scatter-add ``g`` at storage positions ``put`` into zeros of ``size``, read the positions
    ``take``: the backward of a strided view (its own backward swaps the two)."""

    def forward(ctx, g, put, take, size):
        ctx.args = put, take, size
        store = np.zeros(size, dtype=g.dtype)
        add_at(store, put, g)
        return store[take]

    def backward(ctx, gg):
        put, take, size = ctx.args
        return StorageMove.apply((gg,), take, put, size)


class AsStrided(Node):
    def forward(ctx, a, flat, size, strides, offset, in_pos):
        ctx.args = size, strides, offset, in_pos, flat.size
        item = flat.itemsize
        return _backend.as_strided(flat[offset:], size, tuple(s * item for s in strides))

    def backward(ctx, g):
        size, strides, offset, in_pos, n = ctx.args
        return StorageMove.apply((g,), _positions(size, strides, offset), in_pos, n)


def _positions(size, strides, offset):
    """The storage index of every element of a ``size``/``strides``/``offset`` view."""
    pos = np.full(size, offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(size, strides)):
        shape = [1] * len(size)
        shape[d] = n
        pos = pos + (np.arange(n, dtype=np.int64) * s).reshape(shape)
    return pos


def _storage(input):
    root = input.untyped_storage()
    if not root.flags.c_contiguous:
        raise RuntimeError("as_strided: ember needs the tensor's storage to be contiguous")
    return root.reshape(-1).view(input._data.dtype)


def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with the given sizes, element strides and offset."""
    size = tuple(builtins.int(s) for s in size)
    stride = tuple(builtins.int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got "
                           "strides: %s" % shape_str(stride))
    offset = input.storage_offset() if storage_offset is None else builtins.int(storage_offset)
    flat = _storage(input)
    need = offset + 1 + builtins.sum((n - 1) * s for n, s in zip(size, stride)) \
        if all(size) else 0
    if need > flat.size:
        raise RuntimeError(
            "setStorage: sizes %s, strides %s, storage offset %d, and itemsize %d requiring a "
            "storage size of %d are out of bounds for storage of size %d" % (
                shape_str(size), shape_str(stride), offset, flat.itemsize, need * flat.itemsize,
                flat.size * flat.itemsize))
    in_pos = _positions(input._data.shape, input.stride(), input.storage_offset())
    return as_view(AsStrided.apply((input,), flat, size, stride, offset, in_pos), input)


def as_strided_(self, size, stride, storage_offset=None):
    from ember._tensor_misc import _view_inplace

    return _view_inplace(self, as_strided, size, stride, storage_offset)


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """``input`` with the elements of its ``as_strided(size, stride, storage_offset)`` view
    replaced by ``src`` (positions counted in ``input``'s own storage layout)."""
    size, stride = tuple(size), tuple(stride)
    offset = input.storage_offset() if storage_offset is None else builtins.int(storage_offset)
    in_pos = _positions(input._data.shape, input.stride(), input.storage_offset()).reshape(-1)
    where_in = np.full(builtins.max(1, builtins.int(in_pos.max(initial=0)) + 1), -1,
                       dtype=np.int64)
    where_in[in_pos] = np.arange(in_pos.size)
    view_pos = _positions(size, stride, offset)
    if view_pos.size and (view_pos.max() >= where_in.size or (where_in[view_pos] < 0).any()):
        raise RuntimeError("as_strided_scatter: the view reaches storage outside the input")
    flat_idx = where_in[view_pos]

    def put(out, src_array):
        out.reshape(-1)[flat_idx.reshape(-1)] = src_array.reshape(-1)

    def tensor_view(t):
        return t.reshape(-1)[_make(flat_idx)]

    return _view_scatter("as_strided_scatter", input.contiguous(), src,
                         _View(put, tensor_view))


def _as_strided_scatter_ref(torch, input, src, size, stride, storage_offset=None):
    # torch's own as_strided_scatter gives the input a wrong gradient (it fails torch's
    # gradcheck: the view's elements get the gradient, the others none), so the oracle is the
    # same result built from a clone and a copy into its strided view.
    out = input.clone()
    out.as_strided(size, stride, storage_offset or 0).copy_(src)
    return out


register(OpInfo("as_strided", as_strided, lambda dt: iter([
    SampleInput(T(3, 4), (2, 2), (1, 2)), SampleInput(T(3, 4), (3, 3), (4, 1), 1),
    SampleInput(T(6), (3, 3), (1, 1), name="overlapping")]),
    lambda: iter([ErrorInput(SampleInput(T(4), (3, 3), (2, 2)), RuntimeError, "out of bounds")]),
    method=True, inplace="as_strided_", dtypes=ALL))
Tensor.as_strided_ = as_strided_
register(OpInfo("as_strided_scatter", as_strided_scatter, lambda dt: iter([
    SampleInput(T(3, 4), T(2, 2), (2, 2), (1, 2)),
    SampleInput(T(3, 4), T(2, 3), (2, 3), (4, 1), 1)]), method=True,
    ref=_as_strided_scatter_ref))


# ---- small composites ------------------------------------------------------------------------
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)`` (``input`` ignored when ``beta`` is 0)."""
    from ember.ops.arithmetic import where
    from ember.ops.blas import outer
    from ember.ops.creation import zeros

    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.dim() != 1:
            raise RuntimeError("addr: Expected 1-D argument %s, but got %d-D" % (name, v.dim()))
    prod = outer(vec1, vec2)
    prod = prod if alpha == 1 else prod * alpha
    if beta == 0:
        # input's values (NaN included) are ignored; its gradient is zero
        return _out(where(zeros(prod.shape, dtype=_dtype.bool), input, prod), out)
    return _out(input + prod if beta == 1 else input * beta + prod, out)


register(OpInfo("addr", addr, lambda dt: iter([
    SampleInput(T(3, 4), T(3), T(4)), SampleInput(T(4), T(3), T(4), beta=0.5, alpha=2.0),
    SampleInput(T(3, 4), T(3), T(4), beta=0)]), method=True, inplace="addr_"))


def diagflat(input, offset=0):
    """A matrix with the flattened ``input`` on diagonal ``offset``."""
    from ember.ops.manipulation import diag

    return diag(input.reshape(-1), offset)


register(OpInfo("diagflat", diagflat, lambda dt: iter([
    SampleInput(T(2, 2)), SampleInput(T(3), 1), SampleInput(T(3), -2)]), method=True,
    dtypes=ALL))


class LogCumSumExp(Node):
    save_output = True
    save = (0,)

    def forward(ctx, a, dim):
        ctx.dim = dim
        if a.size == 0:
            return a.copy()
        with np.errstate(invalid="ignore"):
            return np.logaddexp.accumulate(a, axis=dim)

    def backward(ctx, g):
        # stable form: the positive and negative parts of g, each through a reversed
        # log-cum-sum-exp (so the backward is differentiable again)
        from ember.ops.unary import exp, log
        from ember.ops.arithmetic import where

        (a, y), d = ctx.saved_tensors, ctx.dim
        lowest = float(np.finfo(g._data.dtype).min)
        log_abs = log(g.abs())
        pos = where(g > 0, log_abs, lowest) - y
        neg = where(g < 0, log_abs, lowest) - y
        rev = _reverse_logcumsumexp
        return exp(rev(pos, d) + a) - exp(rev(neg, d) + a)


def _reverse_logcumsumexp(t, dim):
    return LogCumSumExp.apply((t.flip((dim,)),), dim).flip((dim,))


def logcumsumexp(input, dim, *, out=None):
    """``log(cumsum(exp(input), dim))`` computed stably."""
    d = wrap_dim(dim, builtins.max(1, input.dim()))
    if input._data.dtype.kind != "f":
        raise NotImplementedError('"logcumsumexp_out_cpu" not implemented for \'%s\''
                                  % dtype_word(input._data.dtype))
    if input.dim() == 0:
        return _out(input.clone(), out)
    return _out(LogCumSumExp.apply((input,), d), out)


register(OpInfo("logcumsumexp", logcumsumexp, lambda dt: iter([
    SampleInput(T(3, 4), 1), SampleInput(T(3, 4), 0), SampleInput(T(), 0),
    SampleInput(T(4, values=[-1000.0, 0.0, 1.0, -2.0]), 0, name="spread")]),
    method=True, dtypes=("float32", "float64")))


# ---- not differentiable --------------------------------------------------------------------
def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each of ``elements`` is in ``test_elements``."""
    a = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _make(np.isin(a, b, invert=invert))


def unravel_index(indices, shape):
    """The coordinates of flat ``indices`` in a tensor of ``shape`` (a tuple of int64 tensors)."""
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError("expected 'indices' to be integer dtype, but got %s"
                        % dtype_word(idx.dtype))
    shape = (shape,) if isinstance(shape, (builtins.int, np.integer)) else tuple(shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got %s" % (shape,))
    n = builtins.int(np.prod(shape, dtype=np.int64))
    # torch wraps every index modulo the number of elements (-1 is the last one)
    coords = np.unravel_index(np.mod(idx, n) if n else idx, shape) if shape else ()
    return tuple(_make(np.asarray(c, dtype=np.int64)) for c in coords)


def nonzero_static(input, *, size, fill_value=-1):
    """``nonzero(input)`` cut or padded (with ``fill_value``) to exactly ``size`` rows."""
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    idx = np.argwhere(input._data)
    out = np.full((size, input._data.ndim), fill_value, dtype=np.int64)
    k = builtins.min(size, len(idx))
    out[:k] = idx[:k]
    return _make(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """The first element of every run of equal consecutive elements (or slices along ``dim``)."""
    a = input._data
    if dim is None:
        flat = a.reshape(-1)
        starts = np.ones(flat.shape, dtype=bool)
        starts[1:] = flat[1:] != flat[:-1]
        values = flat[starts]
        inverse = (np.cumsum(starts) - 1).reshape(a.shape)
    else:
        d = wrap_dim(dim, a.ndim)
        moved = np.moveaxis(a, d, 0).reshape(a.shape[d], -1)
        starts = np.ones(a.shape[d], dtype=bool)
        starts[1:] = (moved[1:] != moved[:-1]).any(axis=1)
        values = np.compress(starts, a, axis=d)
        inverse = np.cumsum(starts) - 1
    counts = np.diff(np.append(np.flatnonzero(starts), starts.size))
    res = (_make(values),)
    if return_inverse:
        res += (_make(inverse.astype(np.int64)),)
    if return_counts:
        res += (_make(counts.astype(np.int64)),)
    return res[0] if len(res) == 1 else res


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """``(hist, bin_edges)`` of ``input``'s values (floating tensors)."""
    a = input._data
    if a.dtype.kind != "f":
        raise RuntimeError('"histogram_cpu" not implemented for \'%s\'' % dtype_word(a.dtype))
    w = None if weight is None else weight._data
    if isinstance(bins, Tensor):
        edges = bins._data
    else:
        if range is not None:
            lo, hi = builtins.float(range[0]), builtins.float(range[1])
        elif a.size:
            lo, hi = builtins.float(a.min()), builtins.float(a.max())
        else:
            lo, hi = 0.0, 0.0
        if lo > hi:
            raise RuntimeError("torch.histogram(): max must be larger than min")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5 if a.size or range is not None else 1.0
        edges = np.linspace(lo, hi, bins + 1).astype(a.dtype)
    hist, _ = np.histogram(a.reshape(-1), edges.astype(np.float64),
                           weights=None if w is None else w.reshape(-1), density=density)
    return return_types.histogram(_make(hist.astype(a.dtype)), _make(edges.astype(a.dtype)))


def histogramdd(input, bins=10, *, range=None, weight=None, density=False):
    """The ``D``-dimensional histogram of the rows of an ``(N, D)`` tensor."""
    a = input._data
    if a.dtype.kind != "f":
        raise RuntimeError('"histogramdd" not implemented for \'%s\'' % dtype_word(a.dtype))
    pts = a.reshape(-1, a.shape[-1])
    dims = pts.shape[1]
    if isinstance(bins, (list, tuple)) and bins and isinstance(bins[0], Tensor):
        edges = [b._data.astype(np.float64) for b in bins]
    else:
        counts = [bins] * dims if isinstance(bins, (builtins.int, np.integer)) else list(bins)
        edges = []
        for k in builtins.range(dims):
            if range is not None:
                lo, hi = builtins.float(range[2 * k]), builtins.float(range[2 * k + 1])
            elif pts.shape[0]:
                lo, hi = builtins.float(pts[:, k].min()), builtins.float(pts[:, k].max())
            else:
                lo, hi = 0.0, 0.0
            if lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
            edges.append(np.linspace(lo, hi, counts[k] + 1).astype(a.dtype).astype(np.float64))
    w = None if weight is None else weight._data.reshape(-1)
    hist, _ = np.histogramdd(pts, edges, weights=w, density=density)
    return return_types.histogramdd(_make(hist.astype(a.dtype)),
                                    [_make(e.astype(a.dtype)) for e in edges])


def fill_diagonal_(self, fill_value, wrap=False):
    """Write ``fill_value`` on the main diagonal (all dims equal, or a tall 2-d matrix with
    ``wrap`` restarting the diagonal every ``cols + 1`` rows)."""
    a = self._data
    if a.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if a.ndim > 2 and len(set(a.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")

    mask = np.zeros(a.shape, dtype=bool)
    if a.ndim == 2:
        np.fill_diagonal(mask, True, wrap=wrap)
    else:
        idx = np.arange(a.shape[0])
        mask[(idx,) * a.ndim] = True
    return apply_inplace(self, lambda t: t.masked_fill(_make(mask), fill_value), (), {})


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """Reduce the slices of ``source`` into ``input``'s slices ``index`` along ``dim`` with
    ``reduce`` (prod, mean, amax, amin)."""
    from ember.ops.scatter_gather import scatter_reduce

    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           "amin but got %s." % reduce)
    d = wrap_dim(dim, builtins.max(1, input.dim()))
    if index.dim() > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    same = source.dim() == input.dim() and all(
        source.shape[k] == input.shape[k] for k in builtins.range(input.dim()) if k != d)
    if not same or (source.dim() and source.shape[d] != index.numel()):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           "specified dimension. Got self.shape = %s source.shape = %s"
                           % (shape_str(input.shape), shape_str(source.shape)))
    shape = [1] * source.dim()
    if source.dim():
        shape[d] = -1
    idx = index.reshape(shape).expand(source.shape) if source.dim() else index.reshape(())
    return scatter_reduce(input, d, idx, source, reduce, include_self=include_self)


def _index_reduce_samples(dtype):
    idx = T(4, values=[0, 2, 0, 1], dtype="int64", grad=False)
    for reduce in ("prod", "mean", "amax", "amin"):
        yield SampleInput(T(3, 5), 0, idx, T(4, 5), reduce)
    yield SampleInput(T(5, 3), 1, T(4, values=[2, 0, 0, 1], dtype="int64", grad=False),
                      T(5, 4), "mean", include_self=False)


register(OpInfo("index_reduce", index_reduce, _index_reduce_samples, method=True,
                inplace="index_reduce_", dtypes=INT_FLOAT, gradgrad=False))


def _trapezoid_parts(name, y, x, dx, dim):
    """(mean of neighbouring samples, spacing) along ``dim``."""
    if y.dim() == 0:
        raise IndexError("Dimension specified as %d but tensor has no dimensions" % dim)
    if y.dtype == _dtype.bool:
        raise RuntimeError("%s: received a bool input for `y`, but bool is not supported" % name)
    d = wrap_dim(dim, y.dim())
    n = y.shape[d]
    if n == 0 and name == "trapezoid":
        return None, None, d
    if x is not None:
        xn = x.shape[-1] if x.dim() == 1 else x.shape[wrap_dim(dim, x.dim())]
        if xn != n:
            raise RuntimeError("%s: There must be one `x` value for each sample point" % name)
    if n == 0:
        return None, None, d
    mids = (y.narrow(d, 0, n - 1) + y.narrow(d, 1, n - 1)) / 2
    if x is None:
        return mids, 1 if dx is None else dx, d
    if x.dim() == 1:
        shape = [1] * y.dim()
        shape[d] = -1
        return mids, x.diff().reshape(shape), d
    return mids, x.diff(dim=d), d


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoid rule along ``dim``: spacing ``dx`` (default 1) or sample points ``x``."""
    from ember.ops.creation import zeros

    mids, steps, d = _trapezoid_parts("trapezoid", y, x, dx, dim)
    if mids is None:
        shape = tuple(y.shape[:d]) + tuple(y.shape[d + 1:])
        return zeros(shape, dtype=y.dtype)
    return (mids * steps).sum(d)


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoid rule along ``dim`` (one element shorter than ``y`` there)."""
    mids, steps, d = _trapezoid_parts("cumulative_trapezoid", y, x, dx, dim)
    if mids is None:
        return to_float(y).clone()
    return (mids * steps).cumsum(d)


def _trapezoid_samples(dtype):
    yield SampleInput(T(3, 5))
    yield SampleInput(T(3, 5), dx=0.5, dim=0)
    yield SampleInput(T(3, 5), T(5, values=[0.0, 0.5, 1.5, 2.0, 3.5]))
    yield SampleInput(T(3, 5), T(3, 5), dim=1)


for _name, _fn in (("trapezoid", trapezoid), ("trapz", trapz),
                   ("cumulative_trapezoid", cumulative_trapezoid)):
    register(OpInfo(_name, _fn, _trapezoid_samples))


def _gradient_along(f, d, coords, edge_order):
    """d f / d x along dim ``d`` at the points ``coords`` (a float64 array): second-order
    central differences inside, first- or second-order one-sided ones at the ends."""
    from ember.ops.manipulation import cat

    n = f.shape[d]
    x = coords
    shape = [1] * f.dim()
    shape[d] = -1

    def coef(values):
        return _make(np.asarray(values, dtype=f._data.dtype).reshape(shape))

    def at(start, length):
        return f.narrow(d, start, length)

    hd, hs = x[1:-1] - x[:-2], x[2:] - x[1:-1]
    inner = (at(0, n - 2) * coef(-hs / (hd * (hd + hs)))
             + at(1, n - 2) * coef((hs - hd) / (hd * hs))
             + at(2, n - 2) * coef(hd / (hs * (hd + hs))))
    if edge_order == 1:
        first = (at(1, 1) - at(0, 1)) * coef([1.0 / (x[1] - x[0])])
        last = (at(n - 1, 1) - at(n - 2, 1)) * coef([1.0 / (x[-1] - x[-2])])
    else:
        d1, d2 = x[1] - x[0], x[2] - x[1]
        first = (at(0, 1) * coef([-(2 * d1 + d2) / (d1 * (d1 + d2))])
                 + at(1, 1) * coef([(d1 + d2) / (d1 * d2)])
                 + at(2, 1) * coef([-d1 / (d2 * (d1 + d2))]))
        d1, d2 = x[-2] - x[-3], x[-1] - x[-2]
        last = (at(n - 3, 1) * coef([d2 / (d1 * (d1 + d2))])
                + at(n - 2, 1) * coef([-(d2 + d1) / (d1 * d2)])
                + at(n - 1, 1) * coef([(2 * d2 + d1) / (d2 * (d1 + d2))]))
    return cat([first, inner, last], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """The derivative of ``input`` along each of ``dim`` (all dims by default), estimated with
    central differences: one tensor per dim. ``spacing`` is one step for all dims, one step per
    dim, or the sample coordinates (1-d tensors) per dim."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    nd = input.dim()
    dims = list(builtins.range(nd)) if dim is None else \
        [dim] if isinstance(dim, (builtins.int, np.integer)) else list(dim)
    dims = [wrap_dim(d, nd) for d in dims]
    if isinstance(spacing, (builtins.int, builtins.float)) or (
            isinstance(spacing, Tensor) and spacing.dim() == 0):
        spacing = [spacing] * len(dims)
    spacing = list(spacing)
    if len(spacing) != len(dims):
        raise RuntimeError("torch.gradient expected spacing to be unspecified, a scalar or it's "
                           "spacing and dim arguments to have the same length, but got a "
                           "spacing argument of length %d and a dim argument of length %d."
                           % (len(spacing), len(dims)))
    kind = input._data.dtype.kind
    if kind == "u":
        raise RuntimeError("torch.gradient does not support uint8 input.")
    if kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    input = to_float(input)
    out = []
    for d, step in zip(dims, spacing):
        n = input.shape[d]
        if n < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
        if isinstance(step, Tensor) and step.dim() == 1:
            coords = step._data.astype(np.float64)
        else:
            h = step.item() if isinstance(step, Tensor) else step
            coords = np.arange(n, dtype=np.float64) * h
        out.append(_gradient_along(input, d, coords, edge_order))
    return tuple(out)


def _gradient_samples(dtype):
    yield SampleInput(T(4, 5))
    yield SampleInput(T(4, 5), spacing=0.5, dim=1, edge_order=2)
    yield SampleInput(T(4, 5), spacing=[2.0, 0.5])
    yield SampleInput(T(5), spacing=[T(5, values=[0.0, 0.5, 1.5, 2.0, 3.5], grad=False)])
    yield SampleInput(T(3, 5), spacing=(T(5, values=[0.0, 1.0, 1.5, 3.0, 4.0], grad=False),),
                      dim=1, edge_order=2)


register(OpInfo("gradient", gradient, _gradient_samples))


def binomial(count, prob, generator=None):
    """Draws of Binomial(count, prob), elementwise (float tensors of the same shape)."""
    from ember.random import default_generator

    for name, t in (("count", count), ("prob", prob)):
        if t._data.dtype.kind != "f":
            raise ValueError("binomial only supports floating-point dtypes for %s, got: %s"
                             % (name, dtype_word(t._data.dtype)))
    rng = (generator or default_generator)._rng
    draws = rng.binomial(count._data.astype(np.int64), np.clip(prob._data, 0, 1))
    return _make(draws.astype(count._data.dtype))


for _name in ("isin", "unravel_index", "nonzero_static", "unique_consecutive", "histogram",
              "histogramdd", "binomial"):
    not_differentiable(_name, "tests/ops/test_other.py")
del _name
Tensor.fill_diagonal_ = fill_diagonal_
Tensor.nonzero_static = nonzero_static
Tensor.unique_consecutive = unique_consecutive
Tensor.histogram = histogram
