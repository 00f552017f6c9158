"""Linear algebra: matmul and its relatives (mm, bmm, mv, dot, outer, einsum, tensordot, addmm,
baddbmm...), and the ``ember.linalg`` functions (norms, inv, det, solve); the decompositions are
in ``linalg_decompositions.py``.

The matrix products end in one BLAS call per result and per gradient: for a batch times a plain
matrix (a Linear layer on 3-d input), the matrix's gradient sums over the batch inside one GEMM
rather than one GEMM per batch entry followed by a sum (2-3x faster, measured).
"""
import builtins
import math

from ember import _dtype
from ember._backend import array_module, np
from ember._tensor import Tensor, _make
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.ops._util import binary_operands, cast, sum_to_shape, wrap_dim
from ember.ops.arithmetic import _out
from ember.ops.blas import _check_same_dtype, _dims_str
from ember.ops.indexing import where
from ember.ops.manipulation import stack
from ember.ops.reduction import _dtype_word, _expand_reduced, _reduce_args
from ember.ops.reduction_minmax import _TIES, _tie_weights
from ember.ops.registry import INT_FLOAT, ErrorInput, OpInfo, SampleInput, T, register
from ember.ops.slicing import diagonal, select
from ember.ops.views import broadcast_shapes, broadcast_tensors


def _cross(a, b, d, name):
    sa, sb = a._data.shape, b._data.shape
    if sa[d] != 3 or sb[d] != 3:
        raise RuntimeError("%s: inputs dimension %d must have length 3. Got %d and %d"
                           % (name, d, sa[d], sb[d]))
    a, b = broadcast_tensors(*binary_operands(a, b))
    d = wrap_dim(d, a._data.ndim)
    a0, a1, a2 = (select(a, d, i) for i in range(3))
    b0, b1, b2 = (select(b, d, i) for i in range(3))
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)


def _check_same_ndim(a, b, name):
    if a._data.ndim != b._data.ndim:
        raise RuntimeError("%s: inputs must have the same number of dimensions." % name)


def cross(input, other, dim=None, *, out=None):
    """Cross product of 3-vectors along ``dim`` (by default the first dim of size 3)."""
    _check_same_ndim(input, other, "linalg.cross")
    if dim is None:
        sizes = input._data.shape
        dim = next((i for i, s in enumerate(sizes) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return _out(_cross(input, other, dim, "linalg.cross"), out)


def _cross_samples(dtype):
    yield SampleInput(T(4, 3), T(4, 3), dim=1)
    yield SampleInput(T(3, 2), T(3, 2))
    yield SampleInput(T(2, 3, 4), T(1, 3, 4), dim=-2)
    yield SampleInput(T(2, 5, 3, noncontig=True), T(2, 5, 3), dim=2)
    yield SampleInput(T(0, 3), T(0, 3), dim=1)


def _cross_errors():
    yield ErrorInput(SampleInput(T(3, 4), T(3, 4), dim=1), RuntimeError,
                     "dimension 1 must have length 3. Got 4 and 4")
    yield ErrorInput(SampleInput(T(3, 3), T(2, 3), dim=1), RuntimeError,
                     r"size of tensor a \(3\) must match the size of tensor b \(2\)")


register(OpInfo("cross", cross, _cross_samples, _cross_errors, method=True, dtypes=INT_FLOAT))


def linalg_cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along ``dim`` (``torch.linalg.cross``), inputs broadcast."""
    _check_same_ndim(input, other, "linalg.cross")
    return _out(_cross(input, other, dim, "linalg.cross"), out)


def _linalg_cross_samples(dtype):
    yield SampleInput(T(4, 3), T(4, 3))
    yield SampleInput(T(4, 3), T(1, 3))
    yield SampleInput(T(3, 5), T(3, 5), dim=0)
    yield SampleInput(T(2, 4, 3, noncontig=True), T(2, 4, 3))


def _linalg_cross_errors():
    yield ErrorInput(SampleInput(T(3, 4), T(3, 4)), RuntimeError,
                     "dimension -1 must have length 3. Got 4 and 4")


register(OpInfo("linalg.cross", linalg_cross, _linalg_cross_samples, _linalg_cross_errors))


def trace(input):
    """Sum of the main diagonal of a 2-d tensor."""
    a = input._data
    if a.ndim != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim %d" % a.ndim)
    if a.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return diagonal(input).sum()


def _trace_samples(dtype):
    yield SampleInput(T(3, 3))
    yield SampleInput(T(2, 4))
    yield SampleInput(T(5, 3, noncontig=True))
    yield SampleInput(T(0, 2))


def _trace_errors():
    yield ErrorInput(SampleInput(T(3)), RuntimeError, "expected a matrix, but got tensor with "
                     "dim 1")


register(OpInfo("trace", trace, _trace_samples, _trace_errors, method=True, dtypes=INT_FLOAT))


def renorm(input, p, dim, maxnorm):
    """Each slice along ``dim`` whose p-norm exceeds ``maxnorm`` scaled down to norm
    ``maxnorm``."""
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError("renorm: input needs at least 2 dimensions, got %d dimensions" % nd)
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError("renorm: expected maxnorm to be >= 0 but got %s" % _num(maxnorm))
    d = wrap_dim(dim, nd)
    others = tuple(i for i in range(nd) if i != d)
    norm = vector_norm(input, p, others, True)
    # torch adds 1e-7 to the norm before dividing.
    factor = where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return input * factor


def _num(x):
    return "%d" % x if x == builtins.int(x) else "%g" % x


def _renorm_samples(dtype):
    yield SampleInput(T(3, 4), 2, 0, 1.0)
    yield SampleInput(T(3, 4), 1, 1, 2.0)
    yield SampleInput(T(2, 3, 4), 3, -1, 1.5)
    yield SampleInput(T(3, 4), float("inf"), 0, 1.0)
    yield SampleInput(T(4, 3, noncontig=True), 2, 0, 10.0, name="under maxnorm")


def _renorm_errors():
    yield ErrorInput(SampleInput(T(3, 3), -1, 0, 1.0), RuntimeError, "non-positive-norm")
    yield ErrorInput(SampleInput(T(3, 3), 2, 0, -1.0), RuntimeError, "maxnorm to be >= 0")
    yield ErrorInput(SampleInput(T(3), 2, 0, 1.0), RuntimeError, "at least 2 dimensions")


register(OpInfo("renorm", renorm, _renorm_samples, _renorm_errors, method=True,
                inplace="renorm_"))


def inverse(input, *, out=None):
    """The inverse of square matrices (``linalg.inv``)."""
    return inv(input, out=out)


def _square_samples(dtype):
    # Diagonally dominant, so the matrices are far from singular.
    yield SampleInput(T(values=[[4.0, 1.0, -0.5], [0.3, 3.0, 0.8], [-1.0, 0.2, 5.0]]))
    yield SampleInput(T(values=[[[2.5, 0.4], [-0.6, 3.0]], [[-3.0, 1.0], [0.5, 2.0]]]))


def _square_matrix_errors(name):
    def errors():
        yield ErrorInput(SampleInput(T(2, 3)), RuntimeError, "%s: A must be batches of square "
                         "matrices" % name)

    return errors


register(OpInfo("inverse", inverse, _square_samples, _square_matrix_errors("linalg.inv"),
                method=True, atol=1e-4, rtol=1e-5))


def det(input):
    """The determinant of square matrices (``linalg.det``)."""
    return linalg_det(input)


register(OpInfo("det", det, _square_samples, _square_matrix_errors("linalg.det"), method=True,
                atol=1e-4, rtol=1e-5))


def _broadcast_tensors_samples(dtype):
    yield SampleInput(T(3, 1), T(4), T(2, 1, 1))
    yield SampleInput(T(3, 4))
    yield SampleInput(T(), T(2, 3, noncontig=True))


def _broadcast_tensors_errors():
    yield ErrorInput(SampleInput(T(2, 3), T(4)), RuntimeError,
                     r"size of tensor a \(3\) must match the size of tensor b \(4\)")


def _broadcast_shapes_samples(dtype):
    yield SampleInput((2, 1), (3,))
    yield SampleInput(2, (1,))
    yield SampleInput((4, 1, 3), (5, 1), ())


def _broadcast_shapes_errors():
    yield ErrorInput(SampleInput((2, 3), (4,)), RuntimeError, "Shape mismatch")


register(OpInfo("broadcast_tensors", broadcast_tensors, _broadcast_tensors_samples,
                _broadcast_tensors_errors, dtypes=INT_FLOAT))


register(OpInfo("broadcast_shapes", broadcast_shapes, _broadcast_shapes_samples,
                _broadcast_shapes_errors, dtypes=("float32",), grad=False))


def _require_tensor(x, name, arg="other"):
    if not isinstance(x, Tensor):
        raise TypeError("%s(): argument '%s' must be Tensor, not %s"
                        % (name, arg, type(x).__name__))


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """``sum(|x|**ord) ** (1/ord)`` over ``dim`` (all elements by default); ``ord`` may be
    inf, -inf or 0."""
    return _vector_norm(x, ord, dim, keepdim, dtype, "linalg.vector_norm")


def _vector_norm_samples(dtype):
    yield SampleInput(T(3, 4))
    yield SampleInput(T(3, 4), 1, -1)
    yield SampleInput(T(2, 3, 4), 2, (0, 2), True)
    yield SampleInput(T(2, 3, 4), float("inf"), (1,))
    yield SampleInput(T(2, 3, 4), -float("inf"), -1)
    yield SampleInput(T(3, 4), 3.5, 0)
    yield SampleInput(T(3, 4), 0, 1)
    yield SampleInput(T(), 2)
    yield SampleInput(T(0, 3), 2, 0)
    yield SampleInput(T(4, 5, noncontig=True), dim=0)
    yield SampleInput(T(values=_ZERO_ROW), dim=1, name="zero row")
    yield SampleInput(T(3, 4), dim=1, dtype=None)


def _vector_norm_errors():
    yield ErrorInput(SampleInput(T(2, 3, dtype="int64")), RuntimeError,
                     "linalg.vector_norm: Expected a floating point or complex tensor as input. "
                     "Got Long")
    yield ErrorInput(SampleInput(T(0, 3), float("inf"), 0), RuntimeError,
                     "linalg.vector_norm cannot compute the inf norm on an empty tensor")


register(OpInfo("linalg.vector_norm", vector_norm, _vector_norm_samples, _vector_norm_errors))


def _require_float_matrix(A, name):
    if not A.is_floating_point():
        raise RuntimeError("%s: Expected a floating point or complex tensor as input. Got %s"
                           % (name, dtype_word(A._data.dtype)))
    if A._data.ndim < 2:
        raise RuntimeError("%s: The input tensor A must have at least 2 dimensions."
                           % name)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norm over the two dims ``dim``: 'fro', 'nuc', inf, -inf, 1, -1, 2 or -2."""
    from ember.ops.reduction_minmax import amax, amin
    from ember.ops.unary import abs as _abs

    if dtype is not None:
        A = A.to(dtype)
    _require_float_matrix(A, "linalg.matrix_norm")
    d0, d1 = (wrap_dim(d, A._data.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError("linalg.matrix_norm: dims must be different. Got (%d, %d)" % (d0, d1))
    if ord == "fro":
        return _vector_norm(A, 2, (d0, d1), keepdim, None, "linalg.matrix_norm")
    kept = list(A._data.shape)
    kept[d0] = kept[d1] = 1
    if ord in ("nuc", 2, -2):
        from ember.ops.linalg_decompositions import svdvals

        s = svdvals(A.movedim((d0, d1), (-2, -1)))
        r = s.sum(-1) if ord == "nuc" else (amax if ord == 2 else amin)(s, -1)
    elif ord in (1, -1, np.inf, -np.inf):
        inner_dim, outer_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = _abs(A).sum(inner_dim, keepdim=True)
        r = (amax if ord > 0 else amin)(sums, outer_dim, keepdim=True)
    else:
        raise RuntimeError("linalg.matrix_norm: Order %s not supported." % (ord,))
    if keepdim:
        return r.reshape(tuple(kept))
    return r.reshape(tuple(s for i, s in enumerate(A._data.shape) if i not in (d0, d1)))


def _matrix_norm_samples(dtype):
    yield SampleInput(T(3, 4))
    yield SampleInput(T(2, 3, 4), "fro", (0, 2), True)
    yield SampleInput(T(2, 3, 4), "nuc")
    yield SampleInput(T(3, 4), 2)
    yield SampleInput(T(4, 3), -2, keepdim=True)
    yield SampleInput(T(2, 3, 4), 1)
    yield SampleInput(T(2, 3, 4), -1, (-1, 0))
    yield SampleInput(T(2, 3, 4), float("inf"), keepdim=True)
    yield SampleInput(T(3, 4, noncontig=True), -float("inf"))


def _matrix_norm_errors():
    yield ErrorInput(SampleInput(T(3)), RuntimeError,
                     "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")


# The 'nuc' and ±2 norms go through the SVD, whose gradient needs distinct singular values.
register(OpInfo("linalg.matrix_norm", matrix_norm, _matrix_norm_samples, _matrix_norm_errors,
                gradgrad=False, atol=1e-4, rtol=1e-5))


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """Vector or matrix norm, as ``torch.linalg.norm``: a 2-tuple ``dim`` (or a 2-d input with
    ``ord`` and no ``dim``) gives a matrix norm, otherwise a vector norm."""
    if isinstance(dim, (builtins.int, np.integer)):
        dim = (dim,)
    if dim is not None and len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None and ord is not None:
        if A._data.ndim not in (1, 2):
            raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must "
                               "be 1D or 2D. Got %dD." % A._data.ndim)
        if A._data.ndim == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError("linalg.norm: Order %s not supported for vectors." % ord)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def _linalg_norm_samples(dtype):
    yield SampleInput(T(3, 4))
    yield SampleInput(T(4), 3)
    yield SampleInput(T(3, 4), float("inf"))
    yield SampleInput(T(3, 4), 1)
    yield SampleInput(T(2, 3, 4), None, (0, 2))
    yield SampleInput(T(2, 3, 4), 2, -1, True)
    yield SampleInput(T(2, 3, 4), "fro", (1, 2))
    yield SampleInput(T(2, 3, 4), -float("inf"), (2, 0), True)
    yield SampleInput(T(4, 5, noncontig=True), dim=0)


def _linalg_norm_errors():
    yield ErrorInput(SampleInput(T(2, 3, 4), 2), RuntimeError,
                     "linalg.norm: If dim is not specified but ord is, the input must be 1D or "
                     "2D. Got 3D.")


register(OpInfo("linalg.norm", linalg_norm, _linalg_norm_samples, _linalg_norm_errors))


def _check_square(A, name, complex_ok=False):
    if A._data.ndim < 2:
        raise RuntimeError("%s: The input tensor A must have at least 2 dimensions." % name)
    n, m = A._data.shape[-2:]
    if n != m:
        raise RuntimeError("%s: A must be batches of square matrices, but they are %d by %d "
                           "matrices" % (name, n, m))
    if not A.is_floating_point() and not (complex_ok and A.is_complex()):
        raise RuntimeError("%s: Expected a floating point or complex tensor as input. Got %s"
                           % (name, dtype_word(A._data.dtype)))


def _singular(name):
    return RuntimeError("%s: The input matrix is singular, the operation could not be completed."
                        % name)


class Inv(Node):
    save_output = True

    def forward(ctx, a):
        try:
            return np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _singular("linalg.inv") from None

    def backward(ctx, g):
        (inv_a,) = ctx.saved_tensors
        return -inv_a.mT.matmul(g).matmul(inv_a.mT)


def inv(A, *, out=None):
    """Inverse of the square matrices in the last two dims."""
    _check_square(A, "linalg.inv")
    return Inv.apply((A,))


def _square(n, batch=()):
    """Well-conditioned square matrices: the identity plus small noise."""
    rng = np.random.default_rng(n)
    m = np.eye(n) * 2 + rng.uniform(-0.5, 0.5, batch + (n, n))
    return m.tolist()


def _inv_samples(dtype):
    yield SampleInput(T(values=_square(3)))
    yield SampleInput(T(values=_square(2, (2,))))
    yield SampleInput(T(0, 0))


def _square_errors(name):
    def gen():
        yield ErrorInput(SampleInput(T(2, 3)), RuntimeError,
                         "%s: A must be batches of square matrices, but they are 2 by 3 matrices"
                         % name)
    return gen


register(OpInfo("linalg.inv", inv, _inv_samples, _square_errors("linalg.inv"), atol=1e-4,
                rtol=1e-5))


class Det(Node):
    save = (0,)
    save_output = True

    def forward(ctx, a):
        return array_module(a).asarray(np.linalg.det(a))

    def backward(ctx, g):
        # d det(A) / dA = det(A) * inv(A)^T; needs A invertible.
        a, d = ctx.saved_tensors
        return (g * d).unsqueeze(-1).unsqueeze(-1) * inv(a).mT


def linalg_det(A, *, out=None):
    """Determinant of the square matrices in the last two dims (the gradient needs them
    invertible)."""
    _check_square(A, "linalg.det")
    return Det.apply((A,))


register(OpInfo("linalg.det", linalg_det, _inv_samples, _square_errors("linalg.det"), atol=1e-4,
                rtol=1e-5))


class Solve(Node):
    save = (0,)
    save_output = True

    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        try:
            return np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            raise _singular("linalg.solve") from None

    def backward(ctx, g):
        a, x = ctx.saved_tensors
        sa, sb = ctx.shapes
        gb = solve(a.mT, g)
        ga = -gb.matmul(x.mT) if ctx.needs_input_grad[0] else None
        return (sum_to_shape(ga, sa) if ga is not None else None,
                sum_to_shape(gb, sb) if ctx.needs_input_grad[1] else None)


def solve(A, B, *, left=True, out=None):
    """The ``X`` with ``A @ X = B``; ``B`` may be a vector (or a batch of vectors)."""
    _check_square(A, "linalg.solve")
    if not left:
        return solve(A.mT, B.mT).mT
    n = A._data.shape[-1]
    vector = B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1
                                   and B._data.shape == A._data.shape[:-1])
    Bm = B.unsqueeze(-1) if vector else B
    if Bm._data.shape[-2] != n:
        raise RuntimeError("linalg.solve: Incompatible shapes of A and B for the equation "
                           "AX = B (%s and %s)" % (_dims_str(A._data.shape[-2:]),
                                                   _dims_str(Bm._data.shape[-2:])))
    _check_same_dtype(A, B)
    X = Solve.apply((A, Bm))
    return X.squeeze(-1) if vector else X


def _solve_samples(dtype):
    yield SampleInput(T(values=_square(3)), T(3))
    yield SampleInput(T(values=_square(3)), T(3, 2))
    yield SampleInput(T(values=_square(3, (2,))), T(3, 2))
    yield SampleInput(T(values=_square(3, (2,))), T(2, 3), name="batch of vectors")
    yield SampleInput(T(values=_square(3)), T(2, 3, 2), name="broadcast A")
    yield SampleInput(T(values=_square(3)), T(2, 3), left=False)


def _solve_errors():
    yield ErrorInput(SampleInput(T(values=_square(3)), T(4)), RuntimeError,
                     r"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                     r"\(3x3 and 4x1\)")


register(OpInfo("linalg.solve", solve, _solve_samples, _solve_errors, atol=1e-4, rtol=1e-5))


class VectorNorm(Node):
    """``sum(|x|**p) ** (1/p)`` over ``dims``; p may be 0, inf or -inf."""

    save = (0,)
    save_output = True

    def forward(ctx, a, p, dims, keepdim):
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        if a.dtype == np.float16:
            # torch reduces half in float32 and rounds the result once
            return VectorNorm.forward(ctx, a.astype(np.float32), p, dims, keepdim).astype(a.dtype)
        x = np.abs(a)
        if p == 2:
            return np.sqrt(np.sum(x * x, axis=dims, keepdims=keepdim))
        if p == 1:
            return np.sum(x, axis=dims, keepdims=keepdim)
        if p == np.inf:
            return array_module(a).asarray(np.amax(x, axis=dims, keepdims=keepdim))
        if p == -np.inf:
            return array_module(a).asarray(np.amin(x, axis=dims, keepdims=keepdim))
        if p == 0:
            return np.sum(x != 0, axis=dims, keepdims=keepdim).astype(a.dtype)
        with np.errstate(divide="ignore"):
            return array_module(a).asarray(np.sum(x ** p, axis=dims, keepdims=keepdim) ** (1.0 / p),
                              dtype=a.dtype)

    def backward(ctx, g):
        from ember.ops.indexing import where

        a, norm = ctx.saved_tensors
        p, dims, keepdim = ctx.p, ctx.dims, ctx.keepdim
        shape = a.shape
        if p == 0:
            return a * 0
        if p == 1:
            return _expand_reduced(g, shape, dims, keepdim) * a.sign()
        if p in (np.inf, -np.inf):
            w = _tie_weights(np.abs(a._data), norm._data, dims, keepdim)
            return _expand_reduced(g, shape, dims, keepdim) * w * a.sign()
        # torch's gradient is 0 (not NaN) where the norm is 0.
        zero = _make(norm._data == 0)
        safe = where(zero, 1.0, norm)
        if p == 2:
            scale = where(zero, 0.0, g / safe)
            return a * _expand_reduced(scale, shape, dims, keepdim)
        scale = where(zero, 0.0, g / safe ** (p - 1))
        return a * a.abs() ** (p - 2) * _expand_reduced(scale, shape, dims, keepdim)

    @staticmethod
    def onnx(call):
        p, dims, keepdim = call.params
        return vector_norm_onnx(call, p, dims, keepdim)


def vector_norm_onnx(call, p, dims, keepdim):
    """The ONNX form of a p-norm over ``dims`` (also used by ``nn.distance``'s norm)."""
    g, x = call.g, call.inputs[0]
    if p in (1, 2):
        return g.reduce("ReduceL%d" % p, x, dims, keepdim)
    if p in (math.inf, -math.inf):
        return g.reduce("ReduceMax" if p > 0 else "ReduceMin", g.op("Abs", x), dims, keepdim)
    if p == 0:
        nonzero = g.cast(g.op("Not", g.op("Equal", x, call.scalar(0))), call.outs[0].dtype)
        return g.reduce("ReduceSum", nonzero, dims, keepdim)
    powered = g.reduce("ReduceSum", g.op("Pow", g.op("Abs", x), call.scalar(p)), dims, keepdim)
    return g.op("Pow", powered, call.scalar(1.0 / p))


def _vector_norm(input, ord, dim, keepdim, dtype, name):
    if dtype is not None:
        input = cast(input, _dtype.as_dtype(dtype))
    if input._data.dtype.kind == "c":
        from ember.ops.unary import abs

        input = abs(input)  # the norm of complex numbers is that of their magnitudes
    if not input.is_floating_point():
        raise RuntimeError("%s: Expected a floating point or complex tensor as input. Got %s"
                           % (name, _dtype_word(input)))
    if isinstance(dim, (builtins.int, np.integer)):
        dim = (dim,)
    dims = _reduce_args(input, dim)
    if ord < 0 or ord == np.inf:
        for d in dims:
            if input._data.shape[d] == 0:
                raise RuntimeError("%s cannot compute the %s norm on an empty tensor because "
                                   "the operation does not have an identity"
                                   % (name, _ord_word(ord)))
    return VectorNorm.apply((input,), builtins.float(ord), dims, keepdim)


def _ord_word(ord):
    return {np.inf: "inf", -np.inf: "-inf"}.get(ord, repr(ord))


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The norm of ``input``: torch's legacy entry point.

    ``p='fro'`` (or 2) and numeric ``p`` give vector norms over ``dim`` (all elements when
    None); ``p='nuc'`` gives the nuclear norm of the matrices in the last two dims (or ``dim``).
    """
    if p == "nuc":
        from ember.ops.linalg import matrix_norm

        return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if p == "fro" or p is None:
        p = 2
    if isinstance(p, str):
        raise RuntimeError("norm(): unsupported norm type %r" % p)
    return _vector_norm(input, p, dim, keepdim, dtype, "linalg.vector_norm")


# The 2-norm of a zero vector has gradient 0 in torch (not NaN); its second derivative is
# undefined, so this sample is also kept above gradcheck's limit.
_ZERO_ROW = [[0.0] * 13] + [[(i * 5 + j) % 7 - 3.0 for i in range(13)] for j in range(4)]


def _norm_samples(dtype):
    yield SampleInput(T(3, 4))
    yield SampleInput(T(3, 4), 1)
    yield SampleInput(T(3, 4), "fro", (0, 1))
    yield SampleInput(T(3, 4), 2, 1, True)
    yield SampleInput(T(2, 3, 4), float("inf"), (0, 2))
    yield SampleInput(T(2, 3, 4), -float("inf"), -1)
    yield SampleInput(T(3, 4), 3, 0)
    yield SampleInput(T(3, 4, low=0.5), 0.5, -1)
    yield SampleInput(T(3, 4), 0, 1)
    yield SampleInput(T())
    yield SampleInput(T(0, 3), 2, 0)
    yield SampleInput(T(4, 5, noncontig=True), p=2, dim=0)
    yield SampleInput(T(values=_ZERO_ROW), dim=1, name="zero row")
    yield SampleInput(T(values=_TIES), float("inf"), 1, name="inf ties")


def _norm_errors():
    yield ErrorInput(SampleInput(T(2, 3, dtype="int64")), RuntimeError,
                     "Expected a floating point or complex tensor as input. Got Long")
    yield ErrorInput(SampleInput(T(2, 3), 2, 2), IndexError, "Dimension out of range")


register(OpInfo("norm", norm, _norm_samples, _norm_errors, method=True, atol=1e-4, rtol=1e-5))
