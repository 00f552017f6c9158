"""Products: matmul, mm, bmm, mv, dot, outer, inner, tensordot, kron, addmm and friends, addr
(einsum has its own file)."""
import builtins

from ember import _dtype, _parallel
from ember._backend import array_module, np
from ember._tensor import Tensor
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.ops._util import conj, shape_str, sum_to_shape, wrap_dim
from ember.ops.arithmetic import _out
from ember.ops.registry import INT_FLOAT, ErrorInput, OpInfo, SampleInput, T, register


def chain_matmul(*matrices, out=None):
    """The product of 2-d ``matrices`` (deprecated in torch for ``linalg.multi_dot``)."""
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m._data.ndim != 2:
            raise RuntimeError("Tensor dimension is %d, expected 2 instead." % m._data.ndim)
    if len(matrices) == 1:
        return matrices[0].clone()
    for i in range(len(matrices) - 1):
        sa, sb = matrices[i]._data.shape, matrices[i + 1]._data.shape
        if sa[1] != sb[0]:
            raise RuntimeError("multi_dot(): tensors %d and %d with shapes %s and %s cannot be "
                               "multiplied" % (i, i + 1, shape_str(sa), shape_str(sb)))
    res = matrices[0]
    for m in matrices[1:]:
        res = matmul(res, m)
    return _out(res, out)


def _chain_matmul_samples(dtype):
    yield SampleInput(T(2, 3), T(3, 4), T(4, 2))
    yield SampleInput(T(2, 3), T(3, 1))
    yield SampleInput(T(3, 3))


def _chain_matmul_errors():
    yield ErrorInput(SampleInput(T(2, 3), T(2, 3)), RuntimeError,
                     r"tensors 0 and 1 with shapes \[2, 3\] and \[2, 3\] cannot be multiplied")
    yield ErrorInput(SampleInput(), RuntimeError, "Expected one or more matrices")
    yield ErrorInput(SampleInput(T(3)), RuntimeError, "Tensor dimension is 1, expected 2")


register(OpInfo("chain_matmul", chain_matmul, _chain_matmul_samples, _chain_matmul_errors,
                atol=1e-4, rtol=1e-5))


def _dims_str(shape):
    return "x".join(str(s) for s in shape)


def _check_same_dtype(a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("expected m1 and m2 to have the same dtype, but got: %s != %s"
                           % (dtype_word(a._data.dtype).lower(),
                              dtype_word(b._data.dtype).lower()))


def _check_bool_product(a, b, kernel=None):
    """torch has no bool matrix product: its kernels refuse bool operands once there is
    something to sum (a result element and a non-empty contracted dim)."""
    if a.dtype.kind != "b":
        return
    k, rows, cols = a.shape[-1], a.shape[-2] if a.ndim > 1 else 1, b.shape[-1] if b.ndim > 1 else 1
    batch = a.shape[:-2] if a.ndim > b.ndim else b.shape[:-2]
    if k and rows and cols and 0 not in batch:
        kernel = kernel or ("addmm_impl_cpu_" if a.ndim == 2 and b.ndim == 2 else "bmm")
        raise NotImplementedError("\"%s\" not implemented for 'Bool'" % kernel)


def _bool_product_errors(kernel, *shapes):
    """Error input: the op on bool operands of ``shapes`` (torch's ``kernel`` refuses them)."""
    def errors():
        yield ErrorInput(SampleInput(*(T(*s, dtype="bool") for s in shapes)),
                         NotImplementedError, "\"%s\" not implemented for 'Bool'" % kernel)
    return errors


def _transposed(arr):
    return arr.flags.f_contiguous and not arr.flags.c_contiguous


class Matmul(Node):
    """Batched matrix product of operands with at least 2 dims (batch dims broadcast)."""

    save = (0, 1)

    def forward(ctx, a, b):
        ctx.mm = a.ndim == 2 and b.ndim == 2
        _check_bool_product(a, b)
        return _parallel.matmul(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:
            ga = g.matmul(b.mH)
            if ga._data.shape != a._data.shape:
                ga = sum_to_shape(ga, a._data.shape)
        if need[1]:
            if a._data.ndim > 2 and b._data.ndim == 2:
                # Sum over the batch inside the GEMM: (k, rows) @ (rows, n).
                k, n = a._data.shape[-1], g._data.shape[-1]
                rows = builtins.int(np.prod(a._data.shape[:-1]))
                gb = a.reshape(rows, k).mH.matmul(g.reshape(rows, n))
            elif b._data.ndim == 2 and a._data.ndim == 2 and _transposed(b._data):
                # b is a transposed view (``x @ w.T``): compute its gradient in b's layout, so
                # that the transpose's backward hands w a contiguous gradient without a copy.
                gb = g.mH.matmul(a).mH
            else:
                gb = a.mH.matmul(g)
                if gb._data.shape != b._data.shape:
                    gb = sum_to_shape(gb, b._data.shape)
        return ga, gb

    def name(self):
        return "MmBackward0" if self.__dict__.get("mm") else "MatmulBackward0"

    @staticmethod
    def onnx(call):
        return call.g.op("MatMul", *call.operands())


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
        _check_bool_product(input._data, other._data, "addmv_impl_cpu")
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


def _matmul_samples(dtype):
    yield SampleInput(T(3, 4), T(4, 5), name="mm")
    yield SampleInput(T(4), T(4), name="dot")
    yield SampleInput(T(4), T(4, 5), name="vm")
    yield SampleInput(T(3, 4), T(4), name="mv")
    yield SampleInput(T(2, 3, 4), T(4, 5), name="batched-2d")
    yield SampleInput(T(2, 3, 4, noncontig=True), T(4, 5), name="batched-2d noncontig")
    yield SampleInput(T(2, 1, 3, 4), T(5, 4, 2), name="broadcast batch")
    yield SampleInput(T(3, 4), T(2, 4, 5), name="2d-batched")
    yield SampleInput(T(4), T(2, 4, 3), name="1d-batched")
    yield SampleInput(T(2, 3, 4), T(4), name="batched-1d")
    yield SampleInput(T(4, 3, noncontig=True), T(3, 2), name="noncontig")
    yield SampleInput(T(0, 4), T(4, 2), name="empty")
    yield SampleInput(T(0, 3, 4), T(4, 0), name="batched-2d empty")
    yield SampleInput(T(2, 3, 0), T(0, 5), name="batched-2d empty contraction")
    yield SampleInput(T(0, 4, dtype="bool"), T(4, 5, dtype="bool"), name="empty bool")


def _matmul_errors():
    yield ErrorInput(SampleInput(T(64, 784), T(128, 10)), RuntimeError,
                     r"mat1 and mat2 shapes cannot be multiplied \(64x784 and 128x10\)")
    yield ErrorInput(SampleInput(T(3), T(4)), RuntimeError, "inconsistent tensor size")
    yield ErrorInput(SampleInput(T(), T(3)), RuntimeError, "both arguments to matmul need to be "
                     "at least 1D")
    yield ErrorInput(SampleInput(T(2, 3, 4), T(2, 5, 6)), RuntimeError,
                     r"Expected size for first two dimensions of batch2 tensor to be: \[2, 4\] "
                     r"but got: \[2, 5\]\.")
    yield from _bool_product_errors("addmm_impl_cpu_", (2, 3), (3, 2))()
    yield from _bool_product_errors("bmm", (2, 2, 3), (2, 3, 2))()
    yield from _bool_product_errors("dot", (3,), (3,))()


register(OpInfo("matmul", matmul, _matmul_samples, _matmul_errors, method=True,
                operators=("__matmul__",), atol=1e-4, rtol=1e-5))


def mm(input, mat2, *, out=None):
    """Product of two matrices."""
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


register(OpInfo("mm", mm, lambda dt: iter([SampleInput(T(3, 4), T(4, 5)),
                                           SampleInput(T(3, 4, noncontig=True), T(4, 0))]),
                lambda: iter([
                    ErrorInput(SampleInput(T(2, 3), T(4, 2)), RuntimeError,
                               r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x2\)"),
                    ErrorInput(SampleInput(T(2, 3), T(3)), RuntimeError,
                               "mat2 must be a matrix")]),
                method=True, dtypes=INT_FLOAT))


def _check_bmm(b1, b2):
    if b1._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    s1, s2 = b1._data.shape, b2._data.shape
    if (s2[0], s2[1]) != (s1[0], s1[2]):
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           "[%d, %d] but got: [%d, %d]." % (s1[0], s1[2], s2[0], s2[1]))


def bmm(input, mat2, *, out=None):
    """Batched product of two 3-d tensors, ``(b, n, m) @ (b, m, p) -> (b, n, p)``."""
    _check_bmm(input, mat2)
    _check_same_dtype(input, mat2)
    return Matmul.apply((input, mat2))


def _bmm_errors():
    yield ErrorInput(SampleInput(T(2, 3, 4), T(2, 5, 6)), RuntimeError,
                     r"Expected size for first two dimensions of batch2 tensor to be: \[2, 4\] "
                     r"but got: \[2, 5\]\.")
    yield ErrorInput(SampleInput(T(2, 3, 4), T(3, 4, 6)), RuntimeError,
                     r"to be: \[2, 4\] but got: \[3, 4\]\.")
    yield ErrorInput(SampleInput(T(3, 4), T(3, 4, 6)), RuntimeError, "batch1 must be a 3D tensor")
    yield ErrorInput(SampleInput(T(2, 3, 4), T(4, 6)), RuntimeError, "batch2 must be a 3D tensor")


register(OpInfo("bmm", bmm, lambda dt: iter([SampleInput(T(2, 3, 4), T(2, 4, 5)),
                                             SampleInput(T(2, 3, 4, noncontig=True),
                                                         T(2, 4, 0))]),
                _bmm_errors, method=True, dtypes=INT_FLOAT))


def _check_mv(mat, vec, name="mv"):
    if mat._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError("vector + matrix @ vector expected, got 1, %d, %d"
                           % (mat._data.ndim, vec._data.ndim))
    if mat._data.shape[1] != vec._data.shape[0]:
        raise RuntimeError("size mismatch, got input (%d), mat (%s), vec (%d)"
                           % (mat._data.shape[0], _dims_str(mat._data.shape),
                              vec._data.shape[0]))


def mv(input, vec, *, out=None):
    """Matrix-vector product."""
    _check_mv(input, vec)
    return matmul(input, vec)


def _mv_errors():
    yield ErrorInput(SampleInput(T(3, 4), T(5)), RuntimeError,
                     r"size mismatch, got input \(3\), mat \(3x4\), vec \(5\)")
    yield ErrorInput(SampleInput(T(3, 4), T(4, 1)), RuntimeError,
                     "vector \\+ matrix @ vector expected, got 1, 2, 2")
    yield from _bool_product_errors("addmv_impl_cpu", (3, 4), (4,))()


register(OpInfo("mv", mv, lambda dt: iter([SampleInput(T(3, 4), T(4)),
                                           SampleInput(T(3, 4, noncontig=True), T(4)),
                                           SampleInput(T(0, 4), T(4)),
                                           SampleInput(T(0, 4, dtype="bool"),
                                                       T(4, dtype="bool"), name="empty bool"),
                                           SampleInput(T(3, 0, dtype="bool"),
                                                       T(0, dtype="bool"), name="empty bool")]),
                _mv_errors, method=True))


class Dot(Node):
    save = (0, 1)

    def forward(ctx, a, b):
        if a.dtype.kind == "b":
            raise NotImplementedError("\"dot\" not implemented for 'Bool'")
        return array_module(a, b).asarray(np.dot(a, b))

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return g * conj(b) if need[0] else None, g * conj(a) if need[1] else None

    @staticmethod
    def onnx(call):
        return call.g.op("MatMul", *call.operands())


def dot(input, other, *, out=None):
    """Inner product of two 1-d tensors."""
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError("1D tensors expected, but got %dD and %dD tensors"
                           % (input._data.ndim, other._data.ndim))
    if input._data.shape[0] != other._data.shape[0]:
        raise RuntimeError("inconsistent tensor size, expected tensor [%d] and src [%d] to have "
                           "the same number of elements, but got %d and %d elements respectively"
                           % (input._data.shape[0], other._data.shape[0], input._data.shape[0],
                              other._data.shape[0]))
    if input._data.dtype != other._data.dtype:
        raise RuntimeError("dot : expected both vectors to have same dtype, but found %s and %s"
                           % (dtype_word(input._data.dtype), dtype_word(other._data.dtype)))
    return Dot.apply((input, other))


def _dot_errors():
    yield ErrorInput(SampleInput(T(3), T(4)), RuntimeError, r"expected tensor \[3\] and src \[4\]")
    yield ErrorInput(SampleInput(T(3, 1), T(3)), RuntimeError,
                     "1D tensors expected, but got 2D and 1D tensors")
    yield ErrorInput(SampleInput(T(3), T(3, dtype="float64")), RuntimeError,
                     "expected both vectors to have same dtype, but found Float and Double")
    yield from _bool_product_errors("dot", (3,), (3,))()
    yield from _bool_product_errors("dot", (0,), (0,))()


def _dot_samples(dtype):
    yield SampleInput(T(5), T(5))
    yield SampleInput(T(5, noncontig=True), T(5))
    yield SampleInput(T(0), T(0))


register(OpInfo("dot", dot, _dot_samples, _dot_errors, method=True, dtypes=INT_FLOAT))


def vdot(input, other, *, out=None):
    """``dot`` with the first argument conjugated (the same for real tensors)."""
    return dot(conj(input), other)


register(OpInfo("vdot", vdot, _dot_samples, _dot_errors, method=True))


def outer(input, vec2, *, out=None):
    """Outer product of two 1-d tensors, ``out[i, j] = input[i] * vec2[j]``."""
    for t, name in ((input, "self"), (vec2, "vec2")):
        if t._data.ndim != 1:
            raise RuntimeError("outer: Expected 1-D argument %s, but got %d-D"
                               % (name, t._data.ndim))
    return input.unsqueeze(1) * vec2


ger = outer


def _outer_samples(dtype):
    yield SampleInput(T(3), T(4))
    yield SampleInput(T(3, noncontig=True), T(0))


def _outer_errors():
    yield ErrorInput(SampleInput(T(3, 1), T(4)), RuntimeError,
                     "outer: Expected 1-D argument self, but got 2-D")


register(OpInfo("outer", outer, _outer_samples, _outer_errors, method=True, dtypes=INT_FLOAT))


def inner(input, other, *, out=None):
    """Sum of products over the last dim of both tensors (a product when one is 0-d)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError("inner() the last dimension must match on both input tensors but got "
                           "shapes %s and %s" % (list(input._data.shape),
                                                 list(other._data.shape)))
    return tensordot(input, other, ([-1], [-1]))


def _inner_samples(dtype):
    yield SampleInput(T(3), T(3))
    yield SampleInput(T(2, 3), T(4, 3))
    yield SampleInput(T(2, 3, 4), T(4))
    yield SampleInput(T(), T(2, 3))
    yield SampleInput(T(2, 3, noncontig=True), T(2, 2, 3))
    yield SampleInput(T(0), T(0), name="empty")
    yield SampleInput(T(0, 3, dtype="bool"), T(2, 3, dtype="bool"), name="empty bool")


def _inner_errors():
    yield ErrorInput(SampleInput(T(3, 2), T(4, 3)), RuntimeError,
                     r"inner\(\) the last dimension must match on both input tensors but got "
                     r"shapes \[3, 2\] and \[4, 3\]")
    yield from _bool_product_errors("addmm_impl_cpu_", (2, 3), (2, 3))()


register(OpInfo("inner", inner, _inner_samples, _inner_errors, method=True))


def tensordot(a, b, dims=2, out=None):
    """Contract ``dims`` of ``a`` with ``dims`` of ``b``: an int (last of a, first of b) or a
    pair of dim lists. Runs as one matrix product."""
    if isinstance(dims, (builtins.int, np.integer)):
        if dims < 0:
            raise RuntimeError("tensordot expects dims >= 0, but got dims=%d" % dims)
        dims_a = list(range(-dims, 0))
        dims_b = list(range(dims))
    else:
        dims_a, dims_b = dims
        if isinstance(dims_a, Tensor):
            dims_a, dims_b = dims_a.tolist(), dims_b.tolist()
        dims_a = [dims_a] if isinstance(dims_a, builtins.int) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, builtins.int) else list(dims_b)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    sa, sb = a._data.shape, b._data.shape
    for da, db in zip(dims_a, dims_b):
        if sa[wrap_dim(da, a._data.ndim)] != sb[wrap_dim(db, b._data.ndim)]:
            raise RuntimeError("contracted dimensions need to match, but first has size %d in "
                               "dim %d and second has size %d in dim %d" % (
                                   sa[wrap_dim(da, a._data.ndim)], da,
                                   sb[wrap_dim(db, b._data.ndim)], db))
    _check_same_dtype(a, b)
    ca = [wrap_dim(d, a._data.ndim) for d in dims_a]
    cb = [wrap_dim(d, b._data.ndim) for d in dims_b]
    free_a = [d for d in range(a._data.ndim) if d not in ca]
    free_b = [d for d in range(b._data.ndim) if d not in cb]
    k = 1
    for d in ca:
        k *= sa[d]
    out_shape = tuple(sa[d] for d in free_a) + tuple(sb[d] for d in free_b)
    # explicit sizes: reshape(-1, 0) of an empty tensor is ambiguous (torch refuses it)
    rows = builtins.int(np.prod([sa[d] for d in free_a]))
    cols = builtins.int(np.prod([sb[d] for d in free_b]))
    am = a.permute(free_a + ca).reshape(rows, k)
    bm = b.permute(cb + free_b).reshape(k, cols)
    return matmul(am, bm).reshape(out_shape)


def _tensordot_samples(dtype):
    yield SampleInput(T(2, 3, 4), T(3, 4, 5))
    yield SampleInput(T(2, 3, 4), T(4, 5), 1)
    yield SampleInput(T(3, 4), T(4, 5), dims=([1], [0]))
    yield SampleInput(T(2, 3, 4), T(4, 2, 5), dims=([0, -1], [1, 0]))
    yield SampleInput(T(2, 3), T(4, 5), 0)
    yield SampleInput(T(3, 4, noncontig=True), T(4, 3), dims=([0, 1], [1, 0]))
    yield SampleInput(T(2, 0, 4), T(0, 4, 5), name="empty contraction")


def _tensordot_errors():
    yield ErrorInput(SampleInput(T(3, 4), T(5, 6), 1), RuntimeError,
                     "contracted dimensions need to match, but first has size 4 in dim -1 and "
                     "second has size 5 in dim 0")
    yield ErrorInput(SampleInput(T(3, 4), T(4, 6), dims=([1], [1])), RuntimeError,
                     "first has size 4 in dim 1 and second has size 6 in dim 1")
    yield from _bool_product_errors("addmm_impl_cpu_", (2, 3, 4), (3, 4, 5))()


register(OpInfo("tensordot", tensordot, _tensordot_samples, _tensordot_errors))


def kron(input, other, *, out=None):
    """Kronecker product: block ``(i, j)`` of the result is ``input[i, j] * other``."""
    nd = builtins.max(input._data.ndim, other._data.ndim)
    sa = (1,) * (nd - input._data.ndim) + input._data.shape
    sb = (1,) * (nd - other._data.ndim) + other._data.shape
    a = input.reshape(tuple(x for s in sa for x in (s, 1)))
    b = other.reshape(tuple(x for s in sb for x in (1, s)))
    return (a * b).reshape(tuple(x * y for x, y in zip(sa, sb)))


def _kron_samples(dtype):
    yield SampleInput(T(2, 3), T(3, 2))
    yield SampleInput(T(2, 3), T(3))
    yield SampleInput(T(), T(2))
    yield SampleInput(T(2, 2, noncontig=True), T(2, 1, 2))


register(OpInfo("kron", kron, _kron_samples, method=True, dtypes=INT_FLOAT))


class AddMatmul(Node):
    """``beta * input + alpha * (m1 @ m2)`` for matrices or batches (addmm, baddbmm)."""

    save = (1, 2)

    def forward(ctx, c, m1, m2, beta, alpha):
        ctx.c_shape, ctx.beta, ctx.alpha = c.shape, beta, alpha
        _check_bool_product(m1, m2)
        out = _parallel.matmul(m1, m2)
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out += c if beta == 1 else c * beta
        return out

    def backward(ctx, g):
        m1, m2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        alpha, beta = ctx.alpha, ctx.beta
        gs = g if alpha == 1 else g * alpha
        gc = sum_to_shape(g if beta == 1 else g * beta, ctx.c_shape) if need[0] else None
        return (gc, gs.matmul(m2.mH) if need[1] else None,
                m1.mH.matmul(gs) if need[2] else None)

    def name(self):
        return "AddmmBackward0"

    @staticmethod
    def onnx(call):
        g, (c, m1, m2) = call.g, call.operands()
        beta, alpha = call.params
        out = g.op("MatMul", m1, m2)
        if alpha != 1:
            out = g.op("Mul", out, call.scalar(alpha))
        if beta == 0:
            return out
        return g.op("Add", out, c if beta == 1 else g.op("Mul", c, call.scalar(beta)))


def _check_addend(input, shape):
    try:
        if np.broadcast_shapes(input._data.shape, shape) == tuple(shape):
            return
    except ValueError:
        pass
    sa = (1,) * (len(shape) - input._data.ndim) + tuple(input._data.shape)
    bad = next(i for i in range(len(shape)) if sa[i] not in (1, shape[i]))
    raise RuntimeError("The expanded size of the tensor (%d) must match the existing size (%d) "
                       "at non-singleton dimension %d.  Target sizes: %s.  Tensor sizes: %s"
                       % (shape[bad], sa[bad], bad, list(shape), list(input._data.shape)))


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts. With ``beta=0``,
    ``input`` is ignored (NaN in it does not propagate)."""
    if mat1._data.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got %d-D tensor" % mat1._data.ndim)
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix, got %d-D tensor" % mat2._data.ndim)
    s1, s2 = mat1._data.shape, mat2._data.shape
    if s1[1] != s2[0]:
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied (%s and %s)"
                           % (_dims_str(s1), _dims_str(s2)))
    _check_same_dtype(mat1, mat2)
    _check_same_dtype(input, mat1)
    _check_addend(input, (s1[0], s2[1]))
    return AddMatmul.apply((input, mat1, mat2), beta, alpha)


def _addmm_samples(dtype):
    yield SampleInput(T(3, 5), T(3, 4), T(4, 5))
    yield SampleInput(T(5), T(3, 4), T(4, 5), name="bias broadcast")
    yield SampleInput(T(3, 1), T(3, 4), T(4, 5), beta=0.5, alpha=2)
    yield SampleInput(T(), T(3, 4, noncontig=True), T(4, 5), beta=2)
    yield SampleInput(T(3, 5), T(3, 4), T(4, 5), beta=0, alpha=-1)
    yield SampleInput(T(values=[float("nan")]), T(2, 3), T(3, 2), beta=0, name="beta=0 nan")
    yield SampleInput(T(0, 5), T(0, 4), T(4, 5))


def _addmm_errors():
    yield ErrorInput(SampleInput(T(3, 5), T(3, 4), T(5, 5)), RuntimeError,
                     r"mat1 and mat2 shapes cannot be multiplied \(3x4 and 5x5\)")
    yield ErrorInput(SampleInput(T(2, 5), T(3, 4), T(4, 5)), RuntimeError,
                     r"The expanded size of the tensor \(3\) must match the existing size \(2\) "
                     r"at non-singleton dimension 0.  Target sizes: \[3, 5\].  Tensor sizes: "
                     r"\[2, 5\]")


register(OpInfo("addmm", addmm, _addmm_samples, _addmm_errors, method=True, inplace="addmm_"))


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    _check_bmm(batch1, batch2)
    _check_same_dtype(batch1, batch2)
    _check_same_dtype(input, batch1)
    s1, s2 = batch1._data.shape, batch2._data.shape
    _check_addend(input, (s1[0], s1[1], s2[2]))
    return AddMatmul.apply((input, batch1, batch2), beta, alpha)


def _baddbmm_samples(dtype):
    yield SampleInput(T(2, 3, 5), T(2, 3, 4), T(2, 4, 5))
    yield SampleInput(T(5), T(2, 3, 4), T(2, 4, 5), beta=0.5, alpha=2)
    yield SampleInput(T(3, 1), T(2, 3, 4, noncontig=True), T(2, 4, 5), beta=0)


def _baddbmm_errors():
    yield ErrorInput(SampleInput(T(2, 3, 5), T(2, 3, 4), T(2, 5, 5)), RuntimeError,
                     r"Expected size for first two dimensions of batch2 tensor to be: \[2, 4\] "
                     r"but got: \[2, 5\]\.")


register(OpInfo("baddbmm", baddbmm, _baddbmm_samples, _baddbmm_errors, method=True,
                inplace="baddbmm_"))


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``, as one GEMM."""
    _check_bmm(batch1, batch2)
    if batch1._data.shape[0] != batch2._data.shape[0]:
        raise RuntimeError("batch1 and batch2 must have same number of batches, got %d and %d"
                           % (batch1._data.shape[0], batch2._data.shape[0]))
    _check_same_dtype(batch1, batch2)
    b, n, m = batch1._data.shape
    p = batch2._data.shape[2]
    _check_addend(input, (n, p))
    _check_same_dtype(input, batch1)
    return AddMatmul.apply((input, batch1.permute(1, 0, 2).reshape(n, b * m),
                            batch2.reshape(b * m, p)), beta, alpha)


def _addbmm_samples(dtype):
    yield SampleInput(T(3, 5), T(2, 3, 4), T(2, 4, 5))
    yield SampleInput(T(3, 5), T(2, 3, 4), T(2, 4, 5), beta=0.5, alpha=2)
    yield SampleInput(T(3, 5), T(2, 3, 4, noncontig=True), T(2, 4, 5), beta=0)


def _addbmm_errors():
    yield ErrorInput(SampleInput(T(3, 5), T(2, 3, 4), T(3, 4, 5)), RuntimeError,
                     r"Expected size for first two dimensions of batch2 tensor to be: \[2, 4\] "
                     r"but got: \[3, 4\]\.")
    yield from _bool_product_errors("addmm_impl_cpu_", (3, 5), (2, 3, 4), (2, 4, 5))()


register(OpInfo("addbmm", addbmm, _addbmm_samples, _addbmm_errors, method=True,
                inplace="addbmm_"))


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat @ vec)``."""
    if input._data.ndim == 0 and mat._data.ndim == 2 and vec._data.ndim == 1 and \
            mat._data.shape[1] != vec._data.shape[0]:
        # torch's size-mismatch message reads input.size(0), which a 0-d input lacks
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    _check_mv(mat, vec)
    _check_addend(input, (mat._data.shape[0],))
    _check_same_dtype(mat, vec)
    _check_same_dtype(input, mat)
    column = input.unsqueeze(-1) if input._data.ndim == 1 else input
    return AddMatmul.apply((column, mat, vec.unsqueeze(-1)), beta, alpha).squeeze(-1)


def _addmv_samples(dtype):
    yield SampleInput(T(3), T(3, 4), T(4))
    yield SampleInput(T(), T(3, 4, noncontig=True), T(4), beta=0.5, alpha=2)
    yield SampleInput(T(1), T(3, 4), T(4), beta=0)


register(OpInfo("addmv", addmv, _addmv_samples, lambda: iter([
    ErrorInput(SampleInput(T(3), T(3, 4), T(5)), RuntimeError,
               r"size mismatch, got input \(3\), mat \(3x4\), vec \(5\)"),
    *_bool_product_errors("addmm_impl_cpu_", (3,), (3, 4), (4,))(),
    ErrorInput(SampleInput(T(), T(0, 4), T(0)), IndexError, "Dimension specified as 0")]),
    method=True, inplace="addmv_"))



register(OpInfo("ger", ger, _outer_samples, method=True))


# ---- small composites ------------------------------------------------------------------------
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)`` (``input`` ignored when ``beta`` is 0)."""
    from ember.ops.arithmetic import where
    from ember.ops.creation import zeros

    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.dim() != 1:
            raise RuntimeError("addr: Expected 1-D argument %s, but got %d-D" % (name, v.dim()))
    prod = outer(vec1, vec2)
    prod = prod if alpha == 1 else prod * alpha
    if beta == 0:
        # input's values (NaN included) are ignored; its gradient is zero
        return _out(where(zeros(prod.shape, dtype=_dtype.bool), input, prod), out)
    return _out(input + prod if beta == 1 else input * beta + prod, out)


register(OpInfo("addr", addr, lambda dt: iter([
    SampleInput(T(3, 4), T(3), T(4)), SampleInput(T(4), T(3), T(4), beta=0.5, alpha=2.0),
    SampleInput(T(3, 4), T(3), T(4), beta=0)]), method=True, inplace="addr_"))
