"""Joining, splitting, tiling and rearranging tensors: cat/stack and friends, narrow/select/
split/chunk/unbind (views), repeat/tile/repeat_interleave, flip/roll/rot90, tril/triu/diag/
diag_embed/diagflat, unfold and meshgrid.
"""
import builtins
import itertools

from ember import _dtype
from ember._backend import array_module, np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node, tag
from ember.ops._util import cast, shape_str, wrap_dim, wrap_dims
from ember.ops.creation import zeros
from ember.ops.registry import ALL, INT_FLOAT, ErrorInput, OpInfo, SampleInput, T, register
from ember.ops.slicing import (_E, _IDX, _S, Diagonal, DiagonalBackward, Slice, _diag_dims, _errors,
                               _int, _samples)
from ember.ops.views import expand, parse_shape, reshape, transpose, unsqueeze


def block_diag(*tensors):
    """A block-diagonal matrix with ``tensors`` (0-d, 1-d or 2-d) on its diagonal."""
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               "Input %d has %d dimensions" % (i, t._data.ndim))
    if not tensors:
        return zeros(1, 0)
    dt = _dtype.result_type(*tensors)
    blocks = [cast(t.reshape(1, -1) if t._data.ndim < 2 else t, dt) for t in tensors]
    width = builtins.sum(blk._data.shape[1] for blk in blocks)
    rows, left = [], 0
    for blk in blocks:
        r, c = blk._data.shape
        rows.append(cat([zeros(r, left, dtype=dt), blk, zeros(r, width - left - c, dtype=dt)],
                          1))
        left += c
    return cat(rows, 0)


def _block_diag_samples(dtype):
    yield SampleInput(T(2, 3), T(1, 2), T(2, 2))
    yield SampleInput(T(), T(3), T(2, 1))
    yield SampleInput(T(2, 2), T(2, 2, dtype="int32"), name="mixed dtypes")
    yield SampleInput(T(0, 2), T(1, 1), name="empty block")
    yield SampleInput(T(3, 2, noncontig=True))
    yield SampleInput()


def _block_diag_errors():
    yield ErrorInput(SampleInput(T(2, 2, 2)), RuntimeError, "Input 0 has 3 dimensions")


register(OpInfo("block_diag", block_diag, _block_diag_samples, _block_diag_errors,
                dtypes=INT_FLOAT))


def _check_vector(t):
    if t._data.ndim != 1:
        raise RuntimeError("Expect a 1D vector, but got shape %s" % shape_str(t._data.shape))


def cartesian_prod(*tensors):
    """All tuples of one element from each 1-d tensor, as rows (the tensor itself for one)."""
    for t in tensors:
        _check_vector(t)
    if len(tensors) == 1:
        return tensors[0]
    if builtins.any(t.dtype != tensors[0].dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def _cartesian_prod_samples(dtype):
    yield SampleInput(T(2), T(3))
    yield SampleInput(T(2), T(1), T(3))
    yield SampleInput(T(4))
    yield SampleInput(T(0), T(2))


def _vector_errors():
    yield ErrorInput(SampleInput(T(2, 2)), RuntimeError, r"Expect a 1D vector, but got shape "
                     r"\[2, 2\]")


register(OpInfo("cartesian_prod", cartesian_prod, _cartesian_prod_samples, _vector_errors,
                dtypes=INT_FLOAT))


def combinations(input, r=2, with_replacement=False):
    """All length-``r`` combinations of the elements of the 1-d ``input``, as rows (like
    ``itertools.combinations``, or ``combinations_with_replacement``)."""
    _check_vector(input)
    if r < 0:
        raise RuntimeError("Expect a non-negative number, but got %d" % r)
    if r == 0:
        return _make(array_module(input._data).empty((0,), dtype=input._data.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = array_module(input._data).array(list(pick(range(input._data.shape[0]), r)),
                                            dtype=np.int64).reshape(-1, r)
    return input.index_select(0, _make(index.reshape(-1))).reshape(index.shape)


def _combinations_samples(dtype):
    yield SampleInput(T(4))
    yield SampleInput(T(4), 3)
    yield SampleInput(T(3), 2, True)
    yield SampleInput(T(3), 1)
    yield SampleInput(T(3), 0)
    yield SampleInput(T(3), 4)
    yield SampleInput(T(0), 2)


def _combinations_errors():
    yield from _vector_errors()
    yield ErrorInput(SampleInput(T(3), -1), RuntimeError, "Expect a non-negative number")


register(OpInfo("combinations", combinations, _combinations_samples, _combinations_errors,
                dtypes=INT_FLOAT))


class Cat(Node):
    def forward(ctx, *args):
        *arrays, dim = args
        ctx.dim = dim
        ctx.sizes = [None if _skipped(a) else a.shape[dim] for a in arrays]
        kept = [a for a in arrays if not _skipped(a)]
        if not kept:
            return arrays[0].copy()
        return np.concatenate(kept, axis=dim)

    def name(self):
        return "StackBackward0" if self.__dict__.get("stack") else "CatBackward0"

    def backward(ctx, g):
        res, start = [], 0
        lead = (slice(None),) * ctx.dim
        for s in ctx.sizes:
            if s is None:
                res.append(_make(array_module(g._data).zeros((0,), dtype=g._data.dtype)))
                continue
            res.append(Slice.apply((g,), lead + (slice(start, start + s),)))
            start += s
        return tuple(res)

    @staticmethod
    def onnx(call):
        dt = call.outs[0].dtype
        kept = [n if a.dtype == dt else call.g.cast(n, dt)
                for n, a in zip(call.inputs, call.arrays) if not _skipped(a)]
        if len(kept) == 1:
            return call.g.op("Identity", kept[0])
        return call.g.op("Concat", *kept, axis=int(call.params[0]))


def _skipped(a):
    """torch's legacy rule: 1-d empty tensors are left out of a concatenation."""
    return a.ndim == 1 and a.shape[0] == 0


def _tensor_list(tensors, fname):
    if isinstance(tensors, Tensor):
        raise TypeError("%s(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        "Tensor" % fname)
    tensors = tuple(tensors)
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError("expected Tensor as element in argument 'tensors', but got %s"
                            % type(t).__name__)
    return tensors


def cat(tensors, dim=0, *, out=None):
    """Concatenate tensors along an existing ``dim`` (dtypes promoted, as torch)."""
    from ember import _dtype
    from ember.ops._util import cast

    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError("zero-dimensional tensor (at position %d) cannot be concatenated"
                               % i)
    kept = [(i, t) for i, t in enumerate(tensors) if not _skipped(t._data)]
    if kept:
        i0, ref = kept[0]
        nd = ref._data.ndim
        d = wrap_dim(dim, nd)
        for i, t in kept[1:]:
            if t._data.ndim != nd:
                raise RuntimeError("Tensors must have same number of dimensions: got %d and %d"
                                   % (nd, t._data.ndim))
            for k in range(nd):
                if k != d and t._data.shape[k] != ref._data.shape[k]:
                    raise RuntimeError("Sizes of tensors must match except in dimension %d. "
                                       "Expected size %d but got size %d for tensor number %d "
                                       "in the list." % (d, ref._data.shape[k], t._data.shape[k],
                                                         i))
    else:
        d = wrap_dim(dim, 1)
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = _dtype.promote_types(dtype, t.dtype)
    tensors = tuple(cast(t, dtype) for t in tensors)
    return Cat.apply(tensors, d)


concat = cat


def _cat_samples(dtype):
    yield _S([T(2, 3), T(4, 3)], 0)
    yield _S([T(2, 3), T(2, 1), T(2, 2)], -1)
    yield _S([T(2, 3, noncontig=True), T(2, 3)], 1)
    yield _S([T(0, 3), T(2, 3)])
    yield _S([T(2, 3), T(0)], 1, name="1-d empty skipped")
    yield _S([T(3)])
    yield _S([T(2, 3), T(2, 3, dtype="int64")], name="promotion")


def _cat_errors():
    yield _E(_S([T(3, 2), T(4, 2)], 1), RuntimeError,
             r"Sizes of tensors must match except in dimension 1. Expected size 3 but got size 4 "
             r"for tensor number 1 in the list.")
    yield _E(_S([]), ValueError, "expected a non-empty list of Tensors")
    yield _E(_S([T(2, 3), T(2, 3, 1)]), RuntimeError,
             "Tensors must have same number of dimensions: got 2 and 3")
    yield _E(_S([T(), T()]), RuntimeError, r"zero-dimensional tensor \(at position 0\)")


register(OpInfo("cat", cat, _cat_samples, _cat_errors, dtypes=ALL))


def concatenate(tensors, axis=0, out=None):
    return cat(tensors, axis)


register(OpInfo("concatenate", concatenate, _cat_samples))


def stack(tensors, dim=0, *, out=None):
    """Join equal-shaped tensors along a new ``dim``."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != shape:
            raise RuntimeError("stack expects each tensor to be equal size, but got %s at entry 0 "
                               "and %s at entry %d" % (shape_str(shape),
                                                       shape_str(t._data.shape), i))
    d = wrap_dim(dim, len(shape) + 1)
    return tag(cat([unsqueeze(t, d) for t in tensors], d), stack=True)


register(OpInfo("stack", stack, _samples(
    _S([T(2, 3), T(2, 3)]), _S([T(2, 3), T(2, 3), T(2, 3)], -1),
    _S([T(2, 3, noncontig=True), T(2, 3)], 1), _S([T(), T()]), _S([T(0, 3), T(0, 3)], 1),
    _S([T(2, 3), T(2, 3, dtype="int64")])), _errors(
    _E(_S([T(2, 3), T(2, 4)]), RuntimeError, r"stack expects each tensor to be equal size, but "
       r"got \[2, 3\] at entry 0 and \[2, 4\] at entry 1"),
    _E(_S([]), RuntimeError, "stack expects a non-empty TensorList")), dtypes=ALL))


def _atleast(n, name):
    def fn(*tensors):
        if len(tensors) == 1 and isinstance(tensors[0], Tensor):
            return _grow(tensors[0], n)
        if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
            tensors = tensors[0]
        return tuple(_grow(t, n) for t in tensors)

    fn.__name__ = name
    fn.__doc__ = "``input`` viewed with at least %d dimensions." % n
    return fn


def _grow(t, n):
    shape = t._data.shape
    if len(shape) >= n:
        return t
    if len(shape) == 0:
        return reshape(t, (1,) * n)
    if len(shape) == 1:
        return reshape(t, ((1,) + shape + (1,))[:n])
    return reshape(t, shape + (1,))


atleast_1d = _atleast(1, "atleast_1d")


atleast_2d = _atleast(2, "atleast_2d")


atleast_3d = _atleast(3, "atleast_3d")


def hstack(tensors, *, out=None):
    tensors = atleast_1d(_tensor_list(tensors, "hstack"))
    if tensors and builtins.all(t._data.ndim == 1 for t in tensors):
        return cat(tensors, 0)
    return cat(tensors, 1)


register(OpInfo("hstack", hstack, _samples(
    _S([T(3), T(2)]), _S([T(2, 3), T(2, 1)]), _S([T(), T()]))))


def vstack(tensors, *, out=None):
    return cat(atleast_2d(_tensor_list(tensors, "vstack")), 0)


row_stack = vstack


register(OpInfo("vstack", vstack, _samples(_S([T(3), T(3)]), _S([T(2, 3), T(1, 3)]))))


def dstack(tensors, *, out=None):
    return cat(atleast_3d(_tensor_list(tensors, "dstack")), 2)


register(OpInfo("dstack", dstack, _samples(
    _S([T(3), T(3)]), _S([T(2, 3), T(2, 3)]), _S([T(2, 2, 1), T(2, 2, 3)]))))


def column_stack(tensors, *, out=None):
    tensors = _tensor_list(tensors, "column_stack")
    return cat([reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors], 1)


register(OpInfo("column_stack", column_stack, _samples(
    _S([T(3), T(3, 2), T(3)]), _S([T(), T()])), _errors(
    _E(_S([T(3), T(3, 2), T()]), RuntimeError, "Sizes of tensors must match except in "
       "dimension 1")), dtypes=ALL))


class Repeat(Node):
    def forward(ctx, a, sizes):
        ctx.in_shape = a.shape
        ctx.sizes = sizes
        lead = (1,) * (len(sizes) - a.ndim)
        return np.tile(a.reshape(lead + a.shape), sizes)

    def backward(ctx, g):
        sizes = ctx.sizes
        shape = (1,) * (len(sizes) - len(ctx.in_shape)) + ctx.in_shape
        inter = []
        for r, s in zip(sizes, shape):
            inter += [r, s]
        g = g.reshape(tuple(inter)).sum(tuple(range(0, 2 * len(sizes), 2)))
        return g.reshape(ctx.in_shape)

    @staticmethod
    def onnx(call):
        sizes = list(call.params[0])
        x, lead = call.inputs[0], len(sizes) - call.arrays[0].ndim
        if lead:
            x = call.g.unsqueeze(x, list(range(lead)))
        return call.g.op("Tile", x, call.g.ints(sizes))


def repeat(input, *sizes):
    """Tile ``input`` ``sizes[i]`` times along each dim (a copy), as ``Tensor.repeat``."""
    sizes = parse_shape(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    if builtins.any(s < 0 for s in sizes):
        padded = (1,) * (len(sizes) - input._data.ndim) + input._data.shape
        raise RuntimeError("Trying to create tensor with negative dimension %d: %s" % (
            builtins.min(sizes), shape_str([r * n for r, n in zip(sizes, padded)])))
    return Repeat.apply((input,), sizes)


register(OpInfo("repeat", repeat, _samples(
    _S(T(2, 3), (2, 1)), _S(T(2, 3), 2, 1, 2), _S(T(), (3,)), _S(T(2, 3, noncontig=True), 1, 2),
    _S(T(0, 2), 2, 2), _S(T(2, 3), (0, 1))), _errors(
    _E(_S(T(2, 3), (2,)), RuntimeError, "Number of dimensions of repeat dims can not be smaller"),
    _E(_S(T(2, 3), (-1, 1)), RuntimeError, r"negative dimension -1: \[-2, 3\]")),
    method=True, torch_name="Tensor.repeat", dtypes=ALL))


def tile(input, dims):
    dims = parse_shape((dims,) if isinstance(dims, builtins.int) else tuple(dims))
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


register(OpInfo("tile", tile, _samples(
    _S(T(2, 3), (2,)), _S(T(2, 3), (2, 1, 2)), _S(T(), (3,)),
    _S(T(2, 3, noncontig=True), (2, 2))), method=True, dtypes=ALL))


class RepeatInterleave(Node):
    def forward(ctx, a, repeats, axis):
        ctx.repeats, ctx.axis = repeats, axis
        return np.repeat(a, repeats, axis)

    def backward(ctx, g):
        return SegmentSum.apply((g,), ctx.repeats, ctx.axis)


class SegmentSum(Node):
    """Sum consecutive runs of ``repeats[i]`` entries along ``axis`` (repeat_interleave's
    backward)."""

    def forward(ctx, g, repeats, axis):
        ctx.repeats, ctx.axis = repeats, axis
        shape = g.shape[:axis] + (len(repeats),) + g.shape[axis + 1:]
        out = array_module(g).zeros(shape, dtype=g.dtype)
        nonzero = repeats > 0
        if g.shape[axis] and g.size:
            starts = np.cumsum(repeats) - repeats
            out[(slice(None),) * axis + (nonzero,)] = np.add.reduceat(g, starts[nonzero], axis)
        return out

    def backward(ctx, gg):
        return RepeatInterleave.apply((gg,), ctx.repeats, ctx.axis)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element ``repeats`` times along ``dim`` (the flattened input if None)."""
    if repeats is None:
        reps = input._data
        if reps.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if reps.size and reps.min() < 0:
            raise RuntimeError("repeats can not be negative")
        positions = array_module(reps).arange(reps.size, dtype=np.int64)
        return _make(np.repeat(positions, reps.reshape(-1)))
    if dim is None:
        input = reshape(input, (-1,))
        d = 0
    else:
        d = wrap_dim(dim, input._data.ndim)
        if input._data.ndim == 0:
            input = reshape(input, (1,))
    n = input._data.shape[d]
    if isinstance(repeats, Tensor):
        reps = repeats._data
        if reps.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if reps.dtype.kind not in "iu":
            raise RuntimeError("repeat_interleave only support int32 and int64 for repeats")
        reps = reps.reshape(-1).astype(np.int64)
        if reps.size == 1:
            reps = array_module(reps).full(n, reps[0], dtype=np.int64)
        if reps.size != n:
            raise RuntimeError("repeats must have the same size as input along dim, but got "
                               "repeats.size(0) = %d and input.size(%d) = %d" % (reps.size, d, n))
        if reps.size and reps.min() < 0:
            raise RuntimeError("repeats can not be negative")
    else:
        r = _int(repeats)
        if r < 0:
            raise RuntimeError("Repeats must be non-negative")
        reps = array_module(input._data).full(n, r, dtype=np.int64)
    return RepeatInterleave.apply((input,), reps, d)


register(OpInfo("repeat_interleave", repeat_interleave, _samples(
    _S(T(2, 3), 2), _S(T(2, 3), T(values=[1, 2], **_IDX), 0),
    _S(T(2, 3), T(values=[0, 2, 1], **_IDX), -1), _S(T(2, 3), 3, 1), _S(T(), 2),
    _S(T(2, 3, noncontig=True), T(values=[2], **_IDX), 1), _S(T(0, 3), 2, 0),
    _S(T(values=[1, 2, 0], **_IDX))), _errors(
    _E(_S(T(2, 3), T(values=[1, 2], **_IDX), 1), RuntimeError, r"repeats must have the same "
       r"size as input along dim, but got repeats.size\(0\) = 2 and input.size\(1\) = 3"),
    _E(_S(T(2, 3), -1, 0), RuntimeError, "Repeats must be non-negative")),
    method=True, dtypes=ALL))


class Flip(Node):
    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.flip(a, dims).copy() if dims else a.copy()

    def backward(ctx, g):
        return Flip.apply((g,), ctx.dims)

    @staticmethod
    def onnx(call):
        dims = list(call.params[0])
        if not dims:
            return call.g.op("Identity", call.inputs[0])
        big = np.iinfo(np.int64).max
        return call.g.slice(call.inputs[0], [-1] * len(dims), [-big] * len(dims), dims,
                            [-1] * len(dims))


def flip(input, dims):
    """A copy of ``input`` with the order of elements along ``dims`` reversed."""
    if isinstance(dims, (builtins.int, np.integer)):
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not int")
    dims = wrap_dims(tuple(dims), input._data.ndim)
    return Flip.apply((input,), dims)


register(OpInfo("flip", flip, _samples(
    _S(T(2, 3, 4), (0, 2)), _S(T(2, 3), (-1,)), _S(T(), ()), _S(T(3, 4, noncontig=True), (0, 1)),
    _S(T(0, 3), [0])), _errors(
    _E(_S(T(2, 3), (0, 0)), RuntimeError, "dim 0 appears multiple times in the list of dims")),
    method=True, dtypes=ALL))


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


register(OpInfo("fliplr", fliplr, _samples(_S(T(2, 3)), _S(T(2, 3, 4))), _errors(
    _E(_S(T(3)), RuntimeError, "Input must be >= 2-d.")), method=True))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


register(OpInfo("flipud", flipud, _samples(_S(T(3)), _S(T(2, 3))), _errors(
    _E(_S(T()), RuntimeError, "Input must be >= 1-d.")), method=True))


class Roll(Node):
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(a, shifts, dims)

    def backward(ctx, g):
        return Roll.apply((g,), tuple(-s for s in ctx.shifts), ctx.dims)

    @staticmethod
    def onnx(call):
        g, x, shape = call.g, call.inputs[0], call.arrays[0].shape
        shifts, dims = call.params
        if dims is None or dims == ():
            n = int(np.prod(shape))
            s = int(np.ravel(shifts)[0]) % max(n, 1)
            flat = g.op("Reshape", x, g.ints([-1]))
            parts = [g.slice(flat, [n - s], [n], [0]), g.slice(flat, [0], [n - s], [0])]
            return g.op("Reshape", g.op("Concat", *parts, axis=0), g.ints(list(shape)))
        for s, d in zip(np.atleast_1d(shifts), np.atleast_1d(dims)):
            n, d = shape[d], int(d)
            s = int(s) % n if n else 0
            if s:
                parts = [g.slice(x, [n - s], [n], [d]), g.slice(x, [0], [n - s], [d])]
                x = g.op("Concat", *parts, axis=d)
        return x


def roll(input, shifts, dims=None):
    """Rotate elements along ``dims`` by ``shifts`` (the flattened tensor when dims is None)."""
    shifts = (shifts,) if isinstance(shifts, (builtins.int, np.integer)) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError("shifts and dimensions must align. shifts: %d, dims:0"
                               % len(shifts))
        flat = reshape(input, (-1,))
        return reshape(Roll.apply((flat,), (_int(shifts[0]),), (0,)), input._data.shape)
    dims = (dims,) if isinstance(dims, (builtins.int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError("shifts and dimensions must align. shifts: %d, dims:%d"
                           % (len(shifts), len(dims)))
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("Dimension specified as %d but tensor has no dimensions" % dims[0])
    dims = tuple(wrap_dim(d, nd) for d in dims)
    return Roll.apply((input,), tuple(_int(s) for s in shifts), dims)


register(OpInfo("roll", roll, _samples(
    _S(T(3, 4), 1), _S(T(3, 4), (1, -2), (0, 1)), _S(T(3, 4), 5, 1),
    _S(T(3, 4, noncontig=True), -1, -1), _S(T(), 0), _S(T(0, 3), 1, 0)), _errors(
    _E(_S(T(3, 4), (1, 2), (0,)), RuntimeError, "shifts and dimensions must align. shifts: 2, "
       "dims:1")), method=True, dtypes=ALL))


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first towards the
    second)."""
    dims = tuple(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError("expected total rotation dims == 2, but got dims = %d" % len(dims))
    if nd < 2:
        raise RuntimeError("expected total dims >= 2, but got total dims = %d" % nd)
    d0, d1 = wrap_dim(dims[0], nd), wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError("expected rotation dims to be different, but got dim0 = %d and "
                           "dim1 = %d" % (d0, d1))
    k %= 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return Flip.apply((input,), ())


register(OpInfo("rot90", rot90, _samples(
    _S(T(2, 3)), _S(T(2, 3), 2), _S(T(2, 3, 4), -1, (2, 0)), _S(T(2, 3), 3, (1, 0)),
    _S(T(2, 3), 0), _S(T(2, 3, noncontig=True), 5)), _errors(
    _E(_S(T(2, 3), 1, (0,)), RuntimeError, "expected total rotation dims == 2, but got dims = 1"),
    _E(_S(T(2, 3), 1, (0, -2)), RuntimeError, "expected rotation dims to be different")),
    method=True, dtypes=ALL))


class Tril(Node):
    def forward(ctx, a, k, upper):
        ctx.k, ctx.upper = k, upper
        return np.triu(a, k) if upper else np.tril(a, k)

    def backward(ctx, g):
        return Tril.apply((g,), ctx.k, ctx.upper)

    def name(self):
        return "TriuBackward0" if self.upper else "TrilBackward0"

    @staticmethod
    def onnx(call):
        k, upper = call.params
        return call.g.op("Trilu", call.inputs[0], call.g.const(np.asarray(k, np.int64)),
                         upper=int(bool(upper)))


def _triangle(upper):
    def fn(input, diagonal=0, *, out=None):
        if input._data.ndim < 2:
            raise RuntimeError("%s: input tensor must have at least 2 dimensions"
                               % ("triu" if upper else "tril"))
        return Tril.apply((input,), _int(diagonal), upper)

    fn.__name__ = "triu" if upper else "tril"
    fn.__doc__ = "The %s triangle of the last two dims, from diagonal ``diagonal`` on." % (
        "upper" if upper else "lower")
    return fn


tril, triu = _triangle(False), _triangle(True)


for _name, _fn in (("tril", tril), ("triu", triu)):
    register(OpInfo(_name, _fn, _samples(
        _S(T(3, 4)), _S(T(3, 4), 1), _S(T(2, 3, 4), -1), _S(T(4, 3, noncontig=True), 2),
        _S(T(0, 3))), _errors(
        _E(_S(T(3)), RuntimeError, "%s: input tensor must have at least 2 dimensions" % _name)),
        method=True, inplace=_name + "_", dtypes=ALL))


def diag(input, diagonal=0, *, out=None):
    """A vector's diagonal matrix, or a matrix's diagonal (a copy), ``diagonal`` above the
    main one."""
    nd = input._data.ndim
    k = _int(diagonal)
    if nd == 1:
        m = input._data.shape[0] + builtins.abs(k)
        return DiagonalBackward.apply((input,), (m, m), k, 0, 1)
    if nd != 2:
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got %dD" % nd)
    return Diagonal.apply((input,), k, 0, 1, True)


register(OpInfo("diag", diag, _samples(
    _S(T(3)), _S(T(3), 1), _S(T(3), -2), _S(T(3, 4)), _S(T(3, 4), 1), _S(T(3, 4), -2),
    _S(T(4, 3, noncontig=True)), _S(T(0))), _errors(
    _E(_S(T(2, 2, 2)), RuntimeError, r"diag\(\): Supports 1D or 2D tensors. Got 3D")),
    method=True, dtypes=ALL))


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Place the last dim of ``input`` on diagonal ``offset`` of new ``dim1`` x ``dim2``
    planes."""
    nd = input._data.ndim + 1
    d1, d2 = _diag_dims(nd, dim1, dim2)
    offset = _int(offset)
    shape = list(input._data.shape[:-1])
    n = (input._data.shape[-1] if input._data.ndim else 1) + builtins.abs(offset)
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    if input._data.ndim == 0:
        input = reshape(input, (1,))
    return DiagonalBackward.apply((input,), tuple(shape), offset, d1, d2)


register(OpInfo("diag_embed", diag_embed, _samples(
    _S(T(3)), _S(T(2, 3)), _S(T(2, 3), 1), _S(T(2, 3), -1, 0, 2), _S(T(2, 3), 0, -1, 0),
    _S(T(2, 3, noncontig=True), 2)), _errors(
    _E(_S(T(2, 3), 1, 0, 0), RuntimeError, "diagonal dimensions cannot be identical 0, 0")),
    method=True, dtypes=ALL))


def meshgrid(*tensors, indexing=None):
    """Coordinate grids (expanded views) from 0-d or 1-d tensors; ``indexing='xy'`` swaps the
    first two dims."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           '%s' % indexing)
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               "got: %r" % (t,))
    sizes = [t._data.size for t in tensors]
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        order[0], order[1] = 1, 0
    shape = tuple(sizes[i] for i in order)
    out = []
    for i, t in enumerate(tensors):
        pos = order.index(i)
        view_shape = (1,) * pos + (sizes[i],) + (1,) * (len(tensors) - pos - 1)
        out.append(expand(reshape(t, view_shape), shape))
    return tuple(out)


register(OpInfo("meshgrid", meshgrid, _samples(
    _S(T(2), T(3), indexing="ij"), _S(T(2), T(3), T(2), indexing="xy"),
    _S(T(), T(3), indexing="ij"), _S([T(2), T(3)], indexing="xy")), _errors(
    _E(_S(T(2), T(3), indexing="ab"), RuntimeError, "indexing must be one of"))))


register(OpInfo("concat", concat, _cat_samples, _cat_errors))


register(OpInfo("row_stack", row_stack, _samples(_S([T(3), T(3)]))))


for _n in (1, 2, 3):
    register(OpInfo("atleast_%dd" % _n, globals()["atleast_%dd" % _n], _samples(
        _S(T()), _S(T(3)), _S(T(2, 3)), _S(T(2, 3, 4)), _S([T(), T(2)]), _S(T(), T(3, 2)))))


def diagflat(input, offset=0):
    """A matrix with the flattened ``input`` on diagonal ``offset``."""
    return diag(input.reshape(-1), offset)


register(OpInfo("diagflat", diagflat, lambda dt: iter([
    SampleInput(T(2, 2)), SampleInput(T(3), 1), SampleInput(T(3), -2)]), method=True,
    dtypes=ALL))
