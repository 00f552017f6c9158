"""torch's top-level spellings of linalg functions (and their Tensor methods): cholesky,
cholesky_inverse, cholesky_solve, qr(some), svd(some, compute_uv) returning V, lu(get_infos),
lu_solve(b, LU, pivots), triangular_solve, geqrf and ormqr — thin wrappers over ember.linalg."""
import warnings

from ember import return_types
from ember._backend import array_module, np
from ember._tensor import _make
from ember.autograd.function import Function
from ember.ops.creation import eye
from ember.ops.linalg import _square
from ember.ops.linalg_decompositions import (_canonical_svd, _lapack_dtype, _spd,
                                             cholesky as _linalg_cholesky, qr as _linalg_qr,
                                             solve_triangular, svd as _linalg_svd)
from ember.ops.linalg_functions import householder_product
from ember.ops.linalg_lu import lu_factor_ex, lu_solve as _linalg_lu_solve
from ember.ops.manipulation import cat
from ember.ops.registry import OpInfo, SampleInput, T, register

_WARNED = set()


def _warn_once(key, message):
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, UserWarning, stacklevel=3)


def cholesky(input, upper=False, *, out=None):
    """``torch.cholesky`` (deprecated in torch for :func:`ember.linalg.cholesky`)."""
    _warn_once("cholesky", "torch.cholesky is deprecated in favor of torch.linalg.cholesky and "
               "will be removed in a future PyTorch release.")
    _lapack_dtype(input, "cholesky", "cholesky_cpu", True)
    return _linalg_cholesky(input, upper=upper)


def _solve_with_factor(B, L, upper):
    """``A^-1 B`` for ``A = L L^H`` (``A = U^H U`` when ``upper``), by two triangular solves."""
    if upper:
        Y = solve_triangular(L.mT, B, upper=False)
        return solve_triangular(L, Y, upper=True)
    Y = solve_triangular(L, B, upper=False)
    return solve_triangular(L.mT, Y, upper=True)


class CholeskySolve(Function):
    @staticmethod
    def forward(ctx, B, L, upper):
        X = _solve_with_factor(B, L, upper)
        ctx.upper = upper
        ctx.save_for_backward(L, X)
        return X

    @staticmethod
    def backward(ctx, g):
        # torch's cholesky_solve_backward (the factor's gradient as a full matrix)
        L, X = ctx.saved_tensors
        gB = cholesky_solve(g, L, ctx.upper)
        common = gB.matmul(X.mT)
        return gB, _factor_gradient(L, common + common.mT, ctx.upper), None


def _factor_gradient(L, common, upper):
    """The gradient reaching the Cholesky factor from ``common`` (d loss / dA symmetrised)."""
    return -L.matmul(common) if upper else -common.matmul(L)


def cholesky_solve(input, input2, upper=False, *, out=None):
    """The solution ``X`` of ``A X = input`` given the Cholesky factor ``input2`` of ``A``."""
    return CholeskySolve.apply(input, input2, upper)


class CholeskyInverse(Function):
    @staticmethod
    def forward(ctx, L, upper):
        n = L.shape[-1]
        inverse = _solve_with_factor(eye(n, dtype=L.dtype).expand(tuple(L.shape)), L, upper)
        ctx.upper = upper
        ctx.save_for_backward(L, inverse)
        return inverse

    @staticmethod
    def backward(ctx, g):
        # torch's cholesky_inverse_backward
        L, inverse = ctx.saved_tensors
        return _factor_gradient(L, inverse.matmul((g + g.mT).matmul(inverse)), ctx.upper), None


def cholesky_inverse(input, upper=False, *, out=None):
    """The inverse of ``A`` from its Cholesky factor ``input``."""
    return CholeskyInverse.apply(input, upper)


def qr(input, some=True, *, out=None):
    """``torch.qr``: :func:`ember.linalg.qr` with ``some`` for the reduced form."""
    Q, R = _linalg_qr(input, "reduced" if some else "complete")
    return return_types.qr(Q, R)


def svd(input, some=True, compute_uv=True, *, out=None):
    """``torch.svd``: ``(U, S, V)`` (V, not V^H); zero-filled U and V without ``compute_uv``."""
    U, S, Vh = _linalg_svd(input, full_matrices=not some)
    if not compute_uv:
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        xp = array_module(input._data)
        zeros_u = xp.zeros(batch + (m, m), input._data.dtype)
        zeros_v = xp.zeros(batch + (n, n), input._data.dtype)
        return return_types.svd(_make(zeros_u), S.detach(), _make(zeros_v))
    return return_types.svd(U, S, Vh.mT)


def lu(A, pivot=True, get_infos=False, out=None):
    """``torch.lu``: ``(LU, pivots)`` (and ``infos`` with ``get_infos``)."""
    LU, piv, info = lu_factor_ex(A, pivot=pivot)
    return (LU, piv, info) if get_infos else (LU, piv)


def torch_lu_solve(b, LU_data, LU_pivots, *, out=None):
    """``torch.lu_solve(b, LU_data, LU_pivots)``."""
    return _linalg_lu_solve(LU_data, LU_pivots, b)


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """``(solution, cloned_coefficient)`` of ``op(A) X = b`` for triangular ``A``."""
    coefficient = A.mT if transpose else A
    X = solve_triangular(coefficient, b, upper=upper != transpose, unitriangular=unitriangular)
    batch = tuple(X.shape[:-2])
    return return_types.triangular_solve(X, A.expand(batch + tuple(A.shape[-2:])).clone())


def geqrf(input, *, out=None):
    """``(a, tau)``: LAPACK's Householder form of the QR factorisation (not differentiable)."""
    _lapack_dtype(input, "geqrf", "geqrf_cpu", True)
    a = input._data
    xp = array_module(a)
    if a.size == 0:
        k = min(a.shape[-2:])
        return return_types.geqrf(_make(a.copy()), _make(xp.zeros(a.shape[:-2] + (k,), a.dtype)))
    h, tau = xp.linalg.qr(a, mode="raw")
    return return_types.geqrf(_make(xp.swapaxes(h, -1, -2).copy()), _make(tau.copy()))


def ormqr(input, input2, input3, left=True, transpose=False, *, out=None):
    """``Q @ input3`` (or ``input3 @ Q``, Q transposed with ``transpose``) for the full ``Q``
    of the Householder form ``(input, input2)``."""
    m, k = input.shape[-2:]
    side = -2 if left else -1
    if input2.shape[-1] != min(input3.shape[side], k):
        raise RuntimeError("torch.ormqr: tau.shape[-1] must be equal to min(other.shape[%d], "
                           "input.shape[-1])" % side)
    if m > k:
        pad = input[..., :, :1].expand(tuple(input.shape[:-1]) + (m - k,)) * 0
        reflectors = cat([input, pad], -1)
    else:
        reflectors = input[..., :, :m]
    Q = householder_product(reflectors, input2)
    Q = Q.mT if transpose else Q
    return Q.matmul(input3) if left else input3.matmul(Q)


def _qr_samples(dtype):
    yield SampleInput(T(4, 3))
    yield SampleInput(T(3, 3), False)
    yield SampleInput(T(2, 3, 2))


def _svd_samples(dtype):
    yield SampleInput(T(4, 3))
    yield SampleInput(T(2, 3, 4))
    yield SampleInput(T(3, 3), some=False)
    yield SampleInput(T(3, 2, grad=False), compute_uv=False)


def _svd_ref(torch, A, some=True, compute_uv=True):
    U, S, V = torch.svd(A, some=some, compute_uv=compute_uv)
    if not compute_uv:
        return U, S, V
    U, S, Vh = _canonical_svd(U, S, V.mT, torch)
    return U, S, Vh.mT


def _cholesky_samples(dtype):
    yield SampleInput(T(values=_spd(3)))
    yield SampleInput(T(values=_spd(3, (2,))), True)


def _factor(values, upper=False):
    L = np.linalg.cholesky(values)  # sample values (host data)
    return T(values=(np.swapaxes(L, -1, -2) if upper else L).tolist())


def _cholesky_solve_samples(dtype):
    yield SampleInput(T(3, 2), _factor(_spd(3)))
    yield SampleInput(T(2, 3, 1), _factor(_spd(3, (2,)), True), True, name="edge: upper")


def _cholesky_inverse_samples(dtype):
    yield SampleInput(_factor(_spd(3)))
    yield SampleInput(_factor(_spd(3, (2,)), True), True, name="edge: upper")


def _lu_samples(dtype):
    yield SampleInput(T(values=_square(3)))
    yield SampleInput(T(values=_square(3, (2,))), get_infos=True)


def _lu_solve_samples(dtype):
    from ember.ops.linalg_lu import _factored

    yield SampleInput(T(3, 2), *_factored(_square(3)))
    yield SampleInput(T(2, 3, 1), *_factored(_square(3, (2,))))


def _triangular_solve_samples(dtype):
    from ember.ops.linalg_decompositions import _tri

    yield SampleInput(T(3, 2), T(values=_tri(3, True)))
    yield SampleInput(T(3, 2), T(values=_tri(3, False)), upper=False)
    yield SampleInput(T(2, 3, 2), T(values=_tri(3, True)), transpose=True)
    yield SampleInput(T(3, 1), T(values=_tri(3, False)), False, False, True)


def _geqrf_samples(dtype):
    yield SampleInput(T(4, 3, grad=False))
    yield SampleInput(T(2, 3, 3, grad=False))
    yield SampleInput(T(3, 5, grad=False))


def _ormqr_samples(dtype):
    yield SampleInput(T(4, 3), T(3), T(4, 2))
    yield SampleInput(T(3, 3), T(3), T(2, 3), left=False)
    yield SampleInput(T(4, 2), T(2), T(4, 3), transpose=True)


_TOL = dict(atol=1e-4, rtol=1e-4)
register(OpInfo("cholesky", cholesky, _cholesky_samples, method=True, **_TOL,
                gradcheck_wrapper=lambda A, *rest: (A + A.mT,) + rest))
# the factor's gradient is torch's full-matrix one; gradcheck sees a lower-triangular factor
register(OpInfo("cholesky_solve", cholesky_solve, _cholesky_solve_samples, method=True, **_TOL,
                gradcheck_wrapper=lambda B, L: (B, L.tril())))
register(OpInfo("cholesky_inverse", cholesky_inverse, _cholesky_inverse_samples, method=True,
                **_TOL, gradcheck_wrapper=lambda L: (L.tril(),)))
register(OpInfo("qr", qr, _qr_samples, method=True, **_TOL))
register(OpInfo("svd", svd, _svd_samples, method=True, ref=_svd_ref, **_TOL))
register(OpInfo("lu", lu, _lu_samples, method=True, **_TOL))
register(OpInfo("lu_solve", torch_lu_solve, _lu_solve_samples, method=True, **_TOL))
register(OpInfo("triangular_solve", triangular_solve, _triangular_solve_samples, method=True,
                **_TOL))
register(OpInfo("geqrf", geqrf, _geqrf_samples, method=True, grad=False, **_TOL))
register(OpInfo("ormqr", ormqr, _ormqr_samples, method=True, **_TOL))
