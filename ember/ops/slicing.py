"""View ops that take a part of their input: narrow, select, split (split_with_sizes, tensor_split,
chunk, hsplit/vsplit/dsplit), unbind, diagonal and Tensor.unfold. Each result shares its base's
memory; the backward puts the gradient back into zeros of the base's shape. Their out-of-place
inverses follow: select_scatter, slice_scatter, diagonal_scatter, as_strided_scatter (the input
with that view replaced by ``src``).
"""
import builtins

from ember._backend import array_module, as_strided, np
from ember._tensor import Tensor, _make
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.ops._util import shape_str, wrap_dim
from ember.ops.registry import ALL, ErrorInput, OpInfo, SampleInput, T, register
from ember.ops.views import _positions, as_view, reshape


class Slice(Node):
    """A basic-index view ``a[idx]``; backward writes the gradient into zeros."""

    def forward(ctx, a, idx):
        ctx.in_shape, ctx.idx = a.shape, idx
        return a[idx]

    def backward(ctx, g):
        return SliceBackward.apply((g,), ctx.idx, ctx.in_shape)

    @staticmethod
    def onnx(call):
        return call.g.basic_index(call.inputs[0], call.arrays[0].shape, call.params[0])


class SliceBackward(Node):
    def forward(ctx, g, idx, shape):
        ctx.idx = idx
        out = array_module(g).zeros(shape, dtype=g.dtype)
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


register(OpInfo("select", select, _samples(
    _S(T(3, 4), 1, 2), _S(T(3, 4), -1, -1), _S(T(3, 4, noncontig=True), 0, 1), _S(T(3), 0, 0)),
    _errors(_E(_S(T(3, 4), 0, 3), IndexError, r"select\(\): index 3 out of range for tensor of "
               r"size \[3, 4\] at dimension 0")), method=True, dtypes=ALL))


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


register(OpInfo("split", split, _samples(
    _S(T(5, 4), 2), _S(T(5, 4), [1, 3, 1]), _S(T(4, 6), 4, -1), _S(T(0, 3), 2),
    _S(T(4, 6, noncontig=True), [2, 0, 4], 1)), _errors(
    _E(_S(T(2, 3), [1, 1], 1), RuntimeError, r"split_with_sizes expects split_sizes to sum "
       r"exactly to 3 \(input tensor's size at dimension 1\), but got split_sizes=\[1, 1\]"),
    _E(_S(T(2, 3), -1), RuntimeError, "split_size=-1")), method=True, dtypes=ALL))


def split_with_sizes(input, split_sizes, dim=0):
    return split(input, list(split_sizes), dim)


register(OpInfo("split_with_sizes", split_with_sizes, _samples(_S(T(5, 4), [1, 3, 1])),
                method=True, torch_name="Tensor.split_with_sizes"))


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


register(OpInfo("tensor_split", tensor_split, _samples(
    _S(T(7, 3), 3), _S(T(3, 7), [1, 5, 3, 9], 1), _S(T(7), T(values=[1, 5], **_IDX)),
    _S(T(7), T(values=3, **_IDX)), _S(T(4, 5, noncontig=True), 2, -1), _S(T(0, 3), 2)),
    _errors(_E(_S(T(), 1), RuntimeError, "expected at least a 1-dimensional tensor"),
            _E(_S(T(4), 0), RuntimeError, "number of sections must be larger than 0, got 0")),
    method=True, dtypes=ALL))


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


register(OpInfo("chunk", chunk, _samples(
    _S(T(6, 4), 4), _S(T(5, 4), 2, 1), _S(T(0, 3), 2), _S(T(3, 8, noncontig=True), 3, -1)),
    _errors(_E(_S(T(3, 4), 0, 1), RuntimeError, "chunk expects `chunks` to be greater than 0, "
               "got: 0")), method=True, dtypes=ALL))


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


register(OpInfo("hsplit", hsplit, _samples(_S(T(4, 6), 2), _S(T(4, 6), [1, 3]), _S(T(6), 3)),
                _errors(_E(_S(T(4, 6), 4), RuntimeError, "not divisible by the split_size 4")),
                method=True))


vsplit = _split_along("vsplit", 0, 2)


register(OpInfo("vsplit", vsplit, _samples(_S(T(4, 6), 2), _S(T(4, 6), [3])), method=True))


dsplit = _split_along("dsplit", 2, 3)


register(OpInfo("dsplit", dsplit, _samples(_S(T(2, 2, 4), 2)), method=True))


def unbind(input, dim=0):
    """The views ``select(input, dim, i)`` for every ``i``."""
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, nd)
    return tuple(_slice_view(input, d, i) for i in range(input._data.shape[d]))


register(OpInfo("unbind", unbind, _samples(
    _S(T(3, 4)), _S(T(3, 4), -1), _S(T(2, 3, noncontig=True), 1), _S(T(0, 3), 1)),
    _errors(_E(_S(T()), IndexError, "Dimension specified as 0 but tensor has no dimensions")),
    method=True, dtypes=ALL))


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
    return as_strided(
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
        out = array_module(g).zeros(shape, dtype=g.dtype)
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


register(OpInfo("diagonal", diagonal, _samples(
    _S(T(3, 4)), _S(T(3, 4), 1), _S(T(3, 4), -1), _S(T(2, 3, 4), 0, 0, 2),
    _S(T(2, 3, 4), 1, -1, 0), _S(T(3, 4, noncontig=True)), _S(T(3, 4), 5)), _errors(
    _E(_S(T(3, 4), 0, 1, 1), RuntimeError, "diagonal dimensions cannot be identical 1, 1")),
    method=True, dtypes=ALL))


class Unfold(Node):
    def forward(ctx, a, d, size, step):
        ctx.in_shape, ctx.args = a.shape, (d, size, step)
        n = (a.shape[d] - size) // step + 1
        st = a.strides
        return as_strided(
            a, a.shape[:d] + (n,) + a.shape[d + 1:] + (size,),
            st[:d] + (st[d] * step,) + st[d + 1:] + (st[d],))

    def backward(ctx, g):
        return UnfoldBackward.apply((g,), ctx.in_shape, *ctx.args)


class UnfoldBackward(Node):
    """Add every window's gradient back at its position (windows may overlap)."""

    def forward(ctx, g, shape, d, size, step):
        ctx.args = (d, size, step)
        out = array_module(g).zeros(shape, dtype=g.dtype)
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


register(OpInfo("Tensor.unfold", unfold, _samples(
    _S(T(3, 7), 1, 3, 2), _S(T(3, 7), -1, 2, 2), _S(T(5, 2), 0, 5, 1), _S(T(), 0, 1, 1),
    _S(T(4, 6, noncontig=True), 1, 2, 1), _S(T(2, 3), 1, 0, 1)), _errors(
    _E(_S(T(2, 3), 1, 4, 1), RuntimeError, "maximum size for tensor at dimension 1 is 3 but "
       "size is 4"),
    _E(_S(T(2, 3), 1, 2, 0), RuntimeError, "step is 0 but must be > 0")),
    method="unfold", dtypes=ALL))


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


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """``input`` with the elements of its ``as_strided(size, stride, storage_offset)`` view
    replaced by ``src`` (positions counted in ``input``'s own storage layout)."""
    size, stride = tuple(size), tuple(stride)
    offset = input.storage_offset() if storage_offset is None else builtins.int(storage_offset)
    in_pos = _positions(input._data.shape, input.stride(), input.storage_offset(),
                        input._data).reshape(-1)
    xp = array_module(in_pos)
    where_in = xp.full(builtins.max(1, builtins.int(in_pos.max(initial=0)) + 1), -1,
                       dtype=np.int64)
    where_in[in_pos] = xp.arange(in_pos.size)
    view_pos = _positions(size, stride, offset, in_pos)
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


register(OpInfo("as_strided_scatter", as_strided_scatter, lambda dt: iter([
    SampleInput(T(3, 4), T(2, 2), (2, 2), (1, 2)),
    SampleInput(T(3, 4), T(2, 3), (2, 3), (4, 1), 1)]), method=True,
    ref=_as_strided_scatter_ref))
