"""Joining, splitting, tiling and rearranging tensors: cat/stack and friends, narrow/select/
split/chunk/unbind (views), repeat/tile/repeat_interleave, flip/roll/rot90, tril/triu/diag/
diagonal, unfold and meshgrid.
"""
import builtins

from ember._backend import np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node, tag
from ember.ops._util import shape_str, wrap_dim, wrap_dims
from ember.ops.registry import ALL, ErrorInput, OpInfo, SampleInput, T, register
from ember.ops.shape import (as_view, expand, parse_shape, reshape, transpose, unsqueeze)


# --- slices: narrow, select, split, chunk, unbind ---------------------------------------------

class Slice(Node):
    """A basic-index view ``a[idx]``; backward writes the gradient into zeros."""

    def forward(ctx, a, idx):
        ctx.in_shape, ctx.idx = a.shape, idx
        return a[idx]

    def backward(ctx, g):
        return SliceBackward.apply((g,), ctx.idx, ctx.in_shape)


class SliceBackward(Node):
    def forward(ctx, g, idx, shape):
        ctx.idx = idx
        out = np.zeros(shape, dtype=g.dtype)
        out[idx] = g
        return out

    def backward(ctx, gg):
        return Slice.apply((gg,), ctx.idx)


def _slice_view(input, dim, key):
    return as_view(Slice.apply((input,), (slice(None),) * dim + (key,)), input)


def _int(x):
    return builtins.int(x.item()) if isinstance(x, Tensor) else builtins.int(x)


def narrow(input, dim, start, length):
    """The view ``input[..., start:start + length, ...]`` along ``dim``."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, nd)
    size = input._data.shape[d]
    start, length = _int(start), _int(length)
    if start < -size or start > size:
        raise IndexError("start out of range (expected to be in range of [%d, %d], but got %d)"
                         % (-size, size, start))
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError("start (%d) + length (%d) exceeds dimension size (%d)."
                           % (start, length, size))
    return _slice_view(input, d, slice(start, start + length))


def select(input, dim, index):
    """The view ``input[..., index, ...]`` with ``dim`` removed."""
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, nd)
    size = input._data.shape[d]
    index = _int(index)
    if index < -size or index >= size:
        raise IndexError("select(): index %d out of range for tensor of size %s at dimension %d"
                         % (index, shape_str(input._data.shape), d))
    return _slice_view(input, d, index + size if index < 0 else index)


def _pieces(input, d, sizes):
    out, start = [], 0
    for s in sizes:
        out.append(_slice_view(input, d, slice(start, start + s)))
        start += s
    return tuple(out)


def split(tensor, split_size_or_sections, dim=0):
    """Views of ``split_size``-long pieces (the last may be shorter), or of the given sizes."""
    nd = tensor._data.ndim
    if nd == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, nd)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [_int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != size or builtins.any(s < 0 for s in sizes):
            raise RuntimeError("split_with_sizes expects split_sizes to sum exactly to %d (input "
                               "tensor's size at dimension %d), but got split_sizes=%s"
                               % (size, d, shape_str(sizes)))
        return _pieces(tensor, d, sizes)
    step = _int(split_size_or_sections)
    if step < 0:
        raise RuntimeError("split expects split_size be non-negative, but got split_size=%d"
                           % step)
    if step == 0:
        if size != 0:
            raise RuntimeError("split_size can only be 0 if dimension size is 0, but got "
                               "dimension size of %d" % size)
        return _pieces(tensor, d, [0])
    n = builtins.max((size + step - 1) // step, 1)
    return _pieces(tensor, d, [step] * (n - 1) + [size - step * (n - 1)])


def split_with_sizes(input, split_sizes, dim=0):
    return split(input, list(split_sizes), dim)


def tensor_split(input, indices_or_sections, dim=0):
    """Split into ``sections`` near-equal views, or at the given ``indices``, as NumPy's
    ``array_split``."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = wrap_dim(dim, nd)
    size = input._data.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        if spec._data.dtype.kind not in "iu" or spec._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               "with %d dims" % spec._data.ndim)
        spec = spec._data.item() if spec._data.ndim == 0 else spec._data.tolist()
    if isinstance(spec, (list, tuple)):
        bounds = [0]
        for i in spec:
            i = _int(i)
            bounds.append(builtins.min(builtins.max(i + size if i < 0 else i, 0), size))
        bounds.append(size)
        return tuple(_slice_view(input, d, slice(bounds[k], builtins.max(bounds[k + 1],
                                                                            bounds[k])))
                     for k in range(len(bounds) - 1))
    n = _int(spec)
    if n <= 0:
        raise RuntimeError("number of sections must be larger than 0, got %d" % n)
    q, r = divmod(size, n)
    return _pieces(input, d, [q + 1] * r + [q] * (n - r))


def chunk(input, chunks, dim=0):
    """At most ``chunks`` views of ``ceil(size / chunks)`` elements along ``dim``."""
    chunks = _int(chunks)
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: %d" % chunks)
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    size = input._data.shape[wrap_dim(dim, nd)]
    if size == 0:
        return _pieces(input, wrap_dim(dim, nd), [0] * chunks)
    return split(input, (size + chunks - 1) // chunks, dim)


def _split_along(name, dim, min_dims):
    def fn(input, indices_or_sections):
        nd = input._data.ndim
        if nd < min_dims:
            raise RuntimeError("torch.%s requires a tensor with at least %d dimension, but got a "
                               "tensor with %d dimensions!" % (name, min_dims, nd))
        d = dim if dim is not None else (0 if nd == 1 else 1)
        if isinstance(indices_or_sections, builtins.int) and input._data.shape[d] % \
                indices_or_sections:
            raise RuntimeError("torch.%s attempted to split along dimension %d, but the size of "
                               "the dimension %d is not divisible by the split_size %d!" % (
                                   name, d, input._data.shape[d], indices_or_sections))
        return tensor_split(input, indices_or_sections, d)

    fn.__name__ = name
    return fn


hsplit = _split_along("hsplit", None, 1)
vsplit = _split_along("vsplit", 0, 2)
dsplit = _split_along("dsplit", 2, 3)


def unbind(input, dim=0):
    """The views ``select(input, dim, i)`` for every ``i``."""
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, nd)
    return tuple(_slice_view(input, d, i) for i in range(input._data.shape[d]))


# --- concatenation ----------------------------------------------------------------------------

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
                res.append(_make(np.zeros((0,), dtype=g._data.dtype)))
                continue
            res.append(Slice.apply((g,), lead + (slice(start, start + s),)))
            start += s
        return tuple(res)


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
    from ember import _dtype as D
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
        dtype = D.promote_types(dtype, t.dtype)
    tensors = tuple(cast(t, dtype) for t in tensors)
    return Cat.apply(tensors, d)


concat = cat


def concatenate(tensors, axis=0, out=None):
    return cat(tensors, axis)


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


def vstack(tensors, *, out=None):
    return cat(atleast_2d(_tensor_list(tensors, "vstack")), 0)


row_stack = vstack


def dstack(tensors, *, out=None):
    return cat(atleast_3d(_tensor_list(tensors, "dstack")), 2)


def column_stack(tensors, *, out=None):
    tensors = _tensor_list(tensors, "column_stack")
    return cat([reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors], 1)


# --- repetition -------------------------------------------------------------------------------

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


def tile(input, dims):
    dims = parse_shape((dims,) if isinstance(dims, builtins.int) else tuple(dims))
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


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
        out = np.zeros(shape, dtype=g.dtype)
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
        return _make(np.repeat(np.arange(reps.size, dtype=np.int64), reps.reshape(-1)))
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
            reps = np.full(n, reps[0], dtype=np.int64)
        if reps.size != n:
            raise RuntimeError("repeats must have the same size as input along dim, but got "
                               "repeats.size(0) = %d and input.size(%d) = %d" % (reps.size, d, n))
        if reps.size and reps.min() < 0:
            raise RuntimeError("repeats can not be negative")
    else:
        r = _int(repeats)
        if r < 0:
            raise RuntimeError("Repeats must be non-negative")
        reps = np.full(n, r, dtype=np.int64)
    return RepeatInterleave.apply((input,), reps, d)


# --- reordering: flip, roll, rot90 ------------------------------------------------------------

class Flip(Node):
    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.flip(a, dims).copy() if dims else a.copy()

    def backward(ctx, g):
        return Flip.apply((g,), ctx.dims)


def flip(input, dims):
    """A copy of ``input`` with the order of elements along ``dims`` reversed."""
    if isinstance(dims, (builtins.int, np.integer)):
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not int")
    dims = wrap_dims(tuple(dims), input._data.ndim)
    return Flip.apply((input,), dims)


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class Roll(Node):
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(a, shifts, dims)

    def backward(ctx, g):
        return Roll.apply((g,), tuple(-s for s in ctx.shifts), ctx.dims)


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


# --- triangles and diagonals ------------------------------------------------------------------

class Tril(Node):
    def forward(ctx, a, k, upper):
        ctx.k, ctx.upper = k, upper
        return np.triu(a, k) if upper else np.tril(a, k)

    def backward(ctx, g):
        return Tril.apply((g,), ctx.k, ctx.upper)

    def name(self):
        return "TriuBackward0" if self.upper else "TrilBackward0"


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


def _diag_view(a, offset, d1, d2):
    """The writable strided view of diagonal ``offset`` of dims ``d1``, ``d2`` (moved last)."""
    idx = [slice(None)] * a.ndim
    if offset >= 0:
        idx[d2] = slice(offset, None)
    else:
        idx[d1] = slice(-offset, None)
    b = a[tuple(idx)]
    n = builtins.max(0, builtins.min(b.shape[d1], b.shape[d2]))
    keep = [k for k in range(a.ndim) if k != d1 and k != d2]
    return np.lib.stride_tricks.as_strided(
        b, tuple(b.shape[k] for k in keep) + (n,),
        tuple(b.strides[k] for k in keep) + (b.strides[d1] + b.strides[d2],))


class Diagonal(Node):
    def forward(ctx, a, offset, d1, d2, copy):
        ctx.in_shape, ctx.args = a.shape, (offset, d1, d2)
        out = _diag_view(a, offset, d1, d2)
        return out.copy() if copy else out

    def backward(ctx, g):
        return DiagonalBackward.apply((g,), ctx.in_shape, *ctx.args)


class DiagonalBackward(Node):
    """Zeros of ``shape`` with ``g`` on a diagonal (also diag of a vector and diag_embed)."""

    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = np.zeros(shape, dtype=g.dtype)
        _diag_view(out, offset, d1, d2)[...] = g
        return out

    def backward(ctx, gg):
        return Diagonal.apply((gg,), *ctx.args, False)


def _diag_dims(nd, dim1, dim2):
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError("diagonal dimensions cannot be identical %d, %d" % (dim1, dim2))
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The view of diagonal ``offset`` of the ``dim1`` x ``dim2`` planes, as the last dim."""
    d1, d2 = _diag_dims(input._data.ndim, dim1, dim2)
    return as_view(Diagonal.apply((input,), _int(offset), d1, d2, False), input)


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


# --- windows and grids ------------------------------------------------------------------------

class Unfold(Node):
    def forward(ctx, a, d, size, step):
        ctx.in_shape, ctx.args = a.shape, (d, size, step)
        n = (a.shape[d] - size) // step + 1
        st = a.strides
        return np.lib.stride_tricks.as_strided(
            a, a.shape[:d] + (n,) + a.shape[d + 1:] + (size,),
            st[:d] + (st[d] * step,) + st[d + 1:] + (st[d],))

    def backward(ctx, g):
        return UnfoldBackward.apply((g,), ctx.in_shape, *ctx.args)


class UnfoldBackward(Node):
    """Add every window's gradient back at its position (windows may overlap)."""

    def forward(ctx, g, shape, d, size, step):
        ctx.args = (d, size, step)
        out = np.zeros(shape, dtype=g.dtype)
        n = g.shape[d]
        lead = (slice(None),) * d
        for k in range(size):
            out[lead + (slice(k, k + step * (n - 1) + 1, step),)] += g[..., k]
        return out

    def backward(ctx, gg):
        return Unfold.apply((gg,), *ctx.args)


def unfold(input, dimension, size, step):
    """``Tensor.unfold``: a view of all ``size``-long windows along ``dimension``, ``step``
    apart, in a new last dim."""
    nd = input._data.ndim
    d = wrap_dim(dimension, nd)
    if nd == 0:
        input = reshape(input, (1,))
    n = input._data.shape[d]
    if size > n:
        raise RuntimeError("maximum size for tensor at dimension %d is %d but size is %d"
                           % (d, n, size))
    if step <= 0:
        raise RuntimeError("step is %d but must be > 0" % step)
    if size < 0:
        raise RuntimeError("size is %d but must be >= 0" % size)
    out = as_view(Unfold.apply((input,), d, size, step), input)
    return reshape(out, (size,)) if nd == 0 else out


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


# --- registration of the slicing, joining and reordering ops ---------------------------------

def _samples(*samples):
    return lambda dtype: iter(samples)


def _errors(*errors):
    return lambda: iter(errors)


_S, _E = SampleInput, ErrorInput
_IDX = dict(dtype="int64", grad=False)

register(OpInfo("narrow", narrow, _samples(
    _S(T(4, 5), 1, 1, 3), _S(T(4, 5), -1, -2, 2), _S(T(4, 5, noncontig=True), 0, 4, 0),
    _S(T(4, 5), 0, T(values=1, **_IDX), 2), _S(T(0, 3), 1, 1, 2)), _errors(
    _E(_S(T(3, 4), 1, 3, 2), RuntimeError, r"start \(3\) \+ length \(2\) exceeds dimension size "
       r"\(4\)"),
    _E(_S(T(3, 4), 1, 5, 0), IndexError, r"start out of range")), method=True, dtypes=ALL))
register(OpInfo("select", select, _samples(
    _S(T(3, 4), 1, 2), _S(T(3, 4), -1, -1), _S(T(3, 4, noncontig=True), 0, 1), _S(T(3), 0, 0)),
    _errors(_E(_S(T(3, 4), 0, 3), IndexError, r"select\(\): index 3 out of range for tensor of "
               r"size \[3, 4\] at dimension 0")), method=True, dtypes=ALL))
register(OpInfo("split", split, _samples(
    _S(T(5, 4), 2), _S(T(5, 4), [1, 3, 1]), _S(T(4, 6), 4, -1), _S(T(0, 3), 2),
    _S(T(4, 6, noncontig=True), [2, 0, 4], 1)), _errors(
    _E(_S(T(2, 3), [1, 1], 1), RuntimeError, r"split_with_sizes expects split_sizes to sum "
       r"exactly to 3 \(input tensor's size at dimension 1\), but got split_sizes=\[1, 1\]"),
    _E(_S(T(2, 3), -1), RuntimeError, "split_size=-1")), method=True, dtypes=ALL))
register(OpInfo("split_with_sizes", split_with_sizes, _samples(_S(T(5, 4), [1, 3, 1])),
                method=True, torch_name="Tensor.split_with_sizes"))
register(OpInfo("tensor_split", tensor_split, _samples(
    _S(T(7, 3), 3), _S(T(3, 7), [1, 5, 3, 9], 1), _S(T(7), T(values=[1, 5], **_IDX)),
    _S(T(7), T(values=3, **_IDX)), _S(T(4, 5, noncontig=True), 2, -1), _S(T(0, 3), 2)),
    _errors(_E(_S(T(), 1), RuntimeError, "expected at least a 1-dimensional tensor"),
            _E(_S(T(4), 0), RuntimeError, "number of sections must be larger than 0, got 0")),
    method=True, dtypes=ALL))
register(OpInfo("chunk", chunk, _samples(
    _S(T(6, 4), 4), _S(T(5, 4), 2, 1), _S(T(0, 3), 2), _S(T(3, 8, noncontig=True), 3, -1)),
    _errors(_E(_S(T(3, 4), 0, 1), RuntimeError, "chunk expects `chunks` to be greater than 0, "
               "got: 0")), method=True, dtypes=ALL))
register(OpInfo("unbind", unbind, _samples(
    _S(T(3, 4)), _S(T(3, 4), -1), _S(T(2, 3, noncontig=True), 1), _S(T(0, 3), 1)),
    _errors(_E(_S(T()), IndexError, "Dimension specified as 0 but tensor has no dimensions")),
    method=True, dtypes=ALL))
register(OpInfo("hsplit", hsplit, _samples(_S(T(4, 6), 2), _S(T(4, 6), [1, 3]), _S(T(6), 3)),
                _errors(_E(_S(T(4, 6), 4), RuntimeError, "not divisible by the split_size 4")),
                method=True))
register(OpInfo("vsplit", vsplit, _samples(_S(T(4, 6), 2), _S(T(4, 6), [3])), method=True))
register(OpInfo("dsplit", dsplit, _samples(_S(T(2, 2, 4), 2)), method=True))


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
register(OpInfo("concat", concat, _cat_samples, _cat_errors))
register(OpInfo("concatenate", concatenate, _cat_samples))
register(OpInfo("stack", stack, _samples(
    _S([T(2, 3), T(2, 3)]), _S([T(2, 3), T(2, 3), T(2, 3)], -1),
    _S([T(2, 3, noncontig=True), T(2, 3)], 1), _S([T(), T()]), _S([T(0, 3), T(0, 3)], 1),
    _S([T(2, 3), T(2, 3, dtype="int64")])), _errors(
    _E(_S([T(2, 3), T(2, 4)]), RuntimeError, r"stack expects each tensor to be equal size, but "
       r"got \[2, 3\] at entry 0 and \[2, 4\] at entry 1"),
    _E(_S([]), RuntimeError, "stack expects a non-empty TensorList")), dtypes=ALL))
register(OpInfo("hstack", hstack, _samples(
    _S([T(3), T(2)]), _S([T(2, 3), T(2, 1)]), _S([T(), T()]))))
register(OpInfo("vstack", vstack, _samples(_S([T(3), T(3)]), _S([T(2, 3), T(1, 3)]))))
register(OpInfo("row_stack", row_stack, _samples(_S([T(3), T(3)]))))
register(OpInfo("dstack", dstack, _samples(
    _S([T(3), T(3)]), _S([T(2, 3), T(2, 3)]), _S([T(2, 2, 1), T(2, 2, 3)]))))
register(OpInfo("column_stack", column_stack, _samples(
    _S([T(3), T(3, 2), T(3)]), _S([T(), T()])), _errors(
    _E(_S([T(3), T(3, 2), T()]), RuntimeError, "Sizes of tensors must match except in "
       "dimension 1")), dtypes=ALL))
for _n in (1, 2, 3):
    register(OpInfo("atleast_%dd" % _n, globals()["atleast_%dd" % _n], _samples(
        _S(T()), _S(T(3)), _S(T(2, 3)), _S(T(2, 3, 4)), _S([T(), T(2)]), _S(T(), T(3, 2)))))
register(OpInfo("repeat", repeat, _samples(
    _S(T(2, 3), (2, 1)), _S(T(2, 3), 2, 1, 2), _S(T(), (3,)), _S(T(2, 3, noncontig=True), 1, 2),
    _S(T(0, 2), 2, 2), _S(T(2, 3), (0, 1))), _errors(
    _E(_S(T(2, 3), (2,)), RuntimeError, "Number of dimensions of repeat dims can not be smaller"),
    _E(_S(T(2, 3), (-1, 1)), RuntimeError, r"negative dimension -1: \[-2, 3\]")),
    method=True, torch_name="Tensor.repeat", dtypes=ALL))
register(OpInfo("tile", tile, _samples(
    _S(T(2, 3), (2,)), _S(T(2, 3), (2, 1, 2)), _S(T(), (3,)),
    _S(T(2, 3, noncontig=True), (2, 2))), method=True, dtypes=ALL))
register(OpInfo("repeat_interleave", repeat_interleave, _samples(
    _S(T(2, 3), 2), _S(T(2, 3), T(values=[1, 2], **_IDX), 0),
    _S(T(2, 3), T(values=[0, 2, 1], **_IDX), -1), _S(T(2, 3), 3, 1), _S(T(), 2),
    _S(T(2, 3, noncontig=True), T(values=[2], **_IDX), 1), _S(T(0, 3), 2, 0),
    _S(T(values=[1, 2, 0], **_IDX))), _errors(
    _E(_S(T(2, 3), T(values=[1, 2], **_IDX), 1), RuntimeError, r"repeats must have the same "
       r"size as input along dim, but got repeats.size\(0\) = 2 and input.size\(1\) = 3"),
    _E(_S(T(2, 3), -1, 0), RuntimeError, "Repeats must be non-negative")),
    method=True, dtypes=ALL))
register(OpInfo("flip", flip, _samples(
    _S(T(2, 3, 4), (0, 2)), _S(T(2, 3), (-1,)), _S(T(), ()), _S(T(3, 4, noncontig=True), (0, 1)),
    _S(T(0, 3), [0])), _errors(
    _E(_S(T(2, 3), (0, 0)), RuntimeError, "dim 0 appears multiple times in the list of dims")),
    method=True, dtypes=ALL))
register(OpInfo("fliplr", fliplr, _samples(_S(T(2, 3)), _S(T(2, 3, 4))), _errors(
    _E(_S(T(3)), RuntimeError, "Input must be >= 2-d.")), method=True))
register(OpInfo("flipud", flipud, _samples(_S(T(3)), _S(T(2, 3))), _errors(
    _E(_S(T()), RuntimeError, "Input must be >= 1-d.")), method=True))
register(OpInfo("roll", roll, _samples(
    _S(T(3, 4), 1), _S(T(3, 4), (1, -2), (0, 1)), _S(T(3, 4), 5, 1),
    _S(T(3, 4, noncontig=True), -1, -1), _S(T(), 0), _S(T(0, 3), 1, 0)), _errors(
    _E(_S(T(3, 4), (1, 2), (0,)), RuntimeError, "shifts and dimensions must align. shifts: 2, "
       "dims:1")), method=True, dtypes=ALL))
register(OpInfo("rot90", rot90, _samples(
    _S(T(2, 3)), _S(T(2, 3), 2), _S(T(2, 3, 4), -1, (2, 0)), _S(T(2, 3), 3, (1, 0)),
    _S(T(2, 3), 0), _S(T(2, 3, noncontig=True), 5)), _errors(
    _E(_S(T(2, 3), 1, (0,)), RuntimeError, "expected total rotation dims == 2, but got dims = 1"),
    _E(_S(T(2, 3), 1, (0, -2)), RuntimeError, "expected rotation dims to be different")),
    method=True, dtypes=ALL))
for _name, _fn in (("tril", tril), ("triu", triu)):
    register(OpInfo(_name, _fn, _samples(
        _S(T(3, 4)), _S(T(3, 4), 1), _S(T(2, 3, 4), -1), _S(T(4, 3, noncontig=True), 2),
        _S(T(0, 3))), _errors(
        _E(_S(T(3)), RuntimeError, "%s: input tensor must have at least 2 dimensions" % _name)),
        method=True, inplace=_name + "_", dtypes=ALL))
register(OpInfo("diag", diag, _samples(
    _S(T(3)), _S(T(3), 1), _S(T(3), -2), _S(T(3, 4)), _S(T(3, 4), 1), _S(T(3, 4), -2),
    _S(T(4, 3, noncontig=True)), _S(T(0))), _errors(
    _E(_S(T(2, 2, 2)), RuntimeError, r"diag\(\): Supports 1D or 2D tensors. Got 3D")),
    method=True, dtypes=ALL))
register(OpInfo("diagonal", diagonal, _samples(
    _S(T(3, 4)), _S(T(3, 4), 1), _S(T(3, 4), -1), _S(T(2, 3, 4), 0, 0, 2),
    _S(T(2, 3, 4), 1, -1, 0), _S(T(3, 4, noncontig=True)), _S(T(3, 4), 5)), _errors(
    _E(_S(T(3, 4), 0, 1, 1), RuntimeError, "diagonal dimensions cannot be identical 1, 1")),
    method=True, dtypes=ALL))
register(OpInfo("diag_embed", diag_embed, _samples(
    _S(T(3)), _S(T(2, 3)), _S(T(2, 3), 1), _S(T(2, 3), -1, 0, 2), _S(T(2, 3), 0, -1, 0),
    _S(T(2, 3, noncontig=True), 2)), _errors(
    _E(_S(T(2, 3), 1, 0, 0), RuntimeError, "diagonal dimensions cannot be identical 0, 0")),
    method=True, dtypes=ALL))
register(OpInfo("Tensor.unfold", unfold, _samples(
    _S(T(3, 7), 1, 3, 2), _S(T(3, 7), -1, 2, 2), _S(T(5, 2), 0, 5, 1), _S(T(), 0, 1, 1),
    _S(T(4, 6, noncontig=True), 1, 2, 1), _S(T(2, 3), 1, 0, 1)), _errors(
    _E(_S(T(2, 3), 1, 4, 1), RuntimeError, "maximum size for tensor at dimension 1 is 3 but "
       "size is 4"),
    _E(_S(T(2, 3), 1, 2, 0), RuntimeError, "step is 0 but must be > 0")),
    method="unfold", dtypes=ALL))
register(OpInfo("meshgrid", meshgrid, _samples(
    _S(T(2), T(3), indexing="ij"), _S(T(2), T(3), T(2), indexing="xy"),
    _S(T(), T(3), indexing="ij"), _S([T(2), T(3)], indexing="xy")), _errors(
    _E(_S(T(2), T(3), indexing="ab"), RuntimeError, "indexing must be one of"))))
