"""Linear algebra: matmul and its relatives (mm, bmm, mv, dot, outer, einsum, tensordot, addmm,
baddbmm), and ``ember.linalg`` norms."""
from ember._backend import np
from ember._tensor import Tensor, _make
from ember.autograd.function import Node
from ember.ops._util import binary_operands, shape_str, sum_to_shape
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register


def _dims_str(shape):
    return "x".join(str(s) for s in shape)


def _check_same_dtype(a, b, name="expected"):
    if a._data.dtype != b._data.dtype:
        from ember._tensor_str import dtype_word

        raise RuntimeError("expected m1 and m2 to have the same dtype, but got: %s != %s"
                           % (dtype_word(a._data.dtype), dtype_word(b._data.dtype)))


class Matmul(Node):
    """Batched matrix product of operands with at least 2 dims (batch dims broadcast)."""

    save = (0, 1)

    def forward(ctx, a, b):
        return np.matmul(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:
            ga = g.matmul(b.mT)
            if ga._data.shape != a._data.shape:
                ga = sum_to_shape(ga, a._data.shape)
        if need[1]:
            gb = a.mT.matmul(g)
            if gb._data.shape != b._data.shape:
                gb = sum_to_shape(gb, b._data.shape)
        return ga, gb

    def name(self):
        return "MmBackward0" if self.__dict__.get("mm") else "MatmulBackward0"


def matmul(input, other, *, out=None):
    """Matrix product with torch's rules for 1-d operands and broadcast batch dims."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError("matmul(): argument 'other' must be Tensor, not %s"
                        % type(other if isinstance(input, Tensor) else input).__name__)
    _check_same_dtype(input, other)
    sa, sb = input._data.shape, other._data.shape
    na, nb = len(sa), len(sb)
    if na == 0 or nb == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are %dD "
                           "and %dD" % (na, nb))
    if na == 1 and nb == 1:
        return dot(input, other)
    if na == 2 and nb == 2:
        if sa[1] != sb[0]:
            raise RuntimeError("mat1 and mat2 shapes cannot be multiplied (%s and %s)"
                               % (_dims_str(sa), _dims_str(sb)))
        return Matmul.apply((input, other))
    if na == 1:
        if sa[0] != sb[-2]:
            raise RuntimeError("size mismatch, got input (%d), mat (%s), vec (%d)"
                               % (sa[0], _dims_str(sb), sa[0]) if nb == 2 else
                               "Expected size for first two dimensions of batch2 tensor to be: "
                               "[%d, %d] but got: [%d, %d]." % (sb[0], sa[0], sb[0], sb[-2]))
        return Matmul.apply((input.unsqueeze(0), other)).squeeze(-2)
    if nb == 1:
        if sa[-1] != sb[0]:
            raise RuntimeError("size mismatch, got input (%d), mat (%s), vec (%d)"
                               % (sa[-2], _dims_str(sa), sb[0]))
        return Matmul.apply((input, other.unsqueeze(-1))).squeeze(-1)
    if sa[-1] != sb[-2]:
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           "[%d, %d] but got: [%d, %d]." % (
                               sb[0] if nb > 2 else 1, sa[-1], sb[0] if nb > 2 else 1, sb[-2]))
    try:
        np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise RuntimeError("The size of tensor a (%d) must match the size of tensor b (%d) at "
                           "non-singleton dimension %d" % _batch_mismatch(sa[:-2], sb[:-2])) \
            from None
    return Matmul.apply((input, other))


def _batch_mismatch(a, b):
    from ember.ops._util import _mismatch

    return _mismatch(a, b)


class Dot(Node):
    save = (0, 1)

    def forward(ctx, a, b):
        return np.asarray(np.dot(a, b))

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a


def dot(input, other, *, out=None):
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError("1D tensors expected, but got %dD and %dD tensors"
                           % (input._data.ndim, other._data.ndim))
    if input._data.shape[0] != other._data.shape[0]:
        raise RuntimeError("inconsistent tensor size, expected tensor [%d] and src [%d] to have "
                           "the same number of elements, but got %d and %d elements respectively"
                           % (input._data.shape[0], other._data.shape[0], input._data.shape[0],
                              other._data.shape[0]))
    _check_same_dtype(input, other)
    return Dot.apply((input, other))


def mm(input, mat2, *, out=None):
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


def _matmul_samples(dtype):
    yield SampleInput(T(3, 4), T(4, 5), name="mm")
    yield SampleInput(T(4), T(4), name="dot")
    yield SampleInput(T(4), T(4, 5), name="vm")
    yield SampleInput(T(3, 4), T(4), name="mv")
    yield SampleInput(T(2, 3, 4), T(4, 5), name="batched-2d")
    yield SampleInput(T(2, 1, 3, 4), T(5, 4, 2), name="broadcast batch")
    yield SampleInput(T(4), T(2, 4, 3), name="1d-batched")
    yield SampleInput(T(2, 3, 4), T(4), name="batched-1d")
    yield SampleInput(T(4, 3, noncontig=True), T(3, 2), name="noncontig")
    yield SampleInput(T(0, 4), T(4, 2), name="empty")


def _matmul_errors():
    yield ErrorInput(SampleInput(T(64, 784), T(128, 10)), RuntimeError,
                     r"mat1 and mat2 shapes cannot be multiplied \(64x784 and 128x10\)")
    yield ErrorInput(SampleInput(T(3), T(4)), RuntimeError, "inconsistent tensor size")
    yield ErrorInput(SampleInput(T(), T(3)), RuntimeError, "both arguments to matmul need to be "
                     "at least 1D")


register(OpInfo("matmul", matmul, _matmul_samples, _matmul_errors, method=True,
                operators=("__matmul__",), atol=1e-4, rtol=1e-5))
register(OpInfo("mm", mm, lambda dt: iter([SampleInput(T(3, 4), T(4, 5))]), lambda: iter([
    ErrorInput(SampleInput(T(2, 3), T(4, 2)), RuntimeError,
               r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x2\)")]), method=True))
register(OpInfo("dot", dot, lambda dt: iter([SampleInput(T(5), T(5))]), lambda: iter([
    ErrorInput(SampleInput(T(3), T(4)), RuntimeError, r"expected tensor \[3\] and src \[4\]")]),
    method=True))
