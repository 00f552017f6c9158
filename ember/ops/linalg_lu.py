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
from ember.ops.manipulation import cat
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
    """The gradient of ``A = P L U`` from those of ``L`` (strictly lower part) and ``U``.

    Square: ``gA = P L^-H [tril(L^H gL, -1) + triu(gU U^H)] U^-H`` (torch's formula). A wide
    ``A`` (m < n) is ``[A1 A2] = P L [U1 U2]``: ``U2 = L^-1 P^T A2`` moves ``L``, so the square
    formula runs on ``A1`` with ``gL - L^-H gU2 U2^H``, and ``gA2 = P L^-H gU2``. A tall one is
    the transpose of that: ``L2 = P^T A2 U^-1`` moves ``U``, so ``gU - L2^H gL2 U^-H`` goes to
    the square part and ``gA2 = P gL2 U^-H``."""
    m, n = L.shape[-2], U.shape[-1]
    k = min(m, n)
    if m <= n:
        U1, U2, gU1, gU2 = U[..., :k], U[..., k:], gU[..., :k], gU[..., k:]
        phi = (L.mT.matmul(gL) - gU2.matmul(U2.mT)).tril(-1) + gU1.matmul(U1.mT).triu()
        X = solve_triangular(L.mT, phi, upper=True, unitriangular=True)
        X = solve_triangular(U1.mT, X, upper=False, left=False)
        if m < n:
            X = cat([X, solve_triangular(L.mT, gU2, upper=True, unitriangular=True)], -1)
        return P.matmul(X)
    L1, L2, gL1, gL2 = L[..., :k, :], L[..., k:, :], gL[..., :k, :], gL[..., k:, :]
    phi = L1.mT.matmul(gL1).tril(-1) + (gU.matmul(U.mT) - L2.mT.matmul(gL2)).triu()
    X = solve_triangular(L1.mT, phi, upper=True, unitriangular=True)
    X = solve_triangular(U.mT, X, upper=False, left=False)
    X = cat([X, solve_triangular(U.mT, gL2, upper=False, left=False)], -2)
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
    yield SampleInput(T(3, 5), name="wide")
    yield SampleInput(T(5, 3), name="tall")
    yield SampleInput(T(values=_square(2, (2,))[0] + [[0.3, -0.7]]), name="tall, batch of one")


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


# --- LDL (Bunch-Kaufman) ----------------------------------------------------------------------

_BUNCH_KAUFMAN = (1 + 17 ** 0.5) / 8


def _sytf2(a):
    """LAPACK's unblocked ``sytf2`` on the lower triangle of one symmetric matrix: ``(LD,
    pivots, info)`` with ``pivots`` 1-based, negative pairs for 2x2 blocks, as torch returns."""
    n = a.shape[0]
    w = np.tril(a).astype(a.dtype)
    piv = array_module(a).zeros(n, np.int32)
    info, k = 0, 0
    while k < n:
        step, absakk = 1, abs(w[k, k])
        if k < n - 1:
            imax = k + 1 + _int_argmax(np.abs(w[k + 1:, k]))
            colmax = abs(w[imax, k])
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0 or np.isnan(absakk):
            info = info or k + 1
            kp = k
        else:
            if absakk >= _BUNCH_KAUFMAN * colmax:
                kp = k
            else:
                rowmax = np.max(np.abs(w[imax, k:imax]))
                if imax < n - 1:
                    rowmax = max(rowmax, np.max(np.abs(w[imax + 1:, imax])))
                if absakk >= _BUNCH_KAUFMAN * colmax * (colmax / rowmax):
                    kp = k
                elif abs(w[imax, imax]) >= _BUNCH_KAUFMAN * rowmax:
                    kp = imax
                else:
                    kp, step = imax, 2
            kk = k + step - 1
            if kp != kk:
                # swap rows/columns kk and kp of the trailing lower triangle
                w[kp + 1:, [kk, kp]] = w[kp + 1:, [kp, kk]]
                between = slice(kk + 1, kp)
                w[between, kk], w[kp, between] = w[kp, between].copy(), w[between, kk].copy()
                w[kk, kk], w[kp, kp] = w[kp, kp], w[kk, kk]
                if step == 2:
                    w[k + 1, k], w[kp, k] = w[kp, k], w[k + 1, k]
            if step == 1:
                x = w[k + 1:, k].copy()
                if x.size:
                    r = 1 / w[k, k]
                    w[k + 1:, k + 1:] += np.outer(x, -r * x)
                    w[k + 1:, k] = r * x
            elif k < n - 2:
                d21 = w[k + 1, k]
                d11, d22 = w[k + 1, k + 1] / d21, w[k, k] / d21
                d21 = (1 / (d11 * d22 - 1)) / d21
                a0, a1 = w[k + 2:, k].copy(), w[k + 2:, k + 1].copy()
                wk, wkp1 = d21 * (d11 * a0 - a1), d21 * (d22 * a1 - a0)
                w[k + 2:, k + 2:] -= np.outer(a0, wk) + np.outer(a1, wkp1)
                w[k + 2:, k], w[k + 2:, k + 1] = wk, wkp1
        if step == 1:
            piv[k] = kp + 1
        else:
            piv[k] = piv[k + 1] = -(kp + 1)
        k += step
    return np.tril(w), piv, info


def _int_argmax(values):
    return int(np.argmax(values))


def _sytrs(ld, piv, b):
    """LAPACK's ``sytrs`` (lower): the solution of ``A X = B`` from ``sytf2``'s factors."""
    n, x = ld.shape[0], b.copy()
    k = 0
    while k < n:  # L D Y = B, forward
        if piv[k] > 0:
            kp = piv[k] - 1
            x[[k, kp]] = x[[kp, k]]
            x[k + 1:] -= np.outer(ld[k + 1:, k], x[k])
            x[k] /= ld[k, k]
            k += 1
        else:
            kp = -piv[k] - 1
            x[[k + 1, kp]] = x[[kp, k + 1]]
            x[k + 2:] -= np.outer(ld[k + 2:, k], x[k]) + np.outer(ld[k + 2:, k + 1], x[k + 1])
            akm1k = ld[k + 1, k]
            akm1, ak = ld[k, k] / akm1k, ld[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1
            bkm1, bk = x[k] / akm1k, x[k + 1] / akm1k
            x[k], x[k + 1] = (ak * bkm1 - bk) / denom, (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T X = Y, backward
        if piv[k] > 0:
            x[k] -= ld[k + 1:, k] @ x[k + 1:]
            kp = piv[k] - 1
            x[[k, kp]] = x[[kp, k]]
            k -= 1
        else:
            x[k] -= ld[k + 1:, k] @ x[k + 1:]
            x[k - 1] -= ld[k + 1:, k - 1] @ x[k + 1:]
            kp = -piv[k] - 1
            x[[k, kp]] = x[[kp, k]]
            k -= 2
    return x


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """``(LD, pivots, info)``: the Bunch-Kaufman factorisation ``A = P L D L^T P^T`` of the
    symmetric ``A`` (its lower triangle is read), compact as LAPACK's ``sytrf``: ``D``'s 1x1
    and 2x2 blocks on and below the diagonal of ``LD``, ``L`` (unit) below them; ``pivots``
    1-based, negative for 2x2 blocks. ``info`` > 0 where ``D`` is exactly singular. Not
    differentiable (as in torch).

    Example:
        >>> import ember
        >>> A = ember.tensor([[4., 2.], [2., 3.]])
        >>> LD, pivots, info = ember.linalg.ldl_factor_ex(A)
        >>> LD
        tensor([[4.0000, 0.0000],
                [0.5000, 2.0000]])
        >>> pivots
        tensor([1, 2], dtype=ember.int32)
    """
    name = "torch.linalg.ldl_factor_ex"
    _require_float_matrix(A, name)
    _lapack_dtype(A, name, "ldl_factor_kernel_cpu")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError("%s: A must be batches of square matrices, but they are %d by %d "
                           "matrices" % ((name,) + tuple(A.shape[-2:])))
    batch, n = A.shape[:-2], A.shape[-1]
    flat = A._data.reshape((int(np.prod(batch)), n, n))
    xp = array_module(flat)
    ld, piv = xp.zeros_like(flat), xp.zeros((flat.shape[0], n), np.int32)
    info = xp.zeros(flat.shape[0], np.int32)
    for i, a in enumerate(flat):
        ld[i], piv[i], info[i] = _sytf2(a)
    if check_errors and info.any():
        raise RuntimeError("%s: D[%d,%d] is zero: the factorisation exists, but solving with "
                           "it would divide by zero." % ((name,) + (int(info.max()) - 1,) * 2))
    return return_types.linalg_ldl_factor_ex(_make(ld.reshape(A.shape)),
                                             _make(piv.reshape(batch + (n,))),
                                             _make(info.reshape(batch)))


def ldl_factor(A, *, hermitian=False, out=None):
    """``(LD, pivots)`` of :func:`ldl_factor_ex`; an exactly singular ``D`` raises."""
    LD, pivots, info = ldl_factor_ex(A, hermitian=hermitian)
    if info._data.any():
        raise RuntimeError("torch.linalg.ldl_factor: D[%d,%d] is zero: the factorisation "
                           "exists, but solving with it would divide by zero."
                           % ((int(info._data.max()) - 1,) * 2))
    return return_types.linalg_ldl_factor(LD, pivots)


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """The solution ``X`` of ``A X = B`` from :func:`ldl_factor`'s ``(LD, pivots)`` of ``A``
    (batches broadcast). Not differentiable (as in torch)."""
    name = "torch.linalg.ldl_solve"
    _require_float_matrix(LD, name)
    if LD.shape[-1] != LD.shape[-2]:
        raise RuntimeError("%s: A must be batches of square matrices, but they are %d by %d "
                           "matrices" % ((name,) + tuple(LD.shape[-2:])))
    if pivots._data.dtype.kind not in "iu":
        raise RuntimeError("%s: Expected pivots to be integers. Got %s" % (name, _word(pivots)))
    if tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise RuntimeError("%s: Expected LD.shape[:-1] and pivots.shape to be the same, but got "
                           "pivots with shape %s instead" % (name, list(pivots.shape)))
    _lapack_dtype(LD, name, "ldl_solve_kernel_cpu")
    if B.dim() < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got "
                         "-2)")
    if B._data.dtype != LD._data.dtype:
        raise RuntimeError("Expected b and A to have the same dtype, but found b of type %s and "
                           "A of type %s instead." % (_word(B), _word(LD)))
    n = LD.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError("Incompatible matrix sizes for %s: each A matrix is %d by %d but each "
                           "b matrix is %d by %d" % ((name, n, n) + tuple(B.shape[-2:])))
    batch = np.broadcast_shapes(LD.shape[:-2], pivots.shape[:-1], B.shape[:-2])
    count = int(np.prod(batch))
    ld = np.broadcast_to(LD._data, batch + (n, n)).reshape((count, n, n))
    piv = np.broadcast_to(pivots._data, batch + (n,)).reshape((count, n))
    b = np.broadcast_to(B._data, batch + B.shape[-2:]).reshape((count,) + B.shape[-2:])
    x = np.empty_like(b)
    for i in range(b.shape[0]):
        x[i] = _sytrs(ld[i], piv[i], b[i])
    return _make(x.reshape(batch + B.shape[-2:]))


def _word(t):
    from ember._tensor_str import dtype_word

    return dtype_word(t._data.dtype)


def _symmetric(a):
    return (a + np.swapaxes(a, -1, -2)).tolist()


def _ldl_samples(dtype):
    rng = np.random.default_rng(5)
    yield SampleInput(T(values=_symmetric(rng.uniform(-1, 1, (4, 4)))))
    yield SampleInput(T(values=_symmetric(rng.uniform(-1, 1, (2, 5, 5)))))
    yield SampleInput(T(values=[[0.1, 2.0, 0.3], [2.0, 0.2, 1.0], [0.3, 1.0, -0.1]]),
                      name="2x2 pivot block")
    yield SampleInput(T(values=[[1.0, 2.0], [2.0, 1.0]]), hermitian=True)
    yield SampleInput(T(0, 0))


def _ldl_solve_errors():
    piv = T(values=[1, 2], dtype="int32", grad=False)
    yield ErrorInput(SampleInput(T(2, 2), T(2, grad=False), T(2, 1)), RuntimeError,
                     "Expected pivots to be integers")
    yield ErrorInput(SampleInput(T(2, 3), piv, T(2, 1)), RuntimeError, "square matrices")
    yield ErrorInput(SampleInput(T(2, 2), T(values=[1, 2, 3], dtype="int32", grad=False),
                                 T(2, 1)), RuntimeError, "pivots with shape")
    yield ErrorInput(SampleInput(T(2, 2), piv, T(3, 1)), RuntimeError, "Incompatible matrix")
    yield ErrorInput(SampleInput(T(2, 2), piv, T(2)), IndexError, "out of range")


def _ldl_errors():
    yield ErrorInput(SampleInput(T(3)), RuntimeError, "at least 2 dimensions")
    yield ErrorInput(SampleInput(T(3, 4)), RuntimeError, "A must be batches of square matrices")
    yield ErrorInput(SampleInput(T(3, 3, dtype="int64")), RuntimeError,
                     "Expected a floating point or complex tensor")


def _ldl_solve_samples(dtype):
    rng = np.random.default_rng(6)
    for values, rhs in (((4, 4), (4, 2)), ((2, 3, 3), (3, 1)), ((3, 3), (2, 3, 2))):
        a = rng.uniform(-1, 1, values)
        a = a + np.swapaxes(a, -1, -2)
        factors = [_sytf2(m) for m in a.reshape((-1,) + a.shape[-2:])]
        ld = np.stack([f[0] for f in factors]).reshape(a.shape)
        piv = np.stack([f[1] for f in factors]).reshape(a.shape[:-1])
        yield SampleInput(T(values=ld.tolist(), grad=False),
                          T(values=piv.tolist(), dtype="int32", grad=False), T(*rhs, grad=False))


# torch has no derivative for either (its backward raises "not implemented")
register(OpInfo("linalg.ldl_factor", ldl_factor, _ldl_samples, _ldl_errors, grad=False,
                atol=1e-4, rtol=1e-4))
register(OpInfo("linalg.ldl_factor_ex", ldl_factor_ex, _ldl_samples, grad=False, atol=1e-4,
                rtol=1e-4))
register(OpInfo("linalg.ldl_solve", ldl_solve, _ldl_solve_samples, _ldl_solve_errors,
                grad=False, atol=1e-4, rtol=1e-4))
