"""Indexing: ``__getitem__`` / ``__setitem__`` with autograd, gather, the scatter family,
index_select and the ``index_*`` writes, index_put, the masked ops, take, take_along_dim, put,
nonzero (nonzero_static, unravel_index), fill_diagonal_.

Basic indices (ints, slices, None, Ellipsis) give views; integer-tensor and boolean-mask
indices give copies. Backward of a read is a write into zeros that accumulates repeated
indices; backward of that write is a read again, so every order of derivative exists.
"""
import builtins
import math

from ember import _dtype
from ember._backend import add_at, array_module, np
from ember._tensor import Tensor, _make
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.autograd.grad_mode import _State
from ember.ops._util import binary_operands, cast, shape_str, sum_to_shape, wrap_dim
from ember.ops.arithmetic import _out
from ember.ops.inplace import apply_inplace
from ember.ops.registry import (ALL, ErrorInput, OpInfo, SampleInput, T, not_differentiable,
                                register)
from ember.ops.views import as_view


class Where(Node):
    def forward(ctx, cond, a, b):
        ctx.cond = cond
        ctx.shapes = (a.shape, b.shape)
        return np.where(cond, a, b)

    def backward(ctx, g):
        cond = _make(ctx.cond)
        sa, sb = ctx.shapes
        # not g * 0: an infinite g would give NaN
        zero = _make(array_module(g._data).zeros((), g._data.dtype))
        need = ctx.needs_input_grad
        return (None,
                sum_to_shape(where(cond, g, zero), sa) if need[1] else None,
                sum_to_shape(where(cond, zero, g), sb) if need[2] else None)

    @staticmethod
    def onnx(call):
        g, dt = call.g, call.outs[0].dtype
        cond = call.inputs[0] if call.arrays[0].dtype == np.bool_ else g.cast(call.inputs[0], bool)
        a, b = (x if arr.dtype == dt else g.cast(x, dt)
                for x, arr in zip(call.inputs[1:], call.arrays[1:]))
        return g.op("Where", cond, a, b)


def where(condition, input=None, other=None, *, out=None):
    """Select from ``input`` where ``condition`` else ``other``; one-argument form = nonzero."""
    if input is None and other is None:

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError("where(): argument 'condition' must be Tensor, not %s"
                        % type(condition).__name__)
    if condition._data.dtype.kind != "b":
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           "with dtype %s" % condition.dtype.name.capitalize())
    a, b = binary_operands(input, other)
    try:
        np.broadcast_shapes(condition._data.shape, a._data.shape, b._data.shape)
    except ValueError:
        raise RuntimeError("where(): shapes %s, %s and %s cannot be broadcast together"
                           % (list(condition.shape), list(a.shape), list(b.shape))) from None
    return _out(Where.apply((condition, a, b)), out)


def _where_samples(dtype):
    yield SampleInput(T(3, 4, dtype="bool", grad=False), T(3, 4), T(3, 4))
    yield SampleInput(T(3, 1, dtype="bool", grad=False), T(1, 4), T(3, 4))
    yield SampleInput(T(3, 4, dtype="bool", grad=False), T(3, 4), 0.0, name="scalar other")
    yield SampleInput(T(dtype="bool", grad=False), T(), T(2))


def _where_errors():
    yield ErrorInput(SampleInput(T(3, 4, grad=False), T(3, 4), T(3, 4)), RuntimeError,
                     "where expected condition to be a boolean tensor")


register(OpInfo("where", where, _where_samples, _where_errors, method=None, dtypes=ALL))


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

    @staticmethod
    def onnx(call):
        idx, basic = call.params
        if basic:
            return call.g.basic_index(call.inputs[0], call.arrays[0].shape, idx)
        # one integer index array with full slices elsewhere: a Gather (indices constant, or
        # the data of a traced tensor)
        items = list(idx) if isinstance(idx, tuple) else [idx]
        arrays = [k for k, i in enumerate(items) if isinstance(i, np.ndarray)]
        if len(arrays) != 1 or any(not (isinstance(i, slice) and i == slice(None))
                                   for k, i in enumerate(items) if k != arrays[0]):
            call.fail("advanced indexing other than one integer index array (with full slices "
                      "elsewhere)")
        index = items[arrays[0]]
        if index.dtype == np.bool_:
            call.fail("boolean mask indexing (its result's shape depends on the data)")
        return call.g.op("Gather", call.inputs[0],
                         call.input_of(index.astype(np.int64, copy=False)), axis=arrays[0])


class IndexBackward(Node):
    """Scatter ``g`` into zeros of ``shape`` at ``idx``, summing repeated indices."""

    def forward(ctx, g, idx, shape, basic):
        ctx.idx, ctx.basic = idx, basic
        out = array_module(g).zeros(shape, dtype=g.dtype)
        if basic or not builtins.any(isinstance(i, np.ndarray) and i.dtype.kind in "iu"
                                     for i in idx):
            out[idx] = g  # slices and masks select each element at most once
        elif len(idx) == 1 and idx[0].ndim == 1:
            _index_add(out, 0, idx[0] % shape[0], g)  # x[rows]: an embedding-style read
        else:
            add_at(out, idx, g)
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


register(OpInfo("__getitem__", getitem, _getitem_samples, _getitem_errors,
                torch_name="Tensor.__getitem__", dtypes=ALL))


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
    first = array_module(sidx).empty(sidx.size, dtype=bool)
    first[0] = True
    np.not_equal(sidx[1:], sidx[:-1], out=first[1:])
    if first.all():
        o[idx] += s
        return
    starts = np.flatnonzero(first)
    o[sidx[starts]] += np.add.reduceat(s[order], starts, axis=0, dtype=o.dtype)


class SetItem(Node):
    """``a[idx] = v`` recorded in place: the old ``a`` loses the gradient at ``idx``."""

    def forward(ctx, a, v, idx):
        ctx.idx, ctx.v_shape = idx, v.shape
        mask = array_module(a).zeros(a.shape, dtype=bool)
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
        v = _make(array_module(self._data).asarray(value, dtype=self._data.dtype))
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


def _type_word(dt):
    from ember._tensor_str import legacy_type_name

    return legacy_type_name(_dtype.from_numpy_dtype(dt)).split(".")[-1].replace("Tensor", "")


class MaskedScatter(Node):
    def forward(ctx, a, src, mask):
        shape = np.broadcast_shapes(a.shape, mask.shape)
        mask = np.broadcast_to(mask, shape)
        ctx.mask, ctx.a_shape, ctx.src_shape = mask, a.shape, src.shape
        out = array_module(a).array(np.broadcast_to(a, shape))
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


def _mask(*shape, values=None):
    return T(*shape, dtype="bool", grad=False, values=values)


_S, _E = SampleInput, ErrorInput


def _samples(*samples):
    return lambda dtype: iter(samples)


def _errors(*errors):
    return lambda: iter(errors)


register(OpInfo("masked_scatter", masked_scatter, _samples(
    _S(T(3, 4), _mask(3, 4), T(12)), _S(T(3, 4), _mask(4), T(3, 5)),
    _S(T(4), _mask(2, 4), T(8)), _S(T(3, 4, noncontig=True), _mask(3, 1), T(13))), _errors(
    _E(_S(T(3, 4), _mask(values=[[True] * 4] * 3), T(2)), RuntimeError,
       "Number of elements of source < number of ones in mask")),
    method=True, inplace="masked_scatter_", dtypes=ALL))


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
    return _make(array_module(like._data).asarray(value).astype(dt))


def _check_mask(mask, fname):
    if mask._data.dtype != np.bool_:
        raise RuntimeError("%s only supports boolean masks, but got mask with dtype %s"
                           % (fname, _type_word(mask._data.dtype).lower()))


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

    @staticmethod
    def onnx(call):
        a, value = call.operands()
        return call.g.op("Where", call.input_of(call.params[0]), value, a)


def masked_fill(input, mask, value):
    """``input`` with ``value`` (a number or 0-d tensor) where ``mask`` (broadcast) is True."""
    _check_mask(mask, "masked_fill_")
    _broadcast(input._data.shape, mask._data.shape)
    return MaskedFill.apply((input, _value_tensor(value, input, "masked_fill_", True)), mask._data)


register(OpInfo("masked_fill", masked_fill, _samples(
    _S(T(3, 4), _mask(3, 4), 1.5), _S(T(3, 4), _mask(4), T()), _S(T(4), _mask(3, 4), -1.0),
    _S(T(3, 4, noncontig=True), _mask(3, 1), 0), _S(T(), _mask(), 2.0)), _errors(
    _E(_S(T(3, 4), T(3, 4), 1.0), RuntimeError, "masked_fill_ only supports boolean masks, but "
       "got mask with dtype float"),
    _E(_S(T(3, 4), _mask(4), T(1)), RuntimeError, "masked_fill_ only supports a 0-dimensional "
       "value tensor")), method=True, inplace="masked_fill_", dtypes=ALL))


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
    if fname == "index_select":
        check_select_bounds(idx, input._data.shape, d)
        return idx
    if not input._data.size:
        # torch's kernels never read an index into an empty tensor (so never check it), but
        # index_copy/fill restride it to hold the indexed slices, which fails if they are not
        # empty
        slices = input._data.shape[:d] + (idx.size,) + input._data.shape[d + 1:]
        if fname != "index_add" and math.prod(slices):
            raise RuntimeError("%s(): index %d is out of bounds for dimension %d with size 0"
                               % (fname, idx[0], d))
        return idx
    low = -size if wrap else 0
    if idx.size and (idx.max() >= size or idx.min() < low):
        bad = idx.max() if idx.max() >= size else idx.min()
        raise bounds_error("index %d is out of bounds for dimension %d with size %d"
                           % (bad, d, size))
    return np.where(idx < 0, idx + size, idx) if wrap and idx.size and idx.min() < 0 else idx


def check_select_bounds(idx, shape, d):
    """torch's index_select bound checks (CPU), whose error type depends on the path taken:
    an empty many-dim input is RuntimeError, so is dim 1's fast path; else IndexError."""
    if not idx.size:
        return
    size = shape[d] if shape else 1
    many = len(shape) > 1
    if many and 0 in shape and size == 0:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    if idx.min() >= 0 and idx.max() < size:
        return
    bad = idx[(idx < 0) | (idx >= size)]
    if many and (d == 1 or 0 in shape):
        raise RuntimeError("INDICES element is out of DATA bounds, id=%d axis_dim=%d"
                           % (bad[0], size))
    raise IndexError("index out of range in self")


class IndexSelect(Node):
    def forward(ctx, a, idx, d):
        ctx.idx, ctx.d, ctx.n = idx, d, a.shape[d]
        return np.take(a, idx, axis=d)

    def backward(ctx, g):
        return IndexAddZeros.apply((g,), ctx.idx, ctx.d, ctx.n)

    @staticmethod
    def onnx(call):
        idx, d = call.params
        return call.g.op("Gather", call.inputs[0], call.input_of(np.asarray(idx, np.int64)),
                         axis=d)


class IndexAddZeros(Node):
    """Zeros with ``g``'s slices added at ``idx`` along ``d`` (index_select's backward)."""

    def forward(ctx, g, idx, d, n):
        ctx.idx, ctx.d = idx, d
        out = array_module(g).zeros(g.shape[:d] + (n,) + g.shape[d + 1:], dtype=g.dtype)
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
        from ember.ops.views import reshape

        if idx.size != 1:
            raise IndexError("index_select(): Index to scalar can have only 1 value, got %d "
                             "value(s)" % idx.size)
        return reshape(IndexSelect.apply((reshape(input, (1,)),), idx, 0), ())
    return IndexSelect.apply((input,), idx, d)


def _i(*values):
    """An int64 index tensor with ``values`` (nested lists for several dims)."""
    return T(values=values[0] if len(values) == 1 else list(values), dtype="int64", grad=False)


register(OpInfo("index_select", index_select, _samples(
    _S(T(5, 3), 0, _i([0, 2, 2, 4])), _S(T(3, 5), -1, _i([4, 0])),
    _S(T(3, 5, noncontig=True), 1, _i([1])), _S(T(3, 4), 0, _i(1)), _S(T(), 0, _i([0])),
    _S(T(3, 4), 0, T(values=[2, 1], dtype="int32", grad=False)), _S(T(3, 4), 0, _i([])),
    _S(T(0, 3), 1, _i([2, 0]))),
    # the error type depends on torch's path: dim 1 and empty inputs are RuntimeErrors
    _errors(_E(_S(T(3, 4), 0, _i([3])), IndexError, "index out of range in self"),
            _E(_S(T(3, 4), 0, _i([[0]])), IndexError, "Index is supposed to be a vector"),
            _E(_S(T(2, 3, 4), 1, _i([-1])), RuntimeError,
               "INDICES element is out of DATA bounds, id=-1 axis_dim=3"),
            _E(_S(T(2, 3, 4), 2, _i([4])), IndexError, "index out of range in self"),
            _E(_S(T(0, 3), 0, _i(1)), RuntimeError, "self indexing axis dim should be positive"),
            _E(_S(T(0, 3, 2), 2, _i([3])), RuntimeError, "INDICES element is out of DATA bounds"),
            _E(_S(T(0), 0, _i([0])), IndexError, "index out of range in self")),
    method=True, dtypes=ALL))


def masked_select(input, mask):
    """The 1-d tensor of ``input``'s elements where ``mask`` (both broadcast) is True."""
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    from ember.ops.views import expand

    shape = _broadcast(input._data.shape, mask._data.shape)
    return Index.apply((expand(input, shape),), (np.broadcast_to(mask._data, shape),), False)


register(OpInfo("masked_select", masked_select, _samples(
    _S(T(3, 4), _mask(3, 4)), _S(T(4), _mask(3, 4)), _S(T(3, 4, noncontig=True), _mask(4)),
    _S(T(), _mask())), _errors(
    _E(_S(T(3, 4), T(3, 4)), RuntimeError, "masked_select: expected BoolTensor for mask")),
    method=True, dtypes=ALL))


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
    from ember.ops.views import reshape

    idx = _flat_index("take", input, index)
    return Index.apply((reshape(input, (-1,)),), (idx,), False)


register(OpInfo("take", take, _samples(
    _S(T(3, 4), _i([[0, 11], [5, 5]])), _S(T(3, 4), _i([-1, 0])), _S(T(), _i([0])),
    _S(T(3, 4, noncontig=True), _i([1, 2]))), _errors(
    _E(_S(T(3, 4), _i([12])), IndexError,
       "out of range: tried to access index 12 on a tensor of 12 elements.")),
    method=True, dtypes=ALL))


def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or one 1-d tensor per
    dim with ``as_tuple=True``."""
    a = input._data
    if as_tuple:
        return tuple(_make(i.astype(np.int64)) for i in np.nonzero(a.reshape(a.shape or (1,))))
    if a.ndim == 0:
        return _make(array_module(a).zeros((builtins.int(a != 0), 0), dtype=np.int64))
    return _make(np.argwhere(a).astype(np.int64))


register(OpInfo("nonzero", nonzero, _samples(
    _S(T(3, 4, low=-1, high=1)), _S(T(3, 4), as_tuple=True), _S(T()), _S(T(), as_tuple=True),
    _S(T(0, 3)), _S(T(values=0.0), as_tuple=True)), method=True, dtypes=ALL, grad=False))


def argwhere(input):
    return nonzero(input)


register(OpInfo("argwhere", argwhere, _samples(_S(T(3, 4)), _S(T())), method=True, dtypes=ALL,
                grad=False))


def fill_diagonal_(self, fill_value, wrap=False):
    """Write ``fill_value`` on the main diagonal (all dims equal, or a tall 2-d matrix with
    ``wrap`` restarting the diagonal every ``cols + 1`` rows)."""
    a = self._data
    if a.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if a.ndim > 2 and len(set(a.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")

    xp = array_module(a)
    mask = xp.zeros(a.shape, dtype=bool)
    if a.ndim == 2:
        np.fill_diagonal(mask, True, wrap=wrap)
    else:
        idx = xp.arange(a.shape[0])
        mask[(idx,) * a.ndim] = True
    return apply_inplace(self, lambda t: t.masked_fill(_make(mask), fill_value), (), {})


Tensor.fill_diagonal_ = fill_diagonal_


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
    return tuple(_make(array_module(idx).asarray(c, dtype=np.int64)) for c in coords)


not_differentiable("unravel_index", "tests/ops/test_not_differentiable.py")


def nonzero_static(input, *, size, fill_value=-1):
    """``nonzero(input)`` cut or padded (with ``fill_value``) to exactly ``size`` rows."""
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    idx = np.argwhere(input._data)
    out = array_module(input._data).full((size, input._data.ndim), fill_value, dtype=np.int64)
    k = builtins.min(size, len(idx))
    out[:k] = idx[:k]
    return _make(out)


not_differentiable("nonzero_static", "tests/ops/test_not_differentiable.py")
Tensor.nonzero_static = nonzero_static
