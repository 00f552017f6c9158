"""View ops: reshape, view, flatten, transpose, permute, expand, squeeze, narrow, select,
split/chunk, diagonal, unfold. They share storage with their input.
"""
import builtins
import itertools

from ember._backend import np
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
    """A view with ``shape`` (no copy); RuntimeError when the strides do not allow it."""
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


register(OpInfo("Tensor.unfold", unfold, _samples(
    _S(T(3, 7), 1, 3, 2), _S(T(3, 7), -1, 2, 2), _S(T(5, 2), 0, 5, 1), _S(T(), 0, 1, 1),
    _S(T(4, 6, noncontig=True), 1, 2, 1), _S(T(2, 3), 1, 0, 1)), _errors(
    _E(_S(T(2, 3), 1, 4, 1), RuntimeError, "maximum size for tensor at dimension 1 is 3 but "
       "size is 4"),
    _E(_S(T(2, 3), 1, 2, 0), RuntimeError, "step is 0 but must be > 0")),
    method="unfold", dtypes=ALL))
