"""Gather and scatter: gather, scatter, scatter_add, scatter_reduce, index_add, index_copy,
index_fill, index_reduce, index_put, put, take_along_dim.
"""
import builtins

from ember import _dtype
from ember._backend import add_at, array_module, np, ufunc_at
from ember._tensor import Tensor, _make
from ember.autograd.function import Node
from ember.ops._util import check_dtype, shape_str, sum_to_shape, wrap_dim
from ember.ops.indexing import (
    _E,
    _S,
    Index,
    IndexBackward,
    IndexSelect,
    _along,
    _broadcast,
    _convert_index,
    _errors,
    _flat_index,
    _i,
    _index_add,
    _index_arg,
    check_select_bounds,
    _mask,
    _samples,
    _type_word,
    _value_tensor,
)
from ember.ops.registry import ALL, INT_FLOAT, ErrorInput, OpInfo, SampleInput, T, register


class Gather(Node):
    def forward(ctx, a, index, dim):
        ctx.in_shape, ctx.dim = a.shape, dim
        full = _full_index(index, dim)
        ctx.full = full
        return a[full]

    def backward(ctx, g):
        return ScatterAddZeros.apply((g,), ctx.full, ctx.in_shape)

    @staticmethod
    def onnx(call):
        index, d = call.params
        return call.g.op("GatherElements", call.inputs[0],
                         call.input_of(np.asarray(index, np.int64)), axis=int(d))


class ScatterAddZeros(Node):
    """zeros(shape) with ``g`` added at ``full`` (a NumPy fancy index); backward gathers."""

    def forward(ctx, g, full, shape):
        ctx.full = full
        out = array_module(g).zeros(shape, dtype=g.dtype)
        add_at(out, full, g)
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


def _gather_samples(dtype):
    yield SampleInput(T(3, 4), 1, T(values=[[0, 1], [3, 3], [2, 0]], dtype="int64", grad=False))
    yield SampleInput(T(3, 4), 0, T(values=[[0, 1, 2, 2]], dtype="int64", grad=False))
    yield SampleInput(T(3, 4), -1, T(values=[[1], [0], [3]], dtype="int64", grad=False))


def _gather_errors():
    yield ErrorInput(SampleInput(T(3, 4), 1, T(values=[[0, 4]], dtype="int64", grad=False)),
                     RuntimeError, "out of bounds")


register(OpInfo("gather", gather, _gather_samples, _gather_errors, method=True, dtypes=ALL))


def _check_bounds(idx, size, dim, error=RuntimeError, prefix=""):
    if idx.size and (idx.max() >= size or idx.min() < -size):
        bad = idx.max() if idx.max() >= size else idx.min()
        raise error("%sindex %d is out of bounds for dimension %d with size %d"
                    % (prefix, bad, dim, size))


def take_along_dim(input, indices, dim=None, *, out=None):
    """Values at ``indices`` along ``dim`` with the other dims broadcast (flattened when
    ``dim`` is None), as NumPy's ``take_along_axis``."""
    from ember.ops.views import expand, reshape

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


register(OpInfo("take_along_dim", take_along_dim, _samples(
    _S(T(3, 4), _i([[0, 1, 1]])), _S(T(3, 4), _i([[0], [1], [2]]), 1),
    _S(T(3, 4), _i([[0, 1]]), 1), _S(T(1, 4, 2), _i([[[0]], [[1]], [[3]]]), 1),
    _S(T(3, 4, noncontig=True), _i([[-1, 2]]), -1)), _errors(
    _E(_S(T(3, 4), _i([0, 1]), 1), RuntimeError, "input and indices should have the same "
       "number of dimensions")), method=True, dtypes=ALL))


def _keep_mask(shape, dtype, where):
    keep = np.ones(shape, dtype=dtype)
    keep[where] = 0
    return _make(keep)


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
            ufunc_at(np.add if reduce == "add" else np.multiply, out, full, vals)
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
        src = _make(array_module(input._data).asarray(src).astype(input._data.dtype))
    return Scatter.apply((input, src), full, part, reduce)


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


class ScatterAdd(Node):
    def forward(ctx, a, src, full, part):
        ctx.full, ctx.part, ctx.src_shape = full, part, src.shape
        out = a.copy()
        add_at(out, full, src[part])
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


register(OpInfo("scatter_add", scatter_add, _samples(
    _S(T(3, 4), 1, _i([[0, 0], [2, 1], [3, 3]]), T(3, 2)),
    _S(T(3, 4), 0, _i([[0, 1, 2, 0], [0, 0, 0, 0]]), T(2, 4)),
    _S(T(3, 4, noncontig=True), -1, _i([[1], [1]]), T(2, 1)),
    _S(T(3, 4), 1, _i([[0], [1]]), T(3, 3, grad=False))), _errors(
    _E(_S(T(3, 4), 1, _i([[0, 1]]), T(1, 2, dtype="float64")), RuntimeError,
       "Expected self.dtype to be equal to src.dtype")),
    method=True, inplace="scatter_add_", dtypes=ALL))


_REDUCERS = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum,
             "mean": np.add}


class ScatterReduce(Node):
    save = (0, 1)
    save_output = True

    def forward(ctx, a, src, full, part, reduce, include_self):
        ctx.full, ctx.part, ctx.reduce, ctx.include_self = full, part, reduce, include_self
        out = a.copy()
        vals = src[part]
        hit = array_module(a).zeros(a.shape, dtype=bool)
        hit[full] = True
        ctx.hit = hit
        if not include_self:
            out[hit] = {"sum": 0, "mean": 0, "prod": 1}.get(reduce, 0)
            if reduce in ("amax", "amin"):
                out[full] = vals  # any member of the group: the reduction starts from it
        ufunc_at(_REDUCERS[reduce], out, full, vals)
        if reduce == "mean":
            count = array_module(a).zeros(a.shape, dtype=np.int64)
            add_at(count, full, 1)
            count += 1 if include_self else 0
            ctx.count = np.maximum(count, 1).astype(a.dtype) if a.dtype.kind == "f" else None
            if a.dtype.kind == "f":
                out /= ctx.count
            else:  # torch counts in the input's dtype (wrapping), and floor-divides
                count = count.astype(a.dtype)
                np.floor_divide(out, np.where(count == 0, 1, count).astype(a.dtype), out=out)
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
            add_at(count, full, picked_src)
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
    from ember.ops.indexing import where

    vals = src._data[part]
    use_self = self_mask._data.astype(bool)
    zeros = (use_self & (a._data == 0)).astype(np.int64)
    add_at(zeros, full, vals == 0)
    one = _make(array_module(g._data).ones((), g._data.dtype))
    nonzero_prod = ScatterReduce.apply(
        (where(_make(~use_self | (a._data == 0)), one, a), where(_make(src._data == 0), one, src)),
        full, part, "prod", True)
    other = where(_make(zeros == 1), nonzero_prod, one * 0)
    ga = _others_product_grad(g, out, a, other) * self_mask
    gsrc = _others_product_grad(Index.apply((g,), full, False), Index.apply((out,), full, False),
                                Index.apply((src,), part, True), Index.apply((other,), full, False))
    return ga, gsrc


def _others_product_grad(g, out, x, other):
    from ember.ops.indexing import where

    is_zero = _make(x._data == 0)
    safe = where(is_zero, _make(array_module(x._data).ones((), x._data.dtype)), x)
    return where(is_zero, g * other, g * out / safe)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce ``src`` into a copy of ``input`` at ``index`` along ``dim`` with ``reduce`` (sum,
    prod, mean, amax, amin); ``include_self=False`` leaves ``input``'s value out of the groups
    that receive any element."""
    if reduce not in _REDUCERS:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got %s"
                           % reduce)
    full, part = _scatter_args("scatter_reduce", input, dim, index, src)
    if reduce == "mean":
        check_dtype("scatter_gather_tensor_cpu_reduce_mean", input, kinds="fiu")
    return ScatterReduce.apply((input, src), full, part, reduce, builtins.bool(include_self))


def _scatter_reduce_samples(dtype):
    index = _i([[0, 0, 1], [2, 2, 2], [3, 1, 3]])
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            yield _S(T(3, 4), 1, index, T(3, 3), reduce, include_self=include_self)
    if dtype in ("float32", "float64"):
        yield _S(T(values=[[1.0, 0.0, 2.0, 3.0], [0.5, 2.0, -1.0, 0.0]]), 1,
                 _i([[0, 0, 3], [1, 3, 3]]), T(values=[[2.0, 3.0, 0.0], [0.0, 1.5, 4.0]]),
                 "prod", name="zeros")
    yield _S(T(3, 4, dtype="uint8"), 1, index, T(3, 3, dtype="uint8"), "mean", name="uint8 mean")
    yield _S(T(3, 4, dtype="int8"), 1, index, T(3, 3, dtype="int8"), "mean",
             include_self=False, name="int8 mean floors")


register(OpInfo("scatter_reduce", scatter_reduce, _scatter_reduce_samples, _errors(
    _E(_S(T(3, 4), 1, _i([[0]]), T(1, 1), "foo"), RuntimeError,
       "reduce argument must be either sum, prod, mean, amax or amin, got foo"),
    _E(_S(T(3, 4, dtype="bool"), 1, _i([[0]]), T(1, 1, dtype="bool"), "mean"),
       NotImplementedError, "\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for "
       "'Bool'")),
    method=True, inplace="scatter_reduce_", dtypes=("float32", "float64", "int64")))


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
        if not out.size:  # nothing to add into (torch reads no index then)
            return out
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
    """``g.index_select(d, idx)`` as torch's backward formulas read it (with its checks)."""
    check_select_bounds(idx, g._data.shape, d)
    if g._data.ndim:
        return IndexSelect.apply((g,), idx, d)
    return g


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source``'s slices added at ``index`` along ``dim``."""
    d = wrap_dim(dim, input._data.ndim)
    idx = _index_arg("index_add", index, input, d, RuntimeError)
    _check_source("index_add_", input, d, idx, source)
    return IndexAdd.apply((input, source), idx, d, alpha)


def _index_add_samples(dtype):
    yield _S(T(3, 4), 0, _i([0, 2, 0]), T(3, 4))
    yield _S(T(3, 4, noncontig=True), -1, _i([0]), T(3, 1))
    yield _S(T(3, 4), 1, _i([]), T(3, 0))
    if dtype in ("float32", "float64"):
        yield _S(T(3, 4), 1, _i([3, 1, 3]), T(3, 3), alpha=2)
    # nothing is added into an empty input: torch reads (and checks) no index; the backward's
    # index_select then raises as torch's does
    yield _S(T(3, 0), -1, _i([0]), T(3, 1), name="edge: empty input, backward raises")
    yield _S(T(0, 3), 1, _i([-1]), T(0, 1), name="edge: empty input, backward raises")


register(OpInfo("index_add", index_add, _index_add_samples, _errors(
    _E(_S(T(3, 4), 0, _i([0, 1, 2]), T(2, 4)), RuntimeError, r"Number of indices \(3\) should "
       r"be equal to source.size\(dim\)"),
    _E(_S(T(3, 4), 0, _i([0, 0]), T(2, 3)), RuntimeError, r"source tensor shape must match self "
       r"tensor shape, excluding the specified dimension. Got self.shape = \[3, 4\] "
       r"source.shape = \[2, 3\]"),
    _E(_S(T(3, 4), 0, _i([5]), T(1, 4)), RuntimeError,
       "index 5 is out of bounds for dimension 0 with size 3")),
    method=True, inplace="index_add_", dtypes=ALL))


class IndexCopy(Node):
    def forward(ctx, a, src, idx, d):
        ctx.idx, ctx.d, ctx.src_shape = idx, d, src.shape
        out = a.copy()
        if not out.size:
            return out
        view = out.reshape(a.shape if a.ndim else (1,))
        _along(view, d)[idx] = _along(src.reshape(src.shape if a.ndim else (1,)), d)
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        zero = _make(array_module(g._data).zeros((), g._data.dtype))
        ga = IndexFill.apply((g, zero), ctx.idx, ctx.d) if need[0] else None
        gs = _index_select_any(g, ctx.d, ctx.idx) if need[1] else None
        if gs is not None and gs._data.shape != ctx.src_shape:  # a 0-d self or source
            gs = gs.reshape(ctx.src_shape)
        return ga, gs


def index_copy(input, dim, index, source):
    """A copy of ``input`` with its slices at ``index`` along ``dim`` replaced by ``source``'s."""
    d = wrap_dim(dim, input._data.ndim)
    idx, si, ss = index._data, input._data.shape, source._data.shape
    # torch's checks, in torch's order
    if idx.ndim > 1:
        raise IndexError("index_copy_(): Index should have dimension 1 or 0 (got %d)" % idx.ndim)
    if not ss and idx.size != 1:
        raise IndexError("index_copy_(): When source is scalar, index should have one element "
                         "(got %d)" % idx.size)
    if ss and si and len(ss) != len(si):
        raise IndexError("index_copy_(): When source and destination are not scalars, their "
                         "dimensionality must match. Source dimensionality (%d), destination "
                         "dimensionality (%d)" % (len(ss), len(si)))
    if idx.dtype != np.int64:
        raise RuntimeError("index_copy_(): Expected a long tensor for index, but got %s"
                           % _type_word(idx.dtype))
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("index_copy_(): self and source expected to have the same dtype, but "
                           "got (self) %s and (source) %s" % (_type_word(input._data.dtype),
                                                              _type_word(source._data.dtype)))
    slices = [tuple(s[:d] + s[d + 1:]) if s else () for s in (si, ss)]
    if slices[0] != slices[1]:
        raise RuntimeError("index_copy_(): Source/destination tensor must have same slice "
                           "shapes. Destination slice shape: %s at dimension %d and source slice "
                           "shape: %s at dimension 0." % (" ".join(map(str, slices[0])), d,
                                                         " ".join(map(str, slices[1]))))
    if ss and idx.size != ss[d]:
        raise IndexError("index_copy_(): Number of indices (%d) should be equal to "
                         "source.size(dim) (%d)" % (idx.size, ss[d]))
    idx = _index_arg("index_copy_", index, input, d, IndexError)
    return IndexCopy.apply((input, source), idx, d)


class IndexFill(Node):
    def forward(ctx, a, value, idx, d):
        ctx.idx, ctx.d = idx, d
        out = a.copy()
        if out.size:
            _along(out.reshape(a.shape if a.ndim else (1,)), d)[idx] = value
        return out

    def backward(ctx, g):
        need = ctx.needs_input_grad
        zero = _make(array_module(g._data).zeros((), g._data.dtype))
        ga = IndexFill.apply((g, zero), ctx.idx, ctx.d) if need[0] else None
        gv = _index_select_any(g, ctx.d, np.unique(ctx.idx)).sum() if need[1] else None
        return ga, gv


register(OpInfo("index_copy", index_copy, _samples(
    _S(T(3, 4), 0, _i([2, 0]), T(2, 4)), _S(T(3, 4), -1, _i([3, 1, 0]), T(3, 3)),
    _S(T(3, 4, noncontig=True), 1, _i([0]), T(3, 1)), _S(T(4), 0, _i([1]), T()),
    _S(T(), 0, _i([0]), T(1)), _S(T(0, 3), 1, _i([1]), T(0, 1)),
    _S(T(0, 3), 1, _i([7]), T(0, 1), name="edge: empty input, backward raises"),
    _S(T(0, 0), 1, _i([7]), T(0, 1), name="edge: empty input and slices")),
    _errors(
    _E(_S(T(3, 4), 0, _i([0, 1]), T(3, 4)), IndexError, r"index_copy_\(\): Number of indices "
       r"\(2\) should be equal to source.size\(dim\) \(3\)"),
    _E(_S(T(3, 4), 0, _i([7]), T(1, 4)), IndexError, "index 7 is out of bounds"),
    _E(_S(T(0, 4), 0, _i([2, 1]), T(2, 0)), RuntimeError, "Source/destination tensor must have "
       "same slice shapes. Destination slice shape: 4 at dimension 0 and source slice shape: 0"),
    _E(_S(T(3, 4), 0, _i([1]), T()), RuntimeError, "same slice shapes"),
    _E(_S(T(3, 4), 0, _i([1, 2]), T()), IndexError, "When source is scalar"),
    _E(_S(T(3, 4), 0, _i([1]), T(1, 4, 1)), IndexError, "dimensionality must match"),
    _E(_S(T(3, 0), 1, _i([2, 1]), T(3, 2)), RuntimeError, "out of bounds for dimension 1 with "
       "size 0")),
    method=True, inplace="index_copy_", dtypes=ALL))


def index_fill(input, dim, index, value):
    """A copy of ``input`` with its slices at ``index`` along ``dim`` set to ``value``."""
    d = wrap_dim(dim, input._data.ndim)
    idx = _index_arg("index_fill_", index, input, d, IndexError, wrap=True)
    return IndexFill.apply((input, _value_tensor(value, input, "index_fill_")), idx, d)


register(OpInfo("index_fill", index_fill, _samples(
    _S(T(3, 4), 1, _i([0, 2]), 1), _S(T(3, 4), 0, _i([-1]), -2), _S(T(3, 4), 0, _i([1]), T()),
    _S(T(3, 4, noncontig=True), -1, _i([0, 0]), 3), _S(T(0, 3), 1, _i([7]), 1.5),
    _S(T(0, 3), 1, _i([7]), T(), name="edge: empty input, backward raises"),
    _S(T(3, 0), 1, _i([]), 1), _S(T(0, 0), 1, _i([7]), 1.5)), _errors(
    _E(_S(T(3, 4), 1, _i([0]), T(1)), RuntimeError, "index_fill_ only supports a "
       "0-dimensional value tensor, but got tensor with 1 dimension"),
    _E(_S(T(3, 4), 0, _i([-4]), 1), IndexError, "index -4 is out of bounds"),
    _E(_S(T(3, 0), 1, _i([2, 1]), 1), RuntimeError, "out of bounds for dimension 1 with size 0"),
    _E(_S(T(0), 0, _i([0]), 1), RuntimeError, "out of bounds for dimension 0 with size 0")),
    method=True, inplace="index_fill_", dtypes=ALL))


class IndexPut(Node):
    """``input`` with ``values`` written (or, accumulating, added) at an advanced index."""

    def forward(ctx, a, v, idx, accumulate):
        ctx.idx, ctx.v_shape, ctx.accumulate = idx, v.shape, accumulate
        out = a.copy()
        if accumulate:
            add_at(out, idx, np.broadcast_to(v, out[idx].shape))
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


register(OpInfo("index_put", index_put, _samples(
    _S(T(3, 4), (_i([0, 2]),), T(2, 4)), _S(T(3, 4), (_i([0, 2]), _i([1, 3])), T(2)),
    _S(T(3, 4), (_i([0, 0]),), T(4), accumulate=True), _S(T(3, 4), (_mask(3, 4),), T()),
    _S(T(3, 4), [_i([1])], T(), True), _S(T(3, 4, noncontig=True), (_i([1]), _i([0])), T(1))),
    _errors(_E(_S(T(3, 4), (_i([0, 0]),), T(2)), RuntimeError, r"shape mismatch: value tensor "
               r"of shape \[2\] cannot be broadcast to indexing result of shape \[2, 4\]")),
    method=True, inplace="index_put_", dtypes=ALL))


def _dtype_name(dt):
    return str(_dtype.from_numpy_dtype(dt)).split(".")[-1]


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
    from ember.ops.views import reshape

    flat = reshape(input, (-1,))
    out = IndexPut.apply((flat, reshape(source, (-1,))), (idx,), builtins.bool(accumulate))
    return reshape(out, input._data.shape)


register(OpInfo("put", put, _samples(
    _S(T(3, 4), _i([0, 5]), T(2)), _S(T(3, 4), _i([1, 1]), T(2), True),
    _S(T(3, 4), _i([[-1]]), T(1, 1)), _S(T(3, 4, noncontig=True), _i([2]), T(1),
                                         accumulate=True)), _errors(
    _E(_S(T(3, 4), _i([0, 1]), T(3)), IndexError, r"put_\(\): Expected source and index to "
       r"have the same number of elements, but got source.numel\(\) = 3, index.numel\(\) = 2")),
    method=True, inplace="put_", dtypes=ALL))


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """Reduce the slices of ``source`` into ``input``'s slices ``index`` along ``dim`` with
    ``reduce`` (prod, mean, amax, amin)."""
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
