"""Matrix functions and solvers of ``torch.linalg`` built on the decompositions: slogdet,
matrix_power, matrix_exp, multi_dot, pinv, matrix_rank, lstsq, cond, vander, vecdot, diagonal,
inv_ex, solve_ex, tensorinv, tensorsolve, householder_product.

Most are compositions of ember ops (so their gradients and second derivatives follow); slogdet
and matrix_exp have kernels and backward formulas of their own.
"""
import builtins
import math

from ember import return_types
from ember._backend import array_module, np
from ember._tensor import Tensor, _make
from ember._tensor_str import dtype_word
from ember.autograd.function import Function
from ember.ops.blas import matmul
from ember.ops.creation import eye
from ember.ops.indexing import where
from ember.ops.linalg import (_check_square, _require_float_matrix, _square, inv, matrix_norm,
                              solve)
from ember.ops.linalg_decompositions import _lapack_dtype, eigh, svd, svdvals
from ember.ops.linalg_lu import _getrf
from ember.ops.manipulation import cat
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register
from ember.ops.slicing import diagonal as _diagonal


# --- determinants -------------------------------------------------------------------------

class Slogdet(Function):
    @staticmethod
    def forward(ctx, A):
        sign, logabs = np.linalg.slogdet(A._data)
        ctx.save_for_backward(A)
        xp = array_module(A._data)
        return _make(xp.asarray(sign, A._data.dtype)), _make(xp.asarray(logabs, A._data.dtype))

    @staticmethod
    def backward(ctx, gsign, glogabs):
        (A,) = ctx.saved_tensors
        # d log|det A| / dA = A^-T
        return glogabs.unsqueeze(-1).unsqueeze(-1) * inv(A).mT


def slogdet(A, *, out=None):
    """``(sign, logabsdet)``: the sign and the log of the absolute value of the determinant."""
    _lapack_dtype(A, "linalg.slogdet", None, half="linalg.slogdet: Low precision dtypes not "
                  "supported. Got %s")
    _check_square(A, "linalg.slogdet")
    return return_types.linalg_slogdet(*Slogdet.apply(A))


def logdet(input):
    """``log(det(input))``: NaN for a negative determinant, -inf for a zero one."""
    _lapack_dtype(input, "logdet", None, half="logdet: Low precision dtypes not supported. "
                  "Got %s")
    _check_square(input, "linalg.slogdet")
    sign, logabs = Slogdet.apply(input)
    return where(sign < 0, math.nan, logabs)


def _det_samples(dtype):
    yield SampleInput(T(values=_square(3)))
    yield SampleInput(T(values=_square(2, (2,))))
    # logdet is NaN there: no finite differences
    yield SampleInput(T(values=[[0.5, 2.0], [1.5, 0.3]]), name="edge: negative determinant")


register(OpInfo("linalg.slogdet", slogdet, _det_samples, atol=1e-4, rtol=1e-4))
register(OpInfo("slogdet", slogdet, _det_samples, method=True, atol=1e-4, rtol=1e-4))
register(OpInfo("logdet", logdet, _det_samples, method=True, atol=1e-4, rtol=1e-4))


# --- matrix power and exponential ---------------------------------------------------------

def matrix_power(A, n, *, out=None):
    """``A`` multiplied by itself ``n`` times (``n < 0``: the inverse's power; ``n = 0``: the
    identity)."""
    name = "linalg.matrix_power"
    if A._data.dtype == np.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    if A._data.ndim < 2:
        raise RuntimeError("%s: The input tensor A must have at least 2 dimensions." % name)
    if A._data.shape[-1] != A._data.shape[-2]:
        raise RuntimeError("%s: A must be batches of square matrices, but they are %d by %d "
                           "matrices" % ((name,) + A._data.shape[-2:]))
    if n == 0:
        m = A._data.shape[-1]
        ident = array_module(A._data).eye(m, dtype=A._data.dtype)
        return _make(np.broadcast_to(ident, A._data.shape).copy())
    if n < 0:
        A, n = inv(A), -n
    result = None
    power = A
    while n:
        if n & 1:
            result = power if result is None else matmul(result, power)
        n >>= 1
        if n:
            power = matmul(power, power)
    return result


def _matrix_power_samples(dtype):
    yield SampleInput(T(3, 3, low=-1.0, high=1.0), 3)
    yield SampleInput(T(2, 3, 3, low=-1.0, high=1.0), 2)
    yield SampleInput(T(values=_square(3)), -2)
    yield SampleInput(T(3, 3, grad=False), 0)
    yield SampleInput(T(3, 3), 1)


def _matrix_power_errors():
    yield ErrorInput(SampleInput(T(2, 3), 2), RuntimeError, "square matrices")


register(OpInfo("linalg.matrix_power", matrix_power, _matrix_power_samples,
                _matrix_power_errors, dtypes=("float32", "float64", "int64"), atol=1e-4,
                rtol=1e-4))
register(OpInfo("matrix_power", matrix_power, _matrix_power_samples, _matrix_power_errors,
                method=True, atol=1e-4, rtol=1e-4))

# 1 / k! for the Taylor series of exp, degree 18: on ||A|| <= 1/2 its remainder is below 1e-23.
_EXP_TAYLOR = [1 / math.factorial(k) for k in range(19)]


def _expm(a):
    """exp of the matrices in ``a`` (float64 inside): scaling by 2^-s so the 1-norm is at most
    1/2, the degree-18 Taylor polynomial (Horner), and s squarings."""
    xp = array_module(a)
    x = xp.asarray(a, np.float64)
    n = x.shape[-1]
    if x.size == 0:
        return xp.array(a, copy=True)
    flat = x.reshape((-1, n, n))
    norm = np.abs(flat).sum(-2).max(-1) if n else xp.zeros(flat.shape[0])
    with np.errstate(divide="ignore"):
        s = np.where(norm > 0.5, np.ceil(np.log2(np.where(norm > 0.5, norm, 1.0) / 0.5)), 0)
    s = np.where(np.isfinite(s), s, 0).astype(np.int64)
    scaled = flat / (2.0 ** s)[:, None, None]
    ident = xp.eye(n)
    res = np.broadcast_to(ident * _EXP_TAYLOR[-1], flat.shape).copy()
    for c in _EXP_TAYLOR[-2::-1]:
        res = scaled @ res + ident * c
    for step in range(int(s.max()) if s.size else 0):
        square = res @ res
        res = np.where((s > step)[:, None, None], square, res)
    return res.reshape(x.shape).astype(a.dtype)


class MatrixExp(Function):
    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        return _make(_expm(A._data))

    @staticmethod
    def backward(ctx, g):
        (A,) = ctx.saved_tensors
        # torch's formula: the upper-right block of exp([[A^H, G], [0, A^H]])
        n = A.shape[-1]
        top = cat([A.mT, g], -1)
        bottom = cat([g * 0, A.mT], -1)
        return matrix_exp(cat([top, bottom], -2))[..., :n, n:]


def matrix_exp(A):
    """The matrix exponential ``sum_k A^k / k!`` of square matrices."""
    if A._data.dtype != np.float16 and A.dtype.name != "bfloat16":  # computed by products
        _lapack_dtype(A, "linalg.matrix_exp", None)
    _check_square(A, "linalg.matrix_exp")
    return MatrixExp.apply(A)


def _matrix_exp_samples(dtype):
    yield SampleInput(T(3, 3))
    yield SampleInput(T(2, 2, 2, low=-0.3, high=0.3))
    yield SampleInput(T(values=[[3.0, -1.0], [2.0, 4.5]]), name="needs squaring")
    yield SampleInput(T(0, 0))


def _matrix_exp_errors():
    yield ErrorInput(SampleInput(T(2, 3)), RuntimeError, "square matrices")


register(OpInfo("linalg.matrix_exp", matrix_exp, _matrix_exp_samples, _matrix_exp_errors,
                atol=1e-4, rtol=1e-4))
register(OpInfo("matrix_exp", matrix_exp, _matrix_exp_samples, method=True, atol=1e-4,
                rtol=1e-4))


# --- products -----------------------------------------------------------------------------

def multi_dot(tensors, *, out=None):
    """The product of the matrices in ``tensors`` (the first may be a row vector, the last a
    column vector)."""
    n = len(tensors)
    if n < 2:
        raise RuntimeError("multi_dot(): expected at least 2 tensors but got %d" % n)
    if tensors[0]._data.dtype == np.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    for i, t in enumerate(tensors):
        nd = t._data.ndim
        if (i in (0, n - 1) and nd not in (1, 2)) or (0 < i < n - 1 and nd != 2):
            raise RuntimeError("multi_dot(): tensor %d must be %s but got %dD" % (
                i, "1D or 2D" if i in (0, n - 1) else "2D", nd))
    first, last = tensors[0], tensors[-1]
    row, col = first._data.ndim == 1, last._data.ndim == 1
    mats = list(tensors)
    if row:
        mats[0] = first.unsqueeze(0)
    if col:
        mats[-1] = last.unsqueeze(-1)
    result = mats[0]
    for m in mats[1:]:
        if result._data.shape[-1] != m._data.shape[0]:
            raise RuntimeError("multi_dot(): tensors %d and %d with shapes %s and %s cannot be "
                               "multiplied" % (0, 1, tuple(result.shape), tuple(m.shape)))
        result = matmul(result, m)
    if row:
        result = result.squeeze(0)
    if col:
        result = result.squeeze(-1)
    return result


def _multi_dot_samples(dtype):
    yield SampleInput([T(2, 3), T(3, 4), T(4, 2)])
    yield SampleInput([T(3), T(3, 4), T(4)])
    yield SampleInput([T(3), T(3, 2)])
    yield SampleInput([T(2, 3, noncontig=True), T(3)])


def _multi_dot_errors():
    yield ErrorInput(SampleInput([T(3, 3)]), RuntimeError, "expected at least 2 tensors")
    yield ErrorInput(SampleInput([T(3, 3), T(2, 3, 3), T(3)]), RuntimeError, "must be 2D")


register(OpInfo("linalg.multi_dot", multi_dot, _multi_dot_samples, _multi_dot_errors,
                dtypes=("float32", "float64", "int64"), atol=1e-4, rtol=1e-4))


def vecdot(x, y, *, dim=-1, out=None):
    """The dot product of vectors along ``dim`` (inputs broadcast)."""
    if not x.is_floating_point():
        _lapack_dtype(x, "linalg.vecdot", None)
    return (x * y).sum(dim)


def _vecdot_samples(dtype):
    yield SampleInput(T(3, 4), T(3, 4))
    yield SampleInput(T(2, 3, 4), T(4), dim=-1)
    yield SampleInput(T(3, 4), T(3, 1), dim=0)


register(OpInfo("linalg.vecdot", vecdot, _vecdot_samples, dtypes=("float32", "float64")))


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonal of the matrices in ``dim1`` and ``dim2`` (the last two by default)."""
    return _diagonal(A, offset, dim1, dim2)


def _diagonal_samples(dtype):
    yield SampleInput(T(3, 4))
    yield SampleInput(T(2, 3, 4), offset=1)
    yield SampleInput(T(2, 3, 4), offset=-1, dim1=0, dim2=2)


register(OpInfo("linalg.diagonal", diagonal, _diagonal_samples,
                dtypes=("float32", "float64", "int64")))


def vander(x, *, N=None):
    """The Vandermonde matrix of the last dim of ``x``: columns ``x^0, x^1, ..., x^(N-1)``."""
    if x._data.dtype in (np.float16, np.bool_):
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, "
                           "but got %s" % dtype_word(x._data.dtype))
    if x._data.ndim < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension.")
    n = x._data.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    return _powers(x, n)


def _powers(x, n):
    if x._data.dtype.kind in "biu" and x._data.dtype != np.int64:
        x = x.to(_int64())
    ones = _make(array_module(x._data).ones(x._data.shape + (1,), x._data.dtype))
    if n <= 1:
        return ones[..., :n]
    powers = x.unsqueeze(-1).expand(tuple(x.shape) + (n - 1,)).cumprod(-1)
    return cat([ones, powers], -1)


def _int64():
    from ember import int64

    return int64


def _vander_samples(dtype):
    yield SampleInput(T(4))
    yield SampleInput(T(2, 3), N=4)
    yield SampleInput(T(values=[0.0, 1.5, -2.0]), N=3, name="zero")


def _vander_errors():
    yield ErrorInput(SampleInput(T(3), N=1), RuntimeError, "N must be greater than 1.")


register(OpInfo("linalg.vander", vander, _vander_samples, _vander_errors,
                dtypes=("float32", "float64", "int64", "int32")))


def torch_vander(x, N=None, increasing=False):
    """``torch.vander``: powers of the 1-d ``x`` as columns, decreasing unless ``increasing``."""
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    if N is not None and N < 0:
        raise RuntimeError("N must be non-negative.")
    res = _powers(x, x._data.shape[0] if N is None else N)
    return res if increasing else res.flip((-1,))


def _torch_vander_samples(dtype):
    yield SampleInput(T(4))
    yield SampleInput(T(3), 4, True)
    yield SampleInput(T(values=[0.0, 1.5, -2.0]), N=2)
    yield SampleInput(T(3), N=1)
    yield SampleInput(T(3), N=0)


# torch.vander's backward raises in torch 2.13 (an in-place cumprod): compared without gradients.
register(OpInfo("vander", torch_vander, _torch_vander_samples,
                dtypes=("float32", "float64", "int64"), grad=False))


# --- pseudo-inverse, rank, least squares, condition number --------------------------------

def _float_or_double(A):
    if A._data.dtype not in (np.float32, np.float64):
        raise RuntimeError("This function doesn't handle types other than float and double")


def _tolerance(S, m, n, atol, rtol):
    """max(atol, rtol * largest singular value), with torch's defaults."""
    eps = np.finfo(S._data.dtype).eps
    if rtol is None:
        rtol = eps * builtins.max(m, n) if atol is None or _positive(atol) is False else 0.0
    atol = 0.0 if atol is None else atol
    smax = S.amax(-1, keepdim=True) if S.shape[-1] else S.sum(-1, keepdim=True)
    return (smax * rtol).maximum(_as_tensor(atol, S)) if isinstance(atol, Tensor) else \
        (smax * rtol).clamp(min=atol)


def _positive(atol):
    if isinstance(atol, Tensor):
        return None
    return atol > 0


def _as_tensor(x, like):
    return x.to(like.dtype).unsqueeze(-1) if x._data.ndim else x.to(like.dtype)


class Pinv(Function):
    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        import ember

        m, n = A._data.shape[-2:]
        with ember.no_grad():
            if hermitian:
                L, V = eigh(A)
                S = L.abs()
                tol = _tolerance(S, m, n, atol, rtol)
                inv_l = where(S > tol, 1 / where(S > tol, L, 1.0), 0.0)
                res = matmul(V * inv_l.unsqueeze(-2), V.mT)
            else:
                U, S, Vh = svd(A, full_matrices=False)
                tol = _tolerance(S, m, n, atol, rtol)
                inv_s = where(S > tol, 1 / where(S > tol, S, 1.0), 0.0)
                res = matmul(Vh.mT * inv_s.unsqueeze(-2), U.mT)
        ctx.save_for_backward(A, res)
        return res

    @staticmethod
    def backward(ctx, g):
        A, P = ctx.saved_tensors
        return _pinv_backward(g, P, A), None, None, None


def _pinv_backward(g, P, A):
    """torch's pinv_backward (the derivative of the pseudo-inverse of constant rank), arranged
    so the products stay small."""
    m, n = A.shape[-2:]
    Ph, gh = P.mT, g.mT
    if m <= n:
        K = gh.matmul(P)
        KPh = K.matmul(Ph)
        return (-(P.matmul(K)).mT + KPh - A.matmul(P).matmul(KPh)
                + Ph.matmul(P).matmul(gh - K.matmul(A)))
    K = P.matmul(gh)
    PhK = Ph.matmul(K)
    return (-(K.matmul(P)).mT + (gh - A.matmul(K)).matmul(P).matmul(Ph) + PhK
            - PhK.matmul(P).matmul(A))


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """The Moore-Penrose pseudo-inverse: singular values at or below
    ``max(atol, rtol * largest)`` count as zero (``hermitian``: eigenvalues of a symmetric
    ``A``, only its lower triangle read)."""
    if A._data.dtype not in (np.float32, np.float64):
        raise RuntimeError("linalg.pinv(%s{[%s]}): expected a tensor with 2 or more dimensions "
                           "of float, double, cfloat or cdouble types" % (
                               dtype_word(A._data.dtype), ", ".join(map(str, A.shape))))
    _require_float_matrix(A, "linalg.pinv")
    if rcond is not None:
        rtol = rcond
    m, n = A._data.shape[-2:]
    if A._data.size == 0:
        return A.mT * 0
    return Pinv.apply(A, atol, rtol, hermitian)


def pinverse(input, rcond=1e-15):
    """``torch.pinverse``: :func:`pinv` with relative tolerance ``rcond``."""
    return pinv(input, rtol=rcond)


def _pinv_samples(dtype):
    yield SampleInput(T(4, 3))
    yield SampleInput(T(2, 2, 3))
    yield SampleInput(T(values=[[1.0, 2.0], [2.0, 4.0], [0.5, 1.0]], grad=False),
                      name="rank one")
    # torch's gradient is that of the full matrix; the function reads one triangle ("edge:")
    yield SampleInput(T(values=[[2.0, 0.5, 0.1], [0.5, 3.0, 0.2], [0.1, 0.2, -1.0]]),
                      hermitian=True, name="edge: hermitian")
    yield SampleInput(T(4, 3), atol=0.5, rtol=0.1)
    yield SampleInput(T(0, 3))


register(OpInfo("linalg.pinv", pinv, _pinv_samples, atol=1e-4, rtol=1e-4))


def _pinverse_samples(dtype):
    yield SampleInput(T(4, 3))
    yield SampleInput(T(2, 3, 2))
    yield SampleInput(T(3, 3), 0.1)


register(OpInfo("pinverse", pinverse, _pinverse_samples, method=True, atol=1e-4, rtol=1e-4))


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """The number of singular values above ``max(atol, rtol * largest)`` (int64)."""
    _float_or_double(A)
    _require_float_matrix(A, "linalg.matrix_rank")
    if tol is not None:
        atol = tol
    m, n = A._data.shape[-2:]
    if hermitian:
        S = eigh(A)[0].abs().detach()
    else:
        S = svdvals(A).detach()
    tol = _tolerance(S, m, n, atol, rtol)
    return (S > tol).sum(-1)


def _matrix_rank_samples(dtype):
    yield SampleInput(T(4, 3))
    yield SampleInput(T(values=[[1.0, 2.0], [2.0, 4.0], [0.5, 1.0]]), name="rank one")
    yield SampleInput(T(2, 3, 3), atol=1.0)
    yield SampleInput(T(3, 3), rtol=0.5)
    yield SampleInput(T(values=[[2.0, 1.0], [1.0, 2.0]]), hermitian=True)


register(OpInfo("linalg.matrix_rank", matrix_rank, _matrix_rank_samples, grad=False))


def lstsq(A, B, rcond=None, *, driver=None):
    """``(solution, residuals, rank, singular_values)`` of ``min ||A X - B||``: as torch's CPU
    default driver 'gelsy', residuals and singular values come back empty (they are filled
    for 'gelsd'/'gelss': residuals when ``A`` is tall and of full rank)."""
    name = "torch.linalg.lstsq"
    if driver not in (None, "gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("%s: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
                           % name)
    _float_or_double(A)
    _require_float_matrix(A, "linalg.lstsq")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError("%s: Expected input and other to have the same dtype, but got "
                           "input's dtype %s and other's dtype %s" % (
                               name, dtype_word(A._data.dtype), dtype_word(B._data.dtype)))
    vector = B._data.ndim == A._data.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    m, n = A._data.shape[-2:]
    if Bm._data.shape[-2] != m:
        raise RuntimeError("%s: input.size(-2) should match other.size(-2)" % name)
    driver = driver or "gelsy"
    U, S, Vh = svd(A, full_matrices=False)
    tol = _tolerance(S, m, n, None, rcond if rcond is not None and rcond > 0 else None)
    inv_s = where(S > tol, 1 / where(S > tol, S, 1.0), 0.0)
    X = matmul(Vh.mT * inv_s.unsqueeze(-2), matmul(U.mT, Bm))
    rank = (S.detach() > tol.detach()).sum(-1)
    if Bm._data.shape[-1] == 0:
        if driver in ("gelsd", "gelss"):
            # torch 2.13 fails there (LAPACK rejects the empty right-hand side)
            raise RuntimeError("torch.linalg.lstsq: Argument 4 has illegal value for driver "
                               "'%s' with an empty B" % driver)
        rank = rank * 0  # torch skips the factorisation then
    empty = _make(array_module(A._data).zeros((0,), A._data.dtype))
    residuals = X.reshape(-1)[:0]  # empty, but in the graph (as torch's)
    if driver in ("gelsd", "gelss", "gels") and m > n and bool((rank._data == n).all()):
        residuals = ((matmul(A, X) - Bm) ** 2).sum(-2)
    if driver == "gels":
        rank = _make(array_module(A._data).zeros((0,), np.int64))
    sv = S.detach() if driver in ("gelsd", "gelss") else empty
    return return_types.linalg_lstsq(X.squeeze(-1) if vector else X, residuals, rank, sv)


def _lstsq_samples(dtype):
    yield SampleInput(T(5, 3), T(5, 2))
    yield SampleInput(T(2, 4, 3), T(2, 4, 1))
    # singular_values come back without gradient (as torch's), which finite differences see
    yield SampleInput(T(5, 3), T(5, 2), driver="gelsd", name="edge: gelsd")
    yield SampleInput(T(4, 3), T(4, 2), driver="gelss", name="edge: gelss")
    yield SampleInput(T(4, 3), T(4), driver="gelsd", name="edge: vector")


def _lstsq_errors():
    yield ErrorInput(SampleInput(T(5, 3), T(4, 2)), RuntimeError, "should match")
    yield ErrorInput(SampleInput(T(5, 3), T(5, 2), driver="qr"), RuntimeError, "driver")


register(OpInfo("linalg.lstsq", lstsq, _lstsq_samples, _lstsq_errors, atol=1e-4, rtol=1e-4))


def cond(A, p=None, *, out=None):
    """The condition number in the norm ``p`` (None or 2: the ratio of the extreme singular
    values; -2 its inverse; 'fro', 'nuc', inf, -inf, 1, -1: ``norm(A) * norm(A^-1)``)."""
    _lapack_dtype(A, "linalg.svd", "linalg_svd_cpu")
    _require_float_matrix(A, "linalg.cond")
    if A._data.size == 0 and (p is None or p in (2, -2) or A.shape[-1] == A.shape[-2]):
        return _make(array_module(A._data).zeros(A._data.shape[:-2], A._data.dtype))
    if p is None or p in (2, -2):
        S = svdvals(A)
        return S[..., 0] / S[..., -1] if p != -2 else S[..., -1] / S[..., 0]
    _check_square(A, "linalg.cond(ord=%s)" % p)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def _cond_samples(dtype):
    yield SampleInput(T(3, 3))
    yield SampleInput(T(4, 3), -2)
    # torch 2.13's backward fails for these norms (inv_ex's output modified in place): compared
    # without gradients
    yield SampleInput(T(values=_square(3), grad=False), "fro")
    yield SampleInput(T(values=_square(3, (2,)), grad=False), 1)
    yield SampleInput(T(values=_square(3), grad=False), float("inf"))
    yield SampleInput(T(values=_square(3), grad=False), "nuc")


def _cond_errors():
    yield ErrorInput(SampleInput(T(3, 4), "fro"), RuntimeError,
                     r"linalg.cond\(ord=fro\): A must be batches of square")


register(OpInfo("linalg.cond", cond, _cond_samples, _cond_errors, atol=1e-4, rtol=1e-4))


# --- inverse and solve with info ----------------------------------------------------------

def _lu_info(A):
    if A._data.size:
        return _make(_getrf(A._data)[2])
    return _make(array_module(A._data).zeros(A._data.shape[:-2], np.int32))


def inv_ex(A, *, check_errors=False, out=None):
    """``(inverse, info)``: ``info`` > 0 for singular matrices (then the inverse is not
    meaningful) instead of an error, unless ``check_errors``."""
    _lapack_dtype(A, "linalg.inv", None, half="linalg.inv: Low precision dtypes not supported. "
                  "Got %s")
    _check_square(A, "linalg.inv_ex")
    info = _lu_info(A)
    if bool((info._data > 0).any()):
        if check_errors:
            inv(A)
        return return_types.linalg_inv_ex(
            _make(array_module(A._data).full(A._data.shape, np.nan, A._data.dtype)), info)
    return return_types.linalg_inv_ex(inv(A), info)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """``(result, info)``: :func:`solve` reporting singular matrices in ``info``."""
    _lapack_dtype(A, "linalg.solve", "lu_cpu")
    _check_square(A, "linalg.solve_ex")
    info = _lu_info(A)
    if bool((info._data > 0).any()):
        if check_errors:
            solve(A, B, left=left)
        res = solve(A + eye(A.shape[-1], dtype=A.dtype), B, left=left)
        return return_types.linalg_solve_ex(res * math.nan, info)
    return return_types.linalg_solve_ex(solve(A, B, left=left), info)


def _inv_ex_samples(dtype):
    yield SampleInput(T(values=_square(3)))
    yield SampleInput(T(values=_square(2, (2,))))


def _solve_ex_samples(dtype):
    yield SampleInput(T(values=_square(3)), T(3, 2))
    yield SampleInput(T(values=_square(3, (2,))), T(3))
    yield SampleInput(T(values=_square(3)), T(2, 3), left=False)


register(OpInfo("linalg.inv_ex", inv_ex, _inv_ex_samples, atol=1e-4, rtol=1e-4))
register(OpInfo("linalg.solve_ex", solve_ex, _solve_ex_samples, atol=1e-4, rtol=1e-4))


# --- tensor inverse and solve -------------------------------------------------------------

def tensorinv(A, ind=2, *, out=None):
    """The inverse of ``A`` seen as a linear map from its last dims to its first ``ind``."""
    if ind <= 0:
        raise RuntimeError("Expected a strictly positive integer for 'ind', but got %d" % ind)
    shape = tuple(A._data.shape)
    rows, cols = math.prod(shape[:ind]), math.prod(shape[ind:])
    if rows != cols:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           "prod(self.shape[:ind]), but got %d != %d" % (cols, rows))
    return inv(A.reshape(rows, cols)).reshape(shape[ind:] + shape[:ind])


def _tensorinv_samples(dtype):
    yield SampleInput(T(values=np.reshape(_square(6), (6, 2, 3)).tolist()), ind=1)
    yield SampleInput(T(values=np.reshape(_square(4), (2, 2, 2, 2)).tolist()))


def _tensorinv_errors():
    yield ErrorInput(SampleInput(T(2, 3, 4), ind=1), RuntimeError, "prod")
    yield ErrorInput(SampleInput(T(2, 2), ind=0), RuntimeError, "strictly positive")


register(OpInfo("linalg.tensorinv", tensorinv, _tensorinv_samples, _tensorinv_errors,
                atol=1e-4, rtol=1e-4))


def tensorsolve(A, B, dims=None, *, out=None):
    """The ``X`` with ``tensordot(A, X, X.ndim) = B``."""
    if dims is not None:
        nd = A._data.ndim
        dims = [d % nd for d in dims]
        A = A.permute(*([d for d in range(nd) if d not in dims] + dims))
    rest = tuple(A._data.shape[B._data.ndim:])
    rows = B._data.size
    cols = math.prod(rest)
    if rows != cols:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:"
                           "]) == prod(self.shape[:other.ndim]), but got %d != %d"
                           % (cols, rows))
    return solve(A.reshape(rows, cols), B.reshape(rows)).reshape(rest)


def _tensorsolve_samples(dtype):
    yield SampleInput(T(values=np.reshape(_square(6), (2, 3, 6)).tolist()), T(2, 3))
    yield SampleInput(T(values=np.reshape(_square(6), (6, 2, 3)).tolist()), T(6), dims=(0,))


register(OpInfo("linalg.tensorsolve", tensorsolve, _tensorsolve_samples, atol=1e-4, rtol=1e-4))


# --- Householder products -----------------------------------------------------------------

def householder_product(A, tau, *, out=None):
    """The first ``n`` columns of ``H_1 ... H_k``, ``H_i = I - tau_i v_i v_i^H`` with ``v_i``
    column ``i`` of ``A`` below the diagonal and 1 on it (LAPACK's orgqr)."""
    name = "torch.linalg.householder_product"
    _lapack_dtype(A, name, "orgqr_cpu", True)
    if A._data.ndim < 2:
        raise RuntimeError("%s: input must have at least 2 dimensions." % name)
    m, n = A._data.shape[-2:]
    k = tau._data.shape[-1] if tau._data.ndim else 0
    if m < n:
        raise RuntimeError("%s: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]" % name)
    if k > n:
        raise RuntimeError("%s: input.shape[-1] must be greater than or equal to tau.shape[-1]"
                           % name)
    if A._data.dtype != tau._data.dtype:
        raise RuntimeError("%s: tau dtype %s does not match input dtype %s" % (
            name, dtype_word(tau._data.dtype), dtype_word(A._data.dtype)))
    V = A.tril(-1) + eye(m, n, dtype=A.dtype)
    Q = _make(np.broadcast_to(array_module(A._data).eye(m, n, dtype=A._data.dtype),
                              np.broadcast_shapes(A._data.shape[:-2], tau._data.shape[:-1])
                              + (m, n)).copy())
    if k == 0:
        return Q + A.sum() * 0  # in the graph, as torch's
    for i in range(k - 1, -1, -1):
        v = V[..., :, i:i + 1]
        Q = Q - tau[..., i:i + 1].unsqueeze(-1) * matmul(v, matmul(v.mT, Q))
    return Q


def _householder_samples(dtype):
    yield SampleInput(T(4, 3), T(3))
    yield SampleInput(T(2, 4, 2), T(2, 1))
    yield SampleInput(T(3, 3), T(2))


def _householder_errors():
    yield ErrorInput(SampleInput(T(2, 3), T(2)), RuntimeError, "greater than or equal")


register(OpInfo("linalg.householder_product", householder_product, _householder_samples,
                _householder_errors, atol=1e-4, rtol=1e-4))
register(OpInfo("orgqr", householder_product, _householder_samples, method=True, atol=1e-4,
                rtol=1e-4))
