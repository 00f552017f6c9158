"""Indexing: ``__getitem__`` / ``__setitem__`` with autograd, gather/scatter, index_select,
index_add, index_put, masked_fill, masked_select, take_along_dim, nonzero.

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


class IndexBackward(Node):
    """Scatter ``g`` into zeros of ``shape`` at ``idx``, summing repeated indices."""

    def forward(ctx, g, idx, shape, basic):
        ctx.idx, ctx.basic = idx, basic
        out = np.zeros(shape, dtype=g.dtype)
        if basic:
            out[idx] = g
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
    nidx, _ = _convert_index(idx, self._data.shape)
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
