"""LU and LDL factorisations of ``torch.linalg``: lu_factor(_ex), lu, lu_solve, ldl_factor(_ex),
ldl_solve, and torch's ``lu_unpack``.

The factorisations are written here on NumPy (NumPy has no LU): partial pivoting picks the
first entry of largest magnitude in each column, as LAPACK's getrf does, so pivots agree with
torch's; LDL uses Bunch-Kaufman pivoting as LAPACK's sytf2 on the lower triangle.
"""
from ember import return_types
from ember._backend import array_module, np
from ember._tensor import _make
from ember.autograd.function import Function
from ember.ops.creation import eye
from ember.ops.linalg import _require_float_matrix, _square
from ember.ops.linalg_decompositions import _lapack_dtype, solve_triangular
from ember.ops.registry import ErrorInput, OpInfo, SampleInput, T, register


def _getrf(a):
    """(LU, pivots (1-based, int32), info) of ``a`` (..., m, n) with partial pivoting."""
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    k = min(m, n)
    xp = array_module(a)
    if not a.size:
        piv = np.broadcast_to(xp.arange(1, k + 1, dtype=np.int32), batch + (k,)).copy()
        return xp.array(a), piv, xp.zeros(batch, np.int32)
    lu = xp.array(a, dtype=a.dtype).reshape((-1, m, n))
    piv = xp.zeros((lu.shape[0], k), np.int32)
    info = xp.zeros(lu.shape[0], np.int32)
    rows = xp.arange(lu.shape[0])
    for j in range(k):
        p = np.argmax(np.abs(lu[:, j:, j]), axis=1) + j
        piv[:, j] = p + 1
        top = lu[rows, j].copy()
        lu[rows, j] = lu[rows, p]
        lu[rows, p] = top
        pivot = lu[:, j, j]
        zero = pivot == 0
        info = np.where(zero & (info == 0), j + 1, info)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(zero[:, None], 1.0, 1.0 / np.where(zero, 1.0, pivot)[:, None])
        lu[:, j + 1:, j] *= scale.astype(lu.dtype)
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:]
    return lu.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch)


def _permutation(pivots, m):
    """The row order ``perm`` (``(P^T A)[i] = A[perm[i]]``) that the 1-based LAPACK swaps
    ``pivots`` (..., k) apply to ``m`` rows."""
    batch = pivots.shape[:-1]
    xp = array_module(pivots)
    if pivots.size == 0:
        return np.broadcast_to(xp.arange(m), batch + (m,)).copy()
    flat = pivots.reshape((-1, pivots.shape[-1])) - 1
    perm = np.tile(xp.arange(m), (flat.shape[0], 1))
    rows = xp.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        top = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p]
        perm[rows, p] = top
    return perm.reshape(batch + (m,))


def _permutation_matrix(pivots, m, dtype):
    perm = _permutation(pivots, m)
    P = array_module(perm).zeros(perm.shape + (m,), dtype)
    np.put_along_axis(P, perm[..., None], 1, axis=-1)
    # P^T has ones at (i, perm[i]); torch returns P itself (A = P L U)
    return np.swapaxes(P, -1, -2).copy()


def _unpack(LU, m, n):
    """Differentiable L (unit lower, m x k) and U (k x n) from the packed ``LU`` tensor."""
    k = min(m, n)
    L = LU[..., :, :k].tril(-1) + eye(m, k, dtype=LU.dtype)
    U = LU[..., :k, :].triu()
    return L, U


class LUFactor(Function):
    @staticmethod
    def forward(ctx, A):
        lu, piv, info = _getrf(A._data)
        LU = _make(lu)
        ctx.save_for_backward(LU)
        ctx.pivots = piv
        return LU, _make(piv), _make(info)

    @staticmethod
    def backward(ctx, gLU, gpiv, ginfo):
        (LU,) = ctx.saved_tensors
        m, n = LU.shape[-2:]
        L, U = _unpack(LU, m, n)
        gL, gU = _unpack(gLU, m, n)
        gL = gL - eye(m, min(m, n), dtype=gL.dtype)  # the unit diagonal is no output
        P = _make(_permutation_matrix(ctx.pivots, m, LU._data.dtype))
        return _lu_backward(P, L, U, gL, gU)


def _lu_backward(P, L, U, gL, gU):
    """torch's LU backward for square matrices: ``gA = P L^-H [tril(L^H gL, -1) + triu(gU U^H)]
    U^-H``."""
    m, n = L.shape[-2], U.shape[-1]
    if m != n:
        raise NotImplementedError("ember: the gradient of the LU factorisation is implemented "
                                  "for square matrices only")
    phi = L.mT.matmul(gL).tril(-1) + gU.matmul(U.mT).triu()
    X = solve_triangular(L.mT, phi, upper=True, unitriangular=True)
    X = solve_triangular(U.mT, X, upper=False, left=False)
    return P.matmul(X)


def _check_lu_input(A, name):
    _lapack_dtype(A, name, "lu_cpu", True)
    _require_float_matrix(A, name)


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """``(LU, pivots, info)``: the packed LU factorisation with partial pivoting (pivots
    1-based as LAPACK's), ``info`` > 0 where an exact zero pivot makes ``U`` singular."""
    _check_lu_input(A, "linalg.lu_factor_ex")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    LU, piv, info = LUFactor.apply(A)
    if check_errors and bool((info._data > 0).any()):
        raise RuntimeError("linalg.lu_factor_ex: U[%d,%d] is zero and using it on lu_solve "
                           "would result in a division by zero." % ((info._data.max(),) * 2))
    return return_types.linalg_lu_factor_ex(LU, piv, info)


def lu_factor(A, *, pivot=True, out=None):
    """``(LU, pivots)``: the packed LU factorisation with partial pivoting."""
    _check_lu_input(A, "linalg.lu_factor")
    LU, piv, _ = lu_factor_ex(A, pivot=pivot)
    return return_types.linalg_lu_factor(LU, piv)


def lu(A, *, pivot=True, out=None):
    """``(P, L, U)`` with ``A = P L U``: ``L`` unit lower triangular, ``U`` upper triangular."""
    _check_lu_input(A, "linalg.lu")
    LU, piv, _ = lu_factor_ex(A, pivot=pivot)
    return return_types.linalg_lu(*lu_unpack(LU, piv))


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """``(P, L, U)`` from the packed result of :func:`lu_factor`."""
    m, n = LU_data.shape[-2:]
    if unpack_data:
        L, U = _unpack(LU_data, m, n)
    else:
        L = U = _make(array_module(LU_data._data).zeros((0,), LU_data._data.dtype))
    if unpack_pivots:
        P = _make(_permutation_matrix(LU_pivots._data, m, LU_data._data.dtype))
    else:
        P = _make(array_module(LU_data._data).zeros((0,), LU_data._data.dtype))
    return return_types.lu_unpack(P, L, U)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """The solution ``X`` of ``A X = B`` (``X A = B`` when not ``left``; ``A^H`` when
    ``adjoint``) from the LU factorisation of ``A``."""
    _lapack_dtype(LU, "torch.linalg.lu_solve", "linalg.lu_solve_cpu")
    m = LU.shape[-1]
    if LU.shape[-2] != m:
        raise RuntimeError("linalg.lu_solve: Expected LU to be square, but got %d by %d"
                           % tuple(LU.shape[-2:]))
    if not left:
        return lu_solve(LU, pivots, B.mT, adjoint=not adjoint).mT
    if B.shape[-2] != m:
        raise RuntimeError("linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           "AX = B (%dx%d and %dx%d)" % (m, m, *B.shape[-2:]))
    L, U = _unpack(LU, m, m)
    P = _make(_permutation_matrix(pivots._data, m, LU._data.dtype))
    if adjoint:
        # A^T X = U^T L^T P^T X = B
        Y = solve_triangular(U.mT, B, upper=False)
        Y = solve_triangular(L.mT, Y, upper=True, unitriangular=True)
        return P.matmul(Y)
    Y = solve_triangular(L, P.mT.matmul(B), upper=False, unitriangular=True)
    return solve_triangular(U, Y, upper=True)


def _lu_samples(dtype):
    yield SampleInput(T(values=_square(3)))
    yield SampleInput(T(values=_square(3, (2,))))
    yield SampleInput(T(4, 4))
    yield SampleInput(T(values=[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [1.0, -1.0, 7.0]]),
                      name="pivoting")
    yield SampleInput(T(3, 5, grad=False), name="wide")
    yield SampleInput(T(5, 3, grad=False), name="tall")


def _lu_errors():
    yield ErrorInput(SampleInput(T(3)), RuntimeError, "at least 2 dimensions")
    yield ErrorInput(SampleInput(T(3, 3, dtype="int64")), NotImplementedError,
                     "\"lu_cpu\" not implemented for 'Long'")


register(OpInfo("linalg.lu_factor", lu_factor, _lu_samples, _lu_errors, atol=1e-4, rtol=1e-4))
register(OpInfo("linalg.lu_factor_ex", lu_factor_ex, _lu_samples, atol=1e-4, rtol=1e-4))
register(OpInfo("linalg.lu", lu, _lu_samples, _lu_errors, atol=1e-4, rtol=1e-4))


def _factored(values):
    """Sample inputs ``(LU, pivots)`` of the matrices ``values``."""
    lu, piv, _ = _getrf(np.array(values))
    return T(values=lu.tolist()), T(values=piv.tolist(), dtype="int32", grad=False)


def _lu_unpack_samples(dtype):
    yield SampleInput(*_factored(_square(3)))
    yield SampleInput(*_factored(_square(3, (2,))))
    yield SampleInput(*_factored([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [1.0, -1.0, 7.0]]))
    yield SampleInput(*_factored(_square(3)), unpack_pivots=False)
    yield SampleInput(*_factored(np.arange(15.0).reshape(3, 5) % 7), name="wide")
    yield SampleInput(*_factored(np.arange(15.0).reshape(5, 3) % 4), name="tall")


def _lu_solve_samples(dtype):
    yield SampleInput(*_factored(_square(3)), T(3, 2))
    yield SampleInput(*_factored(_square(3, (2,))), T(2, 3, 1), adjoint=True)
    yield SampleInput(*_factored(_square(3)), T(4, 3), left=False)
    yield SampleInput(*_factored(_square(3)), T(2, 3), left=False, adjoint=True)


def _lu_solve_errors():
    yield ErrorInput(SampleInput(*_factored(_square(3)), T(4, 2)), RuntimeError,
                     "Incompatible shapes")


register(OpInfo("lu_unpack", lu_unpack, _lu_unpack_samples, atol=1e-4, rtol=1e-4))
register(OpInfo("linalg.lu_solve", lu_solve, _lu_solve_samples, _lu_solve_errors, atol=1e-4,
                rtol=1e-4))
