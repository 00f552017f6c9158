"""Pairwise and combinatorial ops: cdist, dist, cross, trace, block_diag, cartesian_prod,
combinations, renorm, and torch's top-level names for ops defined elsewhere (broadcast_tensors,
broadcast_shapes, inverse, det, chain_matmul).

cdist is a Node (its forward on arrays avoids the ``(..., P, R, M)`` graph of differences, and
p = 2 may use the matrix-product form as torch does); the rest are built from differentiable
ember ops.
"""
import builtins
import itertools
import math

from ember import _dtype as D
from ember._backend import np
from ember._tensor import _make
from ember.autograd.function import Node
from ember.ops import elementwise as E
from ember.ops import linalg as L
from ember.ops import manipulation as M
from ember.ops import shape as S
from ember.ops._util import binary_operands, broadcast_shapes_error, cast, shape_str, wrap_dim
from ember.ops.creation import zeros
from ember.ops.registry import INT_FLOAT, ErrorInput, OpInfo, SampleInput, T, register

# --- cdist, dist ---------------------------------------------------------------------------------

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
            return np.zeros(diff.shape[:-1], dtype=a.dtype)
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
            gd = g * E.sign(diff)
        elif math.isinf(p):
            # Every coordinate that attains the maximum gets the gradient, as torch.
            hits = E.abs(diff) == dist.unsqueeze(-1)
            gd = g * E.sign(diff) * cast(hits, diff.dtype)
        else:
            safe = E.where(zero, 1.0, dist).unsqueeze(-1)
            if p == 2:
                gd = g * diff / safe
            else:
                absd = E.abs(diff)
                # |d|^(p-1) with d = 0 kept out of negative powers when p < 1.
                safe_d = E.where(absd == 0, 1.0, absd) if p < 1 else absd
                gd = g * E.sign(diff) * safe_d ** (p - 1) / safe ** (p - 1)
            gd = E.where(zero.unsqueeze(-1), 0.0, gd)
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
        if arr.dtype.kind != "f":
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
        dt = D.promote_types(x1.dtype, x2.dtype)
        x1, x2 = cast(x1, dt), cast(x2, dt)
    if a.shape[:-2] != batch:
        x1 = x1.expand(batch + a.shape[-2:])
    if b.shape[:-2] != batch:
        x2 = x2.expand(batch + b.shape[-2:])
    use_mm = p == 2 and (compute_mode == "use_mm_for_euclid_dist" or (
        compute_mode == _COMPUTE_MODES[0] and (a.shape[-2] > 25 or b.shape[-2] > 25)))
    return Cdist.apply((x1, x2), float(p), use_mm)


def _dtype_word(arr):
    from ember._tensor_str import dtype_word

    return dtype_word(arr.dtype)


def dist(input, other, p=2):
    """The p-norm of ``input - other`` (broadcast)."""
    return L.vector_norm(input - other, p)


# --- cross ---------------------------------------------------------------------------------------

def _cross(a, b, d, name):
    sa, sb = a._data.shape, b._data.shape
    if sa[d] != 3 or sb[d] != 3:
        raise RuntimeError("%s: inputs dimension %d must have length 3. Got %d and %d"
                           % (name, d, sa[d], sb[d]))
    a, b = S.broadcast_tensors(*binary_operands(a, b))
    d = wrap_dim(d, a._data.ndim)
    a0, a1, a2 = (M.select(a, d, i) for i in range(3))
    b0, b1, b2 = (M.select(b, d, i) for i in range(3))
    return M.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)


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
    return E._out(_cross(input, other, dim, "linalg.cross"), out)


def linalg_cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along ``dim`` (``torch.linalg.cross``), inputs broadcast."""
    _check_same_ndim(input, other, "linalg.cross")
    return E._out(_cross(input, other, dim, "linalg.cross"), out)


# --- trace, block_diag, cartesian_prod, combinations ---------------------------------------------

def trace(input):
    """Sum of the main diagonal of a 2-d tensor."""
    a = input._data
    if a.ndim != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim %d" % a.ndim)
    if a.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return M.diagonal(input).sum()


def block_diag(*tensors):
    """A block-diagonal matrix with ``tensors`` (0-d, 1-d or 2-d) on its diagonal."""
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               "Input %d has %d dimensions" % (i, t._data.ndim))
    if not tensors:
        return zeros(1, 0)
    dt = D.result_type(*tensors)
    blocks = [cast(t.reshape(1, -1) if t._data.ndim < 2 else t, dt) for t in tensors]
    width = builtins.sum(blk._data.shape[1] for blk in blocks)
    rows, left = [], 0
    for blk in blocks:
        r, c = blk._data.shape
        rows.append(M.cat([zeros(r, left, dtype=dt), blk, zeros(r, width - left - c, dtype=dt)],
                          1))
        left += c
    return M.cat(rows, 0)


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
    grids = M.meshgrid(*tensors, indexing="ij")
    return M.stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """All length-``r`` combinations of the elements of the 1-d ``input``, as rows (like
    ``itertools.combinations``, or ``combinations_with_replacement``)."""
    _check_vector(input)
    if r < 0:
        raise RuntimeError("Expect a non-negative number, but got %d" % r)
    if r == 0:
        return _make(np.empty((0,), dtype=input._data.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = np.array(list(pick(range(input._data.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return input.index_select(0, _make(index.reshape(-1))).reshape(index.shape)


# --- renorm --------------------------------------------------------------------------------------

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
    norm = L.vector_norm(input, p, others, True)
    # torch adds 1e-7 to the norm before dividing.
    factor = E.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return input * factor


def _num(x):
    return "%d" % x if x == builtins.int(x) else "%g" % x


# --- top-level aliases ---------------------------------------------------------------------------

def inverse(input, *, out=None):
    """The inverse of square matrices (``linalg.inv``)."""
    return L.inv(input, out=out)


def det(input):
    """The determinant of square matrices (``linalg.det``)."""
    return L.det(input)


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
        res = L.matmul(res, m)
    return E._out(res, out)


# --- samples and registration ------------------------------------------------------------------

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


def _dist_samples(dtype):
    yield SampleInput(T(3, 4), T(3, 4))
    yield SampleInput(T(3, 4), T(4), 1)
    yield SampleInput(T(5), T(5), 3.5)
    yield SampleInput(T(2, 3), T(2, 3), float("inf"))
    yield SampleInput(T(), T())


def _dist_errors():
    yield ErrorInput(SampleInput(T(3), T(4)), RuntimeError,
                     r"size of tensor a \(3\) must match the size of tensor b \(4\)")


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


def _linalg_cross_samples(dtype):
    yield SampleInput(T(4, 3), T(4, 3))
    yield SampleInput(T(4, 3), T(1, 3))
    yield SampleInput(T(3, 5), T(3, 5), dim=0)
    yield SampleInput(T(2, 4, 3, noncontig=True), T(2, 4, 3))


def _linalg_cross_errors():
    yield ErrorInput(SampleInput(T(3, 4), T(3, 4)), RuntimeError,
                     "dimension -1 must have length 3. Got 4 and 4")


def _trace_samples(dtype):
    yield SampleInput(T(3, 3))
    yield SampleInput(T(2, 4))
    yield SampleInput(T(5, 3, noncontig=True))
    yield SampleInput(T(0, 2))


def _trace_errors():
    yield ErrorInput(SampleInput(T(3)), RuntimeError, "expected a matrix, but got tensor with "
                     "dim 1")


def _block_diag_samples(dtype):
    yield SampleInput(T(2, 3), T(1, 2), T(2, 2))
    yield SampleInput(T(), T(3), T(2, 1))
    yield SampleInput(T(2, 2), T(2, 2, dtype="int32"), name="mixed dtypes")
    yield SampleInput(T(0, 2), T(1, 1), name="empty block")
    yield SampleInput(T(3, 2, noncontig=True))
    yield SampleInput()


def _block_diag_errors():
    yield ErrorInput(SampleInput(T(2, 2, 2)), RuntimeError, "Input 0 has 3 dimensions")


def _cartesian_prod_samples(dtype):
    yield SampleInput(T(2), T(3))
    yield SampleInput(T(2), T(1), T(3))
    yield SampleInput(T(4))
    yield SampleInput(T(0), T(2))


def _vector_errors():
    yield ErrorInput(SampleInput(T(2, 2)), RuntimeError, r"Expect a 1D vector, but got shape "
                     r"\[2, 2\]")


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


def _square_samples(dtype):
    # Diagonally dominant, so the matrices are far from singular.
    yield SampleInput(T(values=[[4.0, 1.0, -0.5], [0.3, 3.0, 0.8], [-1.0, 0.2, 5.0]]))
    yield SampleInput(T(values=[[[2.5, 0.4], [-0.6, 3.0]], [[-3.0, 1.0], [0.5, 2.0]]]))


def _square_errors(name):
    def errors():
        yield ErrorInput(SampleInput(T(2, 3)), RuntimeError, "%s: A must be batches of square "
                         "matrices" % name)

    return errors


def _chain_matmul_samples(dtype):
    yield SampleInput(T(2, 3), T(3, 4), T(4, 2))
    yield SampleInput(T(2, 3), T(3, 1))
    yield SampleInput(T(3, 3))


def _chain_matmul_errors():
    yield ErrorInput(SampleInput(T(2, 3), T(2, 3)), RuntimeError,
                     r"tensors 0 and 1 with shapes \[2, 3\] and \[2, 3\] cannot be multiplied")
    yield ErrorInput(SampleInput(), RuntimeError, "Expected one or more matrices")
    yield ErrorInput(SampleInput(T(3)), RuntimeError, "Tensor dimension is 1, expected 2")


register(OpInfo("cdist", cdist, _cdist_samples, _cdist_errors, atol=1e-4, rtol=1e-5))
register(OpInfo("dist", dist, _dist_samples, _dist_errors, method=True))
register(OpInfo("cross", cross, _cross_samples, _cross_errors, method=True, dtypes=INT_FLOAT))
register(OpInfo("linalg.cross", linalg_cross, _linalg_cross_samples, _linalg_cross_errors))
register(OpInfo("trace", trace, _trace_samples, _trace_errors, method=True, dtypes=INT_FLOAT))
register(OpInfo("block_diag", block_diag, _block_diag_samples, _block_diag_errors,
                dtypes=INT_FLOAT))
register(OpInfo("cartesian_prod", cartesian_prod, _cartesian_prod_samples, _vector_errors,
                dtypes=INT_FLOAT))
register(OpInfo("combinations", combinations, _combinations_samples, _combinations_errors,
                dtypes=INT_FLOAT))
register(OpInfo("renorm", renorm, _renorm_samples, _renorm_errors, method=True,
                inplace="renorm_"))
register(OpInfo("broadcast_tensors", S.broadcast_tensors, _broadcast_tensors_samples,
                _broadcast_tensors_errors, dtypes=INT_FLOAT))
register(OpInfo("broadcast_shapes", S.broadcast_shapes, _broadcast_shapes_samples,
                _broadcast_shapes_errors, dtypes=("float32",), grad=False))
register(OpInfo("inverse", inverse, _square_samples, _square_errors("linalg.inv"), method=True,
                atol=1e-4, rtol=1e-5))
register(OpInfo("det", det, _square_samples, _square_errors("linalg.det"), method=True,
                atol=1e-4, rtol=1e-5))
register(OpInfo("chain_matmul", chain_matmul, _chain_matmul_samples, _chain_matmul_errors,
                atol=1e-4, rtol=1e-5))
