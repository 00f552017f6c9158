"""View ops: reshape, view, flatten, transpose, permute, expand, squeeze/unsqueeze,
broadcast_to, as_strided. They share storage with their input. The views that take a part of the
input (narrow, select, split/chunk, unbind, diagonal, unfold) are in ``slicing.py``.
"""
import builtins
import itertools

from ember import _backend
from ember._backend import add_at, array_module, np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node, tag
from ember.ops._util import shape_str, sum_to_shape, wrap_dim, wrap_dims
from ember.ops.registry import ALL, ErrorInput, OpInfo, SampleInput, T, register


def as_view(out, input):
    """Mark ``out`` as a view of ``input``: shared version counter, ``_base`` set."""
    out._vc = input._share_vc()
    out._base = input if input._base is None else input._base
    return out


def parse_shape(shape):
    """Accept ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(Size)`` like torch."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    out = []
    for s in shape:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (builtins.int, np.integer)) or isinstance(s, builtins.bool):
            raise TypeError("shape must be a sequence of ints, got %s" % type(s).__name__)
        out.append(builtins.int(s))
    return tuple(out)


def infer_shape(shape, numel):
    """Resolve one ``-1`` in ``shape`` and check the element count, with torch's messages."""
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError("invalid shape dimension %d" % s)
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError("shape '%s' is invalid for input of size %d"
                               % (shape_str(shape), numel))
        shape = shape[:neg[0]] + (numel // known,) + shape[neg[0] + 1:]
    elif known != numel:
        raise RuntimeError("shape '%s' is invalid for input of size %d" % (shape_str(shape), numel))
    return shape


class Reshape(Node):
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return a.reshape(shape)

    def backward(ctx, g):
        return g.reshape(ctx.in_shape)

    def name(self):
        # torch: reshape that can view gives ViewBackward0, one that must copy UnsafeView.
        return "ViewBackward0" if self.__dict__.get("is_view") else "UnsafeViewBackward0"

    @staticmethod
    def onnx(call):
        # Sizes arrive concrete (``x.view(x.size(0), -1)`` as ``(1, 6272)``): a size equal to a
        # dynamic input size at the same position is written 0 ("copy"), and when exactly one
        # size is left it becomes -1, so a batch axis stays symbolic through flattening.
        in_shape, out_shape, dyn = call.arrays[0].shape, call.outs[0].shape, call.in_dyn[0]
        target, out_dyn = [], set()
        for i, s in enumerate(out_shape):
            copied = i in dyn and i < len(in_shape) and in_shape[i] == s
            target.append(0 if copied else s)
            if copied:
                out_dyn.add(i)
        lost = [a for a in dyn if a not in out_dyn]
        free = [i for i, t in enumerate(target) if t != 0]
        if lost and len(free) == 1:
            target[free[0]] = -1
            out_dyn.add(free[0])
        elif lost:
            call.warn("the reshape from %s to %s fixes the dynamic axes %s to their traced "
                      "sizes" % (tuple(in_shape), tuple(out_shape), lost))
        call.out_dyn = [out_dyn]
        return call.g.op("Reshape", call.inputs[0], call.g.ints(target))


def reshape(input, *shape):
    """A tensor with ``shape``; a view when the layout allows it, a copy otherwise."""
    shape = infer_shape(parse_shape(shape), input._data.size)
    if shape == input._data.shape:
        return _alias(input)
    out = Reshape.apply((input,), shape)
    if np.may_share_memory(out._data, input._data):
        return as_view(tag(out, is_view=True), input)
    return out


class Alias(Node):
    def forward(ctx, a):
        return a.view()

    def backward(ctx, g):
        return g

    def name(self):
        return "AliasBackward0"

    @staticmethod
    def onnx(call):
        return call.g.op("Identity", call.inputs[0])


def _alias(input):
    return as_view(Alias.apply((input,)), input)


def _reshape_samples(dtype):
    yield SampleInput(T(2, 3, 4), (6, 4))
    yield SampleInput(T(2, 3, 4), (-1,))
    yield SampleInput(T(2, 3, 4), (4, -1, 2))
    yield SampleInput(T(), (1, 1))
    yield SampleInput(T(4, 6, noncontig=True), (2, -1))
    yield SampleInput(T(0, 3), (3, 0))


def _reshape_errors():
    yield ErrorInput(SampleInput(T(2, 3), (5, 2)), RuntimeError,
                     r"shape '\[5, 2\]' is invalid for input of size 6")
    yield ErrorInput(SampleInput(T(2, 3), (-1, -1)), RuntimeError,
                     "only one dimension can be inferred")


register(OpInfo("reshape", reshape, _reshape_samples, _reshape_errors, method=True,
                dtypes=ALL))


class View(Reshape):
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        try:
            return np.reshape(a, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None

    def name(self):
        return "ViewBackward0"


def view(input, *shape):
    """Returns a tensor with the same data and the given ``shape`` (no copy); one size may be
    -1 (inferred). Raises RuntimeError when the strides do not allow a view (``reshape`` copies
    then). ``view(dtype)`` reinterprets the bytes instead.

    Args:
        *shape (int or tuple of ints): the new shape.

    Example:
        >>> import ember
        >>> x = ember.arange(6.)
        >>> y = x.view(2, -1)
        >>> y
        tensor([[0., 1., 2.],
                [3., 4., 5.]])
        >>> y[0, 0] = 9.0
        >>> x[0]
        tensor(9.)
    """
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, builtins.int, np.integer)):
        from ember import _dtype

        if isinstance(shape[0], _dtype.dtype):
            return _make(input._data.view(shape[0].np))
    shape = infer_shape(parse_shape(shape), input._data.size)
    return as_view(View.apply((input,), shape), input)


def _view_samples(dtype):
    yield SampleInput(T(2, 3, 4), (6, 4))
    yield SampleInput(T(2, 3, 4), (-1,))
    yield SampleInput(T(), (1,))


def _view_errors():
    yield from _reshape_errors()


register(OpInfo("view", view, _view_samples, _view_errors, method=True, dtypes=ALL,
                torch_name="Tensor.view"))


class UnsafeView(Reshape):
    def name(self):
        return "UnsafeViewBackward0"


def view_as(input, other):
    return view(input, other._data.shape)


register(OpInfo("view_as", view_as, lambda dt: iter([SampleInput(T(2, 3, 4), T(6, 4)),
                                                     SampleInput(T(2, 3), T(3, 2))]),
                method=True, torch_name="Tensor.view_as", dtypes=ALL))


def reshape_as(input, other):
    return reshape(input, other._data.shape)


register(OpInfo("reshape_as", reshape_as, lambda dt: iter([SampleInput(T(2, 3, 4), T(6, 4)),
                                                           SampleInput(T(4, 6, noncontig=True),
                                                                       T(24))]),
                method=True, torch_name="Tensor.reshape_as", dtypes=ALL))


def flatten(input, start_dim=0, end_dim=-1):
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input._data.shape
    new = shape[:s] + (-1 if 0 not in shape[s:e + 1] else 0,) + shape[e + 1:]
    return reshape(input, new)


register(OpInfo("flatten", flatten, lambda dt: iter([
    SampleInput(T(2, 3, 4)), SampleInput(T(2, 3, 4), 1), SampleInput(T(2, 3, 4, 5), 1, 2),
    SampleInput(T()), SampleInput(T(2, 3, 4, noncontig=True), -2)]), method=True, dtypes=ALL))


def ravel(input):
    return reshape(input, (-1,))


register(OpInfo("ravel", ravel, lambda dt: iter([SampleInput(T(2, 3, noncontig=True))]),
                method=True))


def unflatten(input, dim, sizes):
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    shape = input._data.shape
    sizes = tuple(sizes)
    if -1 in sizes:
        known = 1
        for s in sizes:
            if s != -1:
                known *= s
        sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
    prod = 1
    for s in sizes:
        prod *= s
    if prod != shape[d]:
        raise RuntimeError("unflatten: Provided sizes %s don't multiply up to the size of dim %d "
                           "(%d) in the input tensor" % (shape_str(sizes), dim, shape[d]))
    return view(input, shape[:d] + sizes + shape[d + 1:])


register(OpInfo("unflatten", unflatten, lambda dt: iter([
    SampleInput(T(2, 12), 1, (3, 4)), SampleInput(T(2, 12), -1, (-1, 2))]), method=True))


class Transpose(Node):
    def forward(ctx, a, d0, d1):
        ctx.dims = (d0, d1)
        return np.swapaxes(a, d0, d1)

    def backward(ctx, g):
        return transpose(g, *ctx.dims)

    def name(self):
        return "TBackward0" if self.__dict__.get("t") else "TransposeBackward0"

    @staticmethod
    def onnx(call):
        perm = list(range(call.arrays[0].ndim))
        d0, d1 = call.params
        perm[d0], perm[d1] = perm[d1], perm[d0]
        call.out_dyn = [{perm.index(a) for a in call.in_dyn[0]}]
        return call.g.op("Transpose", call.inputs[0], perm=perm)


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    d0, d1 = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    if nd == 0 or d0 == d1:
        return _alias(input)
    return as_view(Transpose.apply((input,), d0, d1), input)


swapaxes = swapdims = transpose


def _transpose_samples(dtype):
    yield SampleInput(T(2, 3, 4), 0, 2)
    yield SampleInput(T(2, 3, 4), -1, 1)
    yield SampleInput(T(3, 4, noncontig=True), 0, 1)
    yield SampleInput(T(), 0, -1)


def _dim_errors():
    yield ErrorInput(SampleInput(T(2, 3), 0, 2), IndexError,
                     r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)")


register(OpInfo("transpose", transpose, _transpose_samples, _dim_errors, method=True,
                inplace=None, dtypes=ALL))


def t(input):
    """Transpose a matrix; 0-d and 1-d tensors are returned as they are (as torch)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError("t() expects a tensor with <= 2 dimensions, but self is %dD" % nd)
    if nd < 2:
        return _alias(input)
    return tag(transpose(input, 0, 1), t=True)


register(OpInfo("t", t, lambda dt: iter([SampleInput(T(3, 4)), SampleInput(T(3)),
                                         SampleInput(T())]), method=True, dtypes=ALL))


def adjoint(input):
    return transpose(input, -2, -1)


register(OpInfo("adjoint", adjoint, lambda dt: iter([SampleInput(T(2, 3, 4))]), method=True))


class Permute(Node):
    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.transpose(a, dims)

    def backward(ctx, g):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return permute(g, tuple(inverse))

    @staticmethod
    def onnx(call):
        perm = [int(d) for d in call.params[0]]
        call.out_dyn = [{perm.index(a) for a in call.in_dyn[0]}]
        return call.g.op("Transpose", call.inputs[0], perm=perm)


def permute(input, *dims):
    dims = parse_shape(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           "input.dim() = %d is not equal to len(dims) = %d" % (nd, len(dims)))
    wrapped = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(wrapped)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return as_view(Permute.apply((input,), wrapped), input)


register(OpInfo("permute", permute, lambda dt: iter([
    SampleInput(T(2, 3, 4), (2, 0, 1)), SampleInput(T(2, 3, 4), (-1, 0, 1)),
    SampleInput(T(3, 4, noncontig=True), (1, 0))]), lambda: iter([
        ErrorInput(SampleInput(T(2, 3), (0,)), RuntimeError, "number of dimensions")]),
    method=True, dtypes=ALL))


def movedim(input, source, destination):
    nd = input._data.ndim
    src = (source,) if isinstance(source, builtins.int) else tuple(source)
    dst = (destination,) if isinstance(destination, builtins.int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError("movedim: Invalid source or destination dims: source (%s dims) should "
                           "contain the same number of dims as destination (%s dims)"
                           % (list(src), list(dst)))
    src = [wrap_dim(d, nd) for d in src]
    dst = [wrap_dim(d, nd) for d in dst]
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, tuple(order))


moveaxis = movedim


register(OpInfo("movedim", movedim, lambda dt: iter([
    SampleInput(T(2, 3, 4), 0, 2), SampleInput(T(2, 3, 4, 5), (0, 1), (3, 0))]), method=True))


class Expand(Node):
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return np.broadcast_to(a, shape)

    def backward(ctx, g):
        return sum_to_shape(g, ctx.in_shape)

    @staticmethod
    def onnx(call):
        # ONNX's Expand broadcasts both ways: a size the input already has is written 1, so a
        # dynamic size stays dynamic
        in_shape, out_shape = call.arrays[0].shape, call.outs[0].shape
        lead = len(out_shape) - len(in_shape)
        target = [1 if i >= lead and in_shape[i - lead] == s else s
                  for i, s in enumerate(out_shape)]
        call.out_dyn = [{a + lead for a in call.in_dyn[0]}]
        return call.g.op("Expand", call.inputs[0], call.g.ints(target))


def expand(input, *sizes):
    """Broadcast to ``sizes`` without copying (``-1`` keeps a size), as torch's expand."""
    sizes = parse_shape(sizes)
    shape = input._data.shape
    nd = len(shape)
    if len(sizes) < nd:
        raise RuntimeError("expand(torch.FloatTensor{%s}, size=%s): the number of sizes provided "
                           "(%d) must be greater or equal to the number of dimensions in the "
                           "tensor (%d)" % (shape_str(shape), shape_str(sizes), len(sizes), nd))
    lead = len(sizes) - nd
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError("The expanded size of the tensor (%d) isn't allowed in a "
                                   "leading, non-existing dimension %d" % (s, i))
            target.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        elif cur != 1 and cur != s:
            raise RuntimeError("The expanded size of the tensor (%d) must match the existing "
                               "size (%d) at non-singleton dimension %d.  Target sizes: %s.  "
                               "Tensor sizes: %s" % (s, cur, i, shape_str(sizes), shape_str(shape)))
        target.append(s)
    target = tuple(target)
    if target == shape:
        return _alias(input)
    return as_view(Expand.apply((input,), target), input)


def _expand_samples(dtype):
    yield SampleInput(T(3, 1), (3, 4))
    yield SampleInput(T(3, 1), (2, 3, -1))
    yield SampleInput(T(), (2, 3))
    yield SampleInput(T(1, 4), (0, 4))


def _expand_errors():
    yield ErrorInput(SampleInput(T(3, 2), (3, 4)), RuntimeError,
                     r"The expanded size of the tensor \(4\) must match the existing size \(2\)")


register(OpInfo("expand", expand, _expand_samples, _expand_errors, method=True,
                torch_name="Tensor.expand", dtypes=ALL))


def expand_as(input, other):
    return expand(input, other._data.shape)


register(OpInfo("expand_as", expand_as, lambda dt: iter([SampleInput(T(3, 1), T(3, 4))]),
                method=True, torch_name="Tensor.expand_as"))


def broadcast_to(input, shape):
    return expand(input, shape)


register(OpInfo("broadcast_to", broadcast_to, _expand_samples, method=True))


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    try:
        shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    except ValueError:
        from ember.ops._util import broadcast_shapes_error

        raise broadcast_shapes_error(*(t._data.shape for t in tensors)) from None
    return tuple(expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes):
    from ember._tensor import Size

    try:
        return Size(np.broadcast_shapes(*(tuple(s) if not isinstance(s, builtins.int) else (s,)
                                          for s in shapes)))
    except ValueError:
        raise RuntimeError("Shape mismatch: objects cannot be broadcast to a single shape") \
            from None


class Squeeze(Reshape):
    def name(self):
        if self.__dict__.get("with_dim"):
            return "SqueezeBackward1"
        return "SqueezeBackward0"

    @staticmethod
    def onnx(call):
        dyn = call.in_dyn[0]
        axes = _removed_ones(call.outs[0].shape, call.arrays[0].shape, dyn)
        kept = [j for j in range(call.arrays[0].ndim) if j not in axes]
        call.out_dyn = [{kept.index(a) for a in dyn if a in kept}]
        return call.g.squeeze(call.inputs[0], axes)


def squeeze(input, dim=None):
    """Remove size-1 dims (all, one, or a tuple of them); other sizes are left, as torch."""
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = wrap_dims(dim, len(shape)) if shape else (wrap_dim(dim, 0),) if isinstance(
            dim, builtins.int) else ()
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    if new == shape:
        return _alias(input)
    out = Squeeze.apply((input,), new)
    if dim is not None:
        tag(out, with_dim=True)
    return as_view(out, input)


def _squeeze_samples(dtype):
    yield SampleInput(T(1, 3, 1, 4))
    yield SampleInput(T(1, 3, 1, 4), 2)
    yield SampleInput(T(1, 3, 1, 4), 1)
    yield SampleInput(T(1, 3, 1, 4), (0, 2))
    yield SampleInput(T())


register(OpInfo("squeeze", squeeze, _squeeze_samples, method=True, dtypes=ALL))


class Unsqueeze(Reshape):
    def name(self):
        return "UnsqueezeBackward0"

    @staticmethod
    def onnx(call):
        axes = _removed_ones(call.arrays[0].shape, call.outs[0].shape, ())
        kept = [j for j in range(call.outs[0].ndim) if j not in axes]
        call.out_dyn = [{kept[a] for a in call.in_dyn[0]}]
        return call.g.unsqueeze(call.inputs[0], axes)


def _removed_ones(short, long, avoid):
    """The size-1 axes of shape ``long`` whose removal leaves ``short`` (for ember.onnx: the
    axes of a squeeze or unsqueeze); axes in ``avoid`` (dynamic ones) are chosen last."""
    ones = sorted((j for j, s in enumerate(long) if s == 1), key=lambda j: j in avoid)
    for axes in itertools.combinations(ones, len(long) - len(short)):
        if tuple(s for j, s in enumerate(long) if j not in axes) == tuple(short):
            return sorted(axes)
    raise AssertionError("no squeeze maps %s to %s" % (long, short))


def unsqueeze(input, dim):
    shape = input._data.shape
    d = wrap_dim(dim, len(shape) + 1)
    new = shape[:d] + (1,) + shape[d:]
    return as_view(Unsqueeze.apply((input,), new), input)


register(OpInfo("unsqueeze", unsqueeze, lambda dt: iter([
    SampleInput(T(3, 4), 0), SampleInput(T(3, 4), -1), SampleInput(T(3, 4), 1),
    SampleInput(T(), 0)]), lambda: iter([
        ErrorInput(SampleInput(T(3, 4), 3), IndexError, "Dimension out of range")]),
    method=True, dtypes=ALL))


register(OpInfo("swapaxes", swapaxes, _transpose_samples, method=True))


register(OpInfo("swapdims", swapdims, _transpose_samples, method=True))


register(OpInfo("moveaxis", moveaxis, lambda dt: iter([SampleInput(T(2, 3, 4), -1, 0)]),
                method=True))


# ---- as_strided ------------------------------------------------------------------------------
class StorageMove(Node):
    """Scatter-add ``g`` at storage positions ``put`` into zeros of ``size``, read the positions
    ``take``: the backward of a strided view (its own backward swaps the two)."""

    def forward(ctx, g, put, take, size):
        ctx.args = put, take, size
        store = array_module(g).zeros(size, dtype=g.dtype)
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
        return StorageMove.apply((g,), _positions(size, strides, offset, in_pos), in_pos, n)


def _positions(size, strides, offset, like):
    """The storage index of every element of a ``size``/``strides``/``offset`` view (an array of
    ``like``'s array module)."""
    xp = array_module(like)
    pos = xp.full(size, offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(size, strides)):
        shape = [1] * len(size)
        shape[d] = n
        pos = pos + (xp.arange(n, dtype=np.int64) * s).reshape(shape)
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
    in_pos = _positions(input._data.shape, input.stride(), input.storage_offset(), input._data)
    return as_view(AsStrided.apply((input,), flat, size, stride, offset, in_pos), input)


def as_strided_(self, size, stride, storage_offset=None):
    from ember._tensor_misc import _view_inplace

    return _view_inplace(self, as_strided, size, stride, storage_offset)


register(OpInfo("as_strided", as_strided, lambda dt: iter([
    SampleInput(T(3, 4), (2, 2), (1, 2)), SampleInput(T(3, 4), (3, 3), (4, 1), 1),
    SampleInput(T(6), (3, 3), (1, 1), name="overlapping")]),
    lambda: iter([ErrorInput(SampleInput(T(4), (3, 3), (2, 2)), RuntimeError, "out of bounds")]),
    method=True, inplace="as_strided_", dtypes=ALL))


Tensor.as_strided_ = as_strided_
