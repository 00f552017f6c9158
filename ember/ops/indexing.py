"""Indexing: ``__getitem__`` / ``__setitem__`` with autograd, gather, the scatter family,
index_select and the ``index_*`` writes, index_put, the masked ops, take, take_along_dim, put,
nonzero.

Basic indices (ints, slices, None, Ellipsis) give views; integer-tensor and boolean-mask
indices give copies. Backward of a read is a write into zeros that accumulates repeated
indices; backward of that write is a read again, so every order of derivative exists.
"""
import builtins

from ember import _dtype as D
from ember._backend import np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node
from ember.autograd.grad_mode import _State
from ember.ops._util import cast, shape_str, sum_to_shape, wrap_dim
from ember.ops.registry import ALL, ErrorInput, OpInfo, SampleInput, T, register
from ember.ops.shape import as_view


def _convert_index(idx, shape):
    """Turn an index into one NumPy understands, with torch's checks and error messages.

    Returns (index, is_basic): basic indices select a view.
    """
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    basic = True
    dim = 0
    n_ell = builtins.sum(1 for i in idx if i is Ellipsis)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = builtins.sum(
        (i._data.ndim if isinstance(i, Tensor) and i._data.dtype.kind == "b" else
         np.asarray(i).ndim if isinstance(i, (list, np.ndarray)) and np.asarray(i).dtype == bool
         else 0 if i is None or i is Ellipsis else 1) for i in idx)
    if consumed > len(shape):
        raise IndexError("too many indices for tensor of dimension %d" % len(shape))
    for i in idx:
        if i is None:
            out.append(None)
            continue
        if i is Ellipsis:
            out.append(Ellipsis)
            dim = len(shape) - (consumed - dim)
            continue
        if isinstance(i, builtins.bool):
            out.append(i)
            basic = False
            continue
        if isinstance(i, (builtins.int, np.integer)):
            size = shape[dim]
            if i < -size or i >= size:
                raise IndexError("index %d is out of bounds for dimension %d with size %d"
                                 % (i, dim, size))
            out.append(builtins.int(i))
            dim += 1
            continue
        if isinstance(i, slice):
            if i.step is not None and _as_int(i.step) <= 0:
                raise ValueError("step must be greater than zero")
            out.append(slice(_opt_int(i.start), _opt_int(i.stop), _opt_int(i.step)))
            dim += 1
            continue
        if isinstance(i, Tensor):
            arr = i._data
        else:
            arr = np.asarray(i)
            if arr.dtype == object:
                raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long "
                                 "or byte Variables are valid indices (got %s)"
                                 % type(i).__name__)
            if arr.size == 0 and arr.dtype.kind == "f":
                arr = arr.astype(np.int64)
        basic = False
        if arr.dtype.kind == "b":
            for k in range(arr.ndim):
                if arr.shape[k] != shape[dim + k]:
                    raise IndexError("The shape of the mask [%s] at index %d does not match the "
                                     "shape of the indexed tensor [%s] at index %d" % (
                                         ", ".join(map(str, arr.shape)), k,
                                         ", ".join(map(str, shape)), dim + k))
            out.append(arr)
            dim += arr.ndim
            continue
        if arr.dtype.kind not in "iu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        size = shape[dim]
        if arr.size and (arr.max() >= size or arr.min() < -size):
            bad = arr.max() if arr.max() >= size else arr.min()
            raise IndexError("index %d is out of bounds for dimension %d with size %d"
                             % (bad, dim, size))
        out.append(arr)
        dim += 1
    return tuple(out), basic


def _as_int(x):
    return builtins.int(x.item()) if isinstance(x, Tensor) else builtins.int(x)


def _opt_int(x):
    return None if x is None else _as_int(x)


class Index(Node):
    """``a[idx]``: a view for basic indices, a gather for advanced ones."""

    def forward(ctx, a, idx, basic):
        ctx.in_shape, ctx.idx, ctx.basic = a.shape, idx, basic
        return a[idx]

    def backward(ctx, g):
        return IndexBackward.apply((g,), ctx.idx, ctx.in_shape, ctx.basic)

    def name(self):
        if not self.basic:
            return "IndexBackward0"
        parts = [i for i in self.idx if i is not None and i is not Ellipsis]
        if parts and isinstance(parts[-1], slice):
            return "SliceBackward0"
        if parts:
            return "SelectBackward0"
        return "AliasBackward0"


class IndexBackward(Node):
    """Scatter ``g`` into zeros of ``shape`` at ``idx``, summing repeated indices."""

    def forward(ctx, g, idx, shape, basic):
        ctx.idx, ctx.basic = idx, basic
        out = np.zeros(shape, dtype=g.dtype)
        if basic or not builtins.any(isinstance(i, np.ndarray) and i.dtype.kind in "iu"
                                     for i in idx):
            out[idx] = g  # slices and masks select each element at most once
        elif len(idx) == 1 and idx[0].ndim == 1:
            _index_add(out, 0, idx[0] % shape[0], g)  # x[rows]: an embedding-style read
        else:
            np.add.at(out, idx, g)
        return out

    def backward(ctx, gg):
        return Index.apply((gg,), ctx.idx, ctx.basic)


def getitem(self, idx):
    if isinstance(idx, Tensor) and idx._data.ndim == 0 and idx._data.dtype.kind in "iu":
        idx = builtins.int(idx._data)
    nidx, basic = _convert_index(idx, self._data.shape)
    if self._data.ndim == 0 and basic and nidx not in ((), (Ellipsis,), (None,)):
        if not builtins.all(i is None or i is Ellipsis for i in nidx):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    out = Index.apply((self,), nidx, basic)
    return as_view(out, self) if basic else out


class SetItem(Node):
    """``a[idx] = v`` recorded in place: the old ``a`` loses the gradient at ``idx``."""

    def forward(ctx, a, v, idx):
        ctx.idx, ctx.v_shape = idx, v.shape
        mask = np.zeros(a.shape, dtype=bool)
        mask[idx] = True
        ctx.keep = ~mask
        a[idx] = v
        return a

    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = g * _make(ctx.keep) if need[0] else None
        gv = None
        if need[1]:
            gv = Index.apply((g,), ctx.idx, False)
            if tuple(gv._data.shape) != ctx.v_shape:
                gv = sum_to_shape(gv, ctx.v_shape)
        return ga, gv


def setitem(self, idx, value):
    """``self[idx] = value`` with broadcasting, casting to self's dtype and autograd."""
    nidx, basic = _convert_index(idx, self._data.shape)
    if isinstance(value, Tensor):
        v = value if value._data.dtype == self._data.dtype else cast(value, self.dtype)
    else:
        v = _make(np.asarray(value, dtype=self._data.dtype))
    try:
        target = np.broadcast_shapes(v._data.shape, self._data[nidx].shape)
    except ValueError:
        raise RuntimeError("shape mismatch: value tensor of shape %s cannot be broadcast to "
                           "indexing result of shape %s" % (shape_str(v._data.shape),
                                                             shape_str(self._data[nidx].shape))
                           ) from None
    del target
    recording = _State.enabled and (self._requires_grad or v._requires_grad)
    if not recording:
        self._data[nidx] = v._data
        self._bump_version()
        return
    from ember.ops.inplace import check_inplace_allowed

    if self._grad_fn is None and self._requires_grad:
        # torch writes basic indices through a view of self (hence "a view of"), advanced ones
        # with index_put_ on self itself.
        raise RuntimeError("a %sleaf Variable that requires grad is being used in an in-place "
                           "operation." % ("view of a " if basic else ""))
    check_inplace_allowed(self)
    res = SetItem.apply((self, v), nidx)
    self._bump_version()
    self._grad_fn = res._grad_fn
    self._requires_grad = True
    self._output_nr = 0


class Gather(Node):
    def forward(ctx, a, index, dim):
        ctx.in_shape, ctx.dim = a.shape, dim
        full = _full_index(index, dim)
        ctx.full = full
        return a[full]

    def backward(ctx, g):
        return ScatterAddZeros.apply((g,), ctx.full, ctx.in_shape)


class ScatterAddZeros(Node):
    """zeros(shape) with ``g`` added at ``full`` (a NumPy fancy index); backward gathers."""

    def forward(ctx, g, full, shape):
        ctx.full = full
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, full, g)
        return out

    def backward(ctx, gg):
        return Index.apply((gg,), ctx.full, False)


def _full_index(index, dim):
    """A fancy index selecting ``index`` along ``dim`` and the position in the others."""
    grids = np.ogrid[tuple(slice(0, s) for s in index.shape)]
    grids = list(grids) if isinstance(grids, (list, tuple)) else [grids]
    grids[dim] = index
    return tuple(grids)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values along ``dim`` at ``index`` (``out[i][j] = input[index[i][j]][j]`` for dim 0)."""
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError("gather(): Expected dtype int64 for index")
    if idx.ndim != max(nd, 1) and not (nd == 0 and idx.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k in range(idx.ndim):
        if k != d and idx.shape[k] > input._data.shape[k]:
            raise RuntimeError("Size does not match at dimension %d expected index %s to be "
                               "smaller than self %s apart from dimension %d" % (
                                   k, shape_str(idx.shape), shape_str(input._data.shape), d))
    if idx.size and (idx.max() >= input._data.shape[d] or idx.min() < -input._data.shape[d]):
        raise RuntimeError("index %d is out of bounds for dimension %d with size %d"
                           % (idx.max() if idx.max() >= input._data.shape[d] else idx.min(), d,
                              input._data.shape[d]))
    return Gather.apply((input,), idx, d)


def _getitem_samples(dtype):
    yield SampleInput(T(4, 5), 1, name="int")
    yield SampleInput(T(4, 5), (slice(1, 3), slice(None, None, 2)), name="slices")
    yield SampleInput(T(4, 5), (Ellipsis, None, -1), name="ellipsis none")
    yield SampleInput(T(4, 5), T(3, dtype="int64", low=0, high=4, grad=False), name="int tensor")
    yield SampleInput(T(4, 5), T(values=[0, 2, 0], dtype="int64", grad=False), name="repeated")
    yield SampleInput(T(4, 5), T(4, 5, dtype="bool", grad=False), name="mask")
    yield SampleInput(T(4, 5), (slice(None), [0, 3, 3]), name="list")
    yield SampleInput(T(6, 5, noncontig=True), (slice(1, None), 2), name="noncontig")


def _getitem_errors():
    yield ErrorInput(SampleInput(T(4, 5), 4), IndexError,
                     "index 4 is out of bounds for dimension 0 with size 4")
    yield ErrorInput(SampleInput(T(4, 5), (0, 0, 0)), IndexError,
                     "too many indices for tensor of dimension 2")


def _gather_samples(dtype):
    yield SampleInput(T(3, 4), 1, T(values=[[0, 1], [3, 3], [2, 0]], dtype="int64", grad=False))
    yield SampleInput(T(3, 4), 0, T(values=[[0, 1, 2, 2]], dtype="int64", grad=False))
    yield SampleInput(T(3, 4), -1, T(values=[[1], [0], [3]], dtype="int64", grad=False))


def _gather_errors():
    yield ErrorInput(SampleInput(T(3, 4), 1, T(values=[[0, 4]], dtype="int64", grad=False)),
                     RuntimeError, "out of bounds")


register(OpInfo("__getitem__", getitem, _getitem_samples, _getitem_errors,
                torch_name="Tensor.__getitem__", dtypes=ALL))
register(OpInfo("gather", gather, _gather_samples, _gather_errors, method=True, dtypes=ALL))


# --- helpers ----------------------------------------------------------------------------------

def _type_word(dt):
    from ember._tensor_str import legacy_type_name

    return legacy_type_name(D.from_numpy_dtype(dt)).split(".")[-1].replace("Tensor", "")


def _along(a, d):
    """``a`` with dim ``d`` moved first (a view), so ``_along(a, d)[idx]`` indexes dim ``d``."""
    return np.moveaxis(a, d, 0) if d else a


def _index_add(out, d, idx, src):
    """``out[..., idx[i], ...] += src[..., i, ...]`` along ``d``, summing repeated indices.

    Sorting and ``np.add.reduceat`` sum the rows of a repeated index in one pass; ``np.add.at``
    is many times slower on the rows of an embedding gradient.
    """
    if idx.size == 0:
        return
    o, s = _along(out, d), _along(src, d)
    order = np.argsort(idx, kind="stable")
    sidx = idx[order]
    first = np.empty(sidx.size, dtype=bool)
    first[0] = True
    np.not_equal(sidx[1:], sidx[:-1], out=first[1:])
    if first.all():
        o[idx] += s
        return
    starts = np.flatnonzero(first)
    o[sidx[starts]] += np.add.reduceat(s[order], starts, axis=0, dtype=o.dtype)


def _value_tensor(value, like, fname, check_range=False):
    """A 0-d tensor of ``like``'s dtype for a fill value (a number or a 0-d tensor)."""
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError("%s only supports a 0-dimensional value tensor, but got tensor "
                               "with %d dimension(s)." % (fname, value._data.ndim))
        return value if value._data.dtype == like._data.dtype else cast(value, like.dtype)
    dt = like._data.dtype
    if check_range and dt.kind in "iu" and not np.iinfo(dt).min <= value <= np.iinfo(dt).max:
        raise RuntimeError("value cannot be converted to type %s_t without overflow" % dt.name)
    return _make(np.asarray(value).astype(dt))


def _check_bounds(idx, size, dim, error=RuntimeError, prefix=""):
    if idx.size and (idx.max() >= size or idx.min() < -size):
        bad = idx.max() if idx.max() >= size else idx.min()
        raise error("%sindex %d is out of bounds for dimension %d with size %d"
                    % (prefix, bad, dim, size))


def _keep_mask(shape, dtype, where):
    keep = np.ones(shape, dtype=dtype)
    keep[where] = 0
    return _make(keep)


# --- scatter ----------------------------------------------------------------------------------

def _check_scatter(fname, input, d, idx, src_shape):
    nd = input._data.ndim
    if idx.dtype != np.int64:
        raise RuntimeError("%s(): Expected dtype int64 for index" % fname)
    if idx.ndim != nd and not (nd == 0 and idx.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if src_shape is not None and idx.ndim != len(src_shape) and idx.size:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    shape = input._data.shape
    for k in range(idx.ndim if nd else 0):
        if (k != d and idx.shape[k] > shape[k]) or (
                src_shape is not None and idx.shape[k] > src_shape[k]):
            raise RuntimeError("Expected index %s to be no larger than self %s apart from "
                               "dimension %d%s" % (shape_str(idx.shape), shape_str(shape), d,
                                                   "" if src_shape is None else
                                                   " and to be no larger size than src %s"
                                                   % shape_str(src_shape)))
    _check_bounds(idx, shape[d] if nd else 1, d)


def _scatter_args(fname, input, dim, index, src):
    d = wrap_dim(dim, input._data.ndim)
    idx = index._data
    src_shape = src._data.shape if isinstance(src, Tensor) else None
    _check_scatter(fname, input, d, idx, src_shape)
    if isinstance(src, Tensor) and src._data.dtype != input._data.dtype:
        raise RuntimeError("%s(): Expected self.dtype to be equal to src.dtype" % fname)
    if input._data.ndim == 0:
        idx = idx.reshape(())
    full = _full_index(idx % (input._data.shape[d] if input._data.ndim else 1), d) \
        if idx.ndim else ()
    part = tuple(slice(0, s) for s in idx.shape)
    return full, part


class Scatter(Node):
    """``input`` with ``src`` (or the 0-d ``value``) written at ``index`` along a dim."""

    def forward(ctx, a, src, full, part, reduce):
        ctx.full, ctx.part, ctx.src_shape, ctx.reduce = full, part, src.shape, reduce
        out = a.copy()
        vals = src[part] if src.ndim else src
        if reduce is None:
            out[full] = vals
        else:
            (np.add if reduce == "add" else np.multiply).at(out, full, vals)
        return out

    def backward(ctx, g):
        if ctx.reduce is not None:
            raise RuntimeError("derivative for aten::scatter is not implemented")
        need = ctx.needs_input_grad
        ga = g * _keep_mask(g._data.shape, g._data.dtype, ctx.full) if need[0] else None
        gs = None
        if need[1]:
            gs = Index.apply((g,), ctx.full, False)
            if len(ctx.src_shape) == 0:
                gs = gs.sum()
            elif gs._data.shape != ctx.src_shape:
                gs = IndexBackward.apply((gs,), ctx.part, ctx.src_shape, True)
        return ga, gs


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """Write ``src`` (a tensor or a number) into a copy of ``input`` at ``index`` along ``dim``
    (``out[index[i][j]][j] = src[i][j]`` for dim 0); ``reduce`` adds or multiplies instead."""
    if src is None:
        src = value
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    full, part = _scatter_args("scatter", input, dim, index, src)
    if not isinstance(src, Tensor):
        src = _make(np.asarray(src).astype(input._data.dtype))
    return Scatter.apply((input, src), full, part, reduce)


class ScatterAdd(Node):
    def forward(ctx, a, src, full, part):
        ctx.full, ctx.part, ctx.src_shape = full, part, src.shape
        out = a.copy()
        np.add.at(out, full, src[part])
        return out

    def backward(ctx, g):
        gs = None
        if ctx.needs_input_grad[1]:
            gs = Index.apply((g,), ctx.full, False)
            if gs._data.shape != ctx.src_shape:
                gs = IndexBackward.apply((gs,), ctx.part, ctx.src_shape, True)
        return g, gs


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeats accumulate)."""
    full, part = _scatter_args("scatter_add", input, dim, index, src)
    return ScatterAdd.apply((input, src), full, part)


_REDUCERS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum,
             "mean": np.add}


class ScatterReduce(Node):
    save = (0, 1)
    save_output = True

    def forward(ctx, a, src, full, part, reduce, include_self):
        ctx.full, ctx.part, ctx.reduce, ctx.include_self = full, part, reduce, include_self
        out = a.copy()
        vals = src[part]
        hit = np.zeros(a.shape, dtype=bool)
        hit[full] = True
        ctx.hit = hit
        if not include_self:
            out[hit] = {"sum": 0, "mean": 0, "prod": 1}.get(reduce, 0)
            if reduce in ("amax", "amin"):
                out[full] = vals  # any member of the group: the reduction starts from it
        _REDUCERS[reduce].at(out, full, vals)
        if reduce == "mean":
            count = np.zeros(a.shape, dtype=np.int64)
            np.add.at(count, full, 1)
            count += 1 if include_self else 0
            ctx.count = np.maximum(count, 1).astype(a.dtype) if a.dtype.kind == "f" else None
            if a.dtype.kind == "f":
                out /= ctx.count
            else:
                np.floor_divide(out, np.maximum(count, 1), out=out)
        return out

    def backward(ctx, g):
        a, src, out = ctx.saved_tensors
        full, part, reduce = ctx.full, ctx.part, ctx.reduce
        dt = g._data.dtype
        self_mask = _make((~ctx.hit | ctx.include_self).astype(dt))
        if reduce == "sum":
            ga, gsrc = g * self_mask, Index.apply((g,), full, False)
        elif reduce == "mean":
            gc = g / _make(ctx.count)
            ga, gsrc = gc * self_mask, Index.apply((gc,), full, False)
        elif reduce in ("amax", "amin"):
            vals = src._data[part]
            picked_self = (a._data == out._data) & self_mask._data.astype(bool)
            picked_src = vals == out._data[full]
            count = picked_self.astype(dt)
            np.add.at(count, full, picked_src)
            gc = g / _make(count)
            ga = gc * _make(picked_self.astype(dt))
            gsrc = Index.apply((gc,), full, False) * _make(picked_src.astype(dt))
        else:
            ga, gsrc = _prod_grads(g, a, src, out, full, part, self_mask)
        if gsrc._data.shape != src._data.shape:
            gsrc = IndexBackward.apply((gsrc,), part, src._data.shape, True)
        return ga, gsrc


def _prod_grads(g, a, src, out, full, part, self_mask):
    """d(product)/d(member) = product of the other members: ``out / x``, or at a zero member
    the product of the group's non-zero members when that zero is the group's only one (built
    with ember ops, so that it differentiates again)."""
    from ember.ops.elementwise import where

    vals = src._data[part]
    use_self = self_mask._data.astype(bool)
    zeros = (use_self & (a._data == 0)).astype(np.int64)
    np.add.at(zeros, full, vals == 0)
    one = _make(np.ones((), g._data.dtype))
    nonzero_prod = ScatterReduce.apply(
        (where(_make(~use_self | (a._data == 0)), one, a), where(_make(src._data == 0), one, src)),
        full, part, "prod", True)
    other = where(_make(zeros == 1), nonzero_prod, one * 0)
    ga = _others_product_grad(g, out, a, other) * self_mask
    gsrc = _others_product_grad(Index.apply((g,), full, False), Index.apply((out,), full, False),
                                Index.apply((src,), part, True), Index.apply((other,), full, False))
    return ga, gsrc


def _others_product_grad(g, out, x, other):
    from ember.ops.elementwise import where

    is_zero = _make(x._data == 0)
    safe = where(is_zero, _make(np.ones((), x._data.dtype)), x)
    return where(is_zero, g * other, g * out / safe)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce ``src`` into a copy of ``input`` at ``index`` along ``dim`` with ``reduce`` (sum,
    prod, mean, amax, amin); ``include_self=False`` leaves ``input``'s value out of the groups
    that receive any element."""
    if reduce not in _REDUCERS:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got %s"
                           % reduce)
    full, part = _scatter_args("scatter_reduce", input, dim, index, src)
    return ScatterReduce.apply((input, src), full, part, reduce, builtins.bool(include_self))


# --- index_select and the index_* writes ------------------------------------------------------

def _index_arg(fname, index, input, d, bounds_error=IndexError, wrap=False):
    """The 1-d int64 index array of an ``index_*`` op, checked (negative entries wrapped when
    torch allows them)."""
    idx = index._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError("%s(): Expected dtype int32/int64 for index but got: %s"
                           % (fname, _type_word(idx.dtype)))
    if idx.ndim > 1:
        raise IndexError("%s(): Index is supposed to be a vector" % fname)
    idx = idx.reshape(-1).astype(np.int64, copy=False)
    size = input._data.shape[d] if input._data.ndim else 1
    low = -size if wrap else 0
    if idx.size and (idx.max() >= size or idx.min() < low):
        bad = idx.max() if idx.max() >= size else idx.min()
        if fname == "index_select":
            raise IndexError("index out of range in self")
        raise bounds_error("index %d is out of bounds for dimension %d with size %d"
                           % (bad, d, size))
    return np.where(idx < 0, idx + size, idx) if wrap and idx.size and idx.min() < 0 else idx


class IndexSelect(Node):
    def forward(ctx, a, idx, d):
        ctx.idx, ctx.d, ctx.n = idx, d, a.shape[d]
        return np.take(a, idx, axis=d)

    def backward(ctx, g):
        return IndexAddZeros.apply((g,), ctx.idx, ctx.d, ctx.n)


class IndexAddZeros(Node):
    """Zeros with ``g``'s slices added at ``idx`` along ``d`` (index_select's backward)."""

    def forward(ctx, g, idx, d, n):
        ctx.idx, ctx.d = idx, d
        out = np.zeros(g.shape[:d] + (n,) + g.shape[d + 1:], dtype=g.dtype)
        _index_add(out, d, idx, g)
        return out

    def backward(ctx, gg):
        return IndexSelect.apply((gg,), ctx.idx, ctx.d)


def index_select(input, dim, index, *, out=None):
    """The slices of ``input`` at ``index`` (a vector) along ``dim``."""
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    if index._data.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    idx = _index_arg("index_select", index, input, d)
    if nd == 0:
        from ember.ops.shape import reshape

        if idx.size != 1:
            raise IndexError("index_select(): Index to scalar can have only 1 value, got %d "
                             "value(s)" % idx.size)
        return reshape(IndexSelect.apply((reshape(input, (1,)),), idx, 0), ())
    return IndexSelect.apply((input,), idx, d)


def _check_source(fname, input, d, idx, source):
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("%s(): self (%s) and source (%s) must have the same scalar type"
                           % (fname, _type_word(input._data.dtype),
                              _type_word(source._data.dtype)))
    ss, si = source._data.shape, input._data.shape
    if len(ss) != len(si) or builtins.any(a != b for k, (a, b) in enumerate(zip(ss, si))
                                          if k != d):
        if not (len(si) <= 1 and len(ss) <= 1):
            raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                               "specified dimension. Got self.shape = %s source.shape = %s"
                               % (shape_str(si), shape_str(ss)))
    n = ss[d] if ss else 1
    if idx.size != n:
        raise RuntimeError("%s(): Number of indices (%d) should be equal to source.size(dim): "
                           "(%d), for dim: %d" % (fname, idx.size, n, d))


class IndexAdd(Node):
    def forward(ctx, a, src, idx, d, alpha):
        ctx.idx, ctx.d, ctx.alpha = idx, d, alpha
        out = a.copy()
        shaped = src.reshape(src.shape if a.ndim else (1,))
        view = out.reshape(a.shape if a.ndim else (1,))
        _index_add(view, d, idx, shaped * alpha if alpha != 1 else shaped)
        return out

    def backward(ctx, g):
        gs = None
        if ctx.needs_input_grad[1]:
            gs = _index_select_any(g, ctx.d, ctx.idx)
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
        return g, gs


def _index_select_any(g, d, idx):
    if g._data.ndim:
        return IndexSelect.apply((g,), idx, d)
    return g


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source``'s slices added at ``index`` along ``dim``."""
    d = wrap_dim(dim, input._data.ndim)
    idx = _index_arg("index_add", index, input, d, RuntimeError)
    _check_source("index_add_", input, d, idx, source)
    return IndexAdd.apply((input, source), idx, d, alpha)


class IndexCopy(Node):
    def forward(ctx, a, src, idx, d):
        ctx.idx, ctx.d = idx, d
        out = a.copy()
        view = out.reshape(a.shape if a.ndim else (1,))
        _along(view, d)[idx] = _along(src.reshape(src.shape if a.ndim else (1,)), d)
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = IndexFill.apply((g, _make(np.zeros((), g._data.dtype))), ctx.idx, ctx.d) \
            if need[0] else None
        return ga, _index_select_any(g, ctx.d, ctx.idx) if need[1] else None


def index_copy(input, dim, index, source):
    """A copy of ``input`` with its slices at ``index`` along ``dim`` replaced by ``source``'s."""
    d = wrap_dim(dim, input._data.ndim)
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError("index_copy_(): Expected a long tensor for index, but got %s"
                           % _type_word(idx.dtype))
    idx = _index_arg("index_copy_", index, input, d, IndexError)
    n = source._data.shape[d] if source._data.ndim else 1
    if idx.size != n:
        raise IndexError("index_copy_(): Number of indices (%d) should be equal to "
                         "source.size(dim) (%d)" % (idx.size, n))
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("index_copy_(): self and source expected to have the same dtype, but "
                           "got (self) %s and (source) %s" % (_type_word(input._data.dtype),
                                                              _type_word(source._data.dtype)))
    return IndexCopy.apply((input, source), idx, d)


class IndexFill(Node):
    def forward(ctx, a, value, idx, d):
        ctx.idx, ctx.d = idx, d
        out = a.copy()
        _along(out.reshape(a.shape if a.ndim else (1,)), d)[idx] = value
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = IndexFill.apply((g, _make(np.zeros((), g._data.dtype))), ctx.idx, ctx.d) \
            if need[0] else None
        gv = _index_select_any(g, ctx.d, np.unique(ctx.idx)).sum() if need[1] else None
        return ga, gv


def index_fill(input, dim, index, value):
    """A copy of ``input`` with its slices at ``index`` along ``dim`` set to ``value``."""
    d = wrap_dim(dim, input._data.ndim)
    idx = _index_arg("index_fill_", index, input, d, IndexError, wrap=True)
    return IndexFill.apply((input, _value_tensor(value, input, "index_fill_")), idx, d)


class IndexPut(Node):
    """``input`` with ``values`` written (or, accumulating, added) at an advanced index."""

    def forward(ctx, a, v, idx, accumulate):
        ctx.idx, ctx.v_shape, ctx.accumulate = idx, v.shape, accumulate
        out = a.copy()
        if accumulate:
            np.add.at(out, idx, np.broadcast_to(v, out[idx].shape))
        else:
            out[idx] = v
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = None
        if need[0]:
            ga = g if ctx.accumulate else g * _keep_mask(g._data.shape, g._data.dtype, ctx.idx)
        gv = None
        if need[1]:
            gv = Index.apply((g,), ctx.idx, False)
            if gv._data.shape != ctx.v_shape:
                gv = sum_to_shape(gv, ctx.v_shape)
        return ga, gv


def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``input[indices] = values`` (``+=`` when ``accumulate``)."""
    indices = tuple(indices)
    for k, i in enumerate(indices):
        if not isinstance(i, Tensor):
            raise TypeError("expected Tensor as element %d in argument 1, but got %s"
                            % (k, type(i).__name__))
    if values._data.dtype != input._data.dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got %s "
                           "for the destination and %s for the source."
                           % (_type_word(input._data.dtype), _type_word(values._data.dtype)))
    nidx, _ = _convert_index(indices, input._data.shape)
    target = input._data[nidx].shape
    try:
        np.broadcast_shapes(values._data.shape, target)
        if np.broadcast_shapes(values._data.shape, target) != target:
            raise ValueError
    except ValueError:
        raise RuntimeError("shape mismatch: value tensor of shape %s cannot be broadcast to "
                           "indexing result of shape %s"
                           % (shape_str(values._data.shape), shape_str(target))) from None
    return IndexPut.apply((input, values), nidx, builtins.bool(accumulate))


# --- masks ------------------------------------------------------------------------------------

def _check_mask(mask, fname):
    if mask._data.dtype != np.bool_:
        raise RuntimeError("%s only supports boolean masks, but got mask with dtype %s"
                           % (fname, _type_word(mask._data.dtype).lower()))


def _dtype_name(dt):
    return str(D.from_numpy_dtype(dt)).split(".")[-1]


def _broadcast(a, b):
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        from ember.ops._util import broadcast_shapes_error

        raise broadcast_shapes_error(a, b) from None


class MaskedFill(Node):
    def forward(ctx, a, value, mask):
        ctx.mask, ctx.a_shape = mask, a.shape
        return np.where(mask, value, a)

    def backward(ctx, g):
        need = ctx.needs_input_grad
        dt = g._data.dtype
        ga = sum_to_shape(g * _make(~ctx.mask), ctx.a_shape) if need[0] else None
        gv = (g * _make(np.broadcast_to(ctx.mask, g._data.shape).astype(dt))).sum() \
            if need[1] else None
        return ga, gv


def masked_fill(input, mask, value):
    """``input`` with ``value`` (a number or 0-d tensor) where ``mask`` (broadcast) is True."""
    _check_mask(mask, "masked_fill_")
    _broadcast(input._data.shape, mask._data.shape)
    return MaskedFill.apply((input, _value_tensor(value, input, "masked_fill_", True)), mask._data)


def masked_select(input, mask):
    """The 1-d tensor of ``input``'s elements where ``mask`` (both broadcast) is True."""
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    from ember.ops.shape import expand

    shape = _broadcast(input._data.shape, mask._data.shape)
    return Index.apply((expand(input, shape),), (np.broadcast_to(mask._data, shape),), False)


class MaskedScatter(Node):
    def forward(ctx, a, src, mask):
        shape = np.broadcast_shapes(a.shape, mask.shape)
        mask = np.broadcast_to(mask, shape)
        ctx.mask, ctx.a_shape, ctx.src_shape = mask, a.shape, src.shape
        out = np.array(np.broadcast_to(a, shape))
        k = builtins.int(mask.sum())
        ctx.k = k
        out[mask] = src.reshape(-1)[:k]
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        ga = sum_to_shape(g * _make(~ctx.mask), ctx.a_shape) if need[0] else None
        gs = None
        if need[1]:
            picked = Index.apply((g,), (ctx.mask,), False)
            n = 1
            for s in ctx.src_shape:
                n *= s
            gs = IndexBackward.apply((picked,), (slice(0, ctx.k),), (n,), True)
            gs = gs.reshape(ctx.src_shape)
        return ga, gs


def masked_scatter(input, mask, source):
    """``input`` with ``source``'s leading elements written, in order, where ``mask`` is
    True."""
    _check_mask(mask, "masked_scatter_")
    shape = _broadcast(input._data.shape, mask._data.shape)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("masked_scatter_: expected self and source to have same dtypes but "
                           "got %s and %s" % (_type_word(input._data.dtype),
                                              _type_word(source._data.dtype)))
    if source._data.size < np.broadcast_to(mask._data, shape).sum():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return MaskedScatter.apply((input, source), mask._data)


# --- flat and per-dim gathers -----------------------------------------------------------------

def _flat_index(fname, input, index):
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError("%s(): Expected a long tensor for index, but got %s"
                           % (fname, _type_word(idx.dtype)))
    n = input._data.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx.max() if idx.max() >= n else idx.min()
        raise IndexError("out of range: tried to access index %d on a tensor of %d elements."
                         % (bad, n))
    return np.where(idx < 0, idx + n, idx) if idx.size and idx.min() < 0 else idx


def take(input, index):
    """``input`` read as a 1-d tensor, at ``index`` (result has ``index``'s shape)."""
    from ember.ops.shape import reshape

    idx = _flat_index("take", input, index)
    return Index.apply((reshape(input, (-1,)),), (idx,), False)


def take_along_dim(input, indices, dim=None, *, out=None):
    """Values at ``indices`` along ``dim`` with the other dims broadcast (flattened when
    ``dim`` is None), as NumPy's ``take_along_axis``."""
    from ember.ops.shape import expand, reshape

    if indices._data.dtype != np.int64:
        raise RuntimeError("torch.take_along_dim(): dtype of indices should be Long but got %s"
                           % _type_word(indices._data.dtype))
    if dim is None:
        input, indices = reshape(input, (-1,)), reshape(indices, (-1,))
        dim = 0
    nd = input._data.ndim
    if indices._data.ndim != nd:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same "
                           "number of dimensions, but got %d dimensions for input, and %d "
                           "dimensions for indices" % (nd, indices._data.ndim))
    d = wrap_dim(dim, nd)
    si, sx = list(input._data.shape), list(indices._data.shape)
    si[d] = sx[d] = 1
    shape = list(_broadcast(tuple(si), tuple(sx)))
    shape_in, shape_idx = list(shape), list(shape)
    shape_in[d], shape_idx[d] = input._data.shape[d], indices._data.shape[d]
    idx = indices._data
    size = input._data.shape[d]
    _check_bounds(idx, size, d)
    idx = np.broadcast_to(np.where(idx < 0, idx + size, idx), tuple(shape_idx))
    return Gather.apply((expand(input, tuple(shape_in)),), idx, d)


def put(input, index, source, accumulate=False):
    """A copy of ``input``, read as 1-d, with ``source``'s elements written (or added) at
    ``index``."""
    idx = _flat_index("put", input, index).reshape(-1)
    if source._data.size != idx.size:
        raise IndexError("put_(): Expected source and index to have the same number of "
                         "elements, but got source.numel() = %d, index.numel() = %d"
                         % (source._data.size, idx.size))
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("put_(): self and source expected to have the same dtype, but got "
                           "self.dtype = %s and source.dtype = %s"
                           % (_dtype_name(input._data.dtype), _dtype_name(source._data.dtype)))
    from ember.ops.shape import reshape

    flat = reshape(input, (-1,))
    out = IndexPut.apply((flat, reshape(source, (-1,))), (idx,), builtins.bool(accumulate))
    return reshape(out, input._data.shape)


def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or one 1-d tensor per
    dim with ``as_tuple=True``."""
    a = input._data
    if as_tuple:
        return tuple(_make(i.astype(np.int64)) for i in np.nonzero(a.reshape(a.shape or (1,))))
    if a.ndim == 0:
        return _make(np.zeros((builtins.int(a != 0), 0), dtype=np.int64))
    return _make(np.argwhere(a).astype(np.int64))


def argwhere(input):
    return nonzero(input)


# --- registration of the scatter, index_*, mask and flat-index ops ----------------------------

_S, _E = SampleInput, ErrorInput


def _i(*values):
    """An int64 index tensor with ``values`` (nested lists for several dims)."""
    return T(values=values[0] if len(values) == 1 else list(values), dtype="int64", grad=False)


def _mask(*shape, values=None):
    return T(*shape, dtype="bool", grad=False, values=values)


def _samples(*samples):
    return lambda dtype: iter(samples)


def _errors(*errors):
    return lambda: iter(errors)


register(OpInfo("scatter", scatter, _samples(
    _S(T(3, 4), 1, _i([[0, 1], [2, 0], [3, 1]]), T(3, 2)),
    _S(T(3, 4), 0, _i([[0, 1, 2, 0]]), T(1, 4)),
    _S(T(3, 4), -1, _i([[1], [0], [3]]), 2),
    _S(T(3, 4), 1, _i([[0, 2]]), value=1),
    _S(T(3, 4, noncontig=True), 1, _i([[0, 2]]), T(1, 2)),
    _S(T(3, 4), 1, _i([[0, 2]]), T(2, 3, grad=False), name="src larger than index"),
    _S(T(3, 4, grad=False), 1, _i([[0, 0], [1, 1]]), T(2, 2, grad=False), reduce="add"),
    _S(T(3, 4, grad=False), 1, _i([[0, 0], [1, 1]]), 2, reduce="multiply"),
    _S(T(0, 4), 1, _i(np.zeros((0, 2), dtype=np.int64)), T(0, 2))), _errors(
    _E(_S(T(3, 4), 1, _i([[5]]), T(1, 1)), RuntimeError,
       "index 5 is out of bounds for dimension 1 with size 4"),
    _E(_S(T(3, 4), 1, _i([[0, 1], [2, 0]]), T(1, 1)), RuntimeError,
       r"Expected index \[2, 2\] to be no larger than self \[3, 4\] apart from dimension 1 and "
       r"to be no larger size than src \[1, 1\]"),
    _E(_S(T(3, 4), 1, _i([[0]]), T(1, 1), reduce="mean"), RuntimeError,
       "reduce argument must be either add or multiply")),
    method=True, inplace="scatter_", dtypes=ALL))
register(OpInfo("scatter_add", scatter_add, _samples(
    _S(T(3, 4), 1, _i([[0, 0], [2, 1], [3, 3]]), T(3, 2)),
    _S(T(3, 4), 0, _i([[0, 1, 2, 0], [0, 0, 0, 0]]), T(2, 4)),
    _S(T(3, 4, noncontig=True), -1, _i([[1], [1]]), T(2, 1)),
    _S(T(3, 4), 1, _i([[0], [1]]), T(3, 3, grad=False))), _errors(
    _E(_S(T(3, 4), 1, _i([[0, 1]]), T(1, 2, dtype="float64")), RuntimeError,
       "Expected self.dtype to be equal to src.dtype")),
    method=True, inplace="scatter_add_", dtypes=ALL))


def _scatter_reduce_samples(dtype):
    index = _i([[0, 0, 1], [2, 2, 2], [3, 1, 3]])
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            yield _S(T(3, 4), 1, index, T(3, 3), reduce, include_self=include_self)
    if dtype in ("float32", "float64"):
        yield _S(T(values=[[1.0, 0.0, 2.0, 3.0], [0.5, 2.0, -1.0, 0.0]]), 1,
                 _i([[0, 0, 3], [1, 3, 3]]), T(values=[[2.0, 3.0, 0.0], [0.0, 1.5, 4.0]]),
                 "prod", name="zeros")


register(OpInfo("scatter_reduce", scatter_reduce, _scatter_reduce_samples, _errors(
    _E(_S(T(3, 4), 1, _i([[0]]), T(1, 1), "foo"), RuntimeError,
       "reduce argument must be either sum, prod, mean, amax or amin, got foo")),
    method=True, inplace="scatter_reduce_", dtypes=("float32", "float64", "int64")))


def _index_add_samples(dtype):
    yield _S(T(3, 4), 0, _i([0, 2, 0]), T(3, 4))
    yield _S(T(3, 4, noncontig=True), -1, _i([0]), T(3, 1))
    yield _S(T(3, 4), 1, _i([]), T(3, 0))
    if dtype in ("float32", "float64"):
        yield _S(T(3, 4), 1, _i([3, 1, 3]), T(3, 3), alpha=2)


register(OpInfo("index_select", index_select, _samples(
    _S(T(5, 3), 0, _i([0, 2, 2, 4])), _S(T(3, 5), -1, _i([4, 0])),
    _S(T(3, 5, noncontig=True), 1, _i([1])), _S(T(3, 4), 0, _i(1)), _S(T(), 0, _i([0])),
    _S(T(3, 4), 0, T(values=[2, 1], dtype="int32", grad=False)), _S(T(3, 4), 0, _i([]))),
    _errors(_E(_S(T(3, 4), 0, _i([3])), IndexError, "index out of range in self"),
            _E(_S(T(3, 4), 0, _i([[0]])), IndexError, "Index is supposed to be a vector")),
    method=True, dtypes=ALL))
register(OpInfo("index_add", index_add, _index_add_samples, _errors(
    _E(_S(T(3, 4), 0, _i([0, 1, 2]), T(2, 4)), RuntimeError, r"Number of indices \(3\) should "
       r"be equal to source.size\(dim\)"),
    _E(_S(T(3, 4), 0, _i([0, 0]), T(2, 3)), RuntimeError, r"source tensor shape must match self "
       r"tensor shape, excluding the specified dimension. Got self.shape = \[3, 4\] "
       r"source.shape = \[2, 3\]"),
    _E(_S(T(3, 4), 0, _i([5]), T(1, 4)), RuntimeError,
       "index 5 is out of bounds for dimension 0 with size 3")),
    method=True, inplace="index_add_", dtypes=ALL))
register(OpInfo("index_copy", index_copy, _samples(
    _S(T(3, 4), 0, _i([2, 0]), T(2, 4)), _S(T(3, 4), -1, _i([3, 1, 0]), T(3, 3)),
    _S(T(3, 4, noncontig=True), 1, _i([0]), T(3, 1))), _errors(
    _E(_S(T(3, 4), 0, _i([0, 1]), T(3, 4)), IndexError, r"index_copy_\(\): Number of indices "
       r"\(2\) should be equal to source.size\(dim\) \(3\)")),
    method=True, inplace="index_copy_", dtypes=ALL))
register(OpInfo("index_fill", index_fill, _samples(
    _S(T(3, 4), 1, _i([0, 2]), 1), _S(T(3, 4), 0, _i([-1]), -2), _S(T(3, 4), 0, _i([1]), T()),
    _S(T(3, 4, noncontig=True), -1, _i([0, 0]), 3)), _errors(
    _E(_S(T(3, 4), 1, _i([0]), T(1)), RuntimeError, "index_fill_ only supports a "
       "0-dimensional value tensor, but got tensor with 1 dimension")),
    method=True, inplace="index_fill_", dtypes=ALL))
register(OpInfo("index_put", index_put, _samples(
    _S(T(3, 4), (_i([0, 2]),), T(2, 4)), _S(T(3, 4), (_i([0, 2]), _i([1, 3])), T(2)),
    _S(T(3, 4), (_i([0, 0]),), T(4), accumulate=True), _S(T(3, 4), (_mask(3, 4),), T()),
    _S(T(3, 4), [_i([1])], T(), True), _S(T(3, 4, noncontig=True), (_i([1]), _i([0])), T(1))),
    _errors(_E(_S(T(3, 4), (_i([0, 0]),), T(2)), RuntimeError, r"shape mismatch: value tensor "
               r"of shape \[2\] cannot be broadcast to indexing result of shape \[2, 4\]")),
    method=True, inplace="index_put_", dtypes=ALL))
register(OpInfo("masked_fill", masked_fill, _samples(
    _S(T(3, 4), _mask(3, 4), 1.5), _S(T(3, 4), _mask(4), T()), _S(T(4), _mask(3, 4), -1.0),
    _S(T(3, 4, noncontig=True), _mask(3, 1), 0), _S(T(), _mask(), 2.0)), _errors(
    _E(_S(T(3, 4), T(3, 4), 1.0), RuntimeError, "masked_fill_ only supports boolean masks, but "
       "got mask with dtype float"),
    _E(_S(T(3, 4), _mask(4), T(1)), RuntimeError, "masked_fill_ only supports a 0-dimensional "
       "value tensor")), method=True, inplace="masked_fill_", dtypes=ALL))
register(OpInfo("masked_select", masked_select, _samples(
    _S(T(3, 4), _mask(3, 4)), _S(T(4), _mask(3, 4)), _S(T(3, 4, noncontig=True), _mask(4)),
    _S(T(), _mask())), _errors(
    _E(_S(T(3, 4), T(3, 4)), RuntimeError, "masked_select: expected BoolTensor for mask")),
    method=True, dtypes=ALL))
register(OpInfo("masked_scatter", masked_scatter, _samples(
    _S(T(3, 4), _mask(3, 4), T(12)), _S(T(3, 4), _mask(4), T(3, 5)),
    _S(T(4), _mask(2, 4), T(8)), _S(T(3, 4, noncontig=True), _mask(3, 1), T(13))), _errors(
    _E(_S(T(3, 4), _mask(values=[[True] * 4] * 3), T(2)), RuntimeError,
       "Number of elements of source < number of ones in mask")),
    method=True, inplace="masked_scatter_", dtypes=ALL))
register(OpInfo("take", take, _samples(
    _S(T(3, 4), _i([[0, 11], [5, 5]])), _S(T(3, 4), _i([-1, 0])), _S(T(), _i([0])),
    _S(T(3, 4, noncontig=True), _i([1, 2]))), _errors(
    _E(_S(T(3, 4), _i([12])), IndexError,
       "out of range: tried to access index 12 on a tensor of 12 elements.")),
    method=True, dtypes=ALL))
register(OpInfo("take_along_dim", take_along_dim, _samples(
    _S(T(3, 4), _i([[0, 1, 1]])), _S(T(3, 4), _i([[0], [1], [2]]), 1),
    _S(T(3, 4), _i([[0, 1]]), 1), _S(T(1, 4, 2), _i([[[0]], [[1]], [[3]]]), 1),
    _S(T(3, 4, noncontig=True), _i([[-1, 2]]), -1)), _errors(
    _E(_S(T(3, 4), _i([0, 1]), 1), RuntimeError, "input and indices should have the same "
       "number of dimensions")), method=True, dtypes=ALL))
register(OpInfo("put", put, _samples(
    _S(T(3, 4), _i([0, 5]), T(2)), _S(T(3, 4), _i([1, 1]), T(2), True),
    _S(T(3, 4), _i([[-1]]), T(1, 1)), _S(T(3, 4, noncontig=True), _i([2]), T(1),
                                         accumulate=True)), _errors(
    _E(_S(T(3, 4), _i([0, 1]), T(3)), IndexError, r"put_\(\): Expected source and index to "
       r"have the same number of elements, but got source.numel\(\) = 3, index.numel\(\) = 2")),
    method=True, inplace="put_", dtypes=ALL))
register(OpInfo("nonzero", nonzero, _samples(
    _S(T(3, 4, low=-1, high=1)), _S(T(3, 4), as_tuple=True), _S(T()), _S(T(), as_tuple=True),
    _S(T(0, 3)), _S(T(values=0.0), as_tuple=True)), method=True, dtypes=ALL, grad=False))
register(OpInfo("argwhere", argwhere, _samples(_S(T(3, 4)), _S(T())), method=True, dtypes=ALL,
                grad=False))
