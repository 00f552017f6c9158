"""Distances: pairwise_distance, cosine_similarity, cdist, dist."""
import math

from ember import _dtype
from ember._backend import array_module, np
from ember._tensor import _make
from ember._tensor_str import dtype_word
from ember.autograd.function import Node
from ember.ops import unary
from ember.ops._util import broadcast_shapes_error, cast, wrap_dim
from ember.ops.indexing import where
from ember.ops.linalg import vector_norm
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register, register_nn
from ember.ops.unary import sign


class VectorNorm(Node):
    """The p-norm along ``dim`` (p > 0 or inf); gradient 0 where the norm is 0, as torch."""

    save = (0,)
    save_output = True

    def forward(ctx, a, p, dim, keepdim):
        ctx.p, ctx.dim, ctx.keepdim = p, dim, keepdim
        if p == 2:
            return np.sqrt(np.sum(a * a, axis=dim, keepdims=keepdim))
        if p == math.inf:
            return np.max(np.abs(a), axis=dim, keepdims=keepdim)
        if p == 1:
            return np.sum(np.abs(a), axis=dim, keepdims=keepdim)
        return np.sum(np.abs(a) ** p, axis=dim, keepdims=keepdim) ** (1.0 / p)

    def backward(ctx, g):
        x, out = ctx.saved_tensors
        p = ctx.p
        if not ctx.keepdim:
            g, out = g.unsqueeze(ctx.dim), out.unsqueeze(ctx.dim)
        if p == 1:
            return g * sign(x)
        if p == math.inf:
            hit = (unary.abs(x) == out)
            count = hit.sum(ctx.dim, keepdim=True)
            return g * sign(x) * hit / count
        safe = where(out == 0, 1.0, out)
        if p == 2:
            return where(out == 0, 0.0, g * x / safe)
        return where(out == 0, 0.0, g * sign(x) * unary.abs(x) ** (p - 1) / safe ** (p - 1))

    @staticmethod
    def onnx(call):
        from ember.ops.linalg import vector_norm_onnx

        p, dim, keepdim = call.params
        return vector_norm_onnx(call, p, [dim], keepdim)


def _vector_norm(x, p, dim, keepdim=False):
    return VectorNorm.apply((x,), p, wrap_dim(dim, x._data.ndim), keepdim)


class ClampMinValue(Node):
    """Clamp the value from below while passing the gradient through unchanged (torch clamps
    norms in place under no_grad in cosine_similarity and normalize)."""

    def forward(ctx, a, lo):
        return np.maximum(a, a.dtype.type(lo))

    def backward(ctx, g):
        return g

    @staticmethod
    def onnx(call):
        return call.g.op("Max", call.inputs[0], call.scalar(call.params[0]))


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim`` (broadcasting)."""
    common = _dtype.result_type(x1, x2).np
    if not _dtype.is_floating(common):
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is %s"
                           % dtype_word(common))
    if x1.shape != x2.shape:
        from ember.ops.views import broadcast_tensors

        x1, x2 = broadcast_tensors(x1, x2)
    n1 = ClampMinValue.apply((_vector_norm(x1, 2, dim, True),), eps)
    n2 = ClampMinValue.apply((_vector_norm(x2, 2, dim, True),), eps)
    return ((x1 / n1) * (x2 / n2)).sum(wrap_dim(dim, x1._data.ndim))


register_nn("cosine_similarity", cosine_similarity, lambda dt: iter([
    SampleInput(T(3, 4), T(3, 4)), SampleInput(T(2, 3, 4), T(3, 4), dim=-1),
    SampleInput(T(4, 5), T(4, 5), 0, 0.5)]), lambda: iter([
    ErrorInput(SampleInput(T(3, 4, dtype="int8"), T(3, 4, dtype="int8")), RuntimeError,
               "expected common dtype to be floating point, yet common dtype is Char")]))


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension."""
    nd = max(x1._data.ndim, x2._data.ndim)
    diff = x1 - x2 + eps
    if nd == 0:
        return _vector_norm(diff.reshape(1), p, 0, keepdim)
    return _vector_norm(diff, p, nd - 1, keepdim)


register_nn("pairwise_distance", pairwise_distance, lambda dt: iter([
    SampleInput(T(3, 4), T(3, 4)), SampleInput(T(3, 4), T(4), p=1.0, keepdim=True),
    SampleInput(T(3, 4), T(3, 4), p=3.0), SampleInput(T(3, 4), T(3, 4), p=math.inf)]))


_COMPUTE_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                  "donot_use_mm_for_euclid_dist")


def _pnorm_distances(a, b, p):
    """``(..., P, R)`` p-norm distances between the rows of ``a`` (..., P, M) and ``b``."""
    diff = np.abs(a[..., :, None, :] - b[..., None, :, :])
    if p == 0:
        return np.sum(diff != 0, axis=-1).astype(a.dtype)
    if p == 1:
        return np.sum(diff, axis=-1)
    if p == 2:
        return np.sqrt(np.sum(diff * diff, axis=-1))
    if math.isinf(p):
        if diff.shape[-1] == 0:
            return array_module(diff).zeros(diff.shape[:-1], dtype=a.dtype)
        return np.max(diff, axis=-1)
    return np.sum(diff ** p, axis=-1) ** (1.0 / p)


def _mm_distances(a, b):
    """Euclidean distances by ``|a|^2 + |b|^2 - 2 a.b`` (one matrix product; less exact for
    close points, as torch's)."""
    aa = np.sum(a * a, axis=-1)[..., :, None]
    bb = np.sum(b * b, axis=-1)[..., None, :]
    sq = aa + bb - 2 * np.matmul(a, np.swapaxes(b, -1, -2))
    return np.sqrt(np.maximum(sq, 0))


class Cdist(Node):
    save = (0, 1)
    save_output = True

    def forward(ctx, a, b, p, use_mm):
        ctx.p = p
        if use_mm:
            return _mm_distances(a, b)
        return _pnorm_distances(a, b, p)

    def backward(ctx, g):
        a, b, dist = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return a * 0, b * 0
        diff = a.unsqueeze(-2) - b.unsqueeze(-3)  # (..., P, R, M)
        zero = dist == 0
        g = g.unsqueeze(-1)
        if p == 1:
            gd = g * sign(diff)
        elif math.isinf(p):
            # Every coordinate that attains the maximum gets the gradient, as torch.
            hits = unary.abs(diff) == dist.unsqueeze(-1)
            gd = g * sign(diff) * cast(hits, diff.dtype)
        else:
            safe = where(zero, 1.0, dist).unsqueeze(-1)
            if p == 2:
                gd = g * diff / safe
            else:
                absd = unary.abs(diff)
                # |d|^(p-1) with d = 0 kept out of negative powers when p < 1.
                safe_d = where(absd == 0, 1.0, absd) if p < 1 else absd
                gd = g * sign(diff) * safe_d ** (p - 1) / safe ** (p - 1)
            gd = where(zero.unsqueeze(-1), 0.0, gd)
        need = ctx.needs_input_grad
        return gd.sum(-2) if need[0] else None, -gd.sum(-3) if need[1] else None


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between each row of ``x1`` (..., P, M) and each row of ``x2``
    (..., R, M): a (..., P, R) tensor; batch dims broadcast.

    For p = 2 the matrix-product form (faster, less exact for nearby points) is used when
    ``compute_mode`` asks for it, by default when P > 25 or R > 25.
    """
    a, b = x1._data, x2._data
    if a.ndim < 2 or b.ndim < 2:
        raise RuntimeError("cdist only supports at least 2D tensors, X%d got: %dD"
                           % ((1, a.ndim) if a.ndim < 2 else (2, b.ndim)))
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError("X1 and X2 must have the same number of columns. X1: %d X2: %d"
                           % (a.shape[-1], b.shape[-1]))
    for i, arr in ((1, a), (2, b)):
        if not _dtype.is_floating(arr.dtype):
            raise RuntimeError("cdist only supports floating-point dtypes, X%d got: %s"
                               % (i, _dtype_word(arr)))
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError("%s is not a valid value for compute_mode" % compute_mode)
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise broadcast_shapes_error(a.shape[:-2], b.shape[:-2]) from None
    if x1.dtype != x2.dtype:
        dt = _dtype.promote_types(x1.dtype, x2.dtype)
        x1, x2 = cast(x1, dt), cast(x2, dt)
    if a.shape[:-2] != batch:
        x1 = x1.expand(batch + a.shape[-2:])
    if b.shape[:-2] != batch:
        x2 = x2.expand(batch + b.shape[-2:])
    use_mm = p == 2 and (compute_mode == "use_mm_for_euclid_dist" or (
        compute_mode == _COMPUTE_MODES[0] and (a.shape[-2] > 25 or b.shape[-2] > 25)))
    return Cdist.apply((x1, x2), float(p), use_mm)


def _dtype_word(arr):

    return dtype_word(arr.dtype)


def _cdist_samples(dtype):
    yield SampleInput(T(3, 4), T(5, 4))
    yield SampleInput(T(2, 3, 4), T(2, 5, 4), p=1.0)
    yield SampleInput(T(1, 3, 2), T(2, 4, 2), p=3.0, name="broadcast batch")
    yield SampleInput(T(3, 2), T(4, 2), p=0.5)
    yield SampleInput(T(3, 4), T(2, 4), p=float("inf"))
    yield SampleInput(T(3, 4, noncontig=True), T(2, 4), compute_mode="use_mm_for_euclid_dist")
    yield SampleInput(T(30, 3), T(4, 3), name="mm when P > 25")
    yield SampleInput(T(3, 4), T(2, 4), p=0)
    yield SampleInput(T(0, 4), T(2, 4))
    # Equal points: a zero distance (values only: the distance has a kink there).
    yield SampleInput(T(values=[[0.5, 1.0], [1.5, -1.0]], grad=False),
                      T(values=[[0.5, 1.0], [2.0, 0.0]], grad=False),
                      compute_mode="donot_use_mm_for_euclid_dist", name="zero distance")


def _cdist_errors():
    yield ErrorInput(SampleInput(T(2, 3, 4), T(5, 3)), RuntimeError,
                     "same number of columns. X1: 4 X2: 3")
    yield ErrorInput(SampleInput(T(4), T(4)), RuntimeError, "at least 2D tensors, X1 got: 1D")
    yield ErrorInput(SampleInput(T(3, 4), T(3, 4), p=-1.0), RuntimeError, "non-negative p")
    yield ErrorInput(SampleInput(T(2, 3, 4), T(3, 5, 4)), RuntimeError,
                     r"size of tensor a \(2\) must match the size of tensor b \(3\)")
    yield ErrorInput(SampleInput(T(3, 4, dtype="int64"), T(3, 4, dtype="int64")), RuntimeError,
                     "floating-point dtypes, X1 got: Long")
    yield ErrorInput(SampleInput(T(3, 4), T(3, 4), compute_mode="x"), ValueError,
                     "not a valid value for compute_mode")


register(OpInfo("cdist", cdist, _cdist_samples, _cdist_errors, atol=1e-4, rtol=1e-5))


def dist(input, other, p=2):
    """The p-norm of ``input - other`` (broadcast)."""
    return vector_norm(input - other, p)


def _dist_samples(dtype):
    yield SampleInput(T(3, 4), T(3, 4))
    yield SampleInput(T(3, 4), T(4), 1)
    yield SampleInput(T(5), T(5), 3.5)
    yield SampleInput(T(2, 3), T(2, 3), float("inf"))
    yield SampleInput(T(), T())


def _dist_errors():
    yield ErrorInput(SampleInput(T(3), T(4)), RuntimeError,
                     r"size of tensor a \(3\) must match the size of tensor b \(4\)")


register(OpInfo("dist", dist, _dist_samples, _dist_errors, method=True))


class _NoHalfPdistBackward(Node):
    """pdist of float16 rows with no columns: zeros forward, and torch's refusal in backward
    (torch has no float16 pdist kernel; only this empty case gets past its forward)."""

    def forward(ctx, a, pairs):
        return array_module(a).zeros(pairs, dtype=a.dtype)

    def backward(ctx, g):
        raise NotImplementedError('"pdist_backward" not implemented for \'Half\'')


def pdist(input, p=2):
    """The p-norm distance between every pair of rows ``i < j`` of ``input`` (N, M), in row-major
    order of the pairs: ``N (N - 1) / 2`` values (the upper triangle of ``cdist(input, input)``)."""
    a = input._data
    if a.ndim != 2:
        raise RuntimeError("pdist only supports 2D tensors, got: %dD" % a.ndim)
    if not _dtype.is_floating(a.dtype):
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if a.dtype.itemsize < 4 and a.shape[0] > 1:
        if a.shape[1] > 0:
            raise NotImplementedError('"pdist" not implemented for \'Half\'')
        return _NoHalfPdistBackward.apply((input,), a.shape[0] * (a.shape[0] - 1) // 2)
    if a.shape[1] == 0:  # every distance is 0 (an empty norm), still connected to the input
        pairs = array_module(a).zeros(a.shape[0] * (a.shape[0] - 1) // 2, dtype=a.dtype)
        return _make(pairs) + input.sum() * 0
    rows, cols = np.triu_indices(a.shape[0], k=1)
    diff = input.index_select(0, _make(rows)) - input.index_select(0, _make(cols))
    return vector_norm(diff, p, dim=-1)


def _pdist_samples(dtype):
    yield SampleInput(T(4, 3))
    yield SampleInput(T(5, 2), 1.0)
    yield SampleInput(T(3, 4, noncontig=True), 3.5)
    yield SampleInput(T(4, 2), float("inf"))
    yield SampleInput(T(3, 2), 0.0)
    yield SampleInput(T(1, 3))


def _pdist_errors():
    yield ErrorInput(SampleInput(T(2, 3, 4)), RuntimeError, "only supports 2D tensors, got: 3D")
    yield ErrorInput(SampleInput(T(3, 4), -1.0), RuntimeError, "non-negative p")
    yield ErrorInput(SampleInput(T(3, 4, dtype="int64")), RuntimeError, "floating-point dtypes")


def _pdist_oracle(torch, input, *args):
    """torch's pdist, except on 0 rows, where torch's backward crashes the process (segfault):
    there the oracle is the empty result, still connected to the input."""
    if input.dim() == 2 and input.shape[0] == 0 and input.is_floating_point():
        return input.sum() * torch.zeros(0, dtype=input.dtype)
    return torch.nn.functional.pdist(input, *args)


register_nn("pdist", pdist, _pdist_samples, _pdist_errors, ref=_pdist_oracle)
